// The partner HTTP API (cpp-httplib) over the internal OrderService:
//
//   POST /partner/v1/orders                  place an order (201, also for a retry)
//   GET  /partner/v1/orders/{orderRef}       read it
//   POST /partner/v1/orders/{orderRef}/cancel
//   GET  /partner/v1/orders?status=confirmed the partner's orders, newest first
//   GET  /partner/v1/catalog?limit=&pageToken= the partner's SKUs, by SKU
//   GET  /partner/v1/catalog/{sku}           one SKU: name, price, availability
//
// The catalog comes from ProductService through the Redis cache
// (gateway/catalog); X-Cache says HIT, MISS or BYPASS (Redis unavailable).
//
// Every call: X-Api-Key (401), checked before any body is read, with failed
// attempts rate-limited per client address (429); a per-partner rate limit
// (429 + Retry-After); a body limit counted while reading, chunked or not
// (413); X-Correlation-Id accepted or created, echoed and passed to gRPC;
// errors as problem details. A refusal that leaves a body unread closes the
// connection. Serve it on a BoundedServer (bounded_server.h).
#ifndef SHOP_GATEWAY_HTTP_PARTNER_API_H_
#define SHOP_GATEWAY_HTTP_PARTNER_API_H_

#include <httplib.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "gateway/catalog/catalog.h"
#include "gateway/http/problem.h"
#include "gateway/partner/partners.h"
#include "proto/shop/order/v1/order_service.grpc.pb.h"

namespace shop::gateway {

struct PartnerApiOptions {
  size_t max_body_bytes = 64 * 1024;
  absl::Duration order_deadline = absl::Seconds(5);
  // Requests with a missing or wrong X-Api-Key, per client address: this
  // many at once, refilled at this rate; beyond, 429.
  int unauthenticated_burst = 20;
  double unauthenticated_per_second = 2;
};

class PartnerApi {
 public:
  PartnerApi(PartnerDirectory& partners, RateLimiter& limiter,
             shop::order::v1::OrderService::StubInterface& orders, Catalog& catalog,
             PartnerApiOptions options);

  // Registers the routes, the body limit and the error handler.
  void Install(httplib::Server& server);

 private:
  // Authenticates and rate-limits; null (with the response written) when refused.
  const PartnerConfig* Admit(const httplib::Request& request, httplib::Response& response,
                             const std::string& correlation_id);
  // The pre-routing check: known routes only, and a valid key, before any
  // body is read.
  bool RefuseEarly(const httplib::Request& request, httplib::Response& response);
  // Reads the body through `reader`, at most max_body_bytes; false (with a
  // 413 or 400 written) when it cannot.
  bool ReadBody(const httplib::Request& request, const httplib::ContentReader& reader,
                httplib::Response& response, std::string& body);
  void PlaceOrder(const httplib::Request& request, const std::string& body,
                  httplib::Response& response);
  void GetOrder(const httplib::Request& request, httplib::Response& response);
  void CancelOrder(const httplib::Request& request, httplib::Response& response);
  void ListOrders(const httplib::Request& request, httplib::Response& response);
  void ListCatalog(const httplib::Request& request, httplib::Response& response);
  void GetCatalogItem(const httplib::Request& request, httplib::Response& response);

  std::unique_ptr<grpc::ClientContext> Context(const std::string& correlation_id) const;
  grpc::Status FindOrder(const PartnerConfig& partner, const std::string& order_ref,
                         const std::string& correlation_id, shop::order::v1::Order* order);

  PartnerDirectory& partners_;
  RateLimiter& limiter_;
  RateLimiter unauthenticated_;
  shop::order::v1::OrderService::StubInterface& orders_;
  Catalog& catalog_;
  PartnerApiOptions options_;
};

// The correlation id of a request: its X-Correlation-Id if usable, else new.
std::string CorrelationIdOf(const httplib::Request& request);

void WriteProblem(httplib::Response& response, const Problem& problem, const std::string& path,
                  const std::string& correlation_id);

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_HTTP_PARTNER_API_H_

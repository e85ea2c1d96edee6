// The partner HTTP API (cpp-httplib) over the internal OrderService:
//
//   POST /partner/v1/orders                  place an order (201, also for a retry)
//   GET  /partner/v1/orders/{orderRef}       read it
//   POST /partner/v1/orders/{orderRef}/cancel
//   GET  /partner/v1/orders?status=confirmed the partner's orders, newest first
//
// Every call: X-Api-Key (401), a per-partner rate limit (429 + Retry-After),
// a body limit (413), X-Correlation-Id accepted or created, echoed and
// passed to gRPC; errors as problem details.
#ifndef SHOP_GATEWAY_HTTP_PARTNER_API_H_
#define SHOP_GATEWAY_HTTP_PARTNER_API_H_

#include <httplib.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "gateway/http/problem.h"
#include "gateway/partner/partners.h"
#include "proto/shop/order/v1/order_service.grpc.pb.h"

namespace shop::gateway {

struct PartnerApiOptions {
  size_t max_body_bytes = 64 * 1024;
  absl::Duration order_deadline = absl::Seconds(5);
};

class PartnerApi {
 public:
  PartnerApi(PartnerDirectory& partners, RateLimiter& limiter,
             shop::order::v1::OrderService::StubInterface& orders, PartnerApiOptions options);

  // Registers the routes, the body limit and the error handler.
  void Install(httplib::Server& server);

 private:
  // Authenticates and rate-limits; null (with the response written) when refused.
  const PartnerConfig* Admit(const httplib::Request& request, httplib::Response& response,
                             const std::string& correlation_id);
  void PlaceOrder(const httplib::Request& request, httplib::Response& response);
  void GetOrder(const httplib::Request& request, httplib::Response& response);
  void CancelOrder(const httplib::Request& request, httplib::Response& response);
  void ListOrders(const httplib::Request& request, httplib::Response& response);

  std::unique_ptr<grpc::ClientContext> Context(const std::string& correlation_id) const;
  grpc::Status FindOrder(const PartnerConfig& partner, const std::string& order_ref,
                         const std::string& correlation_id, shop::order::v1::Order* order);

  PartnerDirectory& partners_;
  RateLimiter& limiter_;
  shop::order::v1::OrderService::StubInterface& orders_;
  PartnerApiOptions options_;
};

// The correlation id of a request: its X-Correlation-Id if usable, else new.
std::string CorrelationIdOf(const httplib::Request& request);

void WriteProblem(httplib::Response& response, const Problem& problem, const std::string& path,
                  const std::string& correlation_id);

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_HTTP_PARTNER_API_H_

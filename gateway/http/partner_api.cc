#include "gateway/http/partner_api.h"

#include <cmath>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/events/event_metadata.h"
#include "common/logging/log.h"
#include "common/metrics/metrics.h"
#include "gateway/http/bounded_server.h"
#include "gateway/partner/translation.h"
#include "google/protobuf/util/json_util.h"

namespace shop::gateway {
namespace {

constexpr char kJson[] = "application/json";
constexpr char kCorrelationHeader[] = "X-Correlation-Id";

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return "{}";
  return json;
}

}  // namespace

std::string CorrelationIdOf(const httplib::Request& request) {
  std::string id = request.get_header_value(kCorrelationHeader);
  bool usable = !id.empty() && id.size() <= 128;
  for (char c : id) {
    usable = usable && (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':');
  }
  return usable ? id : events::NewUuid();
}

void WriteProblem(httplib::Response& response, const Problem& problem, const std::string& path,
                  const std::string& correlation_id) {
  response.status = problem.status;
  if (problem.retry_after > absl::ZeroDuration()) {
    response.set_header("Retry-After", std::to_string(static_cast<int64_t>(
                                           std::ceil(absl::ToDoubleSeconds(problem.retry_after)))));
  }
  response.set_header(kCorrelationHeader, correlation_id);
  response.set_content(ProblemJson(problem, path, correlation_id), "application/problem+json");
}

PartnerApi::PartnerApi(PartnerDirectory& partners, RateLimiter& limiter,
                       shop::order::v1::OrderService::StubInterface& orders, Catalog& catalog,
                       PartnerApiOptions options)
    : partners_(partners),
      limiter_(limiter),
      orders_(orders),
      catalog_(catalog),
      options_(options) {}

namespace {

constexpr char kOrdersPath[] = "/partner/v1/orders";
const std::regex& OrderPath() {
  static const std::regex path(R"(/partner/v1/orders/([^/]+))");
  return path;
}
const std::regex& CancelPath() {
  static const std::regex path(R"(/partner/v1/orders/([^/]+)/cancel)");
  return path;
}
constexpr char kCatalogPath[] = "/partner/v1/catalog";
const std::regex& CatalogItemPath() {
  static const std::regex path(R"(/partner/v1/catalog/([^/]+))");
  return path;
}
// A request is served on one worker thread from its routing to its log line.
thread_local absl::Time request_started = absl::InfinitePast();

// The route a path belongs to, for metric labels (never the raw path: its
// values are unbounded).
std::string RouteOf(const std::string& path) {
  if (path == kOrdersPath || path == kCatalogPath) return path;
  if (std::regex_match(path, CancelPath())) return "/partner/v1/orders/{orderRef}/cancel";
  if (std::regex_match(path, OrderPath())) return "/partner/v1/orders/{orderRef}";
  if (std::regex_match(path, CatalogItemPath())) return "/partner/v1/catalog/{sku}";
  return "other";
}

constexpr int kDefaultCatalogPage = 50;
constexpr int kMaxCatalogPage = 200;
constexpr size_t kMaxSkuBytes = 200;

}  // namespace

bool PartnerApi::RefuseEarly(const httplib::Request& request, httplib::Response& response) {
  const std::string correlation_id = CorrelationIdOf(request);
  std::smatch match;
  const bool get = request.method == "GET", post = request.method == "POST";
  std::smatch catalog_match;
  const bool known =
      (get &&
       (request.path == kOrdersPath || std::regex_match(request.path, match, OrderPath()))) ||
      (get && (request.path == kCatalogPath ||
               std::regex_match(request.path, catalog_match, CatalogItemPath()))) ||
      (post &&
       (request.path == kOrdersPath || std::regex_match(request.path, match, CancelPath())));
  if (!known) {
    BoundedServer::CloseAfterResponse();
    WriteProblem(response, MakeProblem(404, "not-found", "No such resource"), request.path,
                 correlation_id);
    return true;
  }
  if (partners_.Authenticate(request.get_header_value("X-Api-Key")) == nullptr) {
    // Key guessing is slowed per client address; a valid partner is never
    // held back by this.
    PartnerConfig client;
    client.id = "client:" + request.remote_addr;
    client.burst = options_.unauthenticated_burst;
    client.rate_per_second = options_.unauthenticated_per_second;
    BoundedServer::CloseAfterResponse();
    if (auto wait = unauthenticated_.Take(client); wait.has_value()) {
      WriteProblem(response,
                   MakeProblem(429, "rate-limited", "Too many unauthenticated requests", "", *wait),
                   request.path, correlation_id);
      return true;
    }
    response.set_header("WWW-Authenticate", "ApiKey");
    WriteProblem(response, MakeProblem(401, "unauthorized", "A valid X-Api-Key header is required"),
                 request.path, correlation_id);
    return true;
  }
  if (match.size() > 1 && !IsValidOrderRef(match[1].str())) {
    Problem problem = MakeProblem(400, "invalid-request", "The request is not valid");
    problem.errors.push_back({"orderRef", kOrderRefRule});
    BoundedServer::CloseAfterResponse();
    WriteProblem(response, problem, request.path, correlation_id);
    return true;
  }
  return false;
}

bool PartnerApi::ReadBody(const httplib::Request& request, const httplib::ContentReader& reader,
                          httplib::Response& response, std::string& body) {
  bool too_large = false;
  const bool read = reader([&](const char* data, size_t length) {
    if (body.size() + length > options_.max_body_bytes) {
      too_large = true;
      return false;
    }
    body.append(data, length);
    return true;
  });
  if (read && !too_large) return true;
  // A declared Content-Length over the limit is refused by httplib itself.
  too_large = too_large || response.status == 413;
  BoundedServer::CloseAfterResponse();
  WriteProblem(response,
               too_large
                   ? MakeProblem(413, "body-too-large", "The request body is too large")
                   : MakeProblem(400, "invalid-request", "The request body could not be read"),
               request.path, CorrelationIdOf(request));
  return false;
}

void PartnerApi::Install(httplib::Server& server) {
  server.set_payload_max_length(options_.max_body_bytes);
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    request_started = absl::Now();
    return RefuseEarly(req, res) ? httplib::Server::HandlerResponse::Handled
                                 : httplib::Server::HandlerResponse::Unhandled;
  });
  // POSTs with a body go to the content-reader handlers (the body is read
  // here, bounded); POSTs without one to the plain handlers.
  server.Post(kOrdersPath, [this](const httplib::Request& req, httplib::Response& res,
                                  const httplib::ContentReader& reader) {
    std::string body;
    if (ReadBody(req, reader, res, body)) PlaceOrder(req, body, res);
  });
  server.Post(kOrdersPath, [this](const auto& req, auto& res) { PlaceOrder(req, "", res); });
  server.Get(kOrdersPath, [this](const auto& req, auto& res) { ListOrders(req, res); });
  server.Get(R"(/partner/v1/orders/([^/]+))",
             [this](const auto& req, auto& res) { GetOrder(req, res); });
  server.Post(R"(/partner/v1/orders/([^/]+)/cancel)",
              [this](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) {
                std::string ignored;
                if (ReadBody(req, reader, res, ignored)) CancelOrder(req, res);
              });
  server.Post(R"(/partner/v1/orders/([^/]+)/cancel)",
              [this](const auto& req, auto& res) { CancelOrder(req, res); });
  server.Get(kCatalogPath, [this](const auto& req, auto& res) { ListCatalog(req, res); });
  server.Get(R"(/partner/v1/catalog/([^/]+))",
             [this](const auto& req, auto& res) { GetCatalogItem(req, res); });
  // Errors httplib answers by itself (413 body too large, 404 no route, ...)
  // get a problem body too; ours already have one.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& request, httplib::Response& response) {
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        Problem problem = MakeProblem(response.status, "http-error", "The request failed");
        if (response.status == 413) {
          problem = MakeProblem(413, "body-too-large", "The request body is too large");
        } else if (response.status == 404) {
          problem = MakeProblem(404, "not-found", "No such resource");
        }
        WriteProblem(response, problem, request.path, CorrelationIdOf(request));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_logger([](const httplib::Request& request, const httplib::Response& response) {
    static auto& requests = metrics::Registry::Default().Counter(
        "shop_http_requests_total", "HTTP requests answered, by method, route and status.",
        {"method", "route", "code"});
    static auto& duration = metrics::Registry::Default().Histogram(
        "shop_http_request_duration_seconds",
        "From a request's headers read to its answer, by method and route.", {"method", "route"});
    const std::string route = RouteOf(request.path);
    requests.With({request.method, route, std::to_string(response.status)}).Increment();
    if (request_started != absl::InfinitePast()) {
      duration.With({request.method, route})
          .Observe(absl::ToDoubleSeconds(absl::Now() - request_started));
    }
    log::Info("http", {{"method", request.method},
                       {"path", request.path},
                       {"status", int64_t{response.status}},
                       {"correlation_id", response.get_header_value(kCorrelationHeader)}});
  });
}

std::unique_ptr<grpc::ClientContext> PartnerApi::Context(const std::string& correlation_id) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(
      std::chrono::system_clock::now() +
      std::chrono::milliseconds(absl::ToInt64Milliseconds(options_.order_deadline)));
  context->AddMetadata("x-correlation-id", correlation_id);
  return context;
}

const PartnerConfig* PartnerApi::Admit(const httplib::Request& request, httplib::Response& response,
                                       const std::string& correlation_id) {
  const PartnerConfig* partner = partners_.Authenticate(request.get_header_value("X-Api-Key"));
  if (partner == nullptr) {
    response.set_header("WWW-Authenticate", "ApiKey");
    WriteProblem(response, MakeProblem(401, "unauthorized", "A valid X-Api-Key header is required"),
                 request.path, correlation_id);
    return nullptr;
  }
  if (auto wait = limiter_.Take(*partner); wait.has_value()) {
    WriteProblem(response, MakeProblem(429, "rate-limited", "Too many requests", "", *wait),
                 request.path, correlation_id);
    return nullptr;
  }
  return partner;
}

void PartnerApi::PlaceOrder(const httplib::Request& request, const std::string& body,
                            httplib::Response& response) {
  const std::string correlation_id = CorrelationIdOf(request);
  const PartnerConfig* partner = Admit(request, response, correlation_id);
  if (partner == nullptr) return;
  auto decoded = DecodeOrderJson(body);
  if (!decoded.ok()) {
    return WriteProblem(response, FromValidation(decoded.status()), request.path, correlation_id);
  }
  auto place = ToPlaceOrder(*decoded, partner->id, partner->sku_map);
  if (!place.ok()) {
    return WriteProblem(response, FromValidation(place.status()), request.path, correlation_id);
  }
  shop::order::v1::PlaceOrderResponse placed;
  grpc::Status status = orders_.PlaceOrder(Context(correlation_id).get(), *place, &placed);
  if (!status.ok()) return WriteProblem(response, FromGrpc(status), request.path, correlation_id);
  // A retry with the same orderRef is answered exactly like the first call.
  response.status = 201;
  response.set_header(kCorrelationHeader, correlation_id);
  response.set_header("Location", "/partner/v1/orders/" + decoded->order_ref());
  response.set_content(ToJson(ToPartnerOrder(placed.order())), kJson);
}

grpc::Status PartnerApi::FindOrder(const PartnerConfig& partner, const std::string& order_ref,
                                   const std::string& correlation_id,
                                   shop::order::v1::Order* order) {
  shop::order::v1::GetOrderRequest get;
  get.set_customer_id(CustomerOf(partner.id));  // a partner sees its own orders only
  get.set_idempotency_key(order_ref);
  shop::order::v1::GetOrderResponse found;
  grpc::Status status = orders_.GetOrder(Context(correlation_id).get(), get, &found);
  *order = found.order();
  return status;
}

void PartnerApi::GetOrder(const httplib::Request& request, httplib::Response& response) {
  const std::string correlation_id = CorrelationIdOf(request);
  const PartnerConfig* partner = Admit(request, response, correlation_id);
  if (partner == nullptr) return;
  shop::order::v1::Order order;
  grpc::Status status = FindOrder(*partner, request.matches[1], correlation_id, &order);
  if (!status.ok()) return WriteProblem(response, FromGrpc(status), request.path, correlation_id);
  response.set_header(kCorrelationHeader, correlation_id);
  response.set_content(ToJson(ToPartnerOrder(order)), kJson);
}

void PartnerApi::CancelOrder(const httplib::Request& request, httplib::Response& response) {
  const std::string correlation_id = CorrelationIdOf(request);
  const PartnerConfig* partner = Admit(request, response, correlation_id);
  if (partner == nullptr) return;
  shop::order::v1::Order order;
  grpc::Status status = FindOrder(*partner, request.matches[1], correlation_id, &order);
  if (!status.ok()) return WriteProblem(response, FromGrpc(status), request.path, correlation_id);
  shop::order::v1::CancelOrderRequest cancel;
  cancel.set_order_id(order.order_id());
  cancel.set_reason("cancelled by partner " + partner->id);
  shop::order::v1::CancelOrderResponse cancelled;
  status = orders_.CancelOrder(Context(correlation_id).get(), cancel, &cancelled);
  if (!status.ok()) return WriteProblem(response, FromGrpc(status), request.path, correlation_id);
  response.set_header(kCorrelationHeader, correlation_id);
  response.set_content(ToJson(ToPartnerOrder(cancelled.order())), kJson);
}

void PartnerApi::ListOrders(const httplib::Request& request, httplib::Response& response) {
  const std::string correlation_id = CorrelationIdOf(request);
  const PartnerConfig* partner = Admit(request, response, correlation_id);
  if (partner == nullptr) return;
  const std::string wanted = request.get_param_value("status");
  if (!wanted.empty() && !InternalStatus(wanted).has_value()) {
    Problem problem = MakeProblem(400, "invalid-request", "The request is not valid");
    problem.errors.push_back(
        {"status", "must be one of received, confirmed, shipped, rejected, cancelled"});
    return WriteProblem(response, problem, request.path, correlation_id);
  }
  shop::order::v1::ListOrdersRequest list;
  list.set_customer_id(CustomerOf(partner->id));
  list.set_page_size(100);
  shop::order::v1::ListOrdersResponse listed;
  grpc::Status status = orders_.ListOrders(Context(correlation_id).get(), list, &listed);
  if (!status.ok()) return WriteProblem(response, FromGrpc(status), request.path, correlation_id);
  shop::partner::v1::PartnerOrderList result;
  for (const auto& order : listed.orders()) {
    shop::partner::v1::PartnerOrder partner_order = ToPartnerOrder(order);
    if (wanted.empty() || partner_order.status() == wanted) {
      *result.add_orders() = std::move(partner_order);
    }
  }
  response.set_header(kCorrelationHeader, correlation_id);
  response.set_content(ToJson(result), kJson);
}

namespace {

// ProductService failed (the cache never fails a read).
Problem CatalogProblem(const absl::Status& status) {
  log::Warning("catalog read failed", {{"error", status.ToString()}});
  return MakeProblem(503, "unavailable", "The catalog cannot be read right now; retry shortly", "",
                     absl::Seconds(2));
}

Problem InvalidParameter(const std::string& field, const std::string& rule) {
  Problem problem = MakeProblem(400, "invalid-request", "The request is not valid");
  problem.errors.push_back({field, rule});
  return problem;
}

}  // namespace

void PartnerApi::ListCatalog(const httplib::Request& request, httplib::Response& response) {
  const std::string correlation_id = CorrelationIdOf(request);
  const PartnerConfig* partner = Admit(request, response, correlation_id);
  if (partner == nullptr) return;
  int limit = kDefaultCatalogPage;
  if (request.has_param("limit") && (!absl::SimpleAtoi(request.get_param_value("limit"), &limit) ||
                                     limit < 1 || limit > kMaxCatalogPage)) {
    return WriteProblem(response,
                        InvalidParameter("limit", absl::StrCat("must be 1 to ", kMaxCatalogPage)),
                        request.path, correlation_id);
  }
  // The token is the last SKU of the previous page (base64url), so pages
  // stay stable while the catalog changes.
  std::string after;
  if (const std::string token = request.get_param_value("pageToken"); !token.empty()) {
    if (token.size() > 4 * kMaxSkuBytes || !absl::WebSafeBase64Unescape(token, &after) ||
        after.empty()) {
      return WriteProblem(response,
                          InvalidParameter("pageToken", "must be a nextPageToken from this API"),
                          request.path, correlation_id);
    }
  }
  std::vector<std::pair<std::string, std::string>> page;  // (sku, product id)
  auto it = after.empty() ? partner->sku_map.begin() : partner->sku_map.upper_bound(after);
  for (; it != partner->sku_map.end() && static_cast<int>(page.size()) < limit; ++it) {
    page.emplace_back(it->first, it->second);
  }
  std::vector<std::string> ids;
  for (const auto& [sku, id] : page) ids.push_back(id);
  auto read = catalog_.Read(ids, correlation_id);
  if (!read.ok()) {
    return WriteProblem(response, CatalogProblem(read.status()), request.path, correlation_id);
  }
  shop::partner::v1::PartnerCatalogPage result;
  for (const auto& [sku, id] : page) {
    // A mapped SKU whose product does not exist (yet) is left out.
    if (auto product = read->products.find(id); product != read->products.end()) {
      *result.add_items() = ToPartnerCatalogItem(sku, product->second);
    }
  }
  if (it != partner->sku_map.end() && !page.empty()) {
    std::string token;
    absl::WebSafeBase64Escape(page.back().first, &token);
    result.set_next_page_token(token);
  }
  response.set_header(kCorrelationHeader, correlation_id);
  response.set_header("X-Cache", CacheOutcomeName(read->outcome));
  response.set_content(ToJson(result), kJson);
}

void PartnerApi::GetCatalogItem(const httplib::Request& request, httplib::Response& response) {
  const std::string correlation_id = CorrelationIdOf(request);
  const PartnerConfig* partner = Admit(request, response, correlation_id);
  if (partner == nullptr) return;
  const std::string sku = request.matches[1];
  auto mapped = partner->sku_map.find(sku);
  if (mapped == partner->sku_map.end()) {
    return WriteProblem(response, MakeProblem(404, "not-found", "No such SKU in your catalog"),
                        request.path, correlation_id);
  }
  auto read = catalog_.Read({mapped->second}, correlation_id);
  if (!read.ok()) {
    return WriteProblem(response, CatalogProblem(read.status()), request.path, correlation_id);
  }
  auto product = read->products.find(mapped->second);
  if (product == read->products.end()) {
    return WriteProblem(response, MakeProblem(404, "not-found", "No such SKU in your catalog"),
                        request.path, correlation_id);
  }
  response.set_header(kCorrelationHeader, correlation_id);
  response.set_header("X-Cache", CacheOutcomeName(read->outcome));
  response.set_content(ToJson(ToPartnerCatalogItem(sku, product->second)), kJson);
}

}  // namespace shop::gateway

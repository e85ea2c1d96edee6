// Errors in the partner API as RFC 9457 problem details
// (application/problem+json), translated from internal gRPC statuses
// without leaking internal detail.
#ifndef SHOP_GATEWAY_HTTP_PROBLEM_H_
#define SHOP_GATEWAY_HTTP_PROBLEM_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/errors/bad_request.h"
#include "grpcpp/support/status.h"

namespace shop::gateway {

// The catalog's price of an item whose expected unitPrice was refused.
struct CurrentPrice {
  std::string item;        // "items[0]"
  std::string unit_price;  // "4.50"
  std::string currency;    // "EUR"
};

struct Problem {
  int status = 500;
  std::string type;  // a slug: invalid-request, not-found, ...
  std::string title;
  std::string detail;
  std::vector<errors::FieldViolation> errors;  // partner field names
  std::vector<CurrentPrice> current_prices;    // for "price-changed"
  absl::Duration retry_after = absl::ZeroDuration();
};

Problem MakeProblem(int status, std::string type, std::string title, std::string detail = "",
                    absl::Duration retry_after = absl::ZeroDuration());

// The JSON body, with `instance` (the request path) and the correlation id.
std::string ProblemJson(const Problem& problem, const std::string& instance,
                        const std::string& correlation_id);

// A gateway-side validation failure (field names already the partner's).
Problem FromValidation(const absl::Status& status);

// An internal gRPC failure, in partner terms. A refused expected price is
// 409 "price-changed" with the current price of each refused item.
Problem FromGrpc(const grpc::Status& status);

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_HTTP_PROBLEM_H_

#include "gateway/http/problem.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/grpc/status.h"
#include "common/money/currency.h"
#include "common/money/decimal.h"
#include "gateway/partner/translation.h"
#include "nlohmann/json.hpp"

namespace shop::gateway {

Problem MakeProblem(int status, std::string type, std::string title, std::string detail,
                    absl::Duration retry_after) {
  Problem problem;
  problem.status = status;
  problem.type = std::move(type);
  problem.title = std::move(title);
  problem.detail = std::move(detail);
  problem.retry_after = retry_after;
  return problem;
}

std::string ProblemJson(const Problem& problem, const std::string& instance,
                        const std::string& correlation_id) {
  nlohmann::json body = {
      {"type", "https://partners.shop.example/problems/" + problem.type},
      {"title", problem.title},
      {"status", problem.status},
      {"instance", instance},
      {"correlationId", correlation_id},
  };
  if (!problem.detail.empty()) body["detail"] = problem.detail;
  if (!problem.current_prices.empty()) {
    body["currentPrices"] = nlohmann::json::array();
    for (const auto& price : problem.current_prices) {
      body["currentPrices"].push_back(
          {{"item", price.item}, {"unitPrice", price.unit_price}, {"currency", price.currency}});
    }
  }
  if (!problem.errors.empty()) {
    body["errors"] = nlohmann::json::array();
    for (const auto& violation : problem.errors) {
      body["errors"].push_back({{"field", violation.field}, {"detail", violation.description}});
    }
  }
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Problem FromValidation(const absl::Status& status) {
  Problem problem = MakeProblem(400, "invalid-request", "The request is not valid");
  problem.errors = errors::ViolationsOf(status);
  if (problem.errors.empty()) problem.detail = std::string(status.message());
  return problem;
}

Problem FromGrpc(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT: {
      Problem problem = MakeProblem(400, "invalid-request", "The request is not valid");
      for (const auto& violation : grpc_util::ViolationsOf(status)) {
        const std::string field = PartnerField(violation.field);
        if (!field.empty()) problem.errors.push_back({field, violation.description});
      }
      if (problem.errors.empty()) problem.detail = "the order was refused as invalid";
      return problem;
    }
    case grpc::StatusCode::NOT_FOUND:
      return MakeProblem(404, "not-found", "No such order");
    case grpc::StatusCode::ALREADY_EXISTS:
      return MakeProblem(409, "order-ref-conflict",
                         "This orderRef was already used for a different order");
    case grpc::StatusCode::FAILED_PRECONDITION: {
      Problem problem =
          MakeProblem(409, "price-changed", "The catalog price differs from the unitPrice sent",
                      "order again with the current prices");
      for (const auto& violation : grpc_util::PreconditionViolationsOf(status)) {
        if (violation.type != "PRICE_CHANGED") continue;
        // "<minor units> <currency>" -> "4.50", "EUR"
        const std::vector<std::string> parts = absl::StrSplit(violation.description, ' ');
        int64_t minor = 0;
        const auto digits = parts.size() == 2 ? money::MinorUnitDigits(parts[1]) : std::nullopt;
        if (!digits.has_value() || !absl::SimpleAtoi(parts[0], &minor)) continue;
        const std::string price = money::MinorToDecimal(minor, *digits);
        problem.errors.push_back({PartnerField(violation.subject + ".unit_price_minor"),
                                  absl::StrCat("the current price is ", price, " ", parts[1])});
        problem.current_prices.push_back({PartnerField(violation.subject), price, parts[1]});
      }
      if (!problem.current_prices.empty()) return problem;
      return MakeProblem(409, "conflict", "The order cannot change that way now",
                         "it may have shipped already");
    }
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
      return MakeProblem(503, "unavailable", "Orders cannot be taken right now; retry shortly", "",
                         absl::Seconds(2));
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return MakeProblem(429, "rate-limited", "Too many requests", "", absl::Seconds(1));
    default:
      return MakeProblem(500, "internal", "Something went wrong on our side");
  }
}

}  // namespace shop::gateway

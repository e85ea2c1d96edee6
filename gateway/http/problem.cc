#include "gateway/http/problem.h"

#include "common/grpc/status.h"
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
    case grpc::StatusCode::FAILED_PRECONDITION:
      return MakeProblem(409, "conflict", "The order cannot change that way now",
                         "it may have shipped already");
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

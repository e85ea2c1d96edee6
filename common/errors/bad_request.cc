#include "common/errors/bad_request.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proto/google/rpc/error_details.pb.h"

namespace shop::errors {

absl::Status InvalidArgument(const std::vector<FieldViolation>& violations) {
  google::rpc::BadRequest bad_request;
  std::vector<std::string> parts;
  for (const FieldViolation& violation : violations) {
    auto* added = bad_request.add_field_violations();
    added->set_field(violation.field);
    added->set_description(violation.description);
    parts.push_back(absl::StrCat(violation.field, ": ", violation.description));
  }
  absl::Status status = absl::InvalidArgumentError(absl::StrJoin(parts, "; "));
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

std::vector<FieldViolation> ParseBadRequest(const std::string& serialized) {
  google::rpc::BadRequest bad_request;
  std::vector<FieldViolation> violations;
  if (!bad_request.ParseFromString(serialized)) return violations;
  for (const auto& violation : bad_request.field_violations()) {
    violations.push_back({violation.field(), violation.description()});
  }
  return violations;
}

std::vector<FieldViolation> ViolationsOf(const absl::Status& status) {
  auto payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return {};
  return ParseBadRequest(std::string(*payload));
}

absl::Status FailedPrecondition(const std::string& message,
                                const std::vector<PreconditionViolation>& violations) {
  google::rpc::PreconditionFailure failure;
  for (const PreconditionViolation& violation : violations) {
    auto* added = failure.add_violations();
    added->set_type(violation.type);
    added->set_subject(violation.subject);
    added->set_description(violation.description);
  }
  absl::Status status = absl::FailedPreconditionError(message);
  status.SetPayload(kPreconditionFailureTypeUrl, absl::Cord(failure.SerializeAsString()));
  return status;
}

std::vector<PreconditionViolation> ParsePreconditionFailure(const std::string& serialized) {
  google::rpc::PreconditionFailure failure;
  std::vector<PreconditionViolation> violations;
  if (!failure.ParseFromString(serialized)) return violations;
  for (const auto& violation : failure.violations()) {
    violations.push_back({violation.type(), violation.subject(), violation.description()});
  }
  return violations;
}

std::vector<PreconditionViolation> PreconditionViolationsOf(const absl::Status& status) {
  auto payload = status.GetPayload(kPreconditionFailureTypeUrl);
  if (!payload.has_value()) return {};
  return ParsePreconditionFailure(std::string(*payload));
}

}  // namespace shop::errors

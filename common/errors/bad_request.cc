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

}  // namespace shop::errors

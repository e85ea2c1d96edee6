#include "common/grpc/status.h"

#include "absl/strings/match.h"
#include "proto/google/rpc/status.pb.h"

namespace shop::grpc_util {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);
  // Every google.rpc detail the status carries (BadRequest, PreconditionFailure).
  status.ForEachPayload([&details](absl::string_view type_url, const absl::Cord& payload) {
    if (!absl::StartsWith(type_url, "type.googleapis.com/google.rpc.")) return;
    auto* any = details.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(payload));
  });
  if (details.details_size() == 0) return grpc::Status(code, message);
  return grpc::Status(code, message, details.SerializeAsString());
}

std::vector<errors::PreconditionViolation> PreconditionViolationsOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) return {};
  for (const auto& any : details.details()) {
    if (any.type_url() == errors::kPreconditionFailureTypeUrl) {
      return errors::ParsePreconditionFailure(any.value());
    }
  }
  return {};
}

std::vector<errors::FieldViolation> ViolationsOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) return {};
  for (const auto& any : details.details()) {
    if (any.type_url() == errors::kBadRequestTypeUrl) return errors::ParseBadRequest(any.value());
  }
  return {};
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace shop::grpc_util

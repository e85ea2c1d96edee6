#include "common/grpc/status.h"

#include "proto/google/rpc/status.pb.h"

namespace shop::grpc_util {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  auto payload = status.GetPayload(errors::kBadRequestTypeUrl);
  if (!payload.has_value()) return grpc::Status(code, message);
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);
  auto* any = details.add_details();
  any->set_type_url(errors::kBadRequestTypeUrl);
  any->set_value(std::string(*payload));
  return grpc::Status(code, message, details.SerializeAsString());
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

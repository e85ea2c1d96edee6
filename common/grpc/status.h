// absl::Status <-> grpc::Status. Only the transport layer converts; domain
// and storage code return absl::Status.
//
// Field violations travel as a google.rpc.BadRequest in the status details
// (the standard gRPC rich error model), so clients can name the bad field.
#ifndef SHOP_COMMON_GRPC_STATUS_H_
#define SHOP_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "proto/google/rpc/error_details.pb.h"

namespace shop::grpc_util {

struct FieldViolation {
  std::string field;
  std::string description;
};

// INVALID_ARGUMENT naming every violation in its message and carrying them
// as a google.rpc.BadRequest payload.
absl::Status InvalidArgument(const std::vector<FieldViolation>& violations);

// The BadRequest carried by `status`, if any.
std::vector<FieldViolation> ViolationsOf(const absl::Status& status);

grpc::Status ToGrpcStatus(const absl::Status& status);

// The BadRequest in a grpc::Status's details, if any (for clients and tests).
std::vector<FieldViolation> ViolationsOf(const grpc::Status& status);

absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace shop::grpc_util

#endif  // SHOP_COMMON_GRPC_STATUS_H_

// absl::Status <-> grpc::Status. Only the transport layer converts; domain
// and storage code return absl::Status. Field violations
// (common/errors/bad_request.h) travel as a google.rpc.BadRequest in the
// status details, the standard gRPC rich error model.
#ifndef SHOP_COMMON_GRPC_STATUS_H_
#define SHOP_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <vector>

#include "absl/status/status.h"
#include "common/errors/bad_request.h"

namespace shop::grpc_util {

grpc::Status ToGrpcStatus(const absl::Status& status);

// The BadRequest in a grpc::Status's details, if any (for clients and tests).
std::vector<errors::FieldViolation> ViolationsOf(const grpc::Status& status);

// The PreconditionFailure in a grpc::Status's details, if any.
std::vector<errors::PreconditionViolation> PreconditionViolationsOf(const grpc::Status& status);

absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace shop::grpc_util

#endif  // SHOP_COMMON_GRPC_STATUS_H_

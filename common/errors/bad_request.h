// Field-level validation errors as an absl::Status: INVALID_ARGUMENT whose
// message names every bad field, carrying a google.rpc.BadRequest payload
// that the transport turns into gRPC status details.
#ifndef SHOP_COMMON_ERRORS_BAD_REQUEST_H_
#define SHOP_COMMON_ERRORS_BAD_REQUEST_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace shop::errors {

inline constexpr char kBadRequestTypeUrl[] = "type.googleapis.com/google.rpc.BadRequest";

struct FieldViolation {
  std::string field;  // path, e.g. "lines[2].quantity"
  std::string description;
};

absl::Status InvalidArgument(const std::vector<FieldViolation>& violations);

// The violations carried by `status`, if any.
std::vector<FieldViolation> ViolationsOf(const absl::Status& status);

// The violations in a serialized google.rpc.BadRequest (none if it does not parse).
std::vector<FieldViolation> ParseBadRequest(const std::string& serialized);

}  // namespace shop::errors

#endif  // SHOP_COMMON_ERRORS_BAD_REQUEST_H_

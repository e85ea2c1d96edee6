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
inline constexpr char kPreconditionFailureTypeUrl[] =
    "type.googleapis.com/google.rpc.PreconditionFailure";

struct FieldViolation {
  std::string field;  // path, e.g. "lines[2].quantity"
  std::string description;
};

absl::Status InvalidArgument(const std::vector<FieldViolation>& violations);

// The violations carried by `status`, if any.
std::vector<FieldViolation> ViolationsOf(const absl::Status& status);

// The violations in a serialized google.rpc.BadRequest (none if it does not parse).
std::vector<FieldViolation> ParseBadRequest(const std::string& serialized);

// A failed precondition, e.g. {"PRICE_CHANGED", "lines[0]", "450 EUR"}.
struct PreconditionViolation {
  std::string type;
  std::string subject;
  std::string description;
};

// FAILED_PRECONDITION with `message`, carrying a google.rpc.PreconditionFailure.
absl::Status FailedPrecondition(const std::string& message,
                                const std::vector<PreconditionViolation>& violations);

std::vector<PreconditionViolation> PreconditionViolationsOf(const absl::Status& status);
std::vector<PreconditionViolation> ParsePreconditionFailure(const std::string& serialized);

}  // namespace shop::errors

#endif  // SHOP_COMMON_ERRORS_BAD_REQUEST_H_

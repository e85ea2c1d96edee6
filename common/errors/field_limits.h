// Bounds on request fields, reported as field violations that name the
// field, e.g. {"shipping_address.lines[0]", "must be at most 200 bytes"}.
// Every string and repeated field of every gRPC request has one; the limits
// themselves live beside each service's validation and in its proto comments.
#ifndef SHOP_COMMON_ERRORS_FIELD_LIMITS_H_
#define SHOP_COMMON_ERRORS_FIELD_LIMITS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "common/errors/bad_request.h"

namespace shop::errors {

// Ids (order, customer, product, idempotency key): at most this many bytes.
inline constexpr size_t kMaxIdBytes = 128;

// A required string of at most `max` bytes.
void RequireText(const std::string& value, const std::string& field, size_t max,
                 std::vector<FieldViolation>& violations);

// An optional string of at most `max` bytes.
void LimitText(const std::string& value, const std::string& field, size_t max,
               std::vector<FieldViolation>& violations);

// A repeated field of at most `max` entries.
void LimitCount(int count, const std::string& field, int max,
                std::vector<FieldViolation>& violations);

// A required id: RequireText with kMaxIdBytes.
inline void RequireId(const std::string& value, const std::string& field,
                      std::vector<FieldViolation>& violations) {
  RequireText(value, field, kMaxIdBytes, violations);
}

// INVALID_ARGUMENT naming `field` when the id is empty or too long.
absl::Status CheckId(const std::string& value, const std::string& field);

}  // namespace shop::errors

#endif  // SHOP_COMMON_ERRORS_FIELD_LIMITS_H_

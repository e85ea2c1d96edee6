#include "common/errors/field_limits.h"

#include "absl/strings/str_cat.h"

namespace shop::errors {

void RequireText(const std::string& value, const std::string& field, size_t max,
                 std::vector<FieldViolation>& violations) {
  if (value.empty()) {
    violations.push_back({field, "is required"});
    return;
  }
  LimitText(value, field, max, violations);
}

void LimitText(const std::string& value, const std::string& field, size_t max,
               std::vector<FieldViolation>& violations) {
  if (value.size() > max) {
    violations.push_back(
        {field, absl::StrCat("must be at most ", max, " bytes (is ", value.size(), ")")});
  }
}

void LimitCount(int count, const std::string& field, int max,
                std::vector<FieldViolation>& violations) {
  if (count > max) {
    violations.push_back(
        {field, absl::StrCat("must have at most ", max, " entries (has ", count, ")")});
  }
}

absl::Status CheckId(const std::string& value, const std::string& field) {
  std::vector<FieldViolation> violations;
  RequireId(value, field, violations);
  return violations.empty() ? absl::OkStatus() : InvalidArgument(violations);
}

}  // namespace shop::errors

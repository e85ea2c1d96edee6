#include "common/money/decimal.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/money/currency.h"

namespace shop::money {

absl::StatusOr<int64_t> DecimalToMinor(absl::string_view text, int digits) {
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const absl::string_view fraction =
      dot == absl::string_view::npos ? absl::string_view() : text.substr(dot + 1);
  auto all_digits = [](absl::string_view part) {
    for (char c : part) {
      if (!absl::ascii_isdigit(c)) return false;
    }
    return true;
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction) ||
      (dot != absl::string_view::npos && fraction.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a decimal amount like 12.34"));
  }
  if (static_cast<int>(fraction.size()) > digits) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' has more than ", digits, " decimals; it is not rounded"));
  }
  int64_t value = 0;
  auto append = [&value](char c) -> bool {
    auto times_ten = CheckedMultiply(value, 10);
    if (!times_ten.has_value()) return false;
    auto sum = CheckedAdd(*times_ten, c - '0');
    if (!sum.has_value()) return false;
    value = *sum;
    return true;
  };
  bool fits = true;
  for (char c : whole) fits = fits && append(c);
  for (char c : fraction) fits = fits && append(c);
  for (int i = static_cast<int>(fraction.size()); i < digits; ++i) fits = fits && append('0');
  if (!fits) return absl::OutOfRangeError(absl::StrCat("'", text, "' is too large"));
  return value;
}

std::string MinorToDecimal(int64_t minor, int digits) {
  const bool negative = minor < 0;
  const uint64_t magnitude = negative ? -static_cast<uint64_t>(minor) : minor;
  std::string text = std::to_string(magnitude);
  if (digits > 0) {
    if (static_cast<int>(text.size()) <= digits) {
      text.insert(0, digits + 1 - text.size(), '0');
    }
    text.insert(text.size() - digits, ".");
  }
  return negative ? "-" + text : text;
}

}  // namespace shop::money

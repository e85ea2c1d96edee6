// Exact conversion between decimal amount strings ("4.50") and
// integer minor units, by the currency's number of decimals. Nothing is
// ever rounded: more decimals than the currency has is an error.
#ifndef SHOP_COMMON_MONEY_DECIMAL_H_
#define SHOP_COMMON_MONEY_DECIMAL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace shop::money {

// "4.5" with 2 digits -> 450; "4.505" -> INVALID_ARGUMENT; "-1", "1e3",
// " 4", "" -> INVALID_ARGUMENT; values beyond int64 -> OUT_OF_RANGE.
absl::StatusOr<int64_t> DecimalToMinor(absl::string_view text, int digits);

// 450 with 2 digits -> "4.50"; -1299 -> "-12.99"; 7 with 0 digits -> "7".
std::string MinorToDecimal(int64_t minor, int digits);

}  // namespace shop::money

#endif  // SHOP_COMMON_MONEY_DECIMAL_H_

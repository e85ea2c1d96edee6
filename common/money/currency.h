// ISO 4217 currencies the shop accepts, with their minor-unit digits
// (EUR 2: cents; JPY 0; BHD 3), and overflow-checked money arithmetic.
#ifndef SHOP_COMMON_MONEY_CURRENCY_H_
#define SHOP_COMMON_MONEY_CURRENCY_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace shop::money {

// Digits after the decimal point, or nullopt for an unknown code.
std::optional<int> MinorUnitDigits(absl::string_view currency_code);

inline bool IsKnownCurrency(absl::string_view currency_code) {
  return MinorUnitDigits(currency_code).has_value();
}

// a * b and a + b, or nullopt when the result does not fit in int64.
std::optional<int64_t> CheckedMultiply(int64_t a, int64_t b);
std::optional<int64_t> CheckedAdd(int64_t a, int64_t b);

}  // namespace shop::money

#endif  // SHOP_COMMON_MONEY_CURRENCY_H_

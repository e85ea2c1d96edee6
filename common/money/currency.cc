#include "common/money/currency.h"

#include "absl/container/flat_hash_map.h"

namespace shop::money {

std::optional<int> MinorUnitDigits(absl::string_view currency_code) {
  static const auto* digits = new absl::flat_hash_map<absl::string_view, int>({
      {"AED", 2}, {"AUD", 2}, {"BGN", 2}, {"BHD", 3}, {"BRL", 2}, {"CAD", 2}, {"CHF", 2},
      {"CLP", 0}, {"CNY", 2}, {"CZK", 2}, {"DKK", 2}, {"EUR", 2}, {"GBP", 2}, {"HKD", 2},
      {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"ISK", 0}, {"JOD", 3}, {"JPY", 0},
      {"KRW", 0}, {"KWD", 3}, {"MXN", 2}, {"MYR", 2}, {"NOK", 2}, {"NZD", 2}, {"OMR", 3},
      {"PHP", 2}, {"PLN", 2}, {"RON", 2}, {"SAR", 2}, {"SEK", 2}, {"SGD", 2}, {"THB", 2},
      {"TND", 3}, {"TRY", 2}, {"TWD", 2}, {"UAH", 2}, {"USD", 2}, {"VND", 0}, {"ZAR", 2},
  });
  auto it = digits->find(currency_code);
  if (it == digits->end()) return std::nullopt;
  return it->second;
}

std::optional<int64_t> CheckedMultiply(int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_mul_overflow(a, b, &result)) return std::nullopt;
  return result;
}

std::optional<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) return std::nullopt;
  return result;
}

}  // namespace shop::money

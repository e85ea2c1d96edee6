// libFuzzer target for the partner JSON decoding and translation. Besides
// "never crash", it checks that accepted prices round-trip exactly.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/money/decimal.h"
#include "gateway/partner/translation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto decoded = shop::gateway::DecodeOrderJson(body);
  if (decoded.ok()) {
    auto place = shop::gateway::ToPlaceOrder(*decoded, "fuzz", {{"A", "a"}, {"B", "b"}});
    if (place.ok()) {
      for (const auto& line : place->lines()) {
        if (line.unit_price_minor() < 0 || line.quantity() <= 0) __builtin_trap();
      }
    }
  }
  for (int digits = 0; digits <= 3; ++digits) {
    auto minor = shop::money::DecimalToMinor(body, digits);
    if (minor.ok()) {
      auto again = shop::money::DecimalToMinor(shop::money::MinorToDecimal(*minor, digits), digits);
      if (!again.ok() || *again != *minor) __builtin_trap();
    }
  }
  return 0;
}

#include "common/money/currency.h"

#include <limits>

#include "gtest/gtest.h"

namespace shop::money {
namespace {

TEST(CurrencyTest, KnowsMinorUnitsOfCommonCurrencies) {
  EXPECT_EQ(MinorUnitDigits("EUR"), 2);
  EXPECT_EQ(MinorUnitDigits("JPY"), 0);
  EXPECT_EQ(MinorUnitDigits("BHD"), 3);
  EXPECT_FALSE(MinorUnitDigits("XXX").has_value());
  EXPECT_FALSE(MinorUnitDigits("eur").has_value());
  EXPECT_FALSE(IsKnownCurrency(""));
}

TEST(CurrencyTest, ArithmeticRefusesToOverflow) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(CheckedMultiply(3, 4), 12);
  EXPECT_FALSE(CheckedMultiply(kMax, 2).has_value());
  EXPECT_EQ(CheckedAdd(kMax - 1, 1), kMax);
  EXPECT_FALSE(CheckedAdd(kMax, 1).has_value());
}

}  // namespace
}  // namespace shop::money

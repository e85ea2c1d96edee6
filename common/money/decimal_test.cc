#include "common/money/decimal.h"

#include "gtest/gtest.h"

namespace shop::money {
namespace {

TEST(DecimalTest, ConvertsExactlyByTheCurrencysDecimals) {
  EXPECT_EQ(*DecimalToMinor("4.5", 2), 450);
  EXPECT_EQ(*DecimalToMinor("4.50", 2), 450);
  EXPECT_EQ(*DecimalToMinor("12", 2), 1200);
  EXPECT_EQ(*DecimalToMinor("0.01", 2), 1);
  EXPECT_EQ(*DecimalToMinor("1500", 0), 1500);
  EXPECT_EQ(*DecimalToMinor("1.234", 3), 1234);
  EXPECT_EQ(*DecimalToMinor("92233720368547758.07", 2), 9223372036854775807);
}

TEST(DecimalTest, RejectsWhatItCannotTakeExactly) {
  EXPECT_EQ(DecimalToMinor("4.505", 2).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecimalToMinor("1.5", 0).status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* bad : {"", "-1", "1e3", " 4", "4.", ".5", "4,50", "abc", "+4"}) {
    EXPECT_EQ(DecimalToMinor(bad, 2).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(DecimalToMinor("92233720368547758.08", 2).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(DecimalTest, FormatsMinorUnitsBack) {
  EXPECT_EQ(MinorToDecimal(450, 2), "4.50");
  EXPECT_EQ(MinorToDecimal(5, 2), "0.05");
  EXPECT_EQ(MinorToDecimal(-1299, 2), "-12.99");
  EXPECT_EQ(MinorToDecimal(7, 0), "7");
  EXPECT_EQ(MinorToDecimal(1234, 3), "1.234");
}

}  // namespace
}  // namespace shop::money

#include "order/domain/pricing.h"

#include "common/errors/bad_request.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shop::order::domain {
namespace {

using shop::order::v1::PlaceOrderRequest;

Catalog TeaAndMug() {
  return {{"tea", {"tea", 450, "EUR", false}},
          {"mug", {"mug", 1299, "EUR", false}},
          {"old", {"old", 100, "EUR", true}},
          {"usd", {"usd", 100, "USD", false}}};
}

PlaceOrderRequest Lines(std::vector<std::pair<std::string, int64_t>> lines) {
  PlaceOrderRequest request;
  request.set_currency_code("EUR");
  for (const auto& [product, price] : lines) {
    auto* line = request.add_lines();
    line->set_product_id(product);
    line->set_quantity(2);
    line->set_unit_price_minor(price);
  }
  return request;
}

TEST(PricingTest, LinesWithoutAnExpectedPriceGetTheCatalogsAndMatchingOnesPass) {
  auto priced = PriceFromCatalog(Lines({{"tea", 0}, {"mug", 1299}}), TeaAndMug());
  ASSERT_TRUE(priced.ok()) << priced.status();
  EXPECT_EQ(priced->lines(0).unit_price_minor(), 450);
  EXPECT_EQ(priced->lines(1).unit_price_minor(), 1299);
}

TEST(PricingTest, AStaleOrMadeUpPriceIsRefusedWithTheCurrentPriceOfEachLine) {
  auto priced = PriceFromCatalog(Lines({{"tea", 1}, {"mug", 1299}, {"tea", 400}}), TeaAndMug());
  EXPECT_EQ(priced.status().code(), absl::StatusCode::kFailedPrecondition);
  const auto violations = errors::PreconditionViolationsOf(priced.status());
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].type, kPriceChanged);
  EXPECT_EQ(violations[0].subject, "lines[0]");
  EXPECT_EQ(violations[0].description, "450 EUR");
  EXPECT_EQ(violations[1].subject, "lines[2]");
  EXPECT_THAT(std::string(priced.status().message()), ::testing::HasSubstr("450 EUR"));
}

TEST(PricingTest, UnknownDiscontinuedAndForeignCurrencyProductsAreInvalidArguments) {
  auto priced = PriceFromCatalog(Lines({{"nope", 0}, {"old", 0}, {"usd", 0}}), TeaAndMug());
  EXPECT_EQ(priced.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& v : errors::ViolationsOf(priced.status())) fields.push_back(v.field);
  EXPECT_THAT(fields, ::testing::ElementsAre("lines[0].product_id", "lines[1].product_id",
                                             "currency_code"));
}

}  // namespace
}  // namespace shop::order::domain

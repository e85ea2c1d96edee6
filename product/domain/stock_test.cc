#include "product/domain/stock.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shop::product::domain {
namespace {

google::protobuf::RepeatedPtrField<shop::order::v1::OrderLine> Lines(
    std::vector<std::pair<std::string, int64_t>> items) {
  google::protobuf::RepeatedPtrField<shop::order::v1::OrderLine> lines;
  for (const auto& [product, quantity] : items) {
    auto* line = lines.Add();
    line->set_product_id(product);
    line->set_quantity(quantity);
  }
  return lines;
}

TEST(StockTest, QuantitiesOfOneProductOnSeveralLinesAddUp) {
  const auto requested = RequestedQuantities(Lines({{"b", 1}, {"a", 2}, {"b", 3}}));
  EXPECT_EQ(requested, (std::map<std::string, int64_t>{{"a", 2}, {"b", 4}}));
}

TEST(StockTest, EnoughStockForEveryLineMeansNoShortfall) {
  EXPECT_TRUE(Shortfalls({{"a", 2}, {"b", 4}}, {{"a", 2}, {"b", 10}}).empty());
}

TEST(StockTest, EveryLineThatFallsShortIsReported) {
  const auto shortfalls = Shortfalls({{"a", 3}, {"b", 1}, {"c", 1}}, {{"a", 2}, {"b", 5}});
  ASSERT_EQ(shortfalls.size(), 2u);
  EXPECT_EQ(shortfalls[0].product_id(), "a");
  EXPECT_EQ(shortfalls[0].requested(), 3);
  EXPECT_EQ(shortfalls[0].available(), 2);
  EXPECT_FALSE(shortfalls[0].unknown_product());
  EXPECT_EQ(shortfalls[1].product_id(), "c");
  EXPECT_TRUE(shortfalls[1].unknown_product());
}

TEST(StockTest, CreateRequestIsValidated) {
  shop::product::v1::CreateProductRequest request;
  std::vector<std::string> fields;
  for (const auto& violation : ValidateCreate(request)) fields.push_back(violation.field);
  EXPECT_THAT(fields, ::testing::ElementsAre("sku", "name", "price"));
  request.set_sku("S");
  request.set_name("N");
  request.mutable_price()->set_minor_units(0);
  request.mutable_price()->set_currency_code("ZZZ");
  request.set_initial_stock(-1);
  fields.clear();
  for (const auto& violation : ValidateCreate(request)) fields.push_back(violation.field);
  EXPECT_THAT(fields,
              ::testing::ElementsAre("price.minor_units", "price.currency_code", "initial_stock"));
}

}  // namespace
}  // namespace shop::product::domain

namespace shop::product::domain {
namespace {

TEST(UpdateProductTest, OnlyTheFieldsSetChangeAndAnEqualValueIsNoChange) {
  shop::product::v1::Product product;
  product.set_product_id("tea");
  product.set_name("Tea");
  product.mutable_price()->set_minor_units(450);
  product.mutable_price()->set_currency_code("EUR");
  shop::product::v1::UpdateProductRequest request;
  request.set_product_id("tea");
  request.mutable_price()->set_minor_units(500);
  request.mutable_price()->set_currency_code("EUR");
  CatalogUpdate update = ApplyUpdate(product, request);
  EXPECT_TRUE(update.changed);
  EXPECT_EQ(update.product.price().minor_units(), 500);
  EXPECT_EQ(update.product.name(), "Tea");
  EXPECT_FALSE(update.product.discontinued());

  request.mutable_price()->set_minor_units(450);
  EXPECT_FALSE(ApplyUpdate(product, request).changed);
  request.set_discontinued(true);
  EXPECT_TRUE(ApplyUpdate(product, request).product.discontinued());
}

TEST(UpdateProductTest, BadUpdatesNameTheirField) {
  shop::product::v1::UpdateProductRequest request;
  std::vector<std::string> fields;
  for (const auto& v : ValidateUpdate(request)) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"product_id", "name"}));
  request.set_product_id("tea");
  request.set_name("");
  request.mutable_price()->set_minor_units(-1);
  request.mutable_price()->set_currency_code("XXY");
  fields.clear();
  for (const auto& v : ValidateUpdate(request)) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"name", "price.minor_units", "price.currency_code"}));
}

}  // namespace
}  // namespace shop::product::domain

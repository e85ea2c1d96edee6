#include "order/domain/new_order.h"

#include <functional>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shop::order::domain {
namespace {

using shop::order::v1::PlaceOrderRequest;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::UnorderedElementsAre;

PlaceOrderRequest Valid() {
  PlaceOrderRequest request;
  request.set_customer_id("cust-1");
  request.set_idempotency_key("key-1");
  request.set_currency_code("EUR");
  auto* address = request.mutable_shipping_address();
  address->set_recipient("Ada");
  address->add_lines("1 Main St");
  address->set_city("Berlin");
  address->set_country_code("DE");
  auto* line = request.add_lines();
  line->set_product_id("p-1");
  line->set_quantity(2);
  line->set_unit_price_minor(450);
  line = request.add_lines();
  line->set_product_id("p-2");
  line->set_quantity(1);
  line->set_unit_price_minor(1299);
  return request;
}

std::vector<std::string> BadFields(const PlaceOrderRequest& request) {
  std::vector<std::string> fields;
  for (const auto& violation : Validate(request)) fields.push_back(violation.field);
  return fields;
}

TEST(NewOrderTest, ValidRequestBecomesAPendingOrderWithAnExactTotal) {
  auto order = NewOrder(Valid(), "o-1", absl::FromUnixSeconds(100));
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ(order->status(), shop::order::v1::ORDER_STATUS_PENDING);
  EXPECT_EQ(order->total().minor_units(), 2 * 450 + 1299);
  EXPECT_EQ(order->total().currency_code(), "EUR");
  EXPECT_EQ(order->lines_size(), 2);
  EXPECT_EQ(order->create_time().seconds(), 100);
  EXPECT_EQ(order->idempotency_key(), "key-1");
}

TEST(NewOrderTest, EachRuleNamesItsField) {
  PlaceOrderRequest request = Valid();
  request.clear_customer_id();
  EXPECT_THAT(BadFields(request), ElementsAre("customer_id"));

  request = Valid();
  request.clear_idempotency_key();
  EXPECT_THAT(BadFields(request), ElementsAre("idempotency_key"));

  request = Valid();
  request.set_currency_code("XYZ");
  EXPECT_THAT(BadFields(request), ElementsAre("currency_code"));

  request = Valid();
  request.clear_lines();
  EXPECT_THAT(BadFields(request), ElementsAre("lines"));

  request = Valid();
  for (int i = 0; i < 99; ++i) *request.add_lines() = request.lines(0);
  EXPECT_THAT(BadFields(request), ElementsAre("lines"));  // 101 lines

  request = Valid();
  request.mutable_lines(1)->set_quantity(0);
  EXPECT_THAT(BadFields(request), ElementsAre("lines[1].quantity"));

  request = Valid();
  request.mutable_lines(0)->set_quantity(-3);
  EXPECT_THAT(BadFields(request), ElementsAre("lines[0].quantity"));

  request = Valid();
  request.mutable_lines(0)->set_unit_price_minor(-1);
  EXPECT_THAT(BadFields(request), ElementsAre("lines[0].unit_price_minor"));

  request = Valid();
  request.mutable_lines(1)->clear_product_id();
  EXPECT_THAT(BadFields(request), ElementsAre("lines[1].product_id"));

  request = Valid();
  request.clear_shipping_address();
  EXPECT_THAT(BadFields(request), ElementsAre("shipping_address"));

  request = Valid();
  request.mutable_shipping_address()->set_country_code("Germany");
  EXPECT_THAT(BadFields(request), ElementsAre("shipping_address.country_code"));
}

TEST(NewOrderTest, ACouponCodeIsCarriedAndWaitedForAndABadOneIsNamed) {
  PlaceOrderRequest request = Valid();
  request.set_coupon_code("7K3QX9M2PD4RT8VW");
  auto order = NewOrder(request, "o-1", absl::FromUnixSeconds(1));
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->coupon().coupon_code(), "7K3QX9M2PD4RT8VW");
  EXPECT_EQ(order->coupon().state(), shop::order::v1::COUPON_REDEMPTION_STATE_REQUESTED);
  EXPECT_EQ(order->subtotal().minor_units(), order->total().minor_units());
  for (const char* bad : {"A B", "<script>", "X'--", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"}) {
    request.set_coupon_code(bad);
    EXPECT_THAT(BadFields(request), ElementsAre("coupon_code")) << bad;
  }
  request.set_coupon_code("");
  EXPECT_FALSE(NewOrder(request, "o-1", absl::FromUnixSeconds(1))->has_coupon());
}

TEST(NewOrderTest, HundredLinesAreAllowed) {
  PlaceOrderRequest request = Valid();
  for (int i = 0; i < 98; ++i) *request.add_lines() = request.lines(0);
  EXPECT_TRUE(Validate(request).empty());
}

TEST(NewOrderTest, TotalsThatDoNotFitInInt64AreRejected) {
  PlaceOrderRequest request = Valid();
  request.mutable_lines(0)->set_quantity(1000);
  request.mutable_lines(0)->set_unit_price_minor(std::numeric_limits<int64_t>::max() / 2);
  EXPECT_THAT(BadFields(request), ElementsAre("lines[0]"));

  request = Valid();
  request.mutable_lines(0)->set_quantity(1);
  request.mutable_lines(0)->set_unit_price_minor(std::numeric_limits<int64_t>::max());
  request.mutable_lines(1)->set_unit_price_minor(1);
  EXPECT_THAT(BadFields(request), ElementsAre("lines"));
}

TEST(NewOrderTest, EveryBoundNamesItsFieldOneByteOver) {
  auto over = [](size_t bytes) { return std::string(bytes + 1, 'x'); };
  struct Case {
    std::function<void(PlaceOrderRequest&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[&](auto& r) { r.set_customer_id(over(errors::kMaxIdBytes)); }, "customer_id"},
      {[&](auto& r) { r.set_idempotency_key(over(errors::kMaxIdBytes)); }, "idempotency_key"},
      {[&](auto& r) { r.mutable_shipping_address()->set_recipient(over(kMaxRecipientBytes)); },
       "shipping_address.recipient"},
      {[&](auto& r) { r.mutable_shipping_address()->set_lines(0, over(kMaxAddressLineBytes)); },
       "shipping_address.lines[0]"},
      {[&](auto& r) { r.mutable_shipping_address()->set_lines(0, std::string(1500000, 'x')); },
       "shipping_address.lines[0]"},
      {[&](auto& r) {
         for (int i = 0; i < kMaxAddressLines; ++i) r.mutable_shipping_address()->add_lines("l");
       },
       "shipping_address.lines"},
      {[&](auto& r) { r.mutable_shipping_address()->set_city(over(kMaxCityBytes)); },
       "shipping_address.city"},
      {[&](auto& r) { r.mutable_shipping_address()->set_postal_code(over(kMaxPostalCodeBytes)); },
       "shipping_address.postal_code"},
      {[&](auto& r) { r.mutable_lines(0)->set_product_id(over(errors::kMaxIdBytes)); },
       "lines[0].product_id"},
      {[&](auto& r) { r.mutable_lines(0)->set_quantity(kMaxQuantity + 1); }, "lines[0].quantity"},
      {[&](auto& r) {
         while (r.lines_size() <= kMaxLines) *r.add_lines() = r.lines(0);
       },
       "lines"},
  };
  for (const Case& c : cases) {
    PlaceOrderRequest request = Valid();
    c.edit(request);
    EXPECT_THAT(BadFields(request), ElementsAre(c.field)) << c.field;
  }
}

TEST(NewOrderTest, EveryViolationIsReportedAtOnce) {
  PlaceOrderRequest request;
  request.add_lines()->set_unit_price_minor(-5);
  auto order = NewOrder(request, "o", absl::Now());
  EXPECT_EQ(order.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(errors::ViolationsOf(order.status()),
              ::testing::IsSupersetOf(
                  {Field(&errors::FieldViolation::field, "customer_id"),
                   Field(&errors::FieldViolation::field, "idempotency_key"),
                   Field(&errors::FieldViolation::field, "currency_code"),
                   Field(&errors::FieldViolation::field, "shipping_address"),
                   Field(&errors::FieldViolation::field, "lines[0].product_id"),
                   Field(&errors::FieldViolation::field, "lines[0].quantity"),
                   Field(&errors::FieldViolation::field, "lines[0].unit_price_minor")}));
}

TEST(NewOrderTest, FingerprintDiffersForDifferentRequestsOnly) {
  PlaceOrderRequest a = Valid();
  PlaceOrderRequest b = Valid();
  EXPECT_EQ(RequestFingerprint(a), RequestFingerprint(b));
  b.mutable_lines(0)->set_quantity(3);
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(b));
  EXPECT_EQ(RequestFingerprint(a).size(), 64u);
}

}  // namespace
}  // namespace shop::order::domain

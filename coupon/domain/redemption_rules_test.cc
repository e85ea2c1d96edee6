#include "coupon/domain/redemption_rules.h"

#include <limits>

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "proto/shop/coupon/v1/events.pb.h"

namespace shop::coupon::domain {
namespace {

using google::protobuf::util::TimeUtil;
using shop::coupon::v1::RedemptionRejection;

const absl::Time kNow = absl::FromUnixSeconds(1'795'300'100);

Coupon Percent(int percent) {
  Coupon coupon;
  coupon.set_coupon_code("CODE1");
  coupon.set_campaign_id("spring");
  coupon.set_customer_id("ada");
  coupon.set_state(shop::coupon::v1::COUPON_STATE_AVAILABLE);
  coupon.mutable_discount()->set_percent_off(percent);
  *coupon.mutable_valid_from() = TimeUtil::SecondsToTimestamp(1'795'000'000);
  *coupon.mutable_valid_until() = TimeUtil::SecondsToTimestamp(1'796'000'000);
  return coupon;
}

Coupon Amount(int64_t minor, const std::string& currency) {
  Coupon coupon = Percent(0);
  coupon.mutable_discount()->mutable_amount_off()->set_minor_units(minor);
  coupon.mutable_discount()->mutable_amount_off()->set_currency_code(currency);
  return coupon;
}

shop::order::v1::OrderPlaced Order(const std::string& order_id, int64_t total = 1999,
                                   const std::string& customer = "ada",
                                   int64_t placed_seconds = 1'795'300'000) {
  shop::order::v1::OrderPlaced order;
  order.set_order_id(order_id);
  order.set_customer_id(customer);
  order.set_currency_code("EUR");
  order.mutable_total()->set_minor_units(total);
  order.mutable_total()->set_currency_code("EUR");
  order.set_coupon_code("CODE1");
  *order.mutable_place_time() = TimeUtil::SecondsToTimestamp(placed_seconds);
  return order;
}

RedemptionRejection Refusal(const CouponChange& change) {
  EXPECT_FALSE(change.update.has_value());
  auto* rejected =
      dynamic_cast<const shop::coupon::v1::CouponRedemptionRejected*>(change.event.get());
  if (rejected == nullptr) return RedemptionRejection::REDEMPTION_REJECTION_UNSPECIFIED;
  EXPECT_EQ(rejected->coupon_code(), "CODE1");
  EXPECT_FALSE(rejected->detail().empty());
  return rejected->reason();
}

TEST(RedemptionRulesTest, RedeemsForTheOrderWithItsDiscountRoundedDown) {
  CouponChange change = Redeem(Percent(10), Order("o1", 1999), kNow);
  ASSERT_TRUE(change.update.has_value());
  EXPECT_EQ(change.update->state(), shop::coupon::v1::COUPON_STATE_REDEEMED);
  EXPECT_EQ(change.update->order_id(), "o1");
  auto* redeemed = dynamic_cast<const shop::coupon::v1::CouponRedeemed*>(change.event.get());
  ASSERT_NE(redeemed, nullptr);
  EXPECT_EQ(redeemed->discount().minor_units(), 199);  // 199.9 rounded down
  EXPECT_EQ(redeemed->discount().currency_code(), "EUR");
}

TEST(RedemptionRulesTest, AFixedAmountTakesOffAtMostTheTotal) {
  shop::coupon::v1::Discount discount = Amount(5000, "EUR").discount();
  shop::common::v1::Money total;
  total.set_minor_units(1999);
  total.set_currency_code("EUR");
  EXPECT_EQ(DiscountOf(discount, total).minor_units(), 1999);
  total.set_minor_units(9000);
  EXPECT_EQ(DiscountOf(discount, total).minor_units(), 5000);
  total.set_minor_units(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(DiscountOf(Percent(100).discount(), total).minor_units(),
            std::numeric_limits<int64_t>::max());
}

TEST(RedemptionRulesTest, RefusesWithEachReason) {
  EXPECT_EQ(Refusal(Redeem(std::nullopt, Order("o1"), kNow)),
            RedemptionRejection::REDEMPTION_REJECTION_UNKNOWN_COUPON);
  EXPECT_EQ(Refusal(Redeem(Percent(10), Order("o1", 100, "eve"), kNow)),
            RedemptionRejection::REDEMPTION_REJECTION_NOT_OWNER);
  Coupon used = Percent(10);
  used.set_state(shop::coupon::v1::COUPON_STATE_REDEEMED);
  used.set_order_id("o0");
  EXPECT_EQ(Refusal(Redeem(used, Order("o1"), kNow)),
            RedemptionRejection::REDEMPTION_REJECTION_ALREADY_USED);
  EXPECT_EQ(Refusal(Redeem(Percent(10), Order("o1", 100, "ada", 1'796'000'000), kNow)),
            RedemptionRejection::REDEMPTION_REJECTION_EXPIRED);
  EXPECT_EQ(Refusal(Redeem(Percent(10), Order("o1", 100, "ada", 1'794'000'000), kNow)),
            RedemptionRejection::REDEMPTION_REJECTION_NOT_YET_VALID);
  EXPECT_EQ(Refusal(Redeem(Amount(500, "USD"), Order("o1"), kNow)),
            RedemptionRejection::REDEMPTION_REJECTION_WRONG_CURRENCY);
}

TEST(RedemptionRulesTest, ARedeliveredOrderChangesNothing) {
  Coupon used = Percent(10);
  used.set_state(shop::coupon::v1::COUPON_STATE_REDEEMED);
  used.set_order_id("o1");
  CouponChange change = Redeem(used, Order("o1"), kNow);
  EXPECT_FALSE(change.update.has_value());
  EXPECT_EQ(change.event, nullptr);
}

TEST(RedemptionRulesTest, RestoresOnlyTheCouponThisOrderRedeemed) {
  shop::order::v1::OrderCancelled cancelled;
  cancelled.set_order_id("o1");
  cancelled.set_coupon_code("CODE1");
  Coupon used = Percent(10);
  used.set_state(shop::coupon::v1::COUPON_STATE_REDEEMED);
  used.set_order_id("o1");
  CouponChange change = Restore(used, cancelled, kNow);
  ASSERT_TRUE(change.update.has_value());
  EXPECT_EQ(change.update->state(), shop::coupon::v1::COUPON_STATE_AVAILABLE);
  EXPECT_TRUE(change.update->order_id().empty());
  EXPECT_NE(dynamic_cast<const shop::coupon::v1::CouponRestored*>(change.event.get()), nullptr);

  used.set_order_id("o2");  // the cancelled order was refused; another order holds it
  EXPECT_FALSE(Restore(used, cancelled, kNow).update.has_value());
  EXPECT_FALSE(Restore(Percent(10), cancelled, kNow).update.has_value());
  EXPECT_FALSE(Restore(std::nullopt, cancelled, kNow).update.has_value());
}

}  // namespace
}  // namespace shop::coupon::domain

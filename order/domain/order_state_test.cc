#include "order/domain/order_state.h"

#include "gtest/gtest.h"

namespace shop::order::domain {
namespace {

using shop::order::v1::CancellationReason;

const absl::Time kNow = absl::FromUnixSeconds(1795300000);

Order WithStatus(OrderStatus status, bool shipped = false) {
  Order order;
  order.set_order_id("o-1");
  order.set_status(status);
  if (shipped) order.mutable_ship_time()->set_seconds(1);
  return order;
}

constexpr auto kPending = OrderStatus::ORDER_STATUS_PENDING;
constexpr auto kCompleted = OrderStatus::ORDER_STATUS_COMPLETED;
constexpr auto kCancelled = OrderStatus::ORDER_STATUS_CANCELLED;
constexpr auto kUnspecified = OrderStatus::ORDER_STATUS_UNSPECIFIED;
constexpr auto kRequested = shop::order::v1::CANCELLATION_REQUEST_STATE_REQUESTED;
constexpr auto kAccepted = shop::order::v1::CANCELLATION_REQUEST_STATE_ACCEPTED;
constexpr auto kRefused = shop::order::v1::CANCELLATION_REQUEST_STATE_REFUSED;

TEST(OrderStateTest, StockReservedCompletesAPendingOrder) {
  Order order = WithStatus(kPending);
  auto transition = OnStockReserved(order, kNow);
  ASSERT_TRUE(transition.ok());
  EXPECT_EQ(transition->emit, Emit::kOrderCompleted);
  EXPECT_EQ(transition->previous_status, kPending);
  EXPECT_EQ(order.status(), kCompleted);
  EXPECT_EQ(order.update_time().seconds(), 1795300000);
}

TEST(OrderStateTest, StockReservedAgainOrAfterCancelChangesNothing) {
  for (OrderStatus status : {kCompleted, kCancelled}) {
    Order order = WithStatus(status);
    auto transition = OnStockReserved(order, kNow);
    ASSERT_TRUE(transition.ok());
    EXPECT_EQ(transition->emit, Emit::kNothing);
    EXPECT_FALSE(transition->changed);
    EXPECT_EQ(order.status(), status);
  }
}

TEST(OrderStateTest, StockRejectedCancelsAPendingOrderAsOutOfStock) {
  Order order = WithStatus(kPending);
  auto transition = OnStockRejected(order, "p-1 short by 2", kNow);
  ASSERT_TRUE(transition.ok());
  EXPECT_EQ(transition->emit, Emit::kOrderCancelled);
  EXPECT_EQ(order.status(), kCancelled);
  EXPECT_EQ(order.cancellation_reason(), CancellationReason::CANCELLATION_REASON_OUT_OF_STOCK);
  EXPECT_EQ(order.cancellation_detail(), "p-1 short by 2");
}

TEST(OrderStateTest, StockRejectedTwiceIsANoOpButOnACompletedOrderIsIllegal) {
  Order cancelled = WithStatus(kCancelled);
  EXPECT_EQ(OnStockRejected(cancelled, "", kNow)->emit, Emit::kNothing);
  Order completed = WithStatus(kCompleted);
  EXPECT_EQ(OnStockRejected(completed, "", kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(completed.status(), kCompleted);
}

TEST(OrderStateTest, CancelIsImmediateForAPendingOrder) {
  Order order = WithStatus(kPending);
  auto transition = Cancel(order, "changed my mind", kNow);
  ASSERT_TRUE(transition.ok());
  EXPECT_EQ(transition->emit, Emit::kOrderCancelled);
  EXPECT_EQ(transition->previous_status, kPending);
  EXPECT_EQ(order.status(), kCancelled);
  EXPECT_EQ(order.cancellation_reason(), CancellationReason::CANCELLATION_REASON_CUSTOMER_REQUEST);
}

TEST(OrderStateTest, CancelOfACompletedOrderIsARequestThatDeliveryDecides) {
  Order order = WithStatus(kCompleted);
  auto requested = Cancel(order, "changed my mind", kNow);
  ASSERT_TRUE(requested.ok());
  EXPECT_EQ(requested->emit, Emit::kOrderCancellationRequested);
  EXPECT_EQ(order.status(), kCompleted) << "delivery decides";
  EXPECT_EQ(order.cancellation_request().state(), kRequested);
  EXPECT_EQ(order.cancellation_request().reason(), "changed my mind");
  EXPECT_FALSE(Cancel(order, "again", kNow)->changed) << "asking twice is harmless";

  Order accepted = order;
  auto cancelled = OnCancellationAccepted(accepted, kNow + absl::Seconds(1));
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->emit, Emit::kOrderCancelled);
  EXPECT_EQ(cancelled->previous_status, kCompleted);
  EXPECT_EQ(accepted.status(), kCancelled);
  EXPECT_EQ(accepted.cancellation_request().state(), kAccepted);
  EXPECT_EQ(accepted.cancellation_detail(), "changed my mind");
  EXPECT_FALSE(OnCancellationAccepted(accepted, kNow)->changed) << "redelivered";

  Order refused = order;
  auto kept = OnCancellationRefused(refused, "the parcel has shipped", kNow);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->emit, Emit::kNothing);
  EXPECT_TRUE(kept->changed);
  EXPECT_EQ(refused.status(), kCompleted);
  EXPECT_EQ(refused.cancellation_request().state(), kRefused);
  EXPECT_EQ(refused.cancellation_request().refusal_detail(), "the parcel has shipped");
  EXPECT_FALSE(OnCancellationRefused(refused, "x", kNow)->changed) << "redelivered";
  EXPECT_EQ(Cancel(refused, "please", kNow).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(OrderStateTest, AnAnswerToNoRequestIsIllegal) {
  Order completed = WithStatus(kCompleted);
  EXPECT_EQ(OnCancellationAccepted(completed, kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(OnCancellationRefused(completed, "", kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(completed.status(), kCompleted);
}

TEST(OrderStateTest, CancellingTwiceIsHarmlessAndKeepsTheFirstReason) {
  Order order = WithStatus(kPending);
  ASSERT_TRUE(OnStockRejected(order, "short", kNow).ok());
  auto again = Cancel(order, "customer", kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->emit, Emit::kNothing);
  EXPECT_EQ(order.cancellation_reason(), CancellationReason::CANCELLATION_REASON_OUT_OF_STOCK);
}

TEST(OrderStateTest, AShippedOrderCannotBeCancelled) {
  Order order = WithStatus(kCompleted, /*shipped=*/true);
  EXPECT_EQ(Cancel(order, "", kNow).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(order.status(), kCompleted);
}

TEST(OrderStateTest, ShippingEndsTheCancellableWindowOnce) {
  Order order = WithStatus(kCompleted);
  auto shipped = OnShipped(order, kNow);
  ASSERT_TRUE(shipped.ok());
  EXPECT_EQ(shipped->emit, Emit::kNothing);
  EXPECT_TRUE(shipped->changed);
  EXPECT_EQ(order.ship_time().seconds(), 1795300000);
  EXPECT_EQ(OnShipped(order, kNow + absl::Hours(1))->emit, Emit::kNothing);
  EXPECT_EQ(order.ship_time().seconds(), 1795300000);
}

TEST(OrderStateTest, OnlyACompletedOrderShips) {
  for (OrderStatus status : {kPending, kCancelled, kUnspecified}) {
    Order order = WithStatus(status);
    EXPECT_EQ(OnShipped(order, kNow).status().code(), absl::StatusCode::kFailedPrecondition);
  }
}

TEST(OrderStateTest, AnUnspecifiedStatusAcceptsNoTransition) {
  Order order = WithStatus(kUnspecified);
  EXPECT_FALSE(OnStockReserved(order, kNow).ok());
  EXPECT_FALSE(OnStockRejected(order, "", kNow).ok());
  EXPECT_FALSE(Cancel(order, "", kNow).ok());
}

}  // namespace
}  // namespace shop::order::domain

namespace shop::order::domain {
namespace {

constexpr auto kCouponRequested = shop::order::v1::COUPON_REDEMPTION_STATE_REQUESTED;
constexpr auto kCouponRedeemed = shop::order::v1::COUPON_REDEMPTION_STATE_REDEEMED;
constexpr auto kCouponRejected = shop::order::v1::COUPON_REDEMPTION_STATE_REJECTED;
constexpr auto kCouponRestored = shop::order::v1::COUPON_REDEMPTION_STATE_RESTORED;

Order WithCoupon() {
  Order order;
  order.set_order_id("o-2");
  order.set_status(OrderStatus::ORDER_STATUS_PENDING);
  order.set_currency_code("EUR");
  order.mutable_subtotal()->set_minor_units(1000);
  order.mutable_subtotal()->set_currency_code("EUR");
  *order.mutable_total() = order.subtotal();
  order.mutable_coupon()->set_coupon_code("CODE1");
  order.mutable_coupon()->set_state(kCouponRequested);
  return order;
}

shop::common::v1::Money Eur(int64_t minor) {
  shop::common::v1::Money money;
  money.set_minor_units(minor);
  money.set_currency_code("EUR");
  return money;
}

TEST(OrderCouponTest, CompletesOnlyWhenBothAgreedInEitherOrder) {
  for (bool stock_first : {true, false}) {
    Order order = WithCoupon();
    auto first =
        stock_first ? OnStockReserved(order, kNow) : OnCouponRedeemed(order, Eur(150), kNow);
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(first->changed);
    EXPECT_EQ(first->emit, Emit::kNothing);
    EXPECT_EQ(order.status(), OrderStatus::ORDER_STATUS_PENDING);
    auto second =
        stock_first ? OnCouponRedeemed(order, Eur(150), kNow) : OnStockReserved(order, kNow);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->emit, Emit::kOrderCompleted);
    EXPECT_EQ(order.status(), OrderStatus::ORDER_STATUS_COMPLETED);
    EXPECT_EQ(order.total().minor_units(), 850);
    EXPECT_EQ(order.subtotal().minor_units(), 1000);
    EXPECT_EQ(order.coupon().state(), kCouponRedeemed);
    EXPECT_EQ(order.coupon().discount().minor_units(), 150);
    // Replays change nothing.
    EXPECT_FALSE(OnStockReserved(order, kNow)->changed);
    EXPECT_FALSE(OnCouponRedeemed(order, Eur(150), kNow)->changed);
  }
}

TEST(OrderCouponTest, ARefusedCouponCancelsWhicheverReplyCameFirst) {
  for (bool stock_first : {true, false}) {
    Order order = WithCoupon();
    if (stock_first) {
      ASSERT_TRUE(OnStockReserved(order, kNow).ok());
    }
    auto rejected = OnCouponRejected(order, "coupon refused: ALREADY_USED", kNow);
    ASSERT_TRUE(rejected.ok());
    EXPECT_EQ(rejected->emit, Emit::kOrderCancelled);
    EXPECT_EQ(rejected->previous_status, OrderStatus::ORDER_STATUS_PENDING);
    EXPECT_EQ(order.cancellation_reason(), CancellationReason::CANCELLATION_REASON_COUPON_REJECTED);
    EXPECT_EQ(order.coupon().state(), kCouponRejected);
    EXPECT_EQ(order.total().minor_units(), 1000);
    if (!stock_first) {
      // Stock reserved after the cancellation: product releases it on OrderCancelled.
      auto late = OnStockReserved(order, kNow);
      ASSERT_TRUE(late.ok());
      EXPECT_EQ(late->emit, Emit::kNothing);
      EXPECT_EQ(order.status(), OrderStatus::ORDER_STATUS_CANCELLED);
    }
  }
}

TEST(OrderCouponTest, ARedemptionAfterAStockRefusalIsRecordedAndLaterRestored) {
  Order order = WithCoupon();
  ASSERT_EQ(OnStockRejected(order, "out of stock", kNow)->emit, Emit::kOrderCancelled);
  auto redeemed = OnCouponRedeemed(order, Eur(150), kNow);
  ASSERT_TRUE(redeemed.ok());
  EXPECT_EQ(redeemed->emit, Emit::kNothing);
  EXPECT_EQ(order.status(), OrderStatus::ORDER_STATUS_CANCELLED);
  EXPECT_EQ(order.total().minor_units(), 850);  // subtotal less discount, never booked
  EXPECT_EQ(order.coupon().state(), kCouponRedeemed);
  ASSERT_TRUE(OnCouponRestored(order, kNow).ok());
  EXPECT_EQ(order.coupon().state(), kCouponRestored);
  EXPECT_FALSE(OnCouponRestored(order, kNow)->changed);
}

TEST(OrderCouponTest, RepliesThatContradictTheOrderAreIllegal) {
  Order plain = WithStatus(OrderStatus::ORDER_STATUS_PENDING);
  EXPECT_EQ(OnCouponRedeemed(plain, Eur(1), kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(OnCouponRejected(plain, "x", kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
  Order order = WithCoupon();
  shop::common::v1::Money usd = Eur(1);
  usd.set_currency_code("USD");
  EXPECT_EQ(OnCouponRedeemed(order, usd, kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(OnCouponRedeemed(order, Eur(1), kNow).ok());
  EXPECT_EQ(OnCouponRejected(order, "x", kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(OrderCouponTest, ADiscountAboveTheSubtotalLeavesNothingToPay) {
  Order order = WithCoupon();
  ASSERT_TRUE(OnCouponRedeemed(order, Eur(5000), kNow).ok());
  EXPECT_EQ(order.total().minor_units(), 0);
}

}  // namespace
}  // namespace shop::order::domain

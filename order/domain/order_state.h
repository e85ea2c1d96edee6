// The order state machine, as pure functions over shop.order.v1.Order:
//
//   PENDING   --stock reserved-->  COMPLETED  (emit OrderCompleted), or, while
//                                  the order's coupon is not redeemed yet,
//                                  PENDING with stock_reserve_time set
//   PENDING   --coupon redeemed--> COMPLETED  (emit OrderCompleted, total less
//                                  the discount) once stock is reserved, or
//                                  PENDING with the discount recorded
//   PENDING   --stock rejected-->  CANCELLED  (emit OrderCancelled, OUT_OF_STOCK)
//   PENDING   --coupon rejected--> CANCELLED  (emit OrderCancelled, COUPON_REJECTED)
//   CANCELLED --a coupon reply-->  CANCELLED  with the reply recorded (no event);
//                                  the participant that agreed compensates on
//                                  OrderCancelled (product releases, coupon restores)
//   PENDING   --cancel-->          CANCELLED  (emit OrderCancelled, CUSTOMER_REQUEST)
//   COMPLETED --cancel-->          COMPLETED with a cancellation request, REQUESTED
//                                  (emit OrderCancellationRequested), unless shipped
//   COMPLETED(REQUESTED) --delivery accepted--> CANCELLED, ACCEPTED (emit OrderCancelled)
//   COMPLETED(REQUESTED) --delivery refused-->  COMPLETED, REFUSED (no event)
//   COMPLETED --shipped-->         COMPLETED with ship_time (no event)
//
// Delivery owns shipping, so it decides a completed order's cancellation:
// shipping and the decision serialise on the delivery, and a parcel that has
// left is never refunded by a race.
//
// Repeating a transition that already happened is a no-op (redelivered events,
// a second cancel). Anything else is FAILED_PRECONDITION.
#ifndef SHOP_ORDER_DOMAIN_ORDER_STATE_H_
#define SHOP_ORDER_DOMAIN_ORDER_STATE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/shop/order/v1/order.pb.h"

namespace shop::order::domain {

using shop::order::v1::Order;
using shop::order::v1::OrderStatus;

// What the caller must publish after a transition.
enum class Emit { kNothing, kOrderCompleted, kOrderCancelled, kOrderCancellationRequested };

struct Transition {
  // False when the order was already in the target state (a no-op).
  bool changed = false;
  Emit emit = Emit::kNothing;
  // Status before the transition (for OrderCancelled.previous_status).
  OrderStatus previous_status = OrderStatus::ORDER_STATUS_UNSPECIFIED;
};

absl::StatusOr<Transition> OnStockReserved(Order& order, absl::Time now);
absl::StatusOr<Transition> OnStockRejected(Order& order, const std::string& detail, absl::Time now);
// `discount` must be in the order's currency.
absl::StatusOr<Transition> OnCouponRedeemed(Order& order, const shop::common::v1::Money& discount,
                                            absl::Time now);
absl::StatusOr<Transition> OnCouponRejected(Order& order, const std::string& detail,
                                            absl::Time now);
absl::StatusOr<Transition> OnCouponRestored(Order& order, absl::Time now);
absl::StatusOr<Transition> Cancel(Order& order, const std::string& detail, absl::Time now);
absl::StatusOr<Transition> OnShipped(Order& order, absl::Time now);
absl::StatusOr<Transition> OnCancellationAccepted(Order& order, absl::Time now);
absl::StatusOr<Transition> OnCancellationRefused(Order& order, const std::string& detail,
                                                 absl::Time now);

}  // namespace shop::order::domain

#endif  // SHOP_ORDER_DOMAIN_ORDER_STATE_H_

#include "order/domain/order_state.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace shop::order::domain {
namespace {

using shop::order::v1::CancellationReason;
using shop::order::v1::CancellationRequestState;
using shop::order::v1::CouponRedemptionState;
using shop::order::v1::OrderStatus_Name;

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

void Touch(Order& order, absl::Time now) { *order.mutable_update_time() = ToTimestamp(now); }

CancellationRequestState RequestState(const Order& order) {
  return order.cancellation_request().state();
}

absl::Status Illegal(const Order& order, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(
      "order ", order.order_id(), " is ", OrderStatus_Name(order.status()), ": cannot ", what));
}

// The order names a coupon that the coupon service has not redeemed (yet).
bool WaitsForCoupon(const Order& order) {
  return order.has_coupon() &&
         order.coupon().state() != CouponRedemptionState::COUPON_REDEMPTION_STATE_REDEEMED;
}

// A change recorded on the order that moves no status and publishes nothing.
Transition Record(Order& order, absl::Time now) {
  Touch(order, now);
  return Transition{true, Emit::kNothing, order.status()};
}

Transition Move(Order& order, OrderStatus to, Emit emit, absl::Time now) {
  Transition transition{true, emit, order.status()};
  order.set_status(to);
  Touch(order, now);
  return transition;
}

}  // namespace

absl::StatusOr<Transition> OnStockReserved(Order& order, absl::Time now) {
  switch (order.status()) {
    case OrderStatus::ORDER_STATUS_PENDING:
      if (order.has_stock_reserve_time()) return Transition{};  // recorded already
      *order.mutable_stock_reserve_time() = ToTimestamp(now);
      if (WaitsForCoupon(order)) return Record(order, now);
      return Move(order, OrderStatus::ORDER_STATUS_COMPLETED, Emit::kOrderCompleted, now);
    case OrderStatus::ORDER_STATUS_COMPLETED:
      return Transition{};  // already applied
    case OrderStatus::ORDER_STATUS_CANCELLED:
      // Cancelled while the reservation was under way: product sees the
      // OrderCancelled after its reservation and releases the stock.
      return Transition{};
    default:
      return Illegal(order, "complete");
  }
}

absl::StatusOr<Transition> OnStockRejected(Order& order, const std::string& detail,
                                           absl::Time now) {
  switch (order.status()) {
    case OrderStatus::ORDER_STATUS_PENDING: {
      Transition transition =
          Move(order, OrderStatus::ORDER_STATUS_CANCELLED, Emit::kOrderCancelled, now);
      order.set_cancellation_reason(CancellationReason::CANCELLATION_REASON_OUT_OF_STOCK);
      order.set_cancellation_detail(detail);
      return transition;
    }
    case OrderStatus::ORDER_STATUS_CANCELLED:
      return Transition{};
    default:
      return Illegal(order, "reject stock of a completed order");
  }
}

absl::StatusOr<Transition> OnCouponRedeemed(Order& order, const shop::common::v1::Money& discount,
                                            absl::Time now) {
  if (!order.has_coupon()) return Illegal(order, "redeem a coupon it was not placed with");
  switch (order.coupon().state()) {
    case CouponRedemptionState::COUPON_REDEMPTION_STATE_REQUESTED:
      break;
    case CouponRedemptionState::COUPON_REDEMPTION_STATE_REDEEMED:
    case CouponRedemptionState::COUPON_REDEMPTION_STATE_RESTORED:
      return Transition{};  // recorded already
    default:
      return Illegal(order, "redeem a coupon that was refused");
  }
  if (discount.currency_code() != order.currency_code() || discount.minor_units() < 0) {
    return Illegal(
        order, absl::StrCat("take a discount of ", discount.minor_units(), " ",
                            discount.currency_code(), " off an order in ", order.currency_code()));
  }
  if (order.status() != OrderStatus::ORDER_STATUS_PENDING &&
      order.status() != OrderStatus::ORDER_STATUS_CANCELLED) {
    return Illegal(order, "redeem its coupon");
  }
  // total = subtotal - discount, always, once the coupon is redeemed.
  if (!order.has_subtotal()) *order.mutable_subtotal() = order.total();
  auto* coupon = order.mutable_coupon();
  coupon->set_state(CouponRedemptionState::COUPON_REDEMPTION_STATE_REDEEMED);
  *coupon->mutable_discount() = discount;
  order.mutable_total()->set_minor_units(
      std::max<int64_t>(0, order.subtotal().minor_units() - discount.minor_units()));
  if (order.status() == OrderStatus::ORDER_STATUS_CANCELLED) {
    // Refused by product (or cancelled) first: coupon restores it on the
    // OrderCancelled it reads after the order it redeemed.
    return Record(order, now);
  }
  if (!order.has_stock_reserve_time()) return Record(order, now);
  return Move(order, OrderStatus::ORDER_STATUS_COMPLETED, Emit::kOrderCompleted, now);
}

absl::StatusOr<Transition> OnCouponRejected(Order& order, const std::string& detail,
                                            absl::Time now) {
  if (!order.has_coupon()) return Illegal(order, "refuse a coupon it was not placed with");
  switch (order.coupon().state()) {
    case CouponRedemptionState::COUPON_REDEMPTION_STATE_REQUESTED:
      break;
    case CouponRedemptionState::COUPON_REDEMPTION_STATE_REJECTED:
      return Transition{};  // recorded already
    default:
      return Illegal(order, "refuse a coupon that was redeemed");
  }
  order.mutable_coupon()->set_state(CouponRedemptionState::COUPON_REDEMPTION_STATE_REJECTED);
  order.mutable_coupon()->set_rejection_detail(detail);
  switch (order.status()) {
    case OrderStatus::ORDER_STATUS_PENDING: {
      Transition transition =
          Move(order, OrderStatus::ORDER_STATUS_CANCELLED, Emit::kOrderCancelled, now);
      order.set_cancellation_reason(CancellationReason::CANCELLATION_REASON_COUPON_REJECTED);
      order.set_cancellation_detail(detail);
      return transition;
    }
    case OrderStatus::ORDER_STATUS_CANCELLED:
      return Record(order, now);
    default:
      return Illegal(order, "refuse its coupon");
  }
}

absl::StatusOr<Transition> OnCouponRestored(Order& order, absl::Time now) {
  if (!order.has_coupon()) return Illegal(order, "restore a coupon it was not placed with");
  switch (order.coupon().state()) {
    case CouponRedemptionState::COUPON_REDEMPTION_STATE_RESTORED:
      return Transition{};
    case CouponRedemptionState::COUPON_REDEMPTION_STATE_REDEEMED:
      order.mutable_coupon()->set_state(CouponRedemptionState::COUPON_REDEMPTION_STATE_RESTORED);
      return Record(order, now);
    default:
      return Illegal(order, "restore a coupon it never redeemed");
  }
}

absl::StatusOr<Transition> Cancel(Order& order, const std::string& detail, absl::Time now) {
  switch (order.status()) {
    case OrderStatus::ORDER_STATUS_PENDING: {
      Transition transition =
          Move(order, OrderStatus::ORDER_STATUS_CANCELLED, Emit::kOrderCancelled, now);
      order.set_cancellation_reason(CancellationReason::CANCELLATION_REASON_CUSTOMER_REQUEST);
      order.set_cancellation_detail(detail);
      return transition;
    }
    case OrderStatus::ORDER_STATUS_COMPLETED:
      if (order.has_ship_time()) return Illegal(order, "cancel: it has shipped");
      switch (RequestState(order)) {
        case CancellationRequestState::CANCELLATION_REQUEST_STATE_REQUESTED:
          return Transition{};  // asked already; delivery will answer
        case CancellationRequestState::CANCELLATION_REQUEST_STATE_REFUSED:
          return Illegal(order, absl::StrCat("cancel: delivery refused: ",
                                             order.cancellation_request().refusal_detail()));
        default:
          break;
      }
      {
        auto* request = order.mutable_cancellation_request();
        request->set_state(CancellationRequestState::CANCELLATION_REQUEST_STATE_REQUESTED);
        request->set_reason(detail);
        *request->mutable_request_time() = ToTimestamp(now);
        Touch(order, now);
        return Transition{true, Emit::kOrderCancellationRequested, order.status()};
      }
    case OrderStatus::ORDER_STATUS_CANCELLED:
      return Transition{};  // cancelling twice is harmless
    default:
      return Illegal(order, "cancel");
  }
}

absl::StatusOr<Transition> OnCancellationAccepted(Order& order, absl::Time now) {
  if (order.status() == OrderStatus::ORDER_STATUS_CANCELLED) return Transition{};
  if (order.status() != OrderStatus::ORDER_STATUS_COMPLETED ||
      RequestState(order) != CancellationRequestState::CANCELLATION_REQUEST_STATE_REQUESTED) {
    return Illegal(order, "accept a cancellation that was not requested");
  }
  Transition transition =
      Move(order, OrderStatus::ORDER_STATUS_CANCELLED, Emit::kOrderCancelled, now);
  order.set_cancellation_reason(CancellationReason::CANCELLATION_REASON_CUSTOMER_REQUEST);
  order.set_cancellation_detail(order.cancellation_request().reason());
  order.mutable_cancellation_request()->set_state(
      CancellationRequestState::CANCELLATION_REQUEST_STATE_ACCEPTED);
  *order.mutable_cancellation_request()->mutable_decide_time() = ToTimestamp(now);
  return transition;
}

absl::StatusOr<Transition> OnCancellationRefused(Order& order, const std::string& detail,
                                                 absl::Time now) {
  if (RequestState(order) == CancellationRequestState::CANCELLATION_REQUEST_STATE_REFUSED) {
    return Transition{};
  }
  if (order.status() != OrderStatus::ORDER_STATUS_COMPLETED ||
      RequestState(order) != CancellationRequestState::CANCELLATION_REQUEST_STATE_REQUESTED) {
    return Illegal(order, "refuse a cancellation that was not requested");
  }
  auto* request = order.mutable_cancellation_request();
  request->set_state(CancellationRequestState::CANCELLATION_REQUEST_STATE_REFUSED);
  request->set_refusal_detail(detail);
  *request->mutable_decide_time() = ToTimestamp(now);
  Touch(order, now);
  return Transition{true, Emit::kNothing, order.status()};
}

absl::StatusOr<Transition> OnShipped(Order& order, absl::Time now) {
  if (order.status() != OrderStatus::ORDER_STATUS_COMPLETED) {
    return Illegal(order, "ship");
  }
  if (order.has_ship_time()) return Transition{};
  *order.mutable_ship_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  Touch(order, now);
  return Transition{true, Emit::kNothing, order.status()};
}

}  // namespace shop::order::domain

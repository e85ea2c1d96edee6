#include "order/domain/order_state.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace shop::order::domain {
namespace {

using shop::order::v1::CancellationReason;
using shop::order::v1::OrderStatus_Name;

void Touch(Order& order, absl::Time now) {
  *order.mutable_update_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
}

absl::Status Illegal(const Order& order, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(
      "order ", order.order_id(), " is ", OrderStatus_Name(order.status()), ": cannot ", what));
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

absl::StatusOr<Transition> Cancel(Order& order, const std::string& detail, absl::Time now) {
  switch (order.status()) {
    case OrderStatus::ORDER_STATUS_PENDING:
      break;
    case OrderStatus::ORDER_STATUS_COMPLETED:
      if (order.has_ship_time()) return Illegal(order, "cancel: it has shipped");
      break;
    case OrderStatus::ORDER_STATUS_CANCELLED:
      return Transition{};  // cancelling twice is harmless
    default:
      return Illegal(order, "cancel");
  }
  Transition transition =
      Move(order, OrderStatus::ORDER_STATUS_CANCELLED, Emit::kOrderCancelled, now);
  order.set_cancellation_reason(CancellationReason::CANCELLATION_REASON_CUSTOMER_REQUEST);
  order.set_cancellation_detail(detail);
  return transition;
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

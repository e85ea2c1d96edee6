#include "order/domain/order_state.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace shop::order::domain {
namespace {

using shop::order::v1::CancellationReason;
using shop::order::v1::CancellationRequestState;
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

#include "order/domain/order_events.h"

namespace shop::order::domain {

using shop::order::v1::Order;

shop::order::v1::OrderPlaced OrderPlacedOf(const Order& order) {
  shop::order::v1::OrderPlaced event;
  event.set_order_id(order.order_id());
  event.set_customer_id(order.customer_id());
  *event.mutable_lines() = order.lines();
  event.set_currency_code(order.currency_code());
  *event.mutable_total() = order.total();
  *event.mutable_shipping_address() = order.shipping_address();
  *event.mutable_place_time() = order.create_time();
  event.set_coupon_code(order.coupon().coupon_code());
  event.set_idempotency_key(order.idempotency_key());
  return event;
}

shop::order::v1::OrderCompleted OrderCompletedOf(const Order& order) {
  shop::order::v1::OrderCompleted event;
  event.set_order_id(order.order_id());
  event.set_customer_id(order.customer_id());
  *event.mutable_lines() = order.lines();
  *event.mutable_total() = order.total();
  *event.mutable_shipping_address() = order.shipping_address();
  *event.mutable_complete_time() = order.update_time();
  if (order.coupon().state() == shop::order::v1::COUPON_REDEMPTION_STATE_REDEEMED) {
    event.set_coupon_code(order.coupon().coupon_code());
    *event.mutable_discount() = order.coupon().discount();
  }
  return event;
}

shop::order::v1::OrderCancelled OrderCancelledOf(const Order& order,
                                                 shop::order::v1::OrderStatus previous_status) {
  shop::order::v1::OrderCancelled event;
  event.set_order_id(order.order_id());
  event.set_customer_id(order.customer_id());
  event.set_reason(order.cancellation_reason());
  event.set_detail(order.cancellation_detail());
  event.set_previous_status(previous_status);
  *event.mutable_total() = order.total();
  *event.mutable_lines() = order.lines();
  *event.mutable_cancel_time() = order.update_time();
  event.set_coupon_code(order.coupon().coupon_code());
  return event;
}

shop::order::v1::OrderCancellationRequested OrderCancellationRequestedOf(const Order& order) {
  shop::order::v1::OrderCancellationRequested event;
  event.set_order_id(order.order_id());
  event.set_reason(order.cancellation_request().reason());
  *event.mutable_request_time() = order.cancellation_request().request_time();
  return event;
}

std::unique_ptr<google::protobuf::Message> EventOf(const Transition& transition,
                                                   const Order& order) {
  switch (transition.emit) {
    case Emit::kOrderCompleted:
      return std::make_unique<shop::order::v1::OrderCompleted>(OrderCompletedOf(order));
    case Emit::kOrderCancelled:
      return std::make_unique<shop::order::v1::OrderCancelled>(
          OrderCancelledOf(order, transition.previous_status));
    case Emit::kOrderCancellationRequested:
      return std::make_unique<shop::order::v1::OrderCancellationRequested>(
          OrderCancellationRequestedOf(order));
    case Emit::kNothing:
      return nullptr;
  }
  return nullptr;
}

}  // namespace shop::order::domain

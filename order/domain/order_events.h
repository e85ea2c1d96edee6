// The events the order service publishes, built from an order's state
// (event-carried state transfer: consumers never call back).
#ifndef SHOP_ORDER_DOMAIN_ORDER_EVENTS_H_
#define SHOP_ORDER_DOMAIN_ORDER_EVENTS_H_

#include <memory>

#include "order/domain/order_state.h"
#include "proto/shop/order/v1/events.pb.h"
#include "proto/shop/order/v1/order.pb.h"

namespace shop::order::domain {

shop::order::v1::OrderPlaced OrderPlacedOf(const shop::order::v1::Order& order);
shop::order::v1::OrderCompleted OrderCompletedOf(const shop::order::v1::Order& order);
shop::order::v1::OrderCancelled OrderCancelledOf(const shop::order::v1::Order& order,
                                                 shop::order::v1::OrderStatus previous_status);
shop::order::v1::OrderCancellationRequested OrderCancellationRequestedOf(
    const shop::order::v1::Order& order);

// The event a transition of `order` calls for, or null when it calls for none.
std::unique_ptr<google::protobuf::Message> EventOf(const Transition& transition,
                                                   const shop::order::v1::Order& order);

}  // namespace shop::order::domain

#endif  // SHOP_ORDER_DOMAIN_ORDER_EVENTS_H_

// Delivery status rules, pure: PREPARING -> SHIPPED -> DELIVERED, and
// PREPARING -> CANCELLED. Asking for the current status again is a no-op;
// any other move is FAILED_PRECONDITION.
#ifndef SHOP_DELIVERY_DOMAIN_DELIVERY_STATE_H_
#define SHOP_DELIVERY_DOMAIN_DELIVERY_STATE_H_

#include "absl/status/statusor.h"
#include "proto/shop/delivery/v1/delivery.pb.h"

namespace shop::delivery::domain {

using shop::delivery::v1::DeliveryStatus;

// True when the status changes, false for a no-op.
absl::StatusOr<bool> Advance(DeliveryStatus from, DeliveryStatus to);

}  // namespace shop::delivery::domain

#endif  // SHOP_DELIVERY_DOMAIN_DELIVERY_STATE_H_

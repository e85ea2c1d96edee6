// What delivery does with each event, as pure functions that return the
// state change and the events it causes (like order's Transition). The
// saga (app/delivery_saga.h) loads, calls these, saves and emits.
#ifndef SHOP_DELIVERY_DOMAIN_DELIVERY_RULES_H_
#define SHOP_DELIVERY_DOMAIN_DELIVERY_RULES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "proto/shop/delivery/v1/delivery.pb.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::delivery::domain {

using shop::delivery::v1::Delivery;
using shop::delivery::v1::DeliveryStatus;

// A delivery to insert or to save (or neither), and the events to publish.
struct DeliveryChange {
  std::optional<Delivery> insert;
  std::optional<Delivery> update;
  std::vector<std::shared_ptr<const google::protobuf::Message>> events;
};

// OrderCompleted: a PREPARING delivery with the order's address and items,
// and DeliveryCreated; nothing when `existing` (a redelivery).
DeliveryChange OnOrderCompleted(const std::optional<Delivery>& existing,
                                const shop::order::v1::OrderCompleted& completed,
                                const std::string& delivery_id, absl::Time now);

// `delivery` moved to `to` with DeliveryStatusChanged; nothing when it is
// there already; FAILED_PRECONDITION for an illegal move.
absl::StatusOr<DeliveryChange> ChangeStatus(const Delivery& delivery, DeliveryStatus to,
                                            absl::Time now);

// OrderCancellationRequested: delivery owns shipping, so it decides. Not
// shipped (or no delivery): CANCELLED and CancellationAccepted. Shipped or
// delivered: CancellationRefused, the delivery unchanged.
absl::StatusOr<DeliveryChange> OnCancellationRequested(const std::optional<Delivery>& delivery,
                                                       const std::string& order_id, absl::Time now);

// OrderCancelled: a PREPARING delivery is cancelled; a cancelled one (the
// request was accepted) or none is left alone; a shipped one is left alone
// and `shipped_already` set (the caller logs it).
absl::StatusOr<DeliveryChange> OnOrderCancelled(const std::optional<Delivery>& delivery,
                                                absl::Time now, bool* shipped_already);

}  // namespace shop::delivery::domain

#endif  // SHOP_DELIVERY_DOMAIN_DELIVERY_RULES_H_

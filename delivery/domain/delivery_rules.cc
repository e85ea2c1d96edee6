#include "delivery/domain/delivery_rules.h"

#include "delivery/domain/delivery_state.h"
#include "google/protobuf/util/time_util.h"
#include "proto/shop/delivery/v1/events.pb.h"

namespace shop::delivery::domain {
namespace {

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

template <typename M>
std::shared_ptr<const google::protobuf::Message> Share(M message) {
  return std::make_shared<const M>(std::move(message));
}

}  // namespace

DeliveryChange OnOrderCompleted(const std::optional<Delivery>& existing,
                                const shop::order::v1::OrderCompleted& completed,
                                const std::string& delivery_id, absl::Time now) {
  DeliveryChange change;
  if (existing.has_value()) return change;  // created already
  Delivery delivery;
  delivery.set_delivery_id(delivery_id);
  delivery.set_order_id(completed.order_id());
  delivery.set_status(DeliveryStatus::DELIVERY_STATUS_PREPARING);
  *delivery.mutable_shipping_address() = completed.shipping_address();
  for (const auto& line : completed.lines()) {
    auto* item = delivery.add_items();
    item->set_product_id(line.product_id());
    item->set_quantity(line.quantity());
  }
  *delivery.mutable_create_time() = ToTimestamp(now);
  *delivery.mutable_update_time() = delivery.create_time();
  shop::delivery::v1::DeliveryCreated created;
  created.set_delivery_id(delivery.delivery_id());
  created.set_order_id(delivery.order_id());
  *created.mutable_shipping_address() = delivery.shipping_address();
  *created.mutable_items() = delivery.items();
  *created.mutable_create_time() = delivery.create_time();
  change.insert = std::move(delivery);
  change.events.push_back(Share(std::move(created)));
  return change;
}

absl::StatusOr<DeliveryChange> ChangeStatus(const Delivery& delivery, DeliveryStatus to,
                                            absl::Time now) {
  auto moved = Advance(delivery.status(), to);
  if (!moved.ok()) return moved.status();
  DeliveryChange change;
  if (!*moved) return change;
  Delivery next = delivery;
  next.set_status(to);
  *next.mutable_update_time() = ToTimestamp(now);
  shop::delivery::v1::DeliveryStatusChanged event;
  event.set_delivery_id(next.delivery_id());
  event.set_order_id(next.order_id());
  event.set_previous_status(delivery.status());
  event.set_status(to);
  *event.mutable_change_time() = next.update_time();
  change.update = std::move(next);
  change.events.push_back(Share(std::move(event)));
  return change;
}

absl::StatusOr<DeliveryChange> OnCancellationRequested(const std::optional<Delivery>& delivery,
                                                       const std::string& order_id,
                                                       absl::Time now) {
  DeliveryChange change;
  const bool cancellable = !delivery.has_value() ||
                           delivery->status() == DeliveryStatus::DELIVERY_STATUS_PREPARING ||
                           delivery->status() == DeliveryStatus::DELIVERY_STATUS_CANCELLED;
  if (!cancellable) {
    shop::delivery::v1::CancellationRefused refused;
    refused.set_delivery_id(delivery->delivery_id());
    refused.set_order_id(order_id);
    refused.set_status(delivery->status());
    refused.set_detail("the parcel has shipped");
    *refused.mutable_decide_time() = ToTimestamp(now);
    change.events.push_back(Share(std::move(refused)));
    return change;
  }
  if (delivery.has_value()) {
    auto cancelled = ChangeStatus(*delivery, DeliveryStatus::DELIVERY_STATUS_CANCELLED, now);
    if (!cancelled.ok()) return cancelled.status();
    change = *std::move(cancelled);
  }
  shop::delivery::v1::CancellationAccepted accepted;
  if (delivery.has_value()) accepted.set_delivery_id(delivery->delivery_id());
  accepted.set_order_id(order_id);
  *accepted.mutable_decide_time() = ToTimestamp(now);
  change.events.push_back(Share(std::move(accepted)));
  return change;
}

absl::StatusOr<DeliveryChange> OnOrderCancelled(const std::optional<Delivery>& delivery,
                                                absl::Time now, bool* shipped_already) {
  *shipped_already = false;
  if (!delivery.has_value() || delivery->status() == DeliveryStatus::DELIVERY_STATUS_CANCELLED) {
    return DeliveryChange{};  // never completed, or cancelled when the request was accepted
  }
  if (delivery->status() != DeliveryStatus::DELIVERY_STATUS_PREPARING) {
    *shipped_already = true;
    return DeliveryChange{};
  }
  return ChangeStatus(*delivery, DeliveryStatus::DELIVERY_STATUS_CANCELLED, now);
}

}  // namespace shop::delivery::domain

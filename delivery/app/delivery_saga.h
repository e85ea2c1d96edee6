// Delivery's part of the saga: one named handler per event it consumes.
// Each loads what it needs through a DeliveryStore (the delivery row, locked,
// in the consumer's transaction), asks the domain rules what changes, saves
// it and emits the events through an EventSink. Unit-tested against a fake
// store and a recording sink; the consumer wires the MySQL store and the
// outbox.
#ifndef SHOP_DELIVERY_APP_DELIVERY_SAGA_H_
#define SHOP_DELIVERY_APP_DELIVERY_SAGA_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "common/consumer/event_consumer.h"
#include "delivery/domain/delivery_rules.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::delivery::app {

using shop::delivery::v1::Delivery;

// Deliveries, as one transaction sees them.
class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;
  // The delivery of `order_id`, locked until the transaction ends.
  virtual absl::StatusOr<std::optional<Delivery>> FindByOrder(const std::string& order_id) = 0;
  virtual absl::Status Insert(const Delivery& delivery) = 0;
  virtual absl::Status Update(const Delivery& delivery) = 0;
};

class DeliverySaga {
 public:
  explicit DeliverySaga(std::function<std::string()> new_id,
                        std::function<absl::Time()> clock = absl::Now)
      : new_id_(std::move(new_id)), clock_(std::move(clock)) {}

  absl::Status OnOrderCompleted(const shop::order::v1::OrderCompleted& event, DeliveryStore& store,
                                consumer::EventSink& sink);
  absl::Status OnOrderCancellationRequested(
      const shop::order::v1::OrderCancellationRequested& event, DeliveryStore& store,
      consumer::EventSink& sink);
  absl::Status OnOrderCancelled(const shop::order::v1::OrderCancelled& event, DeliveryStore& store,
                                consumer::EventSink& sink);

  // Saves and publishes what a rule decided.
  static absl::Status Apply(const domain::DeliveryChange& change, DeliveryStore& store,
                            consumer::EventSink& sink);

 private:
  std::function<std::string()> new_id_;
  std::function<absl::Time()> clock_;
};

}  // namespace shop::delivery::app

#endif  // SHOP_DELIVERY_APP_DELIVERY_SAGA_H_

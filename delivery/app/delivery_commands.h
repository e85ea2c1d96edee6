// What the delivery service does: create a delivery when an order completes,
// cancel it when the order is cancelled before shipping, and move it along
// through its API, publishing each change.
#ifndef SHOP_DELIVERY_APP_DELIVERY_COMMANDS_H_
#define SHOP_DELIVERY_APP_DELIVERY_COMMANDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/consumer/event_consumer.h"
#include "common/events/event_metadata.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox.h"
#include "delivery/app/delivery_saga.h"
#include "delivery/storage/delivery_repository.h"

namespace shop::delivery::app {

using shop::delivery::v1::Delivery;
using shop::delivery::v1::DeliveryStatus;

class DeliveryCommands {
 public:
  DeliveryCommands(mysql::ConnectionPool& pool, outbox::Outbox& outbox)
      : pool_(pool), outbox_(outbox) {}

  absl::StatusOr<Delivery> GetDelivery(const std::string& order_id, absl::Time deadline);
  absl::StatusOr<storage::DeliveryPage> ListDeliveries(int page_size, const std::string& page_token,
                                                       DeliveryStatus status, absl::Time deadline);
  absl::StatusOr<Delivery> UpdateStatus(const std::string& order_id, DeliveryStatus status,
                                        const std::string& correlation_id, absl::Time deadline);

  // OrderCompleted, OrderCancellationRequested and OrderCancelled handlers.
  // Delivery owns shipping, so it decides a completed order's cancellation:
  // the decision and UpdateStatus(SHIPPED) both lock the delivery row, so
  // exactly one of them wins.
  // The handlers are DeliverySaga's, one line each.
  void RegisterSagaHandlers(consumer::EventConsumer& consumer);

 private:
  mysql::ConnectionPool& pool_;
  outbox::Outbox& outbox_;
  storage::DeliveryRepository deliveries_;
  DeliverySaga saga_{events::NewUuid};
};

}  // namespace shop::delivery::app

#endif  // SHOP_DELIVERY_APP_DELIVERY_COMMANDS_H_

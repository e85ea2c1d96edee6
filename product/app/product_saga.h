// Product's part of the saga: one named handler per event it consumes.
// Each loads the order's reservations (and locks the stock rows it needs)
// through a StockStore, asks the reservation rules (domain/reservations.h)
// what changes, applies it and emits the events through an EventSink.
// Unit-tested against a fake store and a recording sink; the consumer wires
// the MySQL store and the outbox.
#ifndef SHOP_PRODUCT_APP_PRODUCT_SAGA_H_
#define SHOP_PRODUCT_APP_PRODUCT_SAGA_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "common/consumer/event_consumer.h"
#include "product/domain/reservations.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::product::app {

// Stock and reservations, as one transaction sees them.
class StockStore {
 public:
  virtual ~StockStore() = default;
  virtual absl::StatusOr<std::vector<domain::Reservation>> Reservations(
      const std::string& order_id) = 0;
  // Locks the stock rows of `product_ids` in id order; their available
  // units, unknown ids absent.
  virtual absl::StatusOr<std::map<std::string, int64_t>> LockAvailable(
      const std::vector<std::string>& product_ids) = 0;
  virtual absl::Status Move(const domain::StockChange& change) = 0;
  virtual absl::Status SaveReservation(const std::string& order_id,
                                       const domain::Reservation& reservation) = 0;
};

class ProductSaga {
 public:
  explicit ProductSaga(std::function<absl::Time()> clock = absl::Now) : clock_(std::move(clock)) {}

  absl::Status OnOrderPlaced(const shop::order::v1::OrderPlaced& event, StockStore& store,
                             consumer::EventSink& sink);
  absl::Status OnOrderCompleted(const shop::order::v1::OrderCompleted& event, StockStore& store,
                                consumer::EventSink& sink);
  absl::Status OnOrderCancelled(const shop::order::v1::OrderCancelled& event, StockStore& store,
                                consumer::EventSink& sink);

 private:
  static absl::Status Apply(const std::string& order_id, const domain::ReservationChange& change,
                            StockStore& store, consumer::EventSink& sink);

  std::function<absl::Time()> clock_;
};

}  // namespace shop::product::app

#endif  // SHOP_PRODUCT_APP_PRODUCT_SAGA_H_

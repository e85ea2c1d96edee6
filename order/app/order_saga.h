// Order's part of the saga: one named handler per event it consumes. Each
// loads the order (locked, in the consumer's transaction) through an
// OrderStore, applies the state machine (domain/order_state.h), saves the
// order and emits the event the transition calls for through an EventSink.
// ProductChanged feeds the catalog replica that prices orders. Unit-tested
// against a fake store and a recording sink; the consumer wires the MySQL
// store and the outbox.
#ifndef SHOP_ORDER_APP_ORDER_SAGA_H_
#define SHOP_ORDER_APP_ORDER_SAGA_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "common/consumer/event_consumer.h"
#include "order/domain/order_state.h"
#include "order/domain/pricing.h"
#include "proto/shop/coupon/v1/events.pb.h"
#include "proto/shop/delivery/v1/events.pb.h"
#include "proto/shop/product/v1/events.pb.h"

namespace shop::order::app {

using shop::order::v1::Order;

// Orders and the catalog replica, as one transaction sees them.
class OrderStore {
 public:
  virtual ~OrderStore() = default;
  // The order, locked until the transaction ends; NOT_FOUND when unknown.
  virtual absl::StatusOr<Order> GetForUpdate(const std::string& order_id) = 0;
  virtual absl::Status Update(const Order& order) = 0;
  // Stores `entry` as of `changed_micros`, unless a newer state is stored.
  virtual absl::Status UpsertCatalog(const domain::CatalogEntry& entry, int64_t changed_micros) = 0;
};

class OrderSaga {
 public:
  explicit OrderSaga(std::function<absl::Time()> clock = absl::Now) : clock_(std::move(clock)) {}

  absl::Status OnProductChanged(const shop::product::v1::ProductChanged& event, OrderStore& store,
                                consumer::EventSink& sink);
  absl::Status OnStockReserved(const shop::product::v1::StockReserved& event, OrderStore& store,
                               consumer::EventSink& sink);
  absl::Status OnStockRejected(const shop::product::v1::StockRejected& event, OrderStore& store,
                               consumer::EventSink& sink);
  absl::Status OnCouponRedeemed(const shop::coupon::v1::CouponRedeemed& event, OrderStore& store,
                                consumer::EventSink& sink);
  absl::Status OnCouponRedemptionRejected(const shop::coupon::v1::CouponRedemptionRejected& event,
                                          OrderStore& store, consumer::EventSink& sink);
  absl::Status OnCouponRestored(const shop::coupon::v1::CouponRestored& event, OrderStore& store,
                                consumer::EventSink& sink);
  absl::Status OnDeliveryStatusChanged(const shop::delivery::v1::DeliveryStatusChanged& event,
                                       OrderStore& store, consumer::EventSink& sink);
  absl::Status OnCancellationAccepted(const shop::delivery::v1::CancellationAccepted& event,
                                      OrderStore& store, consumer::EventSink& sink);
  absl::Status OnCancellationRefused(const shop::delivery::v1::CancellationRefused& event,
                                     OrderStore& store, consumer::EventSink& sink);

  // Saves `order` after `transition` and emits the event it calls for.
  static absl::Status Apply(const domain::Transition& transition, const Order& order,
                            OrderStore& store, consumer::EventSink& sink);

 private:
  // Applies `step` to the locked order.
  absl::Status React(const std::string& order_id, OrderStore& store, consumer::EventSink& sink,
                     const std::function<absl::StatusOr<domain::Transition>(Order&)>& step);

  std::function<absl::Time()> clock_;
};

}  // namespace shop::order::app

#endif  // SHOP_ORDER_APP_ORDER_SAGA_H_

// What the order service does, independent of how it is called: place,
// read, list and cancel orders, and its part of the saga (react to stock and
// delivery events). Each command is one MySQL transaction that changes the
// order and appends its events to the outbox.
#ifndef SHOP_ORDER_APP_ORDER_COMMANDS_H_
#define SHOP_ORDER_APP_ORDER_COMMANDS_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/consumer/event_consumer.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox.h"
#include "order/app/order_saga.h"
#include "order/storage/cached_catalog.h"
#include "order/storage/catalog_replica.h"
#include "order/storage/order_repository.h"
#include "proto/shop/order/v1/order_service.pb.h"

namespace shop::order::app {

using shop::order::v1::Order;

class OrderCommands {
 public:
  struct Options {
    // Catalog entries PlaceOrder keeps in memory (CachedCatalog); 0: every
    // order reads the replica first.
    size_t catalog_cache_entries = 100000;
  };

  OrderCommands(mysql::ConnectionPool& pool, outbox::Outbox& outbox, Options options)
      : pool_(pool), outbox_(outbox), prices_(catalog_, options.catalog_cache_entries) {}
  OrderCommands(mysql::ConnectionPool& pool, outbox::Outbox& outbox)
      : OrderCommands(pool, outbox, Options{}) {}

  // A new PENDING order, priced from the catalog replica, and its
  // OrderPlaced event; or the order already placed with this idempotency
  // key (at the price it was accepted at); ALREADY_EXISTS when the key was
  // used for a different request. INVALID_ARGUMENT for bad input or an
  // unknown, discontinued or foreign-currency product; FAILED_PRECONDITION
  // (with the current prices) when an expected price is not the catalog's.
  absl::StatusOr<Order> PlaceOrder(const shop::order::v1::PlaceOrderRequest& request,
                                   const std::string& correlation_id, absl::Time deadline);
  absl::StatusOr<Order> GetOrder(const std::string& order_id, absl::Time deadline);
  // The order a customer placed with `idempotency_key`.
  absl::StatusOr<Order> GetOrderByIdempotencyKey(const std::string& customer_id,
                                                 const std::string& idempotency_key,
                                                 absl::Time deadline);
  absl::StatusOr<storage::OrderPage> ListOrders(const std::string& customer_id, int page_size,
                                                const std::string& page_token, absl::Time deadline);
  absl::StatusOr<Order> CancelOrder(const std::string& order_id, const std::string& reason,
                                    const std::string& correlation_id, absl::Time deadline);

  // ProductChanged (the catalog replica), StockReserved, StockRejected and
  // DeliveryStatusChanged handlers.
  // The handlers are OrderSaga's, one line each.
  void RegisterSagaHandlers(consumer::EventConsumer& consumer);

 private:
  // Maps a failure after the deadline passed to DEADLINE_EXCEEDED.
  static absl::Status AtDeadline(absl::Status status, absl::Time deadline);

  mysql::ConnectionPool& pool_;
  outbox::Outbox& outbox_;
  storage::OrderRepository orders_;
  storage::CatalogReplica catalog_;
  storage::CachedCatalog prices_;
  OrderSaga saga_;
};

}  // namespace shop::order::app

#endif  // SHOP_ORDER_APP_ORDER_COMMANDS_H_

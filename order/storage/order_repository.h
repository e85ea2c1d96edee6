// Orders in the order service's own MySQL database. Every call runs inside
// the caller's transaction, so state changes and their outbox events commit
// together.
#ifndef SHOP_ORDER_STORAGE_ORDER_REPOSITORY_H_
#define SHOP_ORDER_STORAGE_ORDER_REPOSITORY_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/mysql/migrations.h"
#include "common/mysql/transaction.h"
#include "common/outbox/outbox.h"
#include "order/storage/catalog_replica.h"
#include "proto/shop/order/v1/order.pb.h"

namespace shop::order::storage {

using shop::order::v1::Order;

struct IdempotentOrder {
  Order order;
  std::string request_fingerprint;
};

// PlaceWithEvent's answer when a price it was to check is no longer the
// replica's: read the catalog again and price anew.
bool IsCatalogChanged(const absl::Status& status);

struct OrderPage {
  std::vector<Order> orders;
  std::string next_page_token;  // empty on the last page
};

class OrderRepository {
 public:
  // ALREADY_EXISTS when the customer already used the idempotency key.
  absl::Status Insert(mysql::Transaction& tx, const Order& order,
                      const std::string& request_fingerprint);

  // A new order and its OrderPlaced outbox row, inserted and committed by
  // one statement (the place_priced_order procedure) on an autocommit
  // connection: one round trip where a transaction takes four.
  // ALREADY_EXISTS, with nothing written, when the customer already used the
  // idempotency key. `priced_from`: the catalog entries the order was priced
  // from memory with (CachedCatalog), each checked against the replica in
  // the same round trip; when one's version changed, nothing is written and
  // the answer is ABORTED with IsCatalogChanged.
  absl::Status PlaceWithEvent(mysql::PooledConnection& connection, const Order& order,
                              const std::string& request_fingerprint,
                              const outbox::Outbox::Row& placed,
                              const std::vector<VersionedEntry>& priced_from = {});

  absl::StatusOr<std::optional<IdempotentOrder>> FindByIdempotencyKey(
      mysql::Transaction& tx, const std::string& customer_id, const std::string& key);

  // NOT_FOUND when there is no such order. `for_update` locks the row until
  // the transaction ends (required before changing the order or appending
  // its events, which keeps its events in commit order).
  absl::StatusOr<Order> Get(mysql::Transaction& tx, const std::string& order_id, bool for_update);

  absl::Status Update(mysql::Transaction& tx, const Order& order);

  // The orders of `order_ids` that exist, locked until the transaction ends,
  // in a few statements (chunks of ids; InnoDB locks each chunk's rows in
  // primary-key order).
  absl::StatusOr<std::map<std::string, Order>> GetManyForUpdate(
      mysql::Transaction& tx, const std::vector<std::string>& order_ids);

  // Writes the status and document of each order (locked by this
  // transaction), a chunk of orders per statement.
  absl::Status UpdateMany(mysql::Transaction& tx, const std::vector<const Order*>& orders);

  // A customer's orders, newest first. INVALID_ARGUMENT for a bad token.
  absl::StatusOr<OrderPage> ListByCustomer(mysql::Transaction& tx, const std::string& customer_id,
                                           int page_size, const std::string& page_token);
};

std::vector<mysql::Migration> OrderMigrations();

}  // namespace shop::order::storage

#endif  // SHOP_ORDER_STORAGE_ORDER_REPOSITORY_H_

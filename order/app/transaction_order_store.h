// The OrderStore of one MySQL transaction, shared by every handler of a
// consumer batch (a unit of work), like product's TransactionStockStore:
//  - LockForBatch reads and locks every order the batch's events name, in a
//    few statements (instead of one SELECT ... FOR UPDATE per event);
//  - a handler's GetForUpdate then comes from memory, with the changes of
//    the batch's earlier events applied;
//  - Update keeps the order in memory; the changed orders are written just
//    before COMMIT, a chunk of orders per statement.
// A batch of n events on orders thus costs about two statements instead of
// 2n. The locks are the same: an order is locked (FOR UPDATE) before it is
// read, and held until COMMIT. A transaction rolled back writes nothing.
// The orders are kept by mysql::LockedRows.
#ifndef SHOP_ORDER_APP_TRANSACTION_ORDER_STORE_H_
#define SHOP_ORDER_APP_TRANSACTION_ORDER_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "common/mysql/locked_rows.h"
#include "common/mysql/transaction.h"
#include "order/app/order_saga.h"
#include "order/storage/catalog_replica.h"
#include "order/storage/order_repository.h"

namespace shop::order::app {

class TransactionOrderStore : public OrderStore {
 public:
  // The store of `tx`, made on first use (its writes then run before COMMIT).
  static TransactionOrderStore& Of(storage::OrderRepository& orders,
                                   storage::CatalogReplica& catalog, mysql::Transaction& tx);

  // Reads and locks the orders of `order_ids` not read yet (unknown ids are
  // skipped: their events find NOT_FOUND as before).
  absl::Status LockForBatch(const std::vector<std::string>& order_ids);

  absl::StatusOr<Order> GetForUpdate(const std::string& order_id) override;
  absl::Status Update(const Order& order) override;
  absl::Status UpsertCatalog(const domain::CatalogEntry& entry, int64_t changed_micros) override;

 private:
  storage::CatalogReplica* catalog_ = nullptr;
  mysql::Transaction* tx_ = nullptr;
  std::optional<mysql::LockedRows<Order>> orders_;  // by order id
};

}  // namespace shop::order::app

#endif  // SHOP_ORDER_APP_TRANSACTION_ORDER_STORE_H_

// The DeliveryStore of one MySQL transaction, shared by every handler of a
// consumer batch (a unit of work), like order's TransactionOrderStore:
// LockForBatch reads and locks the deliveries of every order the batch's
// events name in one statement per chunk; the handlers then read, insert and
// update in memory; the new and changed deliveries are written just before
// COMMIT, a chunk per statement. A batch of n completed orders costs about
// two statements instead of 2n (a SELECT ... FOR UPDATE and an INSERT each).
// The rows are kept by mysql::LockedRows; a rolled-back batch writes nothing.
#ifndef SHOP_DELIVERY_APP_TRANSACTION_DELIVERY_STORE_H_
#define SHOP_DELIVERY_APP_TRANSACTION_DELIVERY_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "common/mysql/locked_rows.h"
#include "common/mysql/transaction.h"
#include "delivery/app/delivery_saga.h"
#include "delivery/storage/delivery_repository.h"

namespace shop::delivery::app {

class TransactionDeliveryStore : public DeliveryStore {
 public:
  // The store of `tx`, made on first use (its writes then run before COMMIT).
  static TransactionDeliveryStore& Of(storage::DeliveryRepository& deliveries,
                                      mysql::Transaction& tx);

  // Reads and locks the deliveries of `order_ids` not read yet.
  absl::Status LockForBatch(const std::vector<std::string>& order_ids);

  absl::StatusOr<std::optional<Delivery>> FindByOrder(const std::string& order_id) override;
  absl::Status Insert(const Delivery& delivery) override;
  absl::Status Update(const Delivery& delivery) override;

 private:
  std::optional<mysql::LockedRows<Delivery>> deliveries_;  // by order id
};

}  // namespace shop::delivery::app

#endif  // SHOP_DELIVERY_APP_TRANSACTION_DELIVERY_STORE_H_

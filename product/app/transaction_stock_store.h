// The StockStore of one MySQL transaction, shared by every handler of a
// consumer batch (a unit of work):
//  - a product's row is locked and read once per transaction; later orders
//    of the batch see its available stock with the batch's own moves applied;
//  - an order's reservations are read once and then kept up to date in
//    memory (OrderPlaced and OrderCompleted of one order may share a batch);
//  - stock moves add up per product, and with the saved reservations they
//    are written just before COMMIT, a chunk of rows per statement.
// So a batch of n orders costs about n reservation lookups plus a handful of
// statements, instead of six statements per order. The locks are the same:
// every product is locked (FOR UPDATE) before its available stock is read,
// and held until COMMIT. LockForBatch takes them all first, in one order.
#ifndef SHOP_PRODUCT_APP_TRANSACTION_STOCK_STORE_H_
#define SHOP_PRODUCT_APP_TRANSACTION_STOCK_STORE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/mysql/transaction.h"
#include "product/app/product_saga.h"
#include "product/storage/product_repository.h"

namespace shop::product::app {

class TransactionStockStore : public StockStore {
 public:
  // The store of `tx`, made on first use (its writes then run before COMMIT).
  static TransactionStockStore& Of(storage::ProductRepository& products, mysql::Transaction& tx);

  // Reads (and locks) the reservations of every order of a batch in one
  // statement per chunk, then locks, in product id order, every product the
  // batch will move: those its orders ask for and those they hold.
  // Concurrent batches (the consumer's threads, other instances) then never
  // deadlock on stock rows, and the handlers need no further lookups.
  absl::Status LockForBatch(const std::vector<std::string>& requested_products,
                            const std::vector<std::string>& orders);

  absl::StatusOr<std::vector<domain::Reservation>> Reservations(
      const std::string& order_id) override;
  absl::StatusOr<std::map<std::string, int64_t>> LockAvailable(
      const std::vector<std::string>& product_ids) override;
  absl::Status Move(const domain::StockChange& change) override;
  absl::Status SaveReservation(const std::string& order_id,
                               const domain::Reservation& reservation) override;

 private:
  // Writes the moves and reservations (BeforeCommit).
  absl::Status Flush();

  storage::ProductRepository* products_ = nullptr;
  mysql::Transaction* tx_ = nullptr;
  std::map<std::string, int64_t> locked_available_;  // as read, before this batch's moves
  std::map<std::string, storage::ProductRepository::StockDelta> moves_;
  // order id -> product id -> reservation, as read and then saved.
  std::map<std::string, std::map<std::string, domain::Reservation>> reservations_;
  std::map<std::pair<std::string, std::string>, domain::Reservation> unsaved_;
};

}  // namespace shop::product::app

#endif  // SHOP_PRODUCT_APP_TRANSACTION_STOCK_STORE_H_

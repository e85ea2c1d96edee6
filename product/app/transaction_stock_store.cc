#include "product/app/transaction_stock_store.h"

#include <set>

namespace shop::product::app {

TransactionStockStore& TransactionStockStore::Of(storage::ProductRepository& products,
                                                 mysql::Transaction& tx) {
  bool created = false;
  TransactionStockStore& store = tx.Attachment<TransactionStockStore>(&products, &created);
  if (created) {
    store.products_ = &products;
    store.tx_ = &tx;
    tx.BeforeCommit([&store] { return store.Flush(); });
  }
  return store;
}

absl::Status TransactionStockStore::LockForBatch(const std::vector<std::string>& requested_products,
                                                 const std::vector<std::string>& orders) {
  std::set<std::string> products(requested_products.begin(), requested_products.end());
  std::vector<std::string> unread;
  for (const std::string& order_id : orders) {
    if (!reservations_.count(order_id)) unread.push_back(order_id);
  }
  if (!unread.empty()) {
    auto read = products_->ReservationsOf(*tx_, unread);
    if (!read.ok()) return read.status();
    for (const std::string& order_id : unread) {
      auto& by_product = reservations_[order_id];  // empty when it holds nothing
      auto it = read->find(order_id);
      if (it == read->end()) continue;
      for (auto& reservation : it->second) {
        products.insert(reservation.product_id);
        by_product[reservation.product_id] = std::move(reservation);
      }
    }
  }
  if (products.empty()) return absl::OkStatus();
  // One statement: InnoDB locks the rows in primary-key order.
  return LockAvailable({products.begin(), products.end()}).status();
}

absl::StatusOr<std::vector<domain::Reservation>> TransactionStockStore::Reservations(
    const std::string& order_id) {
  auto it = reservations_.find(order_id);
  if (it == reservations_.end()) {
    auto read = products_->Reservations(*tx_, order_id);
    if (!read.ok()) return read.status();
    std::map<std::string, domain::Reservation> by_product;
    for (auto& reservation : *read) by_product[reservation.product_id] = std::move(reservation);
    it = reservations_.emplace(order_id, std::move(by_product)).first;
  }
  std::vector<domain::Reservation> reservations;
  for (const auto& [product_id, reservation] : it->second) reservations.push_back(reservation);
  return reservations;  // in product id order, like the query
}

absl::StatusOr<std::map<std::string, int64_t>> TransactionStockStore::LockAvailable(
    const std::vector<std::string>& product_ids) {
  std::vector<std::string> unlocked;
  for (const std::string& id : product_ids) {
    if (!locked_available_.count(id)) unlocked.push_back(id);
  }
  if (!unlocked.empty()) {
    auto read = products_->LockAvailable(*tx_, unlocked);
    if (!read.ok()) return read.status();
    locked_available_.insert(read->begin(), read->end());
  }
  std::map<std::string, int64_t> available;
  for (const std::string& id : product_ids) {
    auto it = locked_available_.find(id);
    if (it == locked_available_.end()) continue;  // unknown
    auto move = moves_.find(id);
    available[id] = it->second + (move == moves_.end() ? 0 : move->second.available);
  }
  return available;
}

absl::Status TransactionStockStore::Move(const domain::StockChange& change) {
  storage::ProductRepository::StockDelta& delta = moves_[change.product_id];
  const int64_t q = change.quantity;
  switch (change.move) {
    case domain::StockMove::kReserve:
      delta.available -= q;
      delta.reserved += q;
      return absl::OkStatus();
    case domain::StockMove::kSell:
      delta.reserved -= q;
      delta.sold += q;
      return absl::OkStatus();
    case domain::StockMove::kRelease:
      (change.from == domain::ReservationState::kSold ? delta.sold : delta.reserved) -= q;
      delta.available += q;
      return absl::OkStatus();
  }
  return absl::InternalError("unknown stock move");
}

absl::Status TransactionStockStore::SaveReservation(const std::string& order_id,
                                                    const domain::Reservation& reservation) {
  // Read first, so the order's reservations in memory stay complete.
  if (auto read = Reservations(order_id); !read.ok()) return read.status();
  reservations_[order_id][reservation.product_id] = reservation;
  unsaved_[{order_id, reservation.product_id}] = reservation;
  return absl::OkStatus();
}

absl::Status TransactionStockStore::Flush() {
  if (absl::Status moved = products_->ApplyStockDeltas(*tx_, moves_); !moved.ok()) return moved;
  return products_->SaveReservations(*tx_, unsaved_);
}

}  // namespace shop::product::app

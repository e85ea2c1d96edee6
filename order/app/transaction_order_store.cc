#include "order/app/transaction_order_store.h"

namespace shop::order::app {

TransactionOrderStore& TransactionOrderStore::Of(storage::OrderRepository& orders,
                                                 storage::CatalogReplica& catalog,
                                                 mysql::Transaction& tx) {
  bool created = false;
  TransactionOrderStore& store = tx.Attachment<TransactionOrderStore>(&orders, &created);
  if (created) {
    store.orders_ = &orders;
    store.catalog_ = &catalog;
    store.tx_ = &tx;
    tx.BeforeCommit([&store] { return store.Flush(); });
  }
  return store;
}

absl::Status TransactionOrderStore::LockForBatch(const std::vector<std::string>& order_ids) {
  // Sorted and distinct: every chunk, and the chunks one after the other,
  // lock in primary-key order.
  std::set<std::string> unread;
  for (const std::string& id : order_ids) {
    if (!locked_.count(id)) unread.insert(id);
  }
  if (unread.empty()) return absl::OkStatus();
  auto read = orders_->GetManyForUpdate(*tx_, {unread.begin(), unread.end()});
  if (!read.ok()) return read.status();
  locked_.merge(*read);
  return absl::OkStatus();
}

absl::StatusOr<Order> TransactionOrderStore::GetForUpdate(const std::string& order_id) {
  auto it = locked_.find(order_id);
  if (it == locked_.end()) {
    auto read = orders_->Get(*tx_, order_id, /*for_update=*/true);
    if (!read.ok()) return read.status();
    it = locked_.emplace(order_id, *std::move(read)).first;
  }
  return it->second;
}

absl::Status TransactionOrderStore::Update(const Order& order) {
  auto it = locked_.find(order.order_id());
  if (it == locked_.end()) {
    // Only an order read (and locked) here may change: as UPDATE would say.
    return absl::NotFoundError("order " + order.order_id() + " was not read in this transaction");
  }
  it->second = order;
  changed_.insert(order.order_id());
  return absl::OkStatus();
}

absl::Status TransactionOrderStore::UpsertCatalog(const domain::CatalogEntry& entry,
                                                  int64_t changed_micros) {
  return catalog_->Upsert(*tx_, entry, changed_micros);
}

absl::Status TransactionOrderStore::Flush() {
  if (changed_.empty()) return absl::OkStatus();
  std::vector<const Order*> changed;
  for (const std::string& id : changed_) changed.push_back(&locked_.at(id));
  absl::Status written = orders_->UpdateMany(*tx_, changed);
  if (written.ok()) changed_.clear();
  return written;
}

}  // namespace shop::order::app

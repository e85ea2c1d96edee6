#include "order/app/transaction_order_store.h"

#include "absl/strings/str_cat.h"

namespace shop::order::app {

TransactionOrderStore& TransactionOrderStore::Of(storage::OrderRepository& orders,
                                                 storage::CatalogReplica& catalog,
                                                 mysql::Transaction& tx) {
  bool created = false;
  TransactionOrderStore& store = tx.Attachment<TransactionOrderStore>(&orders, &created);
  if (created) {
    store.catalog_ = &catalog;
    store.tx_ = &tx;
    mysql::LockedRows<Order>::Access access;
    access.noun = "order";
    access.read_for_update = [&orders, &tx](const std::vector<std::string>& ids) {
      return orders.GetManyForUpdate(tx, ids);
    };
    access.insert = [](const std::vector<const Order*>&) {
      return absl::FailedPreconditionError("orders are placed by PlaceOrder, not by the consumer");
    };
    access.update = [&orders, &tx](const std::vector<const Order*>& changed) {
      return orders.UpdateMany(tx, changed);
    };
    store.orders_.emplace(std::move(access));
    tx.BeforeCommit([&store] { return store.orders_->Flush(); });
  }
  return store;
}

absl::Status TransactionOrderStore::LockForBatch(const std::vector<std::string>& order_ids) {
  return orders_->Load(order_ids);
}

absl::StatusOr<Order> TransactionOrderStore::GetForUpdate(const std::string& order_id) {
  auto found = orders_->Find(order_id);
  if (!found.ok()) return found.status();
  if (!found->has_value())
    return absl::NotFoundError(absl::StrCat("order ", order_id, " not found"));
  return **std::move(found);
}

absl::Status TransactionOrderStore::Update(const Order& order) {
  return orders_->Update(order.order_id(), order);
}

absl::Status TransactionOrderStore::UpsertCatalog(const domain::CatalogEntry& entry,
                                                  int64_t changed_micros) {
  return catalog_->Upsert(*tx_, entry, changed_micros);
}

}  // namespace shop::order::app

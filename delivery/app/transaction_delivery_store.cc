#include "delivery/app/transaction_delivery_store.h"

namespace shop::delivery::app {

TransactionDeliveryStore& TransactionDeliveryStore::Of(storage::DeliveryRepository& deliveries,
                                                       mysql::Transaction& tx) {
  bool created = false;
  TransactionDeliveryStore& store = tx.Attachment<TransactionDeliveryStore>(&deliveries, &created);
  if (created) {
    mysql::LockedRows<Delivery>::Access access;
    access.noun = "the delivery of order";
    access.read_for_update = [&deliveries, &tx](const std::vector<std::string>& order_ids) {
      return deliveries.FindManyByOrderForUpdate(tx, order_ids);
    };
    access.insert = [&deliveries, &tx](const std::vector<const Delivery*>& rows) {
      return deliveries.InsertMany(tx, rows);
    };
    access.update = [&deliveries, &tx](const std::vector<const Delivery*>& rows) {
      return deliveries.UpdateMany(tx, rows);
    };
    store.deliveries_.emplace(std::move(access));
    tx.BeforeCommit([&store] { return store.deliveries_->Flush(); });
  }
  return store;
}

absl::Status TransactionDeliveryStore::LockForBatch(const std::vector<std::string>& order_ids) {
  return deliveries_->Load(order_ids);
}

absl::StatusOr<std::optional<Delivery>> TransactionDeliveryStore::FindByOrder(
    const std::string& order_id) {
  return deliveries_->Find(order_id);
}

absl::Status TransactionDeliveryStore::Insert(const Delivery& delivery) {
  return deliveries_->Insert(delivery.order_id(), delivery);
}

absl::Status TransactionDeliveryStore::Update(const Delivery& delivery) {
  return deliveries_->Update(delivery.order_id(), delivery);
}

}  // namespace shop::delivery::app

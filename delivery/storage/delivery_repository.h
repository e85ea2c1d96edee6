// Deliveries in the delivery service's own database, in the caller's transaction.
#ifndef SHOP_DELIVERY_STORAGE_DELIVERY_REPOSITORY_H_
#define SHOP_DELIVERY_STORAGE_DELIVERY_REPOSITORY_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/mysql/migrations.h"
#include "common/mysql/transaction.h"
#include "proto/shop/delivery/v1/delivery.pb.h"

namespace shop::delivery::storage {

using shop::delivery::v1::Delivery;

struct DeliveryPage {
  std::vector<Delivery> deliveries;
  std::string next_page_token;
};

class DeliveryRepository {
 public:
  // ALREADY_EXISTS when the order has a delivery.
  absl::Status Insert(mysql::Transaction& tx, const Delivery& delivery);
  absl::StatusOr<std::optional<Delivery>> FindByOrder(mysql::Transaction& tx,
                                                      const std::string& order_id, bool for_update);
  absl::Status Update(mysql::Transaction& tx, const Delivery& delivery);
  // Many at once, a chunk per statement (a consumer batch's unit of work):
  // the deliveries of `order_ids` (sorted), read and locked, by order id;
  // new deliveries (a duplicate order fails the statement); changed ones.
  absl::StatusOr<std::map<std::string, Delivery>> FindManyByOrderForUpdate(
      mysql::Transaction& tx, const std::vector<std::string>& order_ids);
  absl::Status InsertMany(mysql::Transaction& tx, const std::vector<const Delivery*>& deliveries);
  absl::Status UpdateMany(mysql::Transaction& tx, const std::vector<const Delivery*>& deliveries);
  // Newest first; `status` UNSPECIFIED lists all.
  absl::StatusOr<DeliveryPage> List(mysql::Transaction& tx, int page_size,
                                    const std::string& page_token,
                                    shop::delivery::v1::DeliveryStatus status);
};

std::vector<mysql::Migration> DeliveryMigrations();

}  // namespace shop::delivery::storage

#endif  // SHOP_DELIVERY_STORAGE_DELIVERY_REPOSITORY_H_

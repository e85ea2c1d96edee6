// What the product service does: manage the catalog and its stock, and its
// part of the saga: reserve an order's stock atomically or reject it,
// turn a reservation into a sale when the order completes, release it when
// the order is cancelled.
#ifndef SHOP_PRODUCT_APP_PRODUCT_COMMANDS_H_
#define SHOP_PRODUCT_APP_PRODUCT_COMMANDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/consumer/event_consumer.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox.h"
#include "product/app/product_saga.h"
#include "product/storage/product_repository.h"
#include "proto/shop/product/v1/product_service.pb.h"

namespace shop::product::app {

class ProductCommands {
 public:
  ProductCommands(mysql::ConnectionPool& pool, outbox::Outbox& outbox)
      : pool_(pool), outbox_(outbox) {}

  absl::StatusOr<storage::ProductRecord> CreateProduct(
      const shop::product::v1::CreateProductRequest& request, const std::string& correlation_id,
      absl::Time deadline);
  absl::StatusOr<storage::ProductRecord> GetProduct(const std::string& product_id,
                                                    absl::Time deadline);
  absl::StatusOr<storage::ProductPage> ListProducts(int page_size, const std::string& page_token,
                                                    absl::Time deadline);
  absl::StatusOr<storage::ProductRecord> AdjustStock(const std::string& product_id, int64_t delta,
                                                     const std::string& reason,
                                                     const std::string& correlation_id,
                                                     absl::Time deadline);

  // Changes name, price or discontinued and publishes ProductChanged.
  // INVALID_ARGUMENT naming the field; NOT_FOUND when unknown.
  absl::StatusOr<storage::ProductRecord> UpdateProduct(
      const shop::product::v1::UpdateProductRequest& request, const std::string& correlation_id,
      absl::Time deadline);

  // OrderPlaced, OrderCompleted and OrderCancelled handlers.
  // The handlers are ProductSaga's, one line each.
  void RegisterSagaHandlers(consumer::EventConsumer& consumer);

 private:
  absl::Status EmitProductChanged(mysql::Transaction& tx, const storage::ProductRecord& record,
                                  const std::string& correlation_id);

  mysql::ConnectionPool& pool_;
  outbox::Outbox& outbox_;
  storage::ProductRepository products_;
  ProductSaga saga_;
};

}  // namespace shop::product::app

#endif  // SHOP_PRODUCT_APP_PRODUCT_COMMANDS_H_

// The order service: flags and wiring only (see order/app for what it does).
#include <algorithm>
#include <cstddef>
#include <memory>

#include "absl/flags/flag.h"
#include "common/service/service_runtime.h"
#include "order/app/order_commands.h"
#include "order/storage/order_repository.h"
#include "order/transport/order_grpc_service.h"

ABSL_FLAG(int, catalog_cache_entries, 100000,
          "catalog entries PlaceOrder keeps in memory, each checked by the CALL that places "
          "the order (0: every order reads the catalog replica first)");

int main(int argc, char** argv) {
  using shop::order::app::OrderCommands;
  return shop::service::RunService<OrderCommands, shop::order::transport::OrderGrpcService>(
      {
          .name = "order",
          .migrations = {{"order", shop::order::storage::OrderMigrations()}},
          .consumed_topics = {"shop.product.events", "shop.delivery.events", "shop.coupon.events"},
          .produced_topics = {"shop.order.events"},
      },
      argc, argv, [](shop::mysql::ConnectionPool& pool, shop::outbox::Outbox& outbox) {
        OrderCommands::Options options;
        options.catalog_cache_entries =
            static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_catalog_cache_entries)));
        return std::make_unique<OrderCommands>(pool, outbox, options);
      });
}

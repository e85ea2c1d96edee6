// The order service: flags and wiring only (see order/app for what it does).
#include "common/service/service_runtime.h"
#include "order/app/order_commands.h"
#include "order/storage/order_repository.h"
#include "order/transport/order_grpc_service.h"

int main(int argc, char** argv) {
  return shop::service::RunService<shop::order::app::OrderCommands,
                                   shop::order::transport::OrderGrpcService>(
      {
          .name = "order",
          .migrations = {{"order", shop::order::storage::OrderMigrations()}},
          .consumed_topics = {"shop.product.events", "shop.delivery.events", "shop.coupon.events"},
          .produced_topics = {"shop.order.events"},
      },
      argc, argv);
}

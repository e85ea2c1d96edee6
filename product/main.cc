// The product service: flags and wiring only (see product/app for what it does).
#include "common/service/service_runtime.h"
#include "product/app/product_commands.h"
#include "product/storage/product_repository.h"
#include "product/transport/product_grpc_service.h"

int main(int argc, char** argv) {
  return shop::service::RunService<shop::product::app::ProductCommands,
                                   shop::product::transport::ProductGrpcService>(
      {
          .name = "product",
          .migrations = {{"product", shop::product::storage::ProductMigrations()}},
          .consumed_topics = {"shop.order.events"},
          .produced_topics = {"shop.product.events"},
      },
      argc, argv);
}

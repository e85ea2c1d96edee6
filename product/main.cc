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
          // Its batches lock the stock rows of the products they name, and
          // every batch names most of a small catalog's best sellers: more
          // consumers than one only queue on each other's row locks
          // (measured: a batch took 55 ms with three, 30 ms alone).
          .consumer_threads = 1,
      },
      argc, argv);
}

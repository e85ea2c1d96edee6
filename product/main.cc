// The product service: flags and wiring only (see product/app).
#include <cstdio>

#include "common/service/service_runtime.h"
#include "product/app/product_commands.h"
#include "product/storage/product_repository.h"
#include "product/transport/product_grpc_service.h"

int main(int argc, char** argv) {
  auto runtime = shop::service::ServiceRuntime::Create(
      {
          .name = "product",
          .migrations = {{"product", shop::product::storage::ProductMigrations()}},
          .consumed_topics = {"shop.order.events"},
          .produced_topics = {"shop.product.events"},
      },
      argc, argv);
  if (!runtime.ok()) {
    std::fprintf(stderr, "product: cannot start: %s\n", runtime.status().ToString().c_str());
    return 1;
  }
  shop::product::app::ProductCommands commands((*runtime)->pool(), (*runtime)->outbox());
  if (auto* consumer = (*runtime)->consumer(); consumer != nullptr) {
    commands.RegisterSagaHandlers(*consumer);
  }
  shop::product::transport::ProductGrpcService service(commands);
  (*runtime)->server().AddService(&service);
  return (*runtime)->Run();
}

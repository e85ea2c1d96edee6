// The order service: flags and wiring only (see order/app for what it does).
#include <cstdio>

#include "common/service/service_runtime.h"
#include "order/app/order_commands.h"
#include "order/storage/order_repository.h"
#include "order/transport/order_grpc_service.h"

int main(int argc, char** argv) {
  auto runtime = shop::service::ServiceRuntime::Create(
      {
          .name = "order",
          .migrations = {{"order", shop::order::storage::OrderMigrations()}},
          .consumed_topics = {"shop.product.events", "shop.delivery.events"},
          .produced_topics = {"shop.order.events"},
      },
      argc, argv);
  if (!runtime.ok()) {
    std::fprintf(stderr, "order: cannot start: %s\n", runtime.status().ToString().c_str());
    return 1;
  }
  shop::order::app::OrderCommands commands((*runtime)->pool(), (*runtime)->outbox());
  if (auto* consumer = (*runtime)->consumer(); consumer != nullptr) {
    commands.RegisterSagaHandlers(*consumer);
  }
  shop::order::transport::OrderGrpcService service(commands);
  (*runtime)->server().AddService(&service);
  return (*runtime)->Run();
}

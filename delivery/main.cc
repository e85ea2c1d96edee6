// The delivery service: flags and wiring only (see delivery/app for what it does).
#include "common/service/service_runtime.h"
#include "delivery/app/delivery_commands.h"
#include "delivery/storage/delivery_repository.h"
#include "delivery/transport/delivery_grpc_service.h"

int main(int argc, char** argv) {
  return shop::service::RunService<shop::delivery::app::DeliveryCommands,
                                   shop::delivery::transport::DeliveryGrpcService>(
      {
          .name = "delivery",
          .migrations = {{"delivery", shop::delivery::storage::DeliveryMigrations()}},
          .consumed_topics = {"shop.order.events"},
          .produced_topics = {"shop.delivery.events"},
      },
      argc, argv);
}

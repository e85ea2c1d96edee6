// The settlement service: flags and wiring only (see settlement/app for what it does).
#include "common/service/service_runtime.h"
#include "settlement/app/settlement_commands.h"
#include "settlement/storage/ledger_repository.h"
#include "settlement/transport/settlement_grpc_service.h"

int main(int argc, char** argv) {
  return shop::service::RunService<shop::settlement::app::SettlementCommands,
                                   shop::settlement::transport::SettlementGrpcService>(
      {
          .name = "settlement",
          .migrations = {{"settlement", shop::settlement::storage::LedgerMigrations()}},
          .consumed_topics = {"shop.order.events"},
          .produced_topics = {"shop.settlement.events"},
      },
      argc, argv);
}

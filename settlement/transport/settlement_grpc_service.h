// The SettlementService gRPC API over SettlementCommands.
#ifndef SHOP_SETTLEMENT_TRANSPORT_SETTLEMENT_GRPC_SERVICE_H_
#define SHOP_SETTLEMENT_TRANSPORT_SETTLEMENT_GRPC_SERVICE_H_

#include "proto/shop/settlement/v1/settlement_service.grpc.pb.h"
#include "settlement/app/settlement_commands.h"

namespace shop::settlement::transport {

namespace v1 = shop::settlement::v1;

class SettlementGrpcService final : public v1::SettlementService::Service {
 public:
  explicit SettlementGrpcService(app::SettlementCommands& commands) : commands_(commands) {}

  grpc::Status GetDailyTotals(grpc::ServerContext* context,
                              const v1::GetDailyTotalsRequest* request,
                              v1::GetDailyTotalsResponse* response) override;
  grpc::Status ListLedgerEntries(grpc::ServerContext* context,
                                 const v1::ListLedgerEntriesRequest* request,
                                 v1::ListLedgerEntriesResponse* response) override;

 private:
  app::SettlementCommands& commands_;
};

}  // namespace shop::settlement::transport

#endif  // SHOP_SETTLEMENT_TRANSPORT_SETTLEMENT_GRPC_SERVICE_H_

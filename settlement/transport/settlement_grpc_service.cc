#include "settlement/transport/settlement_grpc_service.h"

#include "common/grpc/server.h"
#include "common/grpc/status.h"

namespace shop::settlement::transport {

using grpc_util::CallDeadline;
using grpc_util::ToGrpcStatus;

grpc::Status SettlementGrpcService::GetDailyTotals(grpc::ServerContext* context,
                                                   const v1::GetDailyTotalsRequest* request,
                                                   v1::GetDailyTotalsResponse* response) {
  auto totals = commands_.DailyTotals(request->start_date(), request->end_date(),
                                      request->currency_code(), CallDeadline(context));
  if (!totals.ok()) return ToGrpcStatus(totals.status());
  for (auto& total : *totals) *response->add_totals() = std::move(total);
  return grpc::Status::OK;
}

grpc::Status SettlementGrpcService::ListLedgerEntries(grpc::ServerContext* context,
                                                      const v1::ListLedgerEntriesRequest* request,
                                                      v1::ListLedgerEntriesResponse* response) {
  auto entries = commands_.EntriesOf(request->order_id(), CallDeadline(context));
  if (!entries.ok()) return ToGrpcStatus(entries.status());
  for (auto& entry : *entries) *response->add_entries() = std::move(entry);
  return grpc::Status::OK;
}

}  // namespace shop::settlement::transport

#include "settlement/app/settlement_saga.h"

#include "settlement/domain/ledger.h"

namespace shop::settlement::app {

absl::Status SettlementSaga::OnOrderCompleted(const shop::order::v1::OrderCompleted& event,
                                              LedgerStore& ledger, consumer::EventSink& sink) {
  auto entry = domain::RevenueOf(event);
  if (!entry.ok()) return entry.status();
  entry->set_entry_id(new_id_());
  auto booked = ledger.Book(*entry);
  if (!booked.ok() || !*booked) return booked.status();
  return sink.Emit(domain::SettlementRecordedOf(*entry));
}

absl::Status SettlementSaga::OnOrderCancelled(const shop::order::v1::OrderCancelled& event,
                                              LedgerStore& ledger, consumer::EventSink& sink) {
  auto entry = domain::ReversalOf(event);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value()) return absl::OkStatus();  // never booked
  (*entry)->set_entry_id(new_id_());
  auto booked = ledger.Book(**entry);
  if (!booked.ok() || !*booked) return booked.status();
  return sink.Emit(domain::SettlementReversedOf(**entry));
}

}  // namespace shop::settlement::app

#include "settlement/app/settlement_commands.h"

#include "absl/time/clock.h"
#include "common/errors/bad_request.h"
#include "common/errors/field_limits.h"
#include "common/events/event_metadata.h"
#include "common/money/currency.h"
#include "common/mysql/transaction.h"
#include "proto/shop/order/v1/events.pb.h"
#include "proto/shop/settlement/v1/events.pb.h"
#include "settlement/domain/ledger.h"

namespace shop::settlement::app {

absl::StatusOr<std::vector<storage::DailyTotal>> SettlementCommands::DailyTotals(
    const std::string& start_date, const std::string& end_date, const std::string& currency_code,
    absl::Time deadline) {
  const std::string start = start_date.empty()
                                ? absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone())
                                : start_date;
  const std::string end = end_date.empty() ? start : end_date;
  std::vector<errors::FieldViolation> violations;
  if (!domain::IsDate(start)) violations.push_back({"start_date", "must be YYYY-MM-DD"});
  if (!domain::IsDate(end)) violations.push_back({"end_date", "must be YYYY-MM-DD"});
  if (violations.empty() && end < start) {
    violations.push_back({"end_date", "must not be before start_date"});
  }
  if (!currency_code.empty() && !money::IsKnownCurrency(currency_code)) {
    violations.push_back({"currency_code", "is not a known ISO 4217 currency code"});
  }
  if (!violations.empty()) return errors::InvalidArgument(violations);
  std::vector<storage::DailyTotal> totals;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto found = ledger_.DailyTotals(tx, start, end, currency_code);
    if (!found.ok()) return found.status();
    totals = *std::move(found);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return totals;
}

absl::StatusOr<std::vector<storage::LedgerEntry>> SettlementCommands::EntriesOf(
    const std::string& order_id, absl::Time deadline) {
  if (absl::Status bad = errors::CheckId(order_id, "order_id"); !bad.ok()) return bad;
  std::vector<storage::LedgerEntry> entries;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto found = ledger_.EntriesOf(tx, order_id);
    if (!found.ok()) return found.status();
    entries = *std::move(found);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return entries;
}

void SettlementCommands::RegisterSagaHandlers(consumer::EventConsumer& consumer) {
  consumer.On<shop::order::v1::OrderCompleted>(
      [this](const shop::order::v1::OrderCompleted& completed, consumer::EventContext& context) {
        auto entry = domain::RevenueOf(completed);
        if (!entry.ok()) return entry.status();
        entry->set_entry_id(events::NewUuid());
        auto booked = ledger_.Book(context.tx(), *entry);
        if (!booked.ok() || !*booked) return booked.status();
        shop::settlement::v1::SettlementRecorded recorded;
        recorded.set_entry_id(entry->entry_id());
        recorded.set_order_id(entry->order_id());
        *recorded.mutable_amount() = entry->amount();
        *recorded.mutable_book_time() = entry->book_time();
        return context.Emit(recorded);
      });
  consumer.On<shop::order::v1::OrderCancelled>(
      [this](const shop::order::v1::OrderCancelled& cancelled, consumer::EventContext& context) {
        auto entry = domain::ReversalOf(cancelled);
        if (!entry.ok()) return entry.status();
        if (!entry->has_value()) return absl::OkStatus();  // never booked
        (*entry)->set_entry_id(events::NewUuid());
        auto booked = ledger_.Book(context.tx(), **entry);
        if (!booked.ok() || !*booked) return booked.status();
        shop::settlement::v1::SettlementReversed reversed;
        reversed.set_entry_id((*entry)->entry_id());
        reversed.set_order_id((*entry)->order_id());
        *reversed.mutable_amount() = (*entry)->amount();
        *reversed.mutable_book_time() = (*entry)->book_time();
        return context.Emit(reversed);
      });
}

}  // namespace shop::settlement::app

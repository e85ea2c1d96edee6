#include "settlement/app/settlement_commands.h"

#include "absl/time/clock.h"
#include "common/consumer/saga_handler.h"
#include "common/errors/bad_request.h"
#include "common/errors/field_limits.h"
#include "common/events/event_metadata.h"
#include "common/money/currency.h"
#include "common/mysql/transaction.h"
#include "proto/shop/order/v1/events.pb.h"
#include "proto/shop/settlement/v1/events.pb.h"
#include "settlement/app/transaction_ledger_store.h"
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
  // A whole poll batch is one transaction: first the ledger entries of every
  // order its events name are read (a statement per chunk), then the
  // handlers book on the transaction's store, whose new entries are written
  // before COMMIT. Every event settlement consumes carries `order_id`.
  consumer.BeforeBatch(
      [this](const std::vector<const google::protobuf::Message*>& events, mysql::Transaction& tx) {
        return TransactionLedgerStore::Of(ledger_, tx)
            .LockForBatch(consumer::StringFieldOfEach(events, "order_id"));
      });
  auto store = [this](mysql::Transaction& tx) -> LedgerStore& {
    return TransactionLedgerStore::Of(ledger_, tx);
  };
  consumer.On(consumer::SagaHandler(saga_, &SettlementSaga::OnOrderCompleted, store));
  consumer.On(consumer::SagaHandler(saga_, &SettlementSaga::OnOrderCancelled, store));
}

}  // namespace shop::settlement::app

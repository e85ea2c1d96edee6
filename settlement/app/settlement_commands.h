// What the settlement service does: book revenue when an order completes, a
// reversal when a completed order is cancelled, and answer questions about
// the ledger.
#ifndef SHOP_SETTLEMENT_APP_SETTLEMENT_COMMANDS_H_
#define SHOP_SETTLEMENT_APP_SETTLEMENT_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/consumer/event_consumer.h"
#include "common/events/event_metadata.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox.h"
#include "settlement/app/settlement_saga.h"
#include "settlement/storage/ledger_repository.h"

namespace shop::settlement::app {

class SettlementCommands {
 public:
  SettlementCommands(mysql::ConnectionPool& pool, outbox::Outbox& outbox)
      : pool_(pool), outbox_(outbox) {}

  // Dates "YYYY-MM-DD"; empty start means today (UTC), empty end means start.
  absl::StatusOr<std::vector<storage::DailyTotal>> DailyTotals(const std::string& start_date,
                                                               const std::string& end_date,
                                                               const std::string& currency_code,
                                                               absl::Time deadline);
  absl::StatusOr<std::vector<storage::LedgerEntry>> EntriesOf(const std::string& order_id,
                                                              absl::Time deadline);

  // OrderCompleted and OrderCancelled handlers.
  // The handlers are SettlementSaga's, one line each.
  void RegisterSagaHandlers(consumer::EventConsumer& consumer);

 private:
  mysql::ConnectionPool& pool_;
  outbox::Outbox& outbox_;
  storage::LedgerRepository ledger_;
  SettlementSaga saga_{events::NewUuid};
};

}  // namespace shop::settlement::app

#endif  // SHOP_SETTLEMENT_APP_SETTLEMENT_COMMANDS_H_

// The ledger in the settlement service's own database, in the caller's transaction.
#ifndef SHOP_SETTLEMENT_STORAGE_LEDGER_REPOSITORY_H_
#define SHOP_SETTLEMENT_STORAGE_LEDGER_REPOSITORY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/mysql/migrations.h"
#include "common/mysql/transaction.h"
#include "proto/shop/settlement/v1/settlement.pb.h"

namespace shop::settlement::storage {

using shop::settlement::v1::DailyTotal;
using shop::settlement::v1::LedgerEntry;

class LedgerRepository {
 public:
  // False (and nothing written) when the order already has an entry of this type.
  absl::StatusOr<bool> Book(mysql::Transaction& tx, const LedgerEntry& entry);
  absl::StatusOr<std::vector<LedgerEntry>> EntriesOf(mysql::Transaction& tx,
                                                     const std::string& order_id);
  // Per day and currency, oldest first; dates "YYYY-MM-DD" inclusive;
  // empty `currency_code` for all.
  absl::StatusOr<std::vector<DailyTotal>> DailyTotals(mysql::Transaction& tx,
                                                      const std::string& start_date,
                                                      const std::string& end_date,
                                                      const std::string& currency_code);
};

std::vector<mysql::Migration> LedgerMigrations();

}  // namespace shop::settlement::storage

#endif  // SHOP_SETTLEMENT_STORAGE_LEDGER_REPOSITORY_H_

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
  // Writes the entries, a chunk per statement; an order that already has an
  // entry of the type fails the statement (at most one of each per order).
  absl::Status BookMany(mysql::Transaction& tx, const std::vector<const LedgerEntry*>& entries);
  absl::StatusOr<std::vector<LedgerEntry>> EntriesOf(mysql::Transaction& tx,
                                                     const std::string& order_id);
  // The entries of many orders, a chunk of orders per statement.
  absl::StatusOr<std::vector<LedgerEntry>> EntriesOfMany(mysql::Transaction& tx,
                                                         const std::vector<std::string>& order_ids);
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

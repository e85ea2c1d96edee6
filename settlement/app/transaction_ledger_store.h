// The LedgerStore of one MySQL transaction, shared by every handler of a
// consumer batch (a unit of work), like order's and delivery's stores:
// LockForBatch reads the ledger entries of every order the batch's events
// name in one statement per chunk; Book then decides from memory whether the
// order already has an entry of the type (booked before, or earlier in this
// batch); the new entries are written just before COMMIT, a chunk per
// statement. A batch of n events costs about two statements instead of n.
//
// Entries are never changed, so they are read without locks: a booking that
// races another transaction's is refused at COMMIT by the unique key
// (order_id, entry_type), and the batch, applied again, finds the entry.
#ifndef SHOP_SETTLEMENT_APP_TRANSACTION_LEDGER_STORE_H_
#define SHOP_SETTLEMENT_APP_TRANSACTION_LEDGER_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "common/mysql/locked_rows.h"
#include "common/mysql/transaction.h"
#include "settlement/app/settlement_saga.h"
#include "settlement/storage/ledger_repository.h"

namespace shop::settlement::app {

class TransactionLedgerStore : public LedgerStore {
 public:
  // The store of `tx`, made on first use (its writes then run before COMMIT).
  static TransactionLedgerStore& Of(storage::LedgerRepository& ledger, mysql::Transaction& tx);

  // Reads the entries of `order_ids` not read yet.
  absl::Status LockForBatch(const std::vector<std::string>& order_ids);

  absl::StatusOr<bool> Book(const shop::settlement::v1::LedgerEntry& entry) override;

 private:
  std::optional<mysql::LockedRows<shop::settlement::v1::LedgerEntry>> entries_;  // by EntryKey
};

}  // namespace shop::settlement::app

#endif  // SHOP_SETTLEMENT_APP_TRANSACTION_LEDGER_STORE_H_

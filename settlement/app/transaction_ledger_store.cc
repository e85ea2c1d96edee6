#include "settlement/app/transaction_ledger_store.h"

#include <map>

#include "absl/strings/str_cat.h"

namespace shop::settlement::app {
namespace {

using shop::settlement::v1::LedgerEntry;
using shop::settlement::v1::LedgerEntryType;

// One entry of each type per order: "<order id>/<type number>".
std::string EntryKey(const std::string& order_id, int type) {
  return absl::StrCat(order_id, "/", type);
}

std::string OrderOfKey(const std::string& key) { return key.substr(0, key.rfind('/')); }

}  // namespace

TransactionLedgerStore& TransactionLedgerStore::Of(storage::LedgerRepository& ledger,
                                                   mysql::Transaction& tx) {
  bool created = false;
  TransactionLedgerStore& store = tx.Attachment<TransactionLedgerStore>(&ledger, &created);
  if (created) {
    mysql::LockedRows<LedgerEntry>::Access access;
    access.noun = "ledger entry";
    access.read_for_update = [&ledger, &tx](const std::vector<std::string>& keys)
        -> absl::StatusOr<std::map<std::string, LedgerEntry>> {
      std::vector<std::string> order_ids;
      for (const std::string& key : keys) {
        std::string order_id = OrderOfKey(key);
        if (order_ids.empty() || order_ids.back() != order_id) order_ids.push_back(order_id);
      }
      auto entries = ledger.EntriesOfMany(tx, order_ids);
      if (!entries.ok()) return entries.status();
      std::map<std::string, LedgerEntry> found;
      for (LedgerEntry& entry : *entries) {
        found[EntryKey(entry.order_id(), entry.type())] = std::move(entry);
      }
      return found;
    };
    access.insert = [&ledger, &tx](const std::vector<const LedgerEntry*>& entries) {
      return ledger.BookMany(tx, entries);
    };
    access.update = [](const std::vector<const LedgerEntry*>&) {
      return absl::FailedPreconditionError("ledger entries are never changed");
    };
    store.entries_.emplace(std::move(access));
    tx.BeforeCommit([&store] { return store.entries_->Flush(); });
  }
  return store;
}

absl::Status TransactionLedgerStore::LockForBatch(const std::vector<std::string>& order_ids) {
  std::vector<std::string> keys;
  for (const std::string& order_id : order_ids) {
    for (int type = shop::settlement::v1::LedgerEntryType_MIN + 1;
         type <= shop::settlement::v1::LedgerEntryType_MAX; ++type) {
      keys.push_back(EntryKey(order_id, type));
    }
  }
  return entries_->Load(keys);
}

absl::StatusOr<bool> TransactionLedgerStore::Book(const LedgerEntry& entry) {
  absl::Status booked = entries_->Insert(EntryKey(entry.order_id(), entry.type()), entry);
  if (booked.code() == absl::StatusCode::kAlreadyExists) return false;
  if (!booked.ok()) return booked;
  return true;
}

}  // namespace shop::settlement::app

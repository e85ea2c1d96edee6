// A database transaction on a pooled connection: Commit() makes its writes
// durable; a transaction destroyed without Commit() rolls back.
//
//   auto tx = Transaction::Begin(pool, deadline);
//   if (!tx.ok()) return tx.status();
//   ... (*tx)->Prepare("INSERT ...") ...
//   return (*tx)->Commit();
#ifndef SHOP_COMMON_MYSQL_TRANSACTION_H_
#define SHOP_COMMON_MYSQL_TRANSACTION_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mysql/connection_pool.h"

namespace shop::mysql {

class Transaction {
 public:
  static absl::StatusOr<std::unique_ptr<Transaction>> Begin(ConnectionPool& pool,
                                                            absl::Time deadline);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // A cached prepared statement on this transaction's connection.
  sql::PreparedStatement& Prepare(const std::string& sql) { return connection_.Prepare(sql); }
  // Runs a statement without parameters or results (e.g. SAVEPOINT).
  void Execute(const std::string& sql) { connection_.Execute(sql); }

  // Runs `work` (which may throw sql::SQLException) and maps what it throws
  // to a status; a lost connection is marked broken.
  absl::Status Run(absl::string_view what, absl::FunctionRef<absl::Status()> work);

  // Commits. The work registered with BeforeCommit runs first, in order (an
  // error there rolls back and is returned); the callbacks registered with
  // AfterCommit run after a successful commit, on this thread.
  absl::Status Commit();
  absl::Status Rollback();

  // E.g. waking the outbox relay once the events are visible.
  void AfterCommit(std::function<void()> callback) { after_commit_.push_back(std::move(callback)); }

  // E.g. writing the outbox rows appended during the transaction as one
  // multi-row INSERT. May throw sql::SQLException (mapped by Commit).
  void BeforeCommit(std::function<absl::Status()> work) {
    before_commit_.push_back(std::move(work));
  }

  // State a component keeps for the length of this transaction, one per
  // `owner`, created empty on first use; `created` tells whether it just was.
  template <typename T>
  T& Attachment(const void* owner, bool* created = nullptr) {
    for (auto& [key, value] : attachments_) {
      if (key != owner) continue;
      if (created != nullptr) *created = false;
      return *static_cast<T*>(value.get());
    }
    auto value = std::make_shared<T>();
    T& state = *value;
    attachments_.emplace_back(owner, std::move(value));
    if (created != nullptr) *created = true;
    return state;
  }

  PooledConnection& connection() { return connection_; }

 private:
  explicit Transaction(PooledConnection connection) : connection_(std::move(connection)) {}

  PooledConnection connection_;
  bool open_ = true;
  std::vector<std::function<absl::Status()>> before_commit_;
  std::vector<std::function<void()>> after_commit_;
  std::vector<std::pair<const void*, std::shared_ptr<void>>> attachments_;
};

// Runs `work` in a transaction and commits it; retries the whole unit a few
// times when MySQL aborts it (deadlock, lock wait timeout). `work` returns
// a non-OK status to roll back.
absl::Status RunInTransaction(ConnectionPool& pool, absl::Time deadline,
                              absl::FunctionRef<absl::Status(Transaction&)> work);

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_TRANSACTION_H_

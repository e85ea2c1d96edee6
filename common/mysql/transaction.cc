#include "common/mysql/transaction.h"

#include <cppconn/exception.h>

#include "common/mysql/errors.h"

namespace shop::mysql {

absl::StatusOr<std::unique_ptr<Transaction>> Transaction::Begin(ConnectionPool& pool,
                                                                absl::Time deadline) {
  // A session with autocommit off: the first statement opens the
  // transaction, so beginning one costs no round trip of its own.
  auto connection = pool.Acquire(deadline, SessionMode::kTransactions);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<Transaction>(new Transaction(*std::move(connection)));
}

Transaction::~Transaction() {
  if (open_) Rollback().IgnoreError();
}

absl::Status Transaction::Run(absl::string_view what, absl::FunctionRef<absl::Status()> work) {
  return connection_.Run(what, work);
}

absl::Status Transaction::Commit() {
  for (auto& work : before_commit_) {
    absl::Status done = Run("before COMMIT", work);
    if (!done.ok()) {
      Rollback().IgnoreError();
      return done;
    }
  }
  absl::Status status = Run("COMMIT", [this] {
    Execute("COMMIT");
    return absl::OkStatus();
  });
  if (!status.ok()) {
    // The outcome of a COMMIT whose connection died is unknown; the caller
    // retries, and idempotency (keys, processed_events) makes that safe.
    connection_.MarkBroken();
    open_ = false;
    return status;
  }
  open_ = false;
  for (auto& callback : after_commit_) callback();
  return absl::OkStatus();
}

absl::Status Transaction::Rollback() {
  open_ = false;
  absl::Status status = Run("ROLLBACK", [this] {
    Execute("ROLLBACK");
    return absl::OkStatus();
  });
  if (!status.ok()) connection_.MarkBroken();
  return status;
}

absl::Status RunInTransaction(ConnectionPool& pool, absl::Time deadline,
                              absl::FunctionRef<absl::Status(Transaction&)> work) {
  constexpr int kAttempts = 4;
  absl::Status status;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    auto transaction = Transaction::Begin(pool, deadline);
    if (!transaction.ok()) return transaction.status();
    status = (*transaction)->Run("transaction", [&] { return work(**transaction); });
    if (status.ok()) status = (*transaction)->Commit();
    if (status.code() != absl::StatusCode::kAborted || absl::Now() >= deadline) return status;
  }
  return status;
}

}  // namespace shop::mysql

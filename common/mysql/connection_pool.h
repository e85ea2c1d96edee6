// A bounded pool of Connector/C++ connections to one database.
//
// Connections are opened on demand up to `pool_size`; callers beyond it wait
// until their deadline and then get UNAVAILABLE. A connection that failed
// with a connection-level error is marked broken and replaced, so the pool
// survives a database restart without a process restart. Each connection
// caches its prepared statements.
#ifndef SHOP_COMMON_MYSQL_CONNECTION_POOL_H_
#define SHOP_COMMON_MYSQL_CONNECTION_POOL_H_

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/metrics/metrics.h"
#include "common/mysql/options.h"

namespace shop::mysql {

class ConnectionPool;

// One open connection and the statements prepared on it.
struct PooledSlot {
  std::unique_ptr<sql::Connection> connection;
  absl::flat_hash_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements;
  absl::Time last_used;
  // The session's autocommit: on when opened, off once lent for
  // transactions (see SessionMode). Only the pool changes it.
  bool autocommit = true;
};

// How a borrowed connection's session runs statements.
enum class SessionMode {
  // Each statement commits on its own (reads, the relay, CALLs that commit).
  kAutocommit,
  // autocommit=0: the first statement opens a transaction, COMMIT or
  // ROLLBACK ends it. For mysql::Transaction, which so needs no START
  // TRANSACTION round trip; the pool switches a session's mode (one SET,
  // rarely: it lends a connection already in the mode asked for when it has
  // one) and never lends one in the wrong mode.
  kTransactions,
};

// A connection borrowed from the pool; returns itself when destroyed.
class PooledConnection {
 public:
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&&) = delete;
  PooledConnection(const PooledConnection&) = delete;
  ~PooledConnection();

  sql::Connection& connection() { return *slot_->connection; }

  // The prepared statement for `sql`, prepared once per connection.
  // Throws sql::SQLException like the connector does.
  sql::PreparedStatement& Prepare(const std::string& sql);

  // Runs `sql` (no parameters, no results: BEGIN, COMMIT, DDL).
  void Execute(const std::string& sql);

  // The connection is not returned to the pool, but closed.
  void MarkBroken() { broken_ = true; }

  // Runs `work` (which may throw sql::SQLException): what it throws becomes
  // a status by the one taxonomy, prefixed with `what`; a lost connection
  // is marked broken.
  absl::Status Run(absl::string_view what, absl::FunctionRef<absl::Status()> work);

 private:
  friend class ConnectionPool;
  PooledConnection(ConnectionPool* pool, std::unique_ptr<PooledSlot> slot)
      : pool_(pool), slot_(std::move(slot)) {}

  ConnectionPool* pool_;
  std::unique_ptr<PooledSlot> slot_;
  bool broken_ = false;
};

class ConnectionPool {
 public:
  explicit ConnectionPool(MysqlOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A connection, waiting at most until `deadline` for a free one.
  // UNAVAILABLE when the database cannot be reached or the pool stays full.
  absl::StatusOr<PooledConnection> Acquire(absl::Time deadline,
                                           SessionMode mode = SessionMode::kAutocommit);
  absl::StatusOr<PooledConnection> Acquire() {
    return Acquire(absl::Now() + options_.connect_timeout + absl::Seconds(2));
  }

  // Opens a connection outside the pool (e.g. to hold a named lock).
  absl::StatusOr<std::unique_ptr<sql::Connection>> OpenDedicated();

  const MysqlOptions& options() const { return options_; }

  // Connections currently open (idle and borrowed).
  int open_connections() const;
  // Connections handed out and not yet returned.
  int in_use() const;

 private:
  friend class PooledConnection;
  void Release(std::unique_ptr<PooledSlot> slot, bool broken);
  // Sets the session's autocommit to what `mode` needs; false (and the slot
  // released as broken) when the connection failed.
  bool SetMode(std::unique_ptr<PooledSlot>& slot, SessionMode mode, absl::Status* error);

  const MysqlOptions options_;
  metrics::Histogram& wait_;  // shop_db_pool_wait_seconds of this database
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<PooledSlot>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

// Opens one connection with `options` (timeouts set, autocommit on,
// READ COMMITTED, utf8mb4). Exposed for tools and tests.
absl::StatusOr<std::unique_ptr<sql::Connection>> Connect(const MysqlOptions& options);

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_CONNECTION_POOL_H_

#include "common/mysql/connection_pool.h"

#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <algorithm>
#include <iterator>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"
#include "common/mysql/errors.h"

namespace shop::mysql {
namespace {

// A connection idle for longer than this is pinged before it is handed out.
constexpr absl::Duration kValidateAfterIdle = absl::Seconds(2);

sql::mysql::MySQL_Driver* Driver() {
  // The driver initialises the client library; do it once, thread-safely.
  static sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
  return driver;
}

int Seconds(absl::Duration duration) {
  return std::max(1, static_cast<int>(absl::ToInt64Seconds(duration)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<sql::Connection>> Connect(const MysqlOptions& options) {
  sql::ConnectOptionsMap map;
  map["hostName"] = sql::SQLString(options.socket.empty()
                                       ? absl::StrCat("tcp://", options.host, ":", options.port)
                                       : absl::StrCat("unix://", options.socket));
  map["userName"] = sql::SQLString(options.user);
  map["password"] = sql::SQLString(options.password);
  if (!options.database.empty()) map["schema"] = sql::SQLString(options.database);
  map["OPT_CONNECT_TIMEOUT"] = Seconds(options.connect_timeout);
  map["OPT_READ_TIMEOUT"] = Seconds(options.io_timeout);
  map["OPT_WRITE_TIMEOUT"] = Seconds(options.io_timeout);
  map["OPT_RECONNECT"] = false;
  map["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  if (!options.tls_ca.empty()) {
    map["sslCA"] = sql::SQLString(options.tls_ca);
    map["sslEnforce"] = true;
    map["sslVerify"] = true;
  }
  if (!options.tls_cert.empty()) {
    map["sslCert"] = sql::SQLString(options.tls_cert);
    map["sslKey"] = sql::SQLString(options.tls_key);
  }
  try {
    std::unique_ptr<sql::Connection> connection(Driver()->connect(map));
    std::unique_ptr<sql::Statement> statement(connection->createStatement());
    statement->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    statement->execute("SET time_zone = '+00:00'");
    return connection;
  } catch (const sql::SQLException& error) {
    absl::Status status = FromSqlException(
        error, absl::StrCat("connecting to MySQL at ",
                            options.socket.empty() ? absl::StrCat(options.host, ":", options.port)
                                                   : options.socket,
                            " as ", options.user));
    // Whatever went wrong while connecting, the caller can only wait and retry,
    // except for bad credentials or a missing database.
    if (status.code() == absl::StatusCode::kInternal) {
      return absl::UnavailableError(status.message());
    }
    return status;
  }
}

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(other.pool_), slot_(std::move(other.slot_)), broken_(other.broken_) {
  other.pool_ = nullptr;
}

PooledConnection::~PooledConnection() {
  if (pool_ != nullptr && slot_ != nullptr) pool_->Release(std::move(slot_), broken_);
}

absl::Status PooledConnection::Run(absl::string_view what, absl::FunctionRef<absl::Status()> work) {
  try {
    return work();
  } catch (const sql::SQLException& error) {
    if (IsConnectionLost(error.getErrorCode())) MarkBroken();
    return FromSqlException(error, what);
  }
}

sql::PreparedStatement& PooledConnection::Prepare(const std::string& sql) {
  auto it = slot_->statements.find(sql);
  if (it == slot_->statements.end()) {
    std::unique_ptr<sql::PreparedStatement> statement(slot_->connection->prepareStatement(sql));
    it = slot_->statements.emplace(sql, std::move(statement)).first;
  }
  it->second->clearParameters();
  return *it->second;
}

void PooledConnection::Execute(const std::string& sql) {
  std::unique_ptr<sql::Statement> statement(slot_->connection->createStatement());
  statement->execute(sql);
}

ConnectionPool::ConnectionPool(MysqlOptions options)
    : options_(std::move(options)),
      wait_(metrics::Registry::Default()
                .Histogram("shop_db_pool_wait_seconds",
                           "Time to get a MySQL connection from the pool.", {"database"})
                .With({options_.database})) {
  Driver();
}

ConnectionPool::~ConnectionPool() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
}

int ConnectionPool::in_use() const {
  absl::MutexLock lock(&mu_);
  return open_ - static_cast<int>(idle_.size());
}

int ConnectionPool::open_connections() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

absl::StatusOr<std::unique_ptr<sql::Connection>> ConnectionPool::OpenDedicated() {
  return Connect(options_);
}

absl::StatusOr<PooledConnection> ConnectionPool::Acquire(absl::Time deadline, SessionMode mode) {
  const bool autocommit = mode == SessionMode::kAutocommit;
  const absl::Time started = absl::Now();
  while (true) {
    std::unique_ptr<PooledSlot> slot;
    {
      absl::MutexLock lock(&mu_);
      auto available = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return !idle_.empty() || open_ < options_.pool_size;
      };
      if (!mu_.AwaitWithDeadline(absl::Condition(&available), deadline)) {
        return absl::UnavailableError(
            absl::StrCat("all ", options_.pool_size, " MySQL connections are busy"));
      }
      if (!idle_.empty()) {
        // The most recently used idle connection in the mode asked for, else
        // the most recently used one.
        auto match = std::find_if(idle_.rbegin(), idle_.rend(),
                                  [&](const auto& idle) { return idle->autocommit == autocommit; });
        auto chosen = match != idle_.rend() ? std::prev(match.base()) : std::prev(idle_.end());
        slot = std::move(*chosen);
        idle_.erase(chosen);
      } else {
        ++open_;
      }
    }
    wait_.Observe(absl::ToDoubleSeconds(absl::Now() - started));
    if (slot == nullptr) {
      auto connection = Connect(options_);
      if (!connection.ok()) {
        absl::MutexLock lock(&mu_);
        --open_;
        return connection.status();
      }
      slot = std::make_unique<PooledSlot>();
      slot->connection = *std::move(connection);
      absl::Status error;
      if (!SetMode(slot, mode, &error)) return error;
      return PooledConnection(this, std::move(slot));
    }
    bool usable = !slot->connection->isClosed();
    if (usable && absl::Now() - slot->last_used > kValidateAfterIdle) {
      try {
        usable = slot->connection->isValid();
      } catch (const sql::SQLException&) {
        usable = false;
      }
    }
    if (!usable) {
      Release(std::move(slot), /*broken=*/true);  // replaced on the next turn
      continue;
    }
    absl::Status error;
    if (!SetMode(slot, mode, &error)) continue;  // replaced on the next turn
    return PooledConnection(this, std::move(slot));
  }
}

bool ConnectionPool::SetMode(std::unique_ptr<PooledSlot>& slot, SessionMode mode,
                             absl::Status* error) {
  const bool autocommit = mode == SessionMode::kAutocommit;
  if (slot->autocommit == autocommit) return true;
  try {
    std::unique_ptr<sql::Statement> statement(slot->connection->createStatement());
    statement->execute(autocommit ? "SET autocommit = 1" : "SET autocommit = 0");
    slot->autocommit = autocommit;
    return true;
  } catch (const sql::SQLException& failure) {
    *error = FromSqlException(failure, "setting the session's autocommit");
    Release(std::move(slot), /*broken=*/true);
    return false;
  }
}

void ConnectionPool::Release(std::unique_ptr<PooledSlot> slot, bool broken) {
  slot->last_used = absl::Now();
  if (broken) {
    try {
      slot->statements.clear();
      slot->connection->close();
    } catch (const sql::SQLException&) {
      // Already gone.
    }
    slot.reset();
    absl::MutexLock lock(&mu_);
    --open_;
    return;
  }
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(slot));
}

}  // namespace shop::mysql

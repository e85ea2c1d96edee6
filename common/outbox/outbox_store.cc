#include "common/outbox/outbox_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/event_metadata.h"
#include "common/logging/log.h"

namespace shop::outbox {
namespace {

// Published rows are deleted in chunks of this many ids (the last id
// repeated as padding), so one prepared statement serves every batch.
constexpr int kDeleteChunk = 100;

absl::Time ParseDatetime(const std::string& text) {
  absl::Time time;
  std::string error;
  if (absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &time, &error)) {
    return time;
  }
  return absl::Now();
}

// Runs `work` on a pooled connection (PooledConnection::Run: SQL exceptions
// become statuses, a lost connection is not returned to the pool).
template <typename Work>
auto OnConnection(mysql::ConnectionPool& pool, absl::string_view what, Work work)
    -> decltype(work(std::declval<mysql::PooledConnection&>())) {
  auto connection = pool.Acquire();
  if (!connection.ok()) return connection.status();
  decltype(work(*connection)) result = absl::InternalError("not run");
  absl::Status ran = connection->Run(what, [&] {
    result = work(*connection);
    return absl::OkStatus();
  });
  if (!ran.ok()) return ran;
  return result;
}

// A statement on the lock's own connection; false (logged) when it fails.
bool LockQuery(sql::Connection& connection, const std::string& sql, const std::string& lock_name,
               const char* what) {
  try {
    std::unique_ptr<sql::PreparedStatement> statement(connection.prepareStatement(sql));
    statement->setString(1, lock_name);
    std::unique_ptr<sql::ResultSet> result(statement->executeQuery());
    return result->next() && !result->isNull(1) && result->getInt(1) == 1;
  } catch (const sql::SQLException& error) {
    log::Warning("outbox relay lock query failed", {{"lock", lock_name},
                                                    {"step", std::string(what)},
                                                    {"mysql_error", int64_t{error.getErrorCode()}},
                                                    {"error", std::string(error.what())}});
    return false;
  }
}

}  // namespace

MysqlOutboxStore::MysqlOutboxStore(mysql::ConnectionPool& pool, std::string lock_name)
    : pool_(pool), lock_name_(std::move(lock_name)) {
  if (lock_name_.empty()) lock_name_ = absl::StrCat("outbox_relay:", pool_.options().database);
}

absl::StatusOr<std::vector<OutboxRow>> MysqlOutboxStore::FetchPublishable(
    int limit, const std::vector<IdRange>& skip) {
  if (skip.size() > static_cast<size_t>(kMaxSkipRanges)) {
    return absl::InvalidArgumentError(
        absl::StrCat(skip.size(), " ranges to skip, over ", kMaxSkipRanges));
  }
  return OnConnection(
      pool_, "reading the outbox",
      [&](mysql::PooledConnection& connection) -> absl::StatusOr<std::vector<OutboxRow>> {
        // Every row in the table is unpublished (published ones are deleted),
        // so this is a walk of the primary key from its start, in ranges
        // around the ids to skip (an unused range is 0..-1, which skips
        // nothing). A row is held when a parked row of its topic and key
        // comes before it. Parked rows are rare: the first NOT EXISTS,
        // uncorrelated, runs once per read (one probe of outbox_parked) and,
        // while nothing is parked, spares every row the correlated probe (a
        // profile of d1 put 11% of MariaDB's time in it, row by row).
        sql::PreparedStatement& select = connection.Prepare([] {
          std::string sql =
              "SELECT o.id, o.event_id, o.topic, o.record_key, o.event_type, o.payload, o.source,"
              " o.correlation_id, o.causation_id, o.created_at FROM outbox o FORCE INDEX (PRIMARY)"
              " WHERE o.parked_at IS NULL";
          for (int i = 0; i < kMaxSkipRanges; ++i) sql += " AND o.id NOT BETWEEN ? AND ?";
          return sql +
                 " AND (NOT EXISTS (SELECT 1 FROM outbox q WHERE q.parked_at IS NOT NULL)"
                 " OR NOT EXISTS (SELECT 1 FROM outbox p WHERE p.parked_at IS NOT NULL"
                 "   AND p.topic = o.topic AND p.record_key = o.record_key AND p.id < o.id))"
                 " ORDER BY o.id LIMIT ?";
        }());
        for (int i = 0; i < kMaxSkipRanges; ++i) {
          const IdRange range = i < static_cast<int>(skip.size()) ? skip[i] : IdRange{};
          select.setInt64(2 * i + 1, range.first);
          select.setInt64(2 * i + 2, range.last);
        }
        select.setInt(2 * kMaxSkipRanges + 1, limit);
        std::unique_ptr<sql::ResultSet> result(select.executeQuery());
        std::vector<OutboxRow> rows;
        while (result->next()) {
          OutboxRow row;
          row.id = result->getInt64("id");
          row.created_at = ParseDatetime(result->getString("created_at"));
          events::EventMetadata metadata;
          metadata.id = result->getString("event_id");
          metadata.type = result->getString("event_type");
          metadata.source = result->getString("source");
          metadata.time = row.created_at;
          metadata.correlation_id = result->getString("correlation_id");
          metadata.causation_id = result->getString("causation_id");
          row.record.topic = result->getString("topic");
          row.record.key = result->getString("record_key");
          row.record.value = result->getString("payload");
          row.record.headers = events::ToHeaders(metadata);
          rows.push_back(std::move(row));
        }
        if (!rows.empty()) {
          // The rows are visible, but InnoDB shows a commit before its log is
          // flushed: a crash now could still undo them. A commit of our own,
          // made after the read, is durable only once the log is flushed
          // past every transaction the read saw; until it returns, nothing
          // read is published (migrations/0004_durability_barrier.sql).
          connection
              .Prepare(
                  "INSERT INTO outbox_barrier (id, passes) VALUES (1, 1)"
                  " ON DUPLICATE KEY UPDATE passes = passes + 1")
              .executeUpdate();
        }
        return rows;
      });
}

absl::Status MysqlOutboxStore::DeletePublished(const std::vector<int64_t>& ids) {
  if (ids.empty()) return absl::OkStatus();
  return OnConnection(pool_, "deleting published outbox rows",
                      [&](mysql::PooledConnection& connection) {
                        sql::PreparedStatement& remove = connection.Prepare([] {
                          std::string sql = "DELETE FROM outbox WHERE id IN (?";
                          for (int i = 1; i < kDeleteChunk; ++i) sql += ", ?";
                          return sql + ")";
                        }());
                        for (size_t start = 0; start < ids.size(); start += kDeleteChunk) {
                          for (int i = 0; i < kDeleteChunk; ++i) {
                            remove.setInt64(i + 1, ids[std::min(start + i, ids.size() - 1)]);
                          }
                          remove.executeUpdate();
                        }
                        return absl::OkStatus();
                      });
}

absl::Status MysqlOutboxStore::Park(int64_t id, const std::string& reason) {
  return OnConnection(pool_, "parking an outbox row", [&](mysql::PooledConnection& connection) {
    sql::PreparedStatement& park = connection.Prepare(
        "UPDATE outbox SET parked_at = UTC_TIMESTAMP(6), park_reason = ? WHERE id = ?");
    park.setString(1, reason.substr(0, 1024));
    park.setInt64(2, id);
    park.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> MysqlOutboxStore::Count(const std::string& sql, const std::string& what) {
  return OnConnection(
      pool_, what, [&](mysql::PooledConnection& connection) -> absl::StatusOr<int64_t> {
        std::unique_ptr<sql::ResultSet> result(connection.Prepare(sql).executeQuery());
        return result->next() ? result->getInt64(1) : 0;
      });
}

absl::StatusOr<int64_t> MysqlOutboxStore::CountUnpublished() {
  return Count("SELECT COUNT(*) FROM outbox", "counting the backlog");
}

absl::StatusOr<int64_t> MysqlOutboxStore::CountParked() {
  return Count("SELECT COUNT(*) FROM outbox WHERE parked_at IS NOT NULL", "counting parked rows");
}

bool MysqlOutboxStore::TryAcquireLock() {
  auto connection = pool_.OpenDedicated();
  if (!connection.ok()) return false;
  if (!LockQuery(**connection, "SELECT GET_LOCK(?, 0)", lock_name_, "acquire")) return false;
  lock_connection_ = *std::move(connection);
  return true;
}

bool MysqlOutboxStore::HoldsLock() {
  if (lock_connection_ == nullptr) return false;
  if (LockQuery(*lock_connection_, "SELECT IS_USED_LOCK(?) = CONNECTION_ID()", lock_name_,
                "check")) {
    return true;
  }
  lock_connection_.reset();
  return false;
}

void MysqlOutboxStore::ReleaseLock() {
  if (lock_connection_ == nullptr) return;
  LockQuery(*lock_connection_, "SELECT RELEASE_LOCK(?)", lock_name_, "release");
  lock_connection_.reset();  // closing the connection frees the lock in any case
}

absl::StatusOr<std::vector<ParkedRow>> MysqlOutboxStore::ListParked(int limit) {
  return OnConnection(
      pool_, "listing parked rows",
      [&](mysql::PooledConnection& connection) -> absl::StatusOr<std::vector<ParkedRow>> {
        sql::PreparedStatement& select = connection.Prepare(
            "SELECT p.id, p.event_id, p.event_type, p.topic, p.record_key, p.park_reason,"
            " LENGTH(p.payload) AS bytes, p.created_at, p.parked_at,"
            " (SELECT COUNT(*) FROM outbox h WHERE h.topic = p.topic"
            "  AND h.record_key = p.record_key AND h.id > p.id) AS held"
            " FROM outbox p WHERE p.parked_at IS NOT NULL"
            " ORDER BY p.id LIMIT ?");
        select.setInt(1, limit);
        std::unique_ptr<sql::ResultSet> result(select.executeQuery());
        std::vector<ParkedRow> rows;
        while (result->next()) {
          ParkedRow row;
          row.id = result->getInt64("id");
          row.event_id = result->getString("event_id");
          row.event_type = result->getString("event_type");
          row.topic = result->getString("topic");
          row.key = result->getString("record_key");
          row.reason = result->getString("park_reason");
          row.payload_bytes = result->getInt64("bytes");
          row.created_at = result->getString("created_at");
          row.parked_at = result->getString("parked_at");
          row.held_behind = result->getInt64("held");
          rows.push_back(std::move(row));
        }
        return rows;
      });
}

absl::Status MysqlOutboxStore::ChangeParked(const std::string& sql, int64_t id,
                                            const std::string& what) {
  return OnConnection(pool_, what, [&](mysql::PooledConnection& connection) {
    sql::PreparedStatement& statement = connection.Prepare(sql);
    statement.setInt64(1, id);
    if (statement.executeUpdate() == 0) {
      return absl::NotFoundError(absl::StrCat("outbox row ", id, " is not parked"));
    }
    return absl::OkStatus();
  });
}

absl::Status MysqlOutboxStore::Release(int64_t id) {
  return ChangeParked(
      "UPDATE outbox SET parked_at = NULL, park_reason = NULL"
      " WHERE id = ? AND parked_at IS NOT NULL",
      id, "releasing a parked row");
}

absl::Status MysqlOutboxStore::Discard(int64_t id) {
  return ChangeParked("DELETE FROM outbox WHERE id = ? AND parked_at IS NOT NULL", id,
                      "discarding a parked row");
}

}  // namespace shop::outbox

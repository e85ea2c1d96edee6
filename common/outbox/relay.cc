#include "common/outbox/relay.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/event_metadata.h"
#include "common/logging/log.h"
#include "common/mysql/errors.h"

namespace shop::outbox {
namespace {

constexpr size_t kLatencyWindow = 4096;
// Rows are marked in chunks of this many ids (the last id repeated as
// padding), so one prepared statement serves every batch.
constexpr int kMarkChunk = 100;

absl::Time ParseDatetime(const std::string& text) {
  absl::Time time;
  std::string error;
  if (absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &time, &error)) {
    return time;
  }
  return absl::Now();
}

}  // namespace

struct OutboxRelay::Row {
  int64_t id;
  kafka::Record record;
  absl::Time created_at;
};

OutboxRelay::OutboxRelay(mysql::ConnectionPool& pool, kafka::Producer& producer,
                         RelayOptions options)
    : pool_(pool), producer_(producer), options_(std::move(options)) {
  if (options_.lock_name.empty()) {
    options_.lock_name = absl::StrCat("outbox_relay:", pool_.options().database);
  }
}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void OutboxRelay::Stop() {
  stopping_ = true;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void OutboxRelay::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

RelayStats OutboxRelay::stats() const {
  absl::MutexLock lock(&mu_);
  RelayStats stats = stats_;
  stats.active = active_.load();
  if (!latencies_.empty()) {
    std::vector<absl::Duration> sorted(latencies_.begin(), latencies_.end());
    std::sort(sorted.begin(), sorted.end());
    stats.latency_p50 = sorted[sorted.size() / 2];
    stats.latency_p99 = sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)];
  }
  return stats;
}

void OutboxRelay::WaitForWork(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return woken_ || stopping_.load(); };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  woken_ = false;
}

bool OutboxRelay::TryAcquireLock() {
  auto connection = pool_.OpenDedicated();
  if (!connection.ok()) return false;
  try {
    std::unique_ptr<sql::PreparedStatement> statement(
        (*connection)->prepareStatement("SELECT GET_LOCK(?, 0)"));
    statement->setString(1, options_.lock_name);
    std::unique_ptr<sql::ResultSet> result(statement->executeQuery());
    if (result->next() && !result->isNull(1) && result->getInt(1) == 1) {
      lock_connection_ = *std::move(connection);
      return true;
    }
  } catch (const sql::SQLException&) {
  }
  return false;
}

bool OutboxRelay::HoldsLock() {
  if (lock_connection_ == nullptr) return false;
  try {
    std::unique_ptr<sql::PreparedStatement> statement(
        lock_connection_->prepareStatement("SELECT IS_USED_LOCK(?) = CONNECTION_ID()"));
    statement->setString(1, options_.lock_name);
    std::unique_ptr<sql::ResultSet> result(statement->executeQuery());
    if (result->next() && !result->isNull(1) && result->getInt(1) == 1) return true;
  } catch (const sql::SQLException&) {
  }
  lock_connection_.reset();
  return false;
}

void OutboxRelay::ReleaseLock() {
  if (lock_connection_ == nullptr) return;
  try {
    std::unique_ptr<sql::PreparedStatement> statement(
        lock_connection_->prepareStatement("SELECT RELEASE_LOCK(?)"));
    statement->setString(1, options_.lock_name);
    std::unique_ptr<sql::ResultSet>(statement->executeQuery());
  } catch (const sql::SQLException&) {
  }
  lock_connection_.reset();
}

absl::StatusOr<int> OutboxRelay::PublishBatch() {
  auto connection = pool_.Acquire();
  if (!connection.ok()) return connection.status();
  std::vector<Row> rows;
  try {
    sql::PreparedStatement& select = connection->Prepare(
        "SELECT id, event_id, topic, record_key, event_type, payload, source, correlation_id,"
        " causation_id, created_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?");
    select.setInt(1, options_.batch_size);
    std::unique_ptr<sql::ResultSet> result(select.executeQuery());
    while (result->next()) {
      Row row;
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
  } catch (const sql::SQLException& error) {
    if (mysql::IsConnectionLost(error.getErrorCode())) connection->MarkBroken();
    return mysql::FromSqlException(error, "reading the outbox");
  }
  if (rows.empty()) return 0;
  if (options_.on_step) options_.on_step(RelayStep::kFetched, static_cast<int>(rows.size()));

  std::vector<kafka::Record> records;
  records.reserve(rows.size());
  for (const Row& row : rows) records.push_back(row.record);
  const std::vector<kafka::DeliveryReport> reports =
      producer_.ProduceAndWait(records, options_.publish_timeout);
  // Only the acknowledged prefix counts: what follows a failure is retried in
  // order (the idempotent producer fails every later record of a partition).
  size_t acknowledged = 0;
  while (acknowledged < reports.size() && reports[acknowledged].status.ok()) ++acknowledged;
  const absl::Time now = absl::Now();
  if (options_.on_step) options_.on_step(RelayStep::kPublished, static_cast<int>(acknowledged));

  try {
    sql::PreparedStatement& mark = connection->Prepare([] {
      std::string sql = "UPDATE outbox SET published_at = UTC_TIMESTAMP(6) WHERE id IN (?";
      for (int i = 1; i < kMarkChunk; ++i) sql += ", ?";
      return sql + ")";
    }());
    for (size_t start = 0; start < acknowledged; start += kMarkChunk) {
      for (int i = 0; i < kMarkChunk; ++i) {
        mark.setInt64(i + 1, rows[std::min(start + i, acknowledged - 1)].id);
      }
      mark.executeUpdate();
    }
  } catch (const sql::SQLException& error) {
    if (mysql::IsConnectionLost(error.getErrorCode())) connection->MarkBroken();
    return mysql::FromSqlException(error, "marking outbox rows published");
  }
  if (options_.on_step) options_.on_step(RelayStep::kMarked, static_cast<int>(acknowledged));
  {
    absl::MutexLock lock(&mu_);
    stats_.published += acknowledged;
    for (size_t i = 0; i < acknowledged; ++i) {
      latencies_.push_back(now - rows[i].created_at);
      if (latencies_.size() > kLatencyWindow) latencies_.pop_front();
    }
  }
  if (acknowledged < rows.size()) {
    {
      absl::MutexLock lock(&mu_);
      ++stats_.publish_failures;
    }
    return reports[acknowledged].status;
  }
  return static_cast<int>(acknowledged);
}

void OutboxRelay::CountBacklog() {
  auto connection = pool_.Acquire();
  if (!connection.ok()) return;
  try {
    std::unique_ptr<sql::ResultSet> result(
        connection->Prepare("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
            .executeQuery());
    if (result->next()) {
      absl::MutexLock lock(&mu_);
      stats_.backlog = result->getInt64(1);
    }
  } catch (const sql::SQLException& error) {
    if (mysql::IsConnectionLost(error.getErrorCode())) connection->MarkBroken();
  }
}

void OutboxRelay::DeleteOld() {
  auto connection = pool_.Acquire();
  if (!connection.ok()) return;
  try {
    sql::PreparedStatement& remove = connection->Prepare(
        "DELETE FROM outbox WHERE published_at IS NOT NULL"
        " AND published_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND LIMIT 10000");
    remove.setInt64(1, absl::ToInt64Seconds(options_.retention));
    remove.executeUpdate();
  } catch (const sql::SQLException& error) {
    if (mysql::IsConnectionLost(error.getErrorCode())) connection->MarkBroken();
  }
}

void OutboxRelay::Run() {
  absl::Duration backoff = absl::Milliseconds(100);
  absl::Time next_stats = absl::Now() + options_.stats_interval;
  absl::Time next_cleanup = absl::Now();
  while (!stopping_) {
    if (!active_) {
      if (TryAcquireLock()) {
        active_ = true;
        log::Info("outbox relay active", {{"lock", options_.lock_name}});
      } else {
        WaitForWork(options_.lock_retry);
        continue;
      }
    }
    if (!HoldsLock()) {
      active_ = false;
      log::Warning("outbox relay lost its lock; standing by", {{"lock", options_.lock_name}});
      continue;
    }
    absl::StatusOr<int> published = PublishBatch();
    if (!published.ok()) {
      log::Warning("outbox publish failed; retrying",
                   {{"error", std::string(published.status().message())},
                    {"backoff_ms", absl::ToInt64Milliseconds(backoff)}});
      WaitForWork(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(5));
      continue;
    }
    backoff = absl::Milliseconds(100);
    const absl::Time now = absl::Now();
    if (now >= next_stats) {
      CountBacklog();
      const RelayStats stats = this->stats();
      log::Info("outbox relay stats",
                {{"published", stats.published},
                 {"backlog", stats.backlog},
                 {"latency_p50_ms", absl::ToDoubleMilliseconds(stats.latency_p50)},
                 {"latency_p99_ms", absl::ToDoubleMilliseconds(stats.latency_p99)}});
      next_stats = now + options_.stats_interval;
    }
    if (now >= next_cleanup) {
      DeleteOld();
      next_cleanup = now + absl::Minutes(1);
    }
    // A full batch means more is waiting: go again at once.
    if (*published < options_.batch_size) WaitForWork(options_.poll_interval);
  }
  ReleaseLock();
  active_ = false;
}

}  // namespace shop::outbox

#include "gateway/webhooks/webhook_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gateway/webhooks/webhook_migrations.h"

namespace shop::gateway {
namespace {

constexpr char kColumns[] =
    "d.id, d.subscriber, d.stream_key, d.event_id, d.event_type, d.payload, d.state, d.attempts,"
    " DATE_FORMAT(d.next_attempt_at, '%Y-%m-%dT%H:%i:%s.%fZ'), COALESCE(d.last_status, 0),"
    " COALESCE(d.last_error, ''), DATE_FORMAT(d.created_at, '%Y-%m-%dT%H:%i:%s.%fZ'),"
    " d.next_attempt_at <= NOW(6)";

Delivery ReadDelivery(sql::ResultSet& row) {
  Delivery delivery;
  delivery.id = row.getInt64(1);
  delivery.subscriber = row.getString(2);
  delivery.stream_key = row.getString(3);
  delivery.event_id = row.getString(4);
  delivery.event_type = row.getString(5);
  delivery.payload = row.getString(6);
  delivery.state = row.getString(7);
  delivery.attempts = row.getInt(8);
  delivery.next_attempt_at = row.getString(9);
  delivery.last_status = row.getInt(10);
  delivery.last_error = row.getString(11);
  delivery.created_at = row.getString(12);
  delivery.due = row.getBoolean(13);
  return delivery;
}

// A short transaction of its own, committed (retried if MySQL aborts it).
absl::Status InTransaction(mysql::ConnectionPool& pool,
                           absl::FunctionRef<absl::Status(mysql::Transaction&)> work) {
  return mysql::RunInTransaction(pool, absl::Now() + absl::Seconds(10), work);
}

absl::StatusOr<std::vector<Delivery>> Select(mysql::ConnectionPool& pool, const std::string& sql,
                                             const std::vector<std::string>& strings, int limit) {
  std::vector<Delivery> rows;
  absl::Status status = InTransaction(pool, [&](mysql::Transaction& tx) {
    sql::PreparedStatement& select = tx.Prepare(sql);
    int index = 1;
    for (const std::string& value : strings) select.setString(index++, value);
    select.setInt(index, limit);
    std::unique_ptr<sql::ResultSet> result(select.executeQuery());
    while (result->next()) rows.push_back(ReadDelivery(*result));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

std::string IdList(const std::vector<int64_t>& ids) { return absl::StrJoin(ids, ","); }

}  // namespace

std::vector<mysql::Migration> WebhookMigrations() { return GeneratedWebhookMigrations(); }

absl::StatusOr<std::optional<TrackedOrder>> FindOrder(mysql::Transaction& tx,
                                                      const std::string& order_id) {
  std::optional<TrackedOrder> found;
  absl::Status status = tx.Run("reading a tracked order", [&] {
    sql::PreparedStatement& select = tx.Prepare(
        "SELECT COALESCE(partner_id, ''), order_ref, currency, total_minor, completed,"
        " shipped_early, shipped_event_id, shipped_time FROM webhook_orders"
        " WHERE order_id = ? FOR UPDATE");
    select.setString(1, order_id);
    std::unique_ptr<sql::ResultSet> row(select.executeQuery());
    if (!row->next()) return absl::OkStatus();
    found.emplace();
    found->order_id = order_id;
    found->partner_id = row->getString(1);
    found->order_ref = row->getString(2);
    found->currency = row->getString(3);
    found->total_minor = row->getInt64(4);
    found->completed = row->getBoolean(5);
    found->shipped_early = row->getBoolean(6);
    found->shipped_event_id = row->getString(7);
    found->shipped_time = row->getString(8);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

absl::Status SaveOrder(mysql::Transaction& tx, const TrackedOrder& order) {
  return tx.Run("saving a tracked order", [&] {
    sql::PreparedStatement& upsert = tx.Prepare(
        "INSERT INTO webhook_orders (order_id, partner_id, order_ref, currency, total_minor,"
        " completed, shipped_early, shipped_event_id, shipped_time)"
        " VALUES (?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?)"
        " ON DUPLICATE KEY UPDATE partner_id = VALUES(partner_id), order_ref = VALUES(order_ref),"
        " currency = VALUES(currency), total_minor = VALUES(total_minor),"
        " completed = VALUES(completed), shipped_early = VALUES(shipped_early),"
        " shipped_event_id = VALUES(shipped_event_id), shipped_time = VALUES(shipped_time)");
    upsert.setString(1, order.order_id);
    upsert.setString(2, order.partner_id);
    upsert.setString(3, order.order_ref);
    upsert.setString(4, order.currency);
    upsert.setInt64(5, order.total_minor);
    upsert.setBoolean(6, order.completed);
    upsert.setBoolean(7, order.shipped_early);
    upsert.setString(8, order.shipped_event_id);
    upsert.setString(9, order.shipped_time);
    upsert.executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status Enqueue(mysql::Transaction& tx, const Delivery& delivery) {
  return tx.Run("queueing a webhook", [&] {
    sql::PreparedStatement& insert = tx.Prepare(
        "INSERT IGNORE INTO webhook_deliveries (subscriber, stream_key, event_id, event_type,"
        " payload) VALUES (?, ?, ?, ?, ?)");
    insert.setString(1, delivery.subscriber);
    insert.setString(2, delivery.stream_key);
    insert.setString(3, delivery.event_id);
    insert.setString(4, delivery.event_type);
    insert.setString(5, delivery.payload);
    insert.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Delivery>> WebhookStore::DueHeads(const std::string& subscriber,
                                                             int limit) {
  return Select(pool_,
                absl::StrCat("SELECT ", kColumns,
                             " FROM webhook_deliveries d WHERE d.subscriber = ?"
                             " AND d.state = 'pending' AND d.next_attempt_at <= NOW(6)"
                             " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e"
                             "  WHERE e.subscriber = d.subscriber AND e.stream_key = d.stream_key"
                             "  AND e.id < d.id AND e.state <> 'delivered')"
                             " ORDER BY d.id LIMIT ?"),
                {subscriber}, limit);
}

absl::StatusOr<std::vector<Delivery>> WebhookStore::DueBatch(const std::string& subscriber,
                                                             int limit) {
  auto rows = Select(pool_,
                     absl::StrCat("SELECT ", kColumns,
                                  " FROM webhook_deliveries d"
                                  " WHERE d.subscriber = ? AND d.state = 'pending'"
                                  " ORDER BY d.id LIMIT ?"),
                     {subscriber}, limit);
  // Due when the oldest is: the rows of a failed batch share one retry time.
  if (rows.ok() && !rows->empty() && !(*rows)[0].due) rows->clear();
  return rows;
}

absl::Status WebhookStore::MarkDelivered(const std::vector<int64_t>& ids, int http_status) {
  if (ids.empty()) return absl::OkStatus();
  return InTransaction(pool_, [&](mysql::Transaction& tx) {
    sql::PreparedStatement& update = tx.Prepare(
        absl::StrCat("UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1,"
                     " delivered_at = NOW(6), last_status = ?, last_error = NULL WHERE id IN (",
                     IdList(ids), ")"));
    update.setInt(1, http_status);
    update.executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status WebhookStore::MarkFailed(const std::vector<int64_t>& ids, int http_status,
                                      const std::string& error,
                                      std::optional<absl::Duration> retry_in) {
  if (ids.empty()) return absl::OkStatus();
  return InTransaction(pool_, [&](mysql::Transaction& tx) {
    sql::PreparedStatement& update = tx.Prepare(
        absl::StrCat("UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?,"
                     " last_error = LEFT(?, 512), state = IF(?, 'pending', 'dead'),"
                     " next_attempt_at = NOW(6) + INTERVAL ? MICROSECOND WHERE id IN (",
                     IdList(ids), ")"));
    update.setInt(1, http_status);
    update.setString(2, error);
    update.setBoolean(3, retry_in.has_value());
    update.setInt64(4, absl::ToInt64Microseconds(retry_in.value_or(absl::ZeroDuration())));
    update.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> WebhookStore::PruneDelivered(absl::Duration retention, int limit) {
  int64_t deleted = 0;
  absl::Status status = InTransaction(pool_, [&](auto& tx) {
    sql::PreparedStatement& prune = tx.Prepare(
        "DELETE FROM webhook_deliveries WHERE state = 'delivered'"
        " AND delivered_at < NOW(6) - INTERVAL ? SECOND LIMIT ?");
    prune.setInt64(1, absl::ToInt64Seconds(retention));
    prune.setInt(2, limit);
    deleted = prune.executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

absl::StatusOr<std::vector<Delivery>> WebhookStore::List(const std::string& subscriber,
                                                         const std::string& state, int limit) {
  return Select(pool_,
                absl::StrCat("SELECT ", kColumns,
                             " FROM webhook_deliveries d WHERE (? = '' OR d.subscriber = ?)"
                             " AND (? = '' OR d.state = ?) ORDER BY d.id LIMIT ?"),
                {subscriber, subscriber, state, state}, limit);
}

absl::StatusOr<int64_t> WebhookStore::Redeliver(const std::string& subscriber,
                                                const std::vector<int64_t>& ids) {
  int64_t changed = 0;
  absl::Status status = InTransaction(pool_, [&](auto& tx) {
    sql::PreparedStatement& update = tx.Prepare(absl::StrCat(
        "UPDATE webhook_deliveries SET state = 'pending', attempts = 0,"
        " next_attempt_at = NOW(6), last_error = CONCAT('redelivered after: ',"
        " COALESCE(last_error, '')) WHERE state = 'dead' AND (? = '' OR subscriber = ?)",
        ids.empty() ? "" : absl::StrCat(" AND id IN (", IdList(ids), ")")));
    update.setString(1, subscriber);
    update.setString(2, subscriber);
    changed = update.executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return changed;
}

}  // namespace shop::gateway

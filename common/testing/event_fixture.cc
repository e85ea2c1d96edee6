#include "common/testing/event_fixture.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/time/clock.h"
#include "common/mysql/transaction.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::testing {

absl::Status MigrateFixture(mysql::ConnectionPool& pool) {
  for (const auto& [component, migrations] :
       std::vector<std::pair<std::string, std::vector<mysql::Migration>>>{
           {"outbox", outbox::OutboxMigrations()},
           {"consumer", consumer::ConsumerMigrations()},
           {"fixture",
            {{1, "create_effects",
              "CREATE TABLE IF NOT EXISTS effects (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
              " event_id VARCHAR(64) NOT NULL, order_id VARCHAR(64) NOT NULL,"
              " seq VARCHAR(64) NOT NULL) ENGINE=InnoDB;"}}}}) {
    auto applied = mysql::ApplyMigrations(pool, component, migrations);
    if (!applied.ok()) return applied.status();
  }
  return absl::OkStatus();
}

absl::Status AppendPlaced(mysql::ConnectionPool& pool, outbox::Outbox& outbox,
                          const std::string& key, const std::string& seq) {
  shop::order::v1::OrderPlaced placed;
  placed.set_order_id(key);
  placed.set_customer_id(seq);
  placed.mutable_total()->set_minor_units(0);  // zero bytes in the payload on purpose
  placed.mutable_total()->set_currency_code("EUR");
  return mysql::RunInTransaction(
      pool, absl::Now() + absl::Seconds(10), [&](mysql::Transaction& tx) {
        return outbox.Append(tx, placed, {"corr-" + seq, "req-" + seq}).status();
      });
}

absl::Status RecordEffect(const shop::order::v1::OrderPlaced& placed,
                          consumer::EventContext& context) {
  sql::PreparedStatement& insert =
      context.tx().Prepare("INSERT INTO effects (event_id, order_id, seq) VALUES (?, ?, ?)");
  insert.setString(1, context.metadata().id);
  insert.setString(2, placed.order_id());
  insert.setString(3, placed.customer_id());
  insert.executeUpdate();
  return absl::OkStatus();
}

void RegisterEffectHandler(consumer::EventConsumer& consumer) {
  consumer.On<shop::order::v1::OrderPlaced>(
      [](const shop::order::v1::OrderPlaced& placed, consumer::EventContext& context) {
        if (placed.customer_id() == "poison") {
          return absl::InvalidArgumentError("customer 'poison' is rejected");
        }
        return RecordEffect(placed, context);
      });
}

absl::StatusOr<Effects> CountEffects(mysql::ConnectionPool& pool) {
  Effects effects;
  absl::Status status =
      mysql::RunInTransaction(pool, absl::Now() + absl::Seconds(5), [&](mysql::Transaction& tx) {
        std::unique_ptr<sql::ResultSet> result(
            tx.Prepare("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM effects").executeQuery());
        result->next();
        effects.rows = result->getInt64(1);
        effects.distinct = result->getInt64(2);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return effects;
}

absl::StatusOr<int64_t> CountUnpublished(mysql::ConnectionPool& pool) {
  int64_t count = 0;
  absl::Status status =
      mysql::RunInTransaction(pool, absl::Now() + absl::Seconds(5), [&](mysql::Transaction& tx) {
        std::unique_ptr<sql::ResultSet> result(
            tx.Prepare("SELECT COUNT(*) FROM outbox").executeQuery());
        result->next();
        count = result->getInt64(1);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return count;
}

absl::Status InsertRawOutboxRow(mysql::ConnectionPool& pool, const std::string& topic,
                                const std::string& key, const std::string& payload) {
  return mysql::RunInTransaction(pool, absl::Now() + absl::Seconds(5), [&](mysql::Transaction& tx) {
    sql::PreparedStatement& insert = tx.Prepare(
        "INSERT INTO outbox (event_id, topic, record_key, event_type, payload, source,"
        " correlation_id, causation_id, created_at)"
        " VALUES (UUID(), ?, ?, 'test.RawRow', ?, '/test', 'c', 'c', UTC_TIMESTAMP(6))");
    insert.setString(1, topic);
    insert.setString(2, key);
    insert.setString(3, payload);
    insert.executeUpdate();
    return absl::OkStatus();
  });
}

}  // namespace shop::testing

#include "common/outbox/outbox.h"

#include <cppconn/prepared_statement.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/event_route.h"
#include "common/mysql/multi_row.h"
#include "common/outbox/outbox_migrations.h"

namespace shop::outbox {

std::vector<mysql::Migration> OutboxMigrations() { return GeneratedOutboxMigrations(); }

int64_t EncodedEventBytes(const std::string& key, const std::string& payload,
                          const events::Headers& headers) {
  int64_t bytes = static_cast<int64_t>(key.size() + payload.size());
  for (const auto& [name, value] : headers)
    bytes += static_cast<int64_t>(name.size() + value.size());
  return bytes;
}

std::string Outbox::Row::CreatedAt() const {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", metadata.time, absl::UTCTimeZone());
}

absl::StatusOr<Outbox::Row> Outbox::Encode(const google::protobuf::Message& event,
                                           const events::EventCause& cause) const {
  auto destination = events::DestinationOf(event);
  if (!destination.ok()) return destination.status();
  events::EventMetadata metadata;
  metadata.id = events::NewUuid();
  metadata.type = event.GetDescriptor()->full_name();
  metadata.source = source_;
  metadata.time = absl::Now();
  metadata.correlation_id = cause.correlation_id.empty() ? metadata.id : cause.correlation_id;
  metadata.causation_id = cause.causation_id;
  std::string payload;
  if (!event.SerializeToString(&payload)) {
    return absl::InvalidArgumentError("event does not serialize: " + metadata.type);
  }
  const int64_t bytes = EncodedEventBytes(destination->key, payload, events::ToHeaders(metadata));
  if (bytes > max_event_bytes_) {
    return absl::InvalidArgumentError(absl::StrCat("event ", metadata.type, " would be ", bytes,
                                                   " bytes encoded, over max_event_bytes ",
                                                   max_event_bytes_));
  }
  return Row{std::move(metadata), events::QualifiedTopic(topic_namespace_, destination->topic),
             destination->key, std::move(payload)};
}

absl::StatusOr<events::EventMetadata> Outbox::Append(mysql::Transaction& tx,
                                                     const google::protobuf::Message& event,
                                                     const events::EventCause& cause) {
  auto row = Encode(event, cause);
  if (!row.ok()) return row.status();
  // Rows are written together just before COMMIT: one multi-row INSERT per
  // transaction (a consumer's batch emits many events) instead of one each.
  // The ids still follow the order of appends, and the aggregates' locks are
  // held until COMMIT, so they still follow commit order per aggregate.
  bool created = false;
  auto& pending = tx.Attachment<std::vector<Row>>(this, &created);
  const events::EventMetadata metadata = row->metadata;
  pending.push_back(*std::move(row));
  if (created) {
    tx.BeforeCommit([this, &tx, &pending] { return Write(tx, pending); });
    tx.AfterCommit([this] { NotifyCommitted(); });
  }
  return metadata;
}

absl::Status Outbox::Write(mysql::Transaction& tx, const std::vector<Row>& rows) {
  constexpr size_t kColumns = 9;
  mysql::ForEachChunk(rows.size(), [&](size_t begin, size_t size) {
    sql::PreparedStatement& insert = tx.Prepare(
        absl::StrCat("INSERT INTO outbox (event_id, topic, record_key, event_type, payload, source,"
                     " correlation_id, causation_id, created_at) VALUES ",
                     mysql::RowPlaceholders(size, kColumns)));
    for (size_t i = 0; i < size; ++i) {
      const Row& row = rows[begin + i];
      const int base = static_cast<int>(i * kColumns);
      insert.setString(base + 1, row.metadata.id);
      insert.setString(base + 2, row.topic);
      insert.setString(base + 3, row.key);
      insert.setString(base + 4, row.metadata.type);
      insert.setString(base + 5, row.payload);
      insert.setString(base + 6, row.metadata.source);
      insert.setString(base + 7, row.metadata.correlation_id);
      insert.setString(base + 8, row.metadata.causation_id);
      insert.setString(base + 9, row.CreatedAt());
    }
    insert.executeUpdate();
  });
  return absl::OkStatus();
}

void Outbox::NotifyCommitted() {
  std::function<void()> listener;
  {
    absl::MutexLock lock(&mu_);
    listener = listener_;
  }
  if (listener) listener();
}

}  // namespace shop::outbox

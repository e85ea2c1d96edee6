#include "common/outbox/outbox.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/event_route.h"
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

absl::StatusOr<events::EventMetadata> Outbox::Append(mysql::Transaction& tx,
                                                     const google::protobuf::Message& event,
                                                     const events::EventCause& cause) {
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
  absl::Status status = tx.Run("appending to the outbox", [&] {
    sql::PreparedStatement& insert = tx.Prepare(
        "INSERT INTO outbox (event_id, topic, record_key, event_type, payload, source,"
        " correlation_id, causation_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.setString(1, metadata.id);
    insert.setString(2, events::QualifiedTopic(topic_namespace_, destination->topic));
    insert.setString(3, destination->key);
    insert.setString(4, metadata.type);
    insert.setString(5, payload);
    insert.setString(6, metadata.source);
    insert.setString(7, metadata.correlation_id);
    insert.setString(8, metadata.causation_id);
    insert.setString(9,
                     absl::FormatTime("%Y-%m-%d %H:%M:%E6S", metadata.time, absl::UTCTimeZone()));
    insert.executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  tx.AfterCommit([this] { NotifyCommitted(); });
  return metadata;
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

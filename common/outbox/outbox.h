// The producer side of the transactional outbox: an event is appended in the
// caller's transaction, so it exists exactly when the state change it
// describes was committed. OutboxRelay publishes it afterwards.
//
// Ordering: events of one aggregate must be appended after the aggregate's
// row is locked (SELECT ... FOR UPDATE or an UPDATE of it), so that their
// ids follow commit order and the relay publishes them in that order.
#ifndef SHOP_COMMON_OUTBOX_OUTBOX_H_
#define SHOP_COMMON_OUTBOX_OUTBOX_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/events/event_metadata.h"
#include "common/events/event_sink.h"
#include "common/mysql/migrations.h"
#include "common/mysql/transaction.h"
#include "google/protobuf/message.h"

namespace shop::outbox {

// The default bound on an event's encoded size (key, payload and headers):
// far above the largest event valid requests make (about 20 KiB), far below
// the producer's and the broker's 1 MB. Checked against both at start-up.
inline constexpr int64_t kDefaultMaxEventBytes = 128 * 1024;

// Bytes an event takes on the wire, near enough: key, payload, header names
// and values. Both the outbox and the relay measure with this.
int64_t EncodedEventBytes(const std::string& key, const std::string& payload,
                          const events::Headers& headers);

class Outbox {
 public:
  // `source` is the ce_source of every event, e.g. "/shop/order"; topics
  // are qualified by `topic_namespace` (see events::QualifiedTopic).
  explicit Outbox(std::string source, std::string topic_namespace = "",
                  int64_t max_event_bytes = kDefaultMaxEventBytes)
      : source_(std::move(source)),
        topic_namespace_(std::move(topic_namespace)),
        max_event_bytes_(max_event_bytes) {}

  // Appends `event` (its topic and key come from the contract) to the outbox
  // in `tx`: the rows a transaction appends are written in one multi-row
  // INSERT just before its COMMIT. After `tx` commits, the relay is woken. INVALID_ARGUMENT, with
  // nothing written, when the event's encoded size is over max_event_bytes.
  absl::StatusOr<events::EventMetadata> Append(mysql::Transaction& tx,
                                               const google::protobuf::Message& event,
                                               const events::EventCause& cause);

  // Called after each commit that appended events (the relay's Wake).
  void SetCommitListener(std::function<void()> listener) {
    absl::MutexLock lock(&mu_);
    listener_ = std::move(listener);
  }

  // An event as an outbox row: for a writer that inserts the row itself
  // (in one statement with its own writes, see the order service's
  // place_order procedure) and then calls NotifyCommitted. Append's checks.
  struct Row {
    events::EventMetadata metadata;
    std::string topic;  // qualified
    std::string key;
    std::string payload;
    // created_at as the column takes it: "YYYY-MM-DD HH:MM:SS.ffffff" UTC.
    std::string CreatedAt() const;
  };
  absl::StatusOr<Row> Encode(const google::protobuf::Message& event,
                             const events::EventCause& cause) const;
  // Wakes the relay: call after committing rows written without Append.
  void NotifyCommitted();

 private:
  absl::Status Write(mysql::Transaction& tx, const std::vector<Row>& rows);

  const std::string source_;
  const std::string topic_namespace_;
  const int64_t max_event_bytes_;
  absl::Mutex mu_;
  std::function<void()> listener_ ABSL_GUARDED_BY(mu_);
};

// The outbox as an EventSink for a command's own transaction: each event is
// appended with `correlation_id` as its correlation and causation.
class OutboxSink : public events::EventSink {
 public:
  OutboxSink(Outbox& outbox, mysql::Transaction& tx, std::string correlation_id)
      : outbox_(outbox), tx_(tx), correlation_id_(std::move(correlation_id)) {}
  absl::Status Emit(const google::protobuf::Message& event) override {
    return outbox_.Append(tx_, event, {correlation_id_, correlation_id_}).status();
  }

 private:
  Outbox& outbox_;
  mysql::Transaction& tx_;
  const std::string correlation_id_;
};

// The outbox table, for the owning service's migrations (component "outbox").
std::vector<mysql::Migration> OutboxMigrations();

}  // namespace shop::outbox

#endif  // SHOP_COMMON_OUTBOX_OUTBOX_H_

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
#include "common/mysql/migrations.h"
#include "common/mysql/transaction.h"
#include "google/protobuf/message.h"

namespace shop::outbox {

class Outbox {
 public:
  // `source` is the ce_source of every event, e.g. "/shop/order"; topics
  // are qualified by `topic_namespace` (see events::QualifiedTopic).
  explicit Outbox(std::string source, std::string topic_namespace = "")
      : source_(std::move(source)), topic_namespace_(std::move(topic_namespace)) {}

  // Appends `event` (its topic and key come from the contract) to the outbox
  // in `tx`. After `tx` commits, the relay is woken.
  absl::StatusOr<events::EventMetadata> Append(mysql::Transaction& tx,
                                               const google::protobuf::Message& event,
                                               const events::EventCause& cause);

  // Called after each commit that appended events (the relay's Wake).
  void SetCommitListener(std::function<void()> listener) {
    absl::MutexLock lock(&mu_);
    listener_ = std::move(listener);
  }


 private:
  void NotifyCommitted();

  const std::string source_;
  const std::string topic_namespace_;
  absl::Mutex mu_;
  std::function<void()> listener_ ABSL_GUARDED_BY(mu_);
};

// The outbox table, for the owning service's migrations (component "outbox").
std::vector<mysql::Migration> OutboxMigrations();

}  // namespace shop::outbox

#endif  // SHOP_COMMON_OUTBOX_OUTBOX_H_

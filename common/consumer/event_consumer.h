// The consumer side of the delivery guarantees: at-least-once delivery,
// effectively-once effect.
//
// An EventConsumer subscribes as a consumer group, decodes each record by its
// ce_type header and calls the handler registered for that type. For a batch
// of records, the handlers' writes and one processed_events row per event
// commit in one MySQL transaction; offsets are committed to Kafka only after
// that. A redelivered event finds its processed_events row and is skipped.
//
// Failures are classified by the one taxonomy (common/errors/taxonomy.h).
// Permanent (a record that cannot be decoded, a handler's data, constraint or
// invariant error): the record goes to "<topic>.<group>.dlq" with the error
// and its origin in headers, and the consumer moves on. Everything else,
// database errors inside a handler included (lock waits, KILL QUERY,
// statement timeouts, a full disk, a lost connection): the batch is rolled
// back and retried with backoff, never skipped. While it retries (and while a
// dead-letter publish keeps failing) the consumer pauses its partitions and
// keeps polling, so it stays in its group, and it never commits an offset past
// a record that is not applied or dead-lettered. A ce_type with no handler
// (an event from a newer producer, or one this service ignores) is skipped
// and counted.
#ifndef SHOP_COMMON_CONSUMER_EVENT_CONSUMER_H_
#define SHOP_COMMON_CONSUMER_EVENT_CONSUMER_H_

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/consumer/commit_retry.h"
#include "common/events/event_metadata.h"
#include "common/events/event_sink.h"
#include "common/kafka/producer.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/migrations.h"
#include "common/mysql/transaction.h"
#include "common/outbox/outbox.h"
#include "google/protobuf/message.h"

namespace shop::consumer {

// Points at which tests inject a crash: after the handler of the n-th record
// of a batch (0-based), and after the batch committed to MySQL.
enum class ConsumerStep { kHandled, kCommitted };

struct ConsumerOptions {
  std::string brokers;
  std::string group;
  std::vector<std::string> topics;
  // Name in processed_events; defaults to the group.
  std::string name;
  // Kafka client.id (logs, broker metrics); defaults to the name.
  std::string client_id;
  // Records per transaction, at most.
  int max_batch = 200;
  // Offsets are committed (asynchronously) at most this often while records
  // keep coming, and at once when the consumer goes idle. Offsets not yet
  // committed when a partition moves mean redelivery, which processed_events
  // makes harmless.
  absl::Duration commit_interval = absl::Milliseconds(200);
  // While idle, at most this often: any assigned partition whose position
  // (everything consumed is applied when idle) is past what the coordinator
  // confirmed, at the same position as at the check before, and past the
  // group's committed offset, is committed there.
  // Self-heals a commit lost on a path CommitRetry does not see (the chaos
  // run found a group left with a lag of 9 applied records for good).
  absl::Duration reconcile_interval = absl::Seconds(5);
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  // librdkafka settings for the consumer and its dead-letter producer
  // (security.protocol, SASL, SSL, ...), on top of the defaults.
  std::map<std::string, std::string> kafka_overrides;
  std::function<void(ConsumerStep, int)> on_step;
  // TEST ONLY: a deliberately broken consumer that commits a batch's offsets
  // before applying it (a crash in between loses the batch). tools/chaos
  // runs with it to prove that its verdict fails on such a bug.
  bool unsafe_commit_before_apply = false;
  // TEST ONLY: every batch's offset commit is lost on the way, unseen by
  // CommitRetry (the consumer forgets the offsets instead of sending them):
  // only ReconcileOffsets can bring the group's offsets up to date.
  bool unsafe_lose_batch_commits = false;
};

struct ConsumerStats {
  int64_t applied = 0;
  int64_t duplicates = 0;
  int64_t unknown_types = 0;
  int64_t dead_lettered = 0;
  int64_t transient_failures = 0;
  int64_t batches = 0;
  int64_t split_batches = 0;  // retried one record per transaction
};

using events::EventSink;

// What a handler gets besides the event: its metadata and origin, the
// transaction to write in, and a way to emit follow-up events through the
// outbox in that same transaction (caused by this event, same correlation).
class EventContext : public EventSink {
 public:
  EventContext(const events::EventMetadata& metadata, mysql::Transaction& tx,
               outbox::Outbox* outbox)
      : metadata_(metadata), tx_(tx), outbox_(outbox) {}

  const events::EventMetadata& metadata() const { return metadata_; }
  mysql::Transaction& tx() { return tx_; }

  absl::Status Emit(const google::protobuf::Message& event) override;

 private:
  const events::EventMetadata& metadata_;
  mysql::Transaction& tx_;
  outbox::Outbox* outbox_;
};

class EventConsumer {
 public:
  // `outbox` may be null for a consumer that emits nothing.
  EventConsumer(ConsumerOptions options, mysql::ConnectionPool& pool, outbox::Outbox* outbox);
  // A consumer without a database, for handlers whose effect is idempotent
  // by nature (deleting a cache entry): no transaction, no processed_events;
  // register them with OnIdempotent. A redelivered event is applied again,
  // harmlessly. Retries, dead letters and offsets work as above.
  explicit EventConsumer(ConsumerOptions options);
  ~EventConsumer();

  // Registers the handler for events of type M (by full proto name); M is
  // deduced from a std::function, so a service registers a named handler in
  // one line: consumer.On(Handle(&DeliverySaga::OnOrderCompleted)).
  template <typename M>
  void On(std::function<absl::Status(const M&, EventContext&)> handler) {
    handlers_[M::descriptor()->full_name()] =
        Registration{&M::default_instance(),
                     [handler = std::move(handler)](const google::protobuf::Message& message,
                                                    EventContext& context) {
                       return handler(static_cast<const M&>(message), context);
                     },
                     nullptr};
  }

  // The handler of events of `prototype`'s type, decoded as that type: for a
  // handler of many types (a subscription to every event).
  void On(const google::protobuf::Message* prototype,
          std::function<absl::Status(const google::protobuf::Message&, EventContext&)> handler) {
    handlers_[prototype->GetDescriptor()->full_name()] =
        Registration{prototype, std::move(handler), nullptr};
  }

  // For a consumer without a database: the handler of events of type M.
  template <typename M>
  void OnIdempotent(std::function<absl::Status(const M&, const events::EventMetadata&)> handler) {
    handlers_[M::descriptor()->full_name()] =
        Registration{&M::default_instance(), nullptr,
                     [handler = std::move(handler)](const google::protobuf::Message& message,
                                                    const events::EventMetadata& metadata) {
                       return handler(static_cast<const M&>(message), metadata);
                     }};
  }

  // Called in each batch's transaction before any handler, with the events
  // about to be applied (duplicates left out), in order. A service whose
  // handlers lock shared rows locks here every row the batch will need, in
  // one global order, so concurrent batches never deadlock.
  using BatchHook = std::function<absl::Status(
      const std::vector<const google::protobuf::Message*>& events, mysql::Transaction& tx)>;
  void BeforeBatch(BatchHook hook) { before_batch_ = std::move(hook); }

  // Consumes until Stop(); then commits, leaves the group and returns.
  absl::Status Run();
  void Stop() { stopping_ = true; }

  ConsumerStats stats() const;

  // Records between the group's committed offset and the end of each
  // assigned partition (the end as last fetched), from any thread; empty
  // before the consumer runs.
  struct PartitionLag {
    std::string topic;
    int32_t partition = 0;
    int64_t lag = 0;
  };
  std::vector<PartitionLag> Lag();
  const ConsumerOptions& options() const { return options_; }

 private:
  struct Registration {
    const google::protobuf::Message* prototype;
    std::function<absl::Status(const google::protobuf::Message&, EventContext&)> handle;
    std::function<absl::Status(const google::protobuf::Message&, const events::EventMetadata&)>
        handle_idempotent;
  };
  struct Decoded;

  std::vector<std::unique_ptr<RdKafka::Message>> PollBatch();
  // Applies a batch until it is done (retrying transient failures), sends
  // what is poisoned to the dead-letter topic, commits the offsets.
  void ProcessBatch(const std::vector<std::unique_ptr<RdKafka::Message>>& batch);
  // Applies records [begin, end) in one transaction.
  absl::Status ApplyOnce(const std::vector<Decoded>& records, size_t begin, size_t end,
                         std::map<size_t, absl::Status>& poisoned, size_t& applied,
                         size_t& duplicates);
  // The same for a consumer without a database: each handler in turn.
  absl::Status ApplyIdempotent(const std::vector<Decoded>& records,
                               const std::vector<size_t>& candidates,
                               std::map<size_t, absl::Status>& poisoned, size_t& applied);
  // Records the events of `records` at `indices` in processed_events;
  // `fresh` gets the indices not recorded before (first copy of each id).
  absl::Status RecordProcessed(mysql::Transaction& tx, const std::vector<Decoded>& records,
                               const std::vector<size_t>& indices, std::vector<size_t>& fresh);
  absl::Status DeadLetter(RdKafka::Message& message, const absl::Status& error);
  // Notes the batch's offsets; commits them when due (or when `idle`).
  void CommitOffsets(const std::vector<std::unique_ptr<RdKafka::Message>>& batch);
  void CommitPending(bool idle, bool sync);
  // While idle (ReconcileOffsets' interval): adds to the pending offsets the
  // positions of assigned partitions that no confirmed commit has reached
  // and that are past the group's committed offset.
  void ReconcileOffsets();
  // Waits `duration` while still polling Kafka, with the assigned partitions
  // paused, so that a long retry does not exceed max.poll.interval.ms and get
  // this consumer evicted from its group. Records that arrive anyway (from
  // partitions assigned meanwhile) are kept for the next batch.
  void WaitPolling(absl::Duration duration);
  void ResumeIfPaused();

  ConsumerOptions options_;
  mysql::ConnectionPool* pool_;  // null: no database (OnIdempotent handlers)
  outbox::Outbox* outbox_;
  absl::flat_hash_map<std::string, Registration> handlers_;
  BatchHook before_batch_;
  std::unique_ptr<RdKafka::RebalanceCb> rebalance_;  // outlives consumer_
  // Written by the consumer thread and by commit_retry_ (which librdkafka
  // calls on that thread); declared before consumer_ so that it outlives it.
  PendingOffsets pending_offsets_;
  std::unique_ptr<CommitRetry> commit_retry_;         // outlives consumer_
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;  // set and reset under handle_mu_
  absl::Mutex handle_mu_;
  std::unique_ptr<kafka::Producer> dead_letters_;
  std::deque<std::unique_ptr<RdKafka::Message>> stashed_;
  bool paused_ = false;
  absl::Time last_commit_ = absl::InfinitePast();
  absl::Time last_reconcile_ = absl::Now();
  PendingOffsets unconfirmed_;  // positions past what was confirmed, at the last check
  std::atomic<bool> stopping_{false};
  absl::BitGen bitgen_;

  mutable absl::Mutex mu_;
  ConsumerStats stats_ ABSL_GUARDED_BY(mu_);
};

// processed_events, for the owning service's migrations (component "consumer").
std::vector<mysql::Migration> ConsumerMigrations();

}  // namespace shop::consumer

#endif  // SHOP_COMMON_CONSUMER_EVENT_CONSUMER_H_

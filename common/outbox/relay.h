// Publishes a service's outbox to Kafka, in id order, and marks each event
// sent only after the broker acknowledged it (acks=all, idempotent producer).
//
// One relay per service is active at a time: it holds a MySQL named lock on a
// dedicated connection. A standby retries the lock every `lock_retry` and
// takes over within seconds when the active one dies (its connection closes
// and MySQL frees the lock). The active relay is woken right after a commit
// that appended events (low latency) and also polls (crash recovery). A
// crash between publish and mark publishes the event again on restart; the
// consumers' processed_events table makes that harmless.
//
// The active relay checks its lock at most every `lock_check_interval`.
//
// Marking a row published deletes it: the outbox holds only what is still to
// publish (Kafka keeps the events), and an event costs the database one
// insert and one delete, no update. The table is often empty, so an id must
// never be handed out twice: InnoDB keeps its AUTO_INCREMENT counter across
// restarts since MariaDB 10.2.4 and MySQL 8.0 (before, an empty table's
// counter restarted at 1, and an id the relay still meant to mark could be
// a new, unpublished row). Marks are off the publishing path:
// acknowledged rows are marked together, at most `mark_interval` after the
// first of them was acknowledged (or when a batch's worth is waiting, or when
// the relay stops or loses its lock).
// Until then the relay skips them when it reads the outbox; a crash before
// the mark publishes them again, which the consumers skip as above.
//
// Rounds overlap: the relay reads and produces the next rows while earlier
// rounds wait for the broker's acknowledgement (up to
// `max_rounds_in_flight`), so a commit's rows are not held back by the
// round before them. Rounds are finished (reports read, rows marked, failures
// handled) in the order they were produced, as if they were one batch.
//
// Failures, by the one taxonomy (common/errors/taxonomy.h):
//  - A row that can never be published (encoded size over max_event_bytes,
//    or the broker refuses it for good: too large, invalid, not authorised)
//    is parked, logged with its id and reason. Later rows of the same topic
//    and key are held behind it, so per-key order is never broken; every
//    other key keeps flowing. `tools/shopctl outbox parked` lists, releases
//    or discards parked rows.
//  - At most one row per key is in flight at a time (across rounds), so a
//    row the broker refuses can never be overtaken by a later row of its key.
//  - Only the acknowledged prefix of each partition is marked: after a
//    failure, later rows of that partition (and key), in its round and in the
//    rounds produced after it, are left for the next attempt, and
//    acknowledged rows of other partitions are marked, so a retry republishes
//    only what follows the failure. The relay finishes every round in flight
//    before it backs off.
//  - Transient failures (broker or database down, timeouts) back off
//    exponentially; a wake-up after a commit does not cut the backoff short.
//  - A producer in a fatal state is replaced. If no new one can be made, the
//    relay gives up its lock (a standby takes over) and reports unhealthy
//    until it can make one again.
#ifndef SHOP_COMMON_OUTBOX_RELAY_H_
#define SHOP_COMMON_OUTBOX_RELAY_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/kafka/producer.h"
#include "common/outbox/outbox.h"
#include "common/outbox/outbox_store.h"

namespace shop::outbox {

// Points at which tests inject a crash.
enum class RelayStep { kFetched, kPublished, kMarked };

// Makes the relay's producer; called again when one turns fatal.
using PublisherFactory = std::function<absl::StatusOr<std::unique_ptr<kafka::EventPublisher>>()>;

struct RelayOptions {
  int batch_size = 500;
  // Rows whose encoded size (key, payload, headers) is larger are parked
  // without being sent.
  int64_t max_event_bytes = kDefaultMaxEventBytes;
  // How often an idle active relay looks for events nobody woke it for.
  absl::Duration poll_interval = absl::Milliseconds(500);
  // How often a standby tries to become active.
  absl::Duration lock_retry = absl::Seconds(1);
  // How often the active relay checks that it still holds its lock (a
  // statement on the lock's connection). Not every round: under load that
  // was a statement per batch. A relay whose lock connection died may keep
  // publishing this long beside the one that took over; what both send is
  // sent twice, in the same order per key, and consumers skip the second.
  absl::Duration lock_check_interval = absl::Seconds(1);
  // How long an acknowledged row may wait to be marked (deleted): one DELETE
  // (and one durable commit) per interval instead of one per round. Zero marks after
  // every round.
  absl::Duration mark_interval = absl::Milliseconds(100);
  absl::Duration publish_timeout = absl::Seconds(30);
  // Rounds produced and not yet acknowledged, at most. 1: a round waits for
  // its acknowledgements before the next one reads the outbox.
  int max_rounds_in_flight = 4;
  // Backoff after a transient failure: doubles up to the maximum.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  absl::Duration stats_interval = absl::Seconds(10);
  // Test hook, called at each step with the batch size.
  std::function<void(RelayStep, int)> on_step;
  // Called when the relay becomes able (true) or unable (false) to publish.
  std::function<void(bool)> on_health;
};

struct RelayStats {
  bool active = false;
  bool healthy = true;
  int64_t published = 0;  // acknowledged by the broker and marked
  int64_t publish_failures = 0;
  int64_t parked = 0;            // rows this relay parked
  int64_t held_back = 0;         // acknowledged but not marked (after a failure before them)
  int64_t publish_attempts = 0;  // batches handed to the producer
  int64_t polls = 0;             // looks at the outbox, with or without rows
  int64_t producers_created = 0;
  int64_t backlog = 0;      // unpublished rows at the last count
  int64_t parked_rows = 0;  // parked rows in the table at the last count
  // Commit (created_at) to broker acknowledgement, over recent events.
  absl::Duration latency_p50;
  absl::Duration latency_p99;
};

// The `max_ranges` longest runs of consecutive ids in `sorted_ids`
// (ascending, no repeats), in id order. Only ids in the list fall in a run: a
// missing id (a row not committed yet, or never) always ends one.
std::vector<IdRange> LongestRuns(const std::vector<int64_t>& sorted_ids, int max_ranges);

// Makes librdkafka producers for `brokers`, with `config` on top of the
// defaults (see kafka::Producer::Create).
PublisherFactory KafkaPublisherFactory(std::string brokers,
                                       std::map<std::string, std::string> config = {});

class OutboxRelay {
 public:
  OutboxRelay(OutboxStore& store, PublisherFactory make_publisher, RelayOptions options);
  ~OutboxRelay();

  void Start();
  // Finishes the batch in hand, releases the lock, returns.
  void Stop();
  // Publish now (called after a commit that appended events).
  void Wake();

  bool active() const { return active_.load(); }
  RelayStats stats() const;

 private:
  // Rows handed to the producer together, waiting for their reports.
  struct Round {
    std::vector<OutboxRow> rows;
    std::unique_ptr<kafka::Delivery> delivery;
    absl::Time deadline;  // reports missing then are failures
  };
  struct RoundStart {
    int fetched = 0;   // rows read that were neither in flight nor acknowledged
    int deferred = 0;  // rows left for a later round behind their key's
  };
  struct RoundEnd {
    absl::Status transient;  // the first transient failure, if any
    bool fatal = false;      // the producer turned fatal
  };
  void Run();
  // Reads the outbox and produces what may go; an error is a database
  // failure.
  absl::StatusOr<RoundStart> StartRound();
  // Reads the oldest round's reports (waiting for them if need be), marks
  // what may be marked, parks what must be; an error is a database failure.
  absl::StatusOr<RoundEnd> FinishRound();
  // Finishes every round in flight; the first failure among them.
  absl::StatusOr<RoundEnd> FinishAllRounds();
  // Marks the acknowledged rows when `force`, when their interval is up or
  // when a batch's worth waits.
  absl::Status MarkAcknowledged(bool force);
  // Before the lock goes: marks what it can and forgets the rest.
  void DropAcknowledged();
  // How long an idle relay may wait: the poll interval, or less when
  // acknowledged rows are due to be marked sooner or a round's deadline
  // comes first.
  absl::Duration IdleWait() const;
  absl::Status ParkRow(const OutboxRow& row, const std::string& reason);
  void ReportStats();
  void SetHealthy(bool healthy);
  // Waits up to `timeout`; a Wake() ends the wait early only when
  // `wakeable` (never during a backoff). Stop() always does.
  void Wait(absl::Duration timeout, bool wakeable);
  // Waits up to `timeout` for a Wake(), a round's last report, or Stop();
  // false when only a round's reports ended it (nothing new to read).
  bool AwaitWork(absl::Duration timeout);

  OutboxStore& store_;
  PublisherFactory make_publisher_;
  RelayOptions options_;
  std::unique_ptr<kafka::EventPublisher> publisher_;
  // Acknowledged, not yet marked (relay thread only); `mark_due_` is set by
  // the first of them.
  std::set<int64_t> unmarked_;
  // Produced, not yet finished, oldest first (relay thread only), with their
  // rows' ids and keys (topic, key).
  std::deque<Round> rounds_;
  std::set<int64_t> in_flight_ids_;
  std::set<std::pair<std::string, std::string>> in_flight_keys_;
  // After a failure, until every round in flight is finished: keys and
  // partitions whose later rows may not be marked.
  std::set<std::pair<std::string, std::string>> blocked_keys_;
  std::set<std::pair<std::string, int32_t>> blocked_partitions_;
  absl::Time mark_due_ = absl::InfiniteFuture();

  std::atomic<bool> active_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  mutable absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool round_finished_ ABSL_GUARDED_BY(mu_) = false;
  RelayStats stats_ ABSL_GUARDED_BY(mu_);
  std::deque<absl::Duration> latencies_ ABSL_GUARDED_BY(mu_);
};

}  // namespace shop::outbox

#endif  // SHOP_COMMON_OUTBOX_RELAY_H_

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
#ifndef SHOP_COMMON_OUTBOX_RELAY_H_
#define SHOP_COMMON_OUTBOX_RELAY_H_

#include <cppconn/connection.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/kafka/producer.h"
#include "common/mysql/connection_pool.h"

namespace shop::outbox {

// Points at which tests inject a crash.
enum class RelayStep { kFetched, kPublished, kMarked };

struct RelayOptions {
  // Defaults to "outbox_relay:<database>".
  std::string lock_name;
  int batch_size = 500;
  // How often an idle active relay looks for events nobody woke it for.
  absl::Duration poll_interval = absl::Milliseconds(500);
  // How often a standby tries to become active.
  absl::Duration lock_retry = absl::Seconds(1);
  absl::Duration publish_timeout = absl::Seconds(30);
  absl::Duration stats_interval = absl::Seconds(10);
  // Published rows older than this are deleted.
  absl::Duration retention = absl::Hours(24);
  // Test hook, called at each step with the batch size.
  std::function<void(RelayStep, int)> on_step;
};

struct RelayStats {
  bool active = false;
  int64_t published = 0;
  int64_t publish_failures = 0;
  int64_t backlog = 0;  // unpublished rows at the last count
  // Commit (created_at) to broker acknowledgement, over recent events.
  absl::Duration latency_p50;
  absl::Duration latency_p99;
};

class OutboxRelay {
 public:
  OutboxRelay(mysql::ConnectionPool& pool, kafka::Producer& producer, RelayOptions options);
  ~OutboxRelay();

  void Start();
  // Finishes the batch in hand, releases the lock, returns.
  void Stop();
  // Publish now (called after a commit that appended events).
  void Wake();

  bool active() const { return active_.load(); }
  RelayStats stats() const;

 private:
  struct Row;
  void Run();
  bool HoldsLock();
  bool TryAcquireLock();
  void ReleaseLock();
  // Publishes one batch; returns how many rows were published, or an error.
  absl::StatusOr<int> PublishBatch();
  void CountBacklog();
  void DeleteOld();
  void WaitForWork(absl::Duration timeout);

  mysql::ConnectionPool& pool_;
  kafka::Producer& producer_;
  RelayOptions options_;

  std::unique_ptr<sql::Connection> lock_connection_;
  std::atomic<bool> active_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  mutable absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  RelayStats stats_ ABSL_GUARDED_BY(mu_);
  std::deque<absl::Duration> latencies_ ABSL_GUARDED_BY(mu_);
};

}  // namespace shop::outbox

#endif  // SHOP_COMMON_OUTBOX_RELAY_H_

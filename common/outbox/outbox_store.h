// The SQL the outbox relay runs, behind an interface: FetchPublishable,
// DeletePublished, Park, counts and the relay's named lock. The relay
// is tested against an in-memory fake in milliseconds; MysqlOutboxStore is
// the real one, tested on the real database, and also serves the operator's
// commands on parked rows (list, release, discard).
#ifndef SHOP_COMMON_OUTBOX_OUTBOX_STORE_H_
#define SHOP_COMMON_OUTBOX_OUTBOX_STORE_H_

#include <cppconn/connection.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/producer.h"
#include "common/mysql/connection_pool.h"

namespace shop::outbox {

struct OutboxRow {
  int64_t id = 0;
  kafka::Record record;
  absl::Time created_at;
};

// Outbox ids from `first` to `last`, both included.
struct IdRange {
  int64_t first = 0;
  int64_t last = -1;  // before first: empty
};

// A row the relay parked, for the operator.
struct ParkedRow {
  int64_t id = 0;
  std::string event_id;
  std::string event_type;
  std::string topic;
  std::string key;
  std::string reason;
  int64_t payload_bytes = 0;
  std::string created_at;
  std::string parked_at;
  // Unpublished rows of the same topic and key waiting behind it.
  int64_t held_behind = 0;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // At most this many ranges in a read's `skip`.
  static constexpr int kMaxSkipRanges = 4;

  // Up to `limit` unpublished rows in id order, leaving out parked rows, the
  // rows held behind them (a parked row of the same topic and key with a
  // smaller id) and the rows whose ids are in `skip` (the relay's rows in
  // flight or acknowledged: not read again only to be dropped). Every row
  // returned is durable: a crash can no longer undo it (InnoDB shows a
  // commit before its log is flushed; see 0004_durability_barrier.sql).
  virtual absl::StatusOr<std::vector<OutboxRow>> FetchPublishable(
      int limit, const std::vector<IdRange>& skip) = 0;
  // Marks rows published, which deletes them: the outbox holds only what is
  // still to publish (Kafka keeps the events).
  virtual absl::Status DeletePublished(const std::vector<int64_t>& ids) = 0;
  virtual absl::Status Park(int64_t id, const std::string& reason) = 0;
  // Unpublished rows (parked and held included), and parked rows alone.
  virtual absl::StatusOr<int64_t> CountUnpublished() = 0;
  virtual absl::StatusOr<int64_t> CountParked() = 0;

  // The relay's named lock: one active relay per database.
  virtual bool TryAcquireLock() = 0;
  // False once the lock (or its connection) is lost.
  virtual bool HoldsLock() = 0;
  virtual void ReleaseLock() = 0;
};

class MysqlOutboxStore : public OutboxStore {
 public:
  // `lock_name` defaults to "outbox_relay:<database>".
  explicit MysqlOutboxStore(mysql::ConnectionPool& pool, std::string lock_name = "");

  absl::StatusOr<std::vector<OutboxRow>> FetchPublishable(
      int limit, const std::vector<IdRange>& skip) override;
  absl::Status DeletePublished(const std::vector<int64_t>& ids) override;
  absl::Status Park(int64_t id, const std::string& reason) override;
  absl::StatusOr<int64_t> CountUnpublished() override;
  absl::StatusOr<int64_t> CountParked() override;
  bool TryAcquireLock() override;
  bool HoldsLock() override;
  void ReleaseLock() override;

  // The operator's commands.
  absl::StatusOr<std::vector<ParkedRow>> ListParked(int limit);
  // Lets the relay try a parked row again (after the broker or the topic was
  // fixed); NOT_FOUND when `id` is not parked.
  absl::Status Release(int64_t id);
  // Deletes a parked row for good, so that the rows held behind it flow;
  // NOT_FOUND when `id` is not parked.
  absl::Status Discard(int64_t id);

  const std::string& lock_name() const { return lock_name_; }

 private:
  absl::StatusOr<int64_t> Count(const std::string& sql, const std::string& what);
  absl::Status ChangeParked(const std::string& sql, int64_t id, const std::string& what);

  mysql::ConnectionPool& pool_;
  std::string lock_name_;
  std::unique_ptr<sql::Connection> lock_connection_;
};

}  // namespace shop::outbox

#endif  // SHOP_COMMON_OUTBOX_OUTBOX_STORE_H_

// The dispatcher's database: the orders it tracks and the deliveries it owes.
// The consumer side writes in the consumer's transaction (effectively once
// per event); the sender side claims, records outcomes, and the operator
// lists and redelivers.
#ifndef SHOP_GATEWAY_WEBHOOKS_WEBHOOK_STORE_H_
#define SHOP_GATEWAY_WEBHOOKS_WEBHOOK_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/migrations.h"
#include "common/mysql/transaction.h"

namespace shop::gateway {

std::vector<mysql::Migration> WebhookMigrations();

struct TrackedOrder {
  std::string order_id;
  std::string partner_id;  // empty: not a partner's order
  std::string order_ref;
  std::string currency;
  int64_t total_minor = 0;
  bool completed = false;
  bool shipped_early = false;
  std::string shipped_event_id;  // the SHIPPED event held for it, when shipped_early
  std::string shipped_time;      // RFC 3339
};

struct Delivery {
  int64_t id = 0;
  std::string subscriber;
  std::string stream_key;
  std::string event_id;
  std::string event_type;
  std::string payload;
  std::string state;  // pending, delivered, dead
  int attempts = 0;
  std::string next_attempt_at;
  int last_status = 0;
  std::string last_error;
  std::string created_at;
  bool due = false;
};

// In the consumer's transaction.
absl::StatusOr<std::optional<TrackedOrder>> FindOrder(mysql::Transaction& tx,
                                                      const std::string& order_id);
absl::Status SaveOrder(mysql::Transaction& tx, const TrackedOrder& order);
// INSERT IGNORE: a second copy of an event for a subscriber is dropped.
absl::Status Enqueue(mysql::Transaction& tx, const Delivery& delivery);

class WebhookStore {
 public:
  explicit WebhookStore(mysql::ConnectionPool& pool) : pool_(pool) {}

  // A partner's sendable rows: due, pending, and first of their stream
  // (nothing earlier pending or dead), oldest first.
  absl::StatusOr<std::vector<Delivery>> DueHeads(const std::string& subscriber, int limit);
  // A batch subscriber's oldest pending rows, when the oldest is due; empty
  // otherwise (a failed batch holds the later rows until its retry).
  absl::StatusOr<std::vector<Delivery>> DueBatch(const std::string& subscriber, int limit);

  absl::Status MarkDelivered(const std::vector<int64_t>& ids, int http_status);
  // A failed attempt: retried after `retry_in`, or dead when it is nullopt.
  absl::Status MarkFailed(const std::vector<int64_t>& ids, int http_status,
                          const std::string& error, std::optional<absl::Duration> retry_in);

  // Deletes up to `limit` delivered rows older than `retention`; how many.
  absl::StatusOr<int64_t> PruneDelivered(absl::Duration retention, int limit);

  // For the operator.
  absl::StatusOr<std::vector<Delivery>> List(const std::string& subscriber,
                                             const std::string& state, int limit);
  // Dead rows back to pending, due now, attempts reset: the given ids, or
  // every dead row of `subscriber` when ids is empty. Returns how many.
  absl::StatusOr<int64_t> Redeliver(const std::string& subscriber, const std::vector<int64_t>& ids);

 private:
  mysql::ConnectionPool& pool_;
};

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_WEBHOOKS_WEBHOOK_STORE_H_

// A tiny service used to prove the event runtime: it appends OrderPlaced
// events to its outbox and applies them with an idempotent consumer whose
// effect is one row in `effects` per event. customer_id carries a sequence
// number; the customer "poison" is rejected by the handler (a permanent
// failure).
#ifndef SHOP_COMMON_TESTING_EVENT_FIXTURE_H_
#define SHOP_COMMON_TESTING_EVENT_FIXTURE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/consumer/event_consumer.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::testing {

// outbox, processed_events and effects.
absl::Status MigrateFixture(mysql::ConnectionPool& pool);

// Appends OrderPlaced(order_id = key, customer_id = seq) in a transaction of its own.
absl::Status AppendPlaced(mysql::ConnectionPool& pool, outbox::Outbox& outbox,
                          const std::string& key, const std::string& seq);

// Registers the OrderPlaced handler that writes an effect row.
void RegisterEffectHandler(consumer::EventConsumer& consumer);
// The effect itself: one row in `effects` for this event, in its transaction.
absl::Status RecordEffect(const shop::order::v1::OrderPlaced& placed,
                          consumer::EventContext& context);

struct Effects {
  int64_t rows = 0;
  int64_t distinct = 0;
};
absl::StatusOr<Effects> CountEffects(mysql::ConnectionPool& pool);

// Writes a row straight into the outbox table, bypassing Outbox::Append and
// its checks, as a bug or a hand edit could: `payload` as it is.
absl::Status InsertRawOutboxRow(mysql::ConnectionPool& pool, const std::string& topic,
                                const std::string& key, const std::string& payload);

// Outbox rows not yet marked published (a published row is deleted).
absl::StatusOr<int64_t> CountUnpublished(mysql::ConnectionPool& pool);

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_EVENT_FIXTURE_H_

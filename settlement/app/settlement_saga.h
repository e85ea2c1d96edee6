// Settlement's part of the saga: one named handler per event it consumes.
// Each asks the ledger rules (domain/ledger.h) what to book, books it
// through a LedgerStore (once per order and type) and emits what it booked
// through an EventSink. Unit-tested against a fake store and a recording
// sink; the consumer wires the MySQL ledger and the outbox.
#ifndef SHOP_SETTLEMENT_APP_SETTLEMENT_SAGA_H_
#define SHOP_SETTLEMENT_APP_SETTLEMENT_SAGA_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/consumer/event_consumer.h"
#include "proto/shop/order/v1/events.pb.h"
#include "proto/shop/settlement/v1/settlement.pb.h"

namespace shop::settlement::app {

// The ledger, as one transaction sees it.
class LedgerStore {
 public:
  virtual ~LedgerStore() = default;
  // Books `entry`; false when an entry of its type exists for its order.
  virtual absl::StatusOr<bool> Book(const shop::settlement::v1::LedgerEntry& entry) = 0;
};

class SettlementSaga {
 public:
  explicit SettlementSaga(std::function<std::string()> new_id) : new_id_(std::move(new_id)) {}

  absl::Status OnOrderCompleted(const shop::order::v1::OrderCompleted& event, LedgerStore& ledger,
                                consumer::EventSink& sink);
  absl::Status OnOrderCancelled(const shop::order::v1::OrderCancelled& event, LedgerStore& ledger,
                                consumer::EventSink& sink);

 private:
  std::function<std::string()> new_id_;
};

}  // namespace shop::settlement::app

#endif  // SHOP_SETTLEMENT_APP_SETTLEMENT_SAGA_H_

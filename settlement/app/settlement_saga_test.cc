// SettlementSaga's handlers against an in-memory ledger and a recording sink.
#include "settlement/app/settlement_saga.h"

#include <set>
#include <vector>

#include "common/testing/recording_sink.h"
#include "gtest/gtest.h"
#include "proto/shop/settlement/v1/events.pb.h"

namespace shop::settlement::app {
namespace {

using shop::settlement::v1::LedgerEntry;

class FakeLedger : public LedgerStore {
 public:
  absl::StatusOr<bool> Book(const LedgerEntry& entry) override {
    if (!booked_.insert({entry.order_id(), entry.type()}).second) return false;
    entries.push_back(entry);
    return true;
  }
  std::vector<LedgerEntry> entries;

 private:
  std::set<std::pair<std::string, int>> booked_;
};

shop::order::v1::OrderCompleted Completed() {
  shop::order::v1::OrderCompleted completed;
  completed.set_order_id("o-1");
  completed.mutable_total()->set_minor_units(1299);
  completed.mutable_total()->set_currency_code("EUR");
  completed.mutable_complete_time()->set_seconds(1795300000);
  return completed;
}

TEST(SettlementSagaTest, ACompletedOrderBooksRevenueOnceAndAnnouncesIt) {
  int ids = 0;
  SettlementSaga saga([&ids] { return "e-" + std::to_string(++ids); });
  FakeLedger ledger;
  shop::testing::RecordingSink sink;
  ASSERT_TRUE(saga.OnOrderCompleted(Completed(), ledger, sink).ok());
  ASSERT_TRUE(saga.OnOrderCompleted(Completed(), ledger, sink).ok());  // redelivered
  ASSERT_EQ(ledger.entries.size(), 1u);
  EXPECT_EQ(ledger.entries[0].amount().minor_units(), 1299);
  const auto recorded = sink.Of<shop::settlement::v1::SettlementRecorded>();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].entry_id(), "e-1");
  EXPECT_EQ(recorded[0].amount().minor_units(), 1299);
}

TEST(SettlementSagaTest, OnlyACancelledCompletedOrderIsReversed) {
  SettlementSaga saga([] { return std::string("e"); });
  FakeLedger ledger;
  shop::testing::RecordingSink sink;
  shop::order::v1::OrderCancelled cancelled;
  cancelled.set_order_id("o-1");
  cancelled.mutable_total()->set_minor_units(1299);
  cancelled.mutable_total()->set_currency_code("EUR");
  cancelled.mutable_cancel_time()->set_seconds(1795300001);
  cancelled.set_previous_status(shop::order::v1::ORDER_STATUS_PENDING);
  ASSERT_TRUE(saga.OnOrderCancelled(cancelled, ledger, sink).ok());
  EXPECT_TRUE(ledger.entries.empty()) << "never booked, nothing to reverse";
  EXPECT_EQ(sink.size(), 0u);

  cancelled.set_previous_status(shop::order::v1::ORDER_STATUS_COMPLETED);
  ASSERT_TRUE(saga.OnOrderCancelled(cancelled, ledger, sink).ok());
  ASSERT_EQ(ledger.entries.size(), 1u);
  EXPECT_EQ(ledger.entries[0].amount().minor_units(), -1299);
  ASSERT_EQ(sink.Of<shop::settlement::v1::SettlementReversed>().size(), 1u);
  EXPECT_EQ(sink.Of<shop::settlement::v1::SettlementReversed>()[0].amount().minor_units(), -1299);
}

}  // namespace
}  // namespace shop::settlement::app

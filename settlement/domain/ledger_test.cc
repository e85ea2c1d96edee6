#include "settlement/domain/ledger.h"

#include "gtest/gtest.h"

namespace shop::settlement::domain {
namespace {

TEST(LedgerTest, RevenueIsTheOrderTotalOnTheDayItCompleted) {
  shop::order::v1::OrderCompleted completed;
  completed.set_order_id("o-1");
  completed.mutable_total()->set_minor_units(2199);
  completed.mutable_total()->set_currency_code("GBP");
  completed.mutable_complete_time()->set_seconds(1795300000);  // 2026-11-21T22:26:40Z
  auto entry = RevenueOf(completed);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->type(), shop::settlement::v1::LEDGER_ENTRY_TYPE_REVENUE);
  EXPECT_EQ(entry->amount().minor_units(), 2199);
  EXPECT_EQ(entry->business_date(), "2026-11-21");
}

TEST(LedgerTest, OnlyACompletedOrderIsReversedAndTheReversalIsNegative) {
  shop::order::v1::OrderCancelled cancelled;
  cancelled.set_order_id("o-1");
  cancelled.mutable_total()->set_minor_units(2199);
  cancelled.mutable_total()->set_currency_code("GBP");
  cancelled.mutable_cancel_time()->set_seconds(1795350000);
  cancelled.set_previous_status(shop::order::v1::ORDER_STATUS_PENDING);
  auto none = ReversalOf(cancelled);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  cancelled.set_previous_status(shop::order::v1::ORDER_STATUS_COMPLETED);
  auto reversal = ReversalOf(cancelled);
  ASSERT_TRUE(reversal.ok() && reversal->has_value());
  EXPECT_EQ((*reversal)->amount().minor_units(), -2199);
  EXPECT_EQ((*reversal)->type(), shop::settlement::v1::LEDGER_ENTRY_TYPE_REVERSAL);
  EXPECT_EQ((*reversal)->business_date(), "2026-11-22");
}

TEST(LedgerTest, AnEventWithoutAValidTotalIsRejected) {
  shop::order::v1::OrderCompleted completed;
  completed.set_order_id("o-2");
  EXPECT_EQ(RevenueOf(completed).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LedgerTest, DatesAreValidated) {
  EXPECT_TRUE(IsDate("2026-11-22"));
  EXPECT_FALSE(IsDate("2026-13-01"));
  EXPECT_FALSE(IsDate("yesterday"));
  EXPECT_FALSE(IsDate(""));
}

}  // namespace
}  // namespace shop::settlement::domain

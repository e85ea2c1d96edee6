// Settlement's bookkeeping rules, pure: what a completed or cancelled order
// books, and on which business day. Booking times come from the events
// themselves, so replaying history books exactly the same ledger.
#ifndef SHOP_SETTLEMENT_DOMAIN_LEDGER_H_
#define SHOP_SETTLEMENT_DOMAIN_LEDGER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"
#include "proto/shop/order/v1/events.pb.h"
#include "proto/shop/settlement/v1/events.pb.h"
#include "proto/shop/settlement/v1/settlement.pb.h"

namespace shop::settlement::domain {

using shop::settlement::v1::LedgerEntry;

// "YYYY-MM-DD" of `time` in UTC.
std::string BusinessDate(const google::protobuf::Timestamp& time);

// True for a well-formed "YYYY-MM-DD".
bool IsDate(const std::string& date);

// The revenue entry of a completed order (without its entry id).
absl::StatusOr<LedgerEntry> RevenueOf(const shop::order::v1::OrderCompleted& completed);

// The reversal of a cancelled order, or nullopt when it never completed
// (nothing was booked, nothing to reverse).
absl::StatusOr<std::optional<LedgerEntry>> ReversalOf(
    const shop::order::v1::OrderCancelled& cancelled);

// The events that announce a booked entry.
shop::settlement::v1::SettlementRecorded SettlementRecordedOf(const LedgerEntry& revenue);
shop::settlement::v1::SettlementReversed SettlementReversedOf(const LedgerEntry& reversal);

}  // namespace shop::settlement::domain

#endif  // SHOP_SETTLEMENT_DOMAIN_LEDGER_H_

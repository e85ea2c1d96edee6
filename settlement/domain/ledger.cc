#include "settlement/domain/ledger.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/money/currency.h"

namespace shop::settlement::domain {
namespace {

absl::Status CheckAmount(const shop::common::v1::Money& total, const std::string& order_id) {
  if (total.minor_units() <= 0 || !money::IsKnownCurrency(total.currency_code())) {
    return absl::InvalidArgumentError(
        absl::StrCat("order ", order_id, " carries no valid positive total"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string BusinessDate(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(time.seconds()), absl::UTCTimeZone());
}

bool IsDate(const std::string& date) {
  absl::CivilDay day;
  return date.size() == 10 && absl::ParseCivilTime(date, &day);
}

absl::StatusOr<LedgerEntry> RevenueOf(const shop::order::v1::OrderCompleted& completed) {
  if (absl::Status status = CheckAmount(completed.total(), completed.order_id()); !status.ok()) {
    return status;
  }
  LedgerEntry entry;
  entry.set_order_id(completed.order_id());
  entry.set_type(shop::settlement::v1::LEDGER_ENTRY_TYPE_REVENUE);
  *entry.mutable_amount() = completed.total();
  *entry.mutable_book_time() = completed.complete_time();
  entry.set_business_date(BusinessDate(completed.complete_time()));
  return entry;
}

absl::StatusOr<std::optional<LedgerEntry>> ReversalOf(
    const shop::order::v1::OrderCancelled& cancelled) {
  if (cancelled.previous_status() != shop::order::v1::ORDER_STATUS_COMPLETED) return std::nullopt;
  if (absl::Status status = CheckAmount(cancelled.total(), cancelled.order_id()); !status.ok()) {
    return status;
  }
  LedgerEntry entry;
  entry.set_order_id(cancelled.order_id());
  entry.set_type(shop::settlement::v1::LEDGER_ENTRY_TYPE_REVERSAL);
  entry.mutable_amount()->set_minor_units(-cancelled.total().minor_units());
  entry.mutable_amount()->set_currency_code(cancelled.total().currency_code());
  *entry.mutable_book_time() = cancelled.cancel_time();
  entry.set_business_date(BusinessDate(cancelled.cancel_time()));
  return entry;
}

shop::settlement::v1::SettlementRecorded SettlementRecordedOf(const LedgerEntry& revenue) {
  shop::settlement::v1::SettlementRecorded recorded;
  recorded.set_entry_id(revenue.entry_id());
  recorded.set_order_id(revenue.order_id());
  *recorded.mutable_amount() = revenue.amount();
  *recorded.mutable_book_time() = revenue.book_time();
  return recorded;
}

shop::settlement::v1::SettlementReversed SettlementReversedOf(const LedgerEntry& reversal) {
  shop::settlement::v1::SettlementReversed reversed;
  reversed.set_entry_id(reversal.entry_id());
  reversed.set_order_id(reversal.order_id());
  *reversed.mutable_amount() = reversal.amount();
  *reversed.mutable_book_time() = reversal.book_time();
  return reversed;
}

}  // namespace shop::settlement::domain

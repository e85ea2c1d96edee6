#include "settlement/storage/ledger_repository.h"

#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/mysql/multi_row.h"
#include "google/protobuf/util/time_util.h"
#include "settlement/storage/ledger_migrations.h"

namespace shop::settlement::storage {
namespace {

using google::protobuf::util::TimeUtil;

void SetMoney(shop::common::v1::Money* money, int64_t minor, const std::string& currency) {
  money->set_minor_units(minor);
  money->set_currency_code(currency);
}

}  // namespace

std::vector<mysql::Migration> LedgerMigrations() { return GeneratedLedgerMigrations(); }

absl::Status LedgerRepository::BookMany(mysql::Transaction& tx,
                                        const std::vector<const LedgerEntry*>& entries) {
  return tx.Run("booking ledger entries", [&] {
    mysql::ForEachChunk(entries.size(), [&](size_t begin, size_t size) {
      sql::PreparedStatement& insert = tx.Prepare(
          absl::StrCat("INSERT INTO ledger_entries (entry_id, order_id, entry_type, amount_minor,"
                       " currency_code, book_micros, business_date) VALUES ",
                       mysql::RowPlaceholders(size, 7)));
      int at = 1;
      for (size_t i = 0; i < size; ++i) {
        const LedgerEntry& entry = *entries[begin + i];
        insert.setString(at++, entry.entry_id());
        insert.setString(at++, entry.order_id());
        insert.setInt(at++, entry.type());
        insert.setInt64(at++, entry.amount().minor_units());
        insert.setString(at++, entry.amount().currency_code());
        insert.setInt64(at++, TimeUtil::TimestampToMicroseconds(entry.book_time()));
        insert.setString(at++, entry.business_date());
      }
      insert.executeUpdate();
    });
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<LedgerEntry>> LedgerRepository::EntriesOf(mysql::Transaction& tx,
                                                                     const std::string& order_id) {
  return EntriesOfMany(tx, {order_id});
}

absl::StatusOr<std::vector<LedgerEntry>> LedgerRepository::EntriesOfMany(
    mysql::Transaction& tx, const std::vector<std::string>& order_ids) {
  std::vector<LedgerEntry> entries;
  absl::Status status = tx.Run("reading ledger entries", [&] {
    mysql::ForEachPaddedChunk(order_ids.size(), [&](size_t begin, size_t size, size_t shape) {
      sql::PreparedStatement& select = tx.Prepare(absl::StrCat(
          "SELECT entry_id, order_id, entry_type, amount_minor, currency_code, book_micros,"
          " business_date FROM ledger_entries WHERE order_id IN (",
          mysql::Placeholders(shape), ") ORDER BY order_id, book_micros, entry_type"));
      for (size_t i = 0; i < shape; ++i) {
        select.setString(static_cast<int>(i + 1), order_ids[mysql::Padded(begin, size, i)]);
      }
      std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
      while (rows->next()) {
        LedgerEntry entry;
        entry.set_entry_id(rows->getString(1));
        entry.set_order_id(rows->getString(2));
        entry.set_type(static_cast<shop::settlement::v1::LedgerEntryType>(rows->getInt(3)));
        SetMoney(entry.mutable_amount(), rows->getInt64(4), rows->getString(5));
        *entry.mutable_book_time() = TimeUtil::MicrosecondsToTimestamp(rows->getInt64(6));
        entry.set_business_date(rows->getString(7));
        entries.push_back(std::move(entry));
      }
    });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return entries;
}

absl::StatusOr<std::vector<DailyTotal>> LedgerRepository::DailyTotals(
    mysql::Transaction& tx, const std::string& start_date, const std::string& end_date,
    const std::string& currency_code) {
  std::vector<DailyTotal> totals;
  absl::Status status = tx.Run("summing the ledger", [&] {
    sql::PreparedStatement& select = tx.Prepare(
        "SELECT business_date, currency_code,"
        " CAST(SUM(CASE WHEN entry_type = 1 THEN amount_minor ELSE 0 END) AS SIGNED),"
        " CAST(SUM(CASE WHEN entry_type = 2 THEN amount_minor ELSE 0 END) AS SIGNED),"
        " CAST(SUM(amount_minor) AS SIGNED), COUNT(*)"
        " FROM ledger_entries WHERE business_date BETWEEN ? AND ?"
        " AND (? = '' OR currency_code = ?)"
        " GROUP BY business_date, currency_code ORDER BY business_date, currency_code");
    select.setString(1, start_date);
    select.setString(2, end_date);
    select.setString(3, currency_code);
    select.setString(4, currency_code);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    while (rows->next()) {
      DailyTotal total;
      total.set_business_date(rows->getString(1));
      const std::string currency = rows->getString(2);
      total.set_currency_code(currency);
      SetMoney(total.mutable_revenue(), rows->getInt64(3), currency);
      SetMoney(total.mutable_reversals(), rows->getInt64(4), currency);
      SetMoney(total.mutable_net(), rows->getInt64(5), currency);
      total.set_entry_count(rows->getInt64(6));
      totals.push_back(std::move(total));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return totals;
}

}  // namespace shop::settlement::storage

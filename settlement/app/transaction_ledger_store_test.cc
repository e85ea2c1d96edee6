// Settlement's unit of work against the real database: a batch reads the
// entries of its orders in a statement per chunk, books once per order and
// type from memory, and writes the new entries at COMMIT only.
#include "settlement/app/transaction_ledger_store.h"

#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "common/testing/row_locks.h"
#include "gtest/gtest.h"

namespace shop::settlement::app {
namespace {

using shop::settlement::v1::LEDGER_ENTRY_TYPE_REVENUE;
using shop::settlement::v1::LEDGER_ENTRY_TYPE_REVERSAL;
using shop::settlement::v1::LedgerEntry;
using shop::settlement::v1::LedgerEntryType;

LedgerEntry Entry(const std::string& order_id, LedgerEntryType type, int64_t minor) {
  LedgerEntry entry;
  entry.set_entry_id(absl::StrCat("e-", order_id, "-", type));
  entry.set_order_id(order_id);
  entry.set_type(type);
  entry.mutable_amount()->set_minor_units(minor);
  entry.mutable_amount()->set_currency_code("EUR");
  entry.mutable_book_time()->set_seconds(1700000000);
  entry.set_business_date("2023-11-14");
  return entry;
}

class TransactionLedgerStoreTest : public ::testing::Test {
 protected:
  TransactionLedgerStoreTest() : database_("ledger_store_test") {}

  void SetUp() override {
    ASSERT_TRUE(database_.status().ok()) << database_.status();
    pool_ = std::make_unique<mysql::ConnectionPool>(database_.options());
    ASSERT_TRUE(
        mysql::ApplyMigrations(*pool_, "settlement", storage::LedgerMigrations()).status().ok());
  }

  absl::Status InTransaction(absl::FunctionRef<absl::Status(mysql::Transaction&)> work) {
    return mysql::RunInTransaction(*pool_, absl::Now() + absl::Seconds(10), work);
  }

  void Book(const std::vector<LedgerEntry>& entries) {
    std::vector<const LedgerEntry*> rows;
    for (const LedgerEntry& entry : entries) rows.push_back(&entry);
    ASSERT_TRUE(
        InTransaction([&](mysql::Transaction& tx) { return ledger_.BookMany(tx, rows); }).ok());
  }

  // "<type>:<amount>" of each committed entry of the order.
  std::vector<std::string> Committed(const std::string& order_id) {
    std::vector<std::string> found;
    EXPECT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                  auto entries = ledger_.EntriesOf(tx, order_id);
                  if (!entries.ok()) return entries.status();
                  for (const LedgerEntry& e : *entries) {
                    found.push_back(absl::StrCat(e.type(), ":", e.amount().minor_units()));
                  }
                  return absl::OkStatus();
                }).ok());
    return found;
  }

  shop::testing::TestDatabase database_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  storage::LedgerRepository ledger_;
};

TEST_F(TransactionLedgerStoreTest, BooksOncePerOrderAndTypeFromMemoryAndWritesAtCommit) {
  Book({Entry("o1", LEDGER_ENTRY_TYPE_REVENUE, 500)});
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                TransactionLedgerStore& store = TransactionLedgerStore::Of(ledger_, tx);
                EXPECT_EQ(&store, &TransactionLedgerStore::Of(ledger_, tx)) << "one per tx";
                EXPECT_TRUE(store.LockForBatch({"o2", "o1", "o2"}).ok());

                const int64_t first = shop::testing::StatementsExecuted(tx);
                const int64_t before = shop::testing::StatementsExecuted(tx);
                const int64_t idle = before - first;  // the probe alone
                auto again = store.Book(Entry("o1", LEDGER_ENTRY_TYPE_REVENUE, 999));
                EXPECT_TRUE(again.ok() && !*again) << "booked before: refused";
                auto reversal = store.Book(Entry("o1", LEDGER_ENTRY_TYPE_REVERSAL, -500));
                EXPECT_TRUE(reversal.ok() && *reversal);
                auto revenue = store.Book(Entry("o2", LEDGER_ENTRY_TYPE_REVENUE, 700));
                EXPECT_TRUE(revenue.ok() && *revenue);
                auto twice = store.Book(Entry("o2", LEDGER_ENTRY_TYPE_REVENUE, 700));
                EXPECT_TRUE(twice.ok() && !*twice) << "booked earlier in this batch: refused";
                EXPECT_EQ(shop::testing::StatementsExecuted(tx) - before, idle);
                EXPECT_TRUE(Committed("o2").empty()) << "written at COMMIT only";
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(Committed("o1"), (std::vector<std::string>{"1:500", "2:-500"}));
  EXPECT_EQ(Committed("o2"), (std::vector<std::string>{"1:700"}));
}

TEST_F(TransactionLedgerStoreTest, AnOrderNotInTheBatchIsReadOnDemand) {
  Book({Entry("late", LEDGER_ENTRY_TYPE_REVENUE, 100)});
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                TransactionLedgerStore& store = TransactionLedgerStore::Of(ledger_, tx);
                auto booked = store.Book(Entry("late", LEDGER_ENTRY_TYPE_REVENUE, 100));
                EXPECT_TRUE(booked.ok() && !*booked);
                return booked.status();
              }).ok());
  EXPECT_EQ(Committed("late"), (std::vector<std::string>{"1:100"}));
}

TEST_F(TransactionLedgerStoreTest, ARaceIsRefusedAtCommitByTheUniqueKey) {
  auto tx = mysql::Transaction::Begin(*pool_, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(tx.ok());
  TransactionLedgerStore& store = TransactionLedgerStore::Of(ledger_, **tx);
  ASSERT_TRUE(store.LockForBatch({"o1"}).ok());
  auto mine = store.Book(Entry("o1", LEDGER_ENTRY_TYPE_REVENUE, 500));
  ASSERT_TRUE(mine.ok() && *mine);
  LedgerEntry theirs = Entry("o1", LEDGER_ENTRY_TYPE_REVENUE, 500);
  theirs.set_entry_id("e-theirs");
  Book({theirs});
  EXPECT_FALSE((*tx)->Commit().ok()) << "booked once per order and type";
  EXPECT_EQ(Committed("o1"), (std::vector<std::string>{"1:500"}));
}

TEST_F(TransactionLedgerStoreTest, ARolledBackBatchWritesNothing) {
  auto tx = mysql::Transaction::Begin(*pool_, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(tx.ok());
  TransactionLedgerStore& store = TransactionLedgerStore::Of(ledger_, **tx);
  ASSERT_TRUE(store.Book(Entry("o1", LEDGER_ENTRY_TYPE_REVENUE, 500)).ok());
  EXPECT_TRUE((*tx)->Rollback().ok());
  EXPECT_TRUE(Committed("o1").empty());
}

TEST_F(TransactionLedgerStoreTest, ManyOrdersAreReadAndBookedInChunks) {
  std::vector<std::string> orders;
  std::vector<LedgerEntry> booked;
  for (int i = 0; i < 150; ++i) {
    orders.push_back(absl::StrCat("many-", 1000 + i));
    if (i % 3 == 0) booked.push_back(Entry(orders.back(), LEDGER_ENTRY_TYPE_REVENUE, i));
  }
  Book(booked);
  int newly = 0;
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                TransactionLedgerStore& store = TransactionLedgerStore::Of(ledger_, tx);
                if (absl::Status s = store.LockForBatch(orders); !s.ok()) return s;
                const int64_t before = shop::testing::StatementsExecuted(tx);
                for (int i = 0; i < 150; ++i) {
                  auto done = store.Book(Entry(orders[i], LEDGER_ENTRY_TYPE_REVENUE, i));
                  if (!done.ok()) return done.status();
                  newly += *done ? 1 : 0;
                }
                EXPECT_EQ(shop::testing::StatementsExecuted(tx) - before, 1) << "the probe only";
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(newly, 100);
  for (int i = 0; i < 150; ++i) {
    EXPECT_EQ(Committed(orders[i]), (std::vector<std::string>{absl::StrCat("1:", i)}));
  }
}

}  // namespace
}  // namespace shop::settlement::app

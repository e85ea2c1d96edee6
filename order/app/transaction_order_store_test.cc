// The order service's unit of work against the real database: a batch reads
// and locks its orders in a few statements, serves its handlers from memory,
// and writes the changed orders at COMMIT (nothing when rolled back).
#include "order/app/transaction_order_store.h"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "common/testing/row_locks.h"
#include "gtest/gtest.h"

namespace shop::order::app {
namespace {

using shop::order::v1::ORDER_STATUS_CANCELLED;
using shop::order::v1::ORDER_STATUS_COMPLETED;
using shop::order::v1::ORDER_STATUS_PENDING;

class TransactionOrderStoreTest : public ::testing::Test {
 protected:
  TransactionOrderStoreTest() : database_("order_store_test") {}

  void SetUp() override {
    ASSERT_TRUE(database_.status().ok()) << database_.status();
    pool_ = std::make_unique<mysql::ConnectionPool>(database_.options());
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, "order", storage::OrderMigrations()).status().ok());
  }

  absl::Status InTransaction(absl::FunctionRef<absl::Status(mysql::Transaction&)> work) {
    return mysql::RunInTransaction(*pool_, absl::Now() + absl::Seconds(10), work);
  }

  void InsertOrders(const std::vector<std::string>& ids) {
    ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                  for (const std::string& id : ids) {
                    Order order;
                    order.set_order_id(id);
                    order.set_customer_id("c");
                    order.set_idempotency_key(id);
                    order.set_status(ORDER_STATUS_PENDING);
                    order.mutable_create_time()->set_seconds(1700000000);
                    if (absl::Status s = orders_.Insert(tx, order, "fp"); !s.ok()) return s;
                  }
                  return absl::OkStatus();
                }).ok());
  }

  // The order's status column and document, as committed.
  std::string Committed(const std::string& id) {
    auto connection = pool_->Acquire();
    sql::PreparedStatement& select =
        connection->Prepare("SELECT status, document FROM orders WHERE order_id = ?");
    select.setString(1, id);
    std::unique_ptr<sql::ResultSet> row(select.executeQuery());
    if (!row->next()) return "missing";
    Order order;
    order.ParseFromString(row->getString(2));
    return absl::StrCat(row->getInt(1), "/", order.status());
  }

  bool Lockable(const std::string& id) {
    return shop::testing::Lockable(*pool_, "SELECT status FROM orders WHERE order_id = ?", id);
  }

  shop::testing::TestDatabase database_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  storage::OrderRepository orders_;
  storage::CatalogReplica catalog_;
};

TEST_F(TransactionOrderStoreTest, ABatchLocksItsOrdersOnceSeesItsChangesAndWritesThemAtCommit) {
  InsertOrders({"o1", "o2", "o3"});
  const std::string pending = absl::StrCat(ORDER_STATUS_PENDING, "/", ORDER_STATUS_PENDING);
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                TransactionOrderStore& store = TransactionOrderStore::Of(orders_, catalog_, tx);
                EXPECT_EQ(&store, &TransactionOrderStore::Of(orders_, catalog_, tx))
                    << "one per tx";
                // Any order, duplicates and unknown ids in.
                EXPECT_TRUE(store.LockForBatch({"o3", "o1", "ghost", "o1", "o2"}).ok());
                for (const char* id : {"o1", "o2", "o3"}) EXPECT_FALSE(Lockable(id)) << id;

                // The handlers' reads and writes run no statement.
                const int64_t first = shop::testing::StatementsExecuted(tx);
                const int64_t before = shop::testing::StatementsExecuted(tx);
                const int64_t idle = before - first;  // the SHOW alone
                auto o1 = store.GetForUpdate("o1");
                EXPECT_TRUE(o1.ok()) << o1.status();
                o1->set_status(ORDER_STATUS_COMPLETED);
                EXPECT_TRUE(store.Update(*o1).ok());
                auto again = store.GetForUpdate("o1");
                EXPECT_EQ(again->status(), ORDER_STATUS_COMPLETED)
                    << "later events see earlier ones";
                auto o3 = store.GetForUpdate("o3");
                o3->set_status(ORDER_STATUS_CANCELLED);
                EXPECT_TRUE(store.Update(*o3).ok());
                EXPECT_EQ(shop::testing::StatementsExecuted(tx) - before, idle);

                EXPECT_EQ(store.GetForUpdate("ghost").status().code(), absl::StatusCode::kNotFound);
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(Committed("o1"), absl::StrCat(ORDER_STATUS_COMPLETED, "/", ORDER_STATUS_COMPLETED));
  EXPECT_EQ(Committed("o2"), pending);
  EXPECT_EQ(Committed("o3"), absl::StrCat(ORDER_STATUS_CANCELLED, "/", ORDER_STATUS_CANCELLED));
  for (const char* id : {"o1", "o2", "o3"}) EXPECT_TRUE(Lockable(id)) << "released at COMMIT";
}

TEST_F(TransactionOrderStoreTest, AnOrderNotInTheBatchIsReadAndLockedOnDemand) {
  InsertOrders({"o1", "late"});
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                TransactionOrderStore& store = TransactionOrderStore::Of(orders_, catalog_, tx);
                EXPECT_TRUE(store.LockForBatch({"o1"}).ok());
                EXPECT_TRUE(Lockable("late"));
                auto late = store.GetForUpdate("late");
                EXPECT_TRUE(late.ok()) << late.status();
                EXPECT_FALSE(Lockable("late"));
                late->set_status(ORDER_STATUS_COMPLETED);
                return store.Update(*late);
              }).ok());
  EXPECT_EQ(Committed("late"), absl::StrCat(ORDER_STATUS_COMPLETED, "/", ORDER_STATUS_COMPLETED));
}

TEST_F(TransactionOrderStoreTest, AnOrderNeverReadCannotBeUpdated) {
  InsertOrders({"o1"});
  absl::Status status = InTransaction([&](mysql::Transaction& tx) {
    Order blind;
    blind.set_order_id("o1");
    blind.set_status(ORDER_STATUS_CANCELLED);
    return TransactionOrderStore::Of(orders_, catalog_, tx).Update(blind);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_EQ(Committed("o1"), absl::StrCat(ORDER_STATUS_PENDING, "/", ORDER_STATUS_PENDING));
}

TEST_F(TransactionOrderStoreTest, ARolledBackBatchWritesNothing) {
  InsertOrders({"o1"});
  auto tx = mysql::Transaction::Begin(*pool_, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(tx.ok());
  TransactionOrderStore& store = TransactionOrderStore::Of(orders_, catalog_, **tx);
  ASSERT_TRUE(store.LockForBatch({"o1"}).ok());
  auto o1 = store.GetForUpdate("o1");
  o1->set_status(ORDER_STATUS_COMPLETED);
  ASSERT_TRUE(store.Update(*o1).ok());
  EXPECT_TRUE((*tx)->Rollback().ok());
  EXPECT_EQ(Committed("o1"), absl::StrCat(ORDER_STATUS_PENDING, "/", ORDER_STATUS_PENDING));
}

TEST_F(TransactionOrderStoreTest, ManyOrdersAreLockedAndWrittenInChunks) {
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) ids.push_back(absl::StrCat("many-", 1000 + i));
  InsertOrders(ids);
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                TransactionOrderStore& store = TransactionOrderStore::Of(orders_, catalog_, tx);
                std::vector<std::string> reversed(ids.rbegin(), ids.rend());
                if (absl::Status s = store.LockForBatch(reversed); !s.ok()) return s;
                for (int i = 0; i < 150; i += 2) {  // every other one changes
                  auto order = store.GetForUpdate(ids[i]);
                  if (!order.ok()) return order.status();
                  order->set_status(ORDER_STATUS_COMPLETED);
                  if (absl::Status s = store.Update(*order); !s.ok()) return s;
                }
                return absl::OkStatus();
              }).ok());
  for (int i = 0; i < 150; ++i) {
    const auto status = i % 2 == 0 ? ORDER_STATUS_COMPLETED : ORDER_STATUS_PENDING;
    EXPECT_EQ(Committed(ids[i]), absl::StrCat(status, "/", status)) << ids[i];
  }
}

}  // namespace
}  // namespace shop::order::app

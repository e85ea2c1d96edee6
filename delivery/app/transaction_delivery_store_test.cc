// Delivery's unit of work against the real database: a batch reads and locks
// the deliveries of its orders in a statement per chunk, serves its handlers
// from memory, and writes new and changed deliveries at COMMIT only.
#include "delivery/app/transaction_delivery_store.h"

#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "common/testing/row_locks.h"
#include "gtest/gtest.h"

namespace shop::delivery::app {
namespace {

using shop::delivery::v1::DELIVERY_STATUS_CANCELLED;
using shop::delivery::v1::DELIVERY_STATUS_PREPARING;
using shop::delivery::v1::DELIVERY_STATUS_SHIPPED;

Delivery NewDelivery(const std::string& order_id) {
  Delivery delivery;
  delivery.set_delivery_id("d-" + order_id);
  delivery.set_order_id(order_id);
  delivery.set_status(DELIVERY_STATUS_PREPARING);
  delivery.mutable_create_time()->set_seconds(1700000000);
  return delivery;
}

class TransactionDeliveryStoreTest : public ::testing::Test {
 protected:
  TransactionDeliveryStoreTest() : database_("delivery_store_test") {}

  void SetUp() override {
    ASSERT_TRUE(database_.status().ok()) << database_.status();
    pool_ = std::make_unique<mysql::ConnectionPool>(database_.options());
    ASSERT_TRUE(
        mysql::ApplyMigrations(*pool_, "delivery", storage::DeliveryMigrations()).status().ok());
  }

  absl::Status InTransaction(absl::FunctionRef<absl::Status(mysql::Transaction&)> work) {
    return mysql::RunInTransaction(*pool_, absl::Now() + absl::Seconds(10), work);
  }

  void InsertDeliveries(const std::vector<std::string>& order_ids) {
    ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                  for (const std::string& id : order_ids) {
                    if (absl::Status s = repository_.Insert(tx, NewDelivery(id)); !s.ok()) return s;
                  }
                  return absl::OkStatus();
                }).ok());
  }

  // "<status column>/<document's status>" as committed, or "missing".
  std::string Committed(const std::string& order_id) {
    auto connection = pool_->Acquire();
    sql::PreparedStatement& select =
        connection->Prepare("SELECT status, document FROM deliveries WHERE order_id = ?");
    select.setString(1, order_id);
    std::unique_ptr<sql::ResultSet> row(select.executeQuery());
    if (!row->next()) return "missing";
    Delivery delivery;
    delivery.ParseFromString(row->getString(2));
    return absl::StrCat(row->getInt(1), "/", delivery.status());
  }

  bool Lockable(const std::string& order_id) {
    return shop::testing::Lockable(*pool_, "SELECT status FROM deliveries WHERE order_id = ?",
                                   order_id);
  }

  static std::string Both(int status) { return absl::StrCat(status, "/", status); }

  shop::testing::TestDatabase database_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  storage::DeliveryRepository repository_;
};

TEST_F(TransactionDeliveryStoreTest, ABatchLocksOnceServesItsHandlersFromMemoryAndWritesAtCommit) {
  InsertDeliveries({"o1", "o2"});
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                TransactionDeliveryStore& store = TransactionDeliveryStore::Of(repository_, tx);
                EXPECT_EQ(&store, &TransactionDeliveryStore::Of(repository_, tx)) << "one per tx";
                EXPECT_TRUE(store.LockForBatch({"o2", "new", "o1", "o2"}).ok());
                EXPECT_FALSE(Lockable("o1"));
                EXPECT_FALSE(Lockable("o2"));

                const int64_t first = shop::testing::StatementsExecuted(tx);
                const int64_t before = shop::testing::StatementsExecuted(tx);
                const int64_t idle = before - first;  // the probe alone
                auto fresh = store.FindByOrder("new");
                EXPECT_TRUE(fresh.ok() && !fresh->has_value()) << "known absent, not read again";
                EXPECT_TRUE(store.Insert(NewDelivery("new")).ok());
                auto inserted = store.FindByOrder("new");
                EXPECT_TRUE(inserted.ok() && inserted->has_value()) << "later events see it";
                EXPECT_EQ(store.Insert(NewDelivery("new")).code(),
                          absl::StatusCode::kAlreadyExists);
                Delivery shipped = NewDelivery("o1");
                shipped.set_status(DELIVERY_STATUS_SHIPPED);
                EXPECT_TRUE(store.Update(shipped).ok());
                EXPECT_EQ((*store.FindByOrder("o1"))->status(), DELIVERY_STATUS_SHIPPED);
                EXPECT_EQ(shop::testing::StatementsExecuted(tx) - before, idle);
                EXPECT_EQ(Committed("new"), "missing") << "written at COMMIT only";
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(Committed("new"), Both(DELIVERY_STATUS_PREPARING));
  EXPECT_EQ(Committed("o1"), Both(DELIVERY_STATUS_SHIPPED));
  EXPECT_EQ(Committed("o2"), Both(DELIVERY_STATUS_PREPARING));
  EXPECT_TRUE(Lockable("o1")) << "released at COMMIT";
}

TEST_F(TransactionDeliveryStoreTest, ADeliveryInsertedAndChangedInOneBatchIsInsertedChanged) {
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                TransactionDeliveryStore& store = TransactionDeliveryStore::Of(repository_, tx);
                if (absl::Status s = store.Insert(NewDelivery("o1")); !s.ok()) return s;
                Delivery cancelled = NewDelivery("o1");
                cancelled.set_status(DELIVERY_STATUS_CANCELLED);
                return store.Update(cancelled);
              }).ok());
  EXPECT_EQ(Committed("o1"), Both(DELIVERY_STATUS_CANCELLED));
}

TEST_F(TransactionDeliveryStoreTest, ADuplicateWrittenByAnotherTransactionFailsTheCommit) {
  auto tx = mysql::Transaction::Begin(*pool_, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(tx.ok());
  TransactionDeliveryStore& store = TransactionDeliveryStore::Of(repository_, **tx);
  ASSERT_TRUE(store.LockForBatch({"o1"}).ok());  // absent: no row to lock
  ASSERT_TRUE(store.Insert(NewDelivery("o1")).ok());
  Delivery theirs = NewDelivery("o1");
  theirs.set_delivery_id("d-theirs");
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& other) {
                return repository_.Insert(other, theirs);
              }).ok());
  EXPECT_FALSE((*tx)->Commit().ok()) << "the unique order_id refuses a second delivery";
  EXPECT_EQ(Committed("o1"), Both(DELIVERY_STATUS_PREPARING));
}

TEST_F(TransactionDeliveryStoreTest, ARolledBackBatchWritesNothing) {
  InsertDeliveries({"o1"});
  auto tx = mysql::Transaction::Begin(*pool_, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(tx.ok());
  TransactionDeliveryStore& store = TransactionDeliveryStore::Of(repository_, **tx);
  ASSERT_TRUE(store.LockForBatch({"o1", "o2"}).ok());
  Delivery shipped = NewDelivery("o1");
  shipped.set_status(DELIVERY_STATUS_SHIPPED);
  ASSERT_TRUE(store.Update(shipped).ok());
  ASSERT_TRUE(store.Insert(NewDelivery("o2")).ok());
  EXPECT_TRUE((*tx)->Rollback().ok());
  EXPECT_EQ(Committed("o1"), Both(DELIVERY_STATUS_PREPARING));
  EXPECT_EQ(Committed("o2"), "missing");
}

TEST_F(TransactionDeliveryStoreTest, ManyDeliveriesAreReadAndWrittenInChunks) {
  std::vector<std::string> existing, fresh;
  for (int i = 0; i < 100; ++i) existing.push_back(absl::StrCat("old-", 1000 + i));
  for (int i = 0; i < 90; ++i) fresh.push_back(absl::StrCat("new-", 1000 + i));
  InsertDeliveries(existing);
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                TransactionDeliveryStore& store = TransactionDeliveryStore::Of(repository_, tx);
                std::vector<std::string> all(fresh.rbegin(), fresh.rend());
                all.insert(all.end(), existing.begin(), existing.end());
                if (absl::Status s = store.LockForBatch(all); !s.ok()) return s;
                for (const std::string& id : existing) {
                  auto found = store.FindByOrder(id);
                  if (!found.ok()) return found.status();
                  if (!found->has_value()) return absl::InternalError(id + " not loaded");
                  (*found)->set_status(DELIVERY_STATUS_SHIPPED);
                  if (absl::Status s = store.Update(**found); !s.ok()) return s;
                }
                for (const std::string& id : fresh) {
                  if (absl::Status s = store.Insert(NewDelivery(id)); !s.ok()) return s;
                }
                return absl::OkStatus();
              }).ok());
  for (const std::string& id : existing) EXPECT_EQ(Committed(id), Both(DELIVERY_STATUS_SHIPPED));
  for (const std::string& id : fresh) EXPECT_EQ(Committed(id), Both(DELIVERY_STATUS_PREPARING));
}

}  // namespace
}  // namespace shop::delivery::app

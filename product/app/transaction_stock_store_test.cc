// The unit of work against the real database: one transaction holding many
// orders' moves sees its own changes, writes them in a few statements before
// COMMIT, and writes nothing when rolled back or when a product is unknown.
#include "product/app/transaction_stock_store.h"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "gtest/gtest.h"

namespace shop::product::app {
namespace {

using domain::Reservation;
using domain::ReservationState;
using domain::StockChange;
using domain::StockMove;

class TransactionStockStoreTest : public ::testing::Test {
 protected:
  TransactionStockStoreTest() : database_("stock_store_test") {}

  void SetUp() override {
    ASSERT_TRUE(database_.status().ok()) << database_.status();
    pool_ = std::make_unique<mysql::ConnectionPool>(database_.options());
    ASSERT_TRUE(
        mysql::ApplyMigrations(*pool_, "product", storage::ProductMigrations()).status().ok());
    ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                  for (const char* id : {"a", "b"}) {
                    shop::product::v1::Product product;
                    product.set_product_id(id);
                    product.set_sku(std::string("SKU-") + id);
                    product.set_name(id);
                    product.mutable_price()->set_minor_units(100);
                    product.mutable_price()->set_currency_code("EUR");
                    if (absl::Status s = products_.Insert(tx, product, 10); !s.ok()) return s;
                  }
                  return absl::OkStatus();
                }).ok());
  }

  absl::Status InTransaction(absl::FunctionRef<absl::Status(mysql::Transaction&)> work) {
    auto tx = mysql::Transaction::Begin(*pool_, absl::Now() + absl::Seconds(10));
    if (!tx.ok()) return tx.status();
    if (absl::Status done = work(**tx); !done.ok()) return done;
    return (*tx)->Commit();
  }

  // available/reserved/sold of a product, as committed.
  std::string Stock(const std::string& id) {
    auto connection = pool_->Acquire();
    sql::PreparedStatement& select =
        connection->Prepare("SELECT available, reserved, sold FROM products WHERE product_id = ?");
    select.setString(1, id);
    std::unique_ptr<sql::ResultSet> row(select.executeQuery());
    if (!row->next()) return "missing";
    return absl::StrCat(row->getInt64(1), "/", row->getInt64(2), "/", row->getInt64(3));
  }

  shop::testing::TestDatabase database_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  storage::ProductRepository products_;
};

TEST_F(TransactionStockStoreTest, ABatchSeesItsOwnMovesAndWritesThemAtCommit) {
  ASSERT_TRUE(
      InTransaction([&](mysql::Transaction& tx) {
        TransactionStockStore& store = TransactionStockStore::Of(products_, tx);
        EXPECT_EQ(&store, &TransactionStockStore::Of(products_, tx)) << "one per tx";
        // Order 1 reserves 4 a and 2 b.
        auto available = store.LockAvailable({"a", "b", "unknown"});
        EXPECT_TRUE(available.ok());
        EXPECT_EQ(*available, (std::map<std::string, int64_t>{{"a", 10}, {"b", 10}}));
        EXPECT_TRUE(store.Move({"a", 4, StockMove::kReserve}).ok());
        EXPECT_TRUE(store.Move({"b", 2, StockMove::kReserve}).ok());
        EXPECT_TRUE(store.SaveReservation("o1", {"a", 4, ReservationState::kReserved}).ok());
        EXPECT_TRUE(store.SaveReservation("o1", {"b", 2, ReservationState::kReserved}).ok());
        // Order 2, later in the batch, sees what order 1 took.
        available = store.LockAvailable({"a"});
        EXPECT_EQ((*available)["a"], 6);
        EXPECT_TRUE(store.Move({"a", 6, StockMove::kReserve}).ok());
        EXPECT_TRUE(store.SaveReservation("o2", {"a", 6, ReservationState::kReserved}).ok());
        // Order 1 completes in the same batch; order 2 is cancelled.
        auto o1 = store.Reservations("o1");
        EXPECT_EQ(o1->size(), 2u);
        EXPECT_EQ((*o1)[0].product_id, "a");
        EXPECT_TRUE(store.Move({"a", 4, StockMove::kSell}).ok());
        EXPECT_TRUE(store.SaveReservation("o1", {"a", 4, ReservationState::kSold}).ok());
        EXPECT_TRUE(store.Move({"a", 6, StockMove::kRelease, ReservationState::kReserved}).ok());
        EXPECT_TRUE(store.SaveReservation("o2", {"a", 6, ReservationState::kReleased}).ok());
        EXPECT_EQ(Stock("a"), "10/0/0") << "nothing written before COMMIT";
        return absl::OkStatus();
      }).ok());
  EXPECT_EQ(Stock("a"), "6/0/4");
  EXPECT_EQ(Stock("b"), "8/2/0");
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                auto o1 = products_.Reservations(tx, "o1");
                EXPECT_EQ(o1->size(), 2u);
                EXPECT_EQ((*o1)[0].state, ReservationState::kSold);
                EXPECT_EQ((*o1)[1].state, ReservationState::kReserved);
                auto o2 = products_.Reservations(tx, "o2");
                EXPECT_EQ((*o2)[0].state, ReservationState::kReleased);
                return absl::OkStatus();
              }).ok());
}

TEST_F(TransactionStockStoreTest, LockForBatchLocksWhatNewOrdersAskForAndWhatOldOrdersHold) {
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                return products_.SaveReservations(
                    tx, {{{"held", "a"}, {"a", 1, ReservationState::kReserved}}});
              }).ok());
  auto tx = mysql::Transaction::Begin(*pool_, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(tx.ok());
  TransactionStockStore& store = TransactionStockStore::Of(products_, **tx);
  ASSERT_TRUE(store.LockForBatch({"b"}, {"held"}).ok());
  // Another connection cannot take either row now.
  auto other = pool_->Acquire();
  ASSERT_TRUE(other.ok());
  for (const char* id : {"a", "b"}) {
    sql::PreparedStatement& probe =
        other->Prepare("SELECT available FROM products WHERE product_id = ? FOR UPDATE NOWAIT");
    probe.setString(1, id);
    EXPECT_THROW(std::unique_ptr<sql::ResultSet>(probe.executeQuery()), sql::SQLException) << id;
  }
  // The batch's own reads need no further statement: the rows are known.
  auto available = store.LockAvailable({"a", "b"});
  ASSERT_TRUE(available.ok());
  EXPECT_EQ(*available, (std::map<std::string, int64_t>{{"a", 10}, {"b", 10}}));
  EXPECT_TRUE((*tx)->Commit().ok());
}

TEST_F(TransactionStockStoreTest, ABatchLocksManyProductsInChunks) {
  std::vector<std::string> ids;
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                for (int i = 0; i < 150; ++i) {
                  shop::product::v1::Product product;
                  product.set_product_id(absl::StrCat("many-", 1000 + i));
                  product.set_sku(absl::StrCat("MANY-", i));
                  product.set_name("many");
                  product.mutable_price()->set_minor_units(100);
                  product.mutable_price()->set_currency_code("EUR");
                  ids.push_back(product.product_id());
                  if (absl::Status s = products_.Insert(tx, product, i); !s.ok()) return s;
                }
                return absl::OkStatus();
              }).ok());
  std::reverse(ids.begin(), ids.end());  // any order in, id order locked
  ids.push_back(ids.front());            // and duplicates
  ASSERT_TRUE(InTransaction([&](mysql::Transaction& tx) {
                auto available = products_.LockAvailable(tx, ids);
                if (!available.ok()) return available.status();
                EXPECT_EQ(available->size(), 150u);
                EXPECT_EQ((*available)["many-1149"], 149);
                return absl::OkStatus();
              }).ok());
}

TEST_F(TransactionStockStoreTest, AMoveOfAnUnknownProductFailsTheCommitAndWritesNothing) {
  absl::Status status = InTransaction([&](mysql::Transaction& tx) {
    TransactionStockStore& store = TransactionStockStore::Of(products_, tx);
    EXPECT_TRUE(store.Move({"a", 1, StockMove::kReserve}).ok());
    EXPECT_TRUE(store.Move({"ghost", 1, StockMove::kSell}).ok());
    EXPECT_TRUE(store.SaveReservation("o1", {"a", 1, ReservationState::kReserved}).ok());
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_EQ(Stock("a"), "10/0/0");
}

TEST_F(TransactionStockStoreTest, StockThatWouldGoNegativeBreaksTheConstraintAtCommit) {
  absl::Status status = InTransaction([&](mysql::Transaction& tx) {
    return TransactionStockStore::Of(products_, tx).Move({"a", 11, StockMove::kReserve});
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(Stock("a"), "10/0/0");
}

}  // namespace
}  // namespace shop::product::app

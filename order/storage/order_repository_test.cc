// PlaceWithEvent on the real database: the order and its event written and
// committed by one CALL, both or neither.
#include "order/storage/order_repository.h"

#include <cppconn/resultset.h>

#include "absl/time/clock.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "gtest/gtest.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::order::storage {
namespace {

class PlaceWithEventTest : public ::testing::Test {
 protected:
  PlaceWithEventTest() : database_("place_with_event_test") {}

  void SetUp() override {
    ASSERT_TRUE(database_.status().ok()) << database_.status();
    pool_ = std::make_unique<mysql::ConnectionPool>(database_.options());
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, "outbox", outbox::OutboxMigrations()).ok());
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, "order", OrderMigrations()).ok());
  }

  Order NewOrder(const std::string& id, const std::string& key) {
    Order order;
    order.set_order_id(id);
    order.set_customer_id("cust-1");
    order.set_idempotency_key(key);
    order.set_status(shop::order::v1::ORDER_STATUS_PENDING);
    order.mutable_create_time()->set_seconds(1700000000);
    return order;
  }

  outbox::Outbox::Row Placed(const Order& order) {
    shop::order::v1::OrderPlaced event;
    event.set_order_id(order.order_id());
    auto row = box_.Encode(event, {"corr", "cause"});
    EXPECT_TRUE(row.ok()) << row.status();
    return *row;
  }

  int64_t Count(const std::string& sql) {
    auto connection = pool_->Acquire();
    std::unique_ptr<sql::ResultSet> row(connection->Prepare(sql).executeQuery());
    return row->next() ? row->getInt64(1) : -1;
  }

  shop::testing::TestDatabase database_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  outbox::Outbox box_{"/shop/order", "ns"};
  OrderRepository orders_;
};

TEST_F(PlaceWithEventTest, WritesTheOrderAndItsEventAndCommitsThemInOneStatement) {
  const Order order = NewOrder("o-1", "key-1");
  const outbox::Outbox::Row placed = Placed(order);
  auto connection = pool_->Acquire();
  ASSERT_TRUE(connection.ok());
  auto executed = [&] {
    std::unique_ptr<sql::ResultSet> row(
        connection->Prepare("SHOW SESSION STATUS LIKE 'Com_stmt_execute'").executeQuery());
    return row->next() ? row->getInt64(2) : -1;
  };
  const int64_t before = executed();
  ASSERT_TRUE(orders_.PlaceWithEvent(*connection, order, "fp-1", placed).ok());
  EXPECT_EQ(executed() - before, 2) << "the CALL and this probe";

  // Committed: another connection sees both rows, as Insert and Append write them.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders WHERE order_id = 'o-1' AND customer_id = 'cust-1'"
                  " AND idempotency_key = 'key-1' AND request_fingerprint = 'fp-1'"
                  " AND created_micros = 1700000000000000"),
            1);
  auto other = pool_->Acquire();
  sql::PreparedStatement& select = other->Prepare(
      "SELECT event_id, topic, record_key, event_type, source, correlation_id, causation_id,"
      " payload, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') FROM outbox");
  std::unique_ptr<sql::ResultSet> row(select.executeQuery());
  ASSERT_TRUE(row->next());
  EXPECT_EQ(row->getString(1), placed.metadata.id);
  EXPECT_EQ(row->getString(2), "ns.shop.order.events");
  EXPECT_EQ(row->getString(3), "o-1");
  EXPECT_EQ(row->getString(4), "shop.order.v1.OrderPlaced");
  EXPECT_EQ(row->getString(5), "/shop/order");
  EXPECT_EQ(row->getString(6), "corr");
  EXPECT_EQ(row->getString(7), "cause");
  EXPECT_EQ(row->getString(8), placed.payload);
  EXPECT_EQ(row->getString(9), placed.CreatedAt());
  EXPECT_FALSE(row->next());

  // The connection is ready for its next statement, in no transaction.
  std::unique_ptr<sql::ResultSet> state(
      connection->Prepare("SELECT @@in_transaction").executeQuery());
  ASSERT_TRUE(state->next());
  EXPECT_EQ(state->getInt(1), 0);
}

TEST_F(PlaceWithEventTest, AUsedIdempotencyKeyWritesNeitherRow) {
  auto connection = pool_->Acquire();
  ASSERT_TRUE(connection.ok());
  const Order first = NewOrder("o-1", "key-1");
  ASSERT_TRUE(orders_.PlaceWithEvent(*connection, first, "fp", Placed(first)).ok());
  const Order again = NewOrder("o-2", "key-1");
  absl::Status status = orders_.PlaceWithEvent(*connection, again, "fp", Placed(again));
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 1) << "the event went with its order";
  // The connection still works, outside any transaction.
  const Order next = NewOrder("o-3", "key-3");
  EXPECT_TRUE(orders_.PlaceWithEvent(*connection, next, "fp", Placed(next)).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 2);
}

}  // namespace
}  // namespace shop::order::storage

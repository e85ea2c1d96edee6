// CachedCatalog and the check of place_priced_order, on the real database:
// prices served from memory carry the version they were read at, and an
// order priced with a version the replica no longer holds is not placed.
#include "order/storage/cached_catalog.h"

#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox.h"
#include "common/testing/infra.h"
#include "gtest/gtest.h"
#include "order/storage/order_repository.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::order::storage {
namespace {

class CachedCatalogTest : public ::testing::Test {
 protected:
  CachedCatalogTest() : database_("cached_catalog_test") {}

  void SetUp() override {
    ASSERT_TRUE(database_.status().ok()) << database_.status();
    pool_ = std::make_unique<mysql::ConnectionPool>(database_.options());
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, "outbox", outbox::OutboxMigrations()).ok());
    ASSERT_TRUE(mysql::ApplyMigrations(*pool_, "order", OrderMigrations()).ok());
    auto connection = pool_->Acquire();
    ASSERT_TRUE(connection.ok());
    connection_ = std::make_unique<mysql::PooledConnection>(*std::move(connection));
  }

  // The replica's row of `product_id`, as the ProductChanged handler writes it.
  void Replicate(const std::string& product_id, int64_t price_minor, int64_t changed_micros,
                 bool discontinued = false) {
    domain::CatalogEntry entry{product_id, price_minor, "EUR", discontinued};
    ASSERT_TRUE(
        mysql::RunInTransaction(*pool_, absl::InfiniteFuture(), [&](mysql::Transaction& tx) {
          return replica_.Upsert(tx, entry, changed_micros);
        }).ok());
  }

  int64_t Count(const std::string& sql) {
    auto connection = pool_->Acquire();
    std::unique_ptr<sql::ResultSet> row(connection->Prepare(sql).executeQuery());
    return row->next() ? row->getInt64(1) : -1;
  }

  absl::Status Place(const std::string& order_id, const std::vector<VersionedEntry>& priced_from) {
    Order order;
    order.set_order_id(order_id);
    order.set_customer_id("cust-1");
    order.set_idempotency_key(order_id);
    order.set_status(shop::order::v1::ORDER_STATUS_PENDING);
    shop::order::v1::OrderPlaced event;
    event.set_order_id(order_id);
    auto placed = box_.Encode(event, {"corr", "cause"});
    if (!placed.ok()) return placed.status();
    return orders_.PlaceWithEvent(*connection_, order, "fp", *placed, priced_from);
  }

  shop::testing::TestDatabase database_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<mysql::PooledConnection> connection_;
  CatalogReplica replica_;
  OrderRepository orders_;
  outbox::Outbox box_{"/shop/order", "ns"};
};

TEST_F(CachedCatalogTest, ServesWhatItReadFromMemoryWithTheVersionItWasReadAt) {
  Replicate("tea", 450, 100);
  CachedCatalog cache(replica_, 10);
  auto first = cache.Find(*connection_, {"tea"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->catalog.at("tea").price_minor, 450);
  EXPECT_TRUE(first->from_memory.empty()) << "read from the replica for this order";

  Replicate("tea", 520, 200);  // memory does not know
  auto second = cache.Find(*connection_, {"tea", "tea"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->catalog.at("tea").price_minor, 450) << "from memory";
  ASSERT_EQ(second->from_memory.size(), 1u) << "an id named twice is checked once";
  EXPECT_EQ(second->from_memory[0].entry.product_id, "tea");
  EXPECT_EQ(second->from_memory[0].changed_micros, 100);

  auto reloaded = cache.Reload(*connection_, {"tea"});
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->catalog.at("tea").price_minor, 520);
  EXPECT_TRUE(reloaded->from_memory.empty());
  auto third = cache.Find(*connection_, {"tea"});
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->catalog.at("tea").price_minor, 520);
  ASSERT_EQ(third->from_memory.size(), 1u);
  EXPECT_EQ(third->from_memory[0].changed_micros, 200);
}

TEST_F(CachedCatalogTest, KeepsOnlyRowsTheReplicaHasAndAtMostItsBound) {
  Replicate("a", 1, 1);
  Replicate("b", 2, 1);
  Replicate("c", 3, 1);
  CachedCatalog cache(replica_, 2);
  auto found = cache.Find(*connection_, {"a", "made-up", "b", "c"});
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->catalog.size(), 3u) << "every row the replica has, kept or not";
  EXPECT_FALSE(found->catalog.contains("made-up"));
  EXPECT_LE(cache.size(), 2u);
  EXPECT_GE(cache.size(), 1u);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(cache.Find(*connection_, {absl::StrCat("unknown-", i)}).ok());
  }
  EXPECT_LE(cache.size(), 2u) << "unknown ids are not kept";

  CachedCatalog none(replica_, 0);
  for (int i = 0; i < 2; ++i) {
    auto again = none.Find(*connection_, {"a"});
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->catalog.at("a").price_minor, 1);
    EXPECT_TRUE(again->from_memory.empty()) << "0 keeps nothing: read every time";
  }
  EXPECT_EQ(none.size(), 0u);
}

TEST_F(CachedCatalogTest, AnOrderIsPlacedOnlyWhileTheReplicaHoldsEveryVersionItWasPricedWith) {
  // Ids with bytes that would end a JSON string or an SQL literal.
  const std::string odd = "x\"],[\"y\\' OR 1=1 -- ";
  Replicate("tea", 450, 100);
  Replicate(odd, 7, 300);
  CachedCatalog cache(replica_, 10);
  ASSERT_TRUE(cache.Find(*connection_, {"tea", odd}).ok());
  auto priced = cache.Find(*connection_, {"tea", odd});
  ASSERT_TRUE(priced.ok()) << priced.status();
  ASSERT_EQ(priced->from_memory.size(), 2u);
  ASSERT_TRUE(Place("o-1", priced->from_memory).ok()) << "both versions current";

  Replicate("tea", 520, 200);
  absl::Status changed = Place("o-2", priced->from_memory);
  EXPECT_TRUE(IsCatalogChanged(changed)) << changed;
  EXPECT_EQ(changed.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 1) << "nothing written";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 1);

  // A version of a product the replica lacks, or of the same id in another
  // case, is no version the replica holds.
  VersionedEntry unknown{{"nope", 1, "EUR", false}, 1};
  EXPECT_TRUE(IsCatalogChanged(Place("o-3", {unknown})));
  VersionedEntry upper{{"TEA", 520, "EUR", false}, 200};
  EXPECT_TRUE(IsCatalogChanged(Place("o-4", {upper})));

  // The connection is fine, outside any transaction, and the current
  // versions place the order.
  std::unique_ptr<sql::ResultSet> state(
      connection_->Prepare("SELECT @@in_transaction").executeQuery());
  ASSERT_TRUE(state->next());
  EXPECT_EQ(state->getInt(1), 0);
  auto current = cache.Reload(*connection_, {"tea"});
  ASSERT_TRUE(current.ok());
  auto again = cache.Find(*connection_, {"tea", odd});
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(Place("o-5", again->from_memory).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 2);
  // No versions: nothing to check (the prices were read for this order).
  EXPECT_TRUE(Place("o-6", {}).ok());
}

}  // namespace
}  // namespace shop::order::storage

// The cache's generation protocol and the client's breaker, against a
// private redis-server.
#include "gateway/catalog/catalog_cache.h"

#include "absl/time/clock.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/redis_server.h"
#include "gateway/catalog/redis_client.h"
#include "gtest/gtest.h"

namespace shop::gateway {
namespace {

class CatalogCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    RedisOptions options = *ParseRedisAddress(server_.address());
    options.retry_interval = absl::Milliseconds(300);
    client_ = std::make_unique<RedisClient>(options);
    cache_ = std::make_unique<CatalogCache>(*client_, absl::Minutes(5));
  }

  shop::testing::RedisServer server_;
  std::unique_ptr<RedisClient> client_;
  std::unique_ptr<CatalogCache> cache_;
};

TEST_F(CatalogCacheTest, AMissIsFilledAndThenHit) {
  auto first = cache_->Get({"tea", "mug"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->hits.empty());
  ASSERT_EQ(first->generations.size(), 2u);
  auto stored = cache_->Fill({{"tea", "tea@450"}, {"mug", "mug@150"}}, first->generations);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, 2);
  auto second = cache_->Get({"tea", "mug", "kettle"});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->hits,
            (std::map<std::string, std::string>{{"mug", "mug@150"}, {"tea", "tea@450"}}));
}

TEST_F(CatalogCacheTest, AnEntryHasTheTtl) {
  auto lookup = cache_->Get({"tea"});
  ASSERT_TRUE(lookup.ok());
  ASSERT_TRUE(cache_->Fill({{"tea", "v"}}, lookup->generations).ok());
  auto ttl = client_->Pipeline({{"PTTL", CatalogCache::EntryKey("tea")}});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT((*ttl)[0].integer, 290000);
  EXPECT_LE((*ttl)[0].integer, 300000);
}

TEST_F(CatalogCacheTest, InvalidationDeletesTheEntry) {
  auto lookup = cache_->Get({"tea"});
  ASSERT_TRUE(cache_->Fill({{"tea", "old"}}, lookup->generations).ok());
  ASSERT_TRUE(cache_->Invalidate({"tea"}).ok());
  auto after = cache_->Get({"tea"});
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->hits.empty());
}

// The cache-aside race: a reader misses and fetches the old price; the price
// changes and is invalidated; the reader's late store must not land.
TEST_F(CatalogCacheTest, AValueReadBeforeAnInvalidationIsNeverStoredAfterIt) {
  for (const bool had_generation : {false, true}) {
    const std::string id = had_generation ? "mug" : "tea";
    if (had_generation) {
      ASSERT_TRUE(cache_->Invalidate({id}).ok());  // a generation exists
    }
    auto reader = cache_->Get({id});
    ASSERT_TRUE(reader.ok());
    ASSERT_TRUE(cache_->Invalidate({id}).ok());  // the price changed meanwhile
    auto stored = cache_->Fill({{id, "stale price"}}, reader->generations);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(*stored, 0) << id;
    auto after = cache_->Get({id});
    EXPECT_TRUE(after->hits.empty()) << id;
    // The next reader, after the invalidation, stores the fresh value.
    EXPECT_EQ(*cache_->Fill({{id, "fresh price"}}, after->generations), 1);
    EXPECT_EQ(cache_->Get({id})->hits.at(id), "fresh price");
  }
}

TEST_F(CatalogCacheTest, RedisDownFailsFastAndRecoversWhenItIsBack) {
  ASSERT_TRUE(cache_->Get({"tea"}).ok());
  server_.Kill();
  auto down = cache_->Get({"tea"});
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable) << down.status();
  // Within the retry interval no connection is even attempted.
  const absl::Time start = absl::Now();
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(cache_->Get({"tea"}).status().code(), absl::StatusCode::kUnavailable);
  }
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(250));
  ASSERT_TRUE(server_.Start().ok());
  EXPECT_TRUE(shop::testing::WaitFor([&] { return cache_->Get({"tea"}).ok(); }, absl::Seconds(5)));
}

}  // namespace
}  // namespace shop::gateway

#include "common/testing/infra.h"

#include "gtest/gtest.h"

namespace shop::testing {
namespace {

TEST(IsUniquelyNamedTopicTest, MatchesWhatTestsNameAndNothingElse) {
  const std::string ns = UniqueName("order_it");
  EXPECT_TRUE(IsUniquelyNamedTopic(ns));
  EXPECT_TRUE(IsUniquelyNamedTopic(ns + ".shop.order.events"));
  EXPECT_TRUE(IsUniquelyNamedTopic(ns + ".shop.order.events.delivery.dlq"));
  EXPECT_TRUE(IsUniquelyNamedTopic(UniqueName("consumer_test") + ".group_1_2.dlq"));
  EXPECT_FALSE(IsUniquelyNamedTopic("shop.order.events")) << "the main job's topics";
  EXPECT_FALSE(IsUniquelyNamedTopic("__consumer_offsets"));
  EXPECT_FALSE(IsUniquelyNamedTopic("bench_1795493579.shop.order.events")) << "a bench namespace";
  EXPECT_FALSE(IsUniquelyNamedTopic("shop.order.events.order_it_1_2"));
  EXPECT_FALSE(IsUniquelyNamedTopic("tenant_42.shop.order.events"));
}

}  // namespace
}  // namespace shop::testing

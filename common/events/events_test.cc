#include <set>

#include "absl/time/clock.h"
#include "common/events/contract_topics.h"
#include "common/events/event_metadata.h"
#include "common/events/event_route.h"
#include "gtest/gtest.h"
#include "proto/shop/common/v1/money.pb.h"
#include "proto/shop/order/v1/events.pb.h"
#include "proto/shop/product/v1/events.pb.h"

namespace shop::events {
namespace {

TEST(EventRouteTest, TopicAndKeyComeFromTheContract) {
  shop::order::v1::OrderPlaced placed;
  placed.set_order_id("ord-1");
  auto destination = DestinationOf(placed);
  ASSERT_TRUE(destination.ok()) << destination.status();
  EXPECT_EQ(destination->topic, "shop.order.events");
  EXPECT_EQ(destination->key, "ord-1");

  shop::product::v1::ProductChanged changed;
  changed.set_product_id("prod-1");
  destination = DestinationOf(changed);
  ASSERT_TRUE(destination.ok());
  EXPECT_EQ(destination->topic, "shop.product.events");
  EXPECT_EQ(destination->key, "prod-1");
}

TEST(EventRouteTest, EmptyKeyAndNonEventsAreRejected) {
  shop::order::v1::OrderPlaced placed;
  EXPECT_EQ(DestinationOf(placed).status().code(), absl::StatusCode::kInvalidArgument);
  shop::common::v1::Money money;
  EXPECT_EQ(DestinationOf(money).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EventRouteTest, NamespacePrefixesTopics) {
  EXPECT_EQ(QualifiedTopic("", "shop.order.events"), "shop.order.events");
  EXPECT_EQ(QualifiedTopic("staging", "shop.order.events"), "staging.shop.order.events");
}

TEST(EventRouteTest, DeadLetterTopicNamesTopicAndGroup) {
  EXPECT_EQ(DeadLetterTopic("shop.order.events", "product"), "shop.order.events.product.dlq");
}

TEST(EventMetadataTest, HeadersRoundTrip) {
  EventMetadata metadata{NewUuid(),     "shop.order.v1.OrderPlaced",
                         "/shop/order", absl::FromUnixMicros(1795300000123456),
                         "corr-1",      "req-1"};
  const Headers headers = ToHeaders(metadata);
  EXPECT_EQ(HeaderValue(headers, "ce_specversion"), "1.0");
  EXPECT_EQ(HeaderValue(headers, "content-type"), "application/x-protobuf");
  EXPECT_EQ(HeaderValue(headers, "ce_time"), "2026-11-21T22:26:40.123456Z");
  auto decoded = FromHeaders(headers);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->id, metadata.id);
  EXPECT_EQ(decoded->type, metadata.type);
  EXPECT_EQ(decoded->source, metadata.source);
  EXPECT_EQ(decoded->time, metadata.time);
  EXPECT_EQ(decoded->correlation_id, "corr-1");
  EXPECT_EQ(decoded->causation_id, "req-1");
}

TEST(EventMetadataTest, MissingRequiredHeadersAreNamed) {
  auto missing_type = FromHeaders({{"ce_specversion", "1.0"}, {"ce_id", "x"}});
  EXPECT_EQ(missing_type.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing_type.status().message().find("ce_type"), std::string::npos);
  EXPECT_FALSE(FromHeaders({}).ok());
}

TEST(EventMetadataTest, UuidsAreVersion7DistinctAndSortByTheirMillisecond) {
  const std::string a = NewUuid();
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a[8], '-');
  EXPECT_EQ(a[14], '7');
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos) << a;
  EXPECT_NE(a, NewUuid());

  const absl::Time t = absl::FromUnixMillis(1700000000123);  // 0x018bcfe5687b
  const std::string at_t = NewUuidAt(t);
  EXPECT_EQ(at_t.substr(0, 13), "018bcfe5-687b") << at_t;
  std::set<std::string> same_millisecond;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuidAt(t);
    EXPECT_EQ(id.substr(0, 13), at_t.substr(0, 13));
    EXPECT_LT(id, NewUuidAt(t + absl::Milliseconds(1))) << "a later millisecond sorts after";
    EXPECT_GT(id, NewUuidAt(t - absl::Milliseconds(1)));
    same_millisecond.insert(id);
  }
  EXPECT_EQ(same_millisecond.size(), 1000u) << "74 random bits within a millisecond";
}

}  // namespace
}  // namespace shop::events

namespace shop::events {
namespace {

TEST(ContractTopicsTest, EveryEventRouteOfTheContractOnce) {
  EXPECT_EQ(ContractTopics(),
            (std::vector<std::string>{"shop.coupon.events", "shop.coupon.requests",
                                      "shop.delivery.events", "shop.order.events",
                                      "shop.product.events", "shop.settlement.events"}));
}

}  // namespace
}  // namespace shop::events

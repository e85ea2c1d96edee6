// A topic's watermarks and a group's lag, against the real broker.
#include "common/kafka/consumer_lag.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <memory>

#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "common/kafka/watermarks.h"
#include "common/testing/infra.h"
#include "gtest/gtest.h"

namespace shop::kafka {
namespace {

constexpr int kRecords = 30;

// A new topic of three partitions holding kRecords records.
std::string FilledTopic() {
  const std::string topic = shop::testing::UniqueName("consumer_lag_test");
  EXPECT_TRUE(EnsureTopics(shop::testing::KafkaBrokers(), {{topic, 3}}).ok());
  auto producer = Producer::Create(shop::testing::KafkaBrokers());
  EXPECT_TRUE(producer.ok()) << producer.status();
  std::vector<Record> records;
  for (int i = 0; i < kRecords; ++i) {
    records.push_back({topic, "key-" + std::to_string(i), "v", {}});
  }
  for (const DeliveryReport& report : (*producer)->ProduceAndWait(records, absl::Seconds(30))) {
    EXPECT_TRUE(report.status.ok()) << report.status;
  }
  return topic;
}

std::unique_ptr<RdKafka::KafkaConsumer> Consumer(const std::string& group) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  conf->set("bootstrap.servers", shop::testing::KafkaBrokers(), error);
  conf->set("group.id", group, error);
  return std::unique_ptr<RdKafka::KafkaConsumer>(RdKafka::KafkaConsumer::create(conf.get(), error));
}

TEST(WatermarksTest, EveryPartitionInOrderWithTheRecordsItHolds) {
  const std::string topic = FilledTopic();
  auto consumer = Consumer(shop::testing::UniqueName("watermarks"));
  auto watermarks = TopicWatermarks(*consumer, topic, absl::Seconds(10));
  ASSERT_TRUE(watermarks.ok()) << watermarks.status();
  ASSERT_EQ(watermarks->size(), 3u);
  int64_t held = 0;
  for (int32_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*watermarks)[i].partition, i);
    EXPECT_EQ((*watermarks)[i].low, 0);
    held += (*watermarks)[i].high - (*watermarks)[i].low;
  }
  EXPECT_EQ(held, kRecords);
  consumer->close();
}

TEST(WatermarksTest, ATopicThatDoesNotExistIsAnError) {
  auto consumer = Consumer(shop::testing::UniqueName("watermarks"));
  EXPECT_FALSE(
      TopicWatermarks(*consumer, shop::testing::UniqueName("no_such_topic"), absl::Seconds(10))
          .ok());
  consumer->close();
}

TEST(ConsumerLagTest, AGroupWithNothingCommittedIsBehindByEveryRecord) {
  const std::string topic = FilledTopic();
  auto lag = ConsumerLag(shop::testing::KafkaBrokers(), shop::testing::UniqueName("lag"), topic);
  ASSERT_TRUE(lag.ok()) << lag.status();
  EXPECT_EQ(*lag, kRecords);
}

TEST(ConsumerLagTest, AGroupIsBehindByTheRecordsAfterItsCommittedOffsets) {
  const std::string topic = FilledTopic();
  const std::string group = shop::testing::UniqueName("lag");
  auto consumer = Consumer(group);
  auto watermarks = TopicWatermarks(*consumer, topic, absl::Seconds(10));
  ASSERT_TRUE(watermarks.ok()) << watermarks.status();
  // Partition 0 read to its end, partition 1 up to one record, partition 2
  // not at all.
  const int64_t ends[3] = {(*watermarks)[0].high, std::min<int64_t>(1, (*watermarks)[1].high), -1};
  std::vector<RdKafka::TopicPartition*> offsets;
  for (int32_t i = 0; i < 2; ++i) {
    offsets.push_back(RdKafka::TopicPartition::create(topic, i, ends[i]));
  }
  ASSERT_EQ(consumer->commitSync(offsets), RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(offsets);
  consumer->close();

  auto lag = ConsumerLag(shop::testing::KafkaBrokers(), group, topic);
  ASSERT_TRUE(lag.ok()) << lag.status();
  EXPECT_EQ(*lag, kRecords - ends[0] - ends[1]);
}

}  // namespace
}  // namespace shop::kafka

// The producer against the real broker: per-record delivery reports, in
// order within a key, with the headers attached.
#include "common/kafka/producer.h"

#include "common/kafka/topics.h"
#include "common/testing/infra.h"
#include "gtest/gtest.h"

namespace shop::kafka {
namespace {

TEST(ProducerTest, EveryRecordGetsItsOwnReportAndOneKeyKeepsItsOrder) {
  const std::string topic = shop::testing::UniqueName("producer_test");
  ASSERT_TRUE(EnsureTopics(shop::testing::KafkaBrokers(), {{topic, 3}}).ok());
  auto producer = Producer::Create(shop::testing::KafkaBrokers());
  ASSERT_TRUE(producer.ok()) << producer.status();
  std::vector<Record> records;
  for (int i = 0; i < 50; ++i) {
    records.push_back({topic,
                       "order-" + std::to_string(i % 2),
                       "v" + std::to_string(i),
                       {{"ce_id", std::to_string(i)}}});
  }
  std::vector<DeliveryReport> reports = (*producer)->ProduceAndWait(records, absl::Seconds(30));
  ASSERT_EQ(reports.size(), records.size());
  int64_t last_offset[2] = {-1, -1};
  int32_t partition[2] = {-1, -1};
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(reports[i].status.ok()) << reports[i].status;
    const int key = i % 2;
    if (partition[key] >= 0) {
      EXPECT_EQ(reports[i].partition, partition[key]);
    }
    partition[key] = reports[i].partition;
    EXPECT_GT(reports[i].offset, last_offset[key]);
    last_offset[key] = reports[i].offset;
  }
}

TEST(ProducerTest, UnreachableBrokerFailsTheRecordWithARetryableStatus) {
  auto producer = Producer::Create("127.0.0.1:1", {{"message.timeout.ms", "1000"}});
  ASSERT_TRUE(producer.ok());
  auto reports = (*producer)->ProduceAndWait({{"t", "k", "v", {}}}, absl::Seconds(10));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].status.code(), absl::StatusCode::kUnavailable) << reports[0].status;
}

}  // namespace
}  // namespace shop::kafka

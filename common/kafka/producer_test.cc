// The producer against the real broker: per-record delivery reports, in
// order within a key, with the headers attached.
#include "common/kafka/producer.h"

#include <atomic>

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

TEST(ProducerTest, StartedRecordsOverlapAndEachDeliveryIsToldOnceWhenItsLastReportIsIn) {
  const std::string topic = shop::testing::UniqueName("producer_test");
  ASSERT_TRUE(EnsureTopics(shop::testing::KafkaBrokers(), {{topic, 3}}).ok());
  auto producer = Producer::Create(shop::testing::KafkaBrokers());
  ASSERT_TRUE(producer.ok()) << producer.status();
  absl::Mutex mu;
  int told[2] = {0, 0};
  std::vector<std::unique_ptr<Delivery>> deliveries;
  for (int round = 0; round < 2; ++round) {
    std::vector<Record> records;
    for (int i = 0; i < 20; ++i) {
      records.push_back({topic, "order-" + std::to_string(i % 3), "r" + std::to_string(round), {}});
    }
    // The second round is produced before the first is acknowledged.
    deliveries.push_back((*producer)->Start(records, absl::Now() + absl::Seconds(30), [&, round] {
      absl::MutexLock lock(&mu);
      ++told[round];
    }));
  }
  std::vector<DeliveryReport> first = deliveries[0]->Wait();
  std::vector<DeliveryReport> second = deliveries[1]->Wait();
  ASSERT_EQ(first.size(), 20u);
  ASSERT_EQ(second.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(first[i].status.ok()) << first[i].status;
    ASSERT_TRUE(second[i].status.ok()) << second[i].status;
    // One key: the second round's record after the first's, in one partition.
    EXPECT_EQ(second[i].partition, first[i].partition);
    EXPECT_GT(second[i].offset, first[i].offset);
  }
  EXPECT_TRUE(deliveries[0]->Done());
  absl::MutexLock lock(&mu);
  EXPECT_EQ(told[0], 1);
  EXPECT_EQ(told[1], 1);
}

TEST(ProducerTest, ADeliveryDroppedBeforeItsReportsIsNeverToldAndMissedReportsAreTimeouts) {
  auto producer = Producer::Create("127.0.0.1:1", {{"message.timeout.ms", "1000"}});
  ASSERT_TRUE(producer.ok());
  std::atomic<int> told{0};
  // Dropped at once: its reports come later, to nobody.
  (*producer)->Start({{"t", "k", "v", {}}}, absl::Now() + absl::Seconds(10), [&] { ++told; });
  // Waited for past its deadline: the record without a report times out.
  auto waited = (*producer)->Start({{"t", "k", "v", {}}}, absl::Now() + absl::Milliseconds(100),
                                   [&] { ++told; });
  std::vector<DeliveryReport> reports = waited->Wait();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].status.code(), absl::StatusCode::kDeadlineExceeded) << reports[0].status;
  waited.reset();
  // Both records fail after message.timeout.ms (1 s); Flush returns once
  // their reports were served, to deliveries that no longer listen.
  EXPECT_TRUE((*producer)->Flush(absl::Seconds(10)).ok());
  EXPECT_EQ(told.load(), 0);
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

// CommitRetry: the offsets of a failed commit are committed again; those of
// a successful one are not; a later pending offset is never moved back.
#include "common/consumer/commit_retry.h"

#include <memory>

#include "gtest/gtest.h"

namespace shop::consumer {
namespace {

class Offsets {
 public:
  Offsets& Add(const std::string& topic, int32_t partition, int64_t offset) {
    partitions_.push_back(RdKafka::TopicPartition::create(topic, partition, offset));
    return *this;
  }
  std::vector<RdKafka::TopicPartition*>& get() { return partitions_; }
  ~Offsets() { RdKafka::TopicPartition::destroy(partitions_); }

 private:
  std::vector<RdKafka::TopicPartition*> partitions_;
};

TEST(CommitRetryTest, AFailedCommitsOffsetsArePendingAgainAndASuccessfulOnesAreNot) {
  PendingOffsets pending;
  CommitRetry retry(&pending);
  Offsets ok;
  ok.Add("t", 0, 10).Add("t", 1, 20);
  retry.offset_commit_cb(RdKafka::ERR_NO_ERROR, ok.get());
  EXPECT_TRUE(pending.empty());

  Offsets failed;
  failed.Add("t", 0, 11).Add("u", 5, 7);
  retry.offset_commit_cb(RdKafka::ERR__TRANSPORT, failed.get());
  EXPECT_EQ(pending.size(), 2u);
  EXPECT_EQ((pending[{"t", 0}]), 11);
  EXPECT_EQ((pending[{"u", 5}]), 7);
  EXPECT_EQ(retry.failed(), 2);
}

TEST(CommitRetryTest, ALaterPendingOffsetIsKeptAndNothingToCommitIsNoFailure) {
  PendingOffsets pending{{{"t", 0}, 50}};
  CommitRetry retry(&pending);
  Offsets failed;
  failed.Add("t", 0, 40).Add("t", 1, RdKafka::Topic::OFFSET_INVALID);
  retry.offset_commit_cb(RdKafka::ERR_REQUEST_TIMED_OUT, failed.get());
  EXPECT_EQ((pending[{"t", 0}]), 50) << "the later batch's offset stays";
  EXPECT_FALSE(pending.count({"t", 1})) << "no offset: nothing to commit again";

  Offsets none;
  retry.offset_commit_cb(RdKafka::ERR__NO_OFFSET, none.get());
  EXPECT_EQ(retry.failed(), 1);
}

TEST(CommitRetryTest, AFailureReportedAfterALaterCommitWasSentIsNotPutBack) {
  PendingOffsets pending;
  CommitRetry retry(&pending);
  retry.Sent("t", 0, 100);
  retry.Sent("t", 0, 117);  // the next batch's commit, sent before the first one's result
  Offsets failed;
  failed.Add("t", 0, 100);
  retry.offset_commit_cb(RdKafka::ERR__TRANSPORT, failed.get());
  EXPECT_TRUE(pending.empty()) << "committing 100 again would move the group back from 117";
  Offsets later;
  later.Add("t", 0, 117);
  retry.offset_commit_cb(RdKafka::ERR__TRANSPORT, later.get());
  EXPECT_EQ((pending[{"t", 0}]), 117) << "the latest failed: tried again";
}

}  // namespace
}  // namespace shop::consumer

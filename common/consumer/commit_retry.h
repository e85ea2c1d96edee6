// Offsets whose asynchronous commit failed go back to be committed again.
//
// EventConsumer commits a batch's offsets asynchronously and forgets them. If
// that commit fails (the group coordinator restarting, a connection reset)
// and no more records arrive on the partition, nothing would ever commit
// them: the group would show lag for good and redeliver the batch at the
// next rebalance (harmless, processed_events skips it, but the chaos run's
// quiescence waits for a lag of zero and found exactly this). librdkafka
// reports each commit's outcome to this callback from the consumer's poll,
// on the consumer's own thread; a failed partition's offset is put back into
// the pending offsets, which the consumer commits again when next due (at the
// latest when it is idle).
#ifndef SHOP_COMMON_CONSUMER_COMMIT_RETRY_H_
#define SHOP_COMMON_CONSUMER_COMMIT_RETRY_H_

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace shop::consumer {

// Next offset to commit, per (topic, partition).
using PendingOffsets = std::map<std::pair<std::string, int32_t>, int64_t>;

class CommitRetry : public RdKafka::OffsetCommitCb {
 public:
  explicit CommitRetry(PendingOffsets* pending) : pending_(pending) {}

  // Called for each offset as its commit is sent.
  void Sent(const std::string& topic, int32_t partition, int64_t offset) {
    sent_[{topic, partition}] = offset;
  }

  void offset_commit_cb(RdKafka::ErrorCode err,
                        std::vector<RdKafka::TopicPartition*>& offsets) override {
    if (err == RdKafka::ERR__NO_OFFSET) return;  // there was nothing to commit
    for (const RdKafka::TopicPartition* partition : offsets) {
      if (partition->offset() < 0) continue;
      const std::pair<std::string, int32_t> key{partition->topic(), partition->partition()};
      if (err == RdKafka::ERR_NO_ERROR && partition->err() == RdKafka::ERR_NO_ERROR) {
        Confirm(key, partition->offset());
        continue;
      }
      // A later commit was sent meanwhile: putting this one back would move
      // the group's offset backwards once it succeeds.
      auto sent = sent_.find(key);
      if (sent != sent_.end() && sent->second > partition->offset()) continue;
      ++failed_;
      // A later batch's offset, already pending, wins.
      int64_t& next = (*pending_)[key];
      next = std::max(next, partition->offset());
    }
  }

  // Partition offsets put back so far.
  int64_t failed() const { return failed_; }

  // Notes that the group's committed offset of `key` is `offset` (a commit
  // confirmed, or read from the coordinator).
  void Confirm(const std::pair<std::string, int32_t>& key, int64_t offset) {
    int64_t& committed = committed_[key];
    committed = std::max(committed, offset);
  }

  // The highest offset of `key` the group coordinator confirmed committing
  // for this consumer; -1 when none.
  int64_t Confirmed(const std::pair<std::string, int32_t>& key) const {
    auto found = committed_.find(key);
    return found == committed_.end() ? -1 : found->second;
  }

 private:
  PendingOffsets* pending_;
  PendingOffsets sent_;       // the last offset sent per partition
  PendingOffsets committed_;  // the highest offset confirmed per partition
  int64_t failed_ = 0;
};

}  // namespace shop::consumer

#endif  // SHOP_COMMON_CONSUMER_COMMIT_RETRY_H_

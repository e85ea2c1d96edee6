#include "common/kafka/watermarks.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/kafka/kafka_status.h"

namespace shop::kafka {

absl::StatusOr<std::vector<PartitionWatermarks>> TopicWatermarks(RdKafka::Handle& client,
                                                                 const std::string& topic,
                                                                 absl::Duration timeout) {
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  std::string error;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(&client, topic, nullptr, error));
  if (handle == nullptr) return absl::InvalidArgumentError(absl::StrCat(topic, ": ", error));
  RdKafka::Metadata* raw = nullptr;
  if (RdKafka::ErrorCode code = client.metadata(false, handle.get(), &raw, timeout_ms);
      code != RdKafka::ERR_NO_ERROR) {
    return KafkaStatus(code, absl::StrCat("reading the metadata of ", topic));
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::vector<PartitionWatermarks> partitions;
  for (const RdKafka::TopicMetadata* topic_metadata : *metadata->topics()) {
    if (topic_metadata->topic() != topic) continue;
    for (const RdKafka::PartitionMetadata* partition : *topic_metadata->partitions()) {
      PartitionWatermarks watermarks;
      watermarks.partition = partition->id();
      if (RdKafka::ErrorCode code = client.query_watermark_offsets(
              topic, partition->id(), &watermarks.low, &watermarks.high, timeout_ms);
          code != RdKafka::ERR_NO_ERROR) {
        return KafkaStatus(code, absl::StrCat("reading the offsets of ", topic));
      }
      partitions.push_back(watermarks);
    }
  }
  if (partitions.empty()) {
    return absl::UnavailableError(absl::StrCat("topic ", topic, " has no partitions"));
  }
  std::sort(partitions.begin(), partitions.end(),
            [](const PartitionWatermarks& a, const PartitionWatermarks& b) {
              return a.partition < b.partition;
            });
  return partitions;
}

}  // namespace shop::kafka

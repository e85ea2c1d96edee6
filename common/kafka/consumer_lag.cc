#include "common/kafka/consumer_lag.h"

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/kafka/kafka_status.h"
#include "common/kafka/watermarks.h"

namespace shop::kafka {

absl::StatusOr<int64_t> ConsumerLag(const std::string& brokers, const std::string& group,
                                    const std::string& topic) {
  constexpr int kTimeoutMs = 10000;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  conf->set("bootstrap.servers", brokers, error);
  conf->set("group.id", group, error);  // only to read its committed offsets; never joins
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), error));
  if (consumer == nullptr) return absl::InternalError(absl::StrCat("consumer: ", error));
  auto watermarks = TopicWatermarks(*consumer, topic, absl::Milliseconds(kTimeoutMs));
  if (!watermarks.ok()) return watermarks.status();
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const PartitionWatermarks& partition : *watermarks) {
    partitions.push_back(RdKafka::TopicPartition::create(topic, partition.partition));
  }
  absl::StatusOr<int64_t> lag = int64_t{0};
  if (RdKafka::ErrorCode code = consumer->committed(partitions, kTimeoutMs);
      code != RdKafka::ERR_NO_ERROR) {
    lag = KafkaStatus(code, "reading committed offsets");
  }
  for (size_t i = 0; lag.ok() && i < partitions.size(); ++i) {
    const PartitionWatermarks& range = (*watermarks)[i];
    // Nothing committed: the group starts from the first record held.
    *lag += range.high - (partitions[i]->offset() < 0 ? range.low : partitions[i]->offset());
  }
  RdKafka::TopicPartition::destroy(partitions);
  consumer->close();
  return lag;
}

}  // namespace shop::kafka

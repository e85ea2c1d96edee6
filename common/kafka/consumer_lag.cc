#include "common/kafka/consumer_lag.h"

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/kafka/kafka_status.h"

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
  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(consumer.get(), topic, nullptr, error));
  RdKafka::Metadata* raw = nullptr;
  if (RdKafka::ErrorCode code = consumer->metadata(false, handle.get(), &raw, kTimeoutMs);
      code != RdKafka::ERR_NO_ERROR) {
    return KafkaStatus(code, "reading metadata");
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto* topic_metadata : *metadata->topics()) {
    for (const auto* partition : *topic_metadata->partitions()) {
      partitions.push_back(RdKafka::TopicPartition::create(topic, partition->id()));
    }
  }
  absl::StatusOr<int64_t> lag = int64_t{0};
  if (partitions.empty()) {
    lag = absl::UnavailableError(absl::StrCat("topic ", topic, " has no partitions"));
  } else if (RdKafka::ErrorCode code = consumer->committed(partitions, kTimeoutMs);
             code != RdKafka::ERR_NO_ERROR) {
    lag = KafkaStatus(code, "reading committed offsets");
  }
  for (RdKafka::TopicPartition* partition : partitions) {
    if (!lag.ok()) break;
    int64_t low = 0, high = 0;
    if (RdKafka::ErrorCode code = consumer->query_watermark_offsets(topic, partition->partition(),
                                                                    &low, &high, kTimeoutMs);
        code != RdKafka::ERR_NO_ERROR) {
      lag = KafkaStatus(code, "reading watermarks");
      break;
    }
    *lag += high - (partition->offset() < 0 ? low : partition->offset());
  }
  RdKafka::TopicPartition::destroy(partitions);
  consumer->close();
  return lag;
}

}  // namespace shop::kafka

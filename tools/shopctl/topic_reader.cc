#include "tools/shopctl/topic_reader.h"

#include <librdkafka/rdkafkacpp.h>
#include <unistd.h>

#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/kafka/record_headers.h"

namespace shop::shopctl {

absl::Status ReadTopic(const std::string& brokers, const std::string& topic,
                       const ReadOptions& options,
                       const std::function<bool(const RawRecord&)>& each) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", brokers},
      {"group.id", absl::StrCat("shopctl-", getpid())},  // required; never joined or committed
      {"enable.auto.commit", "false"},
      {"enable.partition.eof", "true"},
      {"client.id", "shopctl"}};
  for (const auto& [key, value] : options.kafka_config) settings[key] = value;
  std::string error;
  for (const auto& [key, value] : settings) {
    if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat(key, ": ", error));
    }
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), error));
  if (consumer == nullptr) return absl::InternalError(error);
  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(consumer.get(), topic, nullptr, error));
  RdKafka::Metadata* raw = nullptr;
  if (handle == nullptr ||
      consumer->metadata(false, handle.get(), &raw, 10000) != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("no metadata for ", topic, " from ", brokers));
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (metadata->topics()->empty() || metadata->topics()->at(0)->err() != RdKafka::ERR_NO_ERROR) {
    return absl::NotFoundError(absl::StrCat("no topic ", topic));
  }
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto* partition : *metadata->topics()->at(0)->partitions()) {
    partitions.push_back(RdKafka::TopicPartition::create(
        topic, partition->id(),
        options.from_beginning ? RdKafka::Topic::OFFSET_BEGINNING : RdKafka::Topic::OFFSET_END));
  }
  std::set<int32_t> open;
  for (const auto* partition : partitions) open.insert(partition->partition());
  consumer->assign(partitions);
  RdKafka::TopicPartition::destroy(partitions);
  absl::Status result;
  while (options.follow || !open.empty()) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(500));
    if (message->err() == RdKafka::ERR__PARTITION_EOF) {
      open.erase(message->partition());
      continue;
    }
    if (message->err() == RdKafka::ERR__TIMED_OUT) continue;
    if (message->err() != RdKafka::ERR_NO_ERROR) {
      result = absl::UnavailableError(message->errstr());
      break;
    }
    RawRecord record;
    record.topic = topic;
    record.partition = message->partition();
    record.offset = message->offset();
    if (message->key() != nullptr) record.key = *message->key();
    record.headers = kafka::HeadersOf(*message);
    record.payload.assign(static_cast<const char*>(message->payload()), message->len());
    if (!each(record)) break;
  }
  consumer->close();
  return result;
}

}  // namespace shop::shopctl

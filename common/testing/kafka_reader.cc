#include "common/testing/kafka_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <set>

#include "absl/time/clock.h"
#include "common/testing/infra.h"

namespace shop::testing {

namespace {

ConsumedRecord ToRecord(RdKafka::Message& message) {
  ConsumedRecord record;
  record.topic = message.topic_name();
  record.partition = message.partition();
  record.offset = message.offset();
  if (message.key() != nullptr) record.key = *message.key();
  record.value.assign(static_cast<const char*>(message.payload()), message.len());
  if (const RdKafka::Headers* headers = message.headers(); headers != nullptr) {
    for (const auto& header : headers->get_all()) {
      record.headers.emplace_back(
          header.key(), std::string(static_cast<const char*>(header.value()), header.value_size()));
    }
  }
  return record;
}

}  // namespace

std::vector<ConsumedRecord> ReadToEnd(const std::string& topic, absl::Duration timeout) {
  std::vector<ConsumedRecord> records;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  conf->set("bootstrap.servers", KafkaBrokers(), error);
  conf->set("group.id", UniqueName("reader"), error);
  conf->set("enable.auto.commit", "false", error);
  conf->set("enable.partition.eof", "true", error);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), error));
  if (consumer == nullptr) return records;
  RdKafka::Metadata* raw = nullptr;
  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(consumer.get(), topic, nullptr, error));
  if (consumer->metadata(false, handle.get(), &raw, 10000) != RdKafka::ERR_NO_ERROR) return records;
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto* topic_metadata : *metadata->topics()) {
    for (const auto* partition : *topic_metadata->partitions()) {
      partitions.push_back(RdKafka::TopicPartition::create(topic, partition->id(),
                                                           RdKafka::Topic::OFFSET_BEGINNING));
    }
  }
  const size_t total = partitions.size();
  consumer->assign(partitions);
  RdKafka::TopicPartition::destroy(partitions);
  std::set<int32_t> ended;
  const absl::Time deadline = absl::Now() + timeout;
  while (ended.size() < total && absl::Now() < deadline) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(100));
    if (message->err() == RdKafka::ERR__PARTITION_EOF) ended.insert(message->partition());
    if (message->err() == RdKafka::ERR_NO_ERROR) records.push_back(ToRecord(*message));
  }
  consumer->close();
  return records;
}

bool GroupCaughtUp(const std::string& group, const std::string& topic) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  conf->set("bootstrap.servers", KafkaBrokers(), error);
  conf->set("group.id", group, error);  // only to read its committed offsets; never joins
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), error));
  if (consumer == nullptr) return false;
  RdKafka::Metadata* raw = nullptr;
  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(consumer.get(), topic, nullptr, error));
  if (consumer->metadata(false, handle.get(), &raw, 10000) != RdKafka::ERR_NO_ERROR) return false;
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto* topic_metadata : *metadata->topics()) {
    for (const auto* partition : *topic_metadata->partitions()) {
      partitions.push_back(RdKafka::TopicPartition::create(topic, partition->id()));
    }
  }
  bool caught_up =
      !partitions.empty() && consumer->committed(partitions, 10000) == RdKafka::ERR_NO_ERROR;
  for (RdKafka::TopicPartition* partition : partitions) {
    if (!caught_up) break;
    int64_t low = 0, high = 0;
    if (consumer->query_watermark_offsets(topic, partition->partition(), &low, &high, 10000) !=
        RdKafka::ERR_NO_ERROR) {
      caught_up = false;
      break;
    }
    const int64_t committed = partition->offset() < 0 ? low : partition->offset();
    caught_up = committed >= high;
  }
  RdKafka::TopicPartition::destroy(partitions);
  consumer->close();
  return caught_up;
}

std::vector<ConsumedRecord> ReadTopic(
    const std::string& topic, const std::function<bool(const std::vector<ConsumedRecord>&)>& done,
    absl::Duration timeout) {
  std::vector<ConsumedRecord> records;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  conf->set("bootstrap.servers", KafkaBrokers(), error);
  conf->set("group.id", UniqueName("reader"), error);
  conf->set("auto.offset.reset", "earliest", error);
  conf->set("enable.auto.commit", "false", error);
  conf->set("topic.metadata.refresh.interval.ms", "500", error);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), error));
  if (consumer == nullptr) return records;
  consumer->subscribe({topic});
  const absl::Time deadline = absl::Now() + timeout;
  while (!done(records) && absl::Now() < deadline) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(100));
    if (message->err() != RdKafka::ERR_NO_ERROR) continue;
    records.push_back(ToRecord(*message));
  }
  consumer->close();
  return records;
}

std::vector<ConsumedRecord> ReadAtLeast(const std::string& topic, size_t count,
                                        absl::Duration timeout) {
  return ReadTopic(
      topic,
      [count](const std::vector<ConsumedRecord>& records) { return records.size() >= count; },
      timeout);
}

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return condition();
}

}  // namespace shop::testing

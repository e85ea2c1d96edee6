#include "common/testing/kafka_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <set>

#include "absl/time/clock.h"
#include "common/kafka/consumer_lag.h"
#include "common/kafka/record_headers.h"
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
  record.headers = kafka::HeadersOf(message);
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
  const absl::StatusOr<int64_t> lag = kafka::ConsumerLag(KafkaBrokers(), group, topic);
  return lag.ok() && *lag == 0;
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

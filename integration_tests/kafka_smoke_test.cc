// Smoke test of the stack against the real broker: a Protobuf-encoded message
// produced with librdkafka comes back to a consumer group, whose offset is
// committed and read back from the broker.
#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/testing/infra.h"
#include "gtest/gtest.h"
#include "proto/shop/common/v1/money.pb.h"

namespace shop::testing {
namespace {

std::unique_ptr<RdKafka::Conf> MakeConf(
    const std::vector<std::pair<std::string, std::string>>& kv) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  for (const auto& [key, value] : kv) {
    EXPECT_EQ(conf->set(key, value, error), RdKafka::Conf::CONF_OK) << key << ": " << error;
  }
  return conf;
}

class KafkaSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Fail fast with a clear message when the broker is not there.
    auto conf = MakeConf({{"bootstrap.servers", KafkaBrokers()}, {"socket.timeout.ms", "3000"}});
    std::string error;
    std::unique_ptr<RdKafka::Producer> probe(RdKafka::Producer::create(conf.get(), error));
    ASSERT_NE(probe, nullptr) << error;
    RdKafka::Metadata* metadata = nullptr;
    RdKafka::ErrorCode code = probe->metadata(true, nullptr, &metadata, 5000);
    delete metadata;
    ASSERT_EQ(code, RdKafka::ERR_NO_ERROR)
        << "Kafka is not reachable at " << KafkaBrokers() << " (" << RdKafka::err2str(code)
        << "); start it with `tools/dev up`";
  }
};

TEST_F(KafkaSmokeTest, ProtobufRecordRoundTripsThroughConsumerGroupWithCommittedOffset) {
  const std::string topic = UniqueName("smoke_topic");
  const std::string group = UniqueName("smoke_group");

  shop::common::v1::Money sent;
  sent.set_minor_units(12345);
  sent.set_currency_code("EUR");

  // Produce with acks=all and idempotence, and wait for the delivery report.
  struct DeliveryReport : RdKafka::DeliveryReportCb {
    RdKafka::ErrorCode error = RdKafka::ERR__IN_PROGRESS;
    int64_t offset = -1;
    void dr_cb(RdKafka::Message& message) override {
      error = message.err();
      offset = message.offset();
    }
  } report;
  auto producer_conf = MakeConf({{"bootstrap.servers", KafkaBrokers()},
                                 {"acks", "all"},
                                 {"enable.idempotence", "true"},
                                 {"message.timeout.ms", "20000"}});
  std::string error;
  ASSERT_EQ(producer_conf->set("dr_cb", &report, error), RdKafka::Conf::CONF_OK) << error;
  std::unique_ptr<RdKafka::Producer> producer(
      RdKafka::Producer::create(producer_conf.get(), error));
  ASSERT_NE(producer, nullptr) << error;
  const std::string payload = sent.SerializeAsString();
  const std::string key = "order-1";
  ASSERT_EQ(producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                              const_cast<char*>(payload.data()), payload.size(), key.data(),
                              key.size(), 0, nullptr),
            RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(producer->flush(20000), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(report.error, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(report.error);
  ASSERT_GE(report.offset, 0);

  // Consume it back in a consumer group, committing only after decoding.
  auto consumer_conf = MakeConf({{"bootstrap.servers", KafkaBrokers()},
                                 {"group.id", group},
                                 {"auto.offset.reset", "earliest"},
                                 {"enable.auto.commit", "false"}});
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(consumer_conf.get(), error));
  ASSERT_NE(consumer, nullptr) << error;
  ASSERT_EQ(consumer->subscribe({topic}), RdKafka::ERR_NO_ERROR);

  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::unique_ptr<RdKafka::Message> received;
  while (absl::Now() < deadline) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(500));
    if (message->err() == RdKafka::ERR_NO_ERROR) {
      received = std::move(message);
      break;
    }
    ASSERT_TRUE(message->err() == RdKafka::ERR__TIMED_OUT ||
                message->err() == RdKafka::ERR__PARTITION_EOF ||
                message->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART)
        << RdKafka::err2str(message->err());
  }
  ASSERT_NE(received, nullptr) << "no record consumed from " << topic << " within 30 s";
  ASSERT_NE(received->key(), nullptr);
  EXPECT_EQ(*received->key(), key);
  shop::common::v1::Money decoded;
  ASSERT_TRUE(decoded.ParseFromArray(received->payload(), static_cast<int>(received->len())));
  EXPECT_EQ(decoded.minor_units(), 12345);
  EXPECT_EQ(decoded.currency_code(), "EUR");

  ASSERT_EQ(consumer->commitSync(received.get()), RdKafka::ERR_NO_ERROR);
  std::vector<RdKafka::TopicPartition*> partitions = {
      RdKafka::TopicPartition::create(topic, received->partition())};
  ASSERT_EQ(consumer->committed(partitions, 10000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(partitions[0]->offset(), received->offset() + 1);
  RdKafka::TopicPartition::destroy(partitions);
  EXPECT_EQ(consumer->close(), RdKafka::ERR_NO_ERROR);
}

}  // namespace
}  // namespace shop::testing

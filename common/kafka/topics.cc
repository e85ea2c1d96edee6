#include "common/kafka/topics.h"

#include <librdkafka/rdkafka.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace shop::kafka {
namespace {

struct KafkaDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
  void operator()(rd_kafka_AdminOptions_t* options) const {
    rd_kafka_AdminOptions_destroy(options);
  }
  void operator()(rd_kafka_NewTopic_t* topic) const { rd_kafka_NewTopic_destroy(topic); }
};
template <typename T>
using Owned = std::unique_ptr<T, KafkaDeleter>;

}  // namespace

absl::Status EnsureTopics(const std::string& brokers, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout) {
  if (topics.empty()) return absl::OkStatus();
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), error, sizeof(error)) !=
      RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(error);
  }
  Owned<rd_kafka_t> admin(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
  if (admin == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("creating the Kafka admin client: ", error));
  }
  std::vector<Owned<rd_kafka_NewTopic_t>> owned;
  std::vector<rd_kafka_NewTopic_t*> requests;
  for (const TopicSpec& topic : topics) {
    owned.emplace_back(rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions,
                                             topic.replication_factor, error, sizeof(error)));
    if (owned.back() == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("topic ", topic.name, ": ", error));
    }
    requests.push_back(owned.back().get());
  }
  Owned<rd_kafka_AdminOptions_t> options(
      rd_kafka_AdminOptions_new(admin.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_operation_timeout(
      options.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)), error, sizeof(error));
  Owned<rd_kafka_queue_t> queue(rd_kafka_queue_new(admin.get()));
  rd_kafka_CreateTopics(admin.get(), requests.data(), requests.size(), options.get(), queue.get());
  Owned<rd_kafka_event_t> event(
      rd_kafka_queue_poll(queue.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout))));
  if (event == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("Kafka at ", brokers, " did not answer CreateTopics"));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("CreateTopics failed: ", rd_kafka_event_error_string(event.get())));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      return absl::UnavailableError(absl::StrCat(
          "creating topic ", rd_kafka_topic_result_name(results[i]), ": ", rd_kafka_err2str(code)));
    }
  }
  return absl::OkStatus();
}

}  // namespace shop::kafka

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
  void operator()(rd_kafka_DeleteTopic_t* topic) const { rd_kafka_DeleteTopic_destroy(topic); }
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
  void operator()(rd_kafka_ConfigResource_t* resource) const {
    rd_kafka_ConfigResource_destroy(resource);
  }
};
template <typename T>
using Owned = std::unique_ptr<T, KafkaDeleter>;

// An admin client (a producer handle) for `brokers` with `client_config`.
absl::StatusOr<Owned<rd_kafka_t>> AdminClient(
    const std::string& brokers, const std::map<std::string, std::string>& client_config) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> settings = client_config;
  settings["bootstrap.servers"] = brokers;
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat("admin client setting ", key, ": ", error));
    }
  }
  Owned<rd_kafka_t> admin(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
  if (admin == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("creating the Kafka admin client: ", error));
  }
  return admin;
}

// Waits for the result of an admin call on `queue`; UNAVAILABLE when none
// comes or the request as a whole failed.
absl::StatusOr<Owned<rd_kafka_event_t>> AwaitResult(rd_kafka_queue_t* queue, absl::Duration timeout,
                                                    const std::string& brokers, const char* what) {
  Owned<rd_kafka_event_t> event(
      rd_kafka_queue_poll(queue, static_cast<int>(absl::ToInt64Milliseconds(timeout))));
  if (event == nullptr) {
    return absl::UnavailableError(absl::StrCat("Kafka at ", brokers, " did not answer ", what));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat(what, " failed: ", rd_kafka_event_error_string(event.get())));
  }
  return event;
}

}  // namespace

absl::Status EnsureTopics(const std::string& brokers, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout,
                          const std::map<std::string, std::string>& client_config) {
  if (topics.empty()) return absl::OkStatus();
  char error[512];
  auto client = AdminClient(brokers, client_config);
  if (!client.ok()) return client.status();
  Owned<rd_kafka_t> admin = *std::move(client);
  std::vector<Owned<rd_kafka_NewTopic_t>> owned;
  std::vector<rd_kafka_NewTopic_t*> requests;
  for (const TopicSpec& topic : topics) {
    owned.emplace_back(rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions,
                                             topic.replication_factor, error, sizeof(error)));
    if (owned.back() == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("topic ", topic.name, ": ", error));
    }
    for (const auto& [key, value] : topic.configs) {
      if (rd_kafka_NewTopic_set_config(owned.back().get(), key.c_str(), value.c_str()) !=
          RD_KAFKA_RESP_ERR_NO_ERROR) {
        return absl::InvalidArgumentError(absl::StrCat("topic ", topic.name, " setting ", key));
      }
    }
    requests.push_back(owned.back().get());
  }
  Owned<rd_kafka_AdminOptions_t> options(
      rd_kafka_AdminOptions_new(admin.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_operation_timeout(
      options.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)), error, sizeof(error));
  Owned<rd_kafka_queue_t> queue(rd_kafka_queue_new(admin.get()));
  rd_kafka_CreateTopics(admin.get(), requests.data(), requests.size(), options.get(), queue.get());
  auto answered = AwaitResult(queue.get(), timeout, brokers, "CreateTopics");
  if (!answered.ok()) return answered.status();
  Owned<rd_kafka_event_t> event = *std::move(answered);
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

absl::Status SetTopicConfig(const std::string& brokers, const std::string& topic,
                            const std::map<std::string, std::string>& configs,
                            const std::map<std::string, std::string>& client_config,
                            absl::Duration timeout) {
  auto client = AdminClient(brokers, client_config);
  if (!client.ok()) return client.status();
  Owned<rd_kafka_t> admin = *std::move(client);
  Owned<rd_kafka_ConfigResource_t> resource(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  for (const auto& [key, value] : configs) {
    rd_kafka_ConfigResource_set_config(resource.get(), key.c_str(), value.c_str());
  }
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  Owned<rd_kafka_queue_t> queue(rd_kafka_queue_new(admin.get()));
  rd_kafka_AlterConfigs(admin.get(), resources, 1, nullptr, queue.get());
  auto answered = AwaitResult(queue.get(), timeout, brokers, "AlterConfigs");
  if (!answered.ok()) return answered.status();
  Owned<rd_kafka_event_t> event = *std::move(answered);
  size_t count = 0;
  const rd_kafka_ConfigResource_t** altered = rd_kafka_AlterConfigs_result_resources(
      rd_kafka_event_AlterConfigs_result(event.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    if (rd_kafka_ConfigResource_error(altered[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::InvalidArgumentError(absl::StrCat(
          "altering topic ", topic, ": ", rd_kafka_ConfigResource_error_string(altered[i])));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> TopicMaxMessageBytes(
    const std::string& brokers, const std::string& topic,
    const std::map<std::string, std::string>& client_config, absl::Duration timeout) {
  auto client = AdminClient(brokers, client_config);
  if (!client.ok()) return client.status();
  Owned<rd_kafka_t> admin = *std::move(client);
  Owned<rd_kafka_ConfigResource_t> resource(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  Owned<rd_kafka_AdminOptions_t> options(
      rd_kafka_AdminOptions_new(admin.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS));
  char error[512];
  rd_kafka_AdminOptions_set_request_timeout(
      options.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)), error, sizeof(error));
  Owned<rd_kafka_queue_t> queue(rd_kafka_queue_new(admin.get()));
  rd_kafka_DescribeConfigs(admin.get(), resources, 1, options.get(), queue.get());
  auto answered = AwaitResult(queue.get(), timeout, brokers, "DescribeConfigs");
  if (!answered.ok()) return answered.status();
  Owned<rd_kafka_event_t> event = *std::move(answered);
  const rd_kafka_DescribeConfigs_result_t* result =
      rd_kafka_event_DescribeConfigs_result(event.get());
  size_t count = 0;
  const rd_kafka_ConfigResource_t** described =
      rd_kafka_DescribeConfigs_result_resources(result, &count);
  for (size_t i = 0; i < count; ++i) {
    if (rd_kafka_ConfigResource_error(described[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(absl::StrCat(
          "describing topic ", topic, ": ", rd_kafka_ConfigResource_error_string(described[i])));
    }
    size_t entries = 0;
    const rd_kafka_ConfigEntry_t** configs =
        rd_kafka_ConfigResource_configs(described[i], &entries);
    for (size_t j = 0; j < entries; ++j) {
      if (std::string(rd_kafka_ConfigEntry_name(configs[j])) == "max.message.bytes" &&
          rd_kafka_ConfigEntry_value(configs[j]) != nullptr) {
        return std::stoll(rd_kafka_ConfigEntry_value(configs[j]));
      }
    }
  }
  return absl::NotFoundError(absl::StrCat("topic ", topic, " has no max.message.bytes"));
}

absl::StatusOr<int> DeleteTopicsWithPrefix(const std::string& brokers, const std::string& prefix,
                                           absl::Duration timeout) {
  if (prefix.empty()) return absl::InvalidArgumentError("refusing to delete every topic");
  return DeleteTopicsMatching(
      brokers, [&prefix](const std::string& name) { return name.rfind(prefix, 0) == 0; }, timeout);
}

absl::StatusOr<int> DeleteTopicsMatching(const std::string& brokers,
                                         const std::function<bool(const std::string&)>& matches,
                                         absl::Duration timeout) {
  auto client = AdminClient(brokers, {});
  if (!client.ok()) return client.status();
  Owned<rd_kafka_t> admin = *std::move(client);
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t code = rd_kafka_metadata(
      admin.get(), 1, nullptr, &raw, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("listing topics: ", rd_kafka_err2str(code)));
  }
  Owned<const rd_kafka_metadata_t> metadata(raw);
  std::vector<Owned<rd_kafka_DeleteTopic_t>> owned;
  std::vector<rd_kafka_DeleteTopic_t*> requests;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const std::string name = metadata->topics[i].topic;
    if (!matches(name)) continue;
    owned.emplace_back(rd_kafka_DeleteTopic_new(name.c_str()));
    requests.push_back(owned.back().get());
  }
  if (requests.empty()) return 0;
  Owned<rd_kafka_queue_t> queue(rd_kafka_queue_new(admin.get()));
  rd_kafka_DeleteTopics(admin.get(), requests.data(), requests.size(), nullptr, queue.get());
  auto answered = AwaitResult(queue.get(), timeout, brokers, "DeleteTopics");
  if (!answered.ok()) return answered.status();
  return static_cast<int>(requests.size());
}

}  // namespace shop::kafka

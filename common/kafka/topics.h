// Creates topics that do not exist yet (idempotent), and reads topic
// settings, through the Admin API.
#ifndef SHOP_COMMON_KAFKA_TOPICS_H_
#define SHOP_COMMON_KAFKA_TOPICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace shop::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 6;
  int replication_factor = 1;
  // Topic settings, e.g. {"min.insync.replicas", "2"}.
  std::map<std::string, std::string> configs = {};
};

// `client_config`: librdkafka settings for the admin client (security.protocol,
// SASL, SSL, ...). A topic that exists already is left as it is.
absl::Status EnsureTopics(const std::string& brokers, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout = absl::Seconds(15),
                          const std::map<std::string, std::string>& client_config = {});

// The largest record batch the broker accepts on `topic` (its
// max.message.bytes, or the broker's message.max.bytes it inherits).
absl::StatusOr<int64_t> TopicMaxMessageBytes(
    const std::string& brokers, const std::string& topic,
    const std::map<std::string, std::string>& client_config = {},
    absl::Duration timeout = absl::Seconds(15));

// Sets topic settings (AlterConfigs: settings not named go back to their
// defaults), e.g. {"max.message.bytes", "2000000"}.
absl::Status SetTopicConfig(const std::string& brokers, const std::string& topic,
                            const std::map<std::string, std::string>& configs,
                            const std::map<std::string, std::string>& client_config = {},
                            absl::Duration timeout = absl::Seconds(15));

// Deletes every topic whose name starts with `prefix` (non-empty); the
// number deleted. For tools that clean up after a namespace of their own.
absl::StatusOr<int> DeleteTopicsWithPrefix(const std::string& brokers, const std::string& prefix,
                                           absl::Duration timeout = absl::Seconds(30));

// Deletes every topic whose name `matches`; the number deleted.
absl::StatusOr<int> DeleteTopicsMatching(const std::string& brokers,
                                         const std::function<bool(const std::string&)>& matches,
                                         absl::Duration timeout = absl::Seconds(30));

}  // namespace shop::kafka

#endif  // SHOP_COMMON_KAFKA_TOPICS_H_

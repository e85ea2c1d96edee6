// Creates topics that do not exist yet (idempotent), through the Admin API.
#ifndef SHOP_COMMON_KAFKA_TOPICS_H_
#define SHOP_COMMON_KAFKA_TOPICS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace shop::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 6;
  int replication_factor = 1;
};

absl::Status EnsureTopics(const std::string& brokers, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout = absl::Seconds(15));

}  // namespace shop::kafka

#endif  // SHOP_COMMON_KAFKA_TOPICS_H_

// How far a consumer group is behind on a topic: the records between its
// committed offsets (the start of the log where it has none) and the end.
#ifndef SHOP_COMMON_KAFKA_CONSUMER_LAG_H_
#define SHOP_COMMON_KAFKA_CONSUMER_LAG_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace shop::kafka {

// Reads the group's committed offsets without joining the group.
// UNAVAILABLE when the broker does not answer or the topic does not exist.
absl::StatusOr<int64_t> ConsumerLag(const std::string& brokers, const std::string& group,
                                    const std::string& topic);

}  // namespace shop::kafka

#endif  // SHOP_COMMON_KAFKA_CONSUMER_LAG_H_

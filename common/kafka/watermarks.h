// The records a topic holds, partition by partition: the offset of the
// first and of the next one to be written, as the partitions' leaders
// answer (not a consumer's last fetch).
#ifndef SHOP_COMMON_KAFKA_WATERMARKS_H_
#define SHOP_COMMON_KAFKA_WATERMARKS_H_

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace shop::kafka {

struct PartitionWatermarks {
  int32_t partition = 0;
  int64_t low = 0;   // the first record still held
  int64_t high = 0;  // the next offset to be written (the end)
};

// Every partition of `topic`, in partition order, through `client` (a
// producer or a consumer). UNAVAILABLE when the broker does not answer in
// `timeout` per request, or the topic has no partitions (it does not exist).
absl::StatusOr<std::vector<PartitionWatermarks>> TopicWatermarks(RdKafka::Handle& client,
                                                                 const std::string& topic,
                                                                 absl::Duration timeout);

}  // namespace shop::kafka

#endif  // SHOP_COMMON_KAFKA_WATERMARKS_H_

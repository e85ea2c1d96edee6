// librdkafka error codes as absl::Status, by the project's one taxonomy
// (common/errors/taxonomy.h): INVALID_ARGUMENT or PERMISSION_DENIED for what
// a retry will not fix (record too large, invalid record, authorization),
// INTERNAL for a fatal client state, UNAVAILABLE for everything else.
#ifndef SHOP_COMMON_KAFKA_KAFKA_STATUS_H_
#define SHOP_COMMON_KAFKA_KAFKA_STATUS_H_

#include <librdkafka/rdkafkacpp.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace shop::kafka {

bool IsRetryable(RdKafka::ErrorCode code);

// The client is in a fatal state and must be replaced.
bool IsFatal(RdKafka::ErrorCode code);

absl::Status KafkaStatus(RdKafka::ErrorCode code, absl::string_view what);

}  // namespace shop::kafka

#endif  // SHOP_COMMON_KAFKA_KAFKA_STATUS_H_

// librdkafka error codes as absl::Status: UNAVAILABLE for what a retry may
// fix (broker down, timeouts, leader moves), other codes for what it will not
// (record too large, bad configuration, fatal producer state).
#ifndef SHOP_COMMON_KAFKA_KAFKA_STATUS_H_
#define SHOP_COMMON_KAFKA_KAFKA_STATUS_H_

#include <librdkafka/rdkafkacpp.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace shop::kafka {

bool IsRetryable(RdKafka::ErrorCode code);

absl::Status KafkaStatus(RdKafka::ErrorCode code, absl::string_view what);

}  // namespace shop::kafka

#endif  // SHOP_COMMON_KAFKA_KAFKA_STATUS_H_

#include "common/kafka/kafka_status.h"

#include "absl/strings/str_cat.h"
#include "common/errors/taxonomy.h"

namespace shop::kafka {

bool IsRetryable(RdKafka::ErrorCode code) {
  return errors::KafkaErrorCode(code) == absl::StatusCode::kUnavailable;
}

bool IsFatal(RdKafka::ErrorCode code) { return errors::IsKafkaFatal(code); }

absl::Status KafkaStatus(RdKafka::ErrorCode code, absl::string_view what) {
  if (code == RdKafka::ERR_NO_ERROR) return absl::OkStatus();
  return absl::Status(errors::KafkaErrorCode(code),
                      absl::StrCat(what, ": ", RdKafka::err2str(code)));
}

}  // namespace shop::kafka

// A Kafka record as one JSON object, for operators: topic, partition,
// offset, key, headers, and the payload decoded by its ce_type header
// through the compiled contract (every shop.* event linked in); a type this
// build does not know, or bytes that do not decode, as base64.
#ifndef SHOP_TOOLS_SHOPCTL_RECORD_JSON_H_
#define SHOP_TOOLS_SHOPCTL_RECORD_JSON_H_

#include <cstdint>
#include <string>

#include "common/events/event_metadata.h"
#include "nlohmann/json.hpp"

namespace shop::shopctl {

struct RawRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  events::Headers headers;
  std::string payload;
};

nlohmann::json RecordJson(const RawRecord& record);

}  // namespace shop::shopctl

#endif  // SHOP_TOOLS_SHOPCTL_RECORD_JSON_H_

// Reads a topic for the operator's commands: every partition assigned
// directly (no consumer group, nothing committed), from the beginning or
// from the end, until the end of every partition or for as long as asked.
#ifndef SHOP_TOOLS_SHOPCTL_TOPIC_READER_H_
#define SHOP_TOOLS_SHOPCTL_TOPIC_READER_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "tools/shopctl/record_json.h"

namespace shop::shopctl {

struct ReadOptions {
  bool from_beginning = true;
  bool follow = false;  // keep waiting for new records (until `each` returns false)
  std::map<std::string, std::string> kafka_config;
};

absl::Status ReadTopic(const std::string& brokers, const std::string& topic,
                       const ReadOptions& options,
                       const std::function<bool(const RawRecord&)>& each);

}  // namespace shop::shopctl

#endif  // SHOP_TOOLS_SHOPCTL_TOPIC_READER_H_

// librdkafka settings passed through to every Kafka client of a process
// (producers, consumers, dead-letter producers, the admin client): for
// example security.protocol, sasl.*, ssl.*. They come from a properties
// file (one key=value a line, # comments), which is where secrets belong,
// and from an inline comma-separated list; the inline list wins.
#ifndef SHOP_COMMON_KAFKA_CLIENT_CONFIG_H_
#define SHOP_COMMON_KAFKA_CLIENT_CONFIG_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace shop::kafka {

using ClientConfig = std::map<std::string, std::string>;

// "a=1,b=2" -> {a: 1, b: 2}. INVALID_ARGUMENT naming the entry without "=".
absl::StatusOr<ClientConfig> ParseInlineConfig(const std::string& list);

// Properties text -> settings. INVALID_ARGUMENT naming the line that is bad.
absl::StatusOr<ClientConfig> ParsePropertiesText(const std::string& text);

// The file (if `file` is not empty) overlaid with the inline list.
absl::StatusOr<ClientConfig> LoadClientConfig(const std::string& file, const std::string& list);

}  // namespace shop::kafka

#endif  // SHOP_COMMON_KAFKA_CLIENT_CONFIG_H_

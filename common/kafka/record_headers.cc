#include "common/kafka/record_headers.h"

namespace shop::kafka {

events::Headers HeadersOf(RdKafka::Message& message) {
  events::Headers headers;
  const RdKafka::Headers* raw = message.headers();
  if (raw == nullptr) return headers;
  for (const RdKafka::Headers::Header& header : raw->get_all()) {
    const char* value = static_cast<const char*>(header.value());
    headers.emplace_back(header.key(),
                         value == nullptr ? "" : std::string(value, header.value_size()));
  }
  return headers;
}

}  // namespace shop::kafka

// The headers of a consumed Kafka record as name/value pairs (empty when the
// record has none).
#ifndef SHOP_COMMON_KAFKA_RECORD_HEADERS_H_
#define SHOP_COMMON_KAFKA_RECORD_HEADERS_H_

#include <librdkafka/rdkafkacpp.h>

#include "common/events/event_metadata.h"

namespace shop::kafka {

events::Headers HeadersOf(RdKafka::Message& message);

}  // namespace shop::kafka

#endif  // SHOP_COMMON_KAFKA_RECORD_HEADERS_H_

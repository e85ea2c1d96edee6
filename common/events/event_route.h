// Where an event is published, read from the shop.common.v1.event_route
// option on its message (proto/README.md). Nothing else names topics or keys.
#ifndef SHOP_COMMON_EVENTS_EVENT_ROUTE_H_
#define SHOP_COMMON_EVENTS_EVENT_ROUTE_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace shop::events {

struct Destination {
  std::string topic;
  std::string key;  // the aggregate id
};

// The topic of an event type; INVALID_ARGUMENT if it is not an event.
absl::StatusOr<std::string> TopicOf(const google::protobuf::Descriptor& type);

// The topic of `event`, and its key (the value of its key field, which must
// be set).
absl::StatusOr<Destination> DestinationOf(const google::protobuf::Message& event);

// `topic` inside a topic namespace: "<namespace>.<topic>", or `topic` itself
// when the namespace is empty. Namespaces let several environments (or
// tests) share one broker without seeing each other's events.
std::string QualifiedTopic(const std::string& topic_namespace, const std::string& topic);

// The topic that consumer group `group` sends the undecodable records of
// `topic` to: "<topic>.<group>.dlq".
std::string DeadLetterTopic(const std::string& topic, const std::string& group);

}  // namespace shop::events

#endif  // SHOP_COMMON_EVENTS_EVENT_ROUTE_H_

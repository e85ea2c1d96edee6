// Every topic of the contract: the topics named by the event_route option of
// every event message linked into this binary (link //proto:contract for all
// of them). Services create them all at start-up, before any consumer
// subscribes, so no consumer waits for a metadata refresh to find a topic.
#ifndef SHOP_COMMON_EVENTS_CONTRACT_TOPICS_H_
#define SHOP_COMMON_EVENTS_CONTRACT_TOPICS_H_

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"

namespace shop::events {

// Unqualified, sorted, each once: {"shop.delivery.events", "shop.order.events", ...}.
std::vector<std::string> ContractTopics();

// Every event message type linked in (those with an event_route), by name.
std::vector<const google::protobuf::Descriptor*> ContractEventTypes();

}  // namespace shop::events

#endif  // SHOP_COMMON_EVENTS_CONTRACT_TOPICS_H_

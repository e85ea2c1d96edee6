#include "common/events/event_route.h"

#include "absl/strings/str_cat.h"
#include "proto/shop/common/v1/event.pb.h"

namespace shop::events {

absl::StatusOr<std::string> TopicOf(const google::protobuf::Descriptor& type) {
  const auto& route = type.options().GetExtension(shop::common::v1::event_route);
  if (route.topic().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(type.full_name(), " is not an event: it has no event_route option"));
  }
  return route.topic();
}

absl::StatusOr<Destination> DestinationOf(const google::protobuf::Message& event) {
  const google::protobuf::Descriptor& type = *event.GetDescriptor();
  auto topic = TopicOf(type);
  if (!topic.ok()) return topic.status();
  const auto& route = type.options().GetExtension(shop::common::v1::event_route);
  const google::protobuf::FieldDescriptor* field = type.FindFieldByName(route.key_field());
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return absl::InvalidArgumentError(absl::StrCat(type.full_name(), ": key field '",
                                                   route.key_field(), "' is not a string field"));
  }
  std::string key = event.GetReflection()->GetString(event, field);
  if (key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(type.full_name(), ": key field ", route.key_field(), " is empty"));
  }
  return Destination{*std::move(topic), std::move(key)};
}

std::string QualifiedTopic(const std::string& topic_namespace, const std::string& topic) {
  return topic_namespace.empty() ? topic : absl::StrCat(topic_namespace, ".", topic);
}

std::string DeadLetterTopic(const std::string& topic, const std::string& group) {
  return absl::StrCat(topic, ".", group, ".dlq");
}

}  // namespace shop::events

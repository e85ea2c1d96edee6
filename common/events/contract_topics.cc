#include "common/events/contract_topics.h"

#include <set>

#include "absl/strings/match.h"
#include "common/events/event_route.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"

namespace shop::events {

std::vector<std::string> ContractTopics() {
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  std::set<std::string> topics;
  for (const std::string& name : files) {
    if (!absl::StartsWith(name, "shop/")) continue;
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr) continue;
    for (int i = 0; i < file->message_type_count(); ++i) {
      auto topic = TopicOf(*file->message_type(i));
      if (topic.ok()) topics.insert(*topic);
    }
  }
  return {topics.begin(), topics.end()};
}

}  // namespace shop::events

#include "common/events/contract_topics.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "common/events/event_route.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"

namespace shop::events {

std::vector<std::string> ContractTopics() {
  std::set<std::string> topics;
  for (const google::protobuf::Descriptor* type : ContractEventTypes()) {
    topics.insert(*TopicOf(*type));
  }
  return {topics.begin(), topics.end()};
}

std::vector<const google::protobuf::Descriptor*> ContractEventTypes() {
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  std::vector<const google::protobuf::Descriptor*> types;
  for (const std::string& name : files) {
    if (!absl::StartsWith(name, "shop/")) continue;
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr) continue;
    for (int i = 0; i < file->message_type_count(); ++i) {
      if (TopicOf(*file->message_type(i)).ok()) types.push_back(file->message_type(i));
    }
  }
  std::sort(types.begin(), types.end(),
            [](const auto* a, const auto* b) { return a->full_name() < b->full_name(); });
  return types;
}

}  // namespace shop::events

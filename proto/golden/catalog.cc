#include "proto/golden/catalog.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.pb.h"
#include "proto/shop/common/v1/event.pb.h"

namespace shop::contract {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::DescriptorProto;

namespace {

void Collect(const std::string& scope, const DescriptorProto& message,
             std::vector<std::string>& names) {
  const std::string name = absl::StrCat(scope, ".", message.name());
  if (message.options().HasExtension(shop::common::v1::event_route)) names.push_back(name);
  for (const DescriptorProto& nested : message.nested_type()) Collect(name, nested, names);
}

}  // namespace

absl::StatusOr<std::vector<const Descriptor*>> EventTypes(const std::string& descriptor_set_path) {
  std::ifstream in(descriptor_set_path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  google::protobuf::FileDescriptorSet set;
  if (!in || !set.ParseFromString(bytes.str())) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", descriptor_set_path));
  }
  std::vector<std::string> names;
  for (const auto& file : set.file()) {
    for (const DescriptorProto& message : file.message_type()) {
      Collect(file.package(), message, names);
    }
  }
  std::vector<const Descriptor*> events;
  for (const std::string& name : names) {
    const Descriptor* descriptor = DescriptorPool::generated_pool()->FindMessageTypeByName(name);
    if (descriptor == nullptr) {
      return absl::NotFoundError(
          absl::StrCat(name, " is in the contract but its code is not linked"));
    }
    events.push_back(descriptor);
  }
  return events;
}

}  // namespace shop::contract

#include "tools/shopctl/record_json.h"

#include <memory>

#include "absl/strings/escaping.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"

namespace shop::shopctl {

nlohmann::json RecordJson(const RawRecord& record) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : record.headers) headers[name] = value;
  nlohmann::json json = {{"topic", record.topic},
                         {"partition", record.partition},
                         {"offset", record.offset},
                         {"key", record.key},
                         {"headers", headers}};
  const std::string type = events::HeaderValue(record.headers, "ce_type");
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
  if (descriptor != nullptr) {
    std::unique_ptr<google::protobuf::Message> message(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
    std::string text;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    if (message->ParseFromString(record.payload) &&
        google::protobuf::util::MessageToJsonString(*message, &text, options).ok()) {
      json["payload"] = nlohmann::json::parse(text, nullptr, false);
      return json;
    }
  }
  json["payload_base64"] = absl::Base64Escape(record.payload);
  return json;
}

}  // namespace shop::shopctl

// Every event type of the contract decodes to JSON by its ce_type: the
// golden sample of each, encoded as a producer would, read back as JSON.
#include "tools/shopctl/record_json.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "common/events/contract_topics.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace shop::shopctl {
namespace {

TEST(RecordJsonTest, EveryContractEventDecodesByItsType) {
  const auto types = events::ContractEventTypes();
  ASSERT_GE(types.size(), 19u);
  int decoded = 0;
  for (const google::protobuf::Descriptor* type : types) {
    const std::string path = "proto/golden/samples/" + type->full_name() + ".txtpb";
    if (!std::filesystem::exists(path)) {
      ADD_FAILURE() << "no golden sample for " << type->full_name();
      continue;
    }
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    std::unique_ptr<google::protobuf::Message> sample(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text.str(), sample.get())) << path;
    RawRecord record{"shop.x.events",
                     2,
                     7,
                     "key-1",
                     {{"ce_type", type->full_name()}, {"ce_id", "id-1"}},
                     sample->SerializeAsString()};
    const nlohmann::json json = RecordJson(record);
    ASSERT_TRUE(json.contains("payload")) << type->full_name() << ": " << json.dump();
    std::string expected;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(*sample, &expected, options).ok());
    EXPECT_EQ(json["payload"], nlohmann::json::parse(expected)) << type->full_name();
    EXPECT_EQ(json["partition"], 2);
    EXPECT_EQ(json["offset"], 7);
    EXPECT_EQ(json["key"], "key-1");
    EXPECT_EQ(json["headers"]["ce_id"], "id-1");
    ++decoded;
  }
  EXPECT_EQ(decoded, static_cast<int>(types.size()));
}

TEST(RecordJsonTest, AnUnknownTypeOrUndecodableBytesAreShownAsBase64) {
  RawRecord future{"t", 0, 1, "k", {{"ce_type", "shop.order.v9.OrderTeleported"}}, "\x08\x01"};
  EXPECT_EQ(RecordJson(future)["payload_base64"], absl::Base64Escape("\x08\x01"));
  RawRecord garbage{"t", 0, 2, "k", {{"ce_type", "shop.order.v1.OrderPlaced"}}, "\xff\xff\xff"};
  EXPECT_EQ(RecordJson(garbage)["payload_base64"], absl::Base64Escape("\xff\xff\xff"));
  EXPECT_FALSE(RecordJson(garbage).contains("payload"));
}

}  // namespace
}  // namespace shop::shopctl

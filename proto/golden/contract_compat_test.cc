// Decoding guarantees of the event contract:
//  - every event has a sample, and every released version's golden bytes
//    decode with the current code to the field values recorded at release;
//  - a message written by a newer schema (extra fields) decodes with the
//    current code, and its unknown fields survive re-serialization.
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "proto/golden/catalog.h"
#include "proto/shop/common/v1/event.pb.h"

namespace shop::contract {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptorProto;
using google::protobuf::FileDescriptor;
using google::protobuf::FileDescriptorProto;
using google::protobuf::Message;
using google::protobuf::MessageFactory;
using google::protobuf::util::MessageDifferencer;

const fs::path kGoldenDir = "proto/golden";
const char kDescriptorSet[] = "proto/contract_descriptor_set.binpb";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::unique_ptr<Message> NewMessage(const Descriptor* descriptor) {
  return std::unique_ptr<Message>(
      MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
}

std::unique_ptr<Message> LoadSample(const Descriptor* descriptor, const fs::path& path) {
  auto message = NewMessage(descriptor);
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(ReadFile(path), message.get()))
      << path << " does not parse as " << descriptor->full_name();
  return message;
}

std::vector<const Descriptor*> Events() {
  auto events = EventTypes(kDescriptorSet);
  EXPECT_TRUE(events.ok()) << events.status();
  return events.ok() ? *events : std::vector<const Descriptor*>{};
}

TEST(ContractCatalogTest, FindsEveryEventWithARouteAndAKey) {
  std::set<std::string> names;
  for (const Descriptor* event : Events()) {
    names.insert(event->full_name());
    const auto& route = event->options().GetExtension(shop::common::v1::event_route);
    // shop.<service>.events for facts; shop.<service>.requests for a
    // service's own inbox of requests it decides (so a spike of them never
    // delays the consumers of its facts).
    EXPECT_THAT(route.topic(), ::testing::MatchesRegex("shop\\.[a-z]+\\.(events|requests)"))
        << event->full_name();
    const auto* key = event->FindFieldByName(route.key_field());
    ASSERT_NE(key, nullptr) << event->full_name() << " names a missing key field";
    EXPECT_EQ(key->type(), google::protobuf::FieldDescriptor::TYPE_STRING);
  }
  // The events the design names; more may be added, none may vanish.
  for (const char* expected :
       {"shop.order.v1.OrderPlaced", "shop.order.v1.OrderCompleted", "shop.order.v1.OrderCancelled",
        "shop.product.v1.StockReserved", "shop.product.v1.StockRejected",
        "shop.product.v1.StockReleased", "shop.product.v1.ProductChanged",
        "shop.delivery.v1.DeliveryCreated", "shop.delivery.v1.DeliveryStatusChanged",
        "shop.settlement.v1.SettlementRecorded", "shop.settlement.v1.SettlementReversed",
        "shop.coupon.v1.CouponIssueRequested", "shop.coupon.v1.CouponIssued",
        "shop.coupon.v1.CouponIssueRejected", "shop.coupon.v1.CouponRedeemed",
        "shop.coupon.v1.CouponRedemptionRejected", "shop.coupon.v1.CouponRestored"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
}

TEST(GoldenFixturesTest, EveryEventHasASampleWithItsKeySet) {
  for (const Descriptor* event : Events()) {
    const fs::path sample = kGoldenDir / "samples" / (event->full_name() + ".txtpb");
    ASSERT_TRUE(fs::exists(sample))
        << "add a sample for " << event->full_name() << " at " << sample;
    auto message = LoadSample(event, sample);
    const auto& route = event->options().GetExtension(shop::common::v1::event_route);
    EXPECT_FALSE(message->GetReflection()
                     ->GetString(*message, event->FindFieldByName(route.key_field()))
                     .empty())
        << sample << " leaves the key field " << route.key_field() << " empty";
  }
}

TEST(GoldenFixturesTest, EveryReleasedFixtureDecodesToItsRecordedValues) {
  int releases = 0;
  for (const auto& release : fs::directory_iterator(kGoldenDir)) {
    if (!release.is_directory() || release.path().filename() == "samples") continue;
    ++releases;
    int fixtures = 0;
    for (const auto& entry : fs::directory_iterator(release.path())) {
      if (entry.path().extension() != ".binpb") continue;
      ++fixtures;
      const std::string type = entry.path().stem().string();
      SCOPED_TRACE(entry.path().string());
      const Descriptor* descriptor = DescriptorPool::generated_pool()->FindMessageTypeByName(type);
      ASSERT_NE(descriptor, nullptr) << type << " was released and must still exist";
      auto decoded = NewMessage(descriptor);
      ASSERT_TRUE(decoded->ParseFromString(ReadFile(entry.path())));
      // The current schema is a superset of every released one.
      EXPECT_EQ(decoded->GetReflection()->GetUnknownFields(*decoded).field_count(), 0);
      fs::path recorded = entry.path();
      recorded.replace_extension(".txtpb");
      auto expected = LoadSample(descriptor, recorded);
      std::string diff;
      MessageDifferencer differencer;
      differencer.ReportDifferencesToString(&diff);
      EXPECT_TRUE(differencer.Compare(*expected, *decoded)) << diff;
    }
    EXPECT_GT(fixtures, 0) << release.path() << " holds no fixtures";
  }
  EXPECT_GT(releases, 0) << "no released golden fixtures under " << kGoldenDir;
}

// Builds a pool holding `target`'s file as a newer producer would have it:
// the same messages, each event with three fields this code does not know.
class NewerSchema {
 public:
  explicit NewerSchema(const Descriptor* event) {
    Add(event->file(), event);
    descriptor_ = pool_.FindMessageTypeByName(event->full_name());
  }
  const Descriptor* descriptor() const { return descriptor_; }
  std::unique_ptr<Message> New() {
    return std::unique_ptr<Message>(factory_.GetPrototype(descriptor_)->New());
  }

 private:
  void Add(const FileDescriptor* file, const Descriptor* event) {
    if (pool_.FindFileByName(file->name()) != nullptr) return;
    for (int i = 0; i < file->dependency_count(); ++i) Add(file->dependency(i), nullptr);
    FileDescriptorProto proto;
    file->CopyTo(&proto);
    if (event != nullptr) {
      for (auto& message : *proto.mutable_message_type()) {
        if (message.name() != event->name()) continue;
        auto* note = message.add_field();
        note->set_name("newer_note");
        note->set_number(900);
        note->set_type(FieldDescriptorProto::TYPE_STRING);
        note->set_label(FieldDescriptorProto::LABEL_OPTIONAL);
        auto* numbers = message.add_field();
        numbers->set_name("newer_numbers");
        numbers->set_number(901);
        numbers->set_type(FieldDescriptorProto::TYPE_INT64);
        numbers->set_label(FieldDescriptorProto::LABEL_REPEATED);
        auto* money = message.add_field();
        money->set_name("newer_money");
        money->set_number(902);
        money->set_type(FieldDescriptorProto::TYPE_MESSAGE);
        money->set_type_name(".shop.common.v1.Money");
        money->set_label(FieldDescriptorProto::LABEL_OPTIONAL);
        if (std::find(proto.dependency().begin(), proto.dependency().end(),
                      "shop/common/v1/money.proto") == proto.dependency().end()) {
          proto.add_dependency("shop/common/v1/money.proto");
          Add(DescriptorPool::generated_pool()->FindFileByName("shop/common/v1/money.proto"),
              nullptr);
        }
      }
    }
    ASSERT_NE(pool_.BuildFile(proto), nullptr) << file->name();
  }

  DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_{&pool_};
  const Descriptor* descriptor_ = nullptr;
};

TEST(ForwardCompatibilityTest, NewerProducersExtraFieldsDecodeAndSurviveReserialization) {
  for (const Descriptor* event : Events()) {
    SCOPED_TRACE(event->full_name());
    auto sample = LoadSample(event, kGoldenDir / "samples" / (event->full_name() + ".txtpb"));

    NewerSchema newer(event);
    ASSERT_NE(newer.descriptor(), nullptr);
    auto written = newer.New();
    ASSERT_TRUE(written->ParseFromString(sample->SerializeAsString()));
    const auto* reflection = written->GetReflection();
    reflection->SetString(written.get(), newer.descriptor()->FindFieldByName("newer_note"),
                          "from the future");
    reflection->AddInt64(written.get(), newer.descriptor()->FindFieldByName("newer_numbers"), 7);
    reflection->AddInt64(written.get(), newer.descriptor()->FindFieldByName("newer_numbers"), -9);
    Message* money = reflection->MutableMessage(written.get(),
                                                newer.descriptor()->FindFieldByName("newer_money"));
    money->GetReflection()->SetInt64(money, money->GetDescriptor()->FindFieldByName("minor_units"),
                                     1999);

    // The current code decodes what it knows and keeps the rest.
    auto decoded = NewMessage(event);
    ASSERT_TRUE(decoded->ParseFromString(written->SerializeAsString()));
    // newer_note, newer_numbers (packed: one record for both values), newer_money.
    EXPECT_EQ(decoded->GetReflection()->GetUnknownFields(*decoded).field_count(), 3);
    auto known_only = NewMessage(event);
    known_only->CopyFrom(*decoded);
    known_only->DiscardUnknownFields();
    EXPECT_TRUE(MessageDifferencer::Equals(*sample, *known_only));

    // Passed on (re-serialized) by the current code, the newer fields are intact.
    auto reread = newer.New();
    ASSERT_TRUE(reread->ParseFromString(decoded->SerializeAsString()));
    EXPECT_TRUE(MessageDifferencer::Equals(*written, *reread)) << written->DebugString() << "\nvs\n"
                                                               << reread->DebugString();
  }
}

}  // namespace
}  // namespace shop::contract

// shopctl against the real broker and database: a poisoned record is
// dead-lettered, listed, redriven after the handler is fixed and applied
// once; a second redrive changes nothing; events tail decodes what it reads.
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/consumer/event_consumer.h"
#include "common/events/event_route.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "common/testing/event_fixture.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::testing {
namespace {

using nlohmann::json;

// Runs shopctl and returns its standard output, one JSON value per line.
std::vector<json> Shopctl(const std::string& args, int* exit_code = nullptr) {
  const std::string command =
      absl::StrCat("tools/shopctl/shopctl --kafka_brokers=", KafkaBrokers(), " ", args);
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (pipe != nullptr && fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  const int status = pipe != nullptr ? pclose(pipe) : -1;
  if (exit_code != nullptr) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::vector<json> lines;
  for (absl::string_view line : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    lines.push_back(json::parse(line, nullptr, false));
  }
  return lines;
}

TEST(ShopctlTest, APoisonedRecordIsDeadLetteredRedrivenOnceFixedAndASecondRedriveChangesNothing) {
  TestDatabase database("shopctl_test");
  ASSERT_TRUE(database.status().ok());
  mysql::ConnectionPool pool(database.options());
  ASSERT_TRUE(MigrateFixture(pool).ok());
  const std::string topic = UniqueName("shopctl_orders");
  const std::string group = UniqueName("shopctl_group");
  const std::string dlq = events::DeadLetterTopic(topic, group);
  ASSERT_TRUE(kafka::EnsureTopics(KafkaBrokers(), {{topic, 3}, {dlq, 1}}).ok());

  absl::Mutex mu;
  bool fixed = false;
  consumer::ConsumerOptions options;
  options.brokers = KafkaBrokers();
  options.group = group;
  options.topics = {topic};
  consumer::EventConsumer consumer(options, pool, nullptr);
  consumer.On<shop::order::v1::OrderPlaced>(
      [&](const shop::order::v1::OrderPlaced& placed, consumer::EventContext& context) {
        {
          absl::MutexLock lock(&mu);
          if (placed.customer_id() == "poison" && !fixed) {
            return absl::InvalidArgumentError("customer 'poison' is rejected");
          }
        }
        return RecordEffect(placed, context);
      });
  std::thread thread([&] { consumer.Run().IgnoreError(); });

  auto producer = kafka::Producer::Create(KafkaBrokers());
  ASSERT_TRUE(producer.ok());
  std::vector<kafka::Record> records;
  for (const std::string customer : {"1", "poison", "2"}) {
    shop::order::v1::OrderPlaced placed;
    placed.set_order_id("order-" + customer);
    placed.set_customer_id(customer);
    records.push_back({topic, placed.order_id(), placed.SerializeAsString(),
                       events::ToHeaders({events::NewUuid(), "shop.order.v1.OrderPlaced", "/test",
                                          absl::Now(), "corr-" + customer, ""})});
  }
  for (const auto& report : (*producer)->ProduceAndWait(records, absl::Seconds(30))) {
    ASSERT_TRUE(report.status.ok());
  }
  auto effects = [&] { return CountEffects(pool).value_or(Effects{-1, -1}); };
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().dead_lettered == 1; }, absl::Seconds(30)));
  ASSERT_TRUE(WaitFor([&] { return effects().rows == 2; }, absl::Seconds(10)));

  std::vector<json> listed = Shopctl("dlq list " + dlq);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["origin_topic"], topic);
  EXPECT_EQ(listed[0]["consumer_group"], group);
  EXPECT_EQ(listed[0]["ce_type"], "shop.order.v1.OrderPlaced");
  EXPECT_NE(listed[0]["error"].get<std::string>().find("poison"), std::string::npos);
  std::vector<json> shown = Shopctl("dlq show " + dlq);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0]["payload"]["customer_id"], "poison") << "decoded by its ce_type";

  {
    absl::MutexLock lock(&mu);
    fixed = true;  // the handler is fixed and deployed
  }
  int code = -1;
  std::vector<json> redriven = Shopctl("dlq redrive --all " + dlq, &code);
  ASSERT_EQ(code, 0);
  ASSERT_EQ(redriven.size(), 1u);
  EXPECT_EQ(redriven[0]["ok"], true);
  ASSERT_TRUE(WaitFor([&] { return effects().rows == 3; }, absl::Seconds(30)));

  // Again: the event id was applied, so the copy is skipped.
  const int64_t duplicates = consumer.stats().duplicates;
  Shopctl("dlq redrive " + dlq + " " + listed[0]["offset"].dump(), &code);
  ASSERT_EQ(code, 0);
  ASSERT_TRUE(
      WaitFor([&] { return consumer.stats().duplicates == duplicates + 1; }, absl::Seconds(30)));
  EXPECT_EQ(effects().rows, 3);
  EXPECT_EQ(effects().distinct, 3);

  // events tail: five records now, each decoded; the redriven ones marked.
  std::vector<json> tail = Shopctl("events tail " + topic + " --from-beginning --exit-at-end");
  ASSERT_EQ(tail.size(), 5u);
  int marked = 0;
  for (const json& record : tail) {
    EXPECT_TRUE(record.contains("payload")) << record.dump();
    marked += record["headers"].contains("shop_redriven_from") ? 1 : 0;
  }
  EXPECT_EQ(marked, 2);
  EXPECT_EQ(
      Shopctl("events tail " + topic + " --from-beginning --exit-at-end --key=order-2").size(), 1u);
  consumer.Stop();
  thread.join();
}

}  // namespace
}  // namespace shop::testing

// Outbox relay benchmark on the local broker and database. Prints, from one
// run on this machine:
//   - librdkafka's raw produce rate (acks=all, idempotent): the ceiling;
//   - relay throughput: events/s from a pre-filled outbox to acknowledged;
//   - commit-to-consume latency p50/p99 at a fixed rate: from the commit of
//     the transaction that appended the event to a consumer receiving it.
//
//   bazel run //tools/bench:relay_bench -- [--events=20000] [--rate=200] [--seconds=5]
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/config/flags.h"
#include "common/events/event_route.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "common/logging/log.h"
#include "common/outbox/outbox.h"
#include "common/outbox/relay.h"
#include "common/testing/event_fixture.h"
#include "common/testing/infra.h"
#include "proto/shop/order/v1/events.pb.h"

ABSL_FLAG(int, events, 20000, "events for the throughput runs");
ABSL_FLAG(int, rate, 200, "events/s for the latency run");
ABSL_FLAG(int, seconds, 5, "duration of the latency run");

namespace {

using namespace shop;  // NOLINT: a benchmark program

shop::order::v1::OrderPlaced Sample(int seq) {
  shop::order::v1::OrderPlaced placed;
  placed.set_order_id("order-" + std::to_string(seq % 997));
  placed.set_customer_id(std::to_string(seq));
  placed.set_currency_code("EUR");
  for (int i = 0; i < 3; ++i) {
    auto* line = placed.add_lines();
    line->set_product_id("product-" + std::to_string(i));
    line->set_quantity(1 + i);
    line->set_unit_price_minor(1999);
  }
  placed.mutable_total()->set_minor_units(11994);
  placed.mutable_total()->set_currency_code("EUR");
  return placed;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(values.size() * p))];
}

}  // namespace

int main(int argc, char** argv) {
  config::ParseFlags(argc, argv);
  log::SetService("relay_bench");
  log::SetMinLevel(log::Level::kWarning);
  const int events = absl::GetFlag(FLAGS_events);
  shop::testing::TestDatabase database("relay_bench");
  if (!database.status().ok()) {
    std::fprintf(stderr, "%s\n", database.status().ToString().c_str());
    return 1;
  }
  mysql::ConnectionPool pool(database.options());
  if (!shop::testing::MigrateFixture(pool).ok()) return 1;
  const std::string ns = shop::testing::UniqueName("bench");
  const std::string topic = events::QualifiedTopic(ns, "shop.order.events");
  const std::string raw_topic = ns + ".raw";
  if (!kafka::EnsureTopics(shop::testing::KafkaBrokers(), {{topic, 6}, {raw_topic, 6}}).ok())
    return 1;
  auto producer = kafka::Producer::Create(shop::testing::KafkaBrokers());
  if (!producer.ok()) return 1;

  // a. Raw librdkafka produce rate.
  std::vector<kafka::Record> records;
  for (int i = 0; i < events; ++i) {
    auto placed = Sample(i);
    records.push_back({raw_topic, placed.order_id(), placed.SerializeAsString(),
                       events::ToHeaders({events::NewUuid(), "shop.order.v1.OrderPlaced", "/bench",
                                          absl::Now(), "c", ""})});
  }
  absl::Time start = absl::Now();
  auto reports = (*producer)->ProduceAndWait(records, absl::Minutes(2));
  const double raw_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  for (const auto& report : reports) {
    if (!report.status.ok()) {
      std::fprintf(stderr, "raw produce failed: %s\n", report.status.ToString().c_str());
      return 1;
    }
  }
  const double raw_rate = events / raw_seconds;

  // b. Relay throughput from a pre-filled outbox.
  outbox::Outbox box("/bench", ns);
  for (int first = 0; first < events; first += 500) {
    absl::Status status =
        mysql::RunInTransaction(pool, absl::Now() + absl::Seconds(30), [&](mysql::Transaction& tx) {
          for (int i = first; i < std::min(events, first + 500); ++i) {
            auto appended = box.Append(tx, Sample(i), {});
            if (!appended.ok()) return appended.status();
          }
          return absl::OkStatus();
        });
    if (!status.ok()) return 1;
  }
  outbox::RelayOptions options;
  options.poll_interval = absl::Milliseconds(200);
  outbox::MysqlOutboxStore store(pool);
  outbox::OutboxRelay relay(store, outbox::KafkaPublisherFactory(shop::testing::KafkaBrokers()),
                            options);
  box.SetCommitListener([&relay] { relay.Wake(); });
  start = absl::Now();
  relay.Start();
  while (true) {
    auto left = shop::testing::CountUnpublished(pool);
    if (left.ok() && *left == 0) break;
    absl::SleepFor(absl::Milliseconds(5));
  }
  const double relay_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const double relay_rate = events / relay_seconds;

  // c. Commit-to-consume latency at a fixed rate.
  absl::Mutex mu;
  absl::flat_hash_map<int, absl::Time> committed;
  std::vector<double> latencies_ms;
  std::atomic<bool> stop{false};
  std::atomic<bool> assigned{false};
  std::thread reader([&] {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string error;
    conf->set("bootstrap.servers", shop::testing::KafkaBrokers(), error);
    conf->set("group.id", ns + "_latency", error);
    conf->set("auto.offset.reset", "latest", error);
    conf->set("fetch.wait.max.ms", "5", error);
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(
        RdKafka::KafkaConsumer::create(conf.get(), error));
    consumer->subscribe({topic});
    while (!stop) {
      std::unique_ptr<RdKafka::Message> message(consumer->consume(50));
      std::vector<RdKafka::TopicPartition*> assignment;
      if (!assigned && consumer->assignment(assignment) == RdKafka::ERR_NO_ERROR &&
          !assignment.empty()) {
        assigned = true;
      }
      RdKafka::TopicPartition::destroy(assignment);
      if (message->err() != RdKafka::ERR_NO_ERROR) continue;
      const absl::Time received = absl::Now();
      shop::order::v1::OrderPlaced placed;
      int seq = 0;
      if (!placed.ParseFromArray(message->payload(), static_cast<int>(message->len())) ||
          !absl::SimpleAtoi(placed.customer_id(), &seq)) {
        continue;
      }
      absl::MutexLock lock(&mu);
      auto it = committed.find(seq);
      if (it != committed.end())
        latencies_ms.push_back(absl::ToDoubleMilliseconds(received - it->second));
    }
    consumer->close();
  });
  while (!assigned) absl::SleepFor(absl::Milliseconds(50));
  absl::SleepFor(absl::Milliseconds(500));  // let the group settle at the end of the log
  const int rate = absl::GetFlag(FLAGS_rate);
  const int total = rate * absl::GetFlag(FLAGS_seconds);
  const absl::Time begin = absl::Now();
  for (int i = 0; i < total; ++i) {
    absl::SleepFor(begin + absl::Seconds(1.0 * i / rate) - absl::Now());
    const int seq = events + i;
    absl::Status status = mysql::RunInTransaction(
        pool, absl::Now() + absl::Seconds(5),
        [&](mysql::Transaction& tx) { return box.Append(tx, Sample(seq), {}).status(); });
    absl::MutexLock lock(&mu);
    if (status.ok()) committed[seq] = absl::Now();
  }
  absl::SleepFor(absl::Seconds(2));
  stop = true;
  reader.join();
  relay.Stop();

  std::printf("relay benchmark (%d events, payload %zu bytes, 6 partitions, local broker)\n",
              events, Sample(0).ByteSizeLong());
  std::printf("  librdkafka raw produce : %9.0f events/s   (baseline)\n", raw_rate);
  std::printf("  outbox relay           : %9.0f events/s   (%.2f x raw)\n", relay_rate,
              relay_rate / raw_rate);
  std::printf(
      "  commit -> consume at %d/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%zu of %d seen)\n", rate,
      Percentile(latencies_ms, 0.50), Percentile(latencies_ms, 0.99), Percentile(latencies_ms, 1.0),
      latencies_ms.size(), total);
  return 0;
}

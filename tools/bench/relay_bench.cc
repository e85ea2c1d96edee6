// Outbox relay benchmark on the local broker and database: our relay and,
// with --debezium_command, Debezium's MariaDB connector with its outbox event
// router reading the same outbox table on the same MariaDB, in one run.
// For each relay:
//   - events/s: a backlog of --events rows is in the outbox when the relay
//     starts; the rate from its first record seen by a consumer to the last;
//   - commit -> consume p50/p99 at --rate events/s: from the commit of the
//     transaction that appended the event to a consumer receiving it.
// Also librdkafka's raw produce rate (acks=all, idempotent): the ceiling.
//
//   bazel run -c opt //tools/bench:relay_bench -- [--events=20000] [--rate=200] [--seconds=5]
//       [--debezium_command=$PWD/tools/debezium/connect.sh] [--json_out=F]
// Debezium needs MariaDB's binary log (tools/dev binlog on).
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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
#include "nlohmann/json.hpp"
#include "proto/shop/order/v1/events.pb.h"

ABSL_FLAG(int, events, 20000, "events in the backlog for the throughput runs");
ABSL_FLAG(int, rate, 200, "events/s for the latency runs");
ABSL_FLAG(int, seconds, 5, "duration of each latency run");
ABSL_FLAG(std::string, debezium_command, "",
          "tools/debezium/connect.sh: also measure Debezium (needs tools/dev binlog on)");
ABSL_FLAG(std::string, json_out, "", "write the figures here as JSON");

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

// The event that sets Debezium's starting offset (not counted).
constexpr int kMarkerSeq = 1'000'000'000;

// When each event (by the sequence number in its payload) first reached a
// consumer of `topic`, read from the beginning.
class TopicClock {
 public:
  explicit TopicClock(const std::string& topic) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string error;
    conf->set("bootstrap.servers", shop::testing::KafkaBrokers(), error);
    conf->set("group.id", "relay_bench_" + events::NewUuid(), error);
    conf->set("auto.offset.reset", "earliest", error);
    conf->set("enable.auto.commit", "false", error);
    conf->set("fetch.wait.max.ms", "5", error);
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
    consumer_->subscribe({topic});
    thread_ = std::thread([this] { Run(); });
  }
  ~TopicClock() {
    stop_ = true;
    thread_.join();
    consumer_->close();
  }
  // Waits until `count` distinct events were seen; false at the deadline.
  bool WaitForCount(size_t count, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto reached = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return seen_.size() >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }
  bool WaitForMarker(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&marker_seen_), timeout);
  }
  // Events/s from the first to the last of the sequence numbers [0, n).
  double Rate(int n) {
    absl::MutexLock lock(&mu_);
    absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();
    for (int seq = 0; seq < n; ++seq) {
      auto it = seen_.find(seq);
      if (it == seen_.end()) return 0;
      first = std::min(first, it->second);
      last = std::max(last, it->second);
    }
    return (n - 1) / std::max(1e-9, absl::ToDoubleSeconds(last - first));
  }
  std::vector<double> LatenciesMs(const absl::flat_hash_map<int, absl::Time>& committed) {
    absl::MutexLock lock(&mu_);
    std::vector<double> latencies;
    for (const auto& [seq, at] : committed) {
      auto it = seen_.find(seq);
      if (it != seen_.end()) latencies.push_back(absl::ToDoubleMilliseconds(it->second - at));
    }
    return latencies;
  }

 private:
  void Run() {
    while (!stop_) {
      std::unique_ptr<RdKafka::Message> message(consumer_->consume(50));
      if (message->err() != RdKafka::ERR_NO_ERROR) continue;
      const absl::Time received = absl::Now();
      shop::order::v1::OrderPlaced placed;
      int seq = 0;
      if (!placed.ParseFromArray(message->payload(), static_cast<int>(message->len())) ||
          !absl::SimpleAtoi(placed.customer_id(), &seq)) {
        continue;
      }
      absl::MutexLock lock(&mu_);
      if (seq == kMarkerSeq) {
        marker_seen_ = true;
      } else {
        seen_.emplace(seq, received);
      }
    }
  }

  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  absl::flat_hash_map<int, absl::Time> seen_ ABSL_GUARDED_BY(mu_);
  bool marker_seen_ ABSL_GUARDED_BY(mu_) = false;
};

struct Figures {
  double events_per_s = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  size_t seen = 0, sent = 0;
};

// Appends events [first, first + rate * seconds) at `rate` per second, one
// transaction each, and returns when each committed.
absl::flat_hash_map<int, absl::Time> WriteAtRate(mysql::ConnectionPool& pool, outbox::Outbox& box,
                                                 int first, int rate, int seconds) {
  absl::flat_hash_map<int, absl::Time> committed;
  const absl::Time begin = absl::Now();
  for (int i = 0; i < rate * seconds; ++i) {
    absl::SleepFor(begin + absl::Seconds(1.0 * i / rate) - absl::Now());
    const int seq = first + i;
    absl::Status status = mysql::RunInTransaction(
        pool, absl::Now() + absl::Seconds(5),
        [&](mysql::Transaction& tx) { return box.Append(tx, Sample(seq), {}).status(); });
    if (status.ok()) committed[seq] = absl::Now();
  }
  return committed;
}

void FillBacklog(mysql::ConnectionPool& pool, outbox::Outbox& box, int first, int count) {
  for (int start = first; start < first + count; start += 500) {
    absl::Status status =
        mysql::RunInTransaction(pool, absl::Now() + absl::Seconds(30), [&](mysql::Transaction& tx) {
          for (int i = start; i < std::min(first + count, start + 500); ++i) {
            auto appended = box.Append(tx, Sample(i), {});
            if (!appended.ok()) return appended.status();
          }
          return absl::OkStatus();
        });
    if (!status.ok()) {
      std::fprintf(stderr, "filling the outbox failed: %s\n", status.ToString().c_str());
      std::exit(1);
    }
  }
}

Figures Latency(TopicClock& clock, const absl::flat_hash_map<int, absl::Time>& committed,
                Figures figures) {
  std::vector<double> latencies = clock.LatenciesMs(committed);
  figures.p50_ms = Percentile(latencies, 0.50);
  figures.p99_ms = Percentile(latencies, 0.99);
  figures.max_ms = Percentile(latencies, 1.0);
  figures.seen = latencies.size();
  figures.sent = committed.size();
  return figures;
}

bool Shell(const std::string& command) { return std::system(command.c_str()) == 0; }

}  // namespace

int main(int argc, char** argv) {
  config::ParseFlags(argc, argv);
  log::SetService("relay_bench");
  log::SetMinLevel(log::Level::kWarning);
  const int events = absl::GetFlag(FLAGS_events);
  const int rate = absl::GetFlag(FLAGS_rate);
  const int seconds = absl::GetFlag(FLAGS_seconds);
  const std::string debezium = absl::GetFlag(FLAGS_debezium_command);
  shop::testing::TestDatabase database("relay_bench");
  if (!database.status().ok()) {
    std::fprintf(stderr, "%s\n", database.status().ToString().c_str());
    return 1;
  }
  mysql::ConnectionPool pool(database.options());
  if (!shop::testing::MigrateFixture(pool).ok()) return 1;
  const std::string ns = shop::testing::UniqueName("bench");
  const std::string topic = events::QualifiedTopic(ns, "shop.order.events");
  const std::string debezium_topic = "debezium." + topic;
  const std::string raw_topic = ns + ".raw";
  if (!kafka::EnsureTopics(shop::testing::KafkaBrokers(),
                           {{topic, 6}, {raw_topic, 6}, {debezium_topic, 6}})
           .ok()) {
    return 1;
  }
  auto producer = kafka::Producer::Create(shop::testing::KafkaBrokers());
  if (!producer.ok()) return 1;
  outbox::Outbox box("/bench", ns);
  // Debezium records where it is in the binlog only once it has published an
  // event: it starts, publishes a marker, and stops (committing its offset).
  // Everything written from here on is its backlog.
  if (!debezium.empty()) {
    TopicClock clock(debezium_topic);
    if (!Shell(debezium + " reset") || !Shell(debezium + " start " + database.options().database)) {
      std::fprintf(stderr, "Debezium did not start\n");
      return 1;
    }
    FillBacklog(pool, box, kMarkerSeq, 1);
    const bool marked = clock.WaitForMarker(absl::Seconds(60));
    Shell(debezium + " stop");
    if (!marked) {
      std::fprintf(stderr, "Debezium did not publish the marker event\n");
      return 1;
    }
    if (auto left = shop::testing::CountUnpublished(pool); left.ok() && *left > 0) {
      // The marker row: not part of our relay's backlog.
      mysql::RunInTransaction(pool, absl::Now() + absl::Seconds(5), [](mysql::Transaction& tx) {
        tx.Prepare("DELETE FROM outbox").executeUpdate();
        return absl::OkStatus();
      }).IgnoreError();
    }
  }

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

  // b. Our relay: a backlog, then a fixed rate.
  FillBacklog(pool, box, 0, events);
  Figures ours;
  absl::flat_hash_map<int, absl::Time> ours_committed;
  {
    TopicClock clock(topic);
    outbox::RelayOptions options;
    outbox::MysqlOutboxStore store(pool);
    outbox::OutboxRelay relay(store, outbox::KafkaPublisherFactory(shop::testing::KafkaBrokers()),
                              options);
    box.SetCommitListener([&relay] { relay.Wake(); });  // as in a service
    relay.Start();
    if (!clock.WaitForCount(events, absl::Minutes(5))) {
      std::fprintf(stderr, "our relay did not publish the backlog\n");
      return 1;
    }
    ours.events_per_s = clock.Rate(events);
    ours_committed = WriteAtRate(pool, box, events, rate, seconds);
    clock.WaitForCount(events + ours_committed.size(), absl::Seconds(10));
    ours = Latency(clock, ours_committed, ours);
    relay.Stop();
    box.SetCommitListener(nullptr);
  }

  // c. Debezium on the same table: its backlog is everything written since
  // it stopped (our backlog first), then the same fixed rate.
  Figures theirs;
  if (!debezium.empty()) {
    TopicClock clock(debezium_topic);
    if (!Shell(debezium + " start " + database.options().database)) return 1;
    if (!clock.WaitForCount(events, absl::Minutes(5))) {
      std::fprintf(stderr, "Debezium did not publish the backlog\n");
      Shell(debezium + " stop");
      return 1;
    }
    theirs.events_per_s = clock.Rate(events);
    clock.WaitForCount(events + ours_committed.size(), absl::Seconds(30));
    const int first = events + rate * seconds;
    auto committed = WriteAtRate(pool, box, first, rate, seconds);
    clock.WaitForCount(events + ours_committed.size() + committed.size(), absl::Seconds(10));
    theirs = Latency(clock, committed, theirs);
    Shell(debezium + " stop");
  }

  kafka::DeleteTopicsWithPrefix(shop::testing::KafkaBrokers(), ns + ".").IgnoreError();
  kafka::DeleteTopicsWithPrefix(shop::testing::KafkaBrokers(), "debezium." + ns + ".")
      .IgnoreError();

  std::printf("relay benchmark (%d events, payload %zu bytes, 6 partitions, local broker)\n",
              events, Sample(0).ByteSizeLong());
  std::printf("  librdkafka raw produce : %9.0f events/s   (baseline)\n", raw_rate);
  auto print = [&](const char* name, const Figures& f) {
    std::printf(
        "  %-22s : %9.0f events/s   (%.2f x raw); commit -> consume at %d/s: p50 %.1f ms,"
        " p99 %.1f ms, max %.1f ms (%zu of %zu seen)\n",
        name, f.events_per_s, f.events_per_s / raw_rate, rate, f.p50_ms, f.p99_ms, f.max_ms, f.seen,
        f.sent);
  };
  print("our outbox relay", ours);
  if (!debezium.empty()) print("Debezium outbox router", theirs);
  if (const std::string file = absl::GetFlag(FLAGS_json_out); !file.empty()) {
    auto json = [](const Figures& f) {
      return nlohmann::json{{"events_per_s", f.events_per_s},
                            {"p50_ms", f.p50_ms},
                            {"p99_ms", f.p99_ms},
                            {"max_ms", f.max_ms},
                            {"seen", f.seen},
                            {"sent", f.sent}};
    };
    nlohmann::json out = {
        {"events", events}, {"rate", rate}, {"raw_produce_per_s", raw_rate}, {"ours", json(ours)}};
    if (!debezium.empty()) out["debezium"] = json(theirs);
    std::ofstream(file) << out.dump(2) << "\n";
  }
  return 0;
}

// Load generator for the order backbone (asynchronous gRPC client).
//
// Places orders at a fixed concurrency (closed loop) or a target rate (open
// loop) for a duration, over a catalog it seeds, and measures:
//   - PlaceOrder latency (client view);
//   - end-to-end latency from the order being accepted to SettlementRecorded
//     fetched from Kafka (settled), and to OrderCompleted and DeliveryCreated
//     published (their records' timestamps);
//   - where that time goes, hop by hop: each relay (outbox commit -> record
//     produced) and each consumer (record produced -> its follow-up event
//     written), from the events' ce_time and the records' Kafka timestamps;
//   - errors by status code, and the consumer groups' lag at the end.
// --mode=health calls grpc.health.v1.Health/Check instead: the gRPC
// transport's own limit on the same server, for comparison.
//
//   loadgen --order=127.0.0.1:50051 --product=127.0.0.1:50052 --concurrency=16 --duration=15
//   loadgen --rate=300 --duration=15 --e2e --json_out=result.json --timeline_out=latency.csv
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/config/flags.h"
#include "common/events/event_metadata.h"
#include "common/grpc/credentials.h"
#include "common/kafka/consumer_lag.h"
#include "common/kafka/record_headers.h"
#include "common/kafka/topics.h"
#include "common/kafka/watermarks.h"
#include "common/tls/tls.h"
#include "nlohmann/json.hpp"
#include "proto/shop/order/v1/events.pb.h"
#include "proto/shop/order/v1/order_service.grpc.pb.h"
#include "proto/shop/product/v1/product_service.grpc.pb.h"
#include "tools/loadgen/settled_hops.h"

ABSL_FLAG(std::string, order, "127.0.0.1:50051", "order service");
ABSL_FLAG(std::string, product, "127.0.0.1:50052", "product service (to seed the catalog)");
ABSL_FLAG(std::string, brokers, "127.0.0.1:19092", "Kafka, for end-to-end latency and lag");
ABSL_FLAG(std::string, topic_namespace, "", "topic namespace of the system under test");
ABSL_FLAG(std::string, mode, "place",
          "place (PlaceOrder), health (gRPC transport only), catchup (wait for a group),"
          " delete_topics (every topic of --topic_namespace)");
ABSL_FLAG(int, concurrency, 16, "calls in flight (closed loop), or at most (open loop)");
ABSL_FLAG(double, rate, 0, "orders per second (open loop); 0 = closed loop at --concurrency");
ABSL_FLAG(int, duration, 15, "seconds of load");
ABSL_FLAG(int, products, 50, "catalog size");
ABSL_FLAG(int64_t, stock, 100000000, "initial stock of each product (large: no rejections)");
ABSL_FLAG(bool, e2e, true, "measure end-to-end latency on Kafka");
ABSL_FLAG(int, drain_seconds, 60, "how long to wait for the end-to-end events after the load");
ABSL_FLAG(std::string, json_out, "", "write the figures here as JSON");
ABSL_FLAG(std::string, timeline_out, "", "write per-second latency here as CSV");
ABSL_FLAG(std::string, label, "", "name of this run in the output");
ABSL_FLAG(std::string, wait_for_group, "",
          "with --mode=catchup: wait until this consumer group has no lag on shop.order.events");

namespace {

using Clock = absl::Time;

struct Percentiles {
  size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

Percentiles Summarize(std::vector<double> values) {
  Percentiles p;
  p.count = values.size();
  if (values.empty()) return p;
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    return values[std::min(values.size() - 1, size_t(values.size() * q))];
  };
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.max = values.back();
  return p;
}

nlohmann::json ToJson(const Percentiles& p) {
  return {{"count", p.count},
          {"p50_ms", p.p50},
          {"p90_ms", p.p90},
          {"p99_ms", p.p99},
          {"max_ms", p.max}};
}

std::string Topic(const std::string& name) {
  const std::string ns = absl::GetFlag(FLAGS_topic_namespace);
  return ns.empty() ? name : ns + "." + name;
}

// Order events on Kafka, timed against the moment each order was accepted.
//
// The load generator is not part of the system under test, so it reads as
// little as it can while the load runs: one consumer reads
// shop.settlement.events live, fetching as soon as a record arrives (the
// settled time is when SettlementRecorded is fetched, as any downstream
// reader would see it). Everything else a hop or a stage needs is in the
// records themselves (ce_time: written to the outbox; the record's
// timestamp: handed to the producer), so a second consumer reads the other
// three topics in large, rare fetches (at most every 500 ms, or per MiB):
// read live, each of an order's events was a fetch of its own at low rates,
// on the cores the system under test runs on. OrderCompleted and
// DeliveryCreated are timed by their records' timestamps (published), not
// by when they were fetched.
class EventClock {
 public:
  EventClock() {
    live_ = Reader({Topic("shop.settlement.events")}, /*min_bytes=*/1);
    log_ = Reader(
        {Topic("shop.order.events"), Topic("shop.product.events"), Topic("shop.delivery.events")},
        /*min_bytes=*/1 << 20);
    live_thread_ = std::thread([this] { Run(*live_, /*live=*/true); });
    log_thread_ = std::thread([this] { Run(*log_, /*live=*/false); });
  }
  ~EventClock() {
    stop_ = true;
    live_thread_.join();
    log_thread_.join();
    live_->close();
    log_->close();
  }
  void Accepted(const std::string& order_id, absl::Time at) {
    absl::MutexLock lock(&mu_);
    accepted_[order_id] = at;
  }
  // Waits until every accepted order reached `type`, or the deadline.
  void Drain(absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return latencies_["settlement"].size() >= accepted_.size() &&
             latencies_["delivery"].size() >= accepted_.size() &&
             latencies_["completed"].size() >= accepted_.size();
    };
    mu_.AwaitWithDeadline(absl::Condition(&done), deadline);
  }
  std::map<std::string, std::vector<double>> Latencies() {
    absl::MutexLock lock(&mu_);
    return latencies_;
  }
  std::vector<std::pair<double, double>> CompletedTimeline() {
    absl::MutexLock lock(&mu_);
    return completed_timeline_;
  }

  // The settled orders' time, hop by hop, in ms (see settled_hops.h).
  std::vector<std::pair<std::string, std::vector<double>>> Hops() {
    absl::MutexLock lock(&mu_);
    return shop::loadgen::SettledHops(chain_, accepted_);
  }

 private:
  // A consumer of `topics` from their ends as of now, assigned directly (no
  // group rebalance, no offset reset racing the first orders): every event
  // of an order placed after the constructor returns is seen. The broker
  // answers a fetch once `min_bytes` are there or after 500 ms: a long wait
  // costs the live reader no precision (min_bytes 1), only fewer empty
  // fetches that would load the broker under test.
  static std::unique_ptr<RdKafka::KafkaConsumer> Reader(const std::vector<std::string>& topics,
                                                        int min_bytes) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string error;
    conf->set("bootstrap.servers", absl::GetFlag(FLAGS_brokers), error);
    conf->set("group.id", "loadgen_" + shop::events::NewUuid(), error);
    conf->set("fetch.wait.max.ms", "500", error);
    conf->set("fetch.min.bytes", std::to_string(min_bytes), error);
    conf->set("enable.auto.commit", "false", error);
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(
        RdKafka::KafkaConsumer::create(conf.get(), error));
    std::vector<RdKafka::TopicPartition*> start;
    for (const std::string& topic : topics) {
      auto watermarks = shop::kafka::TopicWatermarks(*consumer, topic, absl::Seconds(10));
      if (!watermarks.ok()) {
        std::fprintf(stderr, "loadgen: %s\n", watermarks.status().ToString().c_str());
        std::exit(1);
      }
      for (const shop::kafka::PartitionWatermarks& partition : *watermarks) {
        start.push_back(
            RdKafka::TopicPartition::create(topic, partition.partition, partition.high));
      }
    }
    if (start.empty() || consumer->assign(start) != RdKafka::ERR_NO_ERROR) {
      std::fprintf(stderr, "loadgen: cannot assign the event topics' partitions\n");
      std::exit(1);
    }
    RdKafka::TopicPartition::destroy(start);
    return consumer;
  }

  void Run(RdKafka::KafkaConsumer& consumer, bool live) {
    while (!stop_) {
      std::unique_ptr<RdKafka::Message> message(consumer.consume(50));
      if (message->err() != RdKafka::ERR_NO_ERROR || message->key() == nullptr) continue;
      const absl::Time now = absl::Now();
      const auto metadata = shop::events::FromHeaders(shop::kafka::HeadersOf(*message));
      if (!metadata.ok()) continue;
      const std::string& type = metadata->type;
      const absl::Time produced = absl::FromUnixMillis(message->timestamp().timestamp);
      // Fetched: only the live reader's sightings carry a meaningful time.
      const absl::Time seen = live ? now : produced;
      {
        absl::MutexLock lock(&mu_);
        chain_[*message->key()].try_emplace(
            type, shop::loadgen::Sighting{metadata->time, produced, seen});
      }
      const char* stage = type == "shop.order.v1.OrderCompleted"            ? "completed"
                          : type == "shop.delivery.v1.DeliveryCreated"      ? "delivery"
                          : type == "shop.settlement.v1.SettlementRecorded" ? "settlement"
                                                                            : nullptr;
      if (stage == nullptr) continue;
      absl::MutexLock lock(&mu_);
      auto it = accepted_.find(*message->key());
      if (it == accepted_.end()) continue;
      const double ms = absl::ToDoubleMilliseconds(seen - it->second);
      latencies_[stage].push_back(ms);
      if (std::string(stage) == "completed") {
        completed_timeline_.emplace_back(absl::ToDoubleSeconds(seen - start_), ms);
      }
    }
  }

  const absl::Time start_ = absl::Now();
  std::unique_ptr<RdKafka::KafkaConsumer> live_, log_;
  std::thread live_thread_, log_thread_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::Time> accepted_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<double>> latencies_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<double, double>> completed_timeline_ ABSL_GUARDED_BY(mu_);
  // Every order's events as they pass.
  shop::loadgen::Sightings chain_ ABSL_GUARDED_BY(mu_);
};

// Lag of consumer group `group` on `topic`; -1 when it cannot be read.
int64_t Lag(const std::string& group, const std::string& topic) {
  const auto lag = shop::kafka::ConsumerLag(absl::GetFlag(FLAGS_brokers), group, topic);
  return lag.ok() ? *lag : -1;
}

// The consumer groups whose lag tells whether the system keeps up.
const std::vector<std::pair<std::string, std::string>> kGroupTopics = {
    {"product", "shop.order.events"},
    {"delivery", "shop.order.events"},
    {"settlement", "shop.order.events"},
    {"order", "shop.product.events"}};

// One call in flight.
struct Call {
  grpc::ClientContext context;
  absl::Time start;
  shop::order::v1::PlaceOrderResponse response;
  std::unique_ptr<grpc::ClientAsyncResponseReader<shop::order::v1::PlaceOrderResponse>> reader;
  grpc::ByteBuffer health_response;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> health_reader;
  grpc::Status status;
};

}  // namespace

int main(int argc, char** argv) {
  shop::config::ParseFlags(argc, argv);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "delete_topics") {
    // The bench's clean-up: every topic of its namespace goes.
    const std::string ns = absl::GetFlag(FLAGS_topic_namespace);
    auto deleted = shop::kafka::DeleteTopicsWithPrefix(absl::GetFlag(FLAGS_brokers), ns + ".");
    if (!deleted.ok()) {
      std::fprintf(stderr, "%s\n", deleted.status().ToString().c_str());
      return 1;
    }
    std::printf("deleted %d topics of %s\n", *deleted, ns.c_str());
    return 0;
  }
  if (mode == "catchup") {
    // How long a consumer group takes to work off its lag (e.g. after a restart).
    const std::string group = absl::GetFlag(FLAGS_wait_for_group);
    const absl::Time start = absl::Now();
    const int64_t initial = Lag(group, Topic("shop.order.events"));
    int64_t lag = initial;
    while (lag != 0 && absl::Now() - start < absl::Minutes(5)) {
      absl::SleepFor(absl::Milliseconds(100));
      lag = Lag(group, Topic("shop.order.events"));
    }
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    std::printf("%s caught up on %lld records in %.1f s (lag now %lld)\n", group.c_str(),
                static_cast<long long>(initial), seconds, static_cast<long long>(lag));
    if (const std::string file = absl::GetFlag(FLAGS_json_out); !file.empty()) {
      std::ofstream(file) << nlohmann::json{
          {"group", group},
          {"initial_lag", initial},
          {"seconds", seconds},
          {"final_lag", lag}}.dump(2);
    }
    return lag == 0 ? 0 : 1;
  }
  const bool health = mode == "health";
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const double rate = absl::GetFlag(FLAGS_rate);
  const bool e2e = absl::GetFlag(FLAGS_e2e) && !health;
  // The random end of an id (a version 7 UUID begins with the time).
  const std::string run = shop::events::NewUuid().substr(28);
  // --tls_cert/--tls_key/--tls_ca: the services' mTLS (plaintext without);
  // an address may name several instances (ipv4:a:1,b:2), balanced round robin.
  auto order_channel = shop::grpc_util::Channel(absl::GetFlag(FLAGS_order), shop::tls::FromFlags());
  auto product_channel =
      shop::grpc_util::Channel(absl::GetFlag(FLAGS_product), shop::tls::FromFlags());
  if (!order_channel.ok() || !product_channel.ok()) {
    std::fprintf(stderr, "loadgen: %s\n",
                 (order_channel.ok() ? product_channel.status() : order_channel.status())
                     .ToString()
                     .c_str());
    return 2;
  }
  auto channel = *order_channel;
  auto orders = shop::order::v1::OrderService::NewStub(channel);
  grpc::GenericStub generic(channel);

  const int products = absl::GetFlag(FLAGS_products);
  if (!health) {
    auto catalog = shop::product::v1::ProductService::NewStub(*product_channel);
    for (int i = 0; i < products; ++i) {
      grpc::ClientContext context;
      shop::product::v1::CreateProductRequest request;
      request.set_product_id(absl::StrCat("load-", i));
      request.set_sku(absl::StrCat("LOAD-", i));
      request.set_name(absl::StrCat("Load product ", i));
      request.mutable_price()->set_minor_units(999);
      request.mutable_price()->set_currency_code("EUR");
      request.set_initial_stock(absl::GetFlag(FLAGS_stock));
      shop::product::v1::CreateProductResponse response;
      grpc::Status status = catalog->CreateProduct(&context, request, &response);
      if (!status.ok() && status.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
        std::fprintf(stderr, "seeding failed: %s\n", status.error_message().c_str());
        return 1;
      }
    }
    // The order service prices from its replica of the catalog (fed by
    // ProductChanged): wait until it knows every product. The probe expects a
    // price of 1, so a known product answers FAILED_PRECONDITION and no
    // order is written.
    for (int i = 0; i < products; ++i) {
      shop::order::v1::PlaceOrderRequest probe;
      probe.set_customer_id("load-probe");
      probe.set_idempotency_key(absl::StrCat("probe-", i));
      probe.set_currency_code("EUR");
      probe.mutable_shipping_address()->set_recipient("Probe");
      probe.mutable_shipping_address()->add_lines("1 Probe Street");
      probe.mutable_shipping_address()->set_city("Berlin");
      probe.mutable_shipping_address()->set_country_code("DE");
      auto* line = probe.add_lines();
      line->set_product_id(absl::StrCat("load-", i));
      line->set_quantity(1);
      line->set_unit_price_minor(1);
      const absl::Time deadline = absl::Now() + absl::Seconds(60);
      grpc::Status status;
      do {
        grpc::ClientContext context;
        shop::order::v1::PlaceOrderResponse response;
        status = orders->PlaceOrder(&context, probe, &response);
        if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) break;
        absl::SleepFor(absl::Milliseconds(100));
      } while (absl::Now() < deadline);
      if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
        std::fprintf(stderr, "the order service does not know load-%d: %s\n", i,
                     status.error_message().c_str());
        return 1;
      }
    }
  }
  std::unique_ptr<EventClock> events;
  if (e2e) events = std::make_unique<EventClock>();

  grpc::CompletionQueue queue;
  std::atomic<int64_t> issued{0};
  std::atomic<int> in_flight{0};
  std::atomic<int64_t> skipped{0};
  const absl::Time begin = absl::Now();
  const absl::Time end = begin + absl::Seconds(absl::GetFlag(FLAGS_duration));
  auto issue = [&]() {
    const int64_t n = issued++;
    auto* call = new Call;
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    call->start = absl::Now();
    ++in_flight;
    if (health) {
      grpc::Slice nothing("");  // an empty HealthCheckRequest
      grpc::ByteBuffer empty(&nothing, 1);
      call->health_reader =
          generic.PrepareUnaryCall(&call->context, "/grpc.health.v1.Health/Check", empty, &queue);
      call->health_reader->StartCall();
      call->health_reader->Finish(&call->health_response, &call->status, call);
      return;
    }
    shop::order::v1::PlaceOrderRequest request;
    request.set_customer_id(absl::StrCat("load-customer-", n % 1000));
    request.set_idempotency_key(absl::StrCat("load-", run, "-", n));
    request.set_currency_code("EUR");
    auto* address = request.mutable_shipping_address();
    address->set_recipient("Load Test");
    address->add_lines("1 Bench Street");
    address->set_city("Berlin");
    address->set_country_code("DE");
    for (int line = 0; line < 2; ++line) {
      auto* item = request.add_lines();
      item->set_product_id(absl::StrCat("load-", (n * 7 + line * 13) % products));
      item->set_quantity(1 + line);
      item->set_unit_price_minor(999);
    }
    call->reader = orders->PrepareAsyncPlaceOrder(&call->context, request, &queue);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
  };

  absl::Mutex mu;
  std::vector<double> latencies;
  std::vector<std::pair<double, double>> timeline;  // (second, latency ms)
  std::map<std::string, int64_t> codes;
  std::thread completer([&] {
    void* tag = nullptr;
    bool ok = false;
    while (queue.Next(&tag, &ok)) {
      std::unique_ptr<Call> call(static_cast<Call*>(tag));
      const absl::Time now = absl::Now();
      const double ms = absl::ToDoubleMilliseconds(now - call->start);
      {
        absl::MutexLock lock(&mu);
        ++codes[std::to_string(call->status.error_code())];
        if (call->status.ok()) {
          latencies.push_back(ms);
          timeline.emplace_back(absl::ToDoubleSeconds(call->start - begin), ms);
        }
      }
      if (call->status.ok() && events != nullptr)
        events->Accepted(call->response.order().order_id(), now);
      --in_flight;
      if (rate <= 0 && now < end) issue();  // closed loop: replace the finished call
    }
  });

  if (rate <= 0) {
    for (int i = 0; i < concurrency; ++i) issue();
    while (absl::Now() < end) absl::SleepFor(absl::Milliseconds(50));
  } else {
    for (int64_t n = 0;; ++n) {
      const absl::Time due = begin + absl::Seconds(n / rate);
      if (due >= end) break;
      absl::SleepFor(due - absl::Now());
      if (in_flight.load() >= concurrency * 8) {
        ++skipped;  // the system is behind: an open loop does not wait
        continue;
      }
      issue();
    }
  }
  while (in_flight.load() > 0) absl::SleepFor(absl::Milliseconds(10));
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - begin);
  // The groups' lag the moment the load ends: flat (about what arrived in the
  // last moments) when the consumers keep up, large when they fall behind.
  std::map<std::string, int64_t> lag_after_load;
  if (e2e) {
    for (const auto& [group, topic] : kGroupTopics)
      lag_after_load[group] = Lag(group, Topic(topic));
  }
  queue.Shutdown();
  completer.join();

  nlohmann::json result;
  result["label"] = absl::GetFlag(FLAGS_label);
  result["mode"] = mode;
  result["concurrency"] = concurrency;
  result["target_rate"] = rate;
  result["seconds"] = elapsed;
  result["ok"] = latencies.size();
  result["throughput"] = latencies.size() / elapsed;
  result["skipped_behind"] = skipped.load();
  result["codes"] = codes;
  result["call_latency"] = ToJson(Summarize(latencies));
  std::printf(
      "%s %s: %zu ok in %.1f s = %.0f calls/s; latency p50 %.2f ms, p90 %.2f, p99 %.2f, max %.2f\n",
      absl::GetFlag(FLAGS_label).c_str(), mode.c_str(), latencies.size(), elapsed,
      latencies.size() / elapsed, Summarize(latencies).p50, Summarize(latencies).p90,
      Summarize(latencies).p99, Summarize(latencies).max);
  std::vector<std::string> code_text;
  for (const auto& [code, count] : codes) code_text.push_back(absl::StrCat(code, ": ", count));
  std::printf("  status codes {%s}%s\n", absl::StrJoin(code_text, ", ").c_str(),
              skipped.load()
                  ? absl::StrCat(", ", skipped.load(), " not sent (system behind)").c_str()
                  : "");

  if (events != nullptr) {
    events->Drain(absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_drain_seconds)));
    const double drained = absl::ToDoubleSeconds(absl::Now() - begin);
    for (const auto& [stage, values] : events->Latencies()) {
      const Percentiles p = Summarize(values);
      result["e2e"][stage] = ToJson(p);
      std::printf("  accepted -> %-10s %6zu seen; p50 %.1f ms, p90 %.1f, p99 %.1f, max %.1f\n",
                  stage.c_str(), p.count, p.p50, p.p90, p.p99, p.max);
    }
    result["e2e_throughput"] = events->Latencies()["settlement"].size() / drained;
    std::printf("  where a settled order's time goes, hop by hop:\n");
    for (const auto& [hop, values] : events->Hops()) {
      const Percentiles p = Summarize(values);
      result["hops"].push_back({{"hop", hop}, {"latency", ToJson(p)}});
      std::printf("    %-62s p50 %6.1f ms, p90 %6.1f, p99 %6.1f\n", hop.c_str(), p.p50, p.p90,
                  p.p99);
    }
    result["lag_after_load"] = lag_after_load;
    for (const auto& [group, topic] : kGroupTopics) {
      const int64_t lag = Lag(group, Topic(topic));
      result["lag_at_end"][group] = lag;
      std::printf("  consumer lag at end: %-10s on %-20s %lld\n", group.c_str(), topic.c_str(),
                  static_cast<long long>(lag));
    }
    if (const std::string file = absl::GetFlag(FLAGS_timeline_out); !file.empty()) {
      std::ofstream out(file);
      out << "second,place_ms,completed_ms\n";
      std::map<int, std::vector<double>> place, completed;
      for (const auto& [second, ms] : timeline) place[int(second)].push_back(ms);
      for (const auto& [second, ms] : events->CompletedTimeline())
        completed[int(second)].push_back(ms);
      for (const auto& [second, values] : place) {
        out << second << "," << Summarize(values).p99 << "," << Summarize(completed[second]).p99
            << "\n";
      }
    }
  }
  if (const std::string file = absl::GetFlag(FLAGS_json_out); !file.empty()) {
    std::ofstream(file) << result.dump(2) << "\n";
  }
  return 0;
}

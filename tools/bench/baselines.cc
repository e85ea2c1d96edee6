// The machine's own limits, measured the way the system uses them:
//   --what=storage  the order-plus-outbox MySQL transaction (the real
//                   repository and outbox code) at --concurrency threads;
//   --what=kafka    librdkafka's produce rate (acks=all, idempotent) on the
//                   local broker.
// Prints one line and, with --json_out, writes the figures.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/config/flags.h"
#include "common/events/event_metadata.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "common/logging/log.h"
#include "common/mysql/provision.h"
#include "common/mysql/transaction.h"
#include "common/outbox/outbox.h"
#include "common/testing/infra.h"
#include "nlohmann/json.hpp"
#include "order/domain/new_order.h"
#include "order/domain/order_events.h"
#include "order/storage/cached_catalog.h"
#include "order/storage/catalog_replica.h"
#include "order/storage/order_repository.h"

ABSL_FLAG(std::string, storage_mode, "call",
          "storage: how the order and its event are written: call (one CALL, as PlaceOrder"
          " does) or transaction (BEGIN, two INSERTs, COMMIT)");
ABSL_FLAG(std::string, what, "storage", "storage or kafka");
ABSL_FLAG(int, concurrency, 16, "threads (storage)");
ABSL_FLAG(int, seconds, 10, "duration (storage)");
ABSL_FLAG(int, records, 50000, "records (kafka)");
ABSL_FLAG(std::string, json_out, "", "write the figures here");

namespace {

using namespace shop;  // NOLINT: a benchmark program

shop::order::v1::PlaceOrderRequest Request(const std::string& key) {
  shop::order::v1::PlaceOrderRequest request;
  request.set_customer_id("bench-customer");
  request.set_idempotency_key(key);
  request.set_currency_code("EUR");
  auto* address = request.mutable_shipping_address();
  address->set_recipient("Bench");
  address->add_lines("1 Bench Street");
  address->set_city("Berlin");
  address->set_country_code("DE");
  for (int i = 0; i < 2; ++i) {
    auto* line = request.add_lines();
    line->set_product_id(absl::StrCat("p", i));
    line->set_quantity(1 + i);
    line->set_unit_price_minor(999);
  }
  return request;
}

double P99(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, values.size() * 99 / 100)];
}

nlohmann::json Storage() {
  const int threads = absl::GetFlag(FLAGS_concurrency);
  shop::testing::TestDatabase database("bench_storage");
  if (!database.status().ok()) {
    std::fprintf(stderr, "%s\n", database.status().ToString().c_str());
    std::exit(1);
  }
  mysql::MysqlOptions options = database.options();
  options.pool_size = threads;
  mysql::ConnectionPool pool(options);
  for (const auto& [component, migrations] :
       std::vector<std::pair<std::string, std::vector<mysql::Migration>>>{
           {"outbox", outbox::OutboxMigrations()}, {"order", order::storage::OrderMigrations()}}) {
    if (!mysql::ApplyMigrations(pool, component, migrations).ok()) std::exit(1);
  }
  {
    // The products the requests name, as the replica holds them.
    auto connection = pool.Acquire();
    if (!connection.ok()) std::exit(1);
    connection
        ->Prepare(
            "INSERT INTO catalog (product_id, price_minor, currency_code, discontinued,"
            " changed_micros) VALUES ('p0', 999, 'EUR', 0, 1), ('p1', 999, 'EUR', 0, 1)")
        .executeUpdate();
  }
  outbox::Outbox box("/bench");
  order::storage::OrderRepository orders;
  order::storage::CatalogReplica catalog;
  order::storage::CachedCatalog prices(catalog, 100000);
  const bool transaction_mode = absl::GetFlag(FLAGS_storage_mode) == "transaction";
  std::atomic<int64_t> done{0}, failed{0};
  absl::Mutex mu;
  std::vector<double> latencies;
  const absl::Time end = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<double> mine;
      for (int64_t n = 0; absl::Now() < end; ++n) {
        const auto request = Request(absl::StrCat(t, "-", n));
        auto order = order::domain::NewOrder(request, events::NewUuid(), absl::Now());
        const std::string fingerprint = order::domain::RequestFingerprint(request);
        const absl::Time start = absl::Now();
        // What PlaceOrder asks of MariaDB: one CALL that checks the prices
        // taken from memory (the catalog read once, by the first order),
        // then inserts and commits the order and its event
        // (--storage_mode=transaction: BEGIN, a catalog read, the same
        // writes, COMMIT).
        absl::Status status =
            transaction_mode
                ? mysql::RunInTransaction(
                      pool, absl::Now() + absl::Seconds(5),
                      [&](mysql::Transaction& tx) {
                        std::vector<std::string> product_ids;
                        for (const auto& line : request.lines())
                          product_ids.push_back(line.product_id());
                        if (auto read = catalog.Find(tx, product_ids); !read.ok())
                          return read.status();
                        if (absl::Status s = orders.Insert(tx, *order, fingerprint); !s.ok())
                          return s;
                        return box.Append(tx, order::domain::OrderPlacedOf(*order), {"c", "c"})
                            .status();
                      })
                : [&]() -> absl::Status {
          auto connection = pool.Acquire(absl::Now() + absl::Seconds(5));
          if (!connection.ok()) return connection.status();
          std::vector<std::string> product_ids;
          for (const auto& line : request.lines()) product_ids.push_back(line.product_id());
          auto read = prices.Find(*connection, product_ids);
          if (!read.ok()) return read.status();
          auto placed = box.Encode(order::domain::OrderPlacedOf(*order), {"c", "c"});
          if (!placed.ok()) return placed.status();
          return orders.PlaceWithEvent(*connection, *order, fingerprint, *placed,
                                       read->from_memory);
        }();
        if (status.ok()) {
          ++done;
          mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
        } else {
          ++failed;
        }
      }
      absl::MutexLock lock(&mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& worker : workers) worker.join();
  const double rate = done.load() / double(absl::GetFlag(FLAGS_seconds));
  std::printf(
      "storage: order+outbox transaction at %d threads: %.0f tx/s, p99 %.2f ms (%lld failed)\n",
      threads, rate, P99(latencies), static_cast<long long>(failed.load()));
  return {{"name", "storage"},
          {"concurrency", threads},
          {"rate", rate},
          {"p99_ms", P99(latencies)},
          {"failed", failed.load()}};
}

nlohmann::json Kafka() {
  const std::string topic = shop::testing::UniqueName("bench_raw");
  if (!kafka::EnsureTopics(shop::testing::KafkaBrokers(), {{topic, 6}}).ok()) std::exit(1);
  auto producer = kafka::Producer::Create(shop::testing::KafkaBrokers());
  if (!producer.ok()) std::exit(1);
  const auto request = Request("k");
  auto order = order::domain::NewOrder(request, events::NewUuid(), absl::Now());
  const std::string payload = order::domain::OrderPlacedOf(*order).SerializeAsString();
  std::vector<kafka::Record> records;
  const int count = absl::GetFlag(FLAGS_records);
  for (int i = 0; i < count; ++i) {
    records.push_back({topic, absl::StrCat("order-", i % 1000), payload,
                       events::ToHeaders({events::NewUuid(), "shop.order.v1.OrderPlaced", "/bench",
                                          absl::Now(), "c", ""})});
  }
  const absl::Time start = absl::Now();
  auto reports = (*producer)->ProduceAndWait(records, absl::Minutes(2));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  int64_t failed = 0;
  for (const auto& report : reports) failed += !report.status.ok();
  const double rate = count / seconds;
  std::printf(
      "kafka: raw produce (acks=all, idempotent, same payload and headers): %.0f records/s (%lld "
      "failed)\n",
      rate, static_cast<long long>(failed));
  return {{"name", "kafka"}, {"rate", rate}, {"failed", failed}};
}

}  // namespace

int main(int argc, char** argv) {
  config::ParseFlags(argc, argv);
  log::SetMinLevel(log::Level::kWarning);
  const nlohmann::json result = absl::GetFlag(FLAGS_what) == "kafka" ? Kafka() : Storage();
  if (const std::string file = absl::GetFlag(FLAGS_json_out); !file.empty()) {
    std::ofstream(file) << result.dump(2) << "\n";
  }
  return 0;
}

#include "common/service/service_runtime.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/config/flags.h"
#include "common/events/contract_topics.h"
#include "common/events/event_route.h"
#include "common/grpc/credentials.h"
#include "common/kafka/client_config.h"
#include "common/kafka/topics.h"
#include "common/logging/log.h"
#include "common/mysql/flags.h"
#include "common/tls/tls.h"

ABSL_FLAG(std::string, grpc_address, "127.0.0.1:0", "gRPC listen address (port 0: any free port)");
ABSL_FLAG(int, grpc_max_message_bytes, shop::grpc_util::Server::kDefaultMaxMessageBytes,
          "largest gRPC request accepted (RESOURCE_EXHAUSTED beyond)");
ABSL_FLAG(int, grpc_max_idle_threads, shop::grpc_util::Server::kDefaultMaxIdleThreads,
          "gRPC threads kept waiting for calls (gRPC's MAX_POLLERS; a thread finishing a call "
          "while more wait exits)");
ABSL_FLAG(std::string, brokers, "127.0.0.1:19092", "Kafka bootstrap servers");
ABSL_FLAG(std::string, kafka_config, "",
          "librdkafka settings for every Kafka client of the process, key=value,key=value"
          " (e.g. security.protocol=SSL); they override --kafka_config_file");
ABSL_FLAG(std::string, kafka_config_file, "",
          "a properties file (key=value lines) of librdkafka settings for every Kafka client;"
          " the place for SASL and SSL secrets");
ABSL_FLAG(int, kafka_partitions, 6, "partitions of each topic the service creates");
ABSL_FLAG(int, kafka_replication_factor, 1,
          "replication factor of each topic the service creates (3 on a cluster)");
ABSL_FLAG(int, kafka_min_insync_replicas, 1,
          "min.insync.replicas of each topic the service creates (2 on a cluster of 3)");
ABSL_FLAG(int64_t, max_event_bytes, shop::outbox::kDefaultMaxEventBytes,
          "largest encoded event the outbox accepts; must be below the producer's"
          " message.max.bytes and every produced topic's max.message.bytes");
ABSL_FLAG(std::string, topic_namespace, "",
          "prefix for every topic, to run several environments on one broker");
ABSL_FLAG(int, mysql_pool_size, 16, "most MySQL connections open at once");
ABSL_FLAG(std::string, consumer_group, "", "consumer group (default: the service name)");
ABSL_FLAG(bool, consume, true, "run the event consumer");
ABSL_FLAG(int, consumer_threads, 0,
          "consumers in this process, each taking a share of the partitions"
          " (0: the service's own default, 1)");
ABSL_FLAG(bool, unsafe_commit_before_apply, false,
          "TEST ONLY: commit offsets before applying a batch (a deliberately broken consumer,"
          " for tools/chaos to prove that it notices lost events)");
ABSL_FLAG(bool, relay, true, "run the outbox relay (one is active per database)");
ABSL_FLAG(int, outbox_mark_interval_ms, 100,
          "longest an acknowledged outbox row waits to be marked published, that is deleted"
          " (0: every round)");
ABSL_FLAG(int, outbox_max_rounds_in_flight, 4,
          "relay rounds produced and not yet acknowledged, at most (1: each round waits for its"
          " acknowledgements before the next reads the outbox)");
ABSL_FLAG(int, startup_timeout_seconds, 30, "how long to wait for MySQL and Kafka at start");
ABSL_FLAG(std::string, port_file, "", "write the bound gRPC port here once serving");
ABSL_FLAG(std::string, metrics_address, "",
          "serve Prometheus metrics on http://<host:port>/metrics (empty: not served)");
ABSL_FLAG(std::string, log_file, "", "append the JSON log lines here instead of stderr");

namespace shop::service {
namespace {

template <typename Step>
absl::Status RetryUntil(absl::Time deadline, absl::string_view what, Step step) {
  absl::Duration backoff = absl::Milliseconds(200);
  while (true) {
    absl::Status status = step();
    if (status.ok()) return status;
    const bool transient = status.code() == absl::StatusCode::kUnavailable ||
                           status.code() == absl::StatusCode::kDeadlineExceeded;
    if (!transient || absl::Now() + backoff > deadline) {
      return absl::Status(status.code(), absl::StrCat(what, ": ", status.message()));
    }
    log::Warning("waiting at start",
                 {{"step", std::string(what)}, {"error", std::string(status.message())}});
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

// Room for the record batch framing around one event (a conservative bound).
constexpr int64_t kRecordOverheadBytes = 4096;

// max_event_bytes must fit, with framing, under the producer's and every
// produced topic's limit, or the relay would park valid events.
absl::Status CheckEventSizeLimits(int64_t max_event_bytes, int64_t producer_max_bytes,
                                  const std::string& brokers,
                                  const std::vector<std::string>& produced_topics,
                                  const kafka::ClientConfig& client_config) {
  const int64_t needed = max_event_bytes + kRecordOverheadBytes;
  if (needed > producer_max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_event_bytes ", max_event_bytes, " (+", kRecordOverheadBytes,
                     " framing) is over the producer's message.max.bytes ", producer_max_bytes));
  }
  for (const std::string& topic : produced_topics) {
    auto topic_max = kafka::TopicMaxMessageBytes(brokers, topic, client_config);
    if (!topic_max.ok()) return topic_max.status();
    if (needed > *topic_max) {
      return absl::InvalidArgumentError(
          absl::StrCat("--max_event_bytes ", max_event_bytes, " (+", kRecordOverheadBytes,
                       " framing) is over max.message.bytes ", *topic_max, " of topic ", topic));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Create(ServiceDefinition definition,
                                                                       int argc, char** argv) {
  grpc_util::BlockShutdownSignals();
  config::ParseFlags(argc, argv);
  // Abseil's lock-order graph costs a hash lookup on every Mutex operation;
  // tests keep it, a running service does not.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  log::SetService(definition.name);
  if (const std::string file = absl::GetFlag(FLAGS_log_file); !file.empty()) {
    if (std::freopen(file.c_str(), "a", stderr) == nullptr) {
      return absl::InvalidArgumentError("cannot open --log_file " + file);
    }
    std::setvbuf(stderr, nullptr, _IOLBF, 0);
  }
  std::unique_ptr<ServiceRuntime> runtime(new ServiceRuntime());
  runtime->definition_ = std::move(definition);
  const ServiceDefinition& def = runtime->definition_;
  runtime->topic_namespace_ = absl::GetFlag(FLAGS_topic_namespace);
  const absl::Time deadline =
      absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_startup_timeout_seconds));

  auto client_config = kafka::LoadClientConfig(absl::GetFlag(FLAGS_kafka_config_file),
                                               absl::GetFlag(FLAGS_kafka_config));
  if (!client_config.ok()) return client_config.status();

  auto from_flags = mysql::MysqlOptionsFromFlags();
  if (!from_flags.ok()) return from_flags.status();
  mysql::MysqlOptions options = *std::move(from_flags);
  options.pool_size = absl::GetFlag(FLAGS_mysql_pool_size);
  if (options.user.empty() || options.database.empty()) {
    return absl::InvalidArgumentError("--mysql_user and --mysql_database are required");
  }
  runtime->pool_ = std::make_unique<mysql::ConnectionPool>(options);

  std::vector<std::pair<std::string, std::vector<mysql::Migration>>> migrations = {
      {"outbox", outbox::OutboxMigrations()}, {"consumer", consumer::ConsumerMigrations()}};
  migrations.insert(migrations.end(), def.migrations.begin(), def.migrations.end());
  for (const auto& [component, list] : migrations) {
    absl::Status migrated = RetryUntil(deadline, "migrating " + component, [&] {
      return mysql::ApplyMigrations(*runtime->pool_, component, list).status();
    });
    if (!migrated.ok()) return migrated;
  }

  // Every topic of the contract exists before any consumer subscribes (a
  // consumer of a missing topic would wait for a metadata refresh).
  const std::string brokers = absl::GetFlag(FLAGS_brokers);
  const std::string group =
      absl::GetFlag(FLAGS_consumer_group).empty() ? def.name : absl::GetFlag(FLAGS_consumer_group);
  const int replication = absl::GetFlag(FLAGS_kafka_replication_factor);
  const std::map<std::string, std::string> topic_configs = {
      {"min.insync.replicas", std::to_string(absl::GetFlag(FLAGS_kafka_min_insync_replicas))}};
  std::vector<kafka::TopicSpec> topics;
  for (const std::string& topic : events::ContractTopics()) {
    topics.push_back({events::QualifiedTopic(runtime->topic_namespace_, topic),
                      absl::GetFlag(FLAGS_kafka_partitions), replication, topic_configs});
  }
  for (const std::string& topic : def.consumed_topics) {
    topics.push_back(
        {events::DeadLetterTopic(events::QualifiedTopic(runtime->topic_namespace_, topic), group),
         1, replication, topic_configs});
  }
  absl::Status created = RetryUntil(deadline, "creating Kafka topics", [&] {
    return kafka::EnsureTopics(brokers, topics, absl::Seconds(15), *client_config);
  });
  if (!created.ok()) return created;

  const int64_t max_event_bytes = absl::GetFlag(FLAGS_max_event_bytes);
  std::vector<std::string> produced;
  for (const std::string& topic : def.produced_topics) {
    produced.push_back(events::QualifiedTopic(runtime->topic_namespace_, topic));
  }
  auto probe = kafka::Producer::Create(brokers, *client_config);
  if (!probe.ok()) return probe.status();
  absl::Status limits = RetryUntil(deadline, "checking event size limits", [&] {
    return CheckEventSizeLimits(max_event_bytes, (*probe)->max_message_bytes(), brokers, produced,
                                *client_config);
  });
  if (!limits.ok()) return limits;

  runtime->outbox_ = std::make_unique<outbox::Outbox>(absl::StrCat("/shop/", def.name),
                                                      runtime->topic_namespace_, max_event_bytes);
  runtime->server_ = std::make_unique<grpc_util::Server>(
      def.name, absl::GetFlag(FLAGS_grpc_address), absl::GetFlag(FLAGS_grpc_max_message_bytes));
  auto credentials = grpc_util::ServerCredentials(tls::FromFlags());
  if (!credentials.ok()) return credentials.status();
  runtime->server_->SetCredentials(*credentials);
  runtime->server_->SetMaxIdleThreads(absl::GetFlag(FLAGS_grpc_max_idle_threads));
  if (absl::GetFlag(FLAGS_relay)) {
    runtime->outbox_store_ = std::make_unique<outbox::MysqlOutboxStore>(*runtime->pool_);
    outbox::RelayOptions relay_options;
    relay_options.max_event_bytes = max_event_bytes;
    relay_options.mark_interval = absl::Milliseconds(absl::GetFlag(FLAGS_outbox_mark_interval_ms));
    relay_options.max_rounds_in_flight = absl::GetFlag(FLAGS_outbox_max_rounds_in_flight);
    grpc_util::Server* server = runtime->server_.get();
    relay_options.on_health = [server](bool healthy) { server->SetServing(healthy); };
    runtime->relay_ = std::make_unique<outbox::OutboxRelay>(
        *runtime->outbox_store_, outbox::KafkaPublisherFactory(brokers, *client_config),
        relay_options);
    outbox::OutboxRelay* relay = runtime->relay_.get();
    runtime->outbox_->SetCommitListener([relay] { relay->Wake(); });
  }
  if (!def.consumed_topics.empty() && absl::GetFlag(FLAGS_consume)) {
    consumer::ConsumerOptions consumer_options;
    consumer_options.brokers = brokers;
    consumer_options.group = group;
    consumer_options.kafka_overrides = *client_config;
    consumer_options.unsafe_commit_before_apply = absl::GetFlag(FLAGS_unsafe_commit_before_apply);
    if (consumer_options.unsafe_commit_before_apply) {
      log::Warning("UNSAFE: offsets are committed before batches are applied (test only)");
    }
    for (const std::string& topic : def.consumed_topics) {
      consumer_options.topics.push_back(events::QualifiedTopic(runtime->topic_namespace_, topic));
    }
    const int threads = absl::GetFlag(FLAGS_consumer_threads) > 0
                            ? absl::GetFlag(FLAGS_consumer_threads)
                            : def.consumer_threads;
    for (int i = 0; i < std::max(1, threads); ++i) {
      consumer_options.client_id = absl::StrCat(def.name, "-", i);
      runtime->consumers_.push_back(std::make_unique<consumer::EventConsumer>(
          consumer_options, *runtime->pool_, runtime->outbox_.get()));
    }
  }
  return runtime;
}

std::vector<consumer::EventConsumer*> ServiceRuntime::consumers() {
  std::vector<consumer::EventConsumer*> all;
  for (auto& consumer : consumers_) all.push_back(consumer.get());
  return all;
}

void ServiceRuntime::StopConsumers() {
  for (auto& consumer : consumers_) consumer->Stop();
  for (auto& thread : consumer_threads_) {
    if (thread.joinable()) thread.join();
  }
  consumer_threads_.clear();
}

void ServiceRuntime::StopAll() {
  // Stop taking calls, then finish the batch in hand and leave the group,
  // then publish what is left.
  if (metrics_server_ != nullptr) metrics_server_->Stop();
  if (server_ != nullptr) server_->Shutdown(absl::Seconds(5));
  StopConsumers();
  if (relay_ != nullptr) relay_->Stop();
}

ServiceRuntime::~ServiceRuntime() { StopAll(); }

void ServiceRuntime::RegisterCollectors() {
  metrics::Registry& registry = metrics::Registry::Default();
  registry.AddCollector([this, &registry] {
    // The outbox, read at scrape time.
    auto connection = pool_->Acquire(absl::Now() + absl::Seconds(2));
    if (connection.ok()) {
      try {
        std::unique_ptr<sql::ResultSet> row(
            connection
                ->Prepare("SELECT SUM(parked_at IS NULL), SUM(parked_at IS NOT NULL),"
                          " TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(6))"
                          " FROM outbox")
                .executeQuery());
        if (row->next()) {
          registry
              .Gauge("shop_outbox_backlog_events",
                     "Events in the outbox not yet marked published, that is deleted (an"
                     " acknowledged one is marked within --outbox_mark_interval_ms).")
              .With({})
              .Set(row->isNull(1) ? 0 : row->getInt64(1));
          registry.Gauge("shop_outbox_parked_events", "Events parked by the relay (see shopctl).")
              .With({})
              .Set(row->isNull(2) ? 0 : row->getInt64(2));
          registry
              .Gauge("shop_outbox_oldest_unpublished_age_seconds",
                     "Age of the oldest unpublished outbox event (0: none).")
              .With({})
              .Set(row->isNull(3) ? 0 : row->getInt64(3) / 1e6);
        }
      } catch (const sql::SQLException&) {
        connection->MarkBroken();
      }
    }
    registry.Gauge("shop_db_pool_in_use_connections", "MySQL connections handed out.")
        .With({})
        .Set(pool_->in_use());
    // The consumers: counts summed over this process's consumers, lag per partition.
    std::map<std::string, consumer::ConsumerStats> totals;
    for (auto& consumer : consumers_) {
      const consumer::ConsumerStats stats = consumer->stats();
      consumer::ConsumerStats& total = totals[consumer->options().group];
      total.applied += stats.applied;
      total.duplicates += stats.duplicates;
      total.unknown_types += stats.unknown_types;
      total.dead_lettered += stats.dead_lettered;
      total.transient_failures += stats.transient_failures;
      for (const auto& lag : consumer->Lag()) {
        registry
            .Gauge("shop_consumer_lag_records",
                   "Records behind the end of the partition, per assigned partition.",
                   {"group", "topic", "partition"})
            .With({consumer->options().group, lag.topic, std::to_string(lag.partition)})
            .Set(lag.lag);
      }
    }
    for (const auto& [group, total] : totals) {
      const std::pair<const char*, int64_t> counts[] = {
          {"shop_consumer_events_applied_total", total.applied},
          {"shop_consumer_duplicates_skipped_total", total.duplicates},
          {"shop_consumer_unknown_types_skipped_total", total.unknown_types},
          {"shop_consumer_dead_lettered_total", total.dead_lettered},
          {"shop_consumer_retries_total", total.transient_failures}};
      for (const auto& [name, value] : counts) {
        registry.Counter(name, "See common/consumer/event_consumer.h.", {"group"})
            .With({group})
            .SetTotal(static_cast<double>(value));
      }
    }
  });
}

int ServiceRuntime::Run() {
  // The server first: if its port cannot be bound, nothing else has started
  // and nothing runs on after this returns.
  if (absl::Status started = server_->Start(); !started.ok()) {
    log::Error("cannot serve gRPC", {{"error", started.ToString()}});
    return 1;
  }
  if (const std::string address = absl::GetFlag(FLAGS_metrics_address); !address.empty()) {
    RegisterCollectors();
    metrics_server_ = std::make_unique<metrics::MetricsServer>();
    auto port = metrics_server_->Start(address);
    if (!port.ok()) {
      log::Error("cannot serve metrics", {{"error", port.status().ToString()}});
      return 1;
    }
    log::Info("metrics served", {{"address", address}, {"port", int64_t{*port}}});
  }
  if (relay_ != nullptr) relay_->Start();
  for (auto& consumer : consumers_) {
    consumer_threads_.emplace_back([consumer = consumer.get()] {
      absl::Status status = consumer->Run();
      if (!status.ok()) log::Error("consumer failed", {{"error", status.ToString()}});
    });
  }
  if (const std::string file = absl::GetFlag(FLAGS_port_file); !file.empty()) {
    FILE* out = std::fopen((file + ".tmp").c_str(), "w");
    if (out != nullptr) {
      std::fprintf(out, "%d\n", server_->port());
      std::fclose(out);
      std::rename((file + ".tmp").c_str(), file.c_str());
    }
  }
  log::Info("service ready",
            {{"grpc_port", int64_t{server_->port()}}, {"topic_namespace", topic_namespace_}});
  grpc_util::WaitForShutdownSignal();
  StopAll();
  log::Info("service stopped");
  return 0;
}

}  // namespace shop::service

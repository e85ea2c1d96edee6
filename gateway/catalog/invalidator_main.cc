// The catalog cache invalidator: consumes the product events in its own
// consumer group and deletes the partner catalog's Redis entries they make
// stale (a price or name changed: ProductChanged; stock moved:
// StockReserved, StockReleased). It has no database: deleting an entry is
// idempotent, so a redelivered event is simply applied again. Redis down:
// retried with backoff, never skipped (a stale entry must not survive an
// outage), while the gateway serves from ProductService directly.
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "absl/flags/flag.h"
#include "common/config/flags.h"
#include "common/consumer/event_consumer.h"
#include "common/events/event_route.h"
#include "common/grpc/server.h"
#include "common/kafka/client_config.h"
#include "common/kafka/topics.h"
#include "common/logging/log.h"
#include "gateway/catalog/catalog_cache.h"
#include "gateway/catalog/redis_client.h"
#include "proto/shop/product/v1/events.pb.h"

ABSL_FLAG(std::string, brokers, "127.0.0.1:19092", "Kafka bootstrap servers");
ABSL_FLAG(std::string, kafka_config, "",
          "extra librdkafka settings, key=value,key=value (security.protocol, ...)");
ABSL_FLAG(std::string, kafka_config_file, "", "extra librdkafka settings, one key=value per line");
ABSL_FLAG(std::string, topic_namespace, "", "prefix of every topic name (tests)");
ABSL_FLAG(std::string, consumer_group, "gateway-catalog", "its consumer group");
ABSL_FLAG(std::string, redis_address, "127.0.0.1:16379", "the catalog cache (host:port)");
ABSL_FLAG(int, catalog_ttl_seconds, 300, "the cache entries' TTL, as the gateway sets it");
ABSL_FLAG(std::string, log_file, "", "append the JSON log lines here instead of stderr");

namespace {

using shop::events::EventMetadata;
using shop::gateway::CatalogCache;

template <typename M>
std::function<absl::Status(const M&, const EventMetadata&)> InvalidateLines(CatalogCache& cache) {
  return [&cache](const M& event, const EventMetadata&) {
    std::vector<std::string> ids;
    for (const auto& line : event.lines()) ids.push_back(line.product_id());
    return cache.Invalidate(ids);
  };
}

}  // namespace

int main(int argc, char** argv) {
  shop::grpc_util::BlockShutdownSignals();
  shop::config::ParseFlags(argc, argv);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  shop::log::SetService("catalog-invalidator");
  if (const std::string file = absl::GetFlag(FLAGS_log_file); !file.empty()) {
    if (std::freopen(file.c_str(), "a", stderr) == nullptr) return 1;
    std::setvbuf(stderr, nullptr, _IOLBF, 0);
  }
  auto redis = shop::gateway::ParseRedisAddress(absl::GetFlag(FLAGS_redis_address));
  auto client_config = shop::kafka::LoadClientConfig(absl::GetFlag(FLAGS_kafka_config_file),
                                                     absl::GetFlag(FLAGS_kafka_config));
  if (!redis.ok() || !client_config.ok()) {
    std::fprintf(stderr, "catalog-invalidator: %s\n",
                 (!redis.ok() ? redis.status() : client_config.status()).ToString().c_str());
    return 1;
  }
  shop::gateway::RedisClient client(*redis);
  CatalogCache cache(client, absl::Seconds(absl::GetFlag(FLAGS_catalog_ttl_seconds)));

  const std::string topic =
      shop::events::QualifiedTopic(absl::GetFlag(FLAGS_topic_namespace), "shop.product.events");
  shop::consumer::ConsumerOptions options;
  options.brokers = absl::GetFlag(FLAGS_brokers);
  options.group = absl::GetFlag(FLAGS_consumer_group);
  options.topics = {topic};
  options.kafka_overrides = *client_config;
  absl::Status created = shop::kafka::EnsureTopics(
      options.brokers, {{topic, 6}, {shop::events::DeadLetterTopic(topic, options.group), 1}},
      absl::Seconds(30), *client_config);
  if (!created.ok()) {
    std::fprintf(stderr, "catalog-invalidator: %s\n", created.ToString().c_str());
    return 1;
  }
  shop::consumer::EventConsumer consumer(options);
  consumer.OnIdempotent(
      std::function<absl::Status(const shop::product::v1::ProductChanged&, const EventMetadata&)>(
          [&cache](const shop::product::v1::ProductChanged& changed, const EventMetadata&) {
            return cache.Invalidate({changed.product_id()});
          }));
  consumer.OnIdempotent(InvalidateLines<shop::product::v1::StockReserved>(cache));
  consumer.OnIdempotent(InvalidateLines<shop::product::v1::StockReleased>(cache));
  absl::Status result;
  std::thread thread([&] {
    result = consumer.Run();
    if (!result.ok()) kill(getpid(), SIGTERM);  // ends the wait below
  });
  shop::log::Info("catalog invalidator started", {{"topic", topic}, {"group", options.group}});
  shop::grpc_util::WaitForShutdownSignal();
  consumer.Stop();
  thread.join();
  if (!result.ok()) {
    shop::log::Error("consumer failed", {{"error", result.ToString()}});
    return 1;
  }
  return 0;
}

// The anti-corruption gateway: flags and wiring only. It has no database
// and no Kafka access; it calls the internal OrderService and ProductService
// over gRPC, the latter through the Redis catalog cache.
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/config/flags.h"
#include "common/grpc/credentials.h"
#include "common/grpc/server.h"
#include "common/logging/log.h"
#include "common/metrics/metrics.h"
#include "common/metrics/metrics_server.h"
#include "common/tls/tls.h"
#include "gateway/catalog/catalog.h"
#include "gateway/catalog/redis_client.h"
#include "gateway/http/bounded_server.h"
#include "gateway/http/partner_api.h"
#include "gateway/partner/partners.h"

ABSL_FLAG(std::string, http_address, "127.0.0.1:8080", "HTTP listen address (port 0: any)");
ABSL_FLAG(std::string, order_address, "127.0.0.1:50051",
          "the internal OrderService; several instances as ipv4:host:port,host:port");
ABSL_FLAG(std::string, product_address, "127.0.0.1:50052",
          "the internal ProductService (the partner catalog)");
ABSL_FLAG(std::string, redis_address, "127.0.0.1:16379",
          "the catalog cache (host:port); unreachable means reads go to ProductService");
ABSL_FLAG(int, catalog_ttl_seconds, 300,
          "catalog cache entries expire after this, a safety net: product events invalidate them");
ABSL_FLAG(std::string, partners_file, "", "partner configuration (JSON, hashed API keys)");
ABSL_FLAG(int, max_body_bytes, 64 * 1024, "largest request body accepted (413 beyond)");
ABSL_FLAG(int, max_header_bytes, 16 * 1024, "largest request line and headers accepted");
ABSL_FLAG(int, threads, 16, "HTTP worker threads");
ABSL_FLAG(int, max_connections, 256, "connections served or waiting; beyond, closed at once");
ABSL_FLAG(int, max_connections_per_client, 8, "connections from one client address at once");
ABSL_FLAG(int, request_timeout_ms, 10000,
          "total time for one request, from its first byte to the end of its body");
ABSL_FLAG(int, unauthenticated_burst, 20,
          "requests with a wrong or missing key per client address at once (429 beyond)");
ABSL_FLAG(double, unauthenticated_per_second, 2, "and their refill rate");
ABSL_FLAG(std::string, metrics_address, "",
          "serve Prometheus metrics on http://<host:port>/metrics (empty: not served)");
ABSL_FLAG(std::string, https_cert, "",
          "serve partners HTTPS with this certificate chain (PEM; the public one, not the"
          " internal --tls_cert); empty: plain HTTP");
ABSL_FLAG(std::string, https_key, "", "its private key (PEM, an owner-only file)");
ABSL_FLAG(std::string, port_file, "", "write the bound HTTP port here once serving");

int main(int argc, char** argv) {
  shop::grpc_util::BlockShutdownSignals();
  shop::config::ParseFlags(argc, argv);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);  // see service_runtime.cc
  shop::log::SetService("gateway");
  std::ifstream file(absl::GetFlag(FLAGS_partners_file));
  std::stringstream text;
  text << file.rdbuf();
  auto partners = shop::gateway::ParsePartners(text.str());
  if (!file || !partners.ok()) {
    std::fprintf(stderr, "gateway: cannot read --partners_file %s: %s\n",
                 absl::GetFlag(FLAGS_partners_file).c_str(),
                 partners.ok() ? "unreadable" : partners.status().ToString().c_str());
    return 1;
  }
  shop::gateway::PartnerDirectory directory(*std::move(partners));
  shop::gateway::RateLimiter limiter;
  // Upstream calls use the internal TLS identity (--tls_cert/--tls_key/--tls_ca),
  // round robin over the instances an address names.
  auto order_channel =
      shop::grpc_util::Channel(absl::GetFlag(FLAGS_order_address), shop::tls::FromFlags());
  auto product_channel =
      shop::grpc_util::Channel(absl::GetFlag(FLAGS_product_address), shop::tls::FromFlags());
  if (!order_channel.ok() || !product_channel.ok()) {
    std::fprintf(stderr, "gateway: %s\n",
                 (order_channel.ok() ? product_channel.status() : order_channel.status())
                     .ToString()
                     .c_str());
    return 1;
  }
  auto orders = shop::order::v1::OrderService::NewStub(*order_channel);
  auto redis = shop::gateway::ParseRedisAddress(absl::GetFlag(FLAGS_redis_address));
  if (!redis.ok()) {
    std::fprintf(stderr, "gateway: --redis_address: %s\n", redis.status().ToString().c_str());
    return 1;
  }
  shop::gateway::RedisClient redis_client(*redis);
  shop::gateway::CatalogCache cache(redis_client,
                                    absl::Seconds(absl::GetFlag(FLAGS_catalog_ttl_seconds)));
  auto products = shop::product::v1::ProductService::NewStub(*product_channel);
  shop::gateway::Catalog catalog(cache, *products);
  shop::gateway::PartnerApiOptions api_options;
  api_options.max_body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_body_bytes));
  api_options.unauthenticated_burst = absl::GetFlag(FLAGS_unauthenticated_burst);
  api_options.unauthenticated_per_second = absl::GetFlag(FLAGS_unauthenticated_per_second);
  shop::gateway::PartnerApi api(directory, limiter, *orders, catalog, api_options);
  shop::gateway::ServerLimits limits;
  limits.threads = absl::GetFlag(FLAGS_threads);
  limits.max_connections = absl::GetFlag(FLAGS_max_connections);
  limits.max_connections_per_client = absl::GetFlag(FLAGS_max_connections_per_client);
  limits.request_timeout = absl::Milliseconds(absl::GetFlag(FLAGS_request_timeout_ms));
  limits.max_header_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_header_bytes));
  limits.max_body_bytes = api_options.max_body_bytes;
  shop::gateway::BoundedServer server(limits);
  api.Install(server);
  if (!absl::GetFlag(FLAGS_https_cert).empty() || !absl::GetFlag(FLAGS_https_key).empty()) {
    auto https = shop::tls::LoadForServer(
        {absl::GetFlag(FLAGS_https_cert), absl::GetFlag(FLAGS_https_key), ""});
    absl::Status enabled =
        https.ok() ? server.EnableTls(https->cert_pem, https->key_pem) : https.status();
    if (!enabled.ok()) {
      std::fprintf(stderr, "gateway: --https_cert/--https_key: %s\n", enabled.ToString().c_str());
      return 1;
    }
  }

  std::vector<std::string> address = absl::StrSplit(absl::GetFlag(FLAGS_http_address), ':');
  int port = 0;
  if (address.size() != 2 || !absl::SimpleAtoi(address[1], &port)) {
    std::fprintf(stderr, "gateway: --http_address must be host:port\n");
    return 1;
  }
  port = port == 0 ? server.bind_to_any_port(address[0])
                   : (server.bind_to_port(address[0], port) ? port : -1);
  if (port <= 0) {
    std::fprintf(stderr, "gateway: cannot listen on %s\n",
                 absl::GetFlag(FLAGS_http_address).c_str());
    return 1;
  }
  std::thread listener([&server] { server.listen_after_bind(); });
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file); !port_file.empty()) {
    std::ofstream(port_file + ".tmp") << port << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  shop::metrics::MetricsServer metrics_server;
  if (const std::string address = absl::GetFlag(FLAGS_metrics_address); !address.empty()) {
    shop::metrics::Registry& registry = shop::metrics::Registry::Default();
    registry.AddCollector([&server, &registry] {
      const shop::gateway::ServerCounters counters = server.counters();
      auto& closed = registry.Counter(
          "shop_http_connections_closed_total",
          "HTTP connections the gateway closed before serving, or cut short, by reason.",
          {"reason"});
      closed.With({"over_connection_limit"}).SetTotal(counters.refused_connections);
      closed.With({"request_timeout"}).SetTotal(counters.timed_out_requests);
      closed.With({"request_too_large"}).SetTotal(counters.oversized_requests);
      closed.With({"tls_handshake_failed"}).SetTotal(counters.tls_handshake_failures);
      registry.Counter("shop_http_connections_total", "HTTP connections admitted.")
          .With({})
          .SetTotal(counters.connections);
    });
    registry.AddCollector([&catalog, &registry] {
      const shop::gateway::CatalogStats stats = catalog.stats();
      auto& products =
          registry.Counter("shop_catalog_cache_products_total",
                           "Catalog products read, by where they came from.", {"result"});
      products.With({"hit"}).SetTotal(stats.hits);
      products.With({"miss"}).SetTotal(stats.misses);
      products.With({"stored"}).SetTotal(stats.stored);
      registry
          .Counter("shop_catalog_cache_bypassed_reads_total",
                   "Catalog reads answered from ProductService because Redis failed.")
          .With({})
          .SetTotal(stats.bypassed);
    });
    if (auto bound = metrics_server.Start(address); !bound.ok()) {
      std::fprintf(stderr, "gateway: %s\n", bound.status().ToString().c_str());
      return 1;
    }
  }
  shop::log::Info("gateway listening",
                  {{"port", int64_t{port}}, {"scheme", server.tls() ? "https" : "http"}});
  shop::grpc_util::WaitForShutdownSignal();
  metrics_server.Stop();
  server.stop();
  listener.join();
  shop::log::Info("gateway stopped");
  return 0;
}

// Everything a service process needs besides its own logic, wired the same
// way in every service: configuration from flags (or SHOP_* environment
// variables), the MySQL pool and migrations, the Kafka topics it produces
// and consumes, the outbox and its relay, the idempotent consumer, the gRPC
// server, and an orderly shutdown on SIGTERM/SIGINT.
//
//   int main(int argc, char** argv) {
//     auto runtime = ServiceRuntime::Create(definition, argc, argv);
//     ... register handlers on runtime->consumer(), services on runtime->server() ...
//     return runtime->Run();
//   }
#ifndef SHOP_COMMON_SERVICE_SERVICE_RUNTIME_H_
#define SHOP_COMMON_SERVICE_SERVICE_RUNTIME_H_

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/consumer/event_consumer.h"
#include "common/grpc/server.h"
#include "common/kafka/producer.h"
#include "common/metrics/metrics_server.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/migrations.h"
#include "common/outbox/outbox.h"
#include "common/outbox/relay.h"

namespace shop::service {

struct ServiceDefinition {
  // "order": names the log lines, the consumer group, the event source.
  std::string name;
  // The service's own migrations, as (component, migrations); the outbox's
  // and the consumer's are added.
  std::vector<std::pair<std::string, std::vector<mysql::Migration>>> migrations;
  // Topics (unqualified, e.g. "shop.product.events") it consumes and produces.
  std::vector<std::string> consumed_topics;
  std::vector<std::string> produced_topics;
  // Consumers in the process unless --consumer_threads says otherwise. One:
  // a batch is a unit of work whose statements do not grow with its size, so
  // a second consumer only splits the batches and doubles the statements,
  // commits and fetches per order (measured at 0.1x: 5.0-5.7 statements and
  // 1.5-1.6 commits per order with one, 5.8-8.5 and 1.7-2.1 with three).
  int consumer_threads = 1;
};

class ServiceRuntime {
 public:
  // Parses flags, connects (waiting up to --startup_timeout for MySQL and
  // Kafka), migrates, creates topics. A clear error when it cannot.
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Create(ServiceDefinition definition,
                                                                int argc, char** argv);
  ~ServiceRuntime();

  mysql::ConnectionPool& pool() { return *pool_; }
  outbox::Outbox& outbox() { return *outbox_; }
  // The consumers of this process, all in the service's consumer group
  // (--consumer_threads of them, sharing the partitions); empty when the
  // service consumes nothing. Register the same handlers on each.
  std::vector<consumer::EventConsumer*> consumers();
  grpc_util::Server& server() { return *server_; }
  const std::string& topic_namespace() const { return topic_namespace_; }

  // Starts the server, then the relay and the consumers; returns the exit
  // code after a shutdown signal (0) or a failure to start (1). Whatever it
  // started is stopped before it returns, so that the handlers' objects may
  // be destroyed right after.
  int Run();

 private:
  ServiceRuntime() = default;
  void StopConsumers();
  void RegisterCollectors();
  void StopAll();

  ServiceDefinition definition_;
  std::string topic_namespace_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<outbox::Outbox> outbox_;
  std::unique_ptr<outbox::MysqlOutboxStore> outbox_store_;
  std::unique_ptr<outbox::OutboxRelay> relay_;
  std::vector<std::unique_ptr<consumer::EventConsumer>> consumers_;
  std::unique_ptr<grpc_util::Server> server_;
  std::vector<std::thread> consumer_threads_;
  std::unique_ptr<metrics::MetricsServer> metrics_server_;
};

// The whole main() of a service: `make_commands(pool, outbox)` makes what
// holds its logic and registers its saga handlers (after the flags are
// parsed, so it may read its own); `GrpcService(commands)` is its API.
template <typename Commands, typename GrpcService, typename MakeCommands>
int RunService(ServiceDefinition definition, int argc, char** argv, MakeCommands make_commands) {
  const std::string name = definition.name;
  auto runtime = ServiceRuntime::Create(std::move(definition), argc, argv);
  if (!runtime.ok()) {
    std::fprintf(stderr, "%s: cannot start: %s\n", name.c_str(),
                 runtime.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<Commands> commands = make_commands((*runtime)->pool(), (*runtime)->outbox());
  for (consumer::EventConsumer* consumer : (*runtime)->consumers()) {
    commands->RegisterSagaHandlers(*consumer);
  }
  GrpcService service(*commands);
  (*runtime)->server().AddService(&service);
  return (*runtime)->Run();
}

// The same for a service whose logic is `Commands(pool, outbox)`.
template <typename Commands, typename GrpcService>
int RunService(ServiceDefinition definition, int argc, char** argv) {
  return RunService<Commands, GrpcService>(std::move(definition), argc, argv,
                                           [](mysql::ConnectionPool& pool, outbox::Outbox& outbox) {
                                             return std::make_unique<Commands>(pool, outbox);
                                           });
}

}  // namespace shop::service

#endif  // SHOP_COMMON_SERVICE_SERVICE_RUNTIME_H_

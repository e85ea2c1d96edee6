// A process running the fixture's relay or consumer, for tests that kill it.
//
//   event_fixture --mode=relay   [--crash_at=fetched|published] [--status_file=F]
//   [--exit_when_drained] event_fixture --mode=consume --topic=T --group=G
//   [--crash_after_handled=N] [--exit_after_effects=N]
//
// MySQL options come from --mysql_* flags. A crash is raise(SIGKILL): no
// destructor, no flush, exactly like a power cut for the process.
#include <signal.h>

#include <fstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/config/flags.h"
#include "common/consumer/event_consumer.h"
#include "common/kafka/producer.h"
#include "common/logging/log.h"
#include "common/mysql/flags.h"
#include "common/outbox/relay.h"
#include "common/testing/event_fixture.h"

ABSL_FLAG(std::string, mode, "relay", "relay or consume");
ABSL_FLAG(std::string, brokers, "127.0.0.1:19092", "Kafka bootstrap servers");
ABSL_FLAG(std::string, crash_at, "", "relay: fetched or published");
ABSL_FLAG(std::string, status_file, "", "relay: where to write active/published");
ABSL_FLAG(bool, exit_when_drained, false, "relay: exit once the outbox is empty");
ABSL_FLAG(std::string, topic, "", "consume: topic");
ABSL_FLAG(std::string, group, "", "consume: consumer group");
ABSL_FLAG(int, crash_after_handled, -1, "consume: SIGKILL after handling this record of a batch");
ABSL_FLAG(int, exit_after_effects, -1, "consume: exit once this many effect rows exist");

namespace {

using namespace shop;  // NOLINT: a test program

int RunRelay(mysql::ConnectionPool& pool) {
  outbox::RelayOptions options;
  options.poll_interval = absl::Milliseconds(100);
  options.lock_retry = absl::Milliseconds(200);
  const std::string crash_at = absl::GetFlag(FLAGS_crash_at);
  options.on_step = [crash_at](outbox::RelayStep step, int) {
    if ((crash_at == "fetched" && step == outbox::RelayStep::kFetched) ||
        (crash_at == "published" && step == outbox::RelayStep::kPublished)) {
      raise(SIGKILL);
    }
  };
  outbox::MysqlOutboxStore store(pool);
  outbox::OutboxRelay relay(store, outbox::KafkaPublisherFactory(absl::GetFlag(FLAGS_brokers)),
                            options);
  relay.Start();
  while (true) {
    const outbox::RelayStats stats = relay.stats();
    if (const std::string file = absl::GetFlag(FLAGS_status_file); !file.empty()) {
      std::ofstream(file + ".tmp")
          << (stats.active ? "active" : "standby") << " " << stats.published << "\n";
      std::rename((file + ".tmp").c_str(), file.c_str());
    }
    if (absl::GetFlag(FLAGS_exit_when_drained) && stats.active) {
      auto unpublished = testing::CountUnpublished(pool);
      if (unpublished.ok() && *unpublished == 0) break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  relay.Stop();
  return 0;
}

int RunConsumer(mysql::ConnectionPool& pool) {
  consumer::ConsumerOptions options;
  options.brokers = absl::GetFlag(FLAGS_brokers);
  options.group = absl::GetFlag(FLAGS_group);
  options.topics = {absl::GetFlag(FLAGS_topic)};
  options.max_batch = 20;
  const int crash_after = absl::GetFlag(FLAGS_crash_after_handled);
  options.on_step = [crash_after](consumer::ConsumerStep step, int index) {
    if (step == consumer::ConsumerStep::kHandled && index == crash_after) raise(SIGKILL);
  };
  consumer::EventConsumer consumer(options, pool, nullptr);
  testing::RegisterEffectHandler(consumer);
  std::thread runner([&consumer] { consumer.Run().IgnoreError(); });
  const int exit_after = absl::GetFlag(FLAGS_exit_after_effects);
  while (true) {
    auto effects = testing::CountEffects(pool);
    if (exit_after >= 0 && effects.ok() && effects->rows >= exit_after) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  consumer.Stop();
  runner.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  shop::config::ParseFlags(argc, argv);
  shop::log::SetService("event_fixture");
  auto options = mysql::MysqlOptionsFromFlags();
  if (!options.ok()) {
    shop::log::Error("mysql options", {{"error", options.status().ToString()}});
    return 2;
  }
  mysql::ConnectionPool pool(*options);
  if (absl::GetFlag(FLAGS_mode) == "relay") return RunRelay(pool);
  if (absl::GetFlag(FLAGS_mode) == "consume") return RunConsumer(pool);
  return 2;
}

// shopctl: the operator's command.
//
//   shopctl outbox parked list SERVICE              one JSON line per parked row
//   shopctl outbox parked release SERVICE ID...     let the relay try these rows again
//   shopctl outbox parked discard SERVICE ID...     delete these rows for good; the
//                                                   rows held behind them flow
//   (--all instead of ids: every parked row of SERVICE)
//
//   shopctl webhooks list [--subscriber S] [--state pending|delivered|dead]
//                                                   one JSON line per delivery
//   shopctl webhooks redeliver [--subscriber S] ID...|--all
//                                                   dead deliveries back to pending,
//                                                   due now, attempts reset; they go
//                                                   out in order per order
//   (the dispatcher's database shop_webhooks, or --mysql_database)
//
//   shopctl events tail TOPIC [--from-beginning] [--exit-at-end] [--key K] [--type T]
//                                                   one JSON line per record: headers, key,
//                                                   partition, offset, the payload decoded
//                                                   by its ce_type (unknown types as base64)
//   shopctl dlq list TOPIC.GROUP.dlq                one line per dead letter: its error and origin
//   shopctl dlq show TOPIC.GROUP.dlq                the dead letters in full, decoded
//   shopctl dlq redrive TOPIC.GROUP.dlq OFFSET...|--all
//                                                   back to their origin topic with their
//                                                   original headers and a redrive marker;
//                                                   safe to run twice: consumers skip an
//                                                   event id they applied
//   (Kafka at --kafka_brokers or SHOP_KAFKA_BROKERS; --kafka_config key=value,...)
//
// SERVICE names the database shop_SERVICE (or --mysql_database). The MySQL
// account comes from --mysql_* flags or SHOP_MYSQL_* in the environment;
// put the password in the environment or --mysql_password_file, never on a
// command line.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/config/flags.h"
#include "common/kafka/client_config.h"
#include "common/kafka/producer.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/flags.h"
#include "common/outbox/outbox_store.h"
#include "gateway/webhooks/webhook_store.h"
#include "nlohmann/json.hpp"
#include "tools/shopctl/record_json.h"
#include "tools/shopctl/topic_reader.h"

ABSL_FLAG(bool, all, false, "release or discard every parked row");
ABSL_FLAG(int, limit, 1000, "list at most this many rows");
ABSL_FLAG(std::string, kafka_brokers, "127.0.0.1:19092", "Kafka bootstrap servers");
ABSL_FLAG(std::string, kafka_config, "", "extra librdkafka settings: key=value,key=value");
ABSL_FLAG(bool, from_beginning, false, "events tail: from the oldest record, not only new ones");
ABSL_FLAG(bool, exit_at_end, false, "events tail: stop at the end of every partition");
ABSL_FLAG(std::string, key, "", "events tail: only records with this key");
ABSL_FLAG(std::string, type, "", "events tail: only records of this ce_type");
ABSL_FLAG(std::string, subscriber, "", "webhooks: a partner id, or platform (default: all)");
ABSL_FLAG(std::string, state, "", "webhooks list: pending, delivered or dead (default: all)");

namespace {

constexpr char kUsage[] =
    "usage: shopctl outbox parked list|release|discard SERVICE [ID...|--all]\n"
    "       shopctl webhooks list [--subscriber S] [--state pending|delivered|dead]\n"
    "       shopctl webhooks redeliver [--subscriber S] ID...|--all\n"
    "       shopctl events tail TOPIC [--from-beginning] [--exit-at-end] [--key K] [--type T]\n"
    "       shopctl dlq list|show TOPIC.GROUP.dlq\n"
    "       shopctl dlq redrive TOPIC.GROUP.dlq OFFSET...|--all\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "shopctl: %s\n", message.c_str());
  return 2;
}

nlohmann::json ToJson(const shop::outbox::ParkedRow& row) {
  return {{"id", row.id},
          {"event_id", row.event_id},
          {"event_type", row.event_type},
          {"topic", row.topic},
          {"key", row.key},
          {"reason", row.reason},
          {"payload_bytes", row.payload_bytes},
          {"created_at", row.created_at},
          {"parked_at", row.parked_at},
          {"held_behind", row.held_behind}};
}

// The service's database (shop_SERVICE unless --mysql_database says).
absl::StatusOr<shop::mysql::MysqlOptions> Database(const std::string& service) {
  auto options = shop::mysql::MysqlOptionsFromFlags("shop_admin");
  if (!options.ok()) return options.status();
  if (options->database.empty()) options->database = "shop_" + service;
  options->pool_size = 2;
  return options;
}

int Webhooks(const std::vector<char*>& args) {
  const std::string action = args[2];
  auto options = Database("webhooks");
  if (!options.ok()) return Fail(options.status().ToString());
  shop::mysql::ConnectionPool pool(*options);
  shop::gateway::WebhookStore store(pool);
  const std::string subscriber = absl::GetFlag(FLAGS_subscriber);
  if (action == "list") {
    auto rows = store.List(subscriber, absl::GetFlag(FLAGS_state), absl::GetFlag(FLAGS_limit));
    if (!rows.ok()) return Fail(rows.status().ToString());
    for (const auto& row : *rows) {
      std::cout << nlohmann::json{{"id", row.id},
                                  {"subscriber", row.subscriber},
                                  {"stream", row.stream_key},
                                  {"event_id", row.event_id},
                                  {"type", row.event_type},
                                  {"state", row.state},
                                  {"attempts", row.attempts},
                                  {"next_attempt_at", row.next_attempt_at},
                                  {"last_status", row.last_status},
                                  {"last_error", row.last_error},
                                  {"created_at", row.created_at}}
                       .dump()
                << "\n";
    }
    std::fprintf(stderr, "%zu deliver%s in %s\n", rows->size(), rows->size() == 1 ? "y" : "ies",
                 options->database.c_str());
    return 0;
  }
  if (action != "redeliver") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::vector<int64_t> ids;
  for (size_t i = 3; i < args.size(); ++i) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(args[i], &id)) return Fail(absl::StrCat("not a delivery id: ", args[i]));
    ids.push_back(id);
  }
  if (ids.empty() && !absl::GetFlag(FLAGS_all)) return Fail("name the delivery ids, or --all");
  auto changed = store.Redeliver(subscriber, ids);
  if (!changed.ok()) return Fail(changed.status().ToString());
  std::cout << nlohmann::json{{"action", "redeliver"}, {"redelivered", *changed}}.dump() << "\n";
  return 0;
}

shop::shopctl::ReadOptions KafkaRead(bool from_beginning, bool follow) {
  shop::shopctl::ReadOptions options;
  options.from_beginning = from_beginning;
  options.follow = follow;
  auto config = shop::kafka::LoadClientConfig("", absl::GetFlag(FLAGS_kafka_config));
  if (config.ok()) options.kafka_config = *config;
  return options;
}

int EventsTail(const std::string& topic) {
  const std::string key = absl::GetFlag(FLAGS_key), type = absl::GetFlag(FLAGS_type);
  absl::Status read = shop::shopctl::ReadTopic(
      absl::GetFlag(FLAGS_kafka_brokers), topic,
      KafkaRead(absl::GetFlag(FLAGS_from_beginning), !absl::GetFlag(FLAGS_exit_at_end)),
      [&](const shop::shopctl::RawRecord& record) {
        if ((key.empty() || record.key == key) &&
            (type.empty() || shop::events::HeaderValue(record.headers, "ce_type") == type)) {
          std::cout << shop::shopctl::RecordJson(record).dump() << std::endl;
        }
        return true;
      });
  return read.ok() ? 0 : Fail(read.ToString());
}

int Dlq(const std::vector<char*>& args) {
  const std::string action = args[2], topic = args[3];
  std::vector<shop::shopctl::RawRecord> records;
  absl::Status read = shop::shopctl::ReadTopic(absl::GetFlag(FLAGS_kafka_brokers), topic,
                                               KafkaRead(true, false), [&](const auto& record) {
                                                 records.push_back(record);
                                                 return true;
                                               });
  if (!read.ok()) return Fail(read.ToString());
  auto header = [](const shop::shopctl::RawRecord& record, const char* name) {
    return shop::events::HeaderValue(record.headers, name);
  };
  if (action == "list" || action == "show") {
    for (const auto& record : records) {
      if (action == "show") {
        std::cout << shop::shopctl::RecordJson(record).dump() << "\n";
        continue;
      }
      std::cout << nlohmann::json{{"offset", record.offset},
                                  {"error", header(record, "dlq_error")},
                                  {"origin_topic", header(record, "dlq_origin_topic")},
                                  {"origin_partition", header(record, "dlq_origin_partition")},
                                  {"origin_offset", header(record, "dlq_origin_offset")},
                                  {"consumer_group", header(record, "dlq_consumer_group")},
                                  {"dead_lettered_at", header(record, "dlq_time")},
                                  {"ce_type", header(record, "ce_type")},
                                  {"ce_id", header(record, "ce_id")},
                                  {"key", record.key}}
                       .dump()
                << "\n";
    }
    std::fprintf(stderr, "%zu dead letter(s) in %s\n", records.size(), topic.c_str());
    return 0;
  }
  if (action != "redrive") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::set<int64_t> chosen;
  for (size_t i = 4; i < args.size(); ++i) {
    int64_t offset = 0;
    if (!absl::SimpleAtoi(args[i], &offset)) return Fail(absl::StrCat("not an offset: ", args[i]));
    chosen.insert(offset);
  }
  if (chosen.empty() && !absl::GetFlag(FLAGS_all)) return Fail("name the offsets, or --all");
  std::vector<shop::kafka::Record> out;
  std::vector<int64_t> offsets;
  for (const auto& record : records) {
    if (!chosen.empty() && !chosen.count(record.offset)) continue;
    const std::string origin = header(record, "dlq_origin_topic");
    if (origin.empty()) return Fail(absl::StrCat("offset ", record.offset, " has no origin"));
    shop::kafka::Record again{origin, record.key, record.payload, {}};
    for (const auto& [name, value] : record.headers) {
      if (name.rfind("dlq_", 0) != 0) again.headers.emplace_back(name, value);
    }
    again.headers.emplace_back("shop_redriven_from",
                               absl::StrCat(topic, ":", record.partition, ":", record.offset));
    out.push_back(std::move(again));
    offsets.push_back(record.offset);
  }
  auto producer = shop::kafka::Producer::Create(absl::GetFlag(FLAGS_kafka_brokers),
                                                KafkaRead(true, false).kafka_config);
  if (!producer.ok()) return Fail(producer.status().ToString());
  auto reports = (*producer)->ProduceAndWait(out, absl::Seconds(30));
  int failed = 0;
  for (size_t i = 0; i < reports.size(); ++i) {
    std::cout << nlohmann::json{{"offset", offsets[i]},
                                {"redriven_to", out[i].topic},
                                {"ok", reports[i].status.ok()},
                                {"error", reports[i].status.ok()
                                              ? ""
                                              : std::string(reports[i].status.message())}}
                     .dump()
              << "\n";
    failed += reports[i].status.ok() ? 0 : 1;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // --from-beginning and --from_beginning alike.
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--", 2) != 0) continue;
    for (char* c = argv[i] + 2; *c != '\0' && *c != '='; ++c) {
      if (*c == '-') *c = '_';
    }
  }
  std::vector<char*> args = shop::config::ParseFlags(argc, argv);
  // args[0] is the program.
  if (args.size() >= 3 && std::string(args[1]) == "webhooks") return Webhooks(args);
  if (args.size() == 4 && std::string(args[1]) == "events" && std::string(args[2]) == "tail") {
    return EventsTail(args[3]);
  }
  if (args.size() >= 4 && std::string(args[1]) == "dlq") return Dlq(args);
  if (args.size() < 5 || std::string(args[1]) != "outbox" || std::string(args[2]) != "parked") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string action = args[3], service = args[4];
  auto options = Database(service);
  if (!options.ok()) return Fail(options.status().ToString());
  shop::mysql::ConnectionPool pool(*options);
  shop::outbox::MysqlOutboxStore store(pool);

  if (action == "list") {
    auto rows = store.ListParked(absl::GetFlag(FLAGS_limit));
    if (!rows.ok()) return Fail(rows.status().ToString());
    for (const auto& row : *rows) std::cout << ToJson(row).dump() << "\n";
    std::fprintf(stderr, "%zu parked row(s) in %s\n", rows->size(), options->database.c_str());
    return 0;
  }
  if (action != "release" && action != "discard") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::vector<int64_t> ids;
  if (absl::GetFlag(FLAGS_all)) {
    auto rows = store.ListParked(absl::GetFlag(FLAGS_limit));
    if (!rows.ok()) return Fail(rows.status().ToString());
    for (const auto& row : *rows) ids.push_back(row.id);
  }
  for (size_t i = 5; i < args.size(); ++i) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(args[i], &id)) return Fail(absl::StrCat("not a row id: ", args[i]));
    ids.push_back(id);
  }
  if (ids.empty()) return Fail("name the row ids, or --all");
  int failed = 0;
  for (int64_t id : ids) {
    absl::Status done = action == "release" ? store.Release(id) : store.Discard(id);
    std::cout << nlohmann::json{{"id", id},
                                {"action", action},
                                {"ok", done.ok()},
                                {"error", done.ok() ? "" : std::string(done.message())}}
                     .dump()
              << "\n";
    failed += done.ok() ? 0 : 1;
  }
  return failed == 0 ? 0 : 1;
}

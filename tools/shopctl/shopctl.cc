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
// SERVICE names the database shop_SERVICE (or --mysql_database). The MySQL
// account comes from --mysql_* flags or SHOP_MYSQL_* in the environment;
// put the password in the environment or --mysql_password_file, never on a
// command line.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/config/flags.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox_store.h"
#include "gateway/webhooks/webhook_store.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, mysql_host, "127.0.0.1", "MySQL host");
ABSL_FLAG(int, mysql_port, 13306, "MySQL port");
ABSL_FLAG(std::string, mysql_user, "shop_admin", "a MySQL account with rights on the database");
ABSL_FLAG(std::string, mysql_password, "", "its password (better: SHOP_MYSQL_PASSWORD)");
ABSL_FLAG(std::string, mysql_password_file, "", "a file holding the password");
ABSL_FLAG(std::string, mysql_database, "", "the database (default: shop_SERVICE)");
ABSL_FLAG(bool, all, false, "release or discard every parked row");
ABSL_FLAG(int, limit, 1000, "list at most this many rows");
ABSL_FLAG(std::string, subscriber, "", "webhooks: a partner id, or platform (default: all)");
ABSL_FLAG(std::string, state, "", "webhooks list: pending, delivered or dead (default: all)");

namespace {

constexpr char kUsage[] =
    "usage: shopctl outbox parked list|release|discard SERVICE [ID...|--all]\n"
    "       shopctl webhooks list [--subscriber S] [--state pending|delivered|dead]\n"
    "       shopctl webhooks redeliver [--subscriber S] ID...|--all\n";

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

shop::mysql::MysqlOptions Database(const std::string& service) {
  shop::mysql::MysqlOptions options;
  options.host = absl::GetFlag(FLAGS_mysql_host);
  options.port = absl::GetFlag(FLAGS_mysql_port);
  options.user = absl::GetFlag(FLAGS_mysql_user);
  options.password = absl::GetFlag(FLAGS_mysql_password);
  if (const std::string file = absl::GetFlag(FLAGS_mysql_password_file); !file.empty()) {
    std::ifstream in(file);
    if (!in || !std::getline(in, options.password)) options.user.clear();  // refused by callers
  }
  options.database = absl::GetFlag(FLAGS_mysql_database).empty()
                         ? "shop_" + service
                         : absl::GetFlag(FLAGS_mysql_database);
  options.pool_size = 2;
  return options;
}

int Webhooks(const std::vector<char*>& args) {
  const std::string action = args[2];
  shop::mysql::MysqlOptions options = Database("webhooks");
  if (options.user.empty()) return Fail("cannot read the MySQL password");
  shop::mysql::ConnectionPool pool(options);
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
                 options.database.c_str());
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

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = shop::config::ParseFlags(argc, argv);
  // args[0] is the program.
  if (args.size() >= 3 && std::string(args[1]) == "webhooks") return Webhooks(args);
  if (args.size() < 5 || std::string(args[1]) != "outbox" || std::string(args[2]) != "parked") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string action = args[3], service = args[4];
  shop::mysql::MysqlOptions options = Database(service);
  if (options.user.empty()) return Fail("cannot read the MySQL password");
  shop::mysql::ConnectionPool pool(options);
  shop::outbox::MysqlOutboxStore store(pool);

  if (action == "list") {
    auto rows = store.ListParked(absl::GetFlag(FLAGS_limit));
    if (!rows.ok()) return Fail(rows.status().ToString());
    for (const auto& row : *rows) std::cout << ToJson(row).dump() << "\n";
    std::fprintf(stderr, "%zu parked row(s) in %s\n", rows->size(), options.database.c_str());
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

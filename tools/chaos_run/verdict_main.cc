// tools/chaos_run/verdict: checks the shop's invariants straight in the
// databases of a system at rest (see invariants.h), prints one line per
// invariant and exits 1 when any is violated, 2 when it cannot read.
//
//   verdict [--accepted_file=F] [--stock_file=F] [--topic_namespace=NS]
//           [--expected_dead_letters=T1,T2]
//
// The MySQL account (--mysql_user, its password from SHOP_MYSQL_PASSWORD or
// --mysql_password_file) must read every service's database.
#include <cstdio>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/config/flags.h"
#include "common/kafka/client_config.h"
#include "common/mysql/flags.h"
#include "tools/chaos_run/invariants.h"

ABSL_FLAG(std::string, database_prefix, "shop_",
          "the services' databases are <prefix>order, <prefix>product, ...");
ABSL_FLAG(std::string, accepted_file, "", "order ids a client was told were accepted, one a line");
ABSL_FLAG(std::string, stock_file, "",
          "lines \"product_id quantity\": the stock put in (initial plus adjustments)");
ABSL_FLAG(std::string, brokers, "127.0.0.1:19092",
          "Kafka, for the dead-letter topics (empty: skip)");
ABSL_FLAG(std::string, kafka_config_file, "", "librdkafka settings (key=value lines)");
ABSL_FLAG(std::string, topic_namespace, "", "the run's topic namespace, if any");
ABSL_FLAG(std::vector<std::string>, expected_dead_letters, {},
          "dead-letter topics the scenario filled on purpose");

int main(int argc, char** argv) {
  shop::config::ParseFlags(argc, argv);
  auto base = shop::mysql::MysqlOptionsFromFlags("shop_admin");
  if (!base.ok()) {
    std::fprintf(stderr, "verdict: %s\n", base.status().ToString().c_str());
    return 2;
  }
  shop::chaos::Inputs inputs;
  for (auto [options, name] : {std::pair{&inputs.order, "order"},
                               {&inputs.product, "product"},
                               {&inputs.delivery, "delivery"},
                               {&inputs.settlement, "settlement"},
                               {&inputs.coupon, "coupon"}}) {
    *options = *base;
    options->database = absl::GetFlag(FLAGS_database_prefix) + name;
  }
  if (const std::string file = absl::GetFlag(FLAGS_accepted_file); !file.empty()) {
    std::ifstream in(file);
    if (!in) {
      std::fprintf(stderr, "verdict: cannot read %s\n", file.c_str());
      return 2;
    }
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) inputs.accepted_order_ids.insert(line);
    }
  }
  if (const std::string file = absl::GetFlag(FLAGS_stock_file); !file.empty()) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
      int64_t quantity = 0;
      if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &quantity)) continue;
      inputs.stock_put_in[parts[0]] += quantity;
    }
  }
  inputs.brokers = absl::GetFlag(FLAGS_brokers);
  auto kafka_config = shop::kafka::LoadClientConfig(absl::GetFlag(FLAGS_kafka_config_file), "");
  if (!kafka_config.ok()) {
    std::fprintf(stderr, "verdict: %s\n", kafka_config.status().ToString().c_str());
    return 2;
  }
  inputs.kafka_config = *kafka_config;
  inputs.topic_namespace = absl::GetFlag(FLAGS_topic_namespace);
  for (const std::string& topic : absl::GetFlag(FLAGS_expected_dead_letters)) {
    inputs.expected_dead_letter_topics.insert(topic);
  }
  auto verdict = shop::chaos::CheckInvariants(inputs);
  if (!verdict.ok()) {
    std::fprintf(stderr, "verdict: %s\n", verdict.status().ToString().c_str());
    return 2;
  }
  std::fputs(verdict->Report().c_str(), stdout);
  return verdict->ok() ? 0 : 1;
}

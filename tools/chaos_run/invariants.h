// The invariants a run of the shop must end with, checked straight in each
// service's database (and the broker's dead-letter topics) once the system
// is quiet: what the chaos run (issue 18) ends with, and what any operator
// can run against a live system at rest.
#ifndef SHOP_TOOLS_CHAOS_RUN_INVARIANTS_H_
#define SHOP_TOOLS_CHAOS_RUN_INVARIANTS_H_

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/kafka/client_config.h"
#include "common/mysql/options.h"

namespace shop::chaos {

struct Inputs {
  // Each service's own database (user with read access on it).
  mysql::MysqlOptions order, product, delivery, settlement, coupon;
  // Orders a client was told were accepted (PlaceOrder OK): none may be missing.
  std::set<std::string> accepted_order_ids;
  // Per product, its initial stock plus every adjustment the scenario made:
  // available + reserved + sold must add up to it. Empty: not checked.
  std::map<std::string, int64_t> stock_put_in;
  // Dead letters: every "<namespace>.*.dlq" topic on `brokers` must be empty
  // unless listed in `expected_dead_letter_topics`. Empty brokers: not checked.
  std::string brokers;
  kafka::ClientConfig kafka_config;
  std::string topic_namespace;
  std::set<std::string> expected_dead_letter_topics;
};

struct InvariantResult {
  std::string name;
  int64_t checked = 0;                  // rows or items looked at
  std::vector<std::string> violations;  // the first few, readable
  int64_t violation_count = 0;
  bool ok() const { return violation_count == 0; }
};

struct Verdict {
  std::map<std::string, int64_t> counts;  // orders by final state etc.
  // A deque: a result being filled stays put while the next is added.
  std::deque<InvariantResult> invariants;
  bool ok() const;
  // One line per invariant (PASS/FAIL, how many checked, first violations).
  std::string Report() const;
};

// Reads everything and checks each invariant; an error only when a
// database or the broker cannot be read.
absl::StatusOr<Verdict> CheckInvariants(const Inputs& inputs);

}  // namespace shop::chaos

#endif  // SHOP_TOOLS_CHAOS_RUN_INVARIANTS_H_

#include "tools/chaos_run/invariants.h"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <librdkafka/rdkafkacpp.h>

#include <functional>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/kafka/watermarks.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/errors.h"
#include "proto/shop/coupon/v1/coupon.pb.h"
#include "proto/shop/delivery/v1/delivery.pb.h"
#include "proto/shop/order/v1/order.pb.h"

namespace shop::chaos {
namespace {

using order::v1::Order;

constexpr int kShownViolations = 5;

// Rows of `query` on `options`' database, each handed to `row`.
absl::Status ForEachRow(const mysql::MysqlOptions& options, const std::string& query,
                        const std::function<void(sql::ResultSet&)>& row) {
  auto connection = mysql::Connect(options);
  if (!connection.ok()) return connection.status();
  try {
    std::unique_ptr<sql::Statement> statement((*connection)->createStatement());
    std::unique_ptr<sql::ResultSet> rows(statement->executeQuery(query));
    while (rows->next()) row(*rows);
  } catch (const sql::SQLException& error) {
    return mysql::FromSqlException(error, "reading " + options.database);
  }
  return absl::OkStatus();
}

std::string Blob(sql::ResultSet& rows, int column) {
  std::unique_ptr<std::istream> blob(rows.getBlob(column));
  return std::string(std::istreambuf_iterator<char>(*blob), std::istreambuf_iterator<char>());
}

class Checker {
 public:
  InvariantResult& Start(const std::string& name) {
    InvariantResult result;
    result.name = name;
    verdict_.invariants.push_back(std::move(result));
    return verdict_.invariants.back();
  }
  static void Violation(InvariantResult& result, const std::string& what) {
    if (result.violation_count++ < kShownViolations) result.violations.push_back(what);
  }
  Verdict& verdict() { return verdict_; }

 private:
  Verdict verdict_;
};

struct Delivery {
  int status = 0;
};
struct Ledger {
  int revenue_entries = 0, reversal_entries = 0;
  int64_t revenue = 0, net = 0;
};

// Dead letters on the broker: (topic, records) of every non-empty DLQ topic
// of the namespace.
absl::StatusOr<std::map<std::string, int64_t>> DeadLetters(const Inputs& inputs) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  conf->set("bootstrap.servers", inputs.brokers, error);
  for (const auto& [key, value] : inputs.kafka_config) {
    if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(key + ": " + error);
    }
  }
  std::unique_ptr<RdKafka::Producer> handle(RdKafka::Producer::create(conf.get(), error));
  if (handle == nullptr) return absl::InternalError(error);
  RdKafka::Metadata* raw = nullptr;
  if (handle->metadata(true, nullptr, &raw, 10000) != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError("cannot read the broker's metadata");
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  // The namespace's topics ("<ns>.shop.order.events.order.dlq"), or the
  // un-namespaced ones ("shop.order.events.order.dlq").
  const std::string prefix =
      inputs.topic_namespace.empty() ? "shop." : inputs.topic_namespace + ".shop.";
  std::map<std::string, int64_t> found;
  for (const RdKafka::TopicMetadata* topic : *metadata->topics()) {
    const std::string& name = topic->topic();
    if (!absl::EndsWith(name, ".dlq") || !absl::StartsWith(name, prefix)) continue;
    auto watermarks = kafka::TopicWatermarks(*handle, name, absl::Seconds(10));
    if (!watermarks.ok()) return watermarks.status();
    int64_t records = 0;
    for (const kafka::PartitionWatermarks& partition : *watermarks) {
      records += partition.high - partition.low;
    }
    if (records > 0) found[name] = records;
  }
  return found;
}

}  // namespace

bool Verdict::ok() const {
  for (const InvariantResult& result : invariants) {
    if (!result.ok()) return false;
  }
  return true;
}

std::string Verdict::Report() const {
  std::string text;
  for (const auto& [name, count] : counts) absl::StrAppend(&text, "  ", name, ": ", count, "\n");
  for (const InvariantResult& result : invariants) {
    absl::StrAppend(&text, result.ok() ? "PASS " : "FAIL ", result.name, " (", result.checked,
                    " checked");
    if (!result.ok()) absl::StrAppend(&text, ", ", result.violation_count, " violated");
    absl::StrAppend(&text, ")\n");
    for (const std::string& violation : result.violations) {
      absl::StrAppend(&text, "       ", violation, "\n");
    }
  }
  absl::StrAppend(&text, ok() ? "VERDICT: every invariant holds\n" : "VERDICT: VIOLATED\n");
  return text;
}

absl::StatusOr<Verdict> CheckInvariants(const Inputs& inputs) {
  std::map<std::string, Order> orders;
  absl::Status read =
      ForEachRow(inputs.order, "SELECT order_id, document FROM orders", [&](sql::ResultSet& row) {
        Order order;
        order.ParseFromString(Blob(row, 2));
        orders[row.getString(1)] = std::move(order);
      });
  if (!read.ok()) return read;
  std::map<std::string, Delivery> deliveries;
  read =
      ForEachRow(inputs.delivery, "SELECT order_id, status FROM deliveries",
                 [&](sql::ResultSet& row) { deliveries[row.getString(1)].status = row.getInt(2); });
  if (!read.ok()) return read;
  std::map<std::string, Ledger> ledger;
  read =
      ForEachRow(inputs.settlement, "SELECT order_id, entry_type, amount_minor FROM ledger_entries",
                 [&](sql::ResultSet& row) {
                   Ledger& entry = ledger[row.getString(1)];
                   const int64_t amount = row.getInt64(3);
                   if (row.getInt(2) == 1) {
                     ++entry.revenue_entries;
                     entry.revenue += amount;
                   } else {
                     ++entry.reversal_entries;
                   }
                   entry.net += amount;
                 });
  if (!read.ok()) return read;

  Checker checker;
  Verdict& verdict = checker.verdict();
  for (const auto& [id, order] : orders) {
    ++verdict.counts[absl::StrCat("orders ", order::v1::OrderStatus_Name(order.status()))];
    if (order.cancellation_request().state() == order::v1::CANCELLATION_REQUEST_STATE_REFUSED) {
      ++verdict.counts["orders whose cancellation delivery refused"];
    }
  }
  for (const auto& [id, delivery] : deliveries) {
    ++verdict.counts[absl::StrCat("deliveries ",
                                  delivery::v1::DeliveryStatus_Name(
                                      static_cast<delivery::v1::DeliveryStatus>(delivery.status)))];
  }

  InvariantResult* result = &checker.Start("no accepted order is lost");
  for (const std::string& id : inputs.accepted_order_ids) {
    ++result->checked;
    if (orders.count(id) == 0) Checker::Violation(*result, "accepted order " + id + " is missing");
  }

  result = &checker.Start("every order is final");
  for (const auto& [id, order] : orders) {
    ++result->checked;
    if (order.status() != order::v1::ORDER_STATUS_COMPLETED &&
        order.status() != order::v1::ORDER_STATUS_CANCELLED) {
      Checker::Violation(*result, id + " is " + order::v1::OrderStatus_Name(order.status()));
    } else if (order.cancellation_request().state() ==
               order::v1::CANCELLATION_REQUEST_STATE_REQUESTED) {
      Checker::Violation(*result, id + " has a cancellation request still undecided");
    }
  }

  result = &checker.Start("every completed order has one delivery and one revenue entry");
  for (const auto& [id, order] : orders) {
    if (order.status() != order::v1::ORDER_STATUS_COMPLETED) continue;
    ++result->checked;
    const auto delivery = deliveries.find(id);
    const Ledger entry = ledger.count(id) ? ledger.at(id) : Ledger{};
    if (delivery == deliveries.end()) Checker::Violation(*result, id + " has no delivery");
    if (entry.revenue_entries != 1 || entry.reversal_entries != 0 ||
        entry.revenue != order.total().minor_units()) {
      Checker::Violation(
          *result, absl::StrCat(id, ": ", entry.revenue_entries, " revenue entries (",
                                entry.revenue, " for a total of ", order.total().minor_units(),
                                "), ", entry.reversal_entries, " reversals"));
    }
  }

  result = &checker.Start("cancelled orders net to zero");
  for (const auto& [id, order] : orders) {
    if (order.status() != order::v1::ORDER_STATUS_CANCELLED) continue;
    ++result->checked;
    const Ledger entry = ledger.count(id) ? ledger.at(id) : Ledger{};
    if (entry.net != 0) Checker::Violation(*result, absl::StrCat(id, " nets ", entry.net));
    const auto delivery = deliveries.find(id);
    if (delivery != deliveries.end() &&
        delivery->second.status != delivery::v1::DELIVERY_STATUS_CANCELLED) {
      Checker::Violation(*result, absl::StrCat(id, "'s delivery is in status ",
                                               delivery->second.status, ", not cancelled"));
    }
  }

  result = &checker.Start("rejected orders have no delivery and no ledger entry");
  for (const auto& [id, order] : orders) {
    if (order.status() != order::v1::ORDER_STATUS_CANCELLED ||
        order.cancellation_reason() == order::v1::CANCELLATION_REASON_CUSTOMER_REQUEST) {
      continue;
    }
    ++result->checked;
    if (deliveries.count(id)) Checker::Violation(*result, id + " was rejected but has a delivery");
    if (ledger.count(id)) Checker::Violation(*result, id + " was rejected but has ledger entries");
  }

  // Stock: what completed orders bought is what was sold, nothing is left
  // reserved, and nothing was made or lost.
  std::map<std::string, int64_t> bought;
  for (const auto& [id, order] : orders) {
    if (order.status() != order::v1::ORDER_STATUS_COMPLETED) continue;
    for (const auto& line : order.lines()) bought[line.product_id()] += line.quantity();
  }
  result = &checker.Start("stock is conserved, never negative, nothing reserved at rest");
  InvariantResult& stock = *result;
  read = ForEachRow(
      inputs.product, "SELECT product_id, available, reserved, sold FROM products",
      [&](sql::ResultSet& row) {
        const std::string id = row.getString(1);
        const int64_t available = row.getInt64(2), reserved = row.getInt64(3),
                      sold = row.getInt64(4);
        ++stock.checked;
        if (available < 0 || reserved != 0 || sold < 0) {
          Checker::Violation(stock, absl::StrCat(id, ": available ", available, ", reserved ",
                                                 reserved, ", sold ", sold));
        }
        const int64_t expected_sold = bought.count(id) ? bought.at(id) : 0;
        if (sold != expected_sold) {
          Checker::Violation(stock, absl::StrCat(id, ": sold ", sold,
                                                 " but completed orders bought ", expected_sold));
        }
        const auto put_in = inputs.stock_put_in.find(id);
        if (put_in != inputs.stock_put_in.end() && available + reserved + sold != put_in->second) {
          Checker::Violation(stock, absl::StrCat(id, ": ", available + reserved + sold,
                                                 " in stock, sold or reserved, but ",
                                                 put_in->second, " were put in"));
        }
      });
  if (!read.ok()) return read;

  if (!inputs.coupon.database.empty()) {
    std::map<std::string, std::pair<int64_t, int64_t>> campaigns;  // total, issued
    read = ForEachRow(inputs.coupon, "SELECT campaign_id, document FROM campaigns",
                      [&](sql::ResultSet& row) {
                        coupon::v1::Campaign campaign;
                        campaign.ParseFromString(Blob(row, 2));
                        campaigns[row.getString(1)] = {campaign.total_coupons(), 0};
                      });
    if (!read.ok()) return read;
    std::map<std::string, coupon::v1::Coupon> coupons;
    read = ForEachRow(inputs.coupon, "SELECT coupon_code, document FROM coupons",
                      [&](sql::ResultSet& row) {
                        coupon::v1::Coupon coupon;
                        coupon.ParseFromString(Blob(row, 2));
                        ++campaigns[coupon.campaign_id()].second;
                        coupons[row.getString(1)] = std::move(coupon);
                      });
    if (!read.ok()) return read;
    result = &checker.Start("no coupon campaign is over-issued");
    for (const auto& [id, counts] : campaigns) {
      ++result->checked;
      if (counts.second > counts.first) {
        Checker::Violation(*result,
                           absl::StrCat(id, ": ", counts.second, " coupons of ", counts.first));
      }
    }
    // Completed orders holding each coupon, by what the order recorded.
    std::map<std::string, std::vector<std::string>> redeemed_by;
    for (const auto& [id, order] : orders) {
      if (order.status() == order::v1::ORDER_STATUS_COMPLETED &&
          order.coupon().state() == order::v1::COUPON_REDEMPTION_STATE_REDEEMED) {
        redeemed_by[order.coupon().coupon_code()].push_back(id);
      }
    }
    verdict.counts["coupons issued"] = static_cast<int64_t>(coupons.size());
    verdict.counts["coupons redeemed by completed orders"] =
        static_cast<int64_t>(redeemed_by.size());
    result = &checker.Start("no coupon is redeemed twice");
    for (const auto& [code, coupon] : coupons) {
      ++result->checked;
      const std::vector<std::string> holders =
          redeemed_by.count(code) ? redeemed_by.at(code) : std::vector<std::string>{};
      if (holders.size() > 1) {
        Checker::Violation(*result, code + " redeemed by " + absl::StrJoin(holders, ", "));
      } else if ((coupon.state() == coupon::v1::COUPON_STATE_REDEEMED) != (holders.size() == 1) ||
                 (holders.size() == 1 && coupon.order_id() != holders[0])) {
        Checker::Violation(
            *result,
            absl::StrCat(code, " is ", coupon::v1::CouponState_Name(coupon.state()), " (order ",
                         coupon.order_id(), ") but ", holders.size(), " completed orders hold it"));
      }
    }
    for (const auto& [code, holders] : redeemed_by) {
      if (coupons.count(code) == 0) {
        Checker::Violation(*result, code + " was never issued but " + holders[0] + " redeemed it");
      }
    }
  }

  if (!inputs.brokers.empty()) {
    auto dead = DeadLetters(inputs);
    if (!dead.ok()) return dead.status();
    result = &checker.Start("no unexpected dead letter");
    for (const auto& [topic, records] : *dead) {
      ++result->checked;
      if (inputs.expected_dead_letter_topics.count(topic) == 0) {
        Checker::Violation(*result, absl::StrCat(topic, " holds ", records, " record(s)"));
      }
    }
  }
  return std::move(verdict);
}

}  // namespace shop::chaos

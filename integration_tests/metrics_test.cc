// A service's /metrics: valid for promtool, gRPC calls counted by method and
// code, the outbox backlog growing while the relay is off and draining when
// it runs, consumer counts and lag per partition.
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/metrics_scrape.h"
#include "common/testing/service_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration_tests/catalog_feed.h"
#include "proto/shop/order/v1/order_service.grpc.pb.h"

namespace shop::testing {
namespace {

using ::testing::HasSubstr;

// The value of the sample with exactly this name and labels, or -1.
double Sample(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  const size_t start = at + series.size() + 2;
  double value = -1;
  if (!absl::SimpleAtod(text.substr(start, text.find('\n', start) - start), &value)) return -1;
  return value;
}

grpc::Status Place(shop::order::v1::OrderService::Stub& orders, const std::string& key,
                   int64_t quantity) {
  grpc::ClientContext context;
  const auto request = OneLineOrder("metrics-customer", key, "metrics-tea", quantity);
  shop::order::v1::PlaceOrderResponse response;
  return orders.PlaceOrder(&context, request, &response);
}

TEST(MetricsTest, AServiceExposesValidMetricsThatMoveWithItsWork) {
  TestDatabase database("metrics_it");
  ASSERT_TRUE(database.status().ok());
  const std::string ns = UniqueName("metrics_it");
  const int metrics_port = FreePort();
  const std::string metrics_flag = absl::StrCat("--metrics_address=127.0.0.1:", metrics_port);
  // First without its relay: accepted orders wait in the outbox.
  ServiceProcess held("order/order", database.options(), ns, {metrics_flag, "--relay=false"});
  ASSERT_TRUE(held.Start().ok());
  TeachCatalog(ns, database.options(), "metrics-tea", 450);
  auto orders = shop::order::v1::OrderService::NewStub(
      grpc::CreateChannel(held.address(), grpc::InsecureChannelCredentials()));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Place(*orders, absl::StrCat("m-", i), 1).ok());
  EXPECT_EQ(Place(*orders, "m-bad", 0).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  std::string text = Scrape(metrics_port);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(Promtool(text), "exit=0\n");
  EXPECT_EQ(Sample(text,
                   "shop_grpc_server_handled_total{method=\"/shop.order.v1.OrderService/"
                   "PlaceOrder\",code=\"OK\"}"),
            3);
  EXPECT_EQ(Sample(text,
                   "shop_grpc_server_handled_total{method=\"/shop.order.v1.OrderService/"
                   "PlaceOrder\",code=\"INVALID_ARGUMENT\"}"),
            1);
  EXPECT_EQ(Sample(text,
                   "shop_grpc_server_handling_seconds_count{method=\"/shop.order.v1."
                   "OrderService/PlaceOrder\"}"),
            4);
  EXPECT_EQ(Sample(text, "shop_outbox_backlog_events"), 3) << "held: the relay is off";
  EXPECT_GT(Sample(text, "shop_outbox_oldest_unpublished_age_seconds"), 0);
  EXPECT_GE(Sample(text, "shop_consumer_events_applied_total{group=\"order\"}"), 1)
      << "the catalog event";
  EXPECT_THAT(text, HasSubstr("shop_consumer_lag_records{group=\"order\",topic=\"" + ns +
                              ".shop.product.events\""));
  EXPECT_THAT(text, HasSubstr("shop_db_pool_wait_seconds_count"));
  ASSERT_TRUE(held.Stop().ok());

  // With its relay: the backlog drains to zero.
  ServiceProcess relaying("order/order", database.options(), ns, {metrics_flag});
  ASSERT_TRUE(relaying.Start().ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string now = Scrape(metrics_port);
        return Sample(now, "shop_outbox_backlog_events") == 0 &&
               Sample(now, "shop_outbox_oldest_unpublished_age_seconds") == 0;
      },
      absl::Seconds(30)));
  // Caught up on the product topic: no lag on any of its partitions.
  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string now = Scrape(metrics_port);
        std::regex lag("shop_consumer_lag_records\\{[^}]*\\} ([0-9.e+]+)");
        int series = 0;
        for (auto it = std::sregex_iterator(now.begin(), now.end(), lag);
             it != std::sregex_iterator(); ++it, ++series) {
          if ((*it)[1] != "0") return false;
        }
        return series > 0;
      },
      absl::Seconds(30)));
  // A consumer that cannot apply (its processed_events table locked by an
  // operator): its lag grows with every event that arrives; unlocked, it
  // catches up and the lag is 0 again.
  auto total_lag = [&] {
    const std::string now = Scrape(metrics_port);
    std::regex lag("shop_consumer_lag_records\\{[^}]*\\} ([0-9.e+]+)");
    double total = 0;
    for (auto it = std::sregex_iterator(now.begin(), now.end(), lag); it != std::sregex_iterator();
         ++it) {
      total += std::stod((*it)[1]);
    }
    return total;
  };
  mysql::ConnectionPool admin(AdminOptions());
  auto locker = admin.Acquire();
  ASSERT_TRUE(locker.ok());
  locker->Execute("LOCK TABLES `" + database.options().database + "`.processed_events WRITE");
  for (int i = 0; i < 10; ++i) PublishProductChanged(ns, absl::StrCat("lagging-", i), 100 + i);
  EXPECT_TRUE(WaitFor([&] { return total_lag() == 10; }, absl::Seconds(30))) << total_lag();
  locker->Execute("UNLOCK TABLES");
  EXPECT_TRUE(WaitFor([&] { return total_lag() == 0; }, absl::Seconds(30))) << total_lag();

  const std::string after = Scrape(metrics_port);
  EXPECT_EQ(Promtool(after), "exit=0\n");
  // The three held orders' events, published by this instance's relay.
  EXPECT_GE(Sample(after, "shop_outbox_published_total"), 3);
  EXPECT_GE(Sample(after, "shop_outbox_commit_to_ack_seconds_count"), 3);
  EXPECT_GT(Sample(after, "shop_outbox_commit_to_ack_seconds_sum"), 0);
  ASSERT_TRUE(relaying.Stop().ok());
}

}  // namespace
}  // namespace shop::testing

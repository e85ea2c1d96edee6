// The exposition format, exactly, and as Prometheus's own promtool reads it.
#include "common/metrics/metrics.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shop::metrics {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, CountersGaugesAndHistogramsInTheTextFormat) {
  Registry registry;
  auto& calls = registry.Counter("shop_test_calls_total", "Calls handled.", {"method", "code"});
  calls.With({"/a.B/C", "OK"}).Increment();
  calls.With({"/a.B/C", "OK"}).Increment(2);
  calls.With({"/a.B/C", "INTERNAL"}).Increment();
  registry.Gauge("shop_test_backlog", "Rows waiting.").With({}).Set(7);
  auto& latency =
      registry.Histogram("shop_test_latency_seconds", "Latency.", {"method"}, {0.01, 0.1});
  latency.With({"x"}).Observe(0.005);
  latency.With({"x"}).Observe(0.05);
  latency.With({"x"}).Observe(3);
  int collected = 0;
  registry.AddCollector([&] { registry.Gauge("shop_test_backlog", "").With({}).Set(++collected); });
  EXPECT_EQ(registry.Exposition(),
            "# HELP shop_test_calls_total Calls handled.\n"
            "# TYPE shop_test_calls_total counter\n"
            "shop_test_calls_total{method=\"/a.B/C\",code=\"INTERNAL\"} 1\n"
            "shop_test_calls_total{method=\"/a.B/C\",code=\"OK\"} 3\n"
            "# HELP shop_test_backlog Rows waiting.\n"
            "# TYPE shop_test_backlog gauge\n"
            "shop_test_backlog 1\n"
            "# HELP shop_test_latency_seconds Latency.\n"
            "# TYPE shop_test_latency_seconds histogram\n"
            "shop_test_latency_seconds_bucket{method=\"x\",le=\"0.01\"} 1\n"
            "shop_test_latency_seconds_bucket{method=\"x\",le=\"0.1\"} 2\n"
            "shop_test_latency_seconds_bucket{method=\"x\",le=\"+Inf\"} 3\n"
            "shop_test_latency_seconds_sum{method=\"x\"} 3.055\n"
            "shop_test_latency_seconds_count{method=\"x\"} 3\n");
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Registry registry;
  registry.Counter("shop_test_total", "x", {"v"}).With({"a\"b\\c\nd"}).Increment();
  EXPECT_THAT(registry.Exposition(), HasSubstr("shop_test_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(MetricsTest, PromtoolAcceptsTheExposition) {
  Registry registry;
  registry.Counter("shop_test_events_total", "Events.", {"topic"}).With({"t"}).Increment();
  registry.Gauge("shop_test_lag_records", "Lag.", {"topic", "partition"}).With({"t", "0"}).Set(3);
  registry.Histogram("shop_test_handler_seconds", "Handler time.").With({}).Observe(0.002);
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/metrics.txt";
  std::ofstream(path) << registry.Exposition();
  const std::string command = "/usr/bin/promtool check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  EXPECT_EQ(pclose(pipe), 0) << output;
  EXPECT_EQ(output, "") << "promtool's lint findings";
}

}  // namespace
}  // namespace shop::metrics

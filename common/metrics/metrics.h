// Prometheus metrics, written by hand (prometheus-cpp is not packaged in
// Debian; the text exposition format 0.0.4 is small): counters, gauges and
// histograms in labelled families, a process-wide registry, and collectors
// that compute values at scrape time (a backlog read from the database, a
// consumer's lag). Names follow the conventions: base units (seconds,
// bytes), `_total` for counters.
//
//   auto& calls = metrics::Registry::Default().Counter(
//       "shop_grpc_server_handled_total", "gRPC calls handled", {"method", "code"});
//   calls.With({"/shop.order.v1.OrderService/PlaceOrder", "OK"}).Increment();
#ifndef SHOP_COMMON_METRICS_METRICS_H_
#define SHOP_COMMON_METRICS_METRICS_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace shop::metrics {

class Counter {
 public:
  void Increment(double by = 1);
  // For a collector mirroring a count kept elsewhere (it only grows).
  void SetTotal(double total) { value_.store(total, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double by);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double> bounds_;
  mutable absl::Mutex mu_;
  std::vector<uint64_t> counts_ ABSL_GUARDED_BY(mu_);  // per bucket, last is +Inf
  double sum_ ABSL_GUARDED_BY(mu_) = 0;
};

// Latency buckets in seconds, 0.5 ms to 10 s.
std::vector<double> LatencyBuckets();

template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels,
         std::function<std::unique_ptr<T>()> make)
      : name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        make_(std::move(make)) {}

  // The metric with these label values (as many as the family's labels).
  T& With(const std::vector<std::string>& values) {
    absl::MutexLock lock(&mu_);
    auto& metric = metrics_[values];
    if (metric == nullptr) metric = make_();
    return *metric;
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }
  template <typename F>
  void ForEach(F each) const {
    absl::MutexLock lock(&mu_);
    for (const auto& [values, metric] : metrics_) each(values, *metric);
  }

 private:
  const std::string name_, help_;
  const std::vector<std::string> labels_;
  std::function<std::unique_ptr<T>()> make_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> metrics_ ABSL_GUARDED_BY(mu_);
};

class Registry {
 public:
  static Registry& Default();

  // The family of that name, made on first use (later calls return it).
  Family<metrics::Counter>& Counter(const std::string& name, const std::string& help,
                                    std::vector<std::string> labels = {});
  Family<metrics::Gauge>& Gauge(const std::string& name, const std::string& help,
                                std::vector<std::string> labels = {});
  Family<metrics::Histogram>& Histogram(const std::string& name, const std::string& help,
                                        std::vector<std::string> labels = {},
                                        std::vector<double> bounds = LatencyBuckets());

  // Runs before each exposition, e.g. to set gauges from a query.
  void AddCollector(std::function<void()> collect);

  // The text exposition format (version 0.0.4).
  std::string Exposition();

 private:
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Family<metrics::Counter>>> counters_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Family<metrics::Gauge>>> gauges_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Family<metrics::Histogram>>> histograms_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> collectors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace shop::metrics

#endif  // SHOP_COMMON_METRICS_METRICS_H_

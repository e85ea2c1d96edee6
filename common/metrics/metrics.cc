#include "common/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace shop::metrics {
namespace {

void AtomicAdd(std::atomic<double>& value, double by) {
  double current = value.load(std::memory_order_relaxed);
  while (!value.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

std::string Number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  // The shortest form that reads back as the same double.
  for (int precision : {15, 16}) {
    const std::string text = absl::StrFormat("%.*g", precision, value);
    if (std::strtod(text.c_str(), nullptr) == value) return text;
  }
  return absl::StrFormat("%.17g", value);
}

std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Labels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                   const std::string& extra = "") {
  std::vector<std::string> parts;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    parts.push_back(absl::StrCat(names[i], "=\"", Escape(values[i]), "\""));
  }
  if (!extra.empty()) parts.push_back(extra);
  if (parts.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < parts.size(); ++i) absl::StrAppend(&out, i ? "," : "", parts[i]);
  return out + "}";
}

template <typename T>
void Header(std::string& out, const Family<T>& family, const char* type) {
  absl::StrAppend(&out, "# HELP ", family.name(), " ", family.help(), "\n# TYPE ", family.name(),
                  " ", type, "\n");
}

template <typename T>
Family<T>& FindOrMake(std::map<std::string, std::unique_ptr<Family<T>>>& families,
                      const std::string& name, const std::string& help,
                      std::vector<std::string> labels, std::function<std::unique_ptr<T>()> make) {
  auto& family = families[name];
  if (family == nullptr) {
    family = std::make_unique<Family<T>>(name, help, std::move(labels), std::move(make));
  }
  return *family;
}

}  // namespace

void Counter::Increment(double by) { AtomicAdd(value_, by); }
void Gauge::Add(double by) { AtomicAdd(value_, by); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  absl::MutexLock lock(&mu_);
  ++counts_[bucket];
  sum_ += value;
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.bounds = bounds_;
  absl::MutexLock lock(&mu_);
  uint64_t running = 0;
  for (uint64_t count : counts_) {
    running += count;
    snapshot.cumulative.push_back(running);
  }
  snapshot.sum = sum_;
  snapshot.count = running;
  return snapshot;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Registry& Registry::Default() {
  static Registry* registry = new Registry();
  return *registry;
}

Family<Counter>& Registry::Counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> labels) {
  absl::MutexLock lock(&mu_);
  return FindOrMake<metrics::Counter>(counters_, name, help, std::move(labels),
                                      [] { return std::make_unique<metrics::Counter>(); });
}

Family<Gauge>& Registry::Gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> labels) {
  absl::MutexLock lock(&mu_);
  return FindOrMake<metrics::Gauge>(gauges_, name, help, std::move(labels),
                                    [] { return std::make_unique<metrics::Gauge>(); });
}

Family<Histogram>& Registry::Histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels,
                                       std::vector<double> bounds) {
  absl::MutexLock lock(&mu_);
  return FindOrMake<metrics::Histogram>(histograms_, name, help, std::move(labels), [bounds] {
    return std::make_unique<metrics::Histogram>(bounds);
  });
}

void Registry::AddCollector(std::function<void()> collect) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(collect));
}

std::string Registry::Exposition() {
  std::vector<std::function<void()>> collectors;
  {
    absl::MutexLock lock(&mu_);
    collectors = collectors_;
  }
  for (const auto& collect : collectors) collect();
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : counters_) {
    Header(out, *family, "counter");
    family->ForEach([&](const std::vector<std::string>& values, const metrics::Counter& counter) {
      absl::StrAppend(&out, name, Labels(family->labels(), values), " ", Number(counter.value()),
                      "\n");
    });
  }
  for (const auto& [name, family] : gauges_) {
    Header(out, *family, "gauge");
    family->ForEach([&](const std::vector<std::string>& values, const metrics::Gauge& gauge) {
      absl::StrAppend(&out, name, Labels(family->labels(), values), " ", Number(gauge.value()),
                      "\n");
    });
  }
  for (const auto& [name, family] : histograms_) {
    Header(out, *family, "histogram");
    family->ForEach([&](const std::vector<std::string>& values, const metrics::Histogram& h) {
      const metrics::Histogram::Snapshot s = h.snapshot();
      for (size_t i = 0; i < s.cumulative.size(); ++i) {
        const double bound =
            i < s.bounds.size() ? s.bounds[i] : std::numeric_limits<double>::infinity();
        absl::StrAppend(
            &out, name, "_bucket",
            Labels(family->labels(), values, absl::StrCat("le=\"", Number(bound), "\"")), " ",
            s.cumulative[i], "\n");
      }
      absl::StrAppend(&out, name, "_sum", Labels(family->labels(), values), " ", Number(s.sum),
                      "\n", name, "_count", Labels(family->labels(), values), " ", s.count, "\n");
    });
  }
  return out;
}

}  // namespace shop::metrics

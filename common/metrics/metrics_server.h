// Serves a registry's exposition on GET /metrics (cpp-httplib), for
// Prometheus to scrape. Anything else is 404.
#ifndef SHOP_COMMON_METRICS_METRICS_SERVER_H_
#define SHOP_COMMON_METRICS_METRICS_SERVER_H_

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/metrics/metrics.h"

namespace shop::metrics {

class MetricsServer {
 public:
  explicit MetricsServer(Registry& registry = Registry::Default());
  ~MetricsServer() { Stop(); }

  // "host:port" (port 0: any free port); returns the bound port.
  absl::StatusOr<int> Start(const std::string& address);
  void Stop();

 private:
  Registry& registry_;
  httplib::Server server_;
  std::thread thread_;
};

}  // namespace shop::metrics

#endif  // SHOP_COMMON_METRICS_METRICS_SERVER_H_

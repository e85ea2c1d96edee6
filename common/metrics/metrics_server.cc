#include "common/metrics/metrics_server.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace shop::metrics {

MetricsServer::MetricsServer(Registry& registry) : registry_(registry) {
  server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(registry_.Exposition(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

absl::StatusOr<int> MetricsServer::Start(const std::string& address) {
  const std::vector<std::string> parts = absl::StrSplit(address, ':');
  int port = -1;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("metrics address must be host:port: ", address));
  }
  port = port == 0 ? server_.bind_to_any_port(parts[0])
                   : (server_.bind_to_port(parts[0], port) ? port : -1);
  if (port <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  return port;
}

void MetricsServer::Stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace shop::metrics

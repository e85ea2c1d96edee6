// The demo partner's webhook endpoint, as a partner would write it: checks
// the Standard Webhooks signature and timestamp, drops a webhook-id it has
// seen (at-least-once delivery), and appends each event as one JSON line to
// --out. POST /platform takes the data platform's CloudEvents batches.
#include <httplib.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "common/config/flags.h"
#include "gateway/webhooks/signature.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(int, port, 8091, "port on 127.0.0.1");
ABSL_FLAG(std::string, secret, "", "the partner's signing secret (whsec_...)");
ABSL_FLAG(std::string, out, "received.jsonl", "one JSON line per accepted partner event");
ABSL_FLAG(std::string, platform_out, "platform.jsonl", "one JSON line per platform event");

int main(int argc, char** argv) {
  shop::config::ParseFlags(argc, argv);
  std::mutex mu;
  std::set<std::string> seen;
  httplib::Server server;
  server.Post("/hooks", [&](const httplib::Request& request, httplib::Response& response) {
    const std::string id = request.get_header_value("webhook-id");
    absl::Status verified = shop::gateway::VerifyWebhook(
        absl::GetFlag(FLAGS_secret), id, request.get_header_value("webhook-timestamp"),
        request.get_header_value("webhook-signature"), request.body, absl::Now());
    if (!verified.ok()) {
      response.status = 401;
      std::fprintf(stderr, "refused %s: %s\n", id.c_str(), verified.ToString().c_str());
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    if (seen.insert(id).second) {
      std::ofstream(absl::GetFlag(FLAGS_out), std::ios::app)
          << nlohmann::json{{"webhook-id", id},
                            {"signature", "valid"},
                            {"event", nlohmann::json::parse(request.body, nullptr, false)}}
                 .dump()
          << "\n";
    }
    response.status = 204;
  });
  server.Post("/platform", [&](const httplib::Request& request, httplib::Response& response) {
    const nlohmann::json batch = nlohmann::json::parse(request.body, nullptr, false);
    std::lock_guard<std::mutex> lock(mu);
    std::ofstream out(absl::GetFlag(FLAGS_platform_out), std::ios::app);
    for (const auto& event : batch) out << event.dump() << "\n";
    response.status = 204;
  });
  if (!server.listen("127.0.0.1", absl::GetFlag(FLAGS_port))) {
    std::fprintf(stderr, "webhook_receiver: cannot listen on port %d\n", absl::GetFlag(FLAGS_port));
    return 1;
  }
  return 0;
}

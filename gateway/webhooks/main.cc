// The webhook dispatcher: the outbound half of the anti-corruption layer.
// It consumes the events in its own group with its own database
// (recorder.h), and sends what it owes to each partner's webhook and to the
// data platform (sender.h). Partners and their webhooks come from the same
// partners file as the gateway's.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "common/config/flags.h"
#include "common/events/contract_topics.h"
#include "common/service/service_runtime.h"
#include "gateway/partner/partners.h"
#include "gateway/webhooks/recorder.h"
#include "gateway/webhooks/sender.h"
#include "gateway/webhooks/webhook_store.h"

ABSL_FLAG(std::string, partners_file, "", "partner configuration (JSON), with their webhooks");
ABSL_FLAG(std::string, platform_url, "",
          "the data platform's endpoint: every domain event, batched (empty: none)");
ABSL_FLAG(std::string, platform_secret, "",
          "its signing secret (whsec_...), if any; better SHOP_PLATFORM_SECRET or"
          " --platform_secret_file, which ps does not show");
ABSL_FLAG(std::string, platform_secret_file, "", "a file (mode 600) holding that secret");
ABSL_FLAG(int, platform_batch, 100, "events per platform request, at most");
ABSL_FLAG(std::string, webhook_retry_schedule, "5s,30s,2m,10m,30m,1h,2h,4h,8h,8h",
          "the wait before each retry (then dead); jittered by +-20%");
ABSL_FLAG(int, webhook_concurrency, 4, "orders in flight per partner");
ABSL_FLAG(int, webhook_timeout_ms, 10000, "the time a receiver has to answer");
ABSL_FLAG(int, webhook_retention_hours, 24 * 7, "delivered messages are kept this long");
ABSL_FLAG(bool, send, true, "run the senders (one instance is enough; they claim nothing)");

int main(int argc, char** argv) {
  auto runtime = shop::service::ServiceRuntime::Create(
      {
          .name = "webhooks",
          .migrations = {{"webhooks", shop::gateway::WebhookMigrations()}},
          // Every topic: the platform subscription takes every domain
          // event; without it, what no handler takes is skipped.
          .consumed_topics = shop::events::ContractTopics(),
          .produced_topics = {},
      },
      argc, argv);
  if (!runtime.ok()) {
    std::fprintf(stderr, "webhooks: cannot start: %s\n", runtime.status().ToString().c_str());
    return 1;
  }
  std::ifstream file(absl::GetFlag(FLAGS_partners_file));
  std::stringstream text;
  text << file.rdbuf();
  auto partners = shop::gateway::ParsePartners(text.str());
  auto schedule = shop::gateway::ParseSchedule(absl::GetFlag(FLAGS_webhook_retry_schedule));
  if (!file || !partners.ok() || !schedule.ok()) {
    std::fprintf(stderr, "webhooks: %s\n",
                 !file            ? "cannot read --partners_file"
                 : !partners.ok() ? partners.status().ToString().c_str()
                                  : schedule.status().ToString().c_str());
    return 1;
  }
  std::set<std::string> with_webhooks;
  std::vector<shop::gateway::Subscriber> subscribers;
  for (const auto& partner : *partners) {
    if (partner.webhook_url.empty()) continue;
    with_webhooks.insert(partner.id);
    subscribers.push_back({partner.id, partner.webhook_url, partner.webhook_secrets, 1});
  }
  const std::string platform_url = absl::GetFlag(FLAGS_platform_url);
  if (!platform_url.empty()) {
    std::vector<std::string> secrets;
    std::string secret = absl::GetFlag(FLAGS_platform_secret);
    if (const std::string file = absl::GetFlag(FLAGS_platform_secret_file); !file.empty()) {
      auto read = shop::config::ReadSecretFile(file);
      if (!read.ok()) {
        std::fprintf(stderr, "webhooks: %s\n", read.status().ToString().c_str());
        return 1;
      }
      secret = *read;
    }
    if (!secret.empty()) secrets.push_back(secret);
    subscribers.push_back({shop::gateway::kPlatformSubscriber, platform_url, secrets,
                           std::max(2, absl::GetFlag(FLAGS_platform_batch))});
  }
  shop::gateway::WebhookRecorder recorder(with_webhooks, !platform_url.empty());
  for (shop::consumer::EventConsumer* consumer : (*runtime)->consumers()) {
    recorder.Register(*consumer);
  }
  shop::gateway::SenderOptions options;
  options.schedule = *schedule;
  options.concurrency = std::max(1, absl::GetFlag(FLAGS_webhook_concurrency));
  options.request_timeout = absl::Milliseconds(absl::GetFlag(FLAGS_webhook_timeout_ms));
  options.retention = absl::Hours(absl::GetFlag(FLAGS_webhook_retention_hours));
  shop::gateway::WebhookStore store((*runtime)->pool());
  shop::gateway::WebhookSender sender(store, subscribers, options);
  if (absl::GetFlag(FLAGS_send)) sender.Start();
  const int code = (*runtime)->Run();
  sender.Stop();
  return code;
}

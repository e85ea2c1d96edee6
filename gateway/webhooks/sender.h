// The sending side of the webhook dispatcher: one thread per subscriber, so
// one partner's dead or slow receiver never delays another's. A partner's
// thread sends the head of each order's stream (up to `concurrency` orders
// at once), one CloudEvent per request, signed per Standard Webhooks; the
// platform's thread sends its oldest rows as one batch. A 2xx is delivered;
// anything else (an error status, a refused connection, a timeout) is
// retried on the schedule, with jitter, and dead after the last attempt,
// holding the later messages of its order until an operator redelivers it
// (shopctl webhooks redeliver).
#ifndef SHOP_GATEWAY_WEBHOOKS_SENDER_H_
#define SHOP_GATEWAY_WEBHOOKS_SENDER_H_

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/webhooks/webhook_store.h"

namespace shop::gateway {

struct Subscriber {
  std::string id;  // a partner id, or "platform"
  std::string url;
  std::vector<std::string> secrets;  // whsec_...; none: unsigned (platform only)
  int batch = 1;                     // >1: CloudEvents batches of up to this many
};

struct SenderOptions {
  // The wait before each retry; attempts = 1 + its length.
  std::vector<absl::Duration> schedule = {
      absl::Seconds(5), absl::Seconds(30), absl::Minutes(2), absl::Minutes(10), absl::Minutes(30),
      absl::Hours(1),   absl::Hours(2),    absl::Hours(4),   absl::Hours(8),    absl::Hours(8)};
  double jitter = 0.2;  // each wait is scaled by a random factor in [1 - j, 1 + j]
  absl::Duration connect_timeout = absl::Seconds(3);
  absl::Duration request_timeout = absl::Seconds(10);
  int concurrency = 4;  // orders in flight per partner
  absl::Duration idle_poll = absl::Milliseconds(100);
  // Delivered rows are kept this long (for the operator), then deleted.
  absl::Duration retention = absl::Hours(24 * 7);
};

// "5s,30s,2m" -> durations; INVALID_ARGUMENT naming the bad entry.
absl::StatusOr<std::vector<absl::Duration>> ParseSchedule(const std::string& text);

class WebhookSender {
 public:
  WebhookSender(WebhookStore& store, std::vector<Subscriber> subscribers, SenderOptions options)
      : store_(store), subscribers_(std::move(subscribers)), options_(std::move(options)) {}
  ~WebhookSender() { Stop(); }

  void Start();
  void Stop();

  // The wait after `attempts` failed attempts; nullopt: no attempt is left.
  std::optional<absl::Duration> RetryDelay(int attempts);

 private:
  struct Outcome {
    int status = 0;  // HTTP status; 0 when none came back
    std::string error;
    bool ok() const { return status >= 200 && status < 300; }
  };
  void Loop(const Subscriber& subscriber);
  void PruneLoop();
  void SendEach(const Subscriber& subscriber, const std::vector<Delivery>& rows);
  void SendBatch(const Subscriber& subscriber, const std::vector<Delivery>& rows);
  Outcome Post(const Subscriber& subscriber, const std::string& id, const std::string& body,
               const std::string& content_type);
  void Record(const std::vector<const Delivery*>& rows, const Outcome& outcome);

  WebhookStore& store_;
  std::vector<Subscriber> subscribers_;
  SenderOptions options_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  absl::Mutex random_mu_;
  absl::BitGen random_ ABSL_GUARDED_BY(random_mu_);
};

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_WEBHOOKS_SENDER_H_

#include "gateway/webhooks/sender.h"

#include <httplib.h>

#include <regex>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/logging/log.h"
#include "gateway/partner/partners.h"
#include "gateway/webhooks/signature.h"

namespace shop::gateway {

absl::StatusOr<std::vector<absl::Duration>> ParseSchedule(const std::string& text) {
  std::vector<absl::Duration> schedule;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    absl::Duration wait;
    if (!absl::ParseDuration(part, &wait) || wait < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat("retry schedule: not a duration: ", part));
    }
    schedule.push_back(wait);
  }
  return schedule;
}

std::optional<absl::Duration> WebhookSender::RetryDelay(int attempts) {
  if (attempts < 1 || attempts > static_cast<int>(options_.schedule.size())) return std::nullopt;
  absl::MutexLock lock(&random_mu_);
  const double factor = absl::Uniform(random_, 1 - options_.jitter, 1 + options_.jitter);
  return options_.schedule[attempts - 1] * factor;
}

void WebhookSender::Start() {
  for (const Subscriber& subscriber : subscribers_) {
    threads_.emplace_back([this, &subscriber] { Loop(subscriber); });
  }
  threads_.emplace_back([this] { PruneLoop(); });
}

void WebhookSender::PruneLoop() {
  absl::Time next = absl::Now();
  while (!stopping_) {
    if (absl::Now() >= next) {
      auto deleted = store_.PruneDelivered(options_.retention, 1000);
      // A full chunk: more to delete, go on at once; otherwise in a minute.
      next = absl::Now() +
             (deleted.ok() && *deleted == 1000 ? absl::ZeroDuration() : absl::Minutes(1));
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

void WebhookSender::Stop() {
  stopping_ = true;
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void WebhookSender::Loop(const Subscriber& subscriber) {
  log::Info("webhook sender started", {{"subscriber", subscriber.id}, {"url", subscriber.url}});
  while (!stopping_) {
    auto rows = subscriber.batch > 1 ? store_.DueBatch(subscriber.id, subscriber.batch)
                                     : store_.DueHeads(subscriber.id, options_.concurrency * 4);
    if (!rows.ok()) {
      log::Warning("webhook sender cannot read its queue",
                   {{"subscriber", subscriber.id}, {"error", rows.status().ToString()}});
      absl::SleepFor(absl::Seconds(1));
      continue;
    }
    if (rows->empty()) {
      absl::SleepFor(options_.idle_poll);
      continue;
    }
    if (subscriber.batch > 1) {
      SendBatch(subscriber, *rows);
    } else {
      SendEach(subscriber, *rows);
    }
  }
}

void WebhookSender::SendEach(const Subscriber& subscriber, const std::vector<Delivery>& rows) {
  // Each row heads a different order's stream: they may go in parallel.
  std::vector<std::thread> workers;
  const size_t lanes = std::min<size_t>(rows.size(), std::max(1, options_.concurrency));
  for (size_t lane = 0; lane < lanes; ++lane) {
    workers.emplace_back([&, lane] {
      for (size_t i = lane; i < rows.size() && !stopping_; i += lanes) {
        Outcome outcome =
            Post(subscriber, rows[i].event_id, rows[i].payload, "application/cloudevents+json");
        Record({&rows[i]}, outcome);
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
}

void WebhookSender::SendBatch(const Subscriber& subscriber, const std::vector<Delivery>& rows) {
  std::vector<std::string> payloads, ids;
  std::vector<const Delivery*> pointers;
  for (const Delivery& row : rows) {
    payloads.push_back(row.payload);
    ids.push_back(row.event_id);
    pointers.push_back(&row);
  }
  // The same rows always make the same batch id.
  const std::string batch_id =
      absl::StrCat("batch_", Sha256Hex(absl::StrJoin(ids, ",")).substr(0, 32));
  Record(pointers, Post(subscriber, batch_id, absl::StrCat("[", absl::StrJoin(payloads, ","), "]"),
                        "application/cloudevents-batch+json"));
}

WebhookSender::Outcome WebhookSender::Post(const Subscriber& subscriber, const std::string& id,
                                           const std::string& body,
                                           const std::string& content_type) {
  static const std::regex kUrl(R"(^(https?://[^/]+)(/.*)?$)");
  std::smatch parts;
  if (!std::regex_match(subscriber.url, parts, kUrl)) return {0, "malformed webhook url"};
  const int64_t timestamp = absl::ToUnixSeconds(absl::Now());
  httplib::Headers headers = {{"webhook-id", id},
                              {"webhook-timestamp", std::to_string(timestamp)},
                              {"User-Agent", "shop-webhooks/1"}};
  if (!subscriber.secrets.empty()) {
    std::string signature;
    if (absl::Status signed_ = SignatureHeader(subscriber.secrets, id, timestamp, body, &signature);
        !signed_.ok()) {
      return {0, signed_.ToString()};
    }
    headers.emplace("webhook-signature", signature);
  }
  httplib::Client client(parts[1].str());
  client.set_connection_timeout(absl::ToChronoMilliseconds(options_.connect_timeout));
  client.set_read_timeout(absl::ToChronoMilliseconds(options_.request_timeout));
  client.set_write_timeout(absl::ToChronoMilliseconds(options_.request_timeout));
  httplib::Request request;
  request.method = "POST";
  request.path = parts[2].matched ? parts[2].str() : "/";
  request.headers = std::move(headers);
  request.headers.emplace("Content-Type", content_type);
  request.body = body;
  // Only the status line matters; a receiver's reply is read up to 64 KiB
  // (the first 200 bytes kept for the log), then the connection is dropped,
  // so a hostile endpoint cannot make the dispatcher hold a huge body.
  constexpr size_t kMaxReplyBytes = 64 * 1024;
  size_t reply_bytes = 0;
  std::string reply;
  request.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
    if (reply.size() < 200) reply.append(data, std::min(length, 200 - reply.size()));
    reply_bytes += length;
    return reply_bytes <= kMaxReplyBytes;
  };
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  const bool answered = client.send(request, response, error);
  if (!answered && !(error == httplib::Error::Canceled && response.status > 0)) {
    return {0, absl::StrCat("no response: ", httplib::to_string(error))};
  }
  if (response.status >= 200 && response.status < 300) return {response.status, ""};
  return {response.status, absl::StrCat("HTTP ", response.status, ": ", reply)};
}

void WebhookSender::Record(const std::vector<const Delivery*>& rows, const Outcome& outcome) {
  std::vector<int64_t> ids;
  for (const Delivery* row : rows) ids.push_back(row->id);
  absl::Status recorded;
  if (outcome.ok()) {
    recorded = store_.MarkDelivered(ids, outcome.status);
  } else {
    // The rows of a batch were attempted together: they share a count.
    const std::optional<absl::Duration> retry_in = RetryDelay(rows.front()->attempts + 1);
    recorded = store_.MarkFailed(ids, outcome.status, outcome.error, retry_in);
    log::Write(retry_in ? log::Level::kInfo : log::Level::kWarning,
               retry_in ? "webhook failed; will retry" : "webhook dead after its last attempt",
               {{"subscriber", rows.front()->subscriber},
                {"event_id", rows.front()->event_id},
                {"attempts", int64_t{rows.front()->attempts + 1}},
                {"error", outcome.error},
                {"retry_in_ms", retry_in ? absl::ToInt64Milliseconds(*retry_in) : int64_t{-1}}});
  }
  if (!recorded.ok()) {
    // Sent but not recorded: it is sent again (at least once; the receiver
    // deduplicates by webhook-id).
    log::Warning("webhook outcome not recorded",
                 {{"subscriber", rows.front()->subscriber}, {"error", recorded.ToString()}});
  }
}

}  // namespace shop::gateway

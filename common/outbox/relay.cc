#include "common/outbox/relay.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors/taxonomy.h"
#include "common/logging/log.h"
#include "common/metrics/metrics.h"

namespace shop::outbox {
namespace {

constexpr size_t kLatencyWindow = 4096;

}  // namespace

std::vector<IdRange> LongestRuns(const std::vector<int64_t>& sorted_ids, int max_ranges) {
  std::vector<IdRange> runs;
  for (int64_t id : sorted_ids) {
    if (!runs.empty() && runs.back().last + 1 == id) {
      runs.back().last = id;
    } else {
      runs.push_back({id, id});
    }
  }
  const auto longer = [](const IdRange& a, const IdRange& b) {
    return a.last - a.first > b.last - b.first;
  };
  if (runs.size() > static_cast<size_t>(std::max(0, max_ranges))) {
    std::partial_sort(runs.begin(), runs.begin() + std::max(0, max_ranges), runs.end(), longer);
    runs.resize(std::max(0, max_ranges));
    std::sort(runs.begin(), runs.end(),
              [](const IdRange& a, const IdRange& b) { return a.first < b.first; });
  }
  return runs;
}

PublisherFactory KafkaPublisherFactory(std::string brokers,
                                       std::map<std::string, std::string> config) {
  return [brokers = std::move(brokers),
          config = std::move(config)]() -> absl::StatusOr<std::unique_ptr<kafka::EventPublisher>> {
    auto producer = kafka::Producer::Create(brokers, config);
    if (!producer.ok()) return producer.status();
    return std::unique_ptr<kafka::EventPublisher>(*std::move(producer));
  };
}

OutboxRelay::OutboxRelay(OutboxStore& store, PublisherFactory make_publisher, RelayOptions options)
    : store_(store), make_publisher_(std::move(make_publisher)), options_(std::move(options)) {}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void OutboxRelay::Stop() {
  stopping_ = true;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void OutboxRelay::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

RelayStats OutboxRelay::stats() const {
  absl::MutexLock lock(&mu_);
  RelayStats stats = stats_;
  stats.active = active_.load();
  if (!latencies_.empty()) {
    std::vector<absl::Duration> sorted(latencies_.begin(), latencies_.end());
    std::sort(sorted.begin(), sorted.end());
    stats.latency_p50 = sorted[sorted.size() / 2];
    stats.latency_p99 = sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)];
  }
  return stats;
}

void OutboxRelay::Wait(absl::Duration timeout, bool wakeable) {
  absl::MutexLock lock(&mu_);
  auto ready = [this, wakeable]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return (wakeable && woken_) || stopping_.load();
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (wakeable) woken_ = false;
}

void OutboxRelay::SetHealthy(bool healthy) {
  {
    absl::MutexLock lock(&mu_);
    if (stats_.healthy == healthy) return;
    stats_.healthy = healthy;
  }
  if (options_.on_health) options_.on_health(healthy);
}

absl::Status OutboxRelay::ParkRow(const OutboxRow& row, const std::string& reason) {
  absl::Status parked = store_.Park(row.id, reason);
  if (!parked.ok()) return parked;
  log::Error(
      "outbox row parked: it can never be published; later events of its key are held"
      " until it is released or discarded (tools/shopctl outbox parked)",
      {{"outbox_id", row.id},
       {"topic", row.record.topic},
       {"key", row.record.key},
       {"reason", reason}});
  absl::MutexLock lock(&mu_);
  ++stats_.parked;
  return absl::OkStatus();
}

absl::StatusOr<OutboxRelay::RoundStart> OutboxRelay::StartRound() {
  {
    absl::MutexLock lock(&mu_);
    ++stats_.polls;
  }
  // Rows in flight and acknowledged rows not yet marked are left out of the
  // read where they make the longest runs of consecutive ids; the others
  // come back and are dropped below: fetch enough to fill a round without
  // them. (Without the runs, a row was read again at every round until its
  // mark: at 0.1x MariaDB sent 25 KB per order.)
  std::vector<int64_t> known;
  known.reserve(unmarked_.size() + in_flight_ids_.size());
  std::merge(unmarked_.begin(), unmarked_.end(), in_flight_ids_.begin(), in_flight_ids_.end(),
             std::back_inserter(known));
  const std::vector<IdRange> skip = LongestRuns(known, OutboxStore::kMaxSkipRanges);
  int64_t skipped = 0;
  for (const IdRange& range : skip) skipped += range.last - range.first + 1;
  auto fetched = store_.FetchPublishable(
      options_.batch_size + static_cast<int>(static_cast<int64_t>(known.size()) - skipped), skip);
  if (!fetched.ok()) return fetched.status();
  std::vector<OutboxRow>& rows = *fetched;
  rows.erase(std::remove_if(rows.begin(), rows.end(),
                            [this](const OutboxRow& row) {
                              return unmarked_.count(row.id) || in_flight_ids_.count(row.id);
                            }),
             rows.end());
  RoundStart start;
  start.fetched = static_cast<int>(rows.size());
  if (rows.empty()) return start;
  if (options_.on_step) options_.on_step(RelayStep::kFetched, start.fetched);

  // Keys parked in this round: their later rows stay behind.
  std::set<std::pair<std::string, std::string>> parked_keys;
  Round round;
  std::vector<kafka::Record> records;
  for (OutboxRow& row : rows) {
    std::pair<std::string, std::string> key{row.record.topic, row.record.key};
    if (parked_keys.count(key)) continue;
    // At most one row per key is in flight: were a later row of a key sent
    // with an earlier one that the broker then refuses for good, it would
    // overtake it.
    if (in_flight_keys_.count(key)) {
      ++start.deferred;  // when the round holding its key is finished
      continue;
    }
    const int64_t bytes = EncodedEventBytes(row.record.key, row.record.value, row.record.headers);
    if (bytes > options_.max_event_bytes) {
      absl::Status parked =
          ParkRow(row, absl::StrCat("encoded size ", bytes, " bytes is over max_event_bytes ",
                                    options_.max_event_bytes));
      if (!parked.ok()) return parked;
      parked_keys.insert(std::move(key));
      continue;
    }
    in_flight_keys_.insert(std::move(key));
    in_flight_ids_.insert(row.id);
    records.push_back(row.record);
    round.rows.push_back(std::move(row));
  }
  if (records.empty()) return start;
  {
    absl::MutexLock lock(&mu_);
    ++stats_.publish_attempts;
  }
  round.deadline = absl::Now() + options_.publish_timeout;
  round.delivery = publisher_->Start(records, round.deadline, [this] {
    absl::MutexLock lock(&mu_);
    round_finished_ = true;
  });
  rounds_.push_back(std::move(round));
  return start;
}

absl::StatusOr<OutboxRelay::RoundEnd> OutboxRelay::FinishRound() {
  Round round = std::move(rounds_.front());
  rounds_.pop_front();
  const std::vector<kafka::DeliveryReport> reports = round.delivery->Wait();
  round.delivery.reset();
  const absl::Time now = absl::Now();
  for (const OutboxRow& row : round.rows) {
    in_flight_ids_.erase(row.id);
    in_flight_keys_.erase({row.record.topic, row.record.key});
  }
  struct ClearBlocksWhenDrained {
    OutboxRelay* relay;
    ~ClearBlocksWhenDrained() {
      if (!relay->rounds_.empty()) return;
      relay->blocked_keys_.clear();
      relay->blocked_partitions_.clear();
    }
  } clear_blocks{this};

  RoundEnd end;
  std::vector<int64_t> acknowledged;
  std::vector<absl::Time> created;
  int64_t held_back = 0, failures = 0;
  for (size_t i = 0; i < round.rows.size(); ++i) {
    const OutboxRow& row = round.rows[i];
    const kafka::DeliveryReport& report = reports[i];
    const std::pair<std::string, std::string> key{row.record.topic, row.record.key};
    const std::pair<std::string, int32_t> partition{row.record.topic, report.partition};
    if (blocked_keys_.count(key) ||
        (report.partition >= 0 && blocked_partitions_.count(partition))) {
      if (report.status.ok()) ++held_back;  // republished once, after what blocks it
      continue;
    }
    if (report.status.ok()) {
      acknowledged.push_back(row.id);
      created.push_back(row.created_at);
      continue;
    }
    ++failures;
    if (!report.fatal && errors::IsPermanentPublishFailure(report.status)) {
      // No later row of its key is in flight (one per key), and the read
      // leaves rows behind a parked one: nothing to hold back here.
      absl::Status parked = ParkRow(row, std::string(report.status.message()));
      if (!parked.ok()) return parked;
      continue;
    }
    // Transient or fatal: the idempotent producer fails every later record of
    // this partition too; nothing after it there may be marked, in this round
    // or in the rounds produced after it (all finished before the relay backs
    // off or replaces its producer, which clears these).
    blocked_keys_.insert(key);
    if (report.partition >= 0) blocked_partitions_.insert(partition);
    if (report.fatal) end.fatal = true;
    if (end.transient.ok() && !report.fatal) end.transient = report.status;
  }
  if (options_.on_step) {
    options_.on_step(RelayStep::kPublished, static_cast<int>(acknowledged.size()));
  }
  if (!acknowledged.empty() && unmarked_.empty()) mark_due_ = now + options_.mark_interval;
  for (int64_t id : acknowledged) {
    unmarked_.insert(id);
  }
  static auto& publish_failures =
      metrics::Registry::Default()
          .Counter("shop_outbox_publish_failures_total", "Outbox events the broker refused.")
          .With({});
  static auto& commit_to_ack =
      metrics::Registry::Default()
          .Histogram("shop_outbox_commit_to_ack_seconds",
                     "From an event's outbox commit to the broker's acknowledgement.")
          .With({});
  publish_failures.Increment(static_cast<double>(failures));
  for (const absl::Time& time : created) commit_to_ack.Observe(absl::ToDoubleSeconds(now - time));
  absl::MutexLock lock(&mu_);
  stats_.held_back += held_back;
  stats_.publish_failures += failures;
  for (const absl::Time& time : created) {
    latencies_.push_back(now - time);
    if (latencies_.size() > kLatencyWindow) latencies_.pop_front();
  }
  return end;
}

absl::StatusOr<OutboxRelay::RoundEnd> OutboxRelay::FinishAllRounds() {
  RoundEnd first;
  absl::Status database = absl::OkStatus();
  while (!rounds_.empty()) {
    absl::StatusOr<RoundEnd> end = FinishRound();
    if (!end.ok()) {
      if (database.ok()) database = end.status();
      continue;
    }
    first.fatal = first.fatal || end->fatal;
    if (first.transient.ok()) first.transient = end->transient;
  }
  if (!database.ok()) return database;
  return first;
}

absl::Status OutboxRelay::MarkAcknowledged(bool force) {
  if (unmarked_.empty()) return absl::OkStatus();
  if (!force && absl::Now() < mark_due_ &&
      unmarked_.size() < static_cast<size_t>(options_.batch_size)) {
    return absl::OkStatus();
  }
  absl::Status marked =
      store_.DeletePublished(std::vector<int64_t>(unmarked_.begin(), unmarked_.end()));
  if (!marked.ok()) return marked;  // kept: marked with the next round's
  const int count = static_cast<int>(unmarked_.size());
  unmarked_.clear();
  mark_due_ = absl::InfiniteFuture();
  if (options_.on_step) options_.on_step(RelayStep::kMarked, count);
  static auto& published = metrics::Registry::Default()
                               .Counter("shop_outbox_published_total",
                                        "Outbox events acknowledged by the broker and marked.")
                               .With({});
  published.Increment(count);
  absl::MutexLock lock(&mu_);
  stats_.published += count;
  return absl::OkStatus();
}

void OutboxRelay::DropAcknowledged() {
  // Marked now if the database answers; if not, whoever holds the lock next
  // publishes them again.
  if (absl::Status marked = MarkAcknowledged(/*force=*/true); !marked.ok()) {
    log::Warning("acknowledged outbox rows left unmarked; they will be published again",
                 {{"rows", static_cast<int64_t>(unmarked_.size())}, {"error", marked.ToString()}});
  }
  unmarked_.clear();
  mark_due_ = absl::InfiniteFuture();
}

absl::Duration OutboxRelay::IdleWait() const {
  absl::Time until = absl::Now() + options_.poll_interval;
  if (!unmarked_.empty()) until = std::min(until, mark_due_);
  if (!rounds_.empty()) until = std::min(until, rounds_.front().deadline);
  return std::max(absl::ZeroDuration(), until - absl::Now());
}

bool OutboxRelay::AwaitWork(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return woken_ || round_finished_ || stopping_.load();
  };
  const bool signalled = mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  const bool read = !signalled || woken_;
  woken_ = false;
  round_finished_ = false;
  return read;
}

void OutboxRelay::ReportStats() {
  auto backlog = store_.CountUnpublished();
  auto parked = store_.CountParked();
  {
    absl::MutexLock lock(&mu_);
    // Acknowledged rows waiting for their mark are not behind.
    if (backlog.ok()) {
      stats_.backlog = std::max<int64_t>(0, *backlog - static_cast<int64_t>(unmarked_.size()));
    }
    if (parked.ok()) stats_.parked_rows = *parked;
  }
  const RelayStats stats = this->stats();
  log::Info("outbox relay stats",
            {{"published", stats.published},
             {"backlog", stats.backlog},
             {"parked_rows", stats.parked_rows},
             {"latency_p50_ms", absl::ToDoubleMilliseconds(stats.latency_p50)},
             {"latency_p99_ms", absl::ToDoubleMilliseconds(stats.latency_p99)}});
  if (stats.parked_rows > 0) {
    log::Warning("outbox has parked rows (tools/shopctl outbox parked list)",
                 {{"parked_rows", stats.parked_rows}});
  }
}

void OutboxRelay::Run() {
  absl::Duration backoff = options_.initial_backoff;
  absl::Time next_stats = absl::Now() + options_.stats_interval;
  absl::Time next_lock_check = absl::Now();
  const size_t max_rounds = static_cast<size_t>(std::max(1, options_.max_rounds_in_flight));
  bool read = true;            // read the outbox on this pass
  bool rows_deferred = false;  // the last read left rows behind a key in flight
  while (!stopping_) {
    if (publisher_ == nullptr) {
      auto publisher = make_publisher_();
      if (!publisher.ok()) {
        log::Error("outbox relay cannot create a producer; giving up its lock",
                   {{"error", publisher.status().ToString()}});
        if (active_) {
          DropAcknowledged();
          store_.ReleaseLock();
          active_ = false;
        }
        SetHealthy(false);
        Wait(options_.lock_retry, /*wakeable=*/false);
        continue;
      }
      publisher_ = *std::move(publisher);
      {
        absl::MutexLock lock(&mu_);
        ++stats_.producers_created;
      }
      SetHealthy(true);
    }
    if (!active_) {
      if (store_.TryAcquireLock()) {
        active_ = true;
        read = true;
        next_lock_check = absl::Now() + options_.lock_check_interval;
        log::Info("outbox relay active");
      } else {
        Wait(options_.lock_retry, /*wakeable=*/true);
        continue;
      }
    }
    if (absl::Now() >= next_lock_check) {
      if (!store_.HoldsLock()) {
        FinishAllRounds().IgnoreError();  // what is acknowledged is marked below
        DropAcknowledged();               // before standing by: active() false means done
        active_ = false;
        log::Warning("outbox relay lost its lock; standing by");
        continue;
      }
      next_lock_check = absl::Now() + options_.lock_check_interval;
    }
    // The rounds whose reports are in (or overdue), oldest first.
    absl::Status failure = absl::OkStatus();
    bool fatal = false;
    while (!rounds_.empty() && failure.ok() && !fatal &&
           (rounds_.front().delivery->Done() || absl::Now() >= rounds_.front().deadline)) {
      absl::StatusOr<RoundEnd> end = FinishRound();
      if (!end.ok()) {
        failure = end.status();
      } else {
        fatal = end->fatal;
        failure = end->transient;
      }
      if (rows_deferred) read = true;  // a key they waited for may be free
    }
    RoundStart start;
    if (failure.ok() && !fatal && read && rounds_.size() < max_rounds) {
      read = false;  // until a wake-up, the poll interval or a full read asks again
      absl::StatusOr<RoundStart> started = StartRound();
      if (!started.ok()) {
        failure = started.status();
      } else {
        start = *started;
        rows_deferred = start.deferred > 0;
      }
    }
    if (failure.ok() && !fatal) failure = MarkAcknowledged(/*force=*/false);
    if (fatal || !failure.ok()) {
      // Every round in flight is finished first: its acknowledged rows are
      // marked unless they follow the failure in their partition.
      absl::StatusOr<RoundEnd> rest = FinishAllRounds();
      if (rest.ok() && rest->fatal) fatal = true;
      read = true;
      if (fatal) {
        log::Error("the outbox relay's producer is in a fatal state; replacing it");
        publisher_.reset();
        continue;
      }
      log::Warning(
          "outbox publish failed; retrying after a backoff",
          {{"error", failure.ToString()}, {"backoff_ms", absl::ToInt64Milliseconds(backoff)}});
      Wait(backoff, /*wakeable=*/false);
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    backoff = options_.initial_backoff;
    const absl::Time now = absl::Now();
    if (now >= next_stats) {
      ReportStats();
      next_stats = now + options_.stats_interval;
    }
    // A full read means more is waiting: go again at once, while there is
    // room for a round. Otherwise wait for a commit, a round's reports or the
    // poll interval; reports alone end the wait without a read, unless rows
    // were left behind a key in flight or a read is still owed.
    if (start.fetched >= options_.batch_size) {
      read = true;
      if (rounds_.size() < max_rounds) continue;
    }
    // A read asked for while every round was in flight is kept for later.
    if (AwaitWork(IdleWait())) read = true;
  }
  FinishAllRounds().IgnoreError();
  if (active_) {
    DropAcknowledged();
    store_.ReleaseLock();
  }
  active_ = false;
}

}  // namespace shop::outbox

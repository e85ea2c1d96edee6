#include "common/consumer/event_consumer.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>
#include <exception>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/consumer/consumer_migrations.h"
#include "common/errors/taxonomy.h"
#include "common/events/event_route.h"
#include "common/kafka/kafka_status.h"
#include "common/kafka/record_headers.h"
#include "common/logging/log.h"
#include "common/metrics/metrics.h"
#include "common/mysql/multi_row.h"

namespace shop::consumer {
namespace {

std::string KeyOf(RdKafka::Message& message) {
  return message.key() == nullptr ? "" : *message.key();
}

}  // namespace

std::vector<mysql::Migration> ConsumerMigrations() { return GeneratedConsumerMigrations(); }

absl::Status EventContext::Emit(const google::protobuf::Message& event) {
  if (outbox_ == nullptr) return absl::FailedPreconditionError("this consumer has no outbox");
  events::EventCause cause{metadata_.correlation_id, metadata_.id};
  return outbox_->Append(tx_, event, cause).status();
}

struct EventConsumer::Decoded {
  RdKafka::Message* message = nullptr;
  events::EventMetadata metadata;
  const Registration* registration = nullptr;  // null: unknown type
  std::unique_ptr<google::protobuf::Message> event;
  absl::Status error;  // decode failure: permanent
  // Applied by an OnIdempotent handler: a retry of the batch resumes after it.
  mutable bool applied = false;
};

EventConsumer::EventConsumer(ConsumerOptions options, mysql::ConnectionPool& pool,
                             outbox::Outbox* outbox)
    : options_(std::move(options)), pool_(&pool), outbox_(outbox) {
  if (options_.name.empty()) options_.name = options_.group;
}

EventConsumer::EventConsumer(ConsumerOptions options)
    : options_(std::move(options)), pool_(nullptr), outbox_(nullptr) {
  if (options_.name.empty()) options_.name = options_.group;
}

absl::Status EventConsumer::ApplyIdempotent(const std::vector<Decoded>& records,
                                            const std::vector<size_t>& candidates,
                                            std::map<size_t, absl::Status>& poisoned,
                                            size_t& applied) {
  for (size_t i : candidates) {
    const Decoded& record = records[i];
    if (record.applied) continue;
    if (!record.registration->handle_idempotent) {
      poisoned[i] = absl::FailedPreconditionError(
          "a handler that needs a database, in a consumer without one");
      return absl::OkStatus();
    }
    absl::Status status;
    try {
      status = record.registration->handle_idempotent(*record.event, record.metadata);
    } catch (const std::exception& e) {
      status = absl::InternalError(absl::StrCat("handler threw: ", e.what()));
    }
    if (!status.ok()) {
      if (!errors::IsPermanent(status)) return status;  // the segment runs again: idempotent
      poisoned[i] = status;
      return absl::OkStatus();
    }
    record.applied = true;
    if (options_.on_step) options_.on_step(ConsumerStep::kHandled, static_cast<int>(i));
  }
  applied = candidates.size();
  return absl::OkStatus();
}

EventConsumer::~EventConsumer() {
  if (consumer_ != nullptr) consumer_->close();
}

namespace {

// librdkafka keeps a partition's pause across a rebalance: a partition this
// consumer paused during a retry (WaitPolling), lost to a rebalance before
// it resumed, and was given back later, would stay paused for good, its
// records never fetched (the chaos run found exactly that). So every
// partition assigned starts out resumed; a retry in progress pauses it again.
class ResumingRebalance : public RdKafka::RebalanceCb {
 public:
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    // Who held what, and when, is what a stuck group's post-mortem needs.
    std::string names;
    for (const RdKafka::TopicPartition* partition : partitions) {
      absl::StrAppend(&names, names.empty() ? "" : " ", partition->topic(), "/",
                      partition->partition());
    }
    log::Info(err == RdKafka::ERR__ASSIGN_PARTITIONS ? "consumer partitions assigned"
                                                     : "consumer partitions revoked",
              {{"consumer", consumer->name()},
               {"partitions", names},
               {"lost", int64_t{consumer->assignment_lost() ? 1 : 0}}});
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        RdKafka::Error* error = consumer->incremental_assign(partitions);
        delete error;
      } else {
        consumer->assign(partitions);
      }
      consumer->resume(partitions);
    } else if (cooperative) {
      RdKafka::Error* error = consumer->incremental_unassign(partitions);
      delete error;
    } else {
      consumer->unassign();
    }
  }
};

}  // namespace

std::vector<EventConsumer::PartitionLag> EventConsumer::Lag() {
  std::vector<PartitionLag> lags;
  absl::MutexLock lock(&handle_mu_);
  if (consumer_ == nullptr) return lags;
  std::vector<RdKafka::TopicPartition*> assignment;
  if (consumer_->assignment(assignment) != RdKafka::ERR_NO_ERROR) return lags;
  // Behind what is applied: the group's committed offsets (records fetched
  // but not yet applied and committed still count), as kafka-consumer-groups
  // reports it.
  if (!assignment.empty() && consumer_->committed(assignment, 2000) != RdKafka::ERR_NO_ERROR) {
    RdKafka::TopicPartition::destroy(assignment);
    return lags;
  }
  // The partitions' end offsets from their leaders, in one request per
  // broker (timestamp -1: the latest offset), not the last fetch's: a
  // partition that is not being fetched (paused while retrying) must not
  // look caught up.
  std::vector<RdKafka::TopicPartition*> ends;
  for (const RdKafka::TopicPartition* partition : assignment) {
    ends.push_back(RdKafka::TopicPartition::create(partition->topic(), partition->partition(), -1));
  }
  const bool queried =
      !ends.empty() && consumer_->offsetsForTimes(ends, 2000) == RdKafka::ERR_NO_ERROR;
  for (size_t i = 0; i < assignment.size(); ++i) {
    const RdKafka::TopicPartition* partition = assignment[i];
    int64_t low = 0, high = 0;
    if (consumer_->get_watermark_offsets(partition->topic(), partition->partition(), &low, &high) !=
        RdKafka::ERR_NO_ERROR) {
      low = 0;
      high = -1;
    }
    if (queried && ends[i]->err() == RdKafka::ERR_NO_ERROR && ends[i]->offset() >= 0) {
      high = ends[i]->offset();
    }
    if (high < 0) continue;
    // Nothing committed yet: it starts from the beginning.
    const int64_t applied = partition->offset() >= 0 ? partition->offset() : low;
    lags.push_back(
        {partition->topic(), partition->partition(), std::max<int64_t>(0, high - applied)});
  }
  RdKafka::TopicPartition::destroy(ends);
  RdKafka::TopicPartition::destroy(assignment);
  return lags;
}

ConsumerStats EventConsumer::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void EventConsumer::WaitPolling(absl::Duration duration) {
  if (!paused_) {
    std::vector<RdKafka::TopicPartition*> assignment;
    if (consumer_->assignment(assignment) == RdKafka::ERR_NO_ERROR) {
      consumer_->pause(assignment);
      paused_ = true;
    }
    RdKafka::TopicPartition::destroy(assignment);
  }
  const absl::Time until = absl::Now() + duration;
  do {
    const int64_t wait_ms =
        std::clamp<int64_t>(absl::ToInt64Milliseconds(until - absl::Now()), 0, 100);
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(static_cast<int>(wait_ms)));
    if (message->err() == RdKafka::ERR_NO_ERROR) stashed_.push_back(std::move(message));
  } while (!stopping_ && absl::Now() < until);
}

void EventConsumer::ResumeIfPaused() {
  if (!paused_) return;
  std::vector<RdKafka::TopicPartition*> assignment;
  if (consumer_->assignment(assignment) == RdKafka::ERR_NO_ERROR) consumer_->resume(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  paused_ = false;
}

absl::Status EventConsumer::Run() {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", options_.brokers},
      {"group.id", options_.group},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // A new consumer group replays history from the beginning.
      {"auto.offset.reset", "earliest"},
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "1000"},
      {"max.poll.interval.ms", "300000"},
      // The broker answers a fetch as soon as a record arrives (fetch.min.bytes
      // is 1), so a long wait costs no latency, only fewer empty fetches.
      {"fetch.wait.max.ms", "500"},
      {"socket.nagle.disable", "true"},  // see kafka::Producer
      {"client.id", options_.client_id.empty() ? options_.name : options_.client_id},
  };
  for (const auto& [key, value] : options_.kafka_overrides) settings[key] = value;
  std::string error;
  rebalance_ = std::make_unique<ResumingRebalance>();
  if (conf->set("rebalance_cb", rebalance_.get(), error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError("rebalance_cb: " + error);
  }
  commit_retry_ = std::make_unique<CommitRetry>(&pending_offsets_);
  if (conf->set("offset_commit_cb", commit_retry_.get(), error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError("offset_commit_cb: " + error);
  }
  for (const auto& [key, value] : settings) {
    if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("consumer setting ", key, ": ", error));
    }
  }
  {
    absl::MutexLock lock(&handle_mu_);
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  }
  if (consumer_ == nullptr) return absl::InternalError(absl::StrCat("creating consumer: ", error));
  auto dead_letters = kafka::Producer::Create(options_.brokers, options_.kafka_overrides);
  if (!dead_letters.ok()) return dead_letters.status();
  dead_letters_ = *std::move(dead_letters);
  if (RdKafka::ErrorCode code = consumer_->subscribe(options_.topics);
      code != RdKafka::ERR_NO_ERROR) {
    return kafka::KafkaStatus(code, "subscribing");
  }
  log::Info("consumer started", {{"group", options_.group}, {"consumer", options_.name}});
  while (!stopping_) {
    std::vector<std::unique_ptr<RdKafka::Message>> batch = PollBatch();
    if (batch.empty()) {
      ReconcileOffsets();
      CommitPending(/*idle=*/true, /*sync=*/false);
    } else {
      ProcessBatch(batch);
    }
  }
  CommitPending(/*idle=*/true, /*sync=*/true);
  consumer_->close();  // leaves the group
  {
    absl::MutexLock lock(&handle_mu_);
    consumer_.reset();
  }
  dead_letters_->Flush(absl::Seconds(5)).IgnoreError();
  log::Info("consumer stopped", {{"group", options_.group}});
  return absl::OkStatus();
}

std::vector<std::unique_ptr<RdKafka::Message>> EventConsumer::PollBatch() {
  std::vector<std::unique_ptr<RdKafka::Message>> batch;
  // Records kept while a retry paused the partitions come first, in order.
  while (!stashed_.empty() && static_cast<int>(batch.size()) < options_.max_batch) {
    batch.push_back(std::move(stashed_.front()));
    stashed_.pop_front();
  }
  if (!batch.empty()) return batch;
  int timeout_ms = 200;
  while (static_cast<int>(batch.size()) < options_.max_batch) {
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(timeout_ms));
    timeout_ms = 0;
    if (message->err() == RdKafka::ERR_NO_ERROR) {
      batch.push_back(std::move(message));
      continue;
    }
    if (message->err() != RdKafka::ERR__TIMED_OUT &&
        message->err() != RdKafka::ERR__PARTITION_EOF) {
      log::Warning("consumer error", {{"group", options_.group}, {"error", message->errstr()}});
    }
    break;
  }
  return batch;
}

absl::Status EventConsumer::RecordProcessed(mysql::Transaction& tx,
                                            const std::vector<Decoded>& records,
                                            const std::vector<size_t>& indices,
                                            std::vector<size_t>& fresh) {
  fresh.clear();
  return tx.Run("recording processed events", [&] {
    // One statement per chunk records the batch's events and answers which
    // were new: INSERT IGNORE ... RETURNING returns only the rows it
    // inserted, so an event applied before (or recorded by another instance
    // that got there first, whose row lock this waits for) is left out, and
    // so is a second copy of an event within the batch.
    absl::flat_hash_set<std::string> inserted;
    mysql::ForEachPaddedChunk(indices.size(), [&](size_t begin, size_t size, size_t shape) {
      sql::PreparedStatement& insert = tx.Prepare(
          absl::StrCat("INSERT IGNORE INTO processed_events (consumer, event_id) VALUES ",
                       mysql::RowPlaceholders(shape, 2), " RETURNING event_id"));
      for (size_t i = 0; i < shape; ++i) {
        insert.setString(static_cast<int>(2 * i + 1), options_.name);
        insert.setString(static_cast<int>(2 * i + 2),
                         records[indices[mysql::Padded(begin, size, i)]].metadata.id);
      }
      std::unique_ptr<sql::ResultSet> result(insert.executeQuery());
      while (result->next()) inserted.insert(std::string(result->getString(1)));
    });
    for (size_t index : indices) {
      // The first copy of each new event; erased, so a second copy is not.
      if (inserted.erase(records[index].metadata.id) > 0) fresh.push_back(index);
    }
    return absl::OkStatus();
  });
}

absl::Status EventConsumer::ApplyOnce(const std::vector<Decoded>& records, size_t begin, size_t end,
                                      std::map<size_t, absl::Status>& poisoned, size_t& applied,
                                      size_t& duplicates) {
  applied = duplicates = 0;
  std::vector<size_t> candidates;
  for (size_t i = begin; i < end; ++i) {
    const Decoded& record = records[i];
    if (record.registration != nullptr && record.error.ok() && !poisoned.count(i)) {
      candidates.push_back(i);
    }
  }
  if (candidates.empty()) return absl::OkStatus();
  if (pool_ == nullptr) return ApplyIdempotent(records, candidates, poisoned, applied);
  auto tx = mysql::Transaction::Begin(*pool_, absl::Now() + absl::Seconds(10));
  if (!tx.ok()) return tx.status();
  std::vector<size_t> fresh;
  if (absl::Status recorded = RecordProcessed(**tx, records, candidates, fresh); !recorded.ok()) {
    return recorded;
  }
  if (before_batch_ && !fresh.empty()) {
    std::vector<const google::protobuf::Message*> batch_events;
    for (size_t i : fresh) batch_events.push_back(records[i].event.get());
    absl::Status prepared =
        (*tx)->Run("preparing the batch", [&] { return before_batch_(batch_events, **tx); });
    if (!prepared.ok()) return prepared;
  }
  size_t handled = 0;
  for (size_t i : fresh) {
    const Decoded& record = records[i];
    EventContext context(record.metadata, **tx, outbox_);
    absl::Status status = (*tx)->Run("handling an event", [&] {
      if (!record.registration->handle) {
        return absl::FailedPreconditionError(
            "an OnIdempotent handler in a consumer with a database");
      }
      try {
        return record.registration->handle(*record.event, context);
      } catch (const sql::SQLException&) {
        throw;  // mapped by Run
      } catch (const std::exception& e) {
        return absl::InternalError(absl::StrCat("handler threw: ", e.what()));
      }
    });
    if (!status.ok()) {
      if (!errors::IsPermanent(status)) return status;
      // Permanent: this record goes to the dead-letter topic; the batch is
      // applied again without it.
      poisoned[i] = status;
      return absl::OkStatus();
    }
    ++handled;
    if (options_.on_step) options_.on_step(ConsumerStep::kHandled, static_cast<int>(i));
  }
  if (absl::Status committed = (*tx)->Commit(); !committed.ok()) return committed;
  applied = handled;
  duplicates = candidates.size() - fresh.size();
  return absl::OkStatus();
}

void EventConsumer::ProcessBatch(const std::vector<std::unique_ptr<RdKafka::Message>>& batch) {
  static auto& batch_seconds = metrics::Registry::Default().Histogram(
      "shop_consumer_batch_seconds",
      "Time to apply a poll batch (handlers, processed_events, commit), retries included.",
      {"group"});
  const absl::Time started = absl::Now();
  struct ObserveOnExit {
    std::function<void()> done;
    ~ObserveOnExit() { done(); }
  } observe{[&] {
    batch_seconds.With({options_.group}).Observe(absl::ToDoubleSeconds(absl::Now() - started));
  }};
  std::vector<Decoded> records(batch.size());
  std::map<size_t, absl::Status> poisoned;
  int64_t unknown = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    Decoded& record = records[i];
    record.message = batch[i].get();
    auto metadata = events::FromHeaders(kafka::HeadersOf(*batch[i]));
    if (!metadata.ok()) {
      poisoned[i] = metadata.status();
      continue;
    }
    record.metadata = *std::move(metadata);
    auto it = handlers_.find(record.metadata.type);
    if (it == handlers_.end()) {
      ++unknown;
      continue;
    }
    record.registration = &it->second;
    record.event.reset(it->second.prototype->New());
    if (!record.event->ParseFromArray(batch[i]->payload(), static_cast<int>(batch[i]->len()))) {
      poisoned[i] = absl::InvalidArgumentError(
          absl::StrCat("payload does not decode as ", record.metadata.type));
    }
  }

  if (options_.unsafe_commit_before_apply) {
    // TEST ONLY (tools/chaos proves it catches this): the offsets are
    // committed before the batch is applied, so a crash in between loses it.
    CommitOffsets(batch);
    CommitPending(/*idle=*/true, /*sync=*/true);
  }

  // The whole batch is one transaction. Should it deadlock again and again
  // with another writer of the same rows (another instance, an API call), or
  // fail at COMMIT for a reason no single handler reported (a permanent error
  // writing the outbox rows), it is applied one record per transaction
  // instead: that always makes progress, and finds the record at fault.
  std::deque<std::pair<size_t, size_t>> segments = {{0, records.size()}};
  size_t applied = 0, duplicates = 0;
  while (!segments.empty()) {
    const auto [begin, end] = segments.front();
    segments.pop_front();
    absl::Duration backoff = options_.initial_backoff;
    size_t segment_applied = 0, segment_duplicates = 0;
    int aborts = 0;
    bool split = false;
    while (true) {
      const size_t poisoned_before = poisoned.size();
      absl::Status status =
          ApplyOnce(records, begin, end, poisoned, segment_applied, segment_duplicates);
      if (status.ok() && poisoned.size() == poisoned_before) break;
      if (status.ok()) continue;  // a record was poisoned: apply the rest again now
      {
        absl::MutexLock lock(&mu_);
        ++stats_.transient_failures;
      }
      if (stopping_) return;  // not committed: redelivered to whoever comes next
      const bool aborted = status.code() == absl::StatusCode::kAborted;
      if (end - begin > 1 && (errors::IsPermanent(status) || (aborted && ++aborts >= 2))) {
        for (size_t i = end; i > begin; --i) segments.emplace_front(i - 1, i);
        split = true;
        absl::MutexLock lock(&mu_);
        ++stats_.split_batches;
        break;
      }
      if (end - begin == 1 && errors::IsPermanent(status)) {
        poisoned[begin] = status;  // its own transaction failed for good at COMMIT
        break;
      }
      if (aborted) {
        // A deadlock or lock timeout: the other transaction has finished, so
        // retry at once (after a moment's jitter) rather than backing off.
        absl::SleepFor(absl::Microseconds(absl::Uniform(bitgen_, 0, 2000)));
        continue;
      }
      log::Warning("batch failed; retrying", {{"group", options_.group},
                                              {"error", std::string(status.message())},
                                              {"backoff_ms", absl::ToInt64Milliseconds(backoff)}});
      WaitPolling(backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
    if (split) continue;
    applied += segment_applied;
    duplicates += segment_duplicates;
  }
  if (options_.on_step) options_.on_step(ConsumerStep::kCommitted, static_cast<int>(batch.size()));

  for (const auto& [index, error] : poisoned) {
    absl::Duration backoff = options_.initial_backoff;
    while (true) {
      absl::Status sent = DeadLetter(*batch[index], error);
      if (sent.ok()) break;
      log::Warning("dead-letter publish failed; retrying",
                   {{"group", options_.group},
                    {"origin_offset", batch[index]->offset()},
                    {"error", std::string(sent.message())}});
      if (stopping_) return;  // not committed: redelivered to whoever comes next
      WaitPolling(backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }
  ResumeIfPaused();
  CommitOffsets(batch);
  absl::MutexLock lock(&mu_);
  stats_.applied += applied;
  stats_.duplicates += duplicates;
  stats_.unknown_types += unknown;
  stats_.dead_lettered += poisoned.size();
  ++stats_.batches;
}

absl::Status EventConsumer::DeadLetter(RdKafka::Message& message, const absl::Status& error) {
  kafka::Record record;
  record.topic = events::DeadLetterTopic(message.topic_name(), options_.group);
  record.key = KeyOf(message);
  record.value.assign(static_cast<const char*>(message.payload()), message.len());
  record.headers = kafka::HeadersOf(message);
  record.headers.emplace_back("dlq_error", error.ToString());
  record.headers.emplace_back("dlq_origin_topic", message.topic_name());
  record.headers.emplace_back("dlq_origin_partition", std::to_string(message.partition()));
  record.headers.emplace_back("dlq_origin_offset", std::to_string(message.offset()));
  record.headers.emplace_back("dlq_consumer_group", options_.group);
  record.headers.emplace_back(
      "dlq_time", absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()));
  auto reports = dead_letters_->ProduceAndWait({record}, absl::Seconds(30));
  if (!reports[0].status.ok()) return reports[0].status;
  log::Warning("record sent to the dead-letter topic",
               {{"topic", record.topic},
                {"origin_offset", message.offset()},
                {"origin_partition", int64_t{message.partition()}},
                {"error", error.ToString()}});
  return absl::OkStatus();
}

void EventConsumer::CommitOffsets(const std::vector<std::unique_ptr<RdKafka::Message>>& batch) {
  if (options_.unsafe_lose_batch_commits) return;  // TEST ONLY: see ConsumerOptions
  for (const auto& message : batch) {
    auto& offset = pending_offsets_[{message->topic_name(), message->partition()}];
    offset = std::max(offset, message->offset() + 1);
  }
  CommitPending(/*idle=*/false, /*sync=*/false);
}

void EventConsumer::ReconcileOffsets() {
  const absl::Time now = absl::Now();
  if (now - last_reconcile_ < options_.reconcile_interval) return;
  last_reconcile_ = now;
  // Idle: every record consumed was applied (a batch ends only once it is),
  // so a partition's position is an offset safe to commit.
  std::vector<RdKafka::TopicPartition*> positions;
  if (consumer_->assignment(positions) != RdKafka::ERR_NO_ERROR || positions.empty() ||
      consumer_->position(positions) != RdKafka::ERR_NO_ERROR) {
    RdKafka::TopicPartition::destroy(positions);
    return;
  }
  // Past what was confirmed, at the same position as at the last check: a
  // commit still in flight then has had a whole interval to be confirmed.
  std::vector<RdKafka::TopicPartition*> behind;
  PendingOffsets unconfirmed;
  for (const RdKafka::TopicPartition* partition : positions) {
    const std::pair<std::string, int32_t> key{partition->topic(), partition->partition()};
    if (partition->offset() < 0 || partition->offset() <= commit_retry_->Confirmed(key)) continue;
    unconfirmed[key] = partition->offset();
    auto before = unconfirmed_.find(key);
    if (before == unconfirmed_.end() || before->second != partition->offset()) continue;
    behind.push_back(RdKafka::TopicPartition::create(partition->topic(), partition->partition()));
  }
  unconfirmed_ = std::move(unconfirmed);
  // Only forward: the group's offset may be past this consumer's position
  // (the partition's new owner committed there; this consumer's view of its
  // assignment can lag a rebalance).
  RdKafka::TopicPartition::destroy(positions);
  if (!behind.empty() && consumer_->committed(behind, 2000) == RdKafka::ERR_NO_ERROR) {
    for (const RdKafka::TopicPartition* group : behind) {
      if (group->err() != RdKafka::ERR_NO_ERROR) continue;
      const std::pair<std::string, int32_t> key{group->topic(), group->partition()};
      const int64_t position = unconfirmed_[key];
      if (position <= group->offset()) {  // nothing to do, nor to ask again
        commit_retry_->Confirm(key, group->offset());
        continue;
      }
      int64_t& pending = pending_offsets_[key];
      pending = std::max(pending, position);
      log::Warning("consumer offset behind what it applied; committing it again",
                   {{"group", options_.group},
                    {"topic", group->topic()},
                    {"partition", int64_t{group->partition()}},
                    {"committed", group->offset()},
                    {"position", position}});
    }
  }
  RdKafka::TopicPartition::destroy(behind);
}

void EventConsumer::CommitPending(bool idle, bool sync) {
  if (pending_offsets_.empty()) return;
  const absl::Time now = absl::Now();
  if (!idle && !sync && now - last_commit_ < options_.commit_interval) return;
  // Only partitions still assigned: one that moved is its new owner's to commit.
  std::vector<RdKafka::TopicPartition*> assignment;
  consumer_->assignment(assignment);
  std::set<std::pair<std::string, int32_t>> assigned;
  for (const RdKafka::TopicPartition* partition : assignment) {
    assigned.emplace(partition->topic(), partition->partition());
  }
  RdKafka::TopicPartition::destroy(assignment);
  std::vector<RdKafka::TopicPartition*> offsets;
  for (const auto& [partition, offset] : pending_offsets_) {
    if (!assigned.count(partition)) continue;
    offsets.push_back(RdKafka::TopicPartition::create(partition.first, partition.second, offset));
    commit_retry_->Sent(partition.first, partition.second, offset);
  }
  pending_offsets_.clear();
  last_commit_ = now;
  if (offsets.empty()) return;
  // Asynchronous: the next batch does not wait for the coordinator. A commit
  // that fails is put back by CommitRetry and tried again when next due (at
  // the latest when idle); until then a rebalance would redeliver the
  // records, and processed_events would skip them.
  RdKafka::ErrorCode code = sync ? consumer_->commitSync(offsets) : consumer_->commitAsync(offsets);
  RdKafka::TopicPartition::destroy(offsets);
  if (code != RdKafka::ERR_NO_ERROR) {
    log::Warning("offset commit failed", {{"error", RdKafka::err2str(code)}});
  }
}

}  // namespace shop::consumer

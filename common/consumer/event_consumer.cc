#include "common/consumer/event_consumer.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>

#include <algorithm>
#include <exception>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/consumer/consumer_migrations.h"
#include "common/errors/taxonomy.h"
#include "common/events/event_route.h"
#include "common/kafka/kafka_status.h"
#include "common/kafka/record_headers.h"
#include "common/logging/log.h"

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
};

EventConsumer::EventConsumer(ConsumerOptions options, mysql::ConnectionPool& pool,
                             outbox::Outbox* outbox)
    : options_(std::move(options)), pool_(pool), outbox_(outbox) {
  if (options_.name.empty()) options_.name = options_.group;
}

EventConsumer::~EventConsumer() {
  if (consumer_ != nullptr) consumer_->close();
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
      {"fetch.wait.max.ms", "10"},
      {"client.id", options_.client_id.empty() ? options_.name : options_.client_id},
  };
  for (const auto& [key, value] : options_.kafka_overrides) settings[key] = value;
  std::string error;
  for (const auto& [key, value] : settings) {
    if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("consumer setting ", key, ": ", error));
    }
  }
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
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
    if (!batch.empty()) ProcessBatch(batch);
  }
  consumer_->close();  // leaves the group; offsets were committed per batch
  consumer_.reset();
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

absl::Status EventConsumer::ApplyOnce(const std::vector<Decoded>& records, size_t begin, size_t end,
                                      std::map<size_t, absl::Status>& poisoned, size_t& applied,
                                      size_t& duplicates) {
  applied = duplicates = 0;
  auto tx = mysql::Transaction::Begin(pool_, absl::Now() + absl::Seconds(10));
  if (!tx.ok()) return tx.status();
  for (size_t i = begin; i < end; ++i) {
    const Decoded& record = records[i];
    if (record.registration == nullptr || !record.error.ok() || poisoned.count(i)) continue;
    bool fresh = false;
    absl::Status status = (*tx)->Run("recording a processed event", [&] {
      sql::PreparedStatement& insert =
          (*tx)->Prepare("INSERT IGNORE INTO processed_events (consumer, event_id) VALUES (?, ?)");
      insert.setString(1, options_.name);
      insert.setString(2, record.metadata.id);
      fresh = insert.executeUpdate() == 1;
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    if (!fresh) {
      ++duplicates;
      continue;
    }
    EventContext context(record.metadata, **tx, outbox_);
    status = (*tx)->Run("handling an event", [&] {
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
    ++applied;
    if (options_.on_step) options_.on_step(ConsumerStep::kHandled, static_cast<int>(i));
  }
  return (*tx)->Commit();
}

void EventConsumer::ProcessBatch(const std::vector<std::unique_ptr<RdKafka::Message>>& batch) {
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

  // Segments of one transaction each: runs of batchable records, and every
  // other record alone.
  std::vector<std::pair<size_t, size_t>> segments;
  auto batchable = [&records](size_t i) {
    return records[i].registration == nullptr || records[i].registration->batchable;
  };
  for (size_t i = 0; i < records.size(); ++i) {
    if (segments.empty() || !batchable(i) || !batchable(segments.back().first)) {
      segments.emplace_back(i, i + 1);
    } else {
      segments.back().second = i + 1;
    }
  }
  size_t applied = 0, duplicates = 0;
  for (const auto& [begin, end] : segments) {
    absl::Duration backoff = options_.initial_backoff;
    size_t segment_applied = 0, segment_duplicates = 0;
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
      if (status.code() == absl::StatusCode::kAborted) {
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
  std::map<std::pair<std::string, int32_t>, int64_t> next;
  for (const auto& message : batch) {
    auto& offset = next[{message->topic_name(), message->partition()}];
    offset = std::max(offset, message->offset() + 1);
  }
  std::vector<RdKafka::TopicPartition*> offsets;
  for (const auto& [partition, offset] : next) {
    offsets.push_back(RdKafka::TopicPartition::create(partition.first, partition.second, offset));
  }
  RdKafka::ErrorCode code = consumer_->commitSync(offsets);
  RdKafka::TopicPartition::destroy(offsets);
  if (code != RdKafka::ERR_NO_ERROR) {
    // Harmless: the batch is redelivered and found in processed_events.
    log::Warning("offset commit failed", {{"error", RdKafka::err2str(code)}});
  }
}

}  // namespace shop::consumer

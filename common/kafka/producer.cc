#include "common/kafka/producer.h"

#include <librdkafka/rdkafka.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/kafka/kafka_status.h"
#include "common/logging/log.h"

namespace shop::kafka {

class Producer::ReportCallback : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<DeliveryCallback> done(static_cast<DeliveryCallback*>(message.msg_opaque()));
    if (done == nullptr) return;
    DeliveryReport report;
    report.status =
        KafkaStatus(message.err(), absl::StrCat("delivering to ", message.topic_name()));
    report.fatal = IsFatal(message.err());
    report.partition = message.partition();
    report.offset = message.offset();
    (*done)(report);
  }
};

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(
    const std::string& brokers, const std::map<std::string, std::string>& overrides) {
  std::unique_ptr<Producer> producer(new Producer());
  producer->report_callback_ = std::make_unique<ReportCallback>();
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", brokers},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"max.in.flight.requests.per.connection", "5"},
      {"linger.ms", "1"},
      {"compression.type", "lz4"},
      // A record not acknowledged within this time fails (and is retried by the outbox).
      {"message.timeout.ms", "30000"},
      {"socket.keepalive.enable", "true"},
      // Nagle's algorithm (librdkafka's default) holds a small request back
      // while an earlier one is unacknowledged: latency for nothing here.
      {"socket.nagle.disable", "true"},
  };
  for (const auto& [key, value] : overrides) settings[key] = value;
  std::string error;
  for (const auto& [key, value] : settings) {
    if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("producer setting ", key, ": ", error));
    }
  }
  if (conf->set("dr_cb", producer->report_callback_.get(), error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  std::string max_bytes;
  if (conf->get("message.max.bytes", max_bytes) == RdKafka::Conf::CONF_OK) {
    producer->max_message_bytes_ = std::stoll(max_bytes);
  }
  producer->producer_.reset(RdKafka::Producer::create(conf.get(), error));
  if (producer->producer_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("creating the Kafka producer: ", error));
  }
  Producer* raw = producer.get();
  producer->poller_ = std::thread([raw] {
    while (!raw->stopping_.load()) raw->producer_->poll(50);
  });
  return producer;
}

Producer::~Producer() {
  if (producer_ != nullptr) producer_->flush(5000);
  stopping_ = true;
  if (poller_.joinable()) poller_.join();
  // Reports still pending are dropped with the handle; their callbacks leak
  // no more than the records they describe.
  producer_.reset();
}

absl::Status Producer::Produce(const Record& record, DeliveryCallback done) {
  RdKafka::Headers* headers = RdKafka::Headers::create();
  for (const auto& [key, value] : record.headers) headers->add(key, value);
  auto* opaque = new DeliveryCallback(std::move(done));
  RdKafka::ErrorCode code =
      producer_->produce(record.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                         const_cast<char*>(record.value.data()), record.value.size(),
                         record.key.data(), record.key.size(), 0, headers, opaque);
  if (code != RdKafka::ERR_NO_ERROR) {
    delete headers;  // owned by librdkafka only on success
    delete opaque;
    if (IsFatal(code)) {
      std::string reason;
      producer_->fatal_error(reason);
      return absl::InternalError(absl::StrCat("producing to ", record.topic,
                                              ": the producer is in a fatal state: ", reason));
    }
    return KafkaStatus(code, absl::StrCat("producing to ", record.topic));
  }
  return absl::OkStatus();
}

void Producer::InjectFatalErrorForTesting() {
  rd_kafka_test_fatal_error(producer_->c_ptr(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                            "injected by a test");
}

namespace {

// Reports already in hand.
class FinishedDelivery : public Delivery {
 public:
  explicit FinishedDelivery(std::vector<DeliveryReport> reports) : reports_(std::move(reports)) {}
  bool Done() override { return true; }
  std::vector<DeliveryReport> Wait() override { return reports_; }

 private:
  std::vector<DeliveryReport> reports_;
};

// Reports filled in by librdkafka's delivery callbacks on the poll thread.
class PendingDelivery : public Delivery {
 public:
  struct State {
    absl::Mutex mu;
    std::vector<DeliveryReport> reports ABSL_GUARDED_BY(mu);
    size_t remaining ABSL_GUARDED_BY(mu) = 0;
    std::function<void()> on_done ABSL_GUARDED_BY(mu);

    void Report(size_t i, const DeliveryReport& report) {
      absl::MutexLock lock(&mu);
      reports[i] = report;
      CountDown();
    }
    void AllQueued() {
      absl::MutexLock lock(&mu);
      CountDown();
    }
    void CountDown() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      if (--remaining == 0 && on_done) on_done();
    }
  };
  PendingDelivery(std::shared_ptr<State> state, absl::Time deadline)
      : state_(std::move(state)), deadline_(deadline) {}
  ~PendingDelivery() override {
    absl::MutexLock lock(&state_->mu);
    state_->on_done = nullptr;  // reports may still come; nobody is told
  }
  bool Done() override {
    absl::MutexLock lock(&state_->mu);
    return state_->remaining == 0;
  }
  std::vector<DeliveryReport> Wait() override {
    absl::MutexLock lock(&state_->mu);
    State* state = state_.get();
    auto done = [state]() ABSL_SHARED_LOCKS_REQUIRED(state->mu) { return state->remaining == 0; };
    if (!state_->mu.AwaitWithDeadline(absl::Condition(&done), deadline_)) {
      for (auto& report : state_->reports) {
        if (report.offset < 0 && report.status.ok()) {
          report.status = absl::DeadlineExceededError("no delivery report in time");
        }
      }
    }
    return state_->reports;
  }

 private:
  std::shared_ptr<State> state_;
  absl::Time deadline_;
};

}  // namespace

std::unique_ptr<Delivery> EventPublisher::Start(const std::vector<Record>& records,
                                                absl::Time deadline,
                                                std::function<void()> on_done) {
  auto delivery = std::make_unique<FinishedDelivery>(
      ProduceAndWait(records, std::max(absl::ZeroDuration(), deadline - absl::Now())));
  if (on_done) on_done();
  return delivery;
}

std::vector<DeliveryReport> Producer::ProduceAndWait(const std::vector<Record>& records,
                                                     absl::Duration timeout) {
  return Start(records, absl::Now() + timeout, nullptr)->Wait();
}

std::unique_ptr<Delivery> Producer::Start(const std::vector<Record>& records, absl::Time deadline,
                                          std::function<void()> on_done) {
  auto state = std::make_shared<PendingDelivery::State>();
  {
    absl::MutexLock lock(&state->mu);
    state->reports.resize(records.size());
    // One more than the records until every one is queued, so that on_done
    // runs once, after the last report, even if reports come while queueing.
    state->remaining = records.size() + 1;
    state->on_done = std::move(on_done);
  }
  for (size_t i = 0; i < records.size(); ++i) {
    absl::Status queued = absl::OkStatus();
    for (int attempt = 0; attempt < 100; ++attempt) {
      queued = Produce(records[i],
                       [state, i](const DeliveryReport& report) { state->Report(i, report); });
      if (queued.code() != absl::StatusCode::kUnavailable) break;
      absl::SleepFor(absl::Milliseconds(10));  // local queue full: let it drain
    }
    if (!queued.ok()) {
      DeliveryReport report;
      report.status = queued;
      std::string reason;
      report.fatal = producer_->fatal_error(reason) != RdKafka::ERR_NO_ERROR;
      state->Report(i, report);
    }
  }
  auto delivery = std::make_unique<PendingDelivery>(state, deadline);
  state->AllQueued();
  return delivery;
}

absl::Status Producer::Flush(absl::Duration timeout) {
  return KafkaStatus(producer_->flush(static_cast<int>(absl::ToInt64Milliseconds(timeout))),
                     "flushing the producer");
}

}  // namespace shop::kafka

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

std::vector<DeliveryReport> Producer::ProduceAndWait(const std::vector<Record>& records,
                                                     absl::Duration timeout) {
  struct Pending {
    absl::Mutex mu;
    std::vector<DeliveryReport> reports;
    size_t remaining = 0;
  };
  auto pending = std::make_shared<Pending>();
  pending->reports.resize(records.size());
  pending->remaining = records.size();
  for (size_t i = 0; i < records.size(); ++i) {
    absl::Status queued = absl::OkStatus();
    for (int attempt = 0; attempt < 100; ++attempt) {
      queued = Produce(records[i], [pending, i](const DeliveryReport& report) {
        absl::MutexLock lock(&pending->mu);
        pending->reports[i] = report;
        --pending->remaining;
      });
      if (queued.code() != absl::StatusCode::kUnavailable) break;
      absl::SleepFor(absl::Milliseconds(10));  // local queue full: let it drain
    }
    if (!queued.ok()) {
      absl::MutexLock lock(&pending->mu);
      pending->reports[i].status = queued;
      std::string reason;
      pending->reports[i].fatal = producer_->fatal_error(reason) != RdKafka::ERR_NO_ERROR;
      --pending->remaining;
    }
  }
  absl::MutexLock lock(&pending->mu);
  auto done = [&pending]()
                  ABSL_SHARED_LOCKS_REQUIRED(pending->mu) { return pending->remaining == 0; };
  if (!pending->mu.AwaitWithTimeout(absl::Condition(&done), timeout)) {
    for (auto& report : pending->reports) {
      if (report.offset < 0 && report.status.ok()) {
        report.status = absl::DeadlineExceededError("no delivery report in time");
      }
    }
  }
  return pending->reports;
}

absl::Status Producer::Flush(absl::Duration timeout) {
  return KafkaStatus(producer_->flush(static_cast<int>(absl::ToInt64Milliseconds(timeout))),
                     "flushing the producer");
}

}  // namespace shop::kafka

// A Kafka producer for events: acks=all and enable.idempotence=true, so a
// record is acknowledged only once every in-sync replica has it, and
// retries neither duplicate nor reorder records of one partition. Each
// record's delivery report surfaces as a status of its own.
#ifndef SHOP_COMMON_KAFKA_PRODUCER_H_
#define SHOP_COMMON_KAFKA_PRODUCER_H_

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/events/event_metadata.h"

namespace shop::kafka {

struct Record {
  std::string topic;
  std::string key;
  std::string value;
  events::Headers headers;
};

struct DeliveryReport {
  absl::Status status;
  int32_t partition = -1;  // -1 when the record never reached a partition
  int64_t offset = -1;
  // The producer is in a fatal state (e.g. a fatal idempotence error): it
  // will deliver nothing more and must be replaced.
  bool fatal = false;
};

// Records handed to a producer together, whose reports arrive later.
class Delivery {
 public:
  virtual ~Delivery() = default;
  // Every record has its report.
  virtual bool Done() = 0;
  // Waits for every report until the deadline given when the records were
  // produced; a record without one by then is DEADLINE_EXCEEDED. reports[i]
  // belongs to records[i].
  virtual std::vector<DeliveryReport> Wait() = 0;
};

// What the outbox relay needs of a producer; a seam for fakes in unit tests.
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  // Produces all records and waits for each report, at most `timeout`.
  // reports[i] belongs to records[i]. Records of one key are produced in the
  // order given.
  virtual std::vector<DeliveryReport> ProduceAndWait(const std::vector<Record>& records,
                                                     absl::Duration timeout) = 0;
  // Produces all records without waiting for their reports; `on_done` (may
  // be empty) runs on any thread once the last report is in, and never after
  // the returned Delivery is destroyed. Records of one key are produced in the
  // order given, after those of earlier calls. This default waits (a
  // publisher with nothing to overlap).
  virtual std::unique_ptr<Delivery> Start(const std::vector<Record>& records, absl::Time deadline,
                                          std::function<void()> on_done);
};

class Producer : public EventPublisher {
 public:
  // `overrides` are librdkafka settings on top of the defaults.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      const std::string& brokers, const std::map<std::string, std::string>& overrides = {});
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  using DeliveryCallback = std::function<void(const DeliveryReport&)>;

  // Queues `record`; `done` runs on the producer's poll thread once the
  // broker acknowledged it or it finally failed. An error here (queue full,
  // unknown topic name) means `done` never runs.
  absl::Status Produce(const Record& record, DeliveryCallback done);

  std::vector<DeliveryReport> ProduceAndWait(const std::vector<Record>& records,
                                             absl::Duration timeout) override;
  std::unique_ptr<Delivery> Start(const std::vector<Record>& records, absl::Time deadline,
                                  std::function<void()> on_done) override;

  absl::Status Flush(absl::Duration timeout);

  // The largest record (message.max.bytes) this producer sends.
  int64_t max_message_bytes() const { return max_message_bytes_; }

  // Puts the producer into librdkafka's fatal state, as a fatal idempotence
  // error would (rd_kafka_test_fatal_error). For tests only.
  void InjectFatalErrorForTesting();

 private:
  class ReportCallback;
  Producer() = default;

  std::unique_ptr<ReportCallback> report_callback_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<bool> stopping_{false};
  int64_t max_message_bytes_ = 0;
  std::thread poller_;
};

}  // namespace shop::kafka

#endif  // SHOP_COMMON_KAFKA_PRODUCER_H_

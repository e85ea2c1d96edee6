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
  int32_t partition = -1;
  int64_t offset = -1;
};

class Producer {
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

  // Produces all records and waits for each report, at most `timeout`.
  // reports[i] belongs to records[i].
  std::vector<DeliveryReport> ProduceAndWait(const std::vector<Record>& records,
                                             absl::Duration timeout);

  absl::Status Flush(absl::Duration timeout);

 private:
  class ReportCallback;
  Producer() = default;

  std::unique_ptr<ReportCallback> report_callback_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

}  // namespace shop::kafka

#endif  // SHOP_COMMON_KAFKA_PRODUCER_H_

// An EventSink for unit tests of saga handlers: it keeps a copy of every
// event emitted, so a test can assert what a handler published.
#ifndef SHOP_COMMON_TESTING_RECORDING_SINK_H_
#define SHOP_COMMON_TESTING_RECORDING_SINK_H_

#include <memory>
#include <vector>

#include "common/consumer/event_consumer.h"
#include "google/protobuf/message.h"

namespace shop::testing {

class RecordingSink : public consumer::EventSink {
 public:
  absl::Status Emit(const google::protobuf::Message& event) override {
    events_.emplace_back(event.New());
    events_.back()->CopyFrom(event);
    return absl::OkStatus();
  }

  size_t size() const { return events_.size(); }
  // The emitted events of type M, in order.
  template <typename M>
  std::vector<M> Of() const {
    std::vector<M> found;
    for (const auto& event : events_) {
      if (event->GetDescriptor() == M::descriptor()) found.push_back(static_cast<const M&>(*event));
    }
    return found;
  }
  void Clear() { events_.clear(); }

 private:
  std::vector<std::unique_ptr<google::protobuf::Message>> events_;
};

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_RECORDING_SINK_H_

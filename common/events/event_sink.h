// Where follow-up events go: in a consumer, the outbox in the handler's
// transaction (consumer::EventContext); in a command, outbox::OutboxSink; in
// unit tests, a recorder (common/testing/recording_sink.h).
#ifndef SHOP_COMMON_EVENTS_EVENT_SINK_H_
#define SHOP_COMMON_EVENTS_EVENT_SINK_H_

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace shop::events {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual absl::Status Emit(const google::protobuf::Message& event) = 0;
};

}  // namespace shop::events

#endif  // SHOP_COMMON_EVENTS_EVENT_SINK_H_

// The consumer side of the webhook dispatcher: turns events into the
// deliveries owed, in the consumer's transaction (so each event yields its
// deliveries exactly once, whatever is redelivered).
//
// Partners (in the partner model, one CloudEvent per status change):
//   OrderPlaced                      -> received   (only the owning partner's orders)
//   OrderCompleted                   -> confirmed
//   OrderCancelled                   -> rejected or cancelled
//   DeliveryStatusChanged to SHIPPED -> shipped
// SHIPPED comes from another topic than the order's events, so it may be
// consumed before the completion: it is then held on the order and queued
// right after "confirmed". Every partner message of one order has the order
// id as its stream, so they are sent in this order.
//
// The data platform (when configured): every domain event, in the internal
// model (the event as JSON), streamed by its aggregate id.
#ifndef SHOP_GATEWAY_WEBHOOKS_RECORDER_H_
#define SHOP_GATEWAY_WEBHOOKS_RECORDER_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/consumer/event_consumer.h"
#include "gateway/webhooks/webhook_store.h"
#include "nlohmann/json.hpp"

namespace shop::gateway {

inline constexpr char kPlatformSubscriber[] = "platform";

struct CloudEvent {
  std::string id;
  std::string source;
  std::string type;
  std::string subject;
  absl::Time time;
  nlohmann::json data;
};

// Structured mode: the attributes and `data` in one JSON object.
nlohmann::json CloudEventJson(const CloudEvent& event);

// "shop.partner.order.<status>" for a partner status word.
std::string PartnerEventType(const std::string& status);

class WebhookRecorder {
 public:
  // `partners`: ids of the partners with a webhook.
  WebhookRecorder(std::set<std::string> partners, bool platform)
      : partners_(std::move(partners)), platform_(platform) {}

  // Registers Record for the four partner events, or for every event of the
  // contract when the platform subscribes.
  void Register(consumer::EventConsumer& consumer);

  absl::Status Record(const google::protobuf::Message& event, consumer::EventContext& context);

 private:
  absl::Status RecordForPartner(const google::protobuf::Message& event,
                                consumer::EventContext& context);
  absl::Status Send(consumer::EventContext& context, const TrackedOrder& order,
                    const std::string& event_id, absl::Time time, const std::string& status,
                    const std::string& reason);

  std::set<std::string> partners_;
  bool platform_;
};

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_WEBHOOKS_RECORDER_H_

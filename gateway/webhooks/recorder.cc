#include "gateway/webhooks/recorder.h"

#include "absl/strings/match.h"
#include "common/events/contract_topics.h"
#include "common/events/event_route.h"
#include "common/money/currency.h"
#include "common/money/decimal.h"
#include "gateway/partner/translation.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "proto/shop/delivery/v1/events.pb.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::gateway {
namespace {

using shop::order::v1::OrderCancelled;
using shop::order::v1::OrderCompleted;
using shop::order::v1::OrderPlaced;

constexpr char kPartnerPrefix[] = "partner:";

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

absl::Time TimeOf(const google::protobuf::Timestamp& timestamp, absl::Time fallback) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return fallback;
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

nlohmann::json MessageJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return {};
  return nlohmann::json::parse(json, nullptr, false);
}

}  // namespace

nlohmann::json CloudEventJson(const CloudEvent& event) {
  return {{"specversion", "1.0"},
          {"id", event.id},
          {"source", event.source},
          {"type", event.type},
          {"subject", event.subject},
          {"time", Rfc3339(event.time)},
          {"datacontenttype", "application/json"},
          {"data", event.data}};
}

std::string PartnerEventType(const std::string& status) { return "shop.partner.order." + status; }

void WebhookRecorder::Register(consumer::EventConsumer& consumer) {
  auto record = [this](const google::protobuf::Message& event, consumer::EventContext& context) {
    return Record(event, context);
  };
  if (platform_) {
    for (const google::protobuf::Descriptor* type : events::ContractEventTypes()) {
      consumer.On(google::protobuf::MessageFactory::generated_factory()->GetPrototype(type),
                  record);
    }
    return;
  }
  consumer.On(&OrderPlaced::default_instance(), record);
  consumer.On(&OrderCompleted::default_instance(), record);
  consumer.On(&OrderCancelled::default_instance(), record);
  consumer.On(&shop::delivery::v1::DeliveryStatusChanged::default_instance(), record);
}

absl::Status WebhookRecorder::Record(const google::protobuf::Message& event,
                                     consumer::EventContext& context) {
  if (platform_) {
    auto destination = events::DestinationOf(event);
    if (!destination.ok()) return destination.status();
    const events::EventMetadata& metadata = context.metadata();
    Delivery delivery;
    delivery.subscriber = kPlatformSubscriber;
    delivery.stream_key = destination->key;
    delivery.event_id = metadata.id;
    delivery.event_type = metadata.type;
    nlohmann::json cloud_event =
        CloudEventJson({metadata.id, metadata.source, metadata.type, destination->key,
                        metadata.time, MessageJson(event)});
    cloud_event["correlationid"] = metadata.correlation_id;
    delivery.payload = cloud_event.dump();
    if (absl::Status queued = Enqueue(context.tx(), delivery); !queued.ok()) return queued;
  }
  return RecordForPartner(event, context);
}

absl::Status WebhookRecorder::Send(consumer::EventContext& context, const TrackedOrder& order,
                                   const std::string& event_id, absl::Time time,
                                   const std::string& status, const std::string& reason) {
  shop::partner::v1::PartnerOrder data;
  data.set_order_ref(order.order_ref);
  data.set_status(status);
  data.set_total(
      money::MinorToDecimal(order.total_minor, money::MinorUnitDigits(order.currency).value_or(2)));
  data.set_currency(order.currency);
  data.set_status_reason(reason);
  Delivery delivery;
  delivery.subscriber = order.partner_id;
  delivery.stream_key = order.order_id;
  delivery.event_id = event_id;
  delivery.event_type = PartnerEventType(status);
  delivery.payload = CloudEventJson({event_id, "/partner/v1/orders", delivery.event_type,
                                     order.order_ref, time, MessageJson(data)})
                         .dump();
  return Enqueue(context.tx(), delivery);
}

absl::Status WebhookRecorder::RecordForPartner(const google::protobuf::Message& event,
                                               consumer::EventContext& context) {
  const events::EventMetadata& metadata = context.metadata();
  if (const auto* placed = dynamic_cast<const OrderPlaced*>(&event)) {
    if (!absl::StartsWith(placed->customer_id(), kPartnerPrefix)) return absl::OkStatus();
    const std::string partner = placed->customer_id().substr(sizeof(kPartnerPrefix) - 1);
    if (!partners_.count(partner)) return absl::OkStatus();
    auto found = FindOrder(context.tx(), placed->order_id());
    if (!found.ok()) return found.status();
    TrackedOrder order = found->value_or(TrackedOrder{});  // may hold an early SHIPPED
    order.order_id = placed->order_id();
    order.partner_id = partner;
    order.order_ref = placed->idempotency_key();
    order.currency = placed->currency_code();
    order.total_minor = placed->total().minor_units();
    if (absl::Status saved = SaveOrder(context.tx(), order); !saved.ok()) return saved;
    return Send(context, order, metadata.id, TimeOf(placed->place_time(), metadata.time),
                "received", "");
  }
  const auto* completed = dynamic_cast<const OrderCompleted*>(&event);
  const auto* cancelled = dynamic_cast<const OrderCancelled*>(&event);
  const auto* changed = dynamic_cast<const shop::delivery::v1::DeliveryStatusChanged*>(&event);
  if (changed != nullptr &&
      changed->status() != shop::delivery::v1::DeliveryStatus::DELIVERY_STATUS_SHIPPED) {
    return absl::OkStatus();
  }
  if (completed == nullptr && cancelled == nullptr && changed == nullptr) return absl::OkStatus();
  const std::string& order_id = completed   ? completed->order_id()
                                : cancelled ? cancelled->order_id()
                                            : changed->order_id();
  auto found = FindOrder(context.tx(), order_id);
  if (!found.ok()) return found.status();
  if (changed != nullptr) {
    TrackedOrder order = found->value_or(TrackedOrder{});
    order.order_id = order_id;
    if (!order.partner_id.empty() && order.completed) {
      return Send(context, order, metadata.id, TimeOf(changed->change_time(), metadata.time),
                  "shipped", "");
    }
    // Not completed yet as far as we know (or not a partner's order at all,
    // which only its OrderPlaced, not yet read, could tell): held.
    order.shipped_early = true;
    order.shipped_event_id = metadata.id;
    order.shipped_time = Rfc3339(TimeOf(changed->change_time(), metadata.time));
    return SaveOrder(context.tx(), order);
  }
  if (!found->has_value() || (*found)->partner_id.empty()) return absl::OkStatus();
  TrackedOrder order = **found;
  if (completed != nullptr) {
    order.completed = true;
    order.total_minor = completed->total().minor_units();  // after the coupon's discount
    if (absl::Status saved = SaveOrder(context.tx(), order); !saved.ok()) return saved;
    if (absl::Status sent =
            Send(context, order, metadata.id, TimeOf(completed->complete_time(), metadata.time),
                 "confirmed", "");
        !sent.ok()) {
      return sent;
    }
    if (!order.shipped_early) return absl::OkStatus();
    absl::Time shipped_time = metadata.time;
    absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*SZ", order.shipped_time, &shipped_time, nullptr);
    return Send(context, order, order.shipped_event_id, shipped_time, "shipped", "");
  }
  const auto [status, reason] = PartnerCancellation(cancelled->reason());
  return Send(context, order, metadata.id, TimeOf(cancelled->cancel_time(), metadata.time), status,
              reason);
}

}  // namespace shop::gateway

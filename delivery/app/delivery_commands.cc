#include "delivery/app/delivery_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors/bad_request.h"
#include "common/errors/field_limits.h"
#include "common/events/event_metadata.h"
#include "common/logging/log.h"
#include "common/mysql/transaction.h"
#include "delivery/domain/delivery_state.h"
#include "google/protobuf/util/time_util.h"
#include "proto/shop/delivery/v1/events.pb.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::delivery::app {
namespace {

google::protobuf::Timestamp Now() {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
}

// Moves `delivery` to `to` if that is legal and new; returns the event to
// publish, or nullopt for a no-op.
absl::StatusOr<std::optional<shop::delivery::v1::DeliveryStatusChanged>> Move(Delivery& delivery,
                                                                              DeliveryStatus to) {
  auto changed = domain::Advance(delivery.status(), to);
  if (!changed.ok()) return changed.status();
  if (!*changed) return std::nullopt;
  shop::delivery::v1::DeliveryStatusChanged event;
  event.set_delivery_id(delivery.delivery_id());
  event.set_order_id(delivery.order_id());
  event.set_previous_status(delivery.status());
  event.set_status(to);
  delivery.set_status(to);
  *delivery.mutable_update_time() = Now();
  *event.mutable_change_time() = delivery.update_time();
  return event;
}

}  // namespace

absl::StatusOr<Delivery> DeliveryCommands::GetDelivery(const std::string& order_id,
                                                       absl::Time deadline) {
  if (absl::Status bad = errors::CheckId(order_id, "order_id"); !bad.ok()) return bad;
  std::optional<Delivery> delivery;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto found = deliveries_.FindByOrder(tx, order_id, /*for_update=*/false);
    if (!found.ok()) return found.status();
    delivery = *std::move(found);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!delivery.has_value()) {
    return absl::NotFoundError(absl::StrCat("order ", order_id, " has no delivery"));
  }
  return *delivery;
}

absl::StatusOr<storage::DeliveryPage> DeliveryCommands::ListDeliveries(
    int page_size, const std::string& page_token, DeliveryStatus status, absl::Time deadline) {
  if (page_size < 0) return errors::InvalidArgument({{"page_size", "must not be negative"}});
  page_size = page_size == 0 ? 50 : std::min(page_size, 500);
  absl::StatusOr<storage::DeliveryPage> page;
  absl::Status result = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    page = deliveries_.List(tx, page_size, page_token, status);
    return page.status().code() == absl::StatusCode::kInvalidArgument ? absl::OkStatus()
                                                                      : page.status();
  });
  if (!result.ok()) return result;
  if (!page.ok()) {
    return errors::InvalidArgument({{"page_token", "is not a token this service returned"}});
  }
  return page;
}

absl::StatusOr<Delivery> DeliveryCommands::UpdateStatus(const std::string& order_id,
                                                        DeliveryStatus status,
                                                        const std::string& correlation_id,
                                                        absl::Time deadline) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(order_id, "order_id", violations);
  if (status == DeliveryStatus::DELIVERY_STATUS_UNSPECIFIED) {
    violations.push_back({"status", "is required"});
  }
  if (!violations.empty()) return errors::InvalidArgument(violations);
  Delivery delivery;
  absl::Status result = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto found = deliveries_.FindByOrder(tx, order_id, /*for_update=*/true);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      return absl::NotFoundError(absl::StrCat("order ", order_id, " has no delivery"));
    }
    delivery = **std::move(found);
    auto event = Move(delivery, status);
    if (!event.ok()) return event.status();
    if (!event->has_value()) return absl::OkStatus();
    if (absl::Status updated = deliveries_.Update(tx, delivery); !updated.ok()) return updated;
    return outbox_.Append(tx, **event, {correlation_id, correlation_id}).status();
  });
  if (!result.ok()) return result;
  return delivery;
}

void DeliveryCommands::RegisterSagaHandlers(consumer::EventConsumer& consumer) {
  consumer.On<shop::order::v1::OrderCompleted>(
      [this](const shop::order::v1::OrderCompleted& completed, consumer::EventContext& context) {
        auto found = deliveries_.FindByOrder(context.tx(), completed.order_id(), true);
        if (!found.ok()) return found.status();
        if (found->has_value()) return absl::OkStatus();  // created already
        Delivery delivery;
        delivery.set_delivery_id(events::NewUuid());
        delivery.set_order_id(completed.order_id());
        delivery.set_status(DeliveryStatus::DELIVERY_STATUS_PREPARING);
        *delivery.mutable_shipping_address() = completed.shipping_address();
        for (const auto& line : completed.lines()) {
          auto* item = delivery.add_items();
          item->set_product_id(line.product_id());
          item->set_quantity(line.quantity());
        }
        *delivery.mutable_create_time() = Now();
        *delivery.mutable_update_time() = delivery.create_time();
        if (absl::Status inserted = deliveries_.Insert(context.tx(), delivery); !inserted.ok()) {
          return inserted;
        }
        shop::delivery::v1::DeliveryCreated created;
        created.set_delivery_id(delivery.delivery_id());
        created.set_order_id(delivery.order_id());
        *created.mutable_shipping_address() = delivery.shipping_address();
        *created.mutable_items() = delivery.items();
        *created.mutable_create_time() = delivery.create_time();
        return context.Emit(created);
      });

  consumer.On<shop::order::v1::OrderCancellationRequested>(
      [this](const shop::order::v1::OrderCancellationRequested& requested,
             consumer::EventContext& context) -> absl::Status {
        auto found = deliveries_.FindByOrder(context.tx(), requested.order_id(), true);
        if (!found.ok()) return found.status();
        if (!found->has_value()) {
          // No delivery was ever started: nothing can ship; accept.
          shop::delivery::v1::CancellationAccepted accepted;
          accepted.set_order_id(requested.order_id());
          *accepted.mutable_decide_time() = Now();
          return context.Emit(accepted);
        }
        Delivery delivery = **std::move(found);
        switch (delivery.status()) {
          case DeliveryStatus::DELIVERY_STATUS_PREPARING:
          case DeliveryStatus::DELIVERY_STATUS_CANCELLED: {
            auto event = Move(delivery, DeliveryStatus::DELIVERY_STATUS_CANCELLED);
            if (!event.ok()) return event.status();
            if (event->has_value()) {
              if (absl::Status updated = deliveries_.Update(context.tx(), delivery);
                  !updated.ok()) {
                return updated;
              }
              if (absl::Status emitted = context.Emit(**event); !emitted.ok()) return emitted;
            }
            shop::delivery::v1::CancellationAccepted accepted;
            accepted.set_delivery_id(delivery.delivery_id());
            accepted.set_order_id(delivery.order_id());
            *accepted.mutable_decide_time() = Now();
            return context.Emit(accepted);
          }
          default: {
            shop::delivery::v1::CancellationRefused refused;
            refused.set_delivery_id(delivery.delivery_id());
            refused.set_order_id(delivery.order_id());
            refused.set_status(delivery.status());
            refused.set_detail("the parcel has shipped");
            *refused.mutable_decide_time() = Now();
            return context.Emit(refused);
          }
        }
      });

  consumer.On<shop::order::v1::OrderCancelled>(
      [this](const shop::order::v1::OrderCancelled& cancelled, consumer::EventContext& context) {
        auto found = deliveries_.FindByOrder(context.tx(), cancelled.order_id(), true);
        if (!found.ok()) return found.status();
        if (!found->has_value()) return absl::OkStatus();  // never completed: nothing to cancel
        Delivery delivery = **std::move(found);
        if (delivery.status() == DeliveryStatus::DELIVERY_STATUS_CANCELLED) {
          return absl::OkStatus();  // cancelled already, when delivery accepted the request
        }
        if (delivery.status() != DeliveryStatus::DELIVERY_STATUS_PREPARING) {
          // Shipped already: the parcel is on its way; returns are out of scope.
          log::Warning("order cancelled after its delivery left",
                       {{"order_id", delivery.order_id()},
                        {"status", shop::delivery::v1::DeliveryStatus_Name(delivery.status())}});
          return absl::OkStatus();
        }
        auto event = Move(delivery, DeliveryStatus::DELIVERY_STATUS_CANCELLED);
        if (!event.ok()) return event.status();
        if (absl::Status updated = deliveries_.Update(context.tx(), delivery); !updated.ok()) {
          return updated;
        }
        return context.Emit(**event);
      });
}

}  // namespace shop::delivery::app

#include "delivery/app/delivery_saga.h"

#include "common/logging/log.h"

namespace shop::delivery::app {

absl::Status DeliverySaga::Apply(const domain::DeliveryChange& change, DeliveryStore& store,
                                 consumer::EventSink& sink) {
  if (change.insert.has_value()) {
    if (absl::Status inserted = store.Insert(*change.insert); !inserted.ok()) return inserted;
  }
  if (change.update.has_value()) {
    if (absl::Status updated = store.Update(*change.update); !updated.ok()) return updated;
  }
  for (const auto& event : change.events) {
    if (absl::Status emitted = sink.Emit(*event); !emitted.ok()) return emitted;
  }
  return absl::OkStatus();
}

absl::Status DeliverySaga::OnOrderCompleted(const shop::order::v1::OrderCompleted& event,
                                            DeliveryStore& store, consumer::EventSink& sink) {
  auto existing = store.FindByOrder(event.order_id());
  if (!existing.ok()) return existing.status();
  return Apply(domain::OnOrderCompleted(*existing, event, new_id_(), clock_()), store, sink);
}

absl::Status DeliverySaga::OnOrderCancellationRequested(
    const shop::order::v1::OrderCancellationRequested& event, DeliveryStore& store,
    consumer::EventSink& sink) {
  auto delivery = store.FindByOrder(event.order_id());
  if (!delivery.ok()) return delivery.status();
  auto change = domain::OnCancellationRequested(*delivery, event.order_id(), clock_());
  if (!change.ok()) return change.status();
  return Apply(*change, store, sink);
}

absl::Status DeliverySaga::OnOrderCancelled(const shop::order::v1::OrderCancelled& event,
                                            DeliveryStore& store, consumer::EventSink& sink) {
  auto delivery = store.FindByOrder(event.order_id());
  if (!delivery.ok()) return delivery.status();
  bool shipped_already = false;
  auto change = domain::OnOrderCancelled(*delivery, clock_(), &shipped_already);
  if (!change.ok()) return change.status();
  if (shipped_already) {
    // The parcel is on its way; returns are out of scope.
    log::Warning("order cancelled after its delivery left",
                 {{"order_id", event.order_id()},
                  {"status", shop::delivery::v1::DeliveryStatus_Name((*delivery)->status())}});
  }
  return Apply(*change, store, sink);
}

}  // namespace shop::delivery::app

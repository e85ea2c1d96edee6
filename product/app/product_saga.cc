#include "product/app/product_saga.h"

#include "product/domain/stock.h"

namespace shop::product::app {

absl::Status ProductSaga::Apply(const std::string& order_id,
                                const domain::ReservationChange& change, StockStore& store,
                                consumer::EventSink& sink) {
  for (const auto& move : change.stock) {
    if (absl::Status moved = store.Move(move); !moved.ok()) return moved;
  }
  for (const auto& reservation : change.save) {
    if (absl::Status saved = store.SaveReservation(order_id, reservation); !saved.ok()) {
      return saved;
    }
  }
  for (const auto& event : change.events) {
    if (absl::Status emitted = sink.Emit(*event); !emitted.ok()) return emitted;
  }
  return absl::OkStatus();
}

absl::Status ProductSaga::OnOrderPlaced(const shop::order::v1::OrderPlaced& event,
                                        StockStore& store, consumer::EventSink& sink) {
  auto existing = store.Reservations(event.order_id());
  if (!existing.ok()) return existing.status();
  if (!existing->empty()) return absl::OkStatus();  // reserved already: no need to lock stock
  const std::map<std::string, int64_t> requested = domain::RequestedQuantities(event.lines());
  std::vector<std::string> ids;
  for (const auto& [id, quantity] : requested) ids.push_back(id);
  auto available = store.LockAvailable(ids);
  if (!available.ok()) return available.status();
  return Apply(event.order_id(),
               domain::OnOrderPlaced(event.order_id(), *existing, requested, *available, clock_()),
               store, sink);
}

absl::Status ProductSaga::OnOrderCompleted(const shop::order::v1::OrderCompleted& event,
                                           StockStore& store, consumer::EventSink& sink) {
  auto existing = store.Reservations(event.order_id());
  if (!existing.ok()) return existing.status();
  return Apply(event.order_id(), domain::OnOrderCompleted(*existing), store, sink);
}

absl::Status ProductSaga::OnOrderCancelled(const shop::order::v1::OrderCancelled& event,
                                           StockStore& store, consumer::EventSink& sink) {
  auto existing = store.Reservations(event.order_id());
  if (!existing.ok()) return existing.status();
  return Apply(event.order_id(), domain::OnOrderCancelled(event.order_id(), *existing, clock_()),
               store, sink);
}

}  // namespace shop::product::app

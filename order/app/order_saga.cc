#include "order/app/order_saga.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "order/domain/order_events.h"

namespace shop::order::app {
namespace {

std::string ShortfallDetail(const shop::product::v1::StockRejected& rejected) {
  std::vector<std::string> parts;
  for (const auto& shortfall : rejected.shortfalls()) {
    parts.push_back(shortfall.unknown_product()
                        ? absl::StrCat(shortfall.product_id(), ": unknown product")
                        : absl::StrCat(shortfall.product_id(), ": requested ",
                                       shortfall.requested(), ", available ",
                                       shortfall.available()));
  }
  return absl::StrCat("out of stock: ", absl::StrJoin(parts, "; "));
}

}  // namespace

absl::Status OrderSaga::Apply(const domain::Transition& transition, const Order& order,
                              OrderStore& store, consumer::EventSink& sink) {
  if (!transition.changed) return absl::OkStatus();
  if (absl::Status updated = store.Update(order); !updated.ok()) return updated;
  std::unique_ptr<google::protobuf::Message> event = domain::EventOf(transition, order);
  return event == nullptr ? absl::OkStatus() : sink.Emit(*event);
}

absl::Status OrderSaga::React(
    const std::string& order_id, OrderStore& store, consumer::EventSink& sink,
    const std::function<absl::StatusOr<domain::Transition>(Order&)>& step) {
  auto order = store.GetForUpdate(order_id);
  if (!order.ok()) return order.status();
  auto transition = step(*order);
  if (!transition.ok()) return transition.status();
  return Apply(*transition, *order, store, sink);
}

absl::Status OrderSaga::OnProductChanged(const shop::product::v1::ProductChanged& event,
                                         OrderStore& store, consumer::EventSink&) {
  const auto& product = event.product();
  return store.UpsertCatalog(
      {event.product_id(), product.price().minor_units(), product.price().currency_code(),
       product.discontinued()},
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(event.change_time()));
}

absl::Status OrderSaga::OnStockReserved(const shop::product::v1::StockReserved& event,
                                        OrderStore& store, consumer::EventSink& sink) {
  return React(event.order_id(), store, sink,
               [this](Order& order) { return domain::OnStockReserved(order, clock_()); });
}

absl::Status OrderSaga::OnStockRejected(const shop::product::v1::StockRejected& event,
                                        OrderStore& store, consumer::EventSink& sink) {
  const std::string detail = ShortfallDetail(event);
  return React(event.order_id(), store, sink, [this, &detail](Order& order) {
    return domain::OnStockRejected(order, detail, clock_());
  });
}

absl::Status OrderSaga::OnCouponRedeemed(const shop::coupon::v1::CouponRedeemed& event,
                                         OrderStore& store, consumer::EventSink& sink) {
  return React(event.order_id(), store, sink, [this, &event](Order& order) {
    return domain::OnCouponRedeemed(order, event.discount(), clock_());
  });
}

absl::Status OrderSaga::OnCouponRedemptionRejected(
    const shop::coupon::v1::CouponRedemptionRejected& event, OrderStore& store,
    consumer::EventSink& sink) {
  std::string reason = shop::coupon::v1::RedemptionRejection_Name(event.reason());
  if (absl::StartsWith(reason, "REDEMPTION_REJECTION_")) {
    reason = reason.substr(sizeof("REDEMPTION_REJECTION_") - 1);
  }
  const std::string detail = absl::StrCat("coupon refused: ", reason, ": ", event.detail());
  return React(event.order_id(), store, sink, [this, &detail](Order& order) {
    return domain::OnCouponRejected(order, detail, clock_());
  });
}

absl::Status OrderSaga::OnCouponRestored(const shop::coupon::v1::CouponRestored& event,
                                         OrderStore& store, consumer::EventSink& sink) {
  return React(event.order_id(), store, sink,
               [this](Order& order) { return domain::OnCouponRestored(order, clock_()); });
}

absl::Status OrderSaga::OnDeliveryStatusChanged(
    const shop::delivery::v1::DeliveryStatusChanged& event, OrderStore& store,
    consumer::EventSink& sink) {
  if (event.status() != shop::delivery::v1::DELIVERY_STATUS_SHIPPED) return absl::OkStatus();
  return React(event.order_id(), store, sink,
               [this](Order& order) { return domain::OnShipped(order, clock_()); });
}

absl::Status OrderSaga::OnCancellationAccepted(
    const shop::delivery::v1::CancellationAccepted& event, OrderStore& store,
    consumer::EventSink& sink) {
  return React(event.order_id(), store, sink,
               [this](Order& order) { return domain::OnCancellationAccepted(order, clock_()); });
}

absl::Status OrderSaga::OnCancellationRefused(const shop::delivery::v1::CancellationRefused& event,
                                              OrderStore& store, consumer::EventSink& sink) {
  return React(event.order_id(), store, sink, [this, &event](Order& order) {
    return domain::OnCancellationRefused(order, event.detail(), clock_());
  });
}

}  // namespace shop::order::app

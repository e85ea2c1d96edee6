#include "product/domain/reservations.h"

#include "google/protobuf/util/time_util.h"
#include "product/domain/stock.h"
#include "proto/shop/product/v1/events.pb.h"

namespace shop::product::domain {
namespace {

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

}  // namespace

ReservationChange OnOrderPlaced(const std::string& order_id,
                                const std::vector<Reservation>& existing,
                                const std::map<std::string, int64_t>& requested,
                                const std::map<std::string, int64_t>& available, absl::Time now) {
  ReservationChange change;
  if (!existing.empty()) return change;  // reserved already
  const auto shortfalls = Shortfalls(requested, available);
  if (!shortfalls.empty()) {
    shop::product::v1::StockRejected rejected;
    rejected.set_order_id(order_id);
    for (const auto& shortfall : shortfalls) *rejected.add_shortfalls() = shortfall;
    *rejected.mutable_reject_time() = ToTimestamp(now);
    change.events.push_back(std::make_shared<const shop::product::v1::StockRejected>(rejected));
    return change;
  }
  shop::product::v1::StockReserved reserved;
  reserved.set_order_id(order_id);
  for (const auto& [id, quantity] : requested) {
    change.stock.push_back({id, quantity, StockMove::kReserve, ReservationState::kReserved});
    change.save.push_back({id, quantity, ReservationState::kReserved});
    auto* line = reserved.add_lines();
    line->set_product_id(id);
    line->set_quantity(quantity);
  }
  *reserved.mutable_reserve_time() = ToTimestamp(now);
  change.events.push_back(std::make_shared<const shop::product::v1::StockReserved>(reserved));
  return change;
}

ReservationChange OnOrderCompleted(const std::vector<Reservation>& existing) {
  ReservationChange change;
  for (Reservation reservation : existing) {
    if (reservation.state != ReservationState::kReserved) continue;
    change.stock.push_back({reservation.product_id, reservation.quantity, StockMove::kSell,
                            ReservationState::kReserved});
    reservation.state = ReservationState::kSold;
    change.save.push_back(reservation);
  }
  return change;
}

ReservationChange OnOrderCancelled(const std::string& order_id,
                                   const std::vector<Reservation>& existing, absl::Time now) {
  ReservationChange change;
  shop::product::v1::StockReleased released;
  released.set_order_id(order_id);
  for (Reservation reservation : existing) {
    if (reservation.state == ReservationState::kReleased) continue;
    change.stock.push_back(
        {reservation.product_id, reservation.quantity, StockMove::kRelease, reservation.state});
    reservation.state = ReservationState::kReleased;
    change.save.push_back(reservation);
    auto* line = released.add_lines();
    line->set_product_id(reservation.product_id);
    line->set_quantity(reservation.quantity);
  }
  if (released.lines_size() == 0) return change;  // rejected: nothing was held
  *released.mutable_release_time() = ToTimestamp(now);
  change.events.push_back(std::make_shared<const shop::product::v1::StockReleased>(released));
  return change;
}

}  // namespace shop::product::domain

// An order's reservations in the product service, as a state machine over
// pure data: reserved -> sold -> (released), reserved -> released. Each rule
// returns the state change (reservations to save, stock to move) together
// with the events it causes, like order's Transition. The saga
// (app/product_saga.h) loads, calls these, saves and emits.
#ifndef SHOP_PRODUCT_DOMAIN_RESERVATIONS_H_
#define SHOP_PRODUCT_DOMAIN_RESERVATIONS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace shop::product::domain {

enum class ReservationState { kReserved = 1, kSold = 2, kReleased = 3 };

// What one order holds of one product.
struct Reservation {
  std::string product_id;
  int64_t quantity = 0;
  ReservationState state = ReservationState::kReserved;
};

// A move between a product's stock columns: available -> reserved
// (kReserve), reserved -> sold (kSell), reserved or sold -> available
// (kRelease, from `from`).
enum class StockMove { kReserve, kSell, kRelease };
struct StockChange {
  std::string product_id;
  int64_t quantity = 0;
  StockMove move = StockMove::kReserve;
  ReservationState from = ReservationState::kReserved;
};

struct ReservationChange {
  std::vector<StockChange> stock;
  std::vector<Reservation> save;  // with their new states
  std::vector<std::shared_ptr<const google::protobuf::Message>> events;
};

// OrderPlaced: every line reserved (StockReserved) or none (StockRejected
// with the shortfalls). `existing` non-empty: reserved already, nothing.
// `available` is the locked available stock of the requested products
// (absent: unknown product).
ReservationChange OnOrderPlaced(const std::string& order_id,
                                const std::vector<Reservation>& existing,
                                const std::map<std::string, int64_t>& requested,
                                const std::map<std::string, int64_t>& available, absl::Time now);

// OrderCompleted: what is reserved is sold. No event.
ReservationChange OnOrderCompleted(const std::vector<Reservation>& existing);

// OrderCancelled: what is reserved or sold goes back to available
// (StockReleased); nothing when nothing was held.
ReservationChange OnOrderCancelled(const std::string& order_id,
                                   const std::vector<Reservation>& existing, absl::Time now);

}  // namespace shop::product::domain

#endif  // SHOP_PRODUCT_DOMAIN_RESERVATIONS_H_

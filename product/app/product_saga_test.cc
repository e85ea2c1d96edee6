// ProductSaga's handlers against an in-memory stock store and a recording sink.
#include "product/app/product_saga.h"

#include <map>

#include "common/testing/recording_sink.h"
#include "gtest/gtest.h"
#include "proto/shop/product/v1/events.pb.h"

namespace shop::product::app {
namespace {

using domain::Reservation;
using domain::ReservationState;

struct Stock {
  int64_t available = 0, reserved = 0, sold = 0;
};

class FakeStockStore : public StockStore {
 public:
  absl::StatusOr<std::vector<Reservation>> Reservations(const std::string& order_id) override {
    std::vector<Reservation> found;
    for (const auto& [key, reservation] : reservations) {
      if (key.first == order_id) found.push_back(reservation);
    }
    return found;
  }
  absl::StatusOr<std::map<std::string, int64_t>> LockAvailable(
      const std::vector<std::string>& ids) override {
    std::map<std::string, int64_t> available;
    for (const auto& id : ids) {
      if (stock.count(id)) available[id] = stock[id].available;
    }
    return available;
  }
  absl::Status Move(const domain::StockChange& change) override {
    Stock& s = stock[change.product_id];
    switch (change.move) {
      case domain::StockMove::kReserve:
        s.available -= change.quantity;
        s.reserved += change.quantity;
        break;
      case domain::StockMove::kSell:
        s.reserved -= change.quantity;
        s.sold += change.quantity;
        break;
      case domain::StockMove::kRelease:
        (change.from == ReservationState::kSold ? s.sold : s.reserved) -= change.quantity;
        s.available += change.quantity;
        break;
    }
    return s.available < 0 ? absl::FailedPreconditionError("negative") : absl::OkStatus();
  }
  absl::Status SaveReservation(const std::string& order_id,
                               const Reservation& reservation) override {
    reservations[{order_id, reservation.product_id}] = reservation;
    return absl::OkStatus();
  }

  std::map<std::string, Stock> stock;
  std::map<std::pair<std::string, std::string>, Reservation> reservations;
};

shop::order::v1::OrderPlaced Placed(const std::string& order_id,
                                    std::vector<std::pair<std::string, int64_t>> lines) {
  shop::order::v1::OrderPlaced placed;
  placed.set_order_id(order_id);
  for (const auto& [product, quantity] : lines) {
    auto* line = placed.add_lines();
    line->set_product_id(product);
    line->set_quantity(quantity);
  }
  return placed;
}

class ProductSagaTest : public ::testing::Test {
 protected:
  ProductSagaTest() {
    store_.stock["tea"].available = 5;
    store_.stock["mug"].available = 1;
  }
  ProductSaga saga_{[] { return absl::FromUnixSeconds(1795300000); }};
  FakeStockStore store_;
  shop::testing::RecordingSink sink_;
};

TEST_F(ProductSagaTest, AnOrderIsReservedWholeAndARedeliveryChangesNothing) {
  ASSERT_TRUE(
      saga_.OnOrderPlaced(Placed("o-1", {{"tea", 2}, {"mug", 1}, {"tea", 1}}), store_, sink_).ok());
  EXPECT_EQ(store_.stock["tea"].available, 2);
  EXPECT_EQ(store_.stock["tea"].reserved, 3);
  EXPECT_EQ(store_.stock["mug"].reserved, 1);
  ASSERT_EQ(sink_.Of<shop::product::v1::StockReserved>().size(), 1u);
  ASSERT_TRUE(saga_.OnOrderPlaced(Placed("o-1", {{"tea", 3}, {"mug", 1}}), store_, sink_).ok());
  EXPECT_EQ(store_.stock["tea"].reserved, 3);
  EXPECT_EQ(sink_.size(), 1u);
}

TEST_F(ProductSagaTest, AShortLineRejectsTheWholeOrderAndReservesNothing) {
  ASSERT_TRUE(
      saga_.OnOrderPlaced(Placed("o-1", {{"tea", 1}, {"mug", 2}, {"nope", 1}}), store_, sink_)
          .ok());
  EXPECT_EQ(store_.stock["tea"].reserved, 0);
  EXPECT_EQ(store_.stock["mug"].reserved, 0);
  const auto rejected = sink_.Of<shop::product::v1::StockRejected>();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].shortfalls_size(), 2);
  EXPECT_TRUE(store_.reservations.empty());
}

TEST_F(ProductSagaTest, CompletionSellsAndCancellationReleasesReservedOrSoldStockOnce) {
  ASSERT_TRUE(saga_.OnOrderPlaced(Placed("o-1", {{"tea", 2}}), store_, sink_).ok());
  shop::order::v1::OrderCompleted completed;
  completed.set_order_id("o-1");
  ASSERT_TRUE(saga_.OnOrderCompleted(completed, store_, sink_).ok());
  EXPECT_EQ(store_.stock["tea"].sold, 2);
  EXPECT_EQ(store_.stock["tea"].reserved, 0);
  shop::order::v1::OrderCancelled cancelled;
  cancelled.set_order_id("o-1");
  ASSERT_TRUE(saga_.OnOrderCancelled(cancelled, store_, sink_).ok());
  ASSERT_TRUE(saga_.OnOrderCancelled(cancelled, store_, sink_).ok());  // redelivered
  EXPECT_EQ(store_.stock["tea"].sold, 0);
  EXPECT_EQ(store_.stock["tea"].available, 5);
  EXPECT_EQ(sink_.Of<shop::product::v1::StockReleased>().size(), 1u);
}

TEST_F(ProductSagaTest, CancellingARejectedOrderReleasesNothing) {
  shop::order::v1::OrderCancelled cancelled;
  cancelled.set_order_id("never-reserved");
  ASSERT_TRUE(saga_.OnOrderCancelled(cancelled, store_, sink_).ok());
  EXPECT_EQ(sink_.size(), 0u);
  EXPECT_EQ(store_.stock["tea"].available, 5);
}

}  // namespace
}  // namespace shop::product::app

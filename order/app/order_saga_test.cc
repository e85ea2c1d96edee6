// OrderSaga's handlers against an in-memory store and a recording sink.
#include "order/app/order_saga.h"

#include <map>

#include "common/testing/recording_sink.h"
#include "gtest/gtest.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::order::app {
namespace {

using shop::order::v1::OrderStatus;

class FakeOrderStore : public OrderStore {
 public:
  absl::StatusOr<Order> GetForUpdate(const std::string& order_id) override {
    auto it = orders.find(order_id);
    if (it == orders.end()) return absl::NotFoundError(order_id);
    return it->second;
  }
  absl::Status Update(const Order& order) override {
    orders[order.order_id()] = order;
    ++updates;
    return absl::OkStatus();
  }
  absl::Status UpsertCatalog(const domain::CatalogEntry& entry, int64_t changed_micros) override {
    auto& [stored, micros] = catalog[entry.product_id];
    if (changed_micros >= micros) {
      stored = entry;
      micros = changed_micros;
    }
    return absl::OkStatus();
  }
  std::map<std::string, Order> orders;
  std::map<std::string, std::pair<domain::CatalogEntry, int64_t>> catalog;
  int updates = 0;
};

class OrderSagaTest : public ::testing::Test {
 protected:
  void Add(const std::string& id, OrderStatus status) {
    Order order;
    order.set_order_id(id);
    order.set_status(status);
    order.mutable_total()->set_minor_units(900);
    store_.orders[id] = order;
  }
  OrderSaga saga_{[] { return absl::FromUnixSeconds(1795300000); }};
  FakeOrderStore store_;
  shop::testing::RecordingSink sink_;
};

TEST_F(OrderSagaTest, StockReservedCompletesOnceAndAnnouncesIt) {
  Add("o-1", shop::order::v1::ORDER_STATUS_PENDING);
  shop::product::v1::StockReserved reserved;
  reserved.set_order_id("o-1");
  ASSERT_TRUE(saga_.OnStockReserved(reserved, store_, sink_).ok());
  ASSERT_TRUE(saga_.OnStockReserved(reserved, store_, sink_).ok());  // redelivered
  EXPECT_EQ(store_.orders["o-1"].status(), shop::order::v1::ORDER_STATUS_COMPLETED);
  EXPECT_EQ(store_.updates, 1);
  ASSERT_EQ(sink_.Of<shop::order::v1::OrderCompleted>().size(), 1u);
  EXPECT_EQ(sink_.Of<shop::order::v1::OrderCompleted>()[0].total().minor_units(), 900);
}

TEST_F(OrderSagaTest, StockRejectedCancelsWithTheShortfallsAsDetail) {
  Add("o-1", shop::order::v1::ORDER_STATUS_PENDING);
  shop::product::v1::StockRejected rejected;
  rejected.set_order_id("o-1");
  auto* shortfall = rejected.add_shortfalls();
  shortfall->set_product_id("tea");
  shortfall->set_requested(3);
  shortfall->set_available(1);
  ASSERT_TRUE(saga_.OnStockRejected(rejected, store_, sink_).ok());
  const auto cancelled = sink_.Of<shop::order::v1::OrderCancelled>();
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].detail(), "out of stock: tea: requested 3, available 1");
  EXPECT_EQ(cancelled[0].previous_status(), shop::order::v1::ORDER_STATUS_PENDING);
}

TEST_F(OrderSagaTest, DeliverysAnswersDecideARequestedCancellation) {
  for (const std::string id : {"accepted", "refused"}) {
    Add(id, shop::order::v1::ORDER_STATUS_COMPLETED);
    auto* request = store_.orders[id].mutable_cancellation_request();
    request->set_state(shop::order::v1::CANCELLATION_REQUEST_STATE_REQUESTED);
    request->set_reason("changed my mind");
  }
  shop::delivery::v1::CancellationAccepted accepted;
  accepted.set_order_id("accepted");
  ASSERT_TRUE(saga_.OnCancellationAccepted(accepted, store_, sink_).ok());
  EXPECT_EQ(store_.orders["accepted"].status(), shop::order::v1::ORDER_STATUS_CANCELLED);
  ASSERT_EQ(sink_.Of<shop::order::v1::OrderCancelled>().size(), 1u);
  EXPECT_EQ(sink_.Of<shop::order::v1::OrderCancelled>()[0].previous_status(),
            shop::order::v1::ORDER_STATUS_COMPLETED);

  shop::delivery::v1::CancellationRefused refused;
  refused.set_order_id("refused");
  refused.set_detail("the parcel has shipped");
  ASSERT_TRUE(saga_.OnCancellationRefused(refused, store_, sink_).ok());
  EXPECT_EQ(store_.orders["refused"].status(), shop::order::v1::ORDER_STATUS_COMPLETED);
  EXPECT_EQ(store_.orders["refused"].cancellation_request().state(),
            shop::order::v1::CANCELLATION_REQUEST_STATE_REFUSED);
  EXPECT_EQ(sink_.size(), 1u) << "a refusal publishes nothing";
}

TEST_F(OrderSagaTest, OnlyShippedEndsTheCancellableWindowAndAnUnknownOrderIsAnError) {
  Add("o-1", shop::order::v1::ORDER_STATUS_COMPLETED);
  shop::delivery::v1::DeliveryStatusChanged changed;
  changed.set_order_id("o-1");
  changed.set_status(shop::delivery::v1::DELIVERY_STATUS_CANCELLED);
  ASSERT_TRUE(saga_.OnDeliveryStatusChanged(changed, store_, sink_).ok());
  EXPECT_FALSE(store_.orders["o-1"].has_ship_time());
  changed.set_status(shop::delivery::v1::DELIVERY_STATUS_SHIPPED);
  ASSERT_TRUE(saga_.OnDeliveryStatusChanged(changed, store_, sink_).ok());
  EXPECT_TRUE(store_.orders["o-1"].has_ship_time());
  EXPECT_EQ(sink_.size(), 0u);
  changed.set_order_id("nope");
  EXPECT_EQ(saga_.OnDeliveryStatusChanged(changed, store_, sink_).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(OrderSagaTest, ProductChangedFeedsTheReplicaAsOfItsChangeTime) {
  shop::product::v1::ProductChanged changed;
  changed.set_product_id("tea");
  changed.mutable_product()->mutable_price()->set_minor_units(450);
  changed.mutable_product()->mutable_price()->set_currency_code("EUR");
  changed.mutable_product()->set_discontinued(true);
  changed.mutable_change_time()->set_seconds(200);
  ASSERT_TRUE(saga_.OnProductChanged(changed, store_, sink_).ok());
  const auto& [entry, micros] = store_.catalog["tea"];
  EXPECT_EQ(entry.price_minor, 450);
  EXPECT_EQ(entry.currency_code, "EUR");
  EXPECT_TRUE(entry.discontinued);
  EXPECT_EQ(micros, 200'000'000) << "the replica keeps the newest by this time";
  EXPECT_EQ(sink_.size(), 0u);
}

}  // namespace
}  // namespace shop::order::app

// DeliverySaga's handlers against an in-memory store and a recording sink.
#include "delivery/app/delivery_saga.h"

#include <map>

#include "common/testing/recording_sink.h"
#include "gtest/gtest.h"
#include "proto/shop/delivery/v1/events.pb.h"

namespace shop::delivery::app {
namespace {

using shop::delivery::v1::DeliveryStatus;
using shop::testing::RecordingSink;

class FakeDeliveryStore : public DeliveryStore {
 public:
  absl::StatusOr<std::optional<Delivery>> FindByOrder(const std::string& order_id) override {
    auto it = rows.find(order_id);
    if (it == rows.end()) return std::optional<Delivery>();
    return std::optional<Delivery>(it->second);
  }
  absl::Status Insert(const Delivery& delivery) override {
    if (!rows.emplace(delivery.order_id(), delivery).second) {
      return absl::AlreadyExistsError("duplicate");
    }
    return absl::OkStatus();
  }
  absl::Status Update(const Delivery& delivery) override {
    rows[delivery.order_id()] = delivery;
    return absl::OkStatus();
  }
  std::map<std::string, Delivery> rows;
};

class DeliverySagaTest : public ::testing::Test {
 protected:
  DeliverySagaTest()
      : saga_([] { return std::string("dlv-1"); },
              [] { return absl::FromUnixSeconds(1795300000); }) {}

  void Complete(const std::string& order_id) {
    shop::order::v1::OrderCompleted completed;
    completed.set_order_id(order_id);
    completed.mutable_shipping_address()->set_city("Berlin");
    auto* line = completed.add_lines();
    line->set_product_id("tea");
    line->set_quantity(2);
    ASSERT_TRUE(saga_.OnOrderCompleted(completed, store_, sink_).ok());
  }
  absl::Status RequestCancellation(const std::string& order_id) {
    shop::order::v1::OrderCancellationRequested requested;
    requested.set_order_id(order_id);
    return saga_.OnOrderCancellationRequested(requested, store_, sink_);
  }

  DeliverySaga saga_;
  FakeDeliveryStore store_;
  RecordingSink sink_;
};

TEST_F(DeliverySagaTest, OrderCompletedCreatesAPreparingDeliveryOnce) {
  Complete("o-1");
  ASSERT_EQ(store_.rows.count("o-1"), 1u);
  EXPECT_EQ(store_.rows["o-1"].status(), DeliveryStatus::DELIVERY_STATUS_PREPARING);
  EXPECT_EQ(store_.rows["o-1"].items(0).quantity(), 2);
  const auto created = sink_.Of<shop::delivery::v1::DeliveryCreated>();
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].shipping_address().city(), "Berlin");
  Complete("o-1");  // redelivered
  EXPECT_EQ(sink_.size(), 1u);
}

TEST_F(DeliverySagaTest, ACancellationRequestBeforeShippingCancelsAndAccepts) {
  Complete("o-1");
  sink_.Clear();
  ASSERT_TRUE(RequestCancellation("o-1").ok());
  EXPECT_EQ(store_.rows["o-1"].status(), DeliveryStatus::DELIVERY_STATUS_CANCELLED);
  ASSERT_EQ(sink_.Of<shop::delivery::v1::DeliveryStatusChanged>().size(), 1u);
  const auto accepted = sink_.Of<shop::delivery::v1::CancellationAccepted>();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].delivery_id(), "dlv-1");
  EXPECT_TRUE(sink_.Of<shop::delivery::v1::CancellationRefused>().empty());
}

TEST_F(DeliverySagaTest, ACancellationRequestAfterShippingIsRefusedAndChangesNothing) {
  Complete("o-1");
  store_.rows["o-1"].set_status(DeliveryStatus::DELIVERY_STATUS_SHIPPED);
  sink_.Clear();
  ASSERT_TRUE(RequestCancellation("o-1").ok());
  EXPECT_EQ(store_.rows["o-1"].status(), DeliveryStatus::DELIVERY_STATUS_SHIPPED);
  const auto refused = sink_.Of<shop::delivery::v1::CancellationRefused>();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].status(), DeliveryStatus::DELIVERY_STATUS_SHIPPED);
  EXPECT_EQ(refused[0].detail(), "the parcel has shipped");
  EXPECT_EQ(sink_.size(), 1u);
}

TEST_F(DeliverySagaTest, ARequestForAnOrderWithoutADeliveryIsAccepted) {
  ASSERT_TRUE(RequestCancellation("o-9").ok());
  const auto accepted = sink_.Of<shop::delivery::v1::CancellationAccepted>();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_TRUE(accepted[0].delivery_id().empty());
  EXPECT_TRUE(store_.rows.empty());
}

TEST_F(DeliverySagaTest, OrderCancelledCancelsOnlyAPreparingDelivery) {
  shop::order::v1::OrderCancelled cancelled;
  cancelled.set_order_id("o-1");
  Complete("o-1");
  sink_.Clear();
  ASSERT_TRUE(saga_.OnOrderCancelled(cancelled, store_, sink_).ok());
  EXPECT_EQ(store_.rows["o-1"].status(), DeliveryStatus::DELIVERY_STATUS_CANCELLED);
  EXPECT_EQ(sink_.size(), 1u);
  ASSERT_TRUE(saga_.OnOrderCancelled(cancelled, store_, sink_).ok());  // cancelled already
  EXPECT_EQ(sink_.size(), 1u);

  cancelled.set_order_id("o-2");
  Complete("o-2");
  store_.rows["o-2"].set_status(DeliveryStatus::DELIVERY_STATUS_SHIPPED);
  sink_.Clear();
  ASSERT_TRUE(saga_.OnOrderCancelled(cancelled, store_, sink_).ok());
  EXPECT_EQ(store_.rows["o-2"].status(), DeliveryStatus::DELIVERY_STATUS_SHIPPED);
  EXPECT_EQ(sink_.size(), 0u);
}

}  // namespace
}  // namespace shop::delivery::app

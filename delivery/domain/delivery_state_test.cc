#include "delivery/domain/delivery_state.h"

#include "gtest/gtest.h"

namespace shop::delivery::domain {
namespace {

constexpr auto kPreparing = DeliveryStatus::DELIVERY_STATUS_PREPARING;
constexpr auto kShipped = DeliveryStatus::DELIVERY_STATUS_SHIPPED;
constexpr auto kDelivered = DeliveryStatus::DELIVERY_STATUS_DELIVERED;
constexpr auto kCancelled = DeliveryStatus::DELIVERY_STATUS_CANCELLED;
constexpr auto kUnspecified = DeliveryStatus::DELIVERY_STATUS_UNSPECIFIED;

TEST(DeliveryStateTest, LegalMovesChangeTheStatus) {
  EXPECT_TRUE(*Advance(kPreparing, kShipped));
  EXPECT_TRUE(*Advance(kShipped, kDelivered));
  EXPECT_TRUE(*Advance(kPreparing, kCancelled));
}

TEST(DeliveryStateTest, RepeatingTheCurrentStatusIsANoOp) {
  for (auto status : {kPreparing, kShipped, kDelivered, kCancelled}) {
    EXPECT_FALSE(*Advance(status, status));
  }
}

TEST(DeliveryStateTest, EveryOtherMoveIsIllegal) {
  for (auto [from, to] :
       std::vector<std::pair<DeliveryStatus, DeliveryStatus>>{{kPreparing, kDelivered},
                                                              {kShipped, kPreparing},
                                                              {kShipped, kCancelled},
                                                              {kDelivered, kShipped},
                                                              {kDelivered, kCancelled},
                                                              {kCancelled, kPreparing},
                                                              {kCancelled, kShipped}}) {
    EXPECT_EQ(Advance(from, to).status().code(), absl::StatusCode::kFailedPrecondition)
        << from << " -> " << to;
  }
  EXPECT_EQ(Advance(kPreparing, kUnspecified).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shop::delivery::domain

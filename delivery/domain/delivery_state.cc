#include "delivery/domain/delivery_state.h"

#include "absl/strings/str_cat.h"

namespace shop::delivery::domain {

absl::StatusOr<bool> Advance(DeliveryStatus from, DeliveryStatus to) {
  using shop::delivery::v1::DeliveryStatus_Name;
  if (to == DeliveryStatus::DELIVERY_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError("status: must be set");
  }
  if (from == to) return false;
  const bool legal = (from == DeliveryStatus::DELIVERY_STATUS_PREPARING &&
                      (to == DeliveryStatus::DELIVERY_STATUS_SHIPPED ||
                       to == DeliveryStatus::DELIVERY_STATUS_CANCELLED)) ||
                     (from == DeliveryStatus::DELIVERY_STATUS_SHIPPED &&
                      to == DeliveryStatus::DELIVERY_STATUS_DELIVERED);
  if (!legal) {
    return absl::FailedPreconditionError(absl::StrCat("a delivery cannot move from ",
                                                      DeliveryStatus_Name(from), " to ",
                                                      DeliveryStatus_Name(to)));
  }
  return true;
}

}  // namespace shop::delivery::domain

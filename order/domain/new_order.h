// Turns a PlaceOrder request into a new PENDING order, or says every way in
// which the request is wrong (INVALID_ARGUMENT with field violations).
#ifndef SHOP_ORDER_DOMAIN_NEW_ORDER_H_
#define SHOP_ORDER_DOMAIN_NEW_ORDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/errors/bad_request.h"
#include "common/errors/field_limits.h"
#include "proto/shop/order/v1/order.pb.h"
#include "proto/shop/order/v1/order_service.pb.h"

namespace shop::order::domain {

// The bounds of a PlaceOrder request (also in order_service.proto).
inline constexpr int kMaxLines = 100;
inline constexpr int64_t kMaxQuantity = 1'000'000;
inline constexpr size_t kMaxRecipientBytes = 200;
inline constexpr int kMaxAddressLines = 5;
inline constexpr size_t kMaxAddressLineBytes = 200;
inline constexpr size_t kMaxCityBytes = 100;
inline constexpr size_t kMaxPostalCodeBytes = 20;
// A coupon code: letters, digits and '-' (the coupon service decides the rest).
inline constexpr size_t kMaxCouponCodeBytes = 32;
// CancelOrder's reason.
inline constexpr size_t kMaxReasonBytes = 500;

std::vector<errors::FieldViolation> Validate(const shop::order::v1::PlaceOrderRequest& request);

// A PENDING order with id `order_id`, its total computed exactly.
absl::StatusOr<shop::order::v1::Order> NewOrder(const shop::order::v1::PlaceOrderRequest& request,
                                                const std::string& order_id, absl::Time now);

// A fingerprint of the request: the same key with a different fingerprint is
// a different request.
std::string RequestFingerprint(const shop::order::v1::PlaceOrderRequest& request);

}  // namespace shop::order::domain

#endif  // SHOP_ORDER_DOMAIN_NEW_ORDER_H_

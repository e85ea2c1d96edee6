// Redeeming and restoring a coupon for an order, as pure functions: the
// coupon service's part of the order saga. The order service waits for
// CouponRedeemed (with stock reserved) before it completes an order, and
// cancels the order on CouponRedemptionRejected; a cancelled order's coupon
// is restored.
#ifndef SHOP_COUPON_DOMAIN_REDEMPTION_RULES_H_
#define SHOP_COUPON_DOMAIN_REDEMPTION_RULES_H_

#include <memory>
#include <optional>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "proto/shop/common/v1/money.pb.h"
#include "proto/shop/coupon/v1/coupon.pb.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::coupon::domain {

using shop::coupon::v1::Coupon;

// The coupon to save (if it changed) and the event to publish (if any).
struct CouponChange {
  std::optional<Coupon> update;
  std::shared_ptr<const google::protobuf::Message> event;
};

// What `discount` takes off `total`: a fixed amount, at most the total; or
// a percentage, rounded down. The caller checked the currency.
shop::common::v1::Money DiscountOf(const shop::coupon::v1::Discount& discount,
                                   const shop::common::v1::Money& total);

// OrderPlaced with a coupon code; `coupon` is the coupon with that code
// (locked), or none. Refused, in this order: unknown; another customer's;
// used by another order; the order placed outside its validity window
// (NOT_YET_VALID, EXPIRED); a fixed amount in another currency. Redeemed
// by this order already (a replay): nothing.
CouponChange Redeem(const std::optional<Coupon>& coupon, const shop::order::v1::OrderPlaced& order,
                    absl::Time now);

// OrderCancelled: the coupon this order redeemed is available again.
// Anything else (not redeemed, or by another order): nothing.
CouponChange Restore(const std::optional<Coupon>& coupon,
                     const shop::order::v1::OrderCancelled& order, absl::Time now);

}  // namespace shop::coupon::domain

#endif  // SHOP_COUPON_DOMAIN_REDEMPTION_RULES_H_

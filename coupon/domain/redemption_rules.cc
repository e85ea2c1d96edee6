#include "coupon/domain/redemption_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "proto/shop/coupon/v1/events.pb.h"

namespace shop::coupon::domain {
namespace {

using google::protobuf::util::TimeUtil;
using shop::coupon::v1::RedemptionRejection;

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

int64_t Micros(const google::protobuf::Timestamp& time) {
  return TimeUtil::TimestampToMicroseconds(time);
}

CouponChange Refuse(const shop::order::v1::OrderPlaced& order, RedemptionRejection reason,
                    const std::string& detail, absl::Time now) {
  shop::coupon::v1::CouponRedemptionRejected rejected;
  rejected.set_order_id(order.order_id());
  rejected.set_coupon_code(order.coupon_code());
  rejected.set_reason(reason);
  rejected.set_detail(detail);
  *rejected.mutable_reject_time() = ToTimestamp(now);
  CouponChange change;
  change.event = std::make_shared<const shop::coupon::v1::CouponRedemptionRejected>(rejected);
  return change;
}

}  // namespace

shop::common::v1::Money DiscountOf(const shop::coupon::v1::Discount& discount,
                                   const shop::common::v1::Money& total) {
  shop::common::v1::Money off;
  off.set_currency_code(total.currency_code());
  const int64_t amount = total.minor_units();
  if (discount.has_amount_off()) {
    off.set_minor_units(std::min(discount.amount_off().minor_units(), amount));
  } else {
    // Exact in 128 bits: a total of up to 2^63 minor units times 100.
    off.set_minor_units(
        static_cast<int64_t>(static_cast<__int128>(amount) * discount.percent_off() / 100));
  }
  if (off.minor_units() < 0) off.set_minor_units(0);
  return off;
}

CouponChange Redeem(const std::optional<Coupon>& coupon, const shop::order::v1::OrderPlaced& order,
                    absl::Time now) {
  if (!coupon.has_value()) {
    return Refuse(order, RedemptionRejection::REDEMPTION_REJECTION_UNKNOWN_COUPON,
                  "no coupon has this code", now);
  }
  if (coupon->customer_id() != order.customer_id()) {
    return Refuse(order, RedemptionRejection::REDEMPTION_REJECTION_NOT_OWNER,
                  "the coupon was issued to another customer", now);
  }
  if (coupon->state() == shop::coupon::v1::COUPON_STATE_REDEEMED) {
    if (coupon->order_id() == order.order_id()) return {};  // redeemed already
    return Refuse(order, RedemptionRejection::REDEMPTION_REJECTION_ALREADY_USED,
                  absl::StrCat("used by order ", coupon->order_id()), now);
  }
  const int64_t placed = Micros(order.place_time());
  if (placed < Micros(coupon->valid_from())) {
    return Refuse(order, RedemptionRejection::REDEMPTION_REJECTION_NOT_YET_VALID,
                  absl::StrCat("valid from ", TimeUtil::ToString(coupon->valid_from())), now);
  }
  if (placed >= Micros(coupon->valid_until())) {
    return Refuse(order, RedemptionRejection::REDEMPTION_REJECTION_EXPIRED,
                  absl::StrCat("expired at ", TimeUtil::ToString(coupon->valid_until())), now);
  }
  if (coupon->discount().has_amount_off() &&
      coupon->discount().amount_off().currency_code() != order.currency_code()) {
    return Refuse(order, RedemptionRejection::REDEMPTION_REJECTION_WRONG_CURRENCY,
                  absl::StrCat("the coupon is in ", coupon->discount().amount_off().currency_code(),
                               ", the order in ", order.currency_code()),
                  now);
  }
  Coupon redeemed = *coupon;
  redeemed.set_state(shop::coupon::v1::COUPON_STATE_REDEEMED);
  redeemed.set_order_id(order.order_id());
  *redeemed.mutable_redeem_time() = ToTimestamp(now);
  shop::coupon::v1::CouponRedeemed event;
  event.set_order_id(order.order_id());
  event.set_coupon_code(coupon->coupon_code());
  event.set_campaign_id(coupon->campaign_id());
  event.set_customer_id(coupon->customer_id());
  *event.mutable_discount() = DiscountOf(coupon->discount(), order.total());
  *event.mutable_redeem_time() = redeemed.redeem_time();
  CouponChange change;
  change.update = std::move(redeemed);
  change.event = std::make_shared<const shop::coupon::v1::CouponRedeemed>(event);
  return change;
}

CouponChange Restore(const std::optional<Coupon>& coupon,
                     const shop::order::v1::OrderCancelled& order, absl::Time now) {
  if (!coupon.has_value() || coupon->state() != shop::coupon::v1::COUPON_STATE_REDEEMED ||
      coupon->order_id() != order.order_id()) {
    return {};
  }
  Coupon restored = *coupon;
  restored.set_state(shop::coupon::v1::COUPON_STATE_AVAILABLE);
  restored.clear_order_id();
  restored.clear_redeem_time();
  shop::coupon::v1::CouponRestored event;
  event.set_order_id(order.order_id());
  event.set_coupon_code(coupon->coupon_code());
  *event.mutable_restore_time() = ToTimestamp(now);
  CouponChange change;
  change.update = std::move(restored);
  change.event = std::make_shared<const shop::coupon::v1::CouponRestored>(event);
  return change;
}

}  // namespace shop::coupon::domain

// The coupon service's consumer: one named handler per event. It decides
// requests for coupons (CouponIssueRequested, in order per campaign) and
// takes part in the order saga (OrderPlaced with a coupon: redeem or refuse;
// OrderCancelled: restore). Each handler loads what it needs through a
// CouponStore (rows locked, in the consumer's transaction), asks the domain
// rules what changes, saves it and emits the event through an EventSink.
// Unit-tested against a fake store and a recording sink.
#ifndef SHOP_COUPON_APP_COUPON_SAGA_H_
#define SHOP_COUPON_APP_COUPON_SAGA_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "common/consumer/event_consumer.h"
#include "coupon/domain/campaign_rules.h"
#include "coupon/domain/redemption_rules.h"
#include "proto/shop/coupon/v1/events.pb.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::coupon::app {

using shop::coupon::v1::Campaign;
using shop::coupon::v1::Coupon;
using shop::coupon::v1::CouponIssue;

// Campaigns, requests and coupons, as one transaction sees them. Every
// read locks what it returns until the transaction ends.
class CouponStore {
 public:
  virtual ~CouponStore() = default;
  virtual absl::StatusOr<std::optional<Campaign>> FindCampaign(const std::string& campaign_id) = 0;
  virtual absl::Status SetIssuedCount(const std::string& campaign_id, int64_t issued) = 0;
  virtual absl::StatusOr<std::optional<CouponIssue>> FindIssue(const std::string& request_id) = 0;
  virtual absl::Status UpdateIssue(const CouponIssue& issue) = 0;
  virtual absl::StatusOr<bool> CustomerHolds(const std::string& campaign_id,
                                             const std::string& customer_id) = 0;
  virtual absl::Status InsertCoupon(const Coupon& coupon) = 0;
  virtual absl::StatusOr<std::optional<Coupon>> FindCoupon(const std::string& coupon_code) = 0;
  virtual absl::Status UpdateCoupon(const Coupon& coupon) = 0;
};

class CouponSaga {
 public:
  explicit CouponSaga(std::function<std::string()> new_code,
                      std::function<absl::Time()> clock = absl::Now)
      : new_code_(std::move(new_code)), clock_(std::move(clock)) {}

  // Decides the request; a request decided already (a replay) is left alone.
  // FAILED_PRECONDITION (dead-lettered) for a request or campaign this
  // database does not hold.
  absl::Status OnCouponIssueRequested(const shop::coupon::v1::CouponIssueRequested& event,
                                      CouponStore& store, consumer::EventSink& sink);
  absl::Status OnOrderPlaced(const shop::order::v1::OrderPlaced& event, CouponStore& store,
                             consumer::EventSink& sink);
  absl::Status OnOrderCancelled(const shop::order::v1::OrderCancelled& event, CouponStore& store,
                                consumer::EventSink& sink);

 private:
  static absl::Status Apply(const domain::CouponChange& change, CouponStore& store,
                            consumer::EventSink& sink);

  std::function<std::string()> new_code_;
  std::function<absl::Time()> clock_;
};

}  // namespace shop::coupon::app

#endif  // SHOP_COUPON_APP_COUPON_SAGA_H_

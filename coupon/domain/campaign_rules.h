// Campaigns and the first-come decision on a request for a coupon, as pure
// functions: the service calls them with what it read, in the order the
// campaign's requests arrive from Kafka, and saves what they return.
#ifndef SHOP_COUPON_DOMAIN_CAMPAIGN_RULES_H_
#define SHOP_COUPON_DOMAIN_CAMPAIGN_RULES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/errors/bad_request.h"
#include "google/protobuf/message.h"
#include "proto/shop/coupon/v1/coupon.pb.h"
#include "proto/shop/coupon/v1/coupon_service.pb.h"

namespace shop::coupon::domain {

using shop::coupon::v1::Campaign;
using shop::coupon::v1::Coupon;
using shop::coupon::v1::CouponIssue;

// The bounds of CreateCampaign (also in coupon_service.proto).
inline constexpr size_t kMaxCampaignNameBytes = 200;
inline constexpr int64_t kMaxCouponsPerCampaign = 10'000'000;

std::vector<errors::FieldViolation> Validate(
    const shop::coupon::v1::CreateCampaignRequest& request);
std::vector<errors::FieldViolation> Validate(const shop::coupon::v1::IssueCouponRequest& request);

Campaign NewCampaign(const shop::coupon::v1::CreateCampaignRequest& request, absl::Time now);
// True when `request` would create `campaign` (a retried CreateCampaign).
bool SameDefinition(const Campaign& campaign,
                    const shop::coupon::v1::CreateCampaignRequest& request);

// What deciding a request changes: the request (ISSUED or REJECTED), the
// coupon to insert when one is issued, and the event to publish.
struct IssueDecision {
  CouponIssue request;
  std::optional<Coupon> coupon;
  std::shared_ptr<const google::protobuf::Message> event;
};

// Decides `request` (REQUESTED), in turn, against `campaign` as the earlier
// requests left it. In this order: made outside the validity window ->
// CAMPAIGN_NOT_ACTIVE; the customer holds a coupon of the campaign ->
// ALREADY_ISSUED; every coupon issued -> SOLD_OUT; otherwise a coupon with
// `code`. Times are the request's, so a replay decides the same way.
IssueDecision DecideIssue(const Campaign& campaign, const CouponIssue& request,
                          bool customer_holds_one, const std::string& code, absl::Time now);

}  // namespace shop::coupon::domain

#endif  // SHOP_COUPON_DOMAIN_CAMPAIGN_RULES_H_

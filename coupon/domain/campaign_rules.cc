#include "coupon/domain/campaign_rules.h"

#include "absl/strings/ascii.h"
#include "common/errors/field_limits.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "proto/shop/coupon/v1/events.pb.h"

namespace shop::coupon::domain {
namespace {

using google::protobuf::util::TimeUtil;
using shop::coupon::v1::IssueRejection;
using shop::coupon::v1::IssueState;

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

int64_t Micros(const google::protobuf::Timestamp& time) {
  return TimeUtil::TimestampToMicroseconds(time);
}

bool CampaignIdChars(const std::string& id) {
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

bool CurrencyCode(const std::string& code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::vector<errors::FieldViolation> Validate(
    const shop::coupon::v1::CreateCampaignRequest& request) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(request.campaign_id(), "campaign_id", violations);
  if (!CampaignIdChars(request.campaign_id())) {
    violations.push_back({"campaign_id", "may hold only letters, digits and . _ : -"});
  }
  errors::RequireText(request.name(), "name", kMaxCampaignNameBytes, violations);
  if (request.total_coupons() < 1 || request.total_coupons() > kMaxCouponsPerCampaign) {
    violations.push_back({"total_coupons", "must be 1 to 10000000"});
  }
  const auto& discount = request.discount();
  switch (discount.kind_case()) {
    case shop::coupon::v1::Discount::kAmountOff:
      if (discount.amount_off().minor_units() <= 0) {
        violations.push_back({"discount.amount_off.minor_units", "must be above zero"});
      }
      if (!CurrencyCode(discount.amount_off().currency_code())) {
        violations.push_back(
            {"discount.amount_off.currency_code", "must be an ISO 4217 code like EUR"});
      }
      break;
    case shop::coupon::v1::Discount::kPercentOff:
      if (discount.percent_off() < 1 || discount.percent_off() > 100) {
        violations.push_back({"discount.percent_off", "must be 1 to 100"});
      }
      break;
    default:
      violations.push_back({"discount", "is required: amount_off or percent_off"});
  }
  if (!request.has_valid_from()) violations.push_back({"valid_from", "is required"});
  if (!request.has_valid_until()) violations.push_back({"valid_until", "is required"});
  if (request.has_valid_from() && request.has_valid_until() &&
      Micros(request.valid_until()) <= Micros(request.valid_from())) {
    violations.push_back({"valid_until", "must be after valid_from"});
  }
  return violations;
}

std::vector<errors::FieldViolation> Validate(const shop::coupon::v1::IssueCouponRequest& request) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(request.campaign_id(), "campaign_id", violations);
  errors::RequireId(request.customer_id(), "customer_id", violations);
  errors::RequireId(request.idempotency_key(), "idempotency_key", violations);
  return violations;
}

Campaign NewCampaign(const shop::coupon::v1::CreateCampaignRequest& request, absl::Time now) {
  Campaign campaign;
  campaign.set_campaign_id(request.campaign_id());
  campaign.set_name(request.name());
  campaign.set_total_coupons(request.total_coupons());
  *campaign.mutable_discount() = request.discount();
  *campaign.mutable_valid_from() = request.valid_from();
  *campaign.mutable_valid_until() = request.valid_until();
  *campaign.mutable_create_time() = ToTimestamp(now);
  return campaign;
}

bool SameDefinition(const Campaign& campaign,
                    const shop::coupon::v1::CreateCampaignRequest& request) {
  using google::protobuf::util::MessageDifferencer;
  return campaign.name() == request.name() && campaign.total_coupons() == request.total_coupons() &&
         MessageDifferencer::Equals(campaign.discount(), request.discount()) &&
         MessageDifferencer::Equals(campaign.valid_from(), request.valid_from()) &&
         MessageDifferencer::Equals(campaign.valid_until(), request.valid_until());
}

IssueDecision DecideIssue(const Campaign& campaign, const CouponIssue& request,
                          bool customer_holds_one, const std::string& code, absl::Time now) {
  IssueDecision decision;
  decision.request = request;
  *decision.request.mutable_decide_time() = ToTimestamp(now);
  const int64_t at = Micros(request.request_time());
  IssueRejection rejection = IssueRejection::ISSUE_REJECTION_UNSPECIFIED;
  if (at < Micros(campaign.valid_from()) || at >= Micros(campaign.valid_until())) {
    rejection = IssueRejection::ISSUE_REJECTION_CAMPAIGN_NOT_ACTIVE;
  } else if (customer_holds_one) {
    rejection = IssueRejection::ISSUE_REJECTION_ALREADY_ISSUED;
  } else if (campaign.issued_coupons() >= campaign.total_coupons()) {
    rejection = IssueRejection::ISSUE_REJECTION_SOLD_OUT;
  }
  if (rejection != IssueRejection::ISSUE_REJECTION_UNSPECIFIED) {
    decision.request.set_state(IssueState::ISSUE_STATE_REJECTED);
    decision.request.set_rejection(rejection);
    shop::coupon::v1::CouponIssueRejected rejected;
    rejected.set_request_id(request.request_id());
    rejected.set_campaign_id(request.campaign_id());
    rejected.set_customer_id(request.customer_id());
    rejected.set_reason(rejection);
    *rejected.mutable_reject_time() = decision.request.decide_time();
    decision.event = std::make_shared<const shop::coupon::v1::CouponIssueRejected>(rejected);
    return decision;
  }
  decision.request.set_state(IssueState::ISSUE_STATE_ISSUED);
  decision.request.set_coupon_code(code);
  Coupon coupon;
  coupon.set_coupon_code(code);
  coupon.set_campaign_id(campaign.campaign_id());
  coupon.set_customer_id(request.customer_id());
  coupon.set_state(shop::coupon::v1::COUPON_STATE_AVAILABLE);
  *coupon.mutable_discount() = campaign.discount();
  *coupon.mutable_valid_from() = campaign.valid_from();
  *coupon.mutable_valid_until() = campaign.valid_until();
  *coupon.mutable_issue_time() = decision.request.decide_time();
  shop::coupon::v1::CouponIssued issued;
  issued.set_request_id(request.request_id());
  issued.set_campaign_id(campaign.campaign_id());
  issued.set_customer_id(request.customer_id());
  issued.set_coupon_code(code);
  *issued.mutable_discount() = coupon.discount();
  *issued.mutable_valid_from() = coupon.valid_from();
  *issued.mutable_valid_until() = coupon.valid_until();
  *issued.mutable_issue_time() = coupon.issue_time();
  decision.coupon = std::move(coupon);
  decision.event = std::make_shared<const shop::coupon::v1::CouponIssued>(issued);
  return decision;
}

}  // namespace shop::coupon::domain

#include "coupon/domain/campaign_rules.h"

#include <set>

#include "coupon/domain/coupon_code.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "proto/shop/coupon/v1/events.pb.h"

namespace shop::coupon::domain {
namespace {

using google::protobuf::util::TimeUtil;
using shop::coupon::v1::IssueRejection;

const absl::Time kNow = absl::FromUnixSeconds(1'795'300'000);

shop::coupon::v1::CreateCampaignRequest ValidRequest() {
  shop::coupon::v1::CreateCampaignRequest request;
  request.set_campaign_id("spring-10");
  request.set_name("Spring, 10% off");
  request.set_total_coupons(2);
  request.mutable_discount()->set_percent_off(10);
  *request.mutable_valid_from() = TimeUtil::SecondsToTimestamp(1'795'000'000);
  *request.mutable_valid_until() = TimeUtil::SecondsToTimestamp(1'796'000'000);
  return request;
}

CouponIssue Request(const std::string& customer, int64_t at_seconds = 1'795'300'000) {
  CouponIssue request;
  request.set_request_id("req-" + customer);
  request.set_campaign_id("spring-10");
  request.set_customer_id(customer);
  request.set_state(shop::coupon::v1::ISSUE_STATE_REQUESTED);
  *request.mutable_request_time() = TimeUtil::SecondsToTimestamp(at_seconds);
  return request;
}

std::set<std::string> Fields(const std::vector<errors::FieldViolation>& violations) {
  std::set<std::string> fields;
  for (const auto& violation : violations) fields.insert(violation.field);
  return fields;
}

TEST(CampaignRulesTest, AValidRequestHasNoViolations) {
  EXPECT_TRUE(Validate(ValidRequest()).empty());
}

TEST(CampaignRulesTest, EveryBadFieldIsNamed) {
  shop::coupon::v1::CreateCampaignRequest request = ValidRequest();
  request.set_campaign_id("spring 10");
  request.set_name("");
  request.set_total_coupons(0);
  request.mutable_discount()->mutable_amount_off()->set_minor_units(-5);
  request.mutable_discount()->mutable_amount_off()->set_currency_code("eur");
  *request.mutable_valid_until() = request.valid_from();
  EXPECT_EQ(Fields(Validate(request)),
            (std::set<std::string>{"campaign_id", "name", "total_coupons",
                                   "discount.amount_off.minor_units",
                                   "discount.amount_off.currency_code", "valid_until"}));
  request.clear_discount();
  request.mutable_discount()->set_percent_off(101);
  EXPECT_TRUE(Fields(Validate(request)).count("discount.percent_off"));
  request.clear_discount();
  EXPECT_TRUE(Fields(Validate(request)).count("discount"));
}

TEST(CampaignRulesTest, ARetryWithTheSameDefinitionIsTheSameCampaign) {
  Campaign campaign = NewCampaign(ValidRequest(), kNow);
  campaign.set_issued_coupons(1);
  EXPECT_TRUE(SameDefinition(campaign, ValidRequest()));
  shop::coupon::v1::CreateCampaignRequest other = ValidRequest();
  other.set_total_coupons(3);
  EXPECT_FALSE(SameDefinition(campaign, other));
}

TEST(CampaignRulesTest, IssuesACouponWithTheCampaignsTerms) {
  Campaign campaign = NewCampaign(ValidRequest(), kNow);
  IssueDecision decision = DecideIssue(campaign, Request("ada"), false, "CODE1", kNow);
  EXPECT_EQ(decision.request.state(), shop::coupon::v1::ISSUE_STATE_ISSUED);
  EXPECT_EQ(decision.request.coupon_code(), "CODE1");
  ASSERT_TRUE(decision.coupon.has_value());
  EXPECT_EQ(decision.coupon->customer_id(), "ada");
  EXPECT_EQ(decision.coupon->discount().percent_off(), 10);
  EXPECT_EQ(decision.coupon->state(), shop::coupon::v1::COUPON_STATE_AVAILABLE);
  auto* issued = dynamic_cast<const shop::coupon::v1::CouponIssued*>(decision.event.get());
  ASSERT_NE(issued, nullptr);
  EXPECT_EQ(issued->coupon_code(), "CODE1");
  EXPECT_EQ(issued->campaign_id(), "spring-10");
}

TEST(CampaignRulesTest, RejectsWithTheReasonInItsOrderOfPrecedence) {
  Campaign campaign = NewCampaign(ValidRequest(), kNow);
  campaign.set_issued_coupons(2);  // sold out
  auto reason = [&](const CouponIssue& request, bool holds) {
    IssueDecision decision = DecideIssue(campaign, request, holds, "X", kNow);
    EXPECT_FALSE(decision.coupon.has_value());
    EXPECT_EQ(decision.request.state(), shop::coupon::v1::ISSUE_STATE_REJECTED);
    auto* rejected =
        dynamic_cast<const shop::coupon::v1::CouponIssueRejected*>(decision.event.get());
    EXPECT_NE(rejected, nullptr);
    return decision.request.rejection();
  };
  EXPECT_EQ(reason(Request("ada"), false), IssueRejection::ISSUE_REJECTION_SOLD_OUT);
  EXPECT_EQ(reason(Request("ada"), true), IssueRejection::ISSUE_REJECTION_ALREADY_ISSUED);
  EXPECT_EQ(reason(Request("ada", 1'794'999'999), true),
            IssueRejection::ISSUE_REJECTION_CAMPAIGN_NOT_ACTIVE);
  EXPECT_EQ(reason(Request("ada", 1'796'000'000), false),
            IssueRejection::ISSUE_REJECTION_CAMPAIGN_NOT_ACTIVE);
}

TEST(CouponCodeTest, CodesAreSixteenCrockfordSymbolsAndDoNotRepeat) {
  std::set<std::string> codes;
  for (int i = 0; i < 10000; ++i) {
    std::string code = NewCouponCode();
    ASSERT_EQ(code.size(), kCouponCodeLength);
    EXPECT_EQ(code.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos);
    EXPECT_TRUE(WellFormedCouponCode(code));
    codes.insert(code);
  }
  EXPECT_EQ(codes.size(), 10000u);
  EXPECT_FALSE(WellFormedCouponCode(""));
  EXPECT_FALSE(WellFormedCouponCode("ABC DEF"));
  EXPECT_FALSE(WellFormedCouponCode(std::string(33, 'A')));
}

}  // namespace
}  // namespace shop::coupon::domain

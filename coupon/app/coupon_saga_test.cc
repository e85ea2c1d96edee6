#include "coupon/app/coupon_saga.h"

#include <map>

#include "common/testing/recording_sink.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace shop::coupon::app {
namespace {

using google::protobuf::util::TimeUtil;
using shop::testing::RecordingSink;

// In-memory CouponStore with the unique keys of the real tables.
class FakeCouponStore : public CouponStore {
 public:
  absl::StatusOr<std::optional<Campaign>> FindCampaign(const std::string& id) override {
    auto it = campaigns.find(id);
    if (it == campaigns.end()) return std::nullopt;
    return it->second;
  }
  absl::Status SetIssuedCount(const std::string& id, int64_t issued) override {
    campaigns[id].set_issued_coupons(issued);
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<CouponIssue>> FindIssue(const std::string& id) override {
    auto it = issues.find(id);
    if (it == issues.end()) return std::nullopt;
    return it->second;
  }
  absl::Status UpdateIssue(const CouponIssue& issue) override {
    issues[issue.request_id()] = issue;
    return absl::OkStatus();
  }
  absl::StatusOr<bool> CustomerHolds(const std::string& campaign,
                                     const std::string& customer) override {
    for (const auto& [code, coupon] : coupons) {
      if (coupon.campaign_id() == campaign && coupon.customer_id() == customer) return true;
    }
    return false;
  }
  absl::Status InsertCoupon(const Coupon& coupon) override {
    if (CustomerHolds(coupon.campaign_id(), coupon.customer_id()).value() ||
        coupons.count(coupon.coupon_code())) {
      return absl::AlreadyExistsError("duplicate coupon");
    }
    coupons[coupon.coupon_code()] = coupon;
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<Coupon>> FindCoupon(const std::string& code) override {
    auto it = coupons.find(code);
    if (it == coupons.end()) return std::nullopt;
    return it->second;
  }
  absl::Status UpdateCoupon(const Coupon& coupon) override {
    coupons[coupon.coupon_code()] = coupon;
    return absl::OkStatus();
  }

  std::map<std::string, Campaign> campaigns;
  std::map<std::string, CouponIssue> issues;
  std::map<std::string, Coupon> coupons;
};

class CouponSagaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Campaign campaign;
    campaign.set_campaign_id("spring");
    campaign.set_total_coupons(3);
    campaign.mutable_discount()->set_percent_off(10);
    *campaign.mutable_valid_from() = TimeUtil::SecondsToTimestamp(1'000);
    *campaign.mutable_valid_until() = TimeUtil::SecondsToTimestamp(9'000);
    store_.campaigns["spring"] = campaign;
  }

  // What IssueCoupon writes: the request, and the event the consumer gets.
  shop::coupon::v1::CouponIssueRequested Request(const std::string& request_id,
                                                 const std::string& customer) {
    CouponIssue issue;
    issue.set_request_id(request_id);
    issue.set_campaign_id("spring");
    issue.set_customer_id(customer);
    issue.set_state(shop::coupon::v1::ISSUE_STATE_REQUESTED);
    *issue.mutable_request_time() = TimeUtil::SecondsToTimestamp(2'000);
    store_.issues[request_id] = issue;
    shop::coupon::v1::CouponIssueRequested event;
    event.set_request_id(request_id);
    event.set_campaign_id("spring");
    event.set_customer_id(customer);
    *event.mutable_request_time() = issue.request_time();
    return event;
  }

  shop::order::v1::OrderPlaced Placed(const std::string& order_id, const std::string& code) {
    shop::order::v1::OrderPlaced placed;
    placed.set_order_id(order_id);
    placed.set_customer_id("c1");
    placed.set_currency_code("EUR");
    placed.mutable_total()->set_minor_units(1000);
    placed.mutable_total()->set_currency_code("EUR");
    placed.set_coupon_code(code);
    *placed.mutable_place_time() = TimeUtil::SecondsToTimestamp(3'000);
    return placed;
  }

  int next_code_ = 0;
  CouponSaga saga_{[this] { return "CODE" + std::to_string(++next_code_); },
                   [] { return absl::FromUnixSeconds(5'000); }};
  FakeCouponStore store_;
  RecordingSink sink_;
};

TEST_F(CouponSagaTest, IssuesFirstComeAtMostTotalAndOnePerCustomer) {
  const char* customers[] = {"c1", "c2", "c1", "c3", "c4", "c5"};
  for (int i = 0; i < 6; ++i) {
    auto event = Request("r" + std::to_string(i), customers[i]);
    ASSERT_TRUE(saga_.OnCouponIssueRequested(event, store_, sink_).ok());
  }
  EXPECT_EQ(store_.campaigns["spring"].issued_coupons(), 3);
  EXPECT_EQ(store_.coupons.size(), 3u);
  EXPECT_EQ(sink_.Of<shop::coupon::v1::CouponIssued>().size(), 3u);
  auto rejected = sink_.Of<shop::coupon::v1::CouponIssueRejected>();
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_EQ(rejected[0].request_id(), "r2");
  EXPECT_EQ(rejected[0].reason(), shop::coupon::v1::ISSUE_REJECTION_ALREADY_ISSUED);
  EXPECT_EQ(rejected[1].reason(), shop::coupon::v1::ISSUE_REJECTION_SOLD_OUT);
  EXPECT_EQ(rejected[2].reason(), shop::coupon::v1::ISSUE_REJECTION_SOLD_OUT);
  EXPECT_EQ(store_.issues["r0"].state(), shop::coupon::v1::ISSUE_STATE_ISSUED);
  EXPECT_EQ(store_.issues["r0"].coupon_code(), "CODE1");
  EXPECT_EQ(store_.issues["r4"].rejection(), shop::coupon::v1::ISSUE_REJECTION_SOLD_OUT);
}

TEST_F(CouponSagaTest, ADecidedRequestIsNotDecidedAgain) {
  auto event = Request("r0", "c1");
  ASSERT_TRUE(saga_.OnCouponIssueRequested(event, store_, sink_).ok());
  ASSERT_TRUE(saga_.OnCouponIssueRequested(event, store_, sink_).ok());
  EXPECT_EQ(store_.campaigns["spring"].issued_coupons(), 1);
  EXPECT_EQ(sink_.size(), 1u);
}

TEST_F(CouponSagaTest, ARequestForAnUnknownCampaignIsPermanent) {
  auto event = Request("r0", "c1");
  event.set_campaign_id("nope");
  EXPECT_EQ(saga_.OnCouponIssueRequested(event, store_, sink_).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(sink_.size(), 0u);
}

TEST_F(CouponSagaTest, RedeemsOnceRefusesASecondOrderAndRestoresOnCancel) {
  ASSERT_TRUE(saga_.OnCouponIssueRequested(Request("r0", "c1"), store_, sink_).ok());
  sink_.Clear();
  ASSERT_TRUE(saga_.OnOrderPlaced(Placed("o1", "CODE1"), store_, sink_).ok());
  ASSERT_TRUE(saga_.OnOrderPlaced(Placed("o2", "CODE1"), store_, sink_).ok());
  ASSERT_EQ(sink_.Of<shop::coupon::v1::CouponRedeemed>().size(), 1u);
  EXPECT_EQ(sink_.Of<shop::coupon::v1::CouponRedeemed>()[0].discount().minor_units(), 100);
  ASSERT_EQ(sink_.Of<shop::coupon::v1::CouponRedemptionRejected>().size(), 1u);
  EXPECT_EQ(sink_.Of<shop::coupon::v1::CouponRedemptionRejected>()[0].order_id(), "o2");
  EXPECT_EQ(store_.coupons["CODE1"].order_id(), "o1");

  // The refused order's cancellation gives back nothing; the first's does.
  shop::order::v1::OrderCancelled cancelled;
  cancelled.set_order_id("o2");
  cancelled.set_coupon_code("CODE1");
  ASSERT_TRUE(saga_.OnOrderCancelled(cancelled, store_, sink_).ok());
  EXPECT_EQ(store_.coupons["CODE1"].state(), shop::coupon::v1::COUPON_STATE_REDEEMED);
  cancelled.set_order_id("o1");
  ASSERT_TRUE(saga_.OnOrderCancelled(cancelled, store_, sink_).ok());
  EXPECT_EQ(store_.coupons["CODE1"].state(), shop::coupon::v1::COUPON_STATE_AVAILABLE);
  EXPECT_EQ(sink_.Of<shop::coupon::v1::CouponRestored>().size(), 1u);
}

TEST_F(CouponSagaTest, OrdersWithoutACouponAreNotItsBusiness) {
  ASSERT_TRUE(saga_.OnOrderPlaced(Placed("o1", ""), store_, sink_).ok());
  shop::order::v1::OrderCancelled cancelled;
  cancelled.set_order_id("o1");
  ASSERT_TRUE(saga_.OnOrderCancelled(cancelled, store_, sink_).ok());
  EXPECT_EQ(sink_.size(), 0u);
}

}  // namespace
}  // namespace shop::coupon::app

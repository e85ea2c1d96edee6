#include "coupon/app/coupon_saga.h"

#include "absl/strings/str_cat.h"

namespace shop::coupon::app {

absl::Status CouponSaga::Apply(const domain::CouponChange& change, CouponStore& store,
                               consumer::EventSink& sink) {
  if (change.update.has_value()) {
    if (absl::Status updated = store.UpdateCoupon(*change.update); !updated.ok()) return updated;
  }
  return change.event == nullptr ? absl::OkStatus() : sink.Emit(*change.event);
}

absl::Status CouponSaga::OnCouponIssueRequested(const shop::coupon::v1::CouponIssueRequested& event,
                                                CouponStore& store, consumer::EventSink& sink) {
  // The campaign first: every request of a campaign takes its lock in the
  // same order, and the campaign's requests arrive on one partition anyway.
  auto campaign = store.FindCampaign(event.campaign_id());
  if (!campaign.ok()) return campaign.status();
  if (!campaign->has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "request ", event.request_id(), " names unknown campaign ", event.campaign_id()));
  }
  auto issue = store.FindIssue(event.request_id());
  if (!issue.ok()) return issue.status();
  if (!issue->has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("request ", event.request_id(), " was never recorded"));
  }
  if ((*issue)->state() != shop::coupon::v1::ISSUE_STATE_REQUESTED) return absl::OkStatus();
  auto holds = store.CustomerHolds(event.campaign_id(), (*issue)->customer_id());
  if (!holds.ok()) return holds.status();
  domain::IssueDecision decision =
      domain::DecideIssue(**campaign, **issue, *holds, new_code_(), clock_());
  if (decision.coupon.has_value()) {
    if (absl::Status inserted = store.InsertCoupon(*decision.coupon); !inserted.ok()) {
      return inserted;
    }
    absl::Status counted =
        store.SetIssuedCount(event.campaign_id(), (*campaign)->issued_coupons() + 1);
    if (!counted.ok()) return counted;
  }
  if (absl::Status updated = store.UpdateIssue(decision.request); !updated.ok()) return updated;
  return sink.Emit(*decision.event);
}

absl::Status CouponSaga::OnOrderPlaced(const shop::order::v1::OrderPlaced& event,
                                       CouponStore& store, consumer::EventSink& sink) {
  if (event.coupon_code().empty()) return absl::OkStatus();
  auto coupon = store.FindCoupon(event.coupon_code());
  if (!coupon.ok()) return coupon.status();
  return Apply(domain::Redeem(*coupon, event, clock_()), store, sink);
}

absl::Status CouponSaga::OnOrderCancelled(const shop::order::v1::OrderCancelled& event,
                                          CouponStore& store, consumer::EventSink& sink) {
  if (event.coupon_code().empty()) return absl::OkStatus();
  auto coupon = store.FindCoupon(event.coupon_code());
  if (!coupon.ok()) return coupon.status();
  return Apply(domain::Restore(*coupon, event, clock_()), store, sink);
}

}  // namespace shop::coupon::app

#include "coupon/app/coupon_commands.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/consumer/saga_handler.h"
#include "common/errors/bad_request.h"
#include "common/errors/field_limits.h"
#include "common/mysql/page_token.h"
#include "common/mysql/transaction.h"
#include "google/protobuf/util/time_util.h"
#include "proto/shop/coupon/v1/events.pb.h"

namespace shop::coupon::app {
namespace {

// CouponStore on the repository, in one transaction; every read locks.
class MysqlCouponStore : public CouponStore {
 public:
  MysqlCouponStore(storage::CouponRepository& coupons, mysql::Transaction& tx)
      : coupons_(coupons), tx_(tx) {}
  absl::StatusOr<std::optional<Campaign>> FindCampaign(const std::string& campaign_id) override {
    return coupons_.FindCampaign(tx_, campaign_id, /*for_update=*/true);
  }
  absl::Status SetIssuedCount(const std::string& campaign_id, int64_t issued) override {
    return coupons_.SetIssuedCount(tx_, campaign_id, issued);
  }
  absl::StatusOr<std::optional<CouponIssue>> FindIssue(const std::string& request_id) override {
    return coupons_.FindIssue(tx_, request_id, /*for_update=*/true);
  }
  absl::Status UpdateIssue(const CouponIssue& issue) override {
    return coupons_.UpdateIssue(tx_, issue);
  }
  absl::StatusOr<bool> CustomerHolds(const std::string& campaign_id,
                                     const std::string& customer_id) override {
    return coupons_.CustomerHolds(tx_, campaign_id, customer_id);
  }
  absl::Status InsertCoupon(const Coupon& coupon) override {
    return coupons_.InsertCoupon(tx_, coupon);
  }
  absl::StatusOr<std::optional<Coupon>> FindCoupon(const std::string& coupon_code) override {
    return coupons_.FindCoupon(tx_, coupon_code, /*for_update=*/true);
  }
  absl::Status UpdateCoupon(const Coupon& coupon) override {
    return coupons_.UpdateCoupon(tx_, coupon);
  }

 private:
  storage::CouponRepository& coupons_;
  mysql::Transaction& tx_;
};

google::protobuf::Timestamp Now() {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
}

}  // namespace

absl::StatusOr<Campaign> CouponCommands::CreateCampaign(
    const shop::coupon::v1::CreateCampaignRequest& request, absl::Time deadline) {
  if (auto violations = domain::Validate(request); !violations.empty()) {
    return errors::InvalidArgument(violations);
  }
  Campaign campaign = domain::NewCampaign(request, absl::Now());
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    return coupons_.InsertCampaign(tx, campaign);
  });
  if (status.code() != absl::StatusCode::kAlreadyExists) {
    if (!status.ok()) return status;
    return campaign;
  }
  // A retry answers with the campaign; another definition under the id is a conflict.
  auto existing = GetCampaign(request.campaign_id(), deadline);
  if (!existing.ok()) return existing.status();
  if (!domain::SameDefinition(*existing, request)) {
    return absl::AlreadyExistsError(
        absl::StrCat("campaign ", request.campaign_id(), " exists with another definition"));
  }
  return existing;
}

absl::StatusOr<Campaign> CouponCommands::GetCampaign(const std::string& campaign_id,
                                                     absl::Time deadline) {
  if (absl::Status bad = errors::CheckId(campaign_id, "campaign_id"); !bad.ok()) return bad;
  std::optional<Campaign> campaign;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto found = coupons_.FindCampaign(tx, campaign_id, /*for_update=*/false);
    if (!found.ok()) return found.status();
    campaign = *std::move(found);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!campaign.has_value()) return absl::NotFoundError("no campaign " + campaign_id);
  return *campaign;
}

absl::StatusOr<CouponIssue> CouponCommands::IssueCoupon(
    const shop::coupon::v1::IssueCouponRequest& request, const std::string& correlation_id,
    absl::Time deadline) {
  if (auto violations = domain::Validate(request); !violations.empty()) {
    return errors::InvalidArgument(violations);
  }
  CouponIssue issue;
  issue.set_request_id(events::NewUuid());
  issue.set_campaign_id(request.campaign_id());
  issue.set_customer_id(request.customer_id());
  issue.set_idempotency_key(request.idempotency_key());
  issue.set_state(shop::coupon::v1::ISSUE_STATE_REQUESTED);
  *issue.mutable_request_time() = Now();
  shop::coupon::v1::CouponIssueRequested requested;
  requested.set_request_id(issue.request_id());
  requested.set_campaign_id(issue.campaign_id());
  requested.set_customer_id(issue.customer_id());
  *requested.mutable_request_time() = issue.request_time();
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    // A plain consistent read: no lock on the campaign, which every request names.
    auto campaign = coupons_.FindCampaign(tx, request.campaign_id(), /*for_update=*/false);
    if (!campaign.ok()) return campaign.status();
    if (!campaign->has_value()) return absl::NotFoundError("no campaign " + request.campaign_id());
    if (absl::Status inserted = coupons_.InsertIssue(tx, issue); !inserted.ok()) return inserted;
    return outbox_.Append(tx, requested, {correlation_id, correlation_id}).status();
  });
  if (status.code() != absl::StatusCode::kAlreadyExists) {
    if (!status.ok()) return status;
    return issue;
  }
  // The customer used this key before (a retry, or a concurrent call that won).
  std::optional<CouponIssue> existing;
  status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto found = coupons_.FindIssueByKey(tx, request.customer_id(), request.idempotency_key());
    if (!found.ok()) return found.status();
    existing = *std::move(found);
    return existing.has_value() ? absl::OkStatus()
                                : absl::AbortedError("idempotency key vanished; retry");
  });
  if (!status.ok()) return status;
  if (existing->campaign_id() != request.campaign_id()) {
    return absl::AlreadyExistsError(absl::StrCat("idempotency_key '", request.idempotency_key(),
                                                 "' was already used for campaign ",
                                                 existing->campaign_id()));
  }
  return *existing;
}

absl::StatusOr<CouponIssue> CouponCommands::GetIssue(const std::string& request_id,
                                                     absl::Time deadline) {
  if (absl::Status bad = errors::CheckId(request_id, "request_id"); !bad.ok()) return bad;
  std::optional<CouponIssue> issue;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto found = coupons_.FindIssue(tx, request_id, /*for_update=*/false);
    if (!found.ok()) return found.status();
    issue = *std::move(found);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!issue.has_value()) return absl::NotFoundError("no request " + request_id);
  return *issue;
}

absl::StatusOr<storage::CouponPage> CouponCommands::ListCoupons(const std::string& customer_id,
                                                                int page_size,
                                                                const std::string& page_token,
                                                                absl::Time deadline) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(customer_id, "customer_id", violations);
  if (page_size < 0) violations.push_back({"page_size", "must not be negative"});
  errors::LimitText(page_token, "page_token", mysql::kMaxPageTokenBytes, violations);
  if (!violations.empty()) return errors::InvalidArgument(violations);
  page_size = page_size == 0 ? 50 : std::min(page_size, 500);
  absl::StatusOr<storage::CouponPage> page;
  absl::Status result = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    page = coupons_.ListCoupons(tx, customer_id, page_size, page_token);
    return page.status().code() == absl::StatusCode::kInvalidArgument ? absl::OkStatus()
                                                                      : page.status();
  });
  if (!result.ok()) return result;
  if (!page.ok()) {
    return errors::InvalidArgument({{"page_token", "is not a token this service returned"}});
  }
  return page;
}

void CouponCommands::RegisterSagaHandlers(consumer::EventConsumer& consumer) {
  // The MySQL store in the consumer's transaction.
  auto store = [this](mysql::Transaction& tx) { return MysqlCouponStore(coupons_, tx); };
  consumer.On(consumer::SagaHandler(saga_, &CouponSaga::OnCouponIssueRequested, store));
  consumer.On(consumer::SagaHandler(saga_, &CouponSaga::OnOrderPlaced, store));
  consumer.On(consumer::SagaHandler(saga_, &CouponSaga::OnOrderCancelled, store));
}

}  // namespace shop::coupon::app

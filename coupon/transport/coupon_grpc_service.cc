#include "coupon/transport/coupon_grpc_service.h"

#include "common/grpc/server.h"
#include "common/grpc/status.h"

namespace shop::coupon::transport {

using grpc_util::CallDeadline;
using grpc_util::ToGrpcStatus;

grpc::Status CouponGrpcService::CreateCampaign(grpc::ServerContext* context,
                                               const v1::CreateCampaignRequest* request,
                                               v1::CreateCampaignResponse* response) {
  auto campaign = commands_.CreateCampaign(*request, CallDeadline(context));
  if (!campaign.ok()) return ToGrpcStatus(campaign.status());
  *response->mutable_campaign() = *std::move(campaign);
  return grpc::Status::OK;
}

grpc::Status CouponGrpcService::GetCampaign(grpc::ServerContext* context,
                                            const v1::GetCampaignRequest* request,
                                            v1::GetCampaignResponse* response) {
  auto campaign = commands_.GetCampaign(request->campaign_id(), CallDeadline(context));
  if (!campaign.ok()) return ToGrpcStatus(campaign.status());
  response->set_remaining_coupons(campaign->total_coupons() - campaign->issued_coupons());
  *response->mutable_campaign() = *std::move(campaign);
  return grpc::Status::OK;
}

grpc::Status CouponGrpcService::IssueCoupon(grpc::ServerContext* context,
                                            const v1::IssueCouponRequest* request,
                                            v1::IssueCouponResponse* response) {
  auto issue =
      commands_.IssueCoupon(*request, grpc_util::CorrelationId(context), CallDeadline(context));
  if (!issue.ok()) return ToGrpcStatus(issue.status());
  *response->mutable_issue() = *std::move(issue);
  return grpc::Status::OK;
}

grpc::Status CouponGrpcService::GetIssue(grpc::ServerContext* context,
                                         const v1::GetIssueRequest* request,
                                         v1::GetIssueResponse* response) {
  auto issue = commands_.GetIssue(request->request_id(), CallDeadline(context));
  if (!issue.ok()) return ToGrpcStatus(issue.status());
  *response->mutable_issue() = *std::move(issue);
  return grpc::Status::OK;
}

grpc::Status CouponGrpcService::ListCoupons(grpc::ServerContext* context,
                                            const v1::ListCouponsRequest* request,
                                            v1::ListCouponsResponse* response) {
  auto page = commands_.ListCoupons(request->customer_id(), request->page_size(),
                                    request->page_token(), CallDeadline(context));
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (auto& coupon : page->coupons) *response->add_coupons() = std::move(coupon);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

}  // namespace shop::coupon::transport

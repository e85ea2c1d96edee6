// The CouponService gRPC API over CouponCommands.
#ifndef SHOP_COUPON_TRANSPORT_COUPON_GRPC_SERVICE_H_
#define SHOP_COUPON_TRANSPORT_COUPON_GRPC_SERVICE_H_

#include "coupon/app/coupon_commands.h"
#include "proto/shop/coupon/v1/coupon_service.grpc.pb.h"

namespace shop::coupon::transport {

namespace v1 = shop::coupon::v1;

class CouponGrpcService final : public v1::CouponService::Service {
 public:
  explicit CouponGrpcService(app::CouponCommands& commands) : commands_(commands) {}

  grpc::Status CreateCampaign(grpc::ServerContext* context,
                              const v1::CreateCampaignRequest* request,
                              v1::CreateCampaignResponse* response) override;
  grpc::Status GetCampaign(grpc::ServerContext* context, const v1::GetCampaignRequest* request,
                           v1::GetCampaignResponse* response) override;
  grpc::Status IssueCoupon(grpc::ServerContext* context, const v1::IssueCouponRequest* request,
                           v1::IssueCouponResponse* response) override;
  grpc::Status GetIssue(grpc::ServerContext* context, const v1::GetIssueRequest* request,
                        v1::GetIssueResponse* response) override;
  grpc::Status ListCoupons(grpc::ServerContext* context, const v1::ListCouponsRequest* request,
                           v1::ListCouponsResponse* response) override;

 private:
  app::CouponCommands& commands_;
};

}  // namespace shop::coupon::transport

#endif  // SHOP_COUPON_TRANSPORT_COUPON_GRPC_SERVICE_H_

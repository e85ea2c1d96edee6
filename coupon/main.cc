// The coupon service: flags and wiring only (see coupon/app for what it does).
#include "common/service/service_runtime.h"
#include "coupon/app/coupon_commands.h"
#include "coupon/storage/coupon_repository.h"
#include "coupon/transport/coupon_grpc_service.h"

int main(int argc, char** argv) {
  return shop::service::RunService<shop::coupon::app::CouponCommands,
                                   shop::coupon::transport::CouponGrpcService>(
      {
          .name = "coupon",
          .migrations = {{"coupon", shop::coupon::storage::CouponMigrations()}},
          .consumed_topics = {"shop.coupon.requests", "shop.order.events"},
          .produced_topics = {"shop.coupon.requests", "shop.coupon.events"},
      },
      argc, argv);
}

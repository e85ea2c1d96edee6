// What the coupon service does: campaigns, requests for coupons recorded at
// insert speed and decided one after another per campaign by its own
// consumer, and redemption as a participant of the order saga.
//
// Errors: INVALID_ARGUMENT naming each bad field; NOT_FOUND for an unknown
// campaign or request; ALREADY_EXISTS for a campaign id or an idempotency
// key reused for something else; UNAVAILABLE when the database is.
#ifndef SHOP_COUPON_APP_COUPON_COMMANDS_H_
#define SHOP_COUPON_APP_COUPON_COMMANDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/consumer/event_consumer.h"
#include "common/events/event_metadata.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox.h"
#include "coupon/app/coupon_saga.h"
#include "coupon/domain/coupon_code.h"
#include "coupon/storage/coupon_repository.h"
#include "proto/shop/coupon/v1/coupon_service.pb.h"

namespace shop::coupon::app {

class CouponCommands {
 public:
  CouponCommands(mysql::ConnectionPool& pool, outbox::Outbox& outbox)
      : pool_(pool), outbox_(outbox) {}

  absl::StatusOr<Campaign> CreateCampaign(const shop::coupon::v1::CreateCampaignRequest& request,
                                          absl::Time deadline);
  absl::StatusOr<Campaign> GetCampaign(const std::string& campaign_id, absl::Time deadline);
  // Writes the request and its CouponIssueRequested, nothing else: no
  // campaign row is locked or written, so a spike is absorbed at insert speed.
  absl::StatusOr<CouponIssue> IssueCoupon(const shop::coupon::v1::IssueCouponRequest& request,
                                          const std::string& correlation_id, absl::Time deadline);
  absl::StatusOr<CouponIssue> GetIssue(const std::string& request_id, absl::Time deadline);
  absl::StatusOr<storage::CouponPage> ListCoupons(const std::string& customer_id, int page_size,
                                                  const std::string& page_token,
                                                  absl::Time deadline);

  // CouponIssueRequested, OrderPlaced and OrderCancelled: CouponSaga's handlers.
  void RegisterSagaHandlers(consumer::EventConsumer& consumer);

 private:
  mysql::ConnectionPool& pool_;
  outbox::Outbox& outbox_;
  storage::CouponRepository coupons_;
  CouponSaga saga_{domain::NewCouponCode};
};

}  // namespace shop::coupon::app

#endif  // SHOP_COUPON_APP_COUPON_COMMANDS_H_

// Campaigns, requests for coupons and coupons in the coupon service's own
// database, in the caller's transaction.
#ifndef SHOP_COUPON_STORAGE_COUPON_REPOSITORY_H_
#define SHOP_COUPON_STORAGE_COUPON_REPOSITORY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/mysql/migrations.h"
#include "common/mysql/transaction.h"
#include "proto/shop/coupon/v1/coupon.pb.h"

namespace shop::coupon::storage {

using shop::coupon::v1::Campaign;
using shop::coupon::v1::Coupon;
using shop::coupon::v1::CouponIssue;

struct CouponPage {
  std::vector<Coupon> coupons;
  std::string next_page_token;
};

class CouponRepository {
 public:
  // ALREADY_EXISTS when the id is taken.
  absl::Status InsertCampaign(mysql::Transaction& tx, const Campaign& campaign);
  // With the live issued count; locked until the transaction ends when `for_update`.
  absl::StatusOr<std::optional<Campaign>> FindCampaign(mysql::Transaction& tx,
                                                       const std::string& campaign_id,
                                                       bool for_update);
  absl::Status SetIssuedCount(mysql::Transaction& tx, const std::string& campaign_id,
                              int64_t issued);

  // ALREADY_EXISTS when the customer used the idempotency key before.
  absl::Status InsertIssue(mysql::Transaction& tx, const CouponIssue& issue);
  absl::StatusOr<std::optional<CouponIssue>> FindIssue(mysql::Transaction& tx,
                                                       const std::string& request_id,
                                                       bool for_update);
  absl::StatusOr<std::optional<CouponIssue>> FindIssueByKey(mysql::Transaction& tx,
                                                            const std::string& customer_id,
                                                            const std::string& idempotency_key);
  absl::Status UpdateIssue(mysql::Transaction& tx, const CouponIssue& issue);

  // ALREADY_EXISTS when the customer holds one of the campaign's coupons.
  absl::Status InsertCoupon(mysql::Transaction& tx, const Coupon& coupon);
  absl::StatusOr<std::optional<Coupon>> FindCoupon(mysql::Transaction& tx,
                                                   const std::string& coupon_code, bool for_update);
  absl::StatusOr<bool> CustomerHolds(mysql::Transaction& tx, const std::string& campaign_id,
                                     const std::string& customer_id);
  absl::Status UpdateCoupon(mysql::Transaction& tx, const Coupon& coupon);
  // Newest first.
  absl::StatusOr<CouponPage> ListCoupons(mysql::Transaction& tx, const std::string& customer_id,
                                         int page_size, const std::string& page_token);
};

std::vector<mysql::Migration> CouponMigrations();

}  // namespace shop::coupon::storage

#endif  // SHOP_COUPON_STORAGE_COUPON_REPOSITORY_H_

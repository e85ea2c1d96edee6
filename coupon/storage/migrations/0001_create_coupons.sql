-- Campaigns. `document` is the shop.coupon.v1.Campaign as created;
-- issued_coupons is the live count, moved only by the consumer that decides
-- the campaign's requests one after another.
CREATE TABLE IF NOT EXISTS campaigns (
  campaign_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  issued_coupons BIGINT NOT NULL,
  document LONGBLOB NOT NULL,
  PRIMARY KEY (campaign_id)
) ENGINE=InnoDB;
-- Requests for a coupon: written by IssueCoupon (with the event, nothing
-- else), decided by the consumer. `document` is the shop.coupon.v1.CouponIssue.
CREATE TABLE IF NOT EXISTS issue_requests (
  request_id CHAR(36) NOT NULL,
  customer_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  idempotency_key VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  state TINYINT NOT NULL,
  document BLOB NOT NULL,
  PRIMARY KEY (request_id),
  UNIQUE KEY issue_requests_idempotency (customer_id, idempotency_key)
) ENGINE=InnoDB;
-- Issued coupons, at most one per customer per campaign (the unique key is
-- the last line of defence behind the decision's own check).
-- `document` is the shop.coupon.v1.Coupon.
CREATE TABLE IF NOT EXISTS coupons (
  coupon_code VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  campaign_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  customer_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  issued_micros BIGINT NOT NULL,
  state TINYINT NOT NULL,
  document BLOB NOT NULL,
  PRIMARY KEY (coupon_code),
  UNIQUE KEY coupons_one_per_customer (campaign_id, customer_id),
  KEY coupons_by_customer (customer_id, issued_micros, coupon_code)
) ENGINE=InnoDB;

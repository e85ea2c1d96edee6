-- Orders. `document` is the whole shop.order.v1.Order (lines, address,
-- times); the other columns are what queries and locks need.
CREATE TABLE IF NOT EXISTS orders (
  order_id CHAR(36) NOT NULL,
  customer_id VARCHAR(128) NOT NULL,
  idempotency_key VARCHAR(128) NOT NULL,
  request_fingerprint CHAR(64) NOT NULL,
  status TINYINT NOT NULL,
  created_micros BIGINT NOT NULL,
  document LONGBLOB NOT NULL,
  PRIMARY KEY (order_id),
  UNIQUE KEY orders_idempotency (customer_id, idempotency_key),
  KEY orders_by_customer (customer_id, created_micros, order_id)
) ENGINE=InnoDB;

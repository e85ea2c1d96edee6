-- The catalog with its stock. initial + adjustments = available + reserved + sold.
CREATE TABLE IF NOT EXISTS products (
  product_id VARCHAR(128) NOT NULL,
  sku VARCHAR(128) NOT NULL,
  name VARCHAR(255) NOT NULL,
  price_minor BIGINT NOT NULL,
  currency_code CHAR(3) NOT NULL,
  available BIGINT NOT NULL,
  reserved BIGINT NOT NULL DEFAULT 0,
  sold BIGINT NOT NULL DEFAULT 0,
  created_micros BIGINT NOT NULL,
  updated_micros BIGINT NOT NULL,
  PRIMARY KEY (product_id),
  UNIQUE KEY products_sku (sku),
  CONSTRAINT stock_never_negative CHECK (available >= 0 AND reserved >= 0 AND sold >= 0)
) ENGINE=InnoDB;

-- What each order holds of each product: 1 reserved, 2 sold, 3 released.
CREATE TABLE IF NOT EXISTS reservations (
  order_id VARCHAR(128) NOT NULL,
  product_id VARCHAR(128) NOT NULL,
  quantity BIGINT NOT NULL,
  state TINYINT NOT NULL,
  PRIMARY KEY (order_id, product_id)
) ENGINE=InnoDB;

-- Every manual stock change, for the audit trail.
CREATE TABLE IF NOT EXISTS stock_adjustments (
  id BIGINT NOT NULL AUTO_INCREMENT,
  product_id VARCHAR(128) NOT NULL,
  delta BIGINT NOT NULL,
  reason VARCHAR(255) NOT NULL,
  created_micros BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;

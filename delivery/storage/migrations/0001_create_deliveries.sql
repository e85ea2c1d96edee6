-- One delivery per completed order; `document` is the shop.delivery.v1.Delivery.
CREATE TABLE IF NOT EXISTS deliveries (
  delivery_id CHAR(36) NOT NULL,
  order_id VARCHAR(128) NOT NULL,
  status TINYINT NOT NULL,
  created_micros BIGINT NOT NULL,
  document LONGBLOB NOT NULL,
  PRIMARY KEY (delivery_id),
  UNIQUE KEY deliveries_by_order (order_id),
  KEY deliveries_by_time (created_micros, delivery_id)
) ENGINE=InnoDB;

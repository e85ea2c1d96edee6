-- The order service's own replica of the catalog, fed by the product
-- service's ProductChanged events (event-carried state transfer): what
-- PlaceOrder prices from. changed_micros keeps a late, older event from
-- overwriting a newer state.
CREATE TABLE IF NOT EXISTS catalog (
  product_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  price_minor BIGINT NOT NULL,
  currency_code CHAR(3) NOT NULL,
  discontinued BOOLEAN NOT NULL,
  changed_micros BIGINT NOT NULL,
  PRIMARY KEY (product_id)
) ENGINE=InnoDB;

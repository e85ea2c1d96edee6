-- The ledger. Entries are never changed; at most one revenue and one
-- reversal per order. Daily totals are sums over these rows.
CREATE TABLE IF NOT EXISTS ledger_entries (
  entry_id CHAR(36) NOT NULL,
  order_id VARCHAR(128) NOT NULL,
  entry_type TINYINT NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency_code CHAR(3) NOT NULL,
  book_micros BIGINT NOT NULL,
  business_date DATE NOT NULL,
  PRIMARY KEY (entry_id),
  UNIQUE KEY ledger_once_per_order (order_id, entry_type),
  KEY ledger_by_day (business_date, currency_code)
) ENGINE=InnoDB;

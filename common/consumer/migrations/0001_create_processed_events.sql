-- Events a consumer has applied. The handler's writes and the row here
-- commit together, so a redelivered event is recognised and skipped.
CREATE TABLE IF NOT EXISTS processed_events (
  consumer VARCHAR(128) NOT NULL,
  event_id VARCHAR(128) NOT NULL,
  processed_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (consumer, event_id)
) ENGINE=InnoDB;

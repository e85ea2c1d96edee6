-- Events waiting to be published, written in the same transaction as the
-- state change they describe. The relay publishes them in id order and sets
-- published_at after the broker's acknowledgement.
CREATE TABLE IF NOT EXISTS outbox (
  id BIGINT NOT NULL AUTO_INCREMENT,
  event_id CHAR(36) NOT NULL,
  topic VARCHAR(249) NOT NULL,
  record_key VARBINARY(255) NOT NULL,
  event_type VARCHAR(255) NOT NULL,
  payload LONGBLOB NOT NULL,
  source VARCHAR(128) NOT NULL,
  correlation_id VARCHAR(128) NOT NULL,
  causation_id VARCHAR(128) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  published_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY outbox_event_id (event_id),
  KEY outbox_unpublished (published_at, id)
) ENGINE=InnoDB;

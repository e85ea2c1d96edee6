-- What the dispatcher knows of each order: whose it is (partner_id is NULL
-- for the shop's own customers) and what the partner was last told.
-- shipped_early: delivery's SHIPPED arrived before the order's completion
-- (two topics, no order between them); the completion sends both, in order.
CREATE TABLE webhook_orders (
  order_id VARCHAR(128) NOT NULL PRIMARY KEY,
  partner_id VARCHAR(128) NULL,
  order_ref VARCHAR(128) NOT NULL DEFAULT '',
  currency CHAR(3) NOT NULL DEFAULT '',
  total_minor BIGINT NOT NULL DEFAULT 0,
  completed BOOLEAN NOT NULL DEFAULT FALSE,
  shipped_early BOOLEAN NOT NULL DEFAULT FALSE,
  shipped_event_id VARCHAR(64) NOT NULL DEFAULT '',
  shipped_time VARCHAR(40) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One message to one subscriber (a partner, or "platform"). Sent in id
-- order per (subscriber, stream_key): a row is sent only when no earlier row
-- of its stream is pending or dead.
CREATE TABLE webhook_deliveries (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  subscriber VARCHAR(128) NOT NULL,
  stream_key VARCHAR(128) NOT NULL,
  event_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(255) NOT NULL,
  payload MEDIUMBLOB NOT NULL,
  state ENUM('pending', 'delivered', 'dead') NOT NULL DEFAULT 'pending',
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_status INT NULL,
  last_error VARCHAR(512) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  delivered_at DATETIME(6) NULL,
  UNIQUE KEY one_per_event (subscriber, event_id),
  KEY due (subscriber, state, next_attempt_at),
  KEY stream (subscriber, stream_key, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

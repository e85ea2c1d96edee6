-- Customer ids and idempotency keys (a partner's orderRef) are compared
-- exactly: utf8mb4_bin pads with spaces, so "PO-1" and "PO-1 " were one key.
ALTER TABLE orders
  MODIFY customer_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  MODIFY idempotency_key VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;

-- PlaceOrder's writes in one round trip: the order and its OrderPlaced
-- outbox row, inserted and committed by one CALL (see
-- OrderRepository::PlaceWithEvent). Before: START TRANSACTION, two INSERTs
-- and COMMIT, four round trips, each mostly kernel time on a busy machine.
-- The columns are those of OrderRepository::Insert and of the outbox
-- (common/outbox/migrations); a change to either changes this too (the
-- order service's tests place orders through it and read both rows back).
-- Any error rolls back and reaches the caller unchanged (a duplicate
-- idempotency key stays MySQL error 1062).
DELIMITER //
CREATE OR REPLACE PROCEDURE place_order(
  IN p_order_id CHAR(36),
  IN p_customer_id VARCHAR(128),
  IN p_idempotency_key VARCHAR(128),
  IN p_request_fingerprint CHAR(64),
  IN p_status TINYINT,
  IN p_created_micros BIGINT,
  IN p_document LONGBLOB,
  IN p_event_id CHAR(36),
  IN p_topic VARCHAR(249),
  IN p_record_key VARBINARY(255),
  IN p_event_type VARCHAR(255),
  IN p_payload LONGBLOB,
  IN p_source VARCHAR(128),
  IN p_correlation_id VARCHAR(128),
  IN p_causation_id VARCHAR(128),
  IN p_created_at DATETIME(6))
MODIFIES SQL DATA
BEGIN
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;
  START TRANSACTION;
  INSERT INTO orders (order_id, customer_id, idempotency_key, request_fingerprint, status,
                      created_micros, document)
    VALUES (p_order_id, p_customer_id, p_idempotency_key, p_request_fingerprint, p_status,
            p_created_micros, p_document);
  INSERT INTO outbox (event_id, topic, record_key, event_type, payload, source, correlation_id,
                      causation_id, created_at)
    VALUES (p_event_id, p_topic, p_record_key, p_event_type, p_payload, p_source,
            p_correlation_id, p_causation_id, p_created_at);
  COMMIT;
END //
DELIMITER ;

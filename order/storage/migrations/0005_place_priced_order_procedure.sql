-- PlaceOrder in one round trip: place_order (0004), after checking that the
-- prices the order service took from its memory are still the replica's.
-- The service keeps the catalog replica's rows it has read, each with the
-- version it was read at (changed_micros); an order priced from memory
-- passes those versions, and the order is placed only if the replica still
-- holds every one of them. Otherwise nothing is written and the CALL fails
-- with SQLSTATE 45000 (error 1644, "catalog changed"): the service reads
-- those rows again and prices the order anew (see CachedCatalog).
--
-- p_catalog_versions: NULL (nothing to check: the prices were read for this
-- order) or a JSON array of [hex of product_id, changed_micros] pairs, one
-- per product, e.g. [["746561",1700000000000000]]. Ids are passed in hex so
-- that no id, whatever bytes it holds, can change the JSON's meaning.
--
-- The check is a read of its own, before place_order's transaction, as the
-- service's catalog read was before: a price that changes between the two
-- is the price of an order placed a moment earlier. place_order itself is
-- unchanged, and still serves binaries of the version before this one
-- during a rolling upgrade.
DELIMITER //
CREATE OR REPLACE PROCEDURE place_priced_order(
  IN p_catalog_versions LONGTEXT,
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
  DECLARE v_current INT DEFAULT 0;
  IF p_catalog_versions IS NOT NULL THEN
    SELECT COUNT(*) INTO v_current
      FROM JSON_TABLE(p_catalog_versions, '$[*]' COLUMNS (
             id_hex VARCHAR(512) PATH '$[0]',
             changed_micros BIGINT PATH '$[1]')) AS priced
      JOIN catalog
        ON catalog.product_id = CONVERT(UNHEX(priced.id_hex) USING utf8mb4)
                                COLLATE utf8mb4_nopad_bin
       AND catalog.changed_micros = priced.changed_micros;
    IF v_current <> IFNULL(JSON_LENGTH(p_catalog_versions), -1) THEN
      SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 1644, MESSAGE_TEXT = 'catalog changed';
    END IF;
  END IF;
  CALL place_order(p_order_id, p_customer_id, p_idempotency_key, p_request_fingerprint,
                   p_status, p_created_micros, p_document, p_event_id, p_topic, p_record_key,
                   p_event_type, p_payload, p_source, p_correlation_id, p_causation_id,
                   p_created_at);
END //
DELIMITER ;

-- A row the relay can never publish (too large, invalid, not authorised) is
-- parked: it stays unpublished with the reason, and later rows of the same
-- topic and key are held behind it, so per-key order is never broken. An
-- operator lists, releases or discards parked rows (tools/shopctl outbox).
ALTER TABLE outbox
  ADD COLUMN parked_at DATETIME(6) NULL,
  ADD COLUMN park_reason VARCHAR(1024) NULL,
  ADD KEY outbox_parked (parked_at, topic, record_key);

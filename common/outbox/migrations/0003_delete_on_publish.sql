-- The relay now deletes a row once the broker has acknowledged it, instead
-- of setting published_at and deleting it a day later: the outbox holds only
-- what is still to publish (Kafka keeps the events), an event costs one
-- insert and one delete with no update in between, and the relay reads the
-- table in primary-key order. Two secondary indexes go with published_at:
-- outbox_unpublished, and outbox_event_id, a unique key on random UUIDs that
-- nothing reads by (the ids are generated, and consumers dedupe on them), so
-- every insert paid a random B-tree insertion and a uniqueness probe for it.
-- Every instance of a service must run this version once it has run (an
-- older one would look for published_at). IF EXISTS: a rerun after a crash
-- part-way is harmless.
DELETE FROM outbox WHERE published_at IS NOT NULL;
ALTER TABLE outbox
  DROP INDEX IF EXISTS outbox_event_id,
  DROP INDEX IF EXISTS outbox_unpublished,
  DROP COLUMN IF EXISTS published_at;

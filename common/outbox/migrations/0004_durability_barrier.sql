-- InnoDB makes a COMMIT visible to other sessions before its redo log is
-- flushed (trx_t::commit_in_memory releases the transaction, then flushes
-- the log). A relay that read a row in that window and published it would
-- leave an event for a change that a crash then undoes (the chaos run found
-- exactly that: OrderPlaced for orders MariaDB lost when it was killed).
-- So after every read that returns rows, the relay commits a write of its
-- own here before it publishes them: that commit returns only once the log
-- is flushed past it, and so past every transaction the read could see.
CREATE TABLE IF NOT EXISTS outbox_barrier (
  id TINYINT NOT NULL,
  passes BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;

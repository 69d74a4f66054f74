-- Automatic retries (docs/retries.md): why a record failed decides whether the flow's next runs try it again,
-- and when.

-- setting, master_data, transient or permanent; NULL for entries that did not fail (and older ones).
ALTER TABLE journal ADD COLUMN failure_class TEXT;

-- The record's latest attempt: its failure class (NULL when it did not fail), failed automatic attempts in a
-- row, when the back-off lets a run retry it (NULL: not retried automatically, or its attempts are used up),
-- and which journal entry it was.
ALTER TABLE id_map ADD COLUMN failure_class TEXT;
ALTER TABLE id_map ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE id_map ADD COLUMN retry_at_ms BIGINT;
ALTER TABLE id_map ADD COLUMN last_entry_id UUID;

-- Records already waiting for a retry failed transiently (the only retryable failures until now): due at once,
-- as before.
UPDATE id_map SET failure_class = 'transient', attempts = 1, retry_at_ms = updated_at_ms WHERE retry_pending;

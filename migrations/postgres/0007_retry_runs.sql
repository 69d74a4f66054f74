-- A retry run works through the listed source ids (a JSON array) instead of reading from the cursor.
ALTER TABLE runs ADD COLUMN retry_source_ids TEXT;

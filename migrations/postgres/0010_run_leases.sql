-- Runs survive their process: a lease owned by one worker and renewed by its heartbeat, takeovers of a dead
-- holder's run counted (a run that keeps dying fails), the last progress for the stuck-run watchdog, and the
-- status `succeeded_with_failures`.
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
    CHECK (status IN ('queued', 'running', 'succeeded', 'succeeded_with_failures', 'failed', 'cancelled'));
-- a running run belongs to lease_owner (one worker process) until lease_until_ms; the owner's heartbeat renews it
ALTER TABLE runs ADD COLUMN lease_owner TEXT;
-- takeovers in a row without a record booked in between, and the booked count at the last takeover
ALTER TABLE runs ADD COLUMN takeovers BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN takeover_mark BIGINT NOT NULL DEFAULT 0;
-- when the run last concluded records (the watchdog's clock), and when it was reported stuck
ALTER TABLE runs ADD COLUMN progress_at_ms BIGINT;
ALTER TABLE runs ADD COLUMN stuck_reported_at_ms BIGINT;
UPDATE runs SET progress_at_ms = started_at_ms;
CREATE INDEX runs_running ON runs(lease_until_ms) WHERE status = 'running';

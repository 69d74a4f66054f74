-- no-transaction
-- Runs survive their process: a lease owned by one worker and renewed by its heartbeat, takeovers of a dead
-- holder's run counted (a run that keeps dying fails), the last progress for the stuck-run watchdog, and the
-- status `succeeded_with_failures`. SQLite cannot change a CHECK constraint in place, so the table is rebuilt
-- (SQLite's documented procedure: foreign keys off, copy, drop, rename, check, on again). The journal keeps
-- pointing at `runs` by name, so its rows stay attached.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE runs_new (
    id                  BLOB PRIMARY KEY,
    tenant_id           BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    flow                TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'succeeded_with_failures',
                                                        'failed', 'cancelled')),
    trigger_kind        TEXT NOT NULL,
    queued_at_ms        BIGINT NOT NULL,
    started_at_ms       BIGINT,
    finished_at_ms      BIGINT,
    created             BIGINT NOT NULL DEFAULT 0,
    updated             BIGINT NOT NULL DEFAULT 0,
    skipped             BIGINT NOT NULL DEFAULT 0,
    failed              BIGINT NOT NULL DEFAULT 0,
    done                BIGINT NOT NULL DEFAULT 0,
    total               BIGINT NOT NULL DEFAULT 0,
    attempts            BIGINT NOT NULL DEFAULT 0,
    error               TEXT,
    cancel_requested    INTEGER NOT NULL DEFAULT 0,
    -- a running run belongs to lease_owner (one worker process) until lease_until_ms; the owner's heartbeat
    -- renews it, and once it has passed any live process takes the run over
    lease_until_ms      BIGINT,
    retry_source_ids    TEXT,
    lease_owner         TEXT,
    -- takeovers in a row without a record booked in between, and the booked count at the last takeover
    takeovers           BIGINT NOT NULL DEFAULT 0,
    takeover_mark       BIGINT NOT NULL DEFAULT 0,
    -- when the run last concluded records (the watchdog's clock), and when it was reported stuck
    progress_at_ms      BIGINT,
    stuck_reported_at_ms BIGINT
);
INSERT INTO runs_new (id, tenant_id, flow, status, trigger_kind, queued_at_ms, started_at_ms, finished_at_ms, created,
                      updated, skipped, failed, done, total, attempts, error, cancel_requested, lease_until_ms,
                      retry_source_ids, progress_at_ms)
    SELECT id, tenant_id, flow, status, trigger_kind, queued_at_ms, started_at_ms, finished_at_ms, created, updated,
           skipped, failed, done, total, attempts, error, cancel_requested, lease_until_ms, retry_source_ids,
           started_at_ms
    FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
CREATE UNIQUE INDEX runs_one_active ON runs(tenant_id, flow) WHERE status IN ('queued', 'running');
CREATE INDEX runs_by_flow ON runs(tenant_id, flow, queued_at_ms);
CREATE INDEX runs_running ON runs(lease_until_ms) WHERE status = 'running';
COMMIT;
PRAGMA foreign_keys = ON;

-- Connections, flows and their schedules, runs, the journal (activity log) and the id map.
-- Times the scheduler and the log compare or sort on are unix milliseconds (BIGINT): portable and exact.

-- Credentials for MplusKASSA and AFAS. The secret part is AES-256-GCM encrypted (nonce || ciphertext) under
-- the key named by key_id; the rest (URL, ident, environment) is plain JSON.
CREATE TABLE connections (
    tenant_id     BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    system        TEXT NOT NULL CHECK (system IN ('mplus', 'afas')),
    config        TEXT NOT NULL,
    secret        BLOB NOT NULL,
    key_id        TEXT NOT NULL,
    test_ok       INTEGER NOT NULL,
    test_message  TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, system)
);

CREATE TABLE flows (
    tenant_id      BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    flow           TEXT NOT NULL CHECK (flow IN ('orders', 'customers', 'products', 'stock')),
    enabled        INTEGER NOT NULL,
    -- "every 5 minutes" as a cron expression with seconds (sec min hour day month weekday)
    schedule       TEXT NOT NULL,
    settings       TEXT NOT NULL,
    cursor_marker  BIGINT,
    next_run_at_ms BIGINT,
    updated_at_ms  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, flow)
);
CREATE INDEX flows_due ON flows(next_run_at_ms) WHERE enabled = 1;

CREATE TABLE runs (
    id               BLOB PRIMARY KEY,
    tenant_id        BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    flow             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    trigger_kind     TEXT NOT NULL,
    queued_at_ms     BIGINT NOT NULL,
    started_at_ms    BIGINT,
    finished_at_ms   BIGINT,
    created          BIGINT NOT NULL DEFAULT 0,
    updated          BIGINT NOT NULL DEFAULT 0,
    skipped          BIGINT NOT NULL DEFAULT 0,
    failed           BIGINT NOT NULL DEFAULT 0,
    done             BIGINT NOT NULL DEFAULT 0,
    total            BIGINT NOT NULL DEFAULT 0,
    attempts         BIGINT NOT NULL DEFAULT 0,
    error            TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    -- a running run belongs to its worker until then; a crashed worker's run can be taken over after it
    lease_until_ms   BIGINT
);
-- At most one queued or running run per tenant and flow.
CREATE UNIQUE INDEX runs_one_active ON runs(tenant_id, flow) WHERE status IN ('queued', 'running');
CREATE INDEX runs_by_flow ON runs(tenant_id, flow, queued_at_ms);

-- One entry per record per run. Searchable keys live here; payloads live apart in journal_payloads.
CREATE TABLE journal (
    id            BLOB PRIMARY KEY,
    tenant_id     BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    run_id        BLOB NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    flow          TEXT NOT NULL,
    entity        TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    target_id     TEXT,
    outcome       TEXT NOT NULL CHECK (outcome IN ('created', 'updated', 'skipped', 'failed')),
    reason        TEXT,
    retryable     INTEGER NOT NULL,
    search_keys   TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX journal_by_tenant_time ON journal(tenant_id, created_at_ms, id);
CREATE INDEX journal_by_run ON journal(run_id);
CREATE INDEX journal_by_source ON journal(tenant_id, flow, source_id);

CREATE TABLE journal_payloads (
    entry_id       BLOB PRIMARY KEY REFERENCES journal(id) ON DELETE CASCADE,
    tenant_id      BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    source_payload TEXT NOT NULL,
    exchanges      TEXT NOT NULL
);

-- What each source record became in the target, and whether its last attempt needs a retry.
CREATE TABLE id_map (
    tenant_id     BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    flow          TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    target_id     TEXT,
    content_hash  TEXT,
    retry_pending INTEGER NOT NULL DEFAULT 0,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, flow, source_id)
);
CREATE INDEX id_map_retries ON id_map(tenant_id, flow) WHERE retry_pending = 1;

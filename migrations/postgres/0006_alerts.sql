-- Alerts: where a tenant wants them, which problem is open per flow (so one problem alerts once until it
-- recovers), and an outbox of messages to deliver with retries.
CREATE TABLE alert_settings (
    tenant_id      UUID PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    webhook_url    TEXT,
    -- the webhook's HMAC key, sealed like connection secrets
    webhook_secret BYTEA,
    webhook_key_id TEXT,
    daily_digest   BOOLEAN NOT NULL DEFAULT FALSE,
    last_digest_day BIGINT,
    updated_at_ms  BIGINT NOT NULL
);

CREATE TABLE alert_state (
    tenant_id     UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    flow          TEXT NOT NULL,
    problem       TEXT NOT NULL,
    opened_at_ms  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, flow)
);

CREATE TABLE outbox (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    sent_at_ms      BIGINT,
    last_error      TEXT,
    created_at_ms   BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox(next_attempt_ms) WHERE sent_at_ms IS NULL;

-- Signup without revealing who has an account (docs/security.md): a signup is a request until the address's
-- owner opens the link mailed to it and gives the password chosen at signup; only then are the user and the
-- company created. An address that already has an account gets a mail saying so instead, and the same answer.
CREATE TABLE signup_requests (
    -- SHA-256 (hex) of the link's token: the token itself is only in the mail.
    token_hash    TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    company       TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms    BIGINT
);
CREATE INDEX signup_requests_expiry ON signup_requests(expires_at_ms);

-- Account mail (a signup's link) belongs to no company yet: the outbox's company becomes optional. SQLite
-- cannot drop a NOT NULL constraint, so the table is rebuilt.
CREATE TABLE outbox_new (
    id              BLOB PRIMARY KEY,
    tenant_id       BLOB REFERENCES tenants(id) ON DELETE CASCADE,
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
INSERT INTO outbox_new (id, tenant_id, channel, recipient, subject, body, attempts, next_attempt_ms, sent_at_ms,
                        last_error, created_at_ms)
    SELECT id, tenant_id, channel, recipient, subject, body, attempts, next_attempt_ms, sent_at_ms, last_error,
           created_at_ms
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(next_attempt_ms) WHERE sent_at_ms IS NULL;

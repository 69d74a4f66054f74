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

-- Account mail (a signup's link) belongs to no company yet: the outbox's company becomes optional.
ALTER TABLE outbox ALTER COLUMN tenant_id DROP NOT NULL;

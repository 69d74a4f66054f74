-- Invitations to a company (docs/security.md): by e-mail with a role, a single-use link valid 7 days; accepting
-- signs an existing user in or lets a new one choose a password, and adds the membership. Only the SHA-256 of a
-- link's token is kept; resending replaces it.
CREATE TABLE invitations (
    id             UUID PRIMARY KEY,
    tenant_id      UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email          TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    token_hash     TEXT NOT NULL UNIQUE,
    invited_by     TEXT NOT NULL,
    created_at_ms  BIGINT NOT NULL,
    expires_at_ms  BIGINT NOT NULL,
    accepted_at_ms BIGINT,
    revoked_at_ms  BIGINT
);
CREATE INDEX invitations_tenant ON invitations(tenant_id);

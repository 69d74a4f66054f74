-- Every settings change (connections, flows, wizard steps): who, when, what changed. Secrets are redacted
-- before a row is written; `changes` is a JSON list of {"field", "before", "after"}.
CREATE TABLE settings_audit (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id       BLOB,
    actor         TEXT NOT NULL,
    area          TEXT NOT NULL,
    changes       TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX settings_audit_by_tenant ON settings_audit(tenant_id, created_at_ms, id);

-- The setup wizard's progress per tenant: the steps completed (a JSON list of step names), the flows chosen,
-- and when the tenant activated them. Resuming opens the first step not in `completed`.
CREATE TABLE setup_progress (
    tenant_id       BLOB PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    completed       TEXT NOT NULL,
    chosen_flows    TEXT NOT NULL,
    activated_at_ms BIGINT,
    updated_at_ms   BIGINT NOT NULL
);

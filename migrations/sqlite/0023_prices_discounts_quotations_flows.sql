-- no-transaction
-- The prices, discounts and quotations flows (AFAS price lists → MplusKASSA price groups, a debtor's own
-- terms → its relation, MplusKASSA quotations → AFAS sales quotations; docs/flows.md): `flows.flow` may now be
-- 'prices', 'discounts' or 'quotations'.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt (SQLite's documented procedure, as
-- in 0010 and 0022).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE flows_new (
    tenant_id      BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    flow           TEXT NOT NULL CHECK (flow IN ('orders', 'receipts', 'quotations', 'financial_journal', 'customers', 'products', 'stock', 'articles', 'prices', 'debtors', 'discounts', 'order_status')),
    enabled        INTEGER NOT NULL,
    -- "every 5 minutes" as a cron expression with seconds (sec min hour day month weekday)
    schedule       TEXT NOT NULL,
    settings       TEXT NOT NULL,
    cursor_marker  BIGINT,
    next_run_at_ms BIGINT,
    updated_at_ms  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, flow)
);
INSERT INTO flows_new (tenant_id, flow, enabled, schedule, settings, cursor_marker, next_run_at_ms, updated_at_ms)
    SELECT tenant_id, flow, enabled, schedule, settings, cursor_marker, next_run_at_ms, updated_at_ms FROM flows;
DROP TABLE flows;
ALTER TABLE flows_new RENAME TO flows;
CREATE INDEX flows_due ON flows(next_run_at_ms) WHERE enabled = 1;
COMMIT;
PRAGMA foreign_keys = ON;

-- Sales held against the books (docs/reconciliation.md): each till sale the orders or receipts flow books (or finds
-- in AFAS, or fails to book) with the till's totals, written in the same transaction as its journal entry; and,
-- once AFAS has been read back, what AFAS booked and any difference as a warning. The reconciliation page sums it
-- per day. Amounts are exact decimals as text; `till_vat` is JSON, VAT rate → amount.
CREATE TABLE sales (
    tenant_id         BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    flow              TEXT NOT NULL,
    source_id         TEXT NOT NULL,
    number            TEXT NOT NULL,
    sale_date         TEXT NOT NULL,
    till_total_incl   TEXT NOT NULL,
    till_vat          TEXT NOT NULL,
    target_id         TEXT,
    entry_id          BLOB,
    booked_total_incl TEXT,
    booked_vat        TEXT,
    warning           TEXT,
    checked_at_ms     BIGINT,
    checked_run_id    BLOB,
    updated_at_ms     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, flow, source_id)
);
CREATE INDEX sales_by_day ON sales(tenant_id, sale_date);
CREATE INDEX sales_unchecked ON sales(tenant_id, flow) WHERE checked_at_ms IS NULL AND target_id IS NOT NULL;
CREATE INDEX sales_checked_in_run ON sales(checked_run_id) WHERE warning IS NOT NULL;

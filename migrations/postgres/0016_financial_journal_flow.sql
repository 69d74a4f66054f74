-- The financial journal flow (the till's closed days → AFAS financial entries, docs/flows.md): `flows.flow` may now be
-- 'financial_journal'.
ALTER TABLE flows DROP CONSTRAINT flows_flow_check;
ALTER TABLE flows ADD CONSTRAINT flows_flow_check
    CHECK (flow IN ('orders', 'receipts', 'financial_journal', 'customers', 'products', 'stock'));

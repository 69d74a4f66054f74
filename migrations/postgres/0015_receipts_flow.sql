-- The receipts flow (till receipts → AFAS, docs/flows.md): `flows.flow` may now be 'receipts'.
ALTER TABLE flows DROP CONSTRAINT flows_flow_check;
ALTER TABLE flows ADD CONSTRAINT flows_flow_check
    CHECK (flow IN ('orders', 'receipts', 'customers', 'products', 'stock'));

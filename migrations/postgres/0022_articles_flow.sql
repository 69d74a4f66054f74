-- The articles flow (AFAS articles → MplusKASSA articles, docs/flows.md): `flows.flow` may now be 'articles'.
ALTER TABLE flows DROP CONSTRAINT flows_flow_check;
ALTER TABLE flows ADD CONSTRAINT flows_flow_check
    CHECK (flow IN ('orders', 'receipts', 'financial_journal', 'customers', 'products', 'stock', 'articles'));

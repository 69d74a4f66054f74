-- The flows towards the till (AFAS articles → MplusKASSA articles, AFAS debtors → MplusKASSA relations;
-- docs/flows.md): `flows.flow` may now be 'articles' or 'debtors'.
ALTER TABLE flows DROP CONSTRAINT flows_flow_check;
ALTER TABLE flows ADD CONSTRAINT flows_flow_check
    CHECK (flow IN ('orders', 'receipts', 'financial_journal', 'customers', 'products', 'stock', 'articles', 'debtors'));

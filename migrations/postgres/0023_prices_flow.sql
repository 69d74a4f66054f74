-- The prices flow (AFAS price lists → MplusKASSA price groups; docs/flows.md): `flows.flow` may now be 'prices'.
ALTER TABLE flows DROP CONSTRAINT flows_flow_check;
ALTER TABLE flows ADD CONSTRAINT flows_flow_check
    CHECK (flow IN ('orders', 'receipts', 'financial_journal', 'customers', 'products', 'stock', 'articles', 'prices', 'debtors', 'order_status'));

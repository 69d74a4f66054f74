-- The prices and discounts flows (AFAS price lists → MplusKASSA price groups, a debtor's own terms → its
-- relation; docs/flows.md): `flows.flow` may now be 'prices' or 'discounts'.
ALTER TABLE flows DROP CONSTRAINT flows_flow_check;
ALTER TABLE flows ADD CONSTRAINT flows_flow_check
    CHECK (flow IN ('orders', 'receipts', 'financial_journal', 'customers', 'products', 'stock', 'articles', 'prices', 'debtors', 'discounts', 'order_status'));

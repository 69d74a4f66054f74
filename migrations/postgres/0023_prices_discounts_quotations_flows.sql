-- The prices, discounts and quotations flows (AFAS price lists → MplusKASSA price groups, a debtor's own
-- terms → its relation, MplusKASSA quotations → AFAS sales quotations; docs/flows.md): `flows.flow` may now be
-- 'prices', 'discounts' or 'quotations'.
ALTER TABLE flows DROP CONSTRAINT flows_flow_check;
ALTER TABLE flows ADD CONSTRAINT flows_flow_check
    CHECK (flow IN ('orders', 'receipts', 'quotations', 'financial_journal', 'customers', 'products', 'stock', 'articles', 'prices', 'debtors', 'discounts', 'order_status'));

-- The flows towards the till (AFAS articles → MplusKASSA articles, AFAS debtors → MplusKASSA relations, AFAS
-- order states → MplusKASSA deliveries;
-- docs/flows.md): `flows.flow` may now be 'articles', 'debtors' or 'order_status'; and the id map is read by
-- target id (the order_status flow finds the till's order of an AFAS order through the orders flow's map).
ALTER TABLE flows DROP CONSTRAINT flows_flow_check;
ALTER TABLE flows ADD CONSTRAINT flows_flow_check
    CHECK (flow IN ('orders', 'receipts', 'financial_journal', 'customers', 'products', 'stock', 'articles', 'debtors', 'order_status'));
CREATE INDEX id_map_by_target ON id_map(tenant_id, flow, target_id);

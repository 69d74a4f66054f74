-- Delivery addresses are master data too: before a run adds a delivery address (an AFAS contact of kind AFL) to a
-- debtor it claims the key (the debtor and the structured address), so two sales to one address add it once.
ALTER TABLE master_data_claims DROP CONSTRAINT master_data_claims_kind_check;
ALTER TABLE master_data_claims ADD CONSTRAINT master_data_claims_kind_check
    CHECK (kind IN ('debtor', 'article', 'delivery_address'));

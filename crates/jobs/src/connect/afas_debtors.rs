//! AFAS's debtors for the till (the debtors flow's source): `Profit_Debtor` changed since the cursor
//! ([`super::afas_changes`]), its address lines split into what a MplusKASSA relation holds.

use koppel_afas::rows::{Debtor, GetConnectorRow};
use koppel_afas::{AfasClient, AfasError, Filter};
use koppel_sync::catalogue::modified_since;
use koppel_sync::clientele::{ErpDebtor, postcode_and_city};
use koppel_sync::country::iso2;

use super::afas_changes;

/// The debtors changed at or after `from`, oldest first, at least `limit` when there are, whole seconds.
pub async fn debtors_since(client: &AfasClient, from: i64, limit: usize) -> Result<Vec<ErpDebtor>, AfasError> {
    let rows: Vec<Debtor> =
        afas_changes::changed_since(client, Debtor::CONNECTOR, &Filter::default(), from, limit).await?;
    Ok(rows.into_iter().map(|row| debtor(row, from)).collect())
}

/// One debtor by id.
pub async fn debtor_by_id(client: &AfasClient, debtor_id: &str) -> Result<Option<ErpDebtor>, AfasError> {
    let row: Option<Debtor> = afas_changes::one(client, Debtor::CONNECTOR, &Filter::default(), debtor_id).await?;
    Ok(row.map(|row| debtor(row, 0)))
}

fn debtor(row: Debtor, from: i64) -> ErpDebtor {
    let (postcode, city) = row.address_line3.as_deref().map(postcode_and_city).unwrap_or_default();
    // `CountryId` is the ISO code; without it, the country's name on the fourth line.
    let country = row
        .country
        .clone()
        .or_else(|| row.address_line4.as_deref().map(iso2))
        .filter(|c| !c.trim().is_empty());
    ErpDebtor {
        name: row.name.unwrap_or_default(),
        email: row.email,
        phone: row.phone,
        street_line: row.address_line1,
        postcode,
        city,
        country,
        vat_number: row.vat_number,
        commerce_number: row.commerce_number,
        iban: row.iban,
        blocked: row.blocked.unwrap_or(false),
        modified: row.modified.unwrap_or_else(|| modified_since(from)),
        debtor_id: row.debtor_id,
    }
}

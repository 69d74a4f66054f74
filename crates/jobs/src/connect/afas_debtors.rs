//! AFAS's debtors for the till (the debtors flow's source): `Profit_Debtor` changed since the cursor
//! ([`super::afas_changes`]), its address lines split into what a MplusKASSA relation holds, and the days of
//! each page's payment conditions from `Profit_PaymentConditions` in one more call.

use koppel_afas::rows::{Debtor, GetConnectorRow};
use std::collections::HashMap;

use koppel_afas::{AfasClient, AfasError, Filter, GetQuery};
use koppel_sync::catalogue::modified_since;
use koppel_sync::clientele::{ErpDebtor, postcode_and_city};
use koppel_sync::country::iso2;
use serde::Deserialize;

use super::afas_changes;

/// The debtors changed at or after `from`, oldest first, at least `limit` when there are, whole seconds.
pub async fn debtors_since(client: &AfasClient, from: i64, limit: usize) -> Result<Vec<ErpDebtor>, AfasError> {
    let rows: Vec<Debtor> =
        afas_changes::changed_since(client, Debtor::CONNECTOR, &Filter::default(), from, limit).await?;
    with_payment_days(client, rows, from).await
}

/// `Profit_PaymentConditions`: a condition's days.
#[derive(Debug, Deserialize)]
struct PaymentCondition {
    #[serde(rename = "PaymentCondition")]
    code: String,
    #[serde(rename = "Days", default)]
    days: Option<i32>,
}

const CONDITIONS: &str = "Profit_PaymentConditions";
const CONDITION_KEY: &str = "PaymentCondition";

/// The rows as the engine's debtors, with the days of their payment conditions (one call for the page).
async fn with_payment_days(client: &AfasClient, rows: Vec<Debtor>, from: i64) -> Result<Vec<ErpDebtor>, AfasError> {
    let mut codes: Vec<&str> = rows.iter().filter_map(|row| row.payment_condition.as_deref()).collect();
    codes.sort_unstable();
    codes.dedup();
    let days: HashMap<String, i32> = if codes.is_empty() {
        HashMap::new()
    } else {
        let query = GetQuery::new(CONDITIONS, [CONDITION_KEY]).page_size(1_000);
        client
            .get_by_keys::<PaymentCondition, _>(&query, CONDITION_KEY, &codes)
            .await?
            .into_iter()
            .filter_map(|row| Some((row.code, row.days?)))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let payment_days = row.payment_condition.as_ref().and_then(|code| days.get(code).copied());
            ErpDebtor {
                payment_days,
                ..debtor(row, from)
            }
        })
        .collect())
}

/// One debtor by id.
pub async fn debtor_by_id(client: &AfasClient, debtor_id: &str) -> Result<Option<ErpDebtor>, AfasError> {
    let row: Option<Debtor> = afas_changes::one(client, Debtor::CONNECTOR, &Filter::default(), debtor_id).await?;
    Ok(with_payment_days(client, row.into_iter().collect(), 0)
        .await?
        .into_iter()
        .next())
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
        payment_days: None,
        price_list: row.price_list.filter(|l| !l.trim().is_empty()),
        line_discount: row.line_discount,
        blocked: row.blocked.unwrap_or(false),
        modified: row.modified.unwrap_or_else(|| modified_since(from)),
        debtor_id: row.debtor_id,
    }
}

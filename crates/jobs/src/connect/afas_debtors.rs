//! AFAS's debtors for the till (the debtors flow's source): `Profit_Debtor` changed since the cursor
//! ([`super::afas_changes`]), its address lines split into what a MplusKASSA relation holds, with three more
//! look-ups per page, asked together: the days of the payment conditions (`Profit_PaymentConditions`), the
//! organisations' contact persons (`Profit_Contacts`, by `BcCo`) and the delivery addresses
//! (`Profit_Deliveryaddress`, by debtor).

use koppel_afas::rows::{ContactRow, Debtor, DeliveryAddressRow, GetConnectorRow};
use std::collections::HashMap;

use koppel_afas::{AfasClient, AfasError, Filter, GetQuery};
use koppel_sync::catalogue::modified_since;
use koppel_sync::clientele::{ErpDebtor, ErpDeliveryAddress, postcode_and_city};
use koppel_sync::country::iso2;
use serde::Deserialize;

use super::afas_changes;

/// The debtors changed at or after `from`, oldest first, at least `limit` when there are, whole seconds.
pub async fn debtors_since(client: &AfasClient, from: i64, limit: usize) -> Result<Vec<ErpDebtor>, AfasError> {
    let rows: Vec<Debtor> =
        afas_changes::changed_since(client, Debtor::CONNECTOR, &Filter::default(), from, limit).await?;
    completed(client, rows, from).await
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

/// The rows as the engine's debtors, with their payment conditions' days, contact persons and delivery
/// addresses (three look-ups for the page, asked together).
async fn completed(client: &AfasClient, rows: Vec<Debtor>, from: i64) -> Result<Vec<ErpDebtor>, AfasError> {
    let (days, contacts, deliveries) = futures::try_join!(
        payment_days(client, &rows),
        contacts(client, &rows),
        deliveries(client, &rows)
    )?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let payment_days = row.payment_condition.as_ref().and_then(|code| days.get(code).copied());
            let code = row.organisation_or_person_code.as_deref().map(str::trim);
            let contact = code.and_then(|code| contacts.get(code).cloned());
            let delivery = deliveries.get(row.debtor_id.trim()).cloned();
            ErpDebtor {
                payment_days,
                contact,
                delivery,
                ..debtor(row, from)
            }
        })
        .collect())
}

/// Each payment condition's days.
async fn payment_days(client: &AfasClient, rows: &[Debtor]) -> Result<HashMap<String, i32>, AfasError> {
    let codes = distinct(rows.iter().filter_map(|row| row.payment_condition.as_deref()));
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let query = GetQuery::new(CONDITIONS, [CONDITION_KEY]).page_size(PAGE);
    Ok(client
        .get_by_keys::<PaymentCondition, _>(&query, CONDITION_KEY, &codes)
        .await?
        .into_iter()
        .filter_map(|row| Some((row.code, row.days?)))
        .collect())
}

/// Each organisation's first contact person with a name (in contact order), by organisation code.
async fn contacts(client: &AfasClient, rows: &[Debtor]) -> Result<HashMap<String, String>, AfasError> {
    let codes = distinct(rows.iter().filter_map(|row| row.organisation_or_person_code.as_deref()));
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let query = ContactRow::query().page_size(PAGE);
    let mut first = HashMap::new();
    for row in client
        .get_by_keys::<ContactRow, _>(&query, "OrganisationCode", &codes)
        .await?
    {
        if let (Some(code), Some(name)) = (row.organisation_code, row.name.filter(|n| !n.trim().is_empty())) {
            first
                .entry(code.trim().to_owned())
                .or_insert_with(|| name.trim().to_owned());
        }
    }
    Ok(first)
}

/// Each debtor's first delivery address (in contact order), by debtor id.
async fn deliveries(client: &AfasClient, rows: &[Debtor]) -> Result<HashMap<String, ErpDeliveryAddress>, AfasError> {
    let ids = distinct(rows.iter().map(|row| row.debtor_id.as_str()));
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = DeliveryAddressRow::query().page_size(PAGE);
    let mut first = HashMap::new();
    for row in client
        .get_by_keys::<DeliveryAddressRow, _>(&query, "DebiteurID", &ids)
        .await?
    {
        let Some(debtor) = row.debtor_id.clone() else {
            continue;
        };
        first
            .entry(debtor.trim().to_owned())
            .or_insert_with(|| delivery_address(row));
    }
    Ok(first)
}

fn delivery_address(row: DeliveryAddressRow) -> ErpDeliveryAddress {
    let street_line = [
        row.street,
        row.house_number.map(|n| n.to_string()),
        row.house_number_addition,
    ]
    .into_iter()
    .flatten()
    .map(|part| part.trim().to_owned())
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    ErpDeliveryAddress {
        street_line: Some(street_line).filter(|s| !s.is_empty()),
        postcode: row.postcode,
        city: row.city,
        country: row.country.map(|c| iso2(&c)),
    }
}

/// Rows per look-up page.
const PAGE: u32 = 1_000;

/// The values once each, trimmed, without empty ones.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut values: Vec<&str> = values.map(str::trim).filter(|v| !v.is_empty()).collect();
    values.sort_unstable();
    values.dedup();
    values
}

/// One debtor by id.
pub async fn debtor_by_id(client: &AfasClient, debtor_id: &str) -> Result<Option<ErpDebtor>, AfasError> {
    let row: Option<Debtor> = afas_changes::one(client, Debtor::CONNECTOR, &Filter::default(), debtor_id).await?;
    Ok(completed(client, row.into_iter().collect(), 0)
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
        contact: None,
        delivery: None,
        blocked: row.blocked.unwrap_or(false),
        modified: row.modified.unwrap_or_else(|| modified_since(from)),
        debtor_id: row.debtor_id,
    }
}

//! The other direction's customers: what AFAS holds of a debtor ([`ErpDebtor`], read by the debtors flow), what
//! the till holds of a relation ([`TillRelation`]), and what the flow sends to it ([`TillRelationDraft`]).
//!
//! The till's relation numbers are its own (MplusKASSA numbers relations as they are made, and the customers
//! flow matches the other way by e-mail), so a debtor is linked to its relation by the id map, by the
//! relation's `extRelationId` (the debtor id, which the flow sets), and else by e-mail address.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::country::iso2;

/// A debtor as AFAS has it (`Profit_Debtor`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpDebtor {
    /// `DebtorId`.
    pub debtor_id: String,
    /// `DebtorName`: the organisation's name, or the person's.
    pub name: String,
    /// `Email`.
    pub email: Option<String>,
    /// `TelNr`.
    pub phone: Option<String>,
    /// `AdressLine1`: street, number and addition as one line.
    pub street_line: Option<String>,
    /// From `AdressLine3` ("1234 AB  Amsterdam": postcode and city).
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// ISO code (`CountryId`, else from the country's name in `AdressLine4`).
    pub country: Option<String>,
    /// `VatNr`.
    pub vat_number: Option<String>,
    /// `ChOfCommNr`: the chamber of commerce number.
    pub commerce_number: Option<String>,
    /// `IBAN`.
    pub iban: Option<String>,
    /// The days of its payment condition (`PayCon`, looked up in `Profit_PaymentConditions`).
    pub payment_days: Option<i32>,
    /// Its customer group: the preferred price list (`PrLs`; a field the tenant adds to `Profit_Debtor`).
    pub price_list: Option<String>,
    /// Its line discount % (`PrLi`; added like `price_list`).
    pub line_discount: Option<Decimal>,
    /// An organisation's first contact person (`Profit_Contacts`), by name.
    #[serde(default)]
    pub contact: Option<String>,
    /// Its first delivery address (`Profit_Deliveryaddress`, a contact of kind `AFL`).
    #[serde(default)]
    pub delivery: Option<ErpDeliveryAddress>,
    /// `Blocked`.
    pub blocked: bool,
    /// `ModifiedDate`, in Profit's local time.
    pub modified: NaiveDateTime,
}

/// A debtor's delivery address, in the parts a MplusKASSA relation holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpDeliveryAddress {
    /// Street, number and addition as one line.
    pub street_line: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// ISO code.
    pub country: Option<String>,
}

impl ErpDebtor {
    /// The debtor's place in the debtors flow's cursor: its modification time in whole seconds.
    pub fn sync_marker(&self) -> i64 {
        self.modified.and_utc().timestamp()
    }
}

/// Splits AFAS's postcode-and-city line: Profit separates them with two spaces ("1234 AB  Amsterdam"); a line
/// with one is read as a Dutch postcode (four digits and two letters) or a number, then the city.
pub fn postcode_and_city(line: &str) -> (Option<String>, Option<String>) {
    let line = line.trim();
    let non_empty = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    if let Some((postcode, city)) = line.split_once("  ") {
        return (non_empty(postcode), non_empty(city));
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let dutch = words.len() >= 3
        && words[0].len() == 4
        && words[0].chars().all(|c| c.is_ascii_digit())
        && words[1].len() == 2
        && words[1].chars().all(|c| c.is_ascii_alphabetic());
    let numeric = words.len() >= 2 && words[0].chars().all(|c| c.is_ascii_digit());
    match (dutch, numeric) {
        (true, _) => (non_empty(&words[..2].join(" ")), non_empty(&words[2..].join(" "))),
        (false, true) => (non_empty(words[0]), non_empty(&words[1..].join(" "))),
        _ => (None, non_empty(line)),
    }
}

/// A relation as the till has it (MplusKASSA `Relation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillRelation {
    pub relation_number: i64,
    pub ext_relation_id: Option<String>,
    pub name: String,
    pub address: Option<String>,
    pub zipcode: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    /// `deliveryAddress`, `deliveryZipcode`, `deliveryCity`, `deliveryCountry`.
    #[serde(default)]
    pub delivery: TillDeliveryAddress,
    /// `contact`: the contact person.
    #[serde(default)]
    pub contact: Option<String>,
    pub telephone: Option<String>,
    pub email: Option<String>,
    pub vat_number: Option<String>,
    pub commerce_number: Option<String>,
    pub bank_account_number: Option<String>,
    pub payment_within_days: Option<i32>,
    /// `priceGroupNumber`: the price group it buys at.
    pub price_group: Option<i32>,
    pub active: bool,
}

/// A relation's one delivery address (MplusKASSA keeps one per relation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TillDeliveryAddress {
    pub address: Option<String>,
    pub zipcode: Option<String>,
    pub city: Option<String>,
    /// ISO code.
    pub country: Option<String>,
}

/// A relation to create or update in MplusKASSA. A field AFAS leaves empty is not sent (the till keeps what
/// it has): an update never blanks what someone typed at the till.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillRelationDraft {
    /// `extRelationId`: the AFAS debtor id.
    pub ext_relation_id: String,
    pub name: String,
    pub address: Option<String>,
    pub zipcode: Option<String>,
    pub city: Option<String>,
    /// ISO code.
    pub country: Option<String>,
    /// The debtor's delivery address (fields left `None` keep the till's).
    #[serde(default)]
    pub delivery: TillDeliveryAddress,
    /// `contact`: an organisation's contact person.
    #[serde(default)]
    pub contact: Option<String>,
    pub telephone: Option<String>,
    pub email: Option<String>,
    pub vat_number: Option<String>,
    pub commerce_number: Option<String>,
    pub bank_account_number: Option<String>,
    /// `paymentWithinDays`: the days of the debtor's payment condition.
    pub payment_within_days: Option<i32>,
    /// `priceGroupNumber`: the MplusKASSA price group of the debtor's price list (`price_list_map`); `None`
    /// leaves the till's.
    pub price_group: Option<i32>,
    /// false for a debtor blocked in AFAS.
    pub active: bool,
}

impl TillRelationDraft {
    /// The relation the till holds once the draft is created under `number`.
    pub fn created(&self, number: i64) -> TillRelation {
        TillRelation {
            relation_number: number,
            ext_relation_id: Some(self.ext_relation_id.clone()),
            name: self.name.clone(),
            address: self.address.clone(),
            zipcode: self.zipcode.clone(),
            city: self.city.clone(),
            country: self.country.clone(),
            delivery: self.delivery.clone(),
            contact: self.contact.clone(),
            telephone: self.telephone.clone(),
            email: self.email.clone(),
            vat_number: self.vat_number.clone(),
            commerce_number: self.commerce_number.clone(),
            bank_account_number: self.bank_account_number.clone(),
            payment_within_days: self.payment_within_days,
            price_group: self.price_group,
            active: self.active,
        }
    }

    /// What of the draft the till does not have yet, in words (empty: nothing to write); compared with what
    /// the till holds now, as the articles flow does, so both directions can be on without writing back and
    /// forth. Texts compare trimmed and case-insensitively, countries by their ISO code.
    pub fn differences(&self, till: &TillRelation) -> Vec<&'static str> {
        let same = |ours: &Option<String>, theirs: &Option<String>| {
            ours.as_deref().is_none_or(|ours| {
                theirs
                    .as_deref()
                    .is_some_and(|theirs| ours.trim().eq_ignore_ascii_case(theirs.trim()))
            })
        };
        let country = |value: &Option<String>| value.as_deref().map(iso2);
        [
            (
                Some(self.ext_relation_id.clone()) != till.ext_relation_id,
                "link to the AFAS debtor",
            ),
            (!same(&Some(self.name.clone()), &Some(till.name.clone())), "name"),
            (!same(&self.address, &till.address), "address"),
            (!same(&self.zipcode, &till.zipcode), "postcode"),
            (!same(&self.city, &till.city), "city"),
            (
                self.country.is_some() && country(&self.country) != country(&till.country),
                "country",
            ),
            (
                !same(&self.delivery.address, &till.delivery.address),
                "delivery address",
            ),
            (
                !same(&self.delivery.zipcode, &till.delivery.zipcode),
                "delivery postcode",
            ),
            (!same(&self.delivery.city, &till.delivery.city), "delivery city"),
            (
                self.delivery.country.is_some() && country(&self.delivery.country) != country(&till.delivery.country),
                "delivery country",
            ),
            (!same(&self.contact, &till.contact), "contact person"),
            (!same(&self.telephone, &till.telephone), "phone"),
            (!same(&self.email, &till.email), "e-mail"),
            (!same(&self.vat_number, &till.vat_number), "VAT number"),
            (
                !same(&self.commerce_number, &till.commerce_number),
                "chamber of commerce number",
            ),
            (
                !same(&self.bank_account_number, &till.bank_account_number),
                "bank account",
            ),
            (
                self.payment_within_days.is_some() && self.payment_within_days != till.payment_within_days,
                "payment days",
            ),
            (
                self.price_group.is_some() && self.price_group != till.price_group,
                "price group",
            ),
            (self.active != till.active, "active"),
        ]
        .into_iter()
        .filter_map(|(differs, field)| differs.then_some(field))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn afas_postcode_lines_split_into_postcode_and_city() {
        let split = |line| postcode_and_city(line);
        assert_eq!(
            split("1234 AB  Amsterdam"),
            (Some("1234 AB".into()), Some("Amsterdam".into()))
        );
        assert_eq!(
            split("2000  Antwerpen"),
            (Some("2000".into()), Some("Antwerpen".into()))
        );
        assert_eq!(
            split("1234 AB Den Haag"),
            (Some("1234 AB".into()), Some("Den Haag".into()))
        );
        assert_eq!(split("10115 Berlin"), (Some("10115".into()), Some("Berlin".into())));
        assert_eq!(split("Amsterdam"), (None, Some("Amsterdam".into())));
        assert_eq!(split(""), (None, None));
    }
}

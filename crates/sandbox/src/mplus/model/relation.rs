//! Relations (customers), with contact persons nested in companies.

use chrono::{NaiveDate, NaiveDateTime};

use super::{date_xml, datetime_xml, parse_date};
use crate::mplus::xml::Element;

/// A customer (or a contact person nested in a company).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Relation {
    pub number: i64,
    pub ext_id: Option<String>,
    pub sync_marker: i64,
    pub active: bool,
    pub name: String,
    pub company_name: Option<String>,
    pub contact: Option<String>,
    /// Street and house number in one line, as Mplus stores it.
    pub address: Option<String>,
    pub zipcode: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub delivery_address: Option<String>,
    pub delivery_zipcode: Option<String>,
    pub delivery_city: Option<String>,
    pub delivery_country: Option<String>,
    pub telephone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub relation_code: Option<String>,
    pub vat_number: Option<String>,
    pub commerce_number: Option<String>,
    pub bank_account_number: Option<String>,
    pub payment_within_days: Option<i32>,
    pub contacts: Vec<Relation>,
    pub created_at: Option<NaiveDateTime>,
    pub changed_at: Option<NaiveDateTime>,
}

/// The text fields of a relation, by wire name, for reading requests and for `findRelation`.
pub const RELATION_TEXT_FIELDS: &[&str] = &[
    "extRelationId",
    "name",
    "address",
    "zipcode",
    "city",
    "country",
    "deliveryAddress",
    "deliveryZipcode",
    "deliveryCity",
    "deliveryCountry",
    "contact",
    "telephone",
    "mobile",
    "email",
    "website",
    "relationCode",
    "vatNumber",
    "commerceNumber",
    "bankAccountNumber",
    "companyName",
];

impl Relation {
    /// The relation's value of one of [`RELATION_TEXT_FIELDS`].
    pub fn text_field(&self, wire_name: &str) -> Option<&str> {
        match wire_name {
            "extRelationId" => self.ext_id.as_deref(),
            "name" => Some(self.name.as_str()),
            "address" => self.address.as_deref(),
            "zipcode" => self.zipcode.as_deref(),
            "city" => self.city.as_deref(),
            "country" => self.country.as_deref(),
            "deliveryAddress" => self.delivery_address.as_deref(),
            "deliveryZipcode" => self.delivery_zipcode.as_deref(),
            "deliveryCity" => self.delivery_city.as_deref(),
            "deliveryCountry" => self.delivery_country.as_deref(),
            "contact" => self.contact.as_deref(),
            "telephone" => self.telephone.as_deref(),
            "mobile" => self.mobile.as_deref(),
            "email" => self.email.as_deref(),
            "website" => self.website.as_deref(),
            "relationCode" => self.relation_code.as_deref(),
            "vatNumber" => self.vat_number.as_deref(),
            "commerceNumber" => self.commerce_number.as_deref(),
            "bankAccountNumber" => self.bank_account_number.as_deref(),
            "companyName" => self.company_name.as_deref(),
            _ => None,
        }
    }

    /// Sets one of [`RELATION_TEXT_FIELDS`]; an empty value clears it.
    pub fn set_text_field(&mut self, wire_name: &str, value: &str) {
        let value = (!value.is_empty()).then(|| value.to_owned());
        let slot = match wire_name {
            "name" => {
                self.name = value.unwrap_or_default();
                return;
            }
            "extRelationId" => &mut self.ext_id,
            "address" => &mut self.address,
            "zipcode" => &mut self.zipcode,
            "city" => &mut self.city,
            "country" => &mut self.country,
            "deliveryAddress" => &mut self.delivery_address,
            "deliveryZipcode" => &mut self.delivery_zipcode,
            "deliveryCity" => &mut self.delivery_city,
            "deliveryCountry" => &mut self.delivery_country,
            "contact" => &mut self.contact,
            "telephone" => &mut self.telephone,
            "mobile" => &mut self.mobile,
            "email" => &mut self.email,
            "website" => &mut self.website,
            "relationCode" => &mut self.relation_code,
            "vatNumber" => &mut self.vat_number,
            "commerceNumber" => &mut self.commerce_number,
            "bankAccountNumber" => &mut self.bank_account_number,
            "companyName" => &mut self.company_name,
            _ => return,
        };
        *slot = value;
    }

    /// Applies the fields present in a request's `relation` element (absent fields stay as they are).
    pub fn apply(&mut self, element: &Element) {
        for field in RELATION_TEXT_FIELDS {
            if let Some(child) = element.child(field) {
                self.set_text_field(field, &child.text);
            }
        }
        if let Some(active) = element.text_of("active") {
            self.active = matches!(active, "true" | "1");
        }
        if let Some(date) = element.child("birthDate").and_then(parse_date) {
            self.birth_date = Some(date);
        }
        if let Some(days) = element.text_of("paymentWithinDays").and_then(|d| d.parse().ok()) {
            self.payment_within_days = Some(days);
        }
        if let Some(contacts) = element.child("contactList") {
            self.contacts = contacts
                .children_named("relation")
                .map(|contact| {
                    let mut person = Relation {
                        active: true,
                        ..Relation::default()
                    };
                    person.apply(contact);
                    person
                })
                .collect();
        }
    }

    pub fn to_xml(&self, element_name: &str) -> Element {
        let mut element = Element::new(element_name)
            .with_opt("relationNumber", (self.number != 0).then_some(self.number))
            .with_opt("syncMarker", (self.sync_marker != 0).then_some(self.sync_marker))
            .with_opt_child(self.created_at.map(|at| datetime_xml("createTimestamp", at)))
            .with_opt_child(self.changed_at.map(|at| datetime_xml("changeTimestamp", at)))
            .with_leaf("active", self.active);
        for field in RELATION_TEXT_FIELDS {
            if let Some(value) = self.text_field(field) {
                element.push(Element::leaf(field, value));
            }
        }
        element
            .with_opt_child(self.birth_date.map(|date| date_xml("birthDate", date)))
            .with_opt("paymentWithinDays", self.payment_within_days)
            .with_opt_child(
                (!self.contacts.is_empty())
                    .then(|| Element::new("contactList").with_all(self.contacts.iter().map(|c| c.to_xml("relation")))),
            )
    }
}

//! Relations (customers), with contact persons nested in companies, and their price terms.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

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
    /// One of the shop's price groups.
    pub price_group_number: Option<i32>,
    /// 0–100.
    pub discount_percentage: Option<i32>,
    /// In the order they were given.
    pub article_discounts: Vec<ArticleDiscount>,
    pub contacts: Vec<Relation>,
    pub created_at: Option<NaiveDateTime>,
    pub changed_at: Option<NaiveDateTime>,
}

/// One `relationArticleDiscount`: from a minimum amount of items of an article or article discount group on, a
/// discount percentage or a price of the relation's own.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDiscount {
    /// `relationArticleDiscountId`; 0 until the relation is saved (a refused request uses up no id).
    pub id: i64,
    pub target: DiscountTarget,
    /// `minimumAmount` scaled by `minimumAmountDecimalPlaces`, as given (0 and 0 when absent).
    pub minimum_amount: i64,
    pub minimum_amount_decimal_places: u32,
    pub terms: DiscountTerms,
}

/// What an [`ArticleDiscount`] is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DiscountTarget {
    Article(i64),
    /// A discount group has no VAT percentage, so it takes a percentage, never a price.
    Group(i32),
}

impl fmt::Display for DiscountTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Article(number) => write!(f, "Article {number}"),
            Self::Group(number) => write!(f, "Article discount group {number}"),
        }
    }
}

/// An [`ArticleDiscount`]'s discount: a percentage off, or a price (both incl. and excl. VAT, in cents).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DiscountTerms {
    Percentage(i32),
    Price { incl: i64, excl: i64 },
}

impl ArticleDiscount {
    /// The minimum amount as a number, so `10` and `10.0` are the same break.
    pub fn minimum(&self) -> Decimal {
        Decimal::new(self.minimum_amount, self.minimum_amount_decimal_places)
    }

    fn to_xml(&self, relation_number: i64) -> Element {
        let (article, group) = match self.target {
            DiscountTarget::Article(number) => (Some(number), None),
            DiscountTarget::Group(number) => (None, Some(number)),
        };
        let (percentage, price) = match self.terms {
            DiscountTerms::Percentage(percentage) => (Some(percentage), None),
            DiscountTerms::Price { incl, excl } => (None, Some((incl, excl))),
        };
        Element::new("relationArticleDiscount")
            .with_leaf("relationArticleDiscountId", self.id)
            .with_leaf("relationNumber", relation_number)
            .with_opt("articleNumber", article)
            .with_opt("articleDiscountGroupNumber", group)
            .with_leaf("minimumAmount", self.minimum_amount)
            .with_leaf("minimumAmountDecimalPlaces", self.minimum_amount_decimal_places)
            .with_opt("discountPercentage", percentage)
            .with_opt("priceIncl", price.map(|(incl, _)| incl))
            .with_opt("priceExcl", price.map(|(_, excl)| excl))
    }
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

    /// The relation in the WSDL's sequence order (the schema would reorder it, but the order is ours to get
    /// right); the article discount list is always there, empty when there are none.
    pub fn to_xml(&self, element_name: &str) -> Element {
        let text = |name: &str| self.text_field(name).map(|value| Element::leaf(name, value));
        let texts = |names: &[&str]| names.iter().filter_map(|name| text(name)).collect::<Vec<_>>();
        Element::new(element_name)
            .with_opt("relationNumber", (self.number != 0).then_some(self.number))
            .with_opt_child(text("extRelationId"))
            .with_opt("syncMarker", (self.sync_marker != 0).then_some(self.sync_marker))
            .with_opt_child(self.created_at.map(|at| datetime_xml("createTimestamp", at)))
            .with_opt_child(self.changed_at.map(|at| datetime_xml("changeTimestamp", at)))
            .with_leaf("active", self.active)
            // name … website: the text fields that stand together in the WSDL's sequence.
            .with_all(texts(&RELATION_TEXT_FIELDS[1..15]))
            .with_opt_child(self.birth_date.map(|date| date_xml("birthDate", date)))
            .with_opt_child(text("relationCode"))
            .with_opt("priceGroupNumber", self.price_group_number)
            .with_opt("discountPercentage", self.discount_percentage)
            .with_opt_child(text("bankAccountNumber"))
            .with_opt("paymentWithinDays", self.payment_within_days)
            .with_all(texts(&["vatNumber", "commerceNumber"]))
            .with_opt_child(
                (!self.contacts.is_empty())
                    .then(|| Element::new("contactList").with_all(self.contacts.iter().map(|c| c.to_xml("relation")))),
            )
            .with(
                Element::new("relationArticleDiscountList")
                    .with_all(self.article_discounts.iter().map(|d| d.to_xml(self.number))),
            )
            .with_opt_child(text("companyName"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mplus::schema::SCHEMA;

    #[test]
    fn a_relation_is_written_in_the_wsdl_sequence() {
        let mut relation = Relation {
            number: 1001,
            sync_marker: 7,
            active: true,
            birth_date: NaiveDate::from_ymd_opt(1980, 3, 2),
            payment_within_days: Some(30),
            price_group_number: Some(2),
            discount_percentage: Some(5),
            article_discounts: vec![ArticleDiscount {
                id: 1,
                target: DiscountTarget::Article(100001),
                minimum_amount: 10,
                minimum_amount_decimal_places: 0,
                terms: DiscountTerms::Price { incl: 1995, excl: 1649 },
            }],
            contacts: vec![Relation::default()],
            created_at: NaiveDate::from_ymd_opt(2026, 1, 2).and_then(|d| d.and_hms_opt(3, 4, 5)),
            ..Relation::default()
        };
        relation.changed_at = relation.created_at;
        for field in RELATION_TEXT_FIELDS {
            relation.set_text_field(field, field);
        }
        let written = relation.to_xml("relation");
        let mut ordered = written.clone();
        SCHEMA.order(&mut ordered, "Relation").unwrap();
        let names = |element: &Element| element.children.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&written), names(&ordered));
        assert_eq!(written, ordered);
        assert_eq!(
            names(&written).len(),
            RELATION_TEXT_FIELDS.len() + 11,
            "every field is written: {:?}",
            names(&written)
        );
    }
}

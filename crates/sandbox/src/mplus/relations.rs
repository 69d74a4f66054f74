//! Relations (customers): `getRelations`, `getRelation`, `findRelation`, `createRelation`, `updateRelation`,
//! with the relation's price terms (price group, discount percentage, article discounts).

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::model::{ArticleDiscount, DiscountTarget, DiscountTerms, Relation, datetime_xml};
use super::products::{Catalogue, prices_of};
use super::seed::Shop;
use super::soap::SoapFault;
use super::state::{Store, now};
use super::sync::{Page, next};
use super::xml::Element;

/// Relations by number, indexed by sync marker.
#[derive(Debug)]
pub struct RelationBook {
    by_number: HashMap<i64, Relation>,
    by_marker: BTreeMap<i64, i64>,
    next_number: i64,
    /// The next `relationArticleDiscountId`: numbered per shop, never reused.
    next_discount_id: i64,
}

impl RelationBook {
    pub fn new(shop: &Shop) -> Self {
        Self {
            by_number: shop.relations.iter().map(|r| (r.number, r.clone())).collect(),
            by_marker: shop.relations.iter().map(|r| (r.sync_marker, r.number)).collect(),
            next_number: shop.relations.iter().map(|r| r.number).max().unwrap_or(1_000) + 1,
            next_discount_id: shop
                .relations
                .iter()
                .flat_map(|r| &r.article_discounts)
                .map(|d| d.id)
                .max()
                .unwrap_or(0)
                + 1,
        }
    }

    /// How many relations there are.
    pub fn count(&self) -> usize {
        self.by_number.len()
    }

    pub fn high_marker(&self) -> i64 {
        self.by_marker.keys().next_back().copied().unwrap_or(0)
    }

    pub fn get(&self, number: i64) -> Option<&Relation> {
        self.by_number.get(&number)
    }

    /// Stores a new or changed relation under a fresh sync marker, numbering its new article discounts.
    pub fn save(&mut self, mut relation: Relation, counter: &mut i64) -> &Relation {
        if let Some(old) = self.by_number.get(&relation.number) {
            self.by_marker.remove(&old.sync_marker);
        }
        for discount in relation.article_discounts.iter_mut().filter(|d| d.id == 0) {
            discount.id = self.next_discount_id;
            self.next_discount_id += 1;
        }
        relation.sync_marker = next(counter);
        relation.changed_at = Some(now());
        self.by_marker.insert(relation.sync_marker, relation.number);
        self.next_number = self.next_number.max(relation.number + 1);
        let number = relation.number;
        self.by_number.insert(number, relation);
        &self.by_number[&number]
    }

    /// The first relation (by number) whose fields contain every given search term, case-insensitively.
    fn find(&self, terms: &[(&str, String)]) -> Option<&Relation> {
        let mut numbers: Vec<&i64> = self.by_number.keys().collect();
        numbers.sort();
        numbers.into_iter().map(|n| &self.by_number[n]).find(|relation| {
            terms.iter().all(|(field, term)| {
                relation
                    .text_field(field)
                    .is_some_and(|value| value.to_lowercase().contains(term))
            })
        })
    }
}

pub fn get_relations(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation.child("request");
    let page = Page::from_marker(request);
    let numbers = request.map(|r| r.numbers_of("relationNumbers")).unwrap_or_default();
    let book = &store.relations;
    let selected: Vec<&Relation> = if numbers.is_empty() {
        page.select(&book.by_marker, |_| true)
            .into_iter()
            .map(|n| &book.by_number[n])
            .collect()
    } else {
        let mut found: Vec<&Relation> = numbers.iter().filter_map(|n| book.get(*n)).collect();
        found.retain(|r| r.sync_marker >= page.from);
        found.sort_by_key(|r| r.sync_marker);
        found.truncate(page.limit);
        found
    };
    Ok(Element::new("GetRelationsResponse")
        .with(Element::new("relationList").with_all(selected.iter().map(|r| r.to_xml("relation")))))
}

pub fn get_relation(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let number = operation
        .number_of("relationNumber")
        .ok_or_else(|| SoapFault::missing("relationNumber"))?;
    let response = Element::new("GetRelationResponse");
    Ok(match store.relations.get(number) {
        Some(relation) => response
            .with_leaf("result", "GET-RELATION-RESULT-OK")
            .with(relation.to_xml("relation")),
        // The schema requires a relation element even when there is none.
        None => response
            .with_leaf("result", "GET-RELATION-RESULT-NOT-FOUND")
            .with(Element::new("relation")),
    })
}

pub fn find_relation(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let query = operation
        .child("relation")
        .ok_or_else(|| SoapFault::missing("relation"))?;
    let terms: Vec<(&str, String)> = super::model::RELATION_TEXT_FIELDS
        .iter()
        .filter_map(|field| {
            let term = query.text_of(field)?.to_lowercase();
            (!term.is_empty()).then_some((*field, term))
        })
        .collect();
    let found = if terms.is_empty() {
        None
    } else {
        store.relations.find(&terms)
    };
    let response = Element::new("FindRelationResponse");
    Ok(match found {
        Some(relation) => response
            .with_leaf("result", "FIND-RELATION-RESULT-OK")
            .with(relation.to_xml("relation")),
        None => response.with_leaf("result", "FIND-RELATION-RESULT-NOT-FOUND"),
    })
}

fn create_failed(result: &str, number: i64, message: String) -> Element {
    Element::new("CreateRelationResponse")
        .with_leaf("result", result)
        .with_leaf("relationNumber", number)
        .with_leaf("errorMessage", message)
}

/// A relation needs a name (or a company name), and an e-mail address must look like one.
fn validate(relation: &Relation) -> Result<(), String> {
    if relation.name.trim().is_empty() && relation.company_name.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err("A relation needs a name or a companyName".to_owned());
    }
    if let Some(email) = &relation.email
        && !email.contains('@')
    {
        return Err(format!("'{email}' is not a valid e-mail address"));
    }
    Ok(())
}

/// Reads the relation's price terms from a request's `relation` element; absent ones stay as they are. A
/// `relationArticleDiscountList` replaces all its article discounts (an empty one removes them): our reading, the
/// WSDL does not say. Only the relation itself has terms; those of a contact person are not read.
fn apply_terms(relation: &mut Relation, element: &Element, store: &Store) -> Result<(), String> {
    if let Some(number) = element.int_of("priceGroupNumber")? {
        relation.price_group_number = Some(store.shop.price_group(number)?);
    }
    if let Some(percentage) = element.int_of("discountPercentage")? {
        relation.discount_percentage = Some(percentage_of("The relation", percentage)?);
    }
    if let Some(list) = element.child("relationArticleDiscountList") {
        relation.article_discounts = article_discounts(list, &store.catalogue, &store.shop)?;
    }
    Ok(())
}

/// A discount percentage, which is 0–100.
fn percentage_of(whose: impl std::fmt::Display, percentage: i32) -> Result<i32, String> {
    if (0..=100).contains(&percentage) {
        Ok(percentage)
    } else {
        Err(format!(
            "{whose}: discountPercentage {percentage} is not between 0 and 100"
        ))
    }
}

/// The entries of a `relationArticleDiscountList`, unnumbered. Each is for exactly one of an article of the shop
/// or an article discount group of the shop, from a `minimumAmount` that is not negative, and has exactly one of a
/// `discountPercentage` and a price (an article's other price follows with its VAT, as for its own price; a
/// group has no VAT, so no price). Ids and relation numbers in the request are ignored: the simulator fills
/// them in. The same article or group with the same minimum amount twice is refused.
fn article_discounts(list: &Element, catalogue: &Catalogue, shop: &Shop) -> Result<Vec<ArticleDiscount>, String> {
    let mut discounts: Vec<ArticleDiscount> = Vec::new();
    for entry in list.children_named("relationArticleDiscount") {
        let (target, vat_percentage) = match (
            entry.number_of("articleNumber"),
            entry.int_of("articleDiscountGroupNumber")?,
        ) {
            (Some(number), None) => {
                let article = catalogue
                    .article(number)
                    .ok_or_else(|| format!("Article {number} does not exist"))?;
                (DiscountTarget::Article(number), Some(article.vat_percentage))
            }
            (None, Some(group)) => (DiscountTarget::Group(shop.article_discount_group(group)?.number), None),
            _ => {
                return Err(
                    "A relationArticleDiscount needs either an articleNumber or an articleDiscountGroupNumber"
                        .to_owned(),
                );
            }
        };
        let priced = entry.child("priceIncl").is_some() || entry.child("priceExcl").is_some();
        let price = match vat_percentage {
            Some(vat_percentage) => prices_of(entry, vat_percentage),
            None if priced => {
                return Err(format!(
                    "{target} has no VAT, so it takes a discountPercentage, not a price"
                ));
            }
            None => None,
        };
        let terms = match (entry.int_of("discountPercentage")?, price) {
            (Some(percentage), None) => DiscountTerms::Percentage(percentage_of(target, percentage)?),
            (None, Some((incl, excl))) => DiscountTerms::Price { incl, excl },
            (Some(_), Some(_)) => return Err(format!("{target}: give a discountPercentage or a price, not both")),
            (None, None) => return Err(format!("{target} needs a discountPercentage or a price")),
        };
        let places = entry.int_of("minimumAmountDecimalPlaces")?.unwrap_or(0);
        let discount = ArticleDiscount {
            id: 0,
            target,
            minimum_amount: entry.number_of("minimumAmount").unwrap_or(0),
            minimum_amount_decimal_places: u32::try_from(places)
                .ok()
                .filter(|&places| places <= Decimal::MAX_SCALE)
                .ok_or_else(|| format!("{target}: minimumAmountDecimalPlaces {places} is out of range"))?,
            terms,
        };
        let minimum = discount.minimum();
        if minimum < Decimal::ZERO {
            return Err(format!("{target}: minimumAmount {minimum} is negative"));
        }
        if discounts.iter().any(|d| d.target == target && d.minimum() == minimum) {
            return Err(format!("{target} with minimumAmount {minimum} is given twice"));
        }
        discounts.push(discount);
    }
    Ok(discounts)
}

pub fn create_relation(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("relation")
        .ok_or_else(|| SoapFault::missing("relation"))?;
    let requested_number = request.number_of("relationNumber").filter(|&n| n > 0);
    if let Some(number) = requested_number
        && store.relations.get(number).is_some()
    {
        return Ok(create_failed(
            "CREATE-RELATION-RESULT-FAILED-RELATION-NUMBER-ALREADY-TAKEN",
            number,
            format!("Relation number {number} is already taken"),
        ));
    }
    let mut relation = Relation {
        number: requested_number.unwrap_or(store.relations.next_number),
        active: true,
        created_at: Some(now()),
        ..Relation::default()
    };
    relation.apply(request);
    if let Err(message) = validate(&relation).and_then(|()| apply_terms(&mut relation, request, store)) {
        return Ok(create_failed("CREATE-RELATION-RESULT-FAILED", 0, message));
    }
    if relation.name.is_empty() {
        relation.name = relation.company_name.clone().unwrap_or_default();
    }
    let saved = store.relations.save(relation, &mut store.markers.relation);
    Ok(Element::new("CreateRelationResponse")
        .with_leaf("result", "CREATE-RELATION-RESULT-OK")
        .with_leaf("relationNumber", saved.number)
        .with_opt_child(saved.changed_at.map(|at| datetime_xml("changeTimestamp", at)))
        .with_leaf("syncMarker", saved.sync_marker)
        .with_leaf("errorMessage", ""))
}

pub fn update_relation(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("relation")
        .ok_or_else(|| SoapFault::missing("relation"))?;
    let failed = |result: &str, message: String| {
        Element::new("UpdateRelationResponse")
            .with_leaf("result", result)
            .with_leaf("errorMessage", message)
    };
    let Some(number) = request.number_of("relationNumber") else {
        return Ok(failed(
            "UPDATE-RELATION-RESULT-FAILED",
            "relationNumber is required".to_owned(),
        ));
    };
    let Some(existing) = store.relations.get(number) else {
        return Ok(failed(
            "UPDATE-RELATION-RESULT-NOT-FOUND",
            format!("Relation {number} not found"),
        ));
    };
    let mut relation = existing.clone();
    relation.apply(request);
    if let Err(message) = validate(&relation).and_then(|()| apply_terms(&mut relation, request, store)) {
        return Ok(failed("UPDATE-RELATION-RESULT-FAILED", message));
    }
    let saved = store.relations.save(relation, &mut store.markers.relation);
    Ok(Element::new("UpdateRelationResponse")
        .with_leaf("result", "UPDATE-RELATION-RESULT-OK")
        .with_leaf("errorMessage", "")
        .with_opt_child(saved.changed_at.map(|at| datetime_xml("changeTimestamp", at)))
        .with_leaf("syncMarker", saved.sync_marker))
}

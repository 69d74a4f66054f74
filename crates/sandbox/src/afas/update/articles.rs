//! `FbItemArticle` (articles: unique `ItCd`, existing group, unit and VAT rate group; the basic unit cannot
//! change; dimension kinds `StD1`/`StD2`, a second only with a first, fixed once the article has combinations) and `FbSalesPrice` (sales prices on a known price list or for a known debtor, a volume price with
//! its quantity, an end not before the start; a price without debtor or price list becomes the article's
//! price).

use rust_decimal::Decimal;
use serde_json::json;

use super::body::{Element, merge, without_empty};
use super::{Method, Write, check_code};
use crate::afas::error::AfasError;
use crate::afas::fields::{date, decimal, flag, text};
use crate::afas::store::{Article, Fields, SalesPrice, Store, Transaction, next_number};

pub fn write_article(tx: &mut Transaction, element: Element, write: Write) -> Result<Fields, AfasError> {
    let code = match write.method {
        Method::Post => insert_article(tx, element)?,
        Method::Put => update_article(tx, element)?,
    };
    let mut keys = Fields::new();
    keys.insert("ItCd".into(), json!(code));
    Ok(keys)
}

fn insert_article(tx: &mut Transaction, element: Element) -> Result<String, AfasError> {
    let mut fields = without_empty(element.fields());
    let auto_number = fields.remove("AuId") == Some(json!(true));
    let code = match element.key("ItCd") {
        Some(code) if tx.store().articles.contains_key(&code) => {
            return Err(AfasError::validation(format!("Item code '{code}' already exists.")));
        }
        Some(code) if !auto_number => code,
        _ if auto_number => next_number(&mut tx.counters().article),
        _ => return Err(AfasError::validation("The field 'Item code' (ItCd) is required.")),
    };
    fields.insert("ItCd".into(), json!(code));
    check_article(tx.store(), &code, &fields)?;
    let article = Article {
        fields,
        created: tx.now,
        modified: tx.now,
    };
    tx.put_article(code.clone(), Some(article));
    Ok(code)
}

fn update_article(tx: &mut Transaction, element: Element) -> Result<String, AfasError> {
    let code = element
        .key("ItCd")
        .ok_or_else(|| AfasError::validation("The field 'Item code' (ItCd) is required."))?;
    let mut article = tx
        .store()
        .articles
        .get(&code)
        .cloned()
        .ok_or_else(|| AfasError::does_not_exist("Item code", &code))?;
    let mut changes = element.fields();
    changes.remove("ItCd");
    changes.remove("AuId");
    if let Some(unit) = changes.get("BiUn").and_then(|u| u.as_str())
        && Some(unit) != text(&article.fields, "BiUn")
    {
        return Err(AfasError::validation("The basic unit of an item cannot be changed."));
    }
    let kinds_before = dimension_kinds(&article.fields);
    merge(&mut article.fields, &changes);
    if dimension_kinds(&article.fields) != kinds_before && !tx.store().dimensions_of(&code).is_empty() {
        return Err(AfasError::validation(format!(
            "De artikeldimensies (StD1/StD2) van artikel {code} kunnen niet worden gewijzigd: het artikel heeft dimensiecombinaties."
        )));
    }
    check_article(tx.store(), &code, &article.fields)?;
    article.modified = tx.now;
    tx.put_article(code.clone(), Some(article));
    Ok(code)
}

pub fn delete_article(tx: &mut Transaction, code: &str) -> Result<(), AfasError> {
    if !tx.store().articles.contains_key(code) {
        return Err(AfasError::does_not_exist("Item code", code));
    }
    let in_use = tx
        .store()
        .documents
        .values()
        .any(|document| document.lines.iter().any(|line| text(line, "ItCd") == Some(code)));
    if in_use {
        return Err(AfasError::validation(format!(
            "Item '{code}' cannot be deleted: it is used in sales documents."
        )));
    }
    tx.put_article(code.to_owned(), None);
    Ok(())
}

fn check_article(store: &Store, code: &str, fields: &Fields) -> Result<(), AfasError> {
    let reference = &store.reference;
    let group = text(fields, "Grp").ok_or_else(|| AfasError::validation("The field 'Article group' is required."))?;
    check_code(reference.article_groups.contains_key(group), "Article group", group)?;
    let unit = text(fields, "BiUn").ok_or_else(|| AfasError::validation("The field 'Basic unit' is required."))?;
    check_code(reference.units.contains(unit), "Basic unit", unit)?;
    if let Some(vat) = text(fields, "VaRc") {
        check_code(reference.vat_codes.contains_key(vat), "VAT rate group", vat)?;
    }
    if text(fields, "StD2").is_some() && text(fields, "StD1").is_none() {
        return Err(AfasError::validation(format!(
            "Artikel {code} heeft een tweede artikeldimensie (StD2) zonder eerste (StD1)."
        )));
    }
    if let Some(barcode) = text(fields, "BaCo") {
        let taken = store
            .articles
            .iter()
            .any(|(other, article)| other != code && text(&article.fields, "BaCo") == Some(barcode))
            || store
                .dimensions
                .values()
                .flatten()
                .any(|combination| combination.barcode == barcode);
        if taken {
            return Err(AfasError::validation(format!("Barcode '{barcode}' is already in use.")));
        }
    }
    Ok(())
}

/// An article's dimension kinds (`StD1`, `StD2`): set on a dimension article.
fn dimension_kinds(fields: &Fields) -> (Option<String>, Option<String>) {
    let kind = |field| text(fields, field).map(str::to_owned);
    (kind("StD1"), kind("StD2"))
}

pub fn write_price(tx: &mut Transaction, element: Element, _write: Write) -> Result<Fields, AfasError> {
    let mut fields = without_empty(element.fields());
    let store = tx.store();
    let item = text(&fields, "ItCd").unwrap_or_default().to_owned();
    if text(&fields, "VaIt") == Some("2") {
        let article = store
            .articles
            .get(&item)
            .ok_or_else(|| AfasError::does_not_exist("Item code", &item))?;
        let unit = text(&fields, "BiUn").unwrap_or_default();
        if !text(&article.fields, "BiUn")
            .unwrap_or_default()
            .eq_ignore_ascii_case(unit)
        {
            return Err(AfasError::does_not_exist("Unit", unit));
        }
    }
    if let Some(debtor) = text(&fields, "DbId") {
        check_code(store.debtors.contains_key(debtor), "Sales relation", debtor)?;
    }
    let currency = text(&fields, "CuId").unwrap_or_default();
    check_code(store.reference.currencies.contains(currency), "Currency", currency)?;
    check_price(store, &mut fields)?;
    let is_base_price = text(&fields, "DbId").is_none() && text(&fields, "PrLi").is_none();
    if is_base_price
        && let (Some(price), Some(mut article)) = (fields.get("Pric").cloned(), store.articles.get(&item).cloned())
    {
        article.fields.insert("SaPrice".into(), price);
        article.modified = tx.now;
        tx.put_article(item.clone(), Some(article));
    }
    let key = next_number(&mut tx.counters().price);
    tx.put_price(key, SalesPrice { fields });
    Ok(Fields::new())
}

/// The price list, volume and period rules of a sales price; the price list is stored as registered.
fn check_price(store: &Store, fields: &mut Fields) -> Result<(), AfasError> {
    if let Some(code) = text(fields, "PrLi") {
        let known = store.reference.price_list(code);
        check_code(known.is_some(), "Price list", code)?;
        fields.insert("PrLi".into(), json!(known));
    }
    if flag(fields, "CrPr") && decimal(fields, "Am").is_none_or(|quantity| quantity <= Decimal::ZERO) {
        return Err(AfasError::validation(
            "A volume price (CrPr) needs a quantity (Am) greater than 0.",
        ));
    }
    if let (Some(start), Some(end)) = (date(fields, "DaBg"), date(fields, "DaEn"))
        && end < start
    {
        return Err(AfasError::validation(format!(
            "The end date ({end}) lies before the start date ({start})."
        )));
    }
    Ok(())
}

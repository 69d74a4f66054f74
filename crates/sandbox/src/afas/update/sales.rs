//! `FbSales` (orders), `FbDirectInvoice` (counter invoices) and `FbSalesQuotation` (quotations): one header
//! with lines. The debtor must exist and not be blocked, codes must exist, an article line (`VaIt` 2) needs an
//! existing, unblocked article in its basic unit, and for a dimension article one of its combinations (`StL1`,
//! `StL2`; a plain article's line names none); stock stays per article and warehouse. A different delivery address (`DlAd`) must be a delivery
//! address (contact of kind `AFL`) of the document's debtor. A direct invoice delivers at once, so it books stock out.

use rust_decimal::Decimal;
use serde_json::json;

use super::body::{Action, Element, merge, without_empty};
use super::{Method, Write, check_code};
use crate::afas::error::AfasError;
use crate::afas::fields::{decimal, display, flag, text};
use crate::afas::store::{DocumentKind, Fields, SalesDocument, Store, Transaction, next_number};

/// Item type "Artikel".
const ARTICLE_LINE: &str = "2";

fn kind_of(connector: &str) -> (DocumentKind, &'static str) {
    match connector {
        "FbDirectInvoice" => (DocumentKind::DirectInvoice, "FbDirectInvoiceLines"),
        "FbSalesQuotation" => (DocumentKind::Quotation, "FbSalesQuotationLines"),
        _ => (DocumentKind::Order, "FbSalesLines"),
    }
}

/// The object holding a document connector's lines (also its sub-URL: `/connectors/FbSales/FbSalesLines`).
pub fn lines_object(connector: &str) -> Option<&'static str> {
    match connector {
        "FbSales" | "FbDirectInvoice" | "FbSalesQuotation" => Some(kind_of(connector).1),
        _ => None,
    }
}

pub fn write(tx: &mut Transaction, element: Element, write: Write) -> Result<Fields, AfasError> {
    let (kind, lines_object) = kind_of(write.connector);
    match (write.method, write.sub_object) {
        (Method::Post, None) => insert(tx, element, kind, lines_object),
        _ => update(tx, element, kind, lines_object, write.sub_object.is_some()),
    }
}

fn insert(tx: &mut Transaction, element: Element, kind: DocumentKind, lines_object: &str) -> Result<Fields, AfasError> {
    let mut fields = without_empty(element.fields());
    check_header(tx.store(), &fields)?;
    let number = match element.key("OrNu") {
        Some(number) if tx.store().documents.contains_key(&number) => {
            return Err(AfasError::validation(format!("Number '{number}' already exists.")));
        }
        Some(number) => number,
        None => next_document_number(tx, kind),
    };
    fields.insert("OrNu".into(), json!(number));
    let mut lines = Vec::new();
    for line in element.children(lines_object) {
        lines.push(new_line(tx.store(), line.fields())?);
    }
    let invoice_number = (kind == DocumentKind::DirectInvoice).then(|| match text(&fields, "SinOrNu") {
        Some(number) => number.to_owned(),
        None => next_number(&mut tx.counters().invoice),
    });
    let document = SalesDocument {
        kind,
        fields,
        lines,
        invoice_number: invoice_number.clone(),
        status: None,
        created: tx.now,
        modified: tx.now,
    };
    if kind == DocumentKind::DirectInvoice {
        move_stock(tx, &document, Decimal::NEGATIVE_ONE);
    }
    tx.put_document(number.clone(), Some(document));
    Ok(keys(&number, invoice_number))
}

/// Quotations have their own series; orders and direct invoices share the order series.
fn next_document_number(tx: &mut Transaction, kind: DocumentKind) -> String {
    let counters = tx.counters();
    match kind {
        DocumentKind::Quotation => next_number(&mut counters.quotation),
        _ => next_number(&mut counters.order),
    }
}

/// PUT (and POST of lines to an existing document): header fields are updated, lines inserted, updated or
/// deleted as their `@Action` says (insert by default).
fn update(
    tx: &mut Transaction,
    element: Element,
    kind: DocumentKind,
    lines_object: &str,
    lines_only: bool,
) -> Result<Fields, AfasError> {
    let number = element
        .key("OrNu")
        .ok_or_else(|| AfasError::validation("The field 'Number' (OrNu) is required."))?;
    let mut document = match tx.store().documents.get(&number) {
        Some(document) if document.kind == kind => document.clone(),
        _ => return Err(AfasError::does_not_exist("Number", &number)),
    };
    if !lines_only {
        let mut changes = element.fields();
        changes.remove("OrNu");
        merge(&mut document.fields, &changes);
        check_header(tx.store(), &document.fields)?;
    }
    for line in element.children(lines_object) {
        let action = line
            .action(Action::Insert)
            .map_err(|action| AfasError::validation(format!("Unknown action '{action}'.")))?;
        match action {
            Action::Insert => {
                let line = new_line(tx.store(), line.fields())?;
                document.lines.push(line);
            }
            Action::Update | Action::Delete => {
                let guid = line
                    .key("GuLi")
                    .ok_or_else(|| AfasError::validation("A line to update or delete needs its 'GuLi'."))?;
                let index = document
                    .lines
                    .iter()
                    .position(|existing| text(existing, "GuLi").is_some_and(|g| g.eq_ignore_ascii_case(&guid)))
                    .ok_or_else(|| AfasError::does_not_exist("GuLi", &guid))?;
                if action == Action::Delete {
                    document.lines.remove(index);
                } else {
                    let mut updated = document.lines[index].clone();
                    merge(&mut updated, &line.fields());
                    check_line(tx.store(), &updated)?;
                    document.lines[index] = updated;
                }
            }
        }
    }
    document.modified = tx.now;
    let invoice_number = document.invoice_number.clone();
    tx.put_document(number.clone(), Some(document));
    Ok(keys(&number, invoice_number))
}

/// `OrNu`, and for a direct invoice its invoice number as `Liln`.
fn keys(number: &str, invoice_number: Option<String>) -> Fields {
    let mut keys = Fields::new();
    keys.insert("OrNu".into(), json!(number));
    if let Some(invoice) = invoice_number {
        keys.insert("Liln".into(), json!(invoice));
    }
    keys
}

pub fn delete(tx: &mut Transaction, connector: &str, number: &str) -> Result<(), AfasError> {
    let (kind, _) = kind_of(connector);
    match tx.store().documents.get(number) {
        Some(document) if document.kind == kind => {
            if kind == DocumentKind::DirectInvoice {
                let document = document.clone();
                move_stock(tx, &document, Decimal::ONE);
            }
            tx.put_document(number.to_owned(), None);
            Ok(())
        }
        _ => Err(AfasError::does_not_exist("Number", number)),
    }
}

fn check_header(store: &Store, fields: &Fields) -> Result<(), AfasError> {
    let reference = &store.reference;
    let debtor_id =
        text(fields, "DbId").ok_or_else(|| AfasError::validation("The field 'Sales relation' is required."))?;
    let debtor = store
        .debtors
        .get(debtor_id)
        .ok_or_else(|| AfasError::does_not_exist("Sales relation", debtor_id))?;
    if flag(&debtor.fields, "BlTl") || flag(&debtor.fields, "Bl") {
        return Err(AfasError::validation(format!(
            "Sales relation '{debtor_id}' is blocked."
        )));
    }
    if let Some(currency) = text(fields, "CuId") {
        check_code(reference.currencies.contains(currency), "Currency", currency)?;
    }
    if let Some(contact) = fields.get("DlAd").map(display) {
        let delivers_there = store.parties.get(&debtor.party).is_some_and(|party| {
            party
                .contacts
                .iter()
                .any(|c| c.is_delivery_address() && c.number == contact)
        });
        if !delivers_there {
            return Err(AfasError::validation(format!(
                "Contact '{contact}' is not a delivery address of sales relation '{debtor_id}'."
            )));
        }
    }
    if let Some(warehouse) = text(fields, "War") {
        check_code(reference.warehouses.contains_key(warehouse), "Warehouse", warehouse)?;
    }
    if let Some(condition) = text(fields, "PaCd") {
        check_code(
            reference.payment_conditions.contains_key(condition),
            "Payment condition",
            condition,
        )?;
    }
    if let Some(method) = text(fields, "PaTp") {
        check_code(reference.payment_methods.contains_key(method), "Payment method", method)?;
    }
    if let Some(unit) = decimal(fields, "Unit") {
        let exists = reference
            .administrations
            .iter()
            .any(|admin| Decimal::from(admin.id) == unit);
        check_code(exists, "Administration", &unit.to_string())?;
    }
    Ok(())
}

fn new_line(store: &Store, fields: Fields) -> Result<Fields, AfasError> {
    let mut line = without_empty(fields);
    check_line(store, &line)?;
    if text(&line, "GuLi").is_none() {
        let guid = format!("{{{}}}", uuid::Uuid::new_v4().to_string().to_uppercase());
        line.insert("GuLi".into(), json!(guid));
    }
    Ok(line)
}

fn check_line(store: &Store, line: &Fields) -> Result<(), AfasError> {
    let reference = &store.reference;
    let item_type = text(line, "VaIt").unwrap_or_default();
    let item_code = text(line, "ItCd").unwrap_or_default();
    if item_type == ARTICLE_LINE {
        let article = store
            .articles
            .get(item_code)
            .ok_or_else(|| AfasError::does_not_exist("Item code", item_code))?;
        if flag(&article.fields, "Bl") {
            return Err(AfasError::validation(format!("Item '{item_code}' is blocked.")));
        }
        let unit = text(line, "BiUn").unwrap_or_default();
        let basic_unit = text(&article.fields, "BiUn").unwrap_or_default();
        if !unit.eq_ignore_ascii_case(basic_unit) {
            return Err(AfasError::does_not_exist("Unit", unit));
        }
        check_dimensions(store, item_code, &article.fields, line)?;
    }
    if let Some(vat) = text(line, "VaRc") {
        check_code(reference.vat_codes.contains_key(vat), "VAT rate group", vat)?;
    }
    if let Some(warehouse) = text(line, "War") {
        check_code(reference.warehouses.contains_key(warehouse), "Warehouse", warehouse)?;
    }
    if decimal(line, "QuUn").is_none() && item_type == ARTICLE_LINE {
        return Err(AfasError::validation("The field 'Number of units' is required."));
    }
    Ok(())
}

/// An article line of a dimension article (`StD1` set) names one of its combinations: `StL1`, and `StL2` exactly
/// when the article has a second kind (`StD2`); a line of a plain article names none.
fn check_dimensions(store: &Store, item_code: &str, article: &Fields, line: &Fields) -> Result<(), AfasError> {
    let (first, second) = (text(line, "StL1"), text(line, "StL2"));
    let has_second_kind = text(article, "StD2").is_some();
    if text(article, "StD1").is_none() {
        if first.is_some() || second.is_some() {
            return Err(AfasError::validation(format!(
                "Artikel {item_code} heeft geen artikeldimensies: laat StL1 en StL2 leeg."
            )));
        }
        return Ok(());
    }
    let Some(first) = first else {
        return Err(AfasError::validation(format!(
            "Artikel {item_code} heeft artikeldimensies: vul StL1 in."
        )));
    };
    match (has_second_kind, second) {
        (true, None) => {
            return Err(AfasError::validation(format!(
                "Artikel {item_code} heeft twee artikeldimensies: vul StL2 in."
            )));
        }
        (false, Some(_)) => {
            return Err(AfasError::validation(format!(
                "Artikel {item_code} heeft geen tweede artikeldimensie: laat StL2 leeg."
            )));
        }
        _ => {}
    }
    if store
        .dimensions_of(item_code)
        .iter()
        .any(|combination| combination.is(first, second))
    {
        return Ok(());
    }
    let named = match second {
        Some(second) => format!("{first}/{second}"),
        None => first.to_owned(),
    };
    Err(AfasError::validation(format!(
        "Artikeldimensie {named} bestaat niet bij artikel {item_code}."
    )))
}

/// A direct invoice delivers its article lines from the line's (or header's) warehouse (`direction` -1);
/// deleting it books them back in (+1).
fn move_stock(tx: &mut Transaction, document: &SalesDocument, direction: Decimal) {
    let default_warehouse = text(&document.fields, "War").unwrap_or(crate::afas::seed::MAIN_WAREHOUSE);
    for line in &document.lines {
        if text(line, "VaIt") != Some(ARTICLE_LINE) {
            continue;
        }
        let Some(item) = text(line, "ItCd") else { continue };
        let tracks_stock = tx.store().articles.get(item).is_some_and(|a| flag(&a.fields, "BiSt"));
        if !tracks_stock {
            continue;
        }
        let warehouse = text(line, "War").unwrap_or(default_warehouse).to_owned();
        let key = (item.to_owned(), warehouse.clone());
        let current = tx.store().stock.get(&key).copied().unwrap_or_default();
        let quantity = decimal(line, "QuUn").unwrap_or_default();
        tx.put_stock(item.to_owned(), warehouse, current + direction * quantity);
    }
}

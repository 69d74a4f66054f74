//! `FbStockMutation` (POST only): books stock in (entry sort 41), out (42) or sets a counted quantity (51)
//! for a stock-keeping article in a warehouse, with a known reason.

use super::{Write, check_code};
use crate::afas::error::AfasError;
use crate::afas::fields::{decimal, flag, text};
use crate::afas::store::{Fields, Transaction};

const BOOK_IN: &str = "41";
const BOOK_OUT: &str = "42";
const STOCKTAKING: &str = "51";

pub fn write(tx: &mut Transaction, element: super::body::Element, _write: Write) -> Result<Fields, AfasError> {
    let fields = element.fields();
    let store = tx.store();
    let entry_sort = text(&fields, "VaOt").unwrap_or_default();
    if ![BOOK_IN, BOOK_OUT, STOCKTAKING].contains(&entry_sort) {
        return Err(AfasError::validation(format!(
            "Entry sort '{entry_sort}' cannot be used for a stock mutation."
        )));
    }
    let reason = text(&fields, "ReId").unwrap_or_default();
    check_code(store.reference.stock_reasons.contains(reason), "Reason", reason)?;
    let warehouse = text(&fields, "War").unwrap_or_default().to_owned();
    check_code(
        store.reference.warehouses.contains_key(&warehouse),
        "Warehouse",
        &warehouse,
    )?;
    let item = text(&fields, "ItCd").unwrap_or_default().to_owned();
    if text(&fields, "VaIt") != Some("2") {
        return Err(AfasError::validation(
            "Stock can only be booked for items of type 'Artikel' (VaIt 2).",
        ));
    }
    let article = store
        .articles
        .get(&item)
        .ok_or_else(|| AfasError::does_not_exist("Item code", &item))?;
    if !flag(&article.fields, "BiSt") {
        return Err(AfasError::validation(format!("Item '{item}' does not keep stock.")));
    }
    let unit = text(&fields, "BiUn").unwrap_or_default();
    if !text(&article.fields, "BiUn")
        .unwrap_or_default()
        .eq_ignore_ascii_case(unit)
    {
        return Err(AfasError::does_not_exist("Unit", unit));
    }
    // `Qu` is the quantity in the basic unit (`QuUn` counts units, which for the basic unit is the same).
    let quantity = decimal(&fields, "Qu").unwrap_or_default();
    let current = store
        .stock
        .get(&(item.clone(), warehouse.clone()))
        .copied()
        .unwrap_or_default();
    let new_level = match entry_sort {
        BOOK_IN => current + quantity,
        BOOK_OUT => current - quantity,
        _ => quantity,
    };
    tx.put_stock(item, warehouse, new_level);
    Ok(Fields::new())
}

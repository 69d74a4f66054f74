//! AFAS's quotations for the till (the quotations flow towards MplusKASSA): `Profit_SalesQuotations` changed
//! since the cursor ([`super::afas_changes`]), each with its lines from `Profit_SalesQuotationLines`, read for
//! the whole page in one look-up.

use std::collections::HashMap;

use koppel_afas::rows::{GetConnectorRow, SalesQuotationLineRow, SalesQuotationRow};
use koppel_afas::{AfasClient, AfasError, Filter};
use koppel_sync::catalogue::modified_since;
use koppel_sync::proposals::{ErpQuotation, ErpQuotationLine};

use super::afas_changes;

/// The quotations changed at or after `from`, oldest first, whole seconds, with their lines.
pub async fn quotations_since(client: &AfasClient, from: i64, limit: usize) -> Result<Vec<ErpQuotation>, AfasError> {
    let rows: Vec<SalesQuotationRow> =
        afas_changes::changed_since(client, SalesQuotationRow::CONNECTOR, &Filter::default(), from, limit).await?;
    with_lines(client, rows, from).await
}

/// One quotation with its lines.
pub async fn quotation(client: &AfasClient, number: &str) -> Result<Option<ErpQuotation>, AfasError> {
    let row: Option<SalesQuotationRow> =
        afas_changes::one(client, SalesQuotationRow::CONNECTOR, &Filter::default(), number).await?;
    Ok(with_lines(client, row.into_iter().collect(), 0).await?.pop())
}

async fn with_lines(
    client: &AfasClient,
    rows: Vec<SalesQuotationRow>,
    from: i64,
) -> Result<Vec<ErpQuotation>, AfasError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let numbers: Vec<&str> = rows.iter().map(|row| row.quotation_number.as_str()).collect();
    let lines: Vec<SalesQuotationLineRow> = client
        .get_by_keys(&SalesQuotationLineRow::query(), SalesQuotationLineRow::KEY, &numbers)
        .await?;
    let mut by_quotation: HashMap<String, Vec<SalesQuotationLineRow>> = HashMap::new();
    for line in lines {
        by_quotation
            .entry(line.quotation_number.clone())
            .or_default()
            .push(line);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut lines = by_quotation.remove(&row.quotation_number).unwrap_or_default();
            lines.sort_by_key(|line| line.sequence);
            quotation_of(row, lines, from)
        })
        .collect())
}

fn quotation_of(row: SalesQuotationRow, lines: Vec<SalesQuotationLineRow>, from: i64) -> ErpQuotation {
    ErpQuotation {
        debtor_id: row.debtor_id.map(|d| d.trim().to_owned()),
        date: row.quotation_date.map(|d| d.date()),
        reference: row.customer_reference,
        status: row.status,
        prices_include_vat: row.prices_include_vat.unwrap_or(false),
        lines: lines
            .into_iter()
            .map(|line| ErpQuotationLine {
                item_code: line.item_code.map(|c| c.trim().to_owned()),
                description: line.description,
                quantity: line.quantity.unwrap_or_default(),
                price: line.price_per_unit,
            })
            .collect(),
        modified: row.modified.unwrap_or_else(|| modified_since(from)),
        quotation_number: row.quotation_number,
    }
}

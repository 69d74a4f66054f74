//! AFAS's delivered sales orders for the till (the order_status flow's source): `Profit_Salesorders` of kind
//! "Order" delivered, invoiced or partly delivered, changed since the cursor ([`super::afas_changes`]); a
//! partly delivered order with what of each line went out (`Profit_SalesorderLines`, one look-up per page).

use std::collections::HashMap;

use koppel_afas::rows::{GetConnectorRow, SalesOrderLineRow, SalesOrderRow};
use koppel_afas::{AfasClient, AfasError, Filter, Operator};
use koppel_sync::catalogue::modified_since;
use koppel_sync::deliveries::{DELIVERED_STATES, ErpDeliveredLine, ErpOrderState, PARTLY_DELIVERED};

use super::afas_changes;

/// Sales orders (not direct invoices, which are delivered when they are made) of which something went out.
fn delivered() -> Filter {
    let states = DELIVERED_STATES.iter().copied().chain([PARTLY_DELIVERED]);
    Filter::any_of("Status", states).and("Ordersoort", Operator::Equal, "Order")
}

/// The delivered sales orders changed at or after `from`, oldest first, whole seconds.
pub async fn delivered_since(client: &AfasClient, from: i64, limit: usize) -> Result<Vec<ErpOrderState>, AfasError> {
    let rows: Vec<SalesOrderRow> =
        afas_changes::changed_since(client, SalesOrderRow::CONNECTOR, &delivered(), from, limit).await?;
    with_lines(client, rows.into_iter().map(|row| state(row, from)).collect()).await
}

/// One sales order's state, whatever it is.
pub async fn order_state(client: &AfasClient, order_number: &str) -> Result<Option<ErpOrderState>, AfasError> {
    let row: Option<SalesOrderRow> =
        afas_changes::one(client, SalesOrderRow::CONNECTOR, &Filter::default(), order_number).await?;
    Ok(with_lines(client, row.into_iter().map(|row| state(row, 0)).collect())
        .await?
        .pop())
}

/// The partly delivered orders' lines, in line order (one look-up for them all).
async fn with_lines(client: &AfasClient, mut states: Vec<ErpOrderState>) -> Result<Vec<ErpOrderState>, AfasError> {
    let partly: Vec<&str> = states
        .iter()
        .filter(|s| s.partly_delivered())
        .map(|s| s.order_number.as_str())
        .collect();
    if partly.is_empty() {
        return Ok(states);
    }
    let rows: Vec<SalesOrderLineRow> = client
        .get_by_keys(&SalesOrderLineRow::query(), SalesOrderLineRow::KEY, &partly)
        .await?;
    let mut lines: HashMap<String, Vec<SalesOrderLineRow>> = HashMap::new();
    for row in rows {
        lines.entry(row.order_number.clone()).or_default().push(row);
    }
    for state in states.iter_mut().filter(|s| s.partly_delivered()) {
        let mut rows = lines.remove(&state.order_number).unwrap_or_default();
        rows.sort_by_key(|row| row.sequence);
        state.lines = rows
            .into_iter()
            .filter_map(|row| {
                Some(ErpDeliveredLine {
                    item_code: row.item_code?.trim().to_owned(),
                    delivered: row.delivered.unwrap_or_default(),
                })
            })
            .collect();
    }
    Ok(states)
}

fn state(row: SalesOrderRow, from: i64) -> ErpOrderState {
    ErpOrderState {
        status: row.status.unwrap_or_default(),
        reference: row.customer_reference,
        modified: row.modified.unwrap_or_else(|| modified_since(from)),
        order_number: row.order_number,
        lines: Vec::new(),
    }
}

//! AFAS's delivered sales orders for the till (the order_status flow's source): `Profit_Salesorders` of kind
//! "Order" in a delivered state, changed since the cursor ([`super::afas_changes`]).

use koppel_afas::rows::{GetConnectorRow, SalesOrderRow};
use koppel_afas::{AfasClient, AfasError, Filter, Operator};
use koppel_sync::catalogue::modified_since;
use koppel_sync::deliveries::{DELIVERED_STATES, ErpOrderState};

use super::afas_changes;

/// Sales orders (not direct invoices, which are delivered when they are made) in a delivered state.
fn delivered() -> Filter {
    Filter::any_of("Status", DELIVERED_STATES).and("Ordersoort", Operator::Equal, "Order")
}

/// The delivered sales orders changed at or after `from`, oldest first, whole seconds.
pub async fn delivered_since(client: &AfasClient, from: i64, limit: usize) -> Result<Vec<ErpOrderState>, AfasError> {
    let rows: Vec<SalesOrderRow> =
        afas_changes::changed_since(client, SalesOrderRow::CONNECTOR, &delivered(), from, limit).await?;
    Ok(rows.into_iter().map(|row| state(row, from)).collect())
}

/// One sales order's state, whatever it is.
pub async fn order_state(client: &AfasClient, order_number: &str) -> Result<Option<ErpOrderState>, AfasError> {
    let row: Option<SalesOrderRow> =
        afas_changes::one(client, SalesOrderRow::CONNECTOR, &Filter::default(), order_number).await?;
    Ok(row.map(|row| state(row, 0)))
}

fn state(row: SalesOrderRow, from: i64) -> ErpOrderState {
    ErpOrderState {
        status: row.status.unwrap_or_default(),
        reference: row.customer_reference,
        modified: row.modified.unwrap_or_else(|| modified_since(from)),
        order_number: row.order_number,
    }
}

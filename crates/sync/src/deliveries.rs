//! The order_status flow's records: an AFAS sales order's state ([`ErpOrderState`]), read to deliver at the
//! till the orders Koppel booked from it.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// The `Profit_Salesorders` states that mean the goods went out: delivered ("Geleverd"), or invoiced
/// ("Gefactureerd"), which follows delivery.
pub const DELIVERED_STATES: [&str; 2] = ["Geleverd", "Gefactureerd"];

/// A sales order's state as AFAS reports it (`Profit_Salesorders`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpOrderState {
    /// `OrderNumber`: the target id the orders flow journaled.
    pub order_number: String,
    /// `Status`.
    pub status: String,
    /// `CustomerReference`: the reference Koppel booked the order under.
    pub reference: Option<String>,
    /// `ModifiedDate`, in Profit's local time.
    pub modified: NaiveDateTime,
}

impl ErpOrderState {
    /// The state's place in the flow's cursor: its modification time in whole seconds.
    pub fn sync_marker(&self) -> i64 {
        self.modified.and_utc().timestamp()
    }

    pub fn delivered(&self) -> bool {
        DELIVERED_STATES
            .iter()
            .any(|state| state.eq_ignore_ascii_case(self.status.trim()))
    }
}

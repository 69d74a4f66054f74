//! The order_status flow's records: an AFAS sales order's state ([`ErpOrderState`]), read to deliver at the
//! till the orders Koppel booked from it.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The `Profit_Salesorders` states that mean the goods went out: delivered ("Geleverd"), or invoiced
/// ("Gefactureerd"), which follows delivery.
pub const DELIVERED_STATES: [&str; 2] = ["Geleverd", "Gefactureerd"];

/// The state of a sales order of which some went out.
pub const PARTLY_DELIVERED: &str = "Gedeeltelijk geleverd";

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
    /// For a partly delivered order: what of each line went out, in line order (`Profit_SalesorderLines`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<ErpDeliveredLine>,
}

/// What of one AFAS order line went out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpDeliveredLine {
    /// `ItemCodeId`: the till's article number for the lines Koppel booked.
    pub item_code: String,
    /// `QuantityDelivered`.
    pub delivered: Decimal,
}

/// A line of the till's order, as delivering it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillOrderLine {
    pub line_id: String,
    pub article_number: i64,
    pub quantity: Decimal,
    pub delivered: Decimal,
}

/// What to deliver at the till so its lines have gone out as far as AFAS's: each AFAS line matched to the
/// till's next line of the same article (Koppel books the till's lines in their order, each under its article
/// number), the quantity AFAS delivered beyond what the till delivered, never past the line's quantity. Cost
/// lines (shipping, rounding) have no till line and are left out.
pub fn deliveries_due(afas: &[ErpDeliveredLine], till: &[TillOrderLine]) -> Vec<(String, Decimal)> {
    let mut taken = vec![false; till.len()];
    let mut due = Vec::new();
    for line in afas {
        let Ok(article) = line.item_code.trim().parse::<i64>() else {
            continue;
        };
        let Some(index) = (0..till.len()).find(|&i| !taken[i] && till[i].article_number == article) else {
            continue;
        };
        taken[index] = true;
        let ours = &till[index];
        let quantity = line.delivered.min(ours.quantity) - ours.delivered;
        if quantity > Decimal::ZERO {
            due.push((ours.line_id.clone(), quantity));
        }
    }
    due
}

impl ErpOrderState {
    /// The state's place in the flow's cursor: its modification time in whole seconds.
    pub fn sync_marker(&self) -> i64 {
        self.modified.and_utc().timestamp()
    }

    pub fn partly_delivered(&self) -> bool {
        PARTLY_DELIVERED.eq_ignore_ascii_case(self.status.trim())
    }

    pub fn delivered(&self) -> bool {
        DELIVERED_STATES
            .iter()
            .any(|state| state.eq_ignore_ascii_case(self.status.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn till(id: &str, article: i64, quantity: i64, delivered: i64) -> TillOrderLine {
        TillOrderLine {
            line_id: id.into(),
            article_number: article,
            quantity: Decimal::from(quantity),
            delivered: Decimal::from(delivered),
        }
    }

    fn afas(code: &str, delivered: i64) -> ErpDeliveredLine {
        ErpDeliveredLine {
            item_code: code.into(),
            delivered: Decimal::from(delivered),
        }
    }

    #[test]
    fn afas_lines_match_the_tills_lines_of_their_article_in_order_and_only_the_rest_is_due() {
        let lines = [till("a", 1000, 3, 1), till("b", 1001, 1, 0), till("c", 1000, 2, 0)];
        let due = deliveries_due(
            &[afas("1000", 2), afas("1001", 0), afas("1000", 5), afas("VERZEND", 1)],
            &lines,
        );
        assert_eq!(due, vec![("a".into(), Decimal::ONE), ("c".into(), Decimal::TWO)]);
        assert!(
            deliveries_due(&[afas("1000", 1)], &lines).is_empty(),
            "already delivered at the till"
        );
    }
}

//! Exact money arithmetic for order lines: how AFAS computes a line amount, and how a MplusKASSA line is sent
//! so that AFAS comes out at the same cent.
//!
//! AFAS computes a line as `quantity × price − discount`, where the discount is either the amount `ARDc` or
//! `quantity × price × PRDc / 100`, and rounds the result to 2 decimals, half away from zero. When the
//! percentage does not reproduce MplusKASSA's line total to the cent (MplusKASSA rounds the discount in cents
//! first; fractional quantities round differently), the line is sent with the discount as an amount: the
//! difference between the gross amount and MplusKASSA's line total, so the line is exact by construction and
//! no fabricated price or quantity reaches the books. What still differs at order level (cash rounding to
//! 5 cents, an order discount) becomes an explicit rounding cost line, see `flows::orders::money`.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::model::SalesLineDraft;

/// Rounds to cents, half away from zero (as AFAS and MplusKASSA do).
pub fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The amount AFAS books for a line, in the line's price terms (incl. or excl. VAT).
pub fn afas_line_amount(line: &SalesLineDraft) -> Decimal {
    let gross = line.quantity * line.unit_price;
    let discount = line
        .discount_amount
        .unwrap_or_else(|| gross * line.discount_percentage / Decimal::ONE_HUNDRED);
    round_cents(gross - discount)
}

/// The discount amount to send when the percentage would miss `line_total`; `None` when the percentage is
/// exact.
pub fn discount_amount_for(
    quantity: Decimal,
    unit_price: Decimal,
    percentage: Decimal,
    line_total: Decimal,
) -> Option<Decimal> {
    let gross = quantity * unit_price;
    let by_percentage = round_cents(gross - gross * percentage / Decimal::ONE_HUNDRED);
    (by_percentage != line_total).then(|| (gross - line_total).normalize())
}

/// The sum AFAS books for a whole order, in the order's price terms.
pub fn afas_order_amount(lines: &[SalesLineDraft]) -> Decimal {
    lines.iter().map(afas_line_amount).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SalesLineKind;

    fn line(quantity: &str, price: &str, percentage: &str, amount: Option<&str>) -> SalesLineDraft {
        SalesLineDraft {
            kind: SalesLineKind::Article,
            item_code: "1".into(),
            description: String::new(),
            quantity: quantity.parse().unwrap(),
            unit_price: price.parse().unwrap(),
            discount_percentage: percentage.parse().unwrap(),
            discount_amount: amount.map(|a| a.parse().unwrap()),
            vat_code: None,
            revenue_account: None,
        }
    }

    #[test]
    fn afas_rounds_half_away_from_zero() {
        assert_eq!(afas_line_amount(&line("1", "0.125", "0", None)).to_string(), "0.13");
        assert_eq!(afas_line_amount(&line("-1", "0.125", "0", None)).to_string(), "-0.13");
        assert_eq!(afas_line_amount(&line("3", "9.99", "10", None)).to_string(), "26.97");
    }

    #[test]
    fn a_percentage_that_misses_the_cent_becomes_an_amount() {
        // 3 × 3.33 = 9.99; MplusKASSA: discount round(9.99 × 15%) = 1.50 → 8.49; AFAS by % gives 8.49 too.
        assert_eq!(
            discount_amount_for(
                "3".parse().unwrap(),
                "3.33".parse().unwrap(),
                "15".parse().unwrap(),
                "8.49".parse().unwrap()
            ),
            None
        );
        // A line total that the percentage cannot reach is sent with the exact discount amount.
        let amount = discount_amount_for(
            Decimal::ONE,
            "10.00".parse().unwrap(),
            "33".parse().unwrap(),
            "6.71".parse().unwrap(),
        );
        assert_eq!(amount, Some("3.29".parse().unwrap()));
        assert_eq!(
            afas_line_amount(&line("1", "10.00", "33", Some("3.29"))).to_string(),
            "6.71"
        );
    }
}

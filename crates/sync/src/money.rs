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
//!
//! AFAS computes a document's VAT per VAT code over the document ([`afas_vat_per_code`]), as MplusKASSA does
//! for an order's `vatGroupList`; docs/flows.md "Money" says why the two then agree to the cent.

use std::collections::BTreeMap;

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

/// A document line with the VAT percentage of its VAT code.
pub type RatedLine<'a> = (&'a SalesLineDraft, Decimal);

/// AFAS's VAT per VAT code over a document: the lines' amounts summed per (VAT code, percentage), the VAT
/// taken out of that total (`round(total × p / (100 + p))`) when prices include VAT, else added to it
/// (`round(total × p / 100)`). Values: (the code's total incl. VAT, its VAT).
pub fn afas_vat_per_code(
    lines: &[RatedLine<'_>],
    prices_include_vat: bool,
) -> BTreeMap<(Option<String>, Decimal), (Decimal, Decimal)> {
    let mut totals: BTreeMap<(Option<String>, Decimal), Decimal> = BTreeMap::new();
    for (line, percentage) in lines {
        *totals
            .entry((line.vat_code.clone(), percentage.normalize()))
            .or_default() += afas_line_amount(line);
    }
    totals
        .into_iter()
        .map(|(key, amount)| {
            let percentage = key.1;
            let (incl, vat) = if prices_include_vat {
                (
                    amount,
                    round_cents(amount * percentage / (Decimal::ONE_HUNDRED + percentage)),
                )
            } else {
                let vat = round_cents(amount * percentage / Decimal::ONE_HUNDRED);
                (amount + vat, vat)
            };
            (key, (incl, vat))
        })
        .collect()
}

/// The total incl. VAT AFAS books for a document (its `InvoiceTotal`).
pub fn afas_document_incl(lines: &[RatedLine<'_>], prices_include_vat: bool) -> Decimal {
    afas_vat_per_code(lines, prices_include_vat)
        .values()
        .map(|(incl, _)| *incl)
        .sum()
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
            dimensions: Vec::new(),
        }
    }

    #[test]
    fn vat_is_computed_per_code_over_the_document() {
        let mut a = line("1", "1.00", "0", None);
        a.vat_code = Some("1".into());
        let b = a.clone();
        let rated = [(&a, Decimal::from(21)), (&b, Decimal::from(21))];
        // Per line 0.17 + 0.17; over the code's 2.00 it is 0.35.
        let per_code = afas_vat_per_code(&rated, true);
        assert_eq!(
            per_code.values().next(),
            Some(&("2.00".parse().unwrap(), "0.35".parse().unwrap()))
        );
        assert_eq!(afas_document_incl(&rated, true).to_string(), "2.00");
        // Excl. VAT: 2.00 + round(0.42) = 2.42.
        assert_eq!(afas_document_incl(&rated, false).to_string(), "2.42");
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

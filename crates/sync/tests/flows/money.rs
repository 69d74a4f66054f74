//! The money property: for every generated order, the AFAS lines (as AFAS computes and rounds them, plus cost
//! lines) add up to MplusKASSA's total to the cent.

use rust_decimal::Decimal;

use super::settings;
use koppel_sync::flows::orders::map_order;
use koppel_sync::model::VatMethod;
use koppel_sync::money::afas_order_amount;
use koppel_testkit::generated_order;

#[test]
fn afas_lines_sum_to_the_mplus_total_for_every_generated_order() {
    let (mut discount_amounts, mut rounding_lines) = (0, 0);
    for case in 0..256 {
        let order = generated_order(0xC0FFEE, case);
        let draft = map_order(&order, &settings()).unwrap_or_else(|f| panic!("case {case}: {f:?}"));
        let expected = match order.vat_method {
            VatMethod::Including => order.total_incl_vat,
            VatMethod::Excluding => {
                order.lines.iter().map(|l| l.line_total).sum::<Decimal>()
                    + order.shipping.as_ref().map_or(Decimal::ZERO, |s| s.cost)
            }
        };
        assert_eq!(
            afas_order_amount(&draft.lines),
            expected,
            "case {case}: {order:#?}\n{draft:#?}"
        );
        for (line, source) in draft.lines.iter().zip(&order.lines) {
            assert_eq!(
                koppel_sync::money::afas_line_amount(line),
                source.line_total,
                "case {case}: every article line is exact"
            );
            assert_eq!(
                (line.quantity, line.unit_price),
                (source.quantity, source.unit_price),
                "quantity and price untouched"
            );
            discount_amounts += usize::from(line.discount_amount.is_some());
        }
        rounding_lines += draft.lines.iter().filter(|l| l.item_code == "AFRONDING").count();
    }
    assert!(
        discount_amounts > 10,
        "the generator reaches discount amounts: {discount_amounts}"
    );
    assert!(
        rounding_lines > 10,
        "the generator reaches rounding lines: {rounding_lines}"
    );
}

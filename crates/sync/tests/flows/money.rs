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
        let rounded = draft.lines.iter().filter(|l| l.item_code == "AFRONDING").count();
        rounding_lines += rounded;
        if rounded == 0 {
            // Without a rounding line, AFAS's per-code VAT gives the till's total incl. VAT, also for prices
            // excl. VAT (the generator adds VAT per rate, as MplusKASSA does).
            let rates = order
                .lines
                .iter()
                .map(|l| l.vat_percentage)
                .chain(order.shipping.as_ref().map(|s| s.vat_percentage));
            let rated: Vec<_> = draft.lines.iter().zip(rates).collect();
            assert_eq!(
                koppel_sync::money::afas_document_incl(&rated, order.vat_method == VatMethod::Including),
                order.total_incl_vat,
                "case {case}"
            );
        }
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

/// Settings with a 0% row, as the wizard offers one per country.
fn settings_with_zero_row() -> koppel_sync::settings::FlowSettings {
    let mut settings = settings();
    settings
        .company
        .vat_code_by_country
        .table
        .insert("NL:0".into(), "NL-GEEN".into());
    settings
}

fn two_rate_order(total: &str) -> koppel_sync::model::SourceOrder {
    let mut order = generated_order(7, 0);
    order.vat_method = VatMethod::Including;
    order.vat_country = Some("NL".into());
    order.customer = None;
    order.shipping = None;
    order.delivery_method = None;
    order.lines = vec![
        super::line("1001", "1", "10.00", "21"),
        super::line("1002", "1", "5.00", "9"),
    ];
    order.total_incl_vat = total.parse().unwrap();
    order
}

fn rounding_lines(draft: &koppel_sync::model::SalesOrderDraft) -> Vec<(Option<String>, Decimal)> {
    draft
        .lines
        .iter()
        .filter(|l| l.item_code == "AFRONDING")
        .map(|l| (l.vat_code.clone(), l.unit_price))
        .collect()
}

#[test]
fn a_cash_rounding_goes_on_the_zero_rate_so_no_rates_vat_moves() {
    let order = two_rate_order("14.98");
    let draft = map_order(&order, &settings_with_zero_row()).unwrap();
    assert_eq!(
        rounding_lines(&draft),
        vec![(Some("NL-GEEN".into()), "-0.02".parse().unwrap())]
    );
}

#[test]
fn an_order_discount_is_split_over_the_rates_in_proportion() {
    // 15.00 of goods, 3.00 off the order: 21% carries 10/15 of it, 9% the rest.
    let order = two_rate_order("12.00");
    let draft = map_order(&order, &settings_with_zero_row()).unwrap();
    assert_eq!(
        rounding_lines(&draft),
        vec![
            (Some("NL-LAAG".into()), "-1.00".parse().unwrap()),
            (Some("NL-HOOG".into()), "-2.00".parse().unwrap()),
        ]
    );
    let rated: Vec<_> = draft
        .lines
        .iter()
        .map(|l| {
            let rate = if l.vat_code.as_deref() == Some("NL-LAAG") {
                9
            } else {
                21
            };
            (l, Decimal::from(rate))
        })
        .collect();
    let per_code = koppel_sync::money::afas_vat_per_code(&rated, true);
    let vat: Vec<Decimal> = per_code.values().map(|(_, vat)| *vat).collect();
    // 8.00 at 21% → 1.39; 4.00 at 9% → 0.33, as the till spreading the discount computes.
    assert_eq!(vat, vec!["1.39".parse::<Decimal>().unwrap(), "0.33".parse().unwrap()]);
}

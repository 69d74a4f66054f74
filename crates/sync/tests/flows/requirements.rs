//! The requirements rules over the wizard's settings.

use koppel_core::FlowKind;
use koppel_sync::model::SourceDocumentKind;
use koppel_sync::requirements::*;
use koppel_sync::settings::{FlowSettings, ValueMap};
use koppel_testkit::wizard_settings;

fn settings_named(problems: &[SettingProblem]) -> Vec<&'static str> {
    problems.iter().map(|p| p.setting).collect()
}

#[test]
fn each_flow_names_what_it_cannot_work_without() {
    let empty = FlowSettings::default();
    assert_eq!(
        settings_named(&problems(FlowKind::Orders, &empty)),
        ["administration", "default_debtor", "vat_code_by_country"],
        "an empty VAT mapping is refused: AFAS would book its own VAT on every line"
    );
    assert_eq!(
        settings_named(&problems(FlowKind::Receipts, &empty)),
        ["administration", "default_debtor", "vat_code_by_country"],
        "receipts are booked like orders; most have no customer, so the default debtor is required"
    );
    let mut invoices = wizard_settings();
    invoices.order_types = vec![SourceDocumentKind::Invoice, SourceDocumentKind::Order];
    assert!(
        problems(FlowKind::Receipts, &invoices).is_empty(),
        "the orders' document types are not the receipts flow's business"
    );
    assert_eq!(
        settings_named(&problems(FlowKind::FinancialJournal, &empty)),
        [
            "administration",
            "journal_code",
            "journal_start_date",
            "vat_code_by_country"
        ]
    );
    assert!(problems(FlowKind::Customers, &empty).is_empty());
    assert_eq!(
        settings_named(&problems(FlowKind::Products, &empty)),
        ["article_group_map"]
    );
    assert_eq!(
        settings_named(&problems(FlowKind::Prices, &empty)),
        ["price_list_map"],
        "the prices flow sends the lists the company maps"
    );
    let stock = problems(FlowKind::Stock, &empty);
    assert_eq!(settings_named(&stock), ["warehouse"]);
    assert_eq!(
        stock[0].to_string(),
        "`warehouse` not set: stock is written per AFAS warehouse"
    );

    let unmanaged = FlowSettings {
        manage_stock: false,
        ..FlowSettings::default()
    };
    assert!(
        problems(FlowKind::Stock, &unmanaged).is_empty(),
        "stock that is not managed writes nothing"
    );
    for flow in FlowKind::ALL {
        let mut complete = wizard_settings();
        complete.company.article_group_map = ValueMap::forced("900");
        complete.company.vat_group_map.table.insert("21".into(), "HOOG".into());
        complete.turnover_group_map = ValueMap::forced("10");
        complete.company.price_list_map.table.insert("HOR".into(), "1".into());
        assert!(
            problems(flow, &complete).is_empty(),
            "{flow}: {:?}",
            problems(flow, &complete)
        );
    }
}

#[test]
fn receipts_and_the_financial_journal_are_never_on_together() {
    let problem = conflict(FlowKind::FinancialJournal, &[FlowKind::Orders, FlowKind::Receipts]).unwrap();
    assert_eq!(problem.setting, "enabled");
    assert!(problem.message.contains("the receipts flow is on"), "{problem}");
    assert!(conflict(FlowKind::Receipts, &[FlowKind::FinancialJournal]).is_some());
    assert!(conflict(FlowKind::FinancialJournal, &[FlowKind::Orders, FlowKind::Stock]).is_none());
    assert!(conflict(FlowKind::Orders, &[FlowKind::Receipts, FlowKind::FinancialJournal]).is_none());
}

#[test]
fn values_that_cannot_work_are_named() {
    let mut settings = wizard_settings();
    settings.company.administration = Some("Retail".into());
    settings.order_types.clear();
    settings.create_missing_articles = true;
    settings
        .company
        .article_group_map
        .table
        .insert("Kleding".into(), "100".into());
    settings.company.warehouse = Some("  ".into());
    settings.company.stock_branch = Some("Amsterdam".into());
    assert_eq!(
        settings_named(&problems(FlowKind::Orders, &settings)),
        ["administration", "order_types", "article_group_map"],
        "a table alone gives no group to an order line's article"
    );
    assert_eq!(
        settings_named(&problems(FlowKind::Stock, &settings)),
        ["warehouse", "stock_branch"],
        "a blank value is missing"
    );
}

#[test]
fn references_are_the_codes_a_flow_sends_to_afas() {
    let mut settings = wizard_settings();
    settings.company.payment_method_map.default = Some("01".into());
    let orders = afas_references(FlowKind::Orders, &settings);
    let codes = |list: AfasList| -> Vec<&str> {
        orders
            .iter()
            .filter(|r| r.list == list)
            .map(|r| r.code.as_str())
            .collect()
    };
    assert_eq!(codes(AfasList::Administrations), ["1"]);
    assert_eq!(codes(AfasList::Warehouses), ["01"]);
    assert_eq!(codes(AfasList::Debtors), [koppel_testkit::DEFAULT_DEBTOR]);
    assert_eq!(codes(AfasList::PaymentMethods), ["01", "02", "03"], "each target once");
    assert_eq!(codes(AfasList::VatCodes), ["BE-21", "DE-19", "NL-HOOG", "NL-LAAG"]);
    assert_eq!(
        afas_references(FlowKind::Stock, &settings),
        [AfasReference {
            setting: "warehouse",
            list: AfasList::Warehouses,
            code: "01".into()
        }]
    );
    assert!(afas_references(FlowKind::Products, &FlowSettings::default()).is_empty());
}

#[test]
fn the_articles_flow_needs_its_vat_and_turnover_tables_and_the_products_flows_reading_of_prices() {
    let empty = FlowSettings::default();
    assert_eq!(
        settings_named(&problems(FlowKind::Articles, &empty)),
        ["vat_group_map", "turnover_group_map"]
    );
    let mut settings = wizard_settings();
    settings.company.vat_group_map.table.insert("21".into(), "HOOG".into());
    settings.turnover_group_map = ValueMap {
        default: Some("Kleding".into()),
        ..ValueMap::default()
    };
    assert_eq!(
        settings_named(&problems(FlowKind::Articles, &settings)),
        ["turnover_group_map"],
        "a turnover group is a number"
    );
    settings.turnover_group_map.default = Some("10".into());
    assert!(problems(FlowKind::Articles, &settings).is_empty());

    // The two directions must read AFAS's prices alike; other flows and agreeing settings are no problem.
    let mut products = settings.clone();
    products.article_prices_include_vat = !settings.article_prices_include_vat;
    let problem = disagreement(FlowKind::Articles, &settings, &[(FlowKind::Products, products.clone())]).unwrap();
    assert_eq!(problem.setting, "article_prices_include_vat");
    assert!(
        problem.message.contains("the products flow is on"),
        "{}",
        problem.message
    );
    assert!(disagreement(FlowKind::Products, &products, &[(FlowKind::Articles, settings.clone())]).is_some());
    assert!(disagreement(FlowKind::Articles, &settings, &[(FlowKind::Orders, products)]).is_none());
    assert!(disagreement(FlowKind::Articles, &settings, &[(FlowKind::Products, settings.clone())]).is_none());
}

#[test]
fn the_quotations_flow_and_an_orders_flow_reading_quotations_are_never_on_together() {
    let orders_reading_quotations = FlowSettings {
        order_types: vec![SourceDocumentKind::Quotation],
        ..wizard_settings()
    };
    let quotations = wizard_settings();
    let problem = disagreement(
        FlowKind::Quotations,
        &quotations,
        &[(FlowKind::Orders, orders_reading_quotations.clone())],
    )
    .expect("each quotation would be booked twice");
    assert_eq!(problem.setting, "order_types");
    assert!(
        disagreement(
            FlowKind::Orders,
            &orders_reading_quotations,
            &[(FlowKind::Quotations, quotations.clone())]
        )
        .is_some()
    );
    assert!(
        disagreement(
            FlowKind::Quotations,
            &quotations,
            &[(FlowKind::Orders, wizard_settings())]
        )
        .is_none(),
        "an orders flow reading orders books no quotation"
    );
}

//! The validation rules over the wizard's settings.

use koppel_sync::model::SourceDocumentKind;
use koppel_sync::requirements::SettingProblem;
use koppel_sync::settings::{CompanySettings, FlowSettings, OrderFilter};
use koppel_testkit::wizard_settings;

fn named(problems: &[SettingProblem]) -> Vec<&'static str> {
    problems.iter().map(|p| p.setting).collect()
}

#[test]
fn the_wizards_settings_and_the_defaults_are_valid() {
    assert!(wizard_settings().validate().is_empty());
    assert!(FlowSettings::default().validate().is_empty());
}

#[test]
fn orders_and_invoices_cannot_be_read_together() {
    let mut settings = wizard_settings();
    settings.order_types = vec![SourceDocumentKind::Order, SourceDocumentKind::Invoice];
    let problems = settings.validate();
    assert_eq!(named(&problems), ["order_types"]);
    assert!(
        problems[0]
            .message
            .starts_with("orders and invoices cannot be read together"),
        "{}",
        problems[0].message
    );
    settings.order_types.clear();
    assert!(settings.validate()[0].message.contains("choose one"));
    settings.order_types = vec![SourceDocumentKind::Invoice, SourceDocumentKind::Invoice];
    assert_eq!(settings.validate()[0].message, "list invoices once");
}

#[test]
fn the_orders_flow_leaves_receipts_to_the_receipts_flow() {
    let mut settings = wizard_settings();
    settings.order_types = vec![SourceDocumentKind::Receipt];
    let problems = settings.validate();
    assert_eq!(named(&problems), ["order_types"]);
    assert!(
        problems[0].message.contains("`receipts` flow"),
        "{}",
        problems[0].message
    );
}

#[test]
fn quotations_need_a_filter_they_can_pass() {
    let mut settings = wizard_settings();
    settings.order_types = vec![SourceDocumentKind::Quotation];
    assert_eq!(named(&settings.validate()), ["order_filter"], "paid is the default");
    settings.order_filter = OrderFilter::Completed;
    assert!(settings.validate().is_empty());
}

#[test]
fn company_values_of_the_wrong_shape_are_named() {
    let company = CompanySettings {
        administration: Some("Retail".into()),
        currency: "euro".into(),
        stock_branch: Some("Amsterdam".into()),
        ..CompanySettings::default()
    };
    assert_eq!(
        named(&company.validate()),
        ["administration", "currency", "stock_branch"]
    );
}

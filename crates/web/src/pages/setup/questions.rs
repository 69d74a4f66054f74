//! Step 5: the per-flow questions (which sales, what they become, receipts, products, stock) and the company's
//! warehouse and stock branch; a flow's settings page asks its own and the company's.

use std::collections::BTreeMap;

use axum::response::Response;
use chrono::NaiveDate;
use koppel_core::FlowKind;
use koppel_jobs::lookups;
use koppel_sync::settings::FlowSettings;

use super::connections::stored_afas;
use super::form::{Apply, Fields, is_code, parse_enum};
use super::page::{SetupPage, rerender, set};
use super::progress::{mark_done, redirect_to};
use super::saving::{internal, update_settings, wizard_settings};
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::preflight;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// The stored answers (a posted form keeps its own checkboxes) and AFAS's warehouses.
pub(super) async fn fill_questions(
    state: &AppState,
    ctx: &TenantContext,
    page: &mut SetupPage,
    settings: &FlowSettings,
    posted: bool,
) -> AppResult<()> {
    let enum_text = |value: serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    set(
        page,
        "order_filter",
        enum_text(serde_json::to_value(settings.order_filter).map_err(internal)?),
    );
    set(
        page,
        "order_target",
        enum_text(serde_json::to_value(settings.order_target).map_err(internal)?),
    );
    set(
        page,
        "receipt_target",
        enum_text(serde_json::to_value(settings.receipt_target).map_err(internal)?),
    );
    set(
        page,
        "quotations_direction",
        enum_text(serde_json::to_value(settings.quotations_direction).map_err(internal)?),
    );
    set(
        page,
        "stock_calculation",
        enum_text(serde_json::to_value(settings.stock_calculation).map_err(internal)?),
    );
    set(
        page,
        "warehouse",
        settings.company.warehouse.clone().unwrap_or_default(),
    );
    set(
        page,
        "stock_branch",
        settings.company.stock_branch.clone().unwrap_or_default(),
    );
    set(page, "journal_code", settings.journal_code.clone().unwrap_or_default());
    set(
        page,
        "journal_revenue",
        enum_text(serde_json::to_value(settings.journal_revenue).map_err(internal)?),
    );
    set(
        page,
        "journal_start_date",
        settings
            .journal_start_date
            .map(|date| date.format(DUTCH_DATE).to_string())
            .unwrap_or_default(),
    );
    set(
        page,
        "journal_difference_account",
        settings.journal_difference_account.clone().unwrap_or_default(),
    );
    set(page, "journal_accounts", account_lines(&settings.journal_accounts));
    let prices = if settings.article_prices_include_vat {
        "incl"
    } else {
        "excl"
    };
    set(page, "article_prices_include_vat", prices.to_owned());
    let filter = &settings.afas_article_filter;
    set(page, "article_connector", filter.connector.clone().unwrap_or_default());
    set(page, "article_groups", filter.groups.join(", "));
    set(page, "article_field_filters", field_lines(&filter.field_equals));
    set(page, "custom_field_map", field_lines(&settings.custom_field_map));
    set(page, "variant_size_dimension", settings.variant_size_dimension.clone());
    // A posted form's unchecked boxes are absent: they stay unchecked.
    if !posted {
        set(
            page,
            "update_product_info",
            if settings.update_product_info { "on" } else { "" },
        );
        set(page, "manage_stock", if settings.manage_stock { "on" } else { "" });
        let groups_to_till = if settings.article_groups_to_till { "on" } else { "" };
        set(page, "article_groups_to_till", groups_to_till.to_owned());
        set(
            page,
            "update_debtor_terms",
            if settings.company.update_debtor_terms { "on" } else { "" },
        );
        set(
            page,
            "webshop_only",
            if settings.product_filter.webshop_only { "on" } else { "" },
        );
        set(
            page,
            "active_only",
            if settings.product_filter.active_only { "on" } else { "" },
        );
        set(
            page,
            "create_missing_articles",
            if settings.create_missing_articles { "on" } else { "" },
        );
        set(page, "enabled", if page.flow_enabled { "on" } else { "" });
    }
    if page.order_types.is_empty() {
        page.order_types = settings
            .order_types
            .iter()
            .filter_map(|t| serde_json::to_value(t).ok())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
    }
    if let Some(afas) = stored_afas(state, ctx).await? {
        match lookups::afas_warehouses(&afas).await {
            Ok(list) => page.warehouses = list,
            Err(e) => page.list_errors.push(e),
        }
    }
    Ok(())
}

/// The questions of `flows` from a form, checked: each flow's own settings (the wizard asks every flow's, a
/// flow's settings page its own); the change touches only those.
pub fn read_flow_questions(form: &Fields, errors: &mut FieldErrors, flows: &[FlowKind]) -> Apply {
    let mut changes: Vec<Apply> = Vec::new();
    if flows.contains(&FlowKind::Orders) {
        changes.push(read_order_questions(form, errors));
    }
    if flows.contains(&FlowKind::Receipts) {
        // Absent (a form from before the question): the stored choice stays.
        let receipt_target = parse_enum(form.get("receipt_target"));
        if receipt_target.is_none() && !form.get("receipt_target").is_empty() {
            errors.add_message("receipt_target", "Choose what a till receipt becomes in AFAS.");
        }
        changes.push(Box::new(move |s: &mut FlowSettings| {
            if let Some(value) = receipt_target {
                s.receipt_target = value;
            }
        }));
    }
    if flows.contains(&FlowKind::Quotations) {
        // Absent (a form from before the question): the stored choice stays.
        let direction = parse_enum(form.get("quotations_direction"));
        if direction.is_none() && !form.get("quotations_direction").is_empty() {
            errors.add_message("quotations_direction", "Choose which way quotations go.");
        }
        changes.push(Box::new(move |s: &mut FlowSettings| {
            if let Some(value) = direction {
                s.quotations_direction = value;
            }
        }));
    }
    if flows.contains(&FlowKind::FinancialJournal) {
        changes.push(read_journal_questions(form, errors));
    }
    if flows.contains(&FlowKind::Products) {
        let (update_info, webshop, active) = (
            form.has("update_product_info"),
            form.has("webshop_only"),
            form.has("active_only"),
        );
        changes.push(Box::new(move |s: &mut FlowSettings| {
            s.update_product_info = update_info;
            s.product_filter.webshop_only = webshop;
            s.product_filter.active_only = active;
        }));
    }
    if flows.contains(&FlowKind::Articles) {
        changes.push(read_article_questions(
            form,
            errors,
            flows.contains(&FlowKind::Products),
        ));
    }
    if flows.contains(&FlowKind::Prices) || flows.contains(&FlowKind::Discounts) {
        let include = read_prices_include_vat(form, errors);
        changes.push(Box::new(move |s: &mut FlowSettings| {
            if let Some(include) = include {
                s.article_prices_include_vat = include;
            }
        }));
    }
    if flows.contains(&FlowKind::Stock) {
        let stock_calculation = parse_enum(form.get("stock_calculation"));
        if stock_calculation.is_none() {
            errors.add_message("stock_calculation", "Choose how stock is counted.");
        }
        let manage_stock = form.has("manage_stock");
        changes.push(Box::new(move |s: &mut FlowSettings| {
            if let Some(value) = stock_calculation {
                s.stock_calculation = value;
            }
            s.manage_stock = manage_stock;
        }));
    }
    Box::new(move |s: &mut FlowSettings| changes.iter().for_each(|change| change(s)))
}

/// Whether AFAS's prices include VAT (the articles and prices flows read them); `None` when the form lacks it.
fn read_prices_include_vat(form: &Fields, errors: &mut FieldErrors) -> Option<bool> {
    match form.get("article_prices_include_vat") {
        "" => None,
        "incl" => Some(true),
        "excl" => Some(false),
        _ => {
            errors.add_message(
                "article_prices_include_vat",
                "Choose whether AFAS's sales prices include VAT.",
            );
            None
        }
    }
}

/// The articles flow's questions: what AFAS's prices include, whether texts of existing till articles follow
/// AFAS (asked once with the products flow's in the wizard: `asked_with_products`), and which AFAS articles
/// are read. A field the form lacks keeps what is stored.
fn read_article_questions(form: &Fields, errors: &mut FieldErrors, asked_with_products: bool) -> Apply {
    let prices = read_prices_include_vat(form, errors);
    let update_info = (!asked_with_products).then(|| form.has("update_product_info"));
    let groups_to_till = form.has("article_groups_to_till");
    let connector = form.raw("article_connector").map(|c| c.trim().to_owned());
    if connector
        .as_deref()
        .is_some_and(|c| !c.is_empty() && !is_connector_name(c))
    {
        errors.add_message(
            "article_connector",
            "A GetConnector name has letters, digits and underscores only, e.g. Profit_Article.",
        );
    }
    let groups = form.raw("article_groups").map(|text| {
        text.split([',', '\n'])
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    let read_lines = |name: &'static str, errors: &mut FieldErrors| match form.raw(name).map(parse_field_lines) {
        Some(Ok(fields)) => Some(fields),
        Some(Err(message)) => {
            errors.add_message(name, message);
            None
        }
        None => None,
    };
    let fields = read_lines("article_field_filters", errors);
    let custom_fields = read_lines("custom_field_map", errors);
    let size_dimension = form.raw("variant_size_dimension").map(|d| d.trim().to_owned());
    Box::new(move |s: &mut FlowSettings| {
        if let Some(dimension) = &size_dimension {
            s.variant_size_dimension = dimension.clone();
        }
        if let Some(include) = prices {
            s.article_prices_include_vat = include;
        }
        s.article_groups_to_till = groups_to_till;
        if let Some(update) = update_info {
            s.update_product_info = update;
        }
        if let Some(connector) = &connector {
            s.afas_article_filter.connector = Some(connector.clone()).filter(|c| !c.is_empty());
        }
        if let Some(groups) = &groups {
            s.afas_article_filter.groups = groups.clone();
        }
        if let Some(fields) = &fields {
            s.afas_article_filter.field_equals = fields.clone();
        }
        if let Some(custom_fields) = &custom_fields {
            s.custom_field_map = custom_fields.clone();
        }
    })
}

/// A GetConnector's name as AFAS allows it.
fn is_connector_name(name: &str) -> bool {
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The field filters as the page shows them: `field = value`, one per line.
fn field_lines(fields: &BTreeMap<String, String>) -> String {
    let lines: Vec<String> = fields
        .iter()
        .map(|(field, value)| format!("{field} = {value}"))
        .collect();
    lines.join("\n")
}

/// The field filters from their lines; `Err` names the first line that is not `field = value`.
fn parse_field_lines(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut fields = BTreeMap::new();
    for (number, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        match line.split_once('=').map(|(field, value)| (field.trim(), value.trim())) {
            Some((field, value)) if is_connector_name(field) && !field.is_empty() && !value.is_empty() => {
                fields.insert(field.to_owned(), value.to_owned());
            }
            _ => {
                return Err(format!(
                    "Line {} is not \"field = value\", e.g. U7E1F0A2B_Webshop = true.",
                    number + 1
                ));
            }
        }
    }
    Ok(fields)
}

/// How the financial journal's dates are written on its page: as Dutch and Belgian shops write them.
const DUTCH_DATE: &str = "%d-%m-%Y";

/// The financial journal's journal, first day, difference account and account table. Each may stay empty here:
/// the preflight says what the flow needs when it is switched on.
fn read_journal_questions(form: &Fields, errors: &mut FieldErrors) -> Apply {
    let code = |name: &'static str, errors: &mut FieldErrors| {
        let value = form.opt(name);
        if value.as_deref().is_some_and(|v| !is_code(v)) {
            errors.add_message(name, "A code has letters and digits only, e.g. 90.");
        }
        value
    };
    let journal_code = code("journal_code", errors);
    let difference_account = code("journal_difference_account", errors);
    let start = form.opt("journal_start_date");
    let start_date = start.as_deref().and_then(parse_day);
    if start.is_some() && start_date.is_none() {
        errors.add_message("journal_start_date", "Write the day as 01-12-2026.");
    }
    // Absent (a form from before the question): the stored choice stays.
    let revenue = parse_enum(form.get("journal_revenue"));
    if revenue.is_none() && !form.get("journal_revenue").is_empty() {
        errors.add_message("journal_revenue", "Choose how a day's revenue is booked.");
    }
    let accounts = match parse_account_lines(form.get("journal_accounts")) {
        Ok(accounts) => accounts,
        Err(message) => {
            errors.add_message("journal_accounts", message);
            BTreeMap::new()
        }
    };
    Box::new(move |s: &mut FlowSettings| {
        s.journal_code = journal_code.clone();
        s.journal_difference_account = difference_account.clone();
        s.journal_start_date = start_date;
        s.journal_accounts = accounts.clone();
        if let Some(value) = revenue {
            s.journal_revenue = value;
        }
    })
}

/// A day as `01-12-2026` (or `2026-12-01`).
fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, DUTCH_DATE)
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
}

/// The account table as the page shows it: `MplusKASSA account = AFAS account`, one per line.
fn account_lines(accounts: &BTreeMap<String, String>) -> String {
    let lines: Vec<String> = accounts.iter().map(|(from, to)| format!("{from} = {to}")).collect();
    lines.join("\n")
}

/// The account table from its lines; `Err` names the first line that is not `code = code`.
fn parse_account_lines(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut accounts = BTreeMap::new();
    for (number, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let pair = line.split_once('=').map(|(from, to)| (from.trim(), to.trim()));
        match pair {
            Some((from, to)) if is_code(from) && is_code(to) => {
                accounts.insert(from.to_owned(), to.to_owned());
            }
            _ => {
                return Err(format!(
                    "Line {} is not \"MplusKASSA account = AFAS account\", e.g. 1010 = 1100.",
                    number + 1
                ));
            }
        }
    }
    Ok(accounts)
}

fn read_order_questions(form: &Fields, errors: &mut FieldErrors) -> Apply {
    let order_filter = parse_enum(form.get("order_filter"));
    if order_filter.is_none() {
        errors.add_message("order_filter", "Choose which sales to send.");
    }
    let order_target = parse_enum(form.get("order_target"));
    if order_target.is_none() {
        errors.add_message("order_target", "Choose what a sale becomes in AFAS.");
    }
    let order_types: Vec<_> = form.all("order_types").iter().filter_map(|t| parse_enum(t)).collect();
    if order_types.is_empty() {
        errors.add_message("order_types", "Choose at least one kind of document to read.");
    }
    let create_missing = form.has("create_missing_articles");
    Box::new(move |s: &mut FlowSettings| {
        if let Some(value) = order_filter {
            s.order_filter = value;
        }
        if let Some(value) = order_target {
            s.order_target = value;
        }
        s.order_types = order_types.clone();
        s.create_missing_articles = create_missing;
    })
}

/// The company-wide questions (warehouse, stock branch, what debtor updates send) from a form, checked.
pub fn read_company_questions(form: &Fields, errors: &mut FieldErrors) -> Apply {
    let warehouse = form.opt("warehouse");
    if warehouse.as_deref().is_some_and(|w| !is_code(w)) {
        errors.add_message("warehouse", "A warehouse code has letters and digits only, e.g. 01.");
    }
    let branch = form.opt("stock_branch");
    if branch
        .as_deref()
        .is_some_and(|b| !b.chars().all(|c| c.is_ascii_digit()))
    {
        errors.add_message("stock_branch", "A branch is a number, e.g. 1.");
    }
    let update_debtor_terms = form.has("update_debtor_terms");
    Box::new(move |s: &mut FlowSettings| {
        s.company.warehouse = warehouse.clone();
        s.company.stock_branch = branch.clone();
        s.company.update_debtor_terms = update_debtor_terms;
    })
}

/// Settings that cannot work together, as messages beside the fields that set them; applied to `settings`
/// (what is stored) after `apply` (what the form changes).
pub(crate) fn combination_errors(settings: &FlowSettings, errors: &mut FieldErrors) {
    for problem in settings.validate() {
        errors.add_message(preflight::form_field(problem.setting), problem.message);
    }
}

pub(super) async fn submit_questions(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let own = read_flow_questions(form, &mut errors, &FlowKind::ALL);
    let company = read_company_questions(form, &mut errors);
    if errors.is_empty() {
        let mut settings = wizard_settings(state, ctx).await?;
        own(&mut settings);
        company(&mut settings);
        combination_errors(&settings, &mut errors);
    }
    if !errors.is_empty() {
        let types = form.all("order_types");
        return rerender(state, ctx, "questions", form, errors, |page| page.order_types = types).await;
    }
    update_settings(state, ctx, |s| {
        own(s);
        company(s);
    })
    .await?;
    mark_done(state, ctx, "questions").await?;
    Ok(redirect_to(ctx, "mappings"))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn days_and_account_lines_read_as_the_page_writes_them() {
        assert_eq!(parse_day("01-12-2026"), NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(parse_day("2026-12-01"), NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(parse_day("31-02-2026"), None);
        let accounts = parse_account_lines("1010 = 1100\n\n 8000=8001 ").unwrap();
        assert_eq!(parse_account_lines(&account_lines(&accounts)).unwrap(), accounts);
        assert!(
            parse_account_lines("1010 = 1100\n1010")
                .unwrap_err()
                .starts_with("Line 2 ")
        );
    }

    proptest! {
        /// Any text, control characters and all: a day or none, a table or the line that is wrong; no panic.
        #[test]
        fn any_text_is_a_day_or_none_and_a_table_or_a_line_named(text in any::<String>(), lines in "[0-9= \n\t\r\u{0}-\u{1f}a-z]{0,80}") {
            let _ = parse_day(&text);
            for input in [&text, &lines] {
                match parse_account_lines(input) {
                    Ok(accounts) => prop_assert_eq!(parse_account_lines(&account_lines(&accounts)).unwrap(), accounts),
                    Err(message) => prop_assert!(message.starts_with("Line ")),
                }
            }
        }
    }
}

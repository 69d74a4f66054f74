//! Step 6: the mappings (payment and shipping methods, VAT code and revenue account per country), each one
//! forced value or a table; shown with MplusKASSA's and AFAS's live lists where they answer. Shipping methods
//! are the orders flow's own; the others are company-wide.

use axum::response::Response;
use koppel_core::FlowKind;
use koppel_jobs::lookups::{self, Choice};
use koppel_sync::settings::{FlowSettings, ValueMap};
use koppel_sync::vat::ShiftedVat;

use super::connections::{stored_afas, stored_mplus};
use super::form::{Apply, Fields};
use super::page::rerender;
use super::progress::{mark_done, redirect_to};
use super::saving::{update_settings, wizard_settings};
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// One row of a mapping table: the source value (fixed when it came from a live list) and its target.
pub struct MapRow {
    pub source: String,
    pub label: String,
    pub target: String,
    pub fixed: bool,
}

/// A "force one value or a table" mapping as the page shows it.
pub struct MapView {
    pub name: &'static str,
    /// Company-wide (shared by every flow) rather than one flow's own.
    pub company: bool,
    pub legend: &'static str,
    pub source_label: &'static str,
    pub target_label: &'static str,
    pub forced_mode: bool,
    pub forced: String,
    pub default: String,
    pub rows: Vec<MapRow>,
    pub choices: Vec<Choice>,
    pub list_error: Option<String>,
    /// Only a table makes sense (each source value its own target): no "one value for everything", no default.
    pub table_only: bool,
}

fn map_mode(map: &ValueMap) -> bool {
    map.forced.is_some()
}

fn table_rows(map: &ValueMap, blanks: usize) -> Vec<MapRow> {
    let mut rows: Vec<MapRow> = map
        .table
        .iter()
        .map(|(source, target)| MapRow {
            source: source.clone(),
            label: source.clone(),
            target: target.clone(),
            fixed: false,
        })
        .collect();
    rows.extend((0..blanks).map(|_| MapRow {
        source: String::new(),
        label: String::new(),
        target: String::new(),
        fixed: false,
    }));
    rows
}

fn map_view(
    name: &'static str,
    legend: &'static str,
    source_label: &'static str,
    target_label: &'static str,
    map: &ValueMap,
) -> MapView {
    MapView {
        name,
        company: name != "shipping",
        legend,
        source_label,
        target_label,
        forced_mode: map_mode(map),
        forced: map.forced.clone().unwrap_or_default(),
        default: map.default.clone().unwrap_or_default(),
        rows: table_rows(map, 3),
        choices: Vec::new(),
        list_error: None,
        table_only: false,
    }
}

/// A table whose source values MplusKASSA lists (payment or delivery methods): one fixed row per listed value,
/// then the stored rows for values it no longer lists (still editable); or the reason the list failed.
fn live_rows(view: &mut MapView, listed: Result<Vec<Choice>, String>, map: &ValueMap) {
    let listed = match listed {
        Ok(listed) => listed,
        Err(error) => {
            view.list_error = Some(error);
            return;
        }
    };
    view.rows = listed
        .into_iter()
        .map(|choice| MapRow {
            target: map.table.get(&choice.code).cloned().unwrap_or_default(),
            source: choice.code,
            label: choice.label,
            fixed: true,
        })
        .collect();
    let codes: Vec<String> = view.rows.iter().map(|r| r.source.clone()).collect();
    view.rows
        .extend(table_rows(map, 1).into_iter().filter(|r| !codes.contains(&r.source)));
}

/// Whether a page edits `own`'s mappings: the wizard (`page_flow` `None`) edits every flow's, a flow's settings
/// page its own.
fn edits(page_flow: Option<FlowKind>, own: FlowKind) -> bool {
    page_flow.is_none_or(|flow| flow == own)
}

/// The mappings a page shows: the company-wide ones, the shipping methods on the orders flow's, the VAT groups
/// and turnover groups on the articles flow's, and the price lists on the prices flow's (the wizard shows them
/// all).
pub(crate) async fn mapping_views(
    state: &AppState,
    ctx: &TenantContext,
    settings: &FlowSettings,
    page_flow: Option<FlowKind>,
) -> AppResult<Vec<MapView>> {
    let shipping = edits(page_flow, FlowKind::Orders);
    let articles = edits(page_flow, FlowKind::Articles);
    let prices = edits(page_flow, FlowKind::Prices);
    let discounts = edits(page_flow, FlowKind::Discounts);
    let mut payment = map_view(
        "payment",
        "Payment methods",
        "MplusKASSA payment method",
        "AFAS payment method",
        &settings.company.payment_method_map,
    );
    let mut shipping_view = map_view(
        "shipping",
        "Shipping methods",
        "MplusKASSA shipping method",
        "AFAS delivery method",
        &settings.shipping_method_map,
    );
    if let Some(mplus) = stored_mplus(state, ctx).await? {
        live_rows(
            &mut payment,
            lookups::mplus_payment_methods(&mplus).await,
            &settings.company.payment_method_map,
        );
        if shipping {
            live_rows(
                &mut shipping_view,
                lookups::mplus_delivery_methods(&mplus).await,
                &settings.shipping_method_map,
            );
        }
    }
    if let Some(afas) = stored_afas(state, ctx).await? {
        match lookups::afas_payment_methods(&afas).await {
            Ok(list) => payment.choices = list,
            Err(e) => payment.list_error = Some(e),
        }
    }
    let mut views = vec![payment];
    if shipping {
        views.push(shipping_view);
    }
    views.push(map_view(
        "vat",
        "VAT code per country",
        "Country (e.g. NL, or NL:21 for one VAT rate); intra_eu, reverse_charge, export for reverse-charged sales",
        "AFAS VAT code",
        &settings.company.vat_code_by_country,
    ));
    views.push(map_view(
        "revenue",
        "Revenue account per country",
        "Country (e.g. NL, or NL:21 for one VAT rate)",
        "AFAS revenue account",
        &settings.company.revenue_account_by_country,
    ));
    if articles {
        views.push(map_view(
            VAT_GROUPS,
            "VAT group per VAT rate",
            "VAT percentage (e.g. 21, 9, 0)",
            "AFAS VAT group (VaRc)",
            &settings.company.vat_group_map,
        ));
        let mut turnover = map_view(
            TURNOVER_GROUPS,
            "Turnover group per AFAS article group (articles to MplusKASSA)",
            "AFAS article group",
            "MplusKASSA turnover group number",
            &settings.turnover_group_map,
        );
        turnover.company = false;
        views.push(turnover);
    }
    if articles || discounts {
        let mut groups = map_view(
            DISCOUNT_GROUPS,
            "Discount group per AFAS article group (articles and discounts to MplusKASSA)",
            "AFAS article group",
            "MplusKASSA article discount group number",
            &settings.company.discount_group_map,
        );
        groups.table_only = true;
        views.push(groups);
    }
    if prices {
        let mut lists = map_view(
            PRICE_LISTS,
            "Price group per AFAS price list (prices to MplusKASSA)",
            "AFAS price list (e.g. HOR)",
            "MplusKASSA price group number",
            &settings.company.price_list_map,
        );
        lists.table_only = true;
        if let Some(mplus) = stored_mplus(state, ctx).await? {
            match lookups::mplus_price_groups(&mplus).await {
                Ok(groups) => lists.choices = groups,
                Err(error) => lists.list_error = Some(error),
            }
        }
        views.push(lists);
    }
    Ok(views)
}

/// The form names of the articles and prices flows' mappings.
const VAT_GROUPS: &str = "vat_groups";
const TURNOVER_GROUPS: &str = "turnover_groups";
const PRICE_LISTS: &str = "price_lists";
const DISCOUNT_GROUPS: &str = "discount_groups";

/// The mappings from a form, checked: the company-wide ones and those of the flows the page edits
/// ([`mapping_views`]); a flow's own mapping only when the form has it (a form from before it keeps what is
/// stored).
pub fn read_mappings(form: &Fields, errors: &mut FieldErrors, page_flow: Option<FlowKind>) -> Apply {
    let payment = read_map(form, "payment", errors, false);
    let shipping = edits(page_flow, FlowKind::Orders).then(|| read_map(form, "shipping", errors, false));
    let vat = read_map(form, "vat", errors, true);
    let revenue = read_map(form, "revenue", errors, true);
    let posted = |flow: FlowKind, name: &str| edits(page_flow, flow) && form.has(&format!("{name}_mode"));
    let vat_groups = posted(FlowKind::Articles, VAT_GROUPS).then(|| read_map(form, VAT_GROUPS, errors, false));
    let turnover_groups =
        posted(FlowKind::Articles, TURNOVER_GROUPS).then(|| read_map(form, TURNOVER_GROUPS, errors, false));
    let price_lists = posted(FlowKind::Prices, PRICE_LISTS).then(|| read_map(form, PRICE_LISTS, errors, false));
    let discount_groups = (posted(FlowKind::Articles, DISCOUNT_GROUPS) || posted(FlowKind::Discounts, DISCOUNT_GROUPS))
        .then(|| read_map(form, DISCOUNT_GROUPS, errors, false));
    Box::new(move |s: &mut FlowSettings| {
        s.company.payment_method_map = payment.clone();
        if let Some(shipping) = &shipping {
            s.shipping_method_map = shipping.clone();
        }
        if let Some(map) = &vat_groups {
            s.company.vat_group_map = map.clone();
        }
        if let Some(map) = &turnover_groups {
            s.turnover_group_map = map.clone();
        }
        if let Some(map) = &price_lists {
            s.company.price_list_map = map.clone();
        }
        if let Some(map) = &discount_groups {
            s.company.discount_group_map = map.clone();
        }
        s.company.vat_code_by_country = vat.clone();
        s.company.revenue_account_by_country = revenue.clone();
    })
}

/// Reads one mapping from the form: `{name}_mode` (`forced` or `table`), `{name}_forced`, `{name}_default`,
/// and the rows `{name}_source` / `{name}_target` (paired by position).
pub fn read_map(form: &Fields, name: &'static str, errors: &mut FieldErrors, countries: bool) -> ValueMap {
    let mode = form.get(&format!("{name}_mode"));
    let forced = form.opt(&format!("{name}_forced"));
    let default = form.opt(&format!("{name}_default"));
    let sources = form.all(&format!("{name}_source"));
    let targets = form.all(&format!("{name}_target"));
    let field = leak_field(name);
    let mut map = ValueMap::default();
    if mode == "forced" {
        match forced {
            Some(value) => map.forced = Some(value),
            None => errors.add_message(field, "Enter the value to use for everything, or choose a table."),
        }
        return map;
    }
    for (index, target) in targets.iter().enumerate() {
        let source = sources.get(index).map(String::as_str).unwrap_or_default();
        match (source.is_empty(), target.is_empty()) {
            (true, true) | (false, true) => {}
            (true, false) => errors.add_message(
                field,
                if countries {
                    format!("Row {}: a value per country needs its country.", index + 1)
                } else {
                    format!("Row {}: say which source value {target} is for.", index + 1)
                },
            ),
            (false, false) => {
                let key = if countries {
                    country_key(source)
                } else {
                    source.to_owned()
                };
                if countries && !is_country_key(&key) {
                    errors.add_message(
                        field,
                        format!("Row {}: {source} is not a two-letter country code (NL, BE, DE…), optionally with a VAT rate (NL:21), nor intra_eu, reverse_charge or export.", index + 1),
                    );
                }
                map.table.insert(key, target.clone());
            }
        }
    }
    map.default = default;
    map
}

/// A per-country row's key as stored: a country upper-cased (`NL`, `NL:21`); a reverse-charge row
/// (`intra_eu`, `reverse_charge`, `export`) in lower case.
fn country_key(source: &str) -> String {
    match ShiftedVat::ALL
        .iter()
        .find(|case| case.key().eq_ignore_ascii_case(source))
    {
        Some(case) => case.key().to_owned(),
        None => source.to_ascii_uppercase(),
    }
}

/// `NL`, or `NL:21` for one VAT rate in that country, or a reverse-charge row.
fn is_country_key(key: &str) -> bool {
    if ShiftedVat::ALL.iter().any(|case| case.key() == key) {
        return true;
    }
    let (country, rate) = key.split_once(':').unwrap_or((key, "0"));
    country.len() == 2
        && country.chars().all(|c| c.is_ascii_uppercase())
        && !rate.is_empty()
        && rate.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// The error field names of the mappings (FieldErrors keys are static).
fn leak_field(name: &'static str) -> &'static str {
    match name {
        "payment" => "payment",
        "shipping" => "shipping",
        "vat" => "vat",
        "revenue" => "revenue",
        _ => "mapping",
    }
}

pub(super) async fn submit_mappings(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let apply = read_mappings(form, &mut errors, None);
    if !errors.is_empty() {
        let mut settings = wizard_settings(state, ctx).await?;
        apply(&mut settings);
        let maps = mapping_views(state, ctx, &settings, None).await?;
        return rerender(state, ctx, "mappings", form, errors, |page| page.maps = maps).await;
    }
    update_settings(state, ctx, |s| apply(s)).await?;
    mark_done(state, ctx, "mappings").await?;
    Ok(redirect_to(ctx, "review"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_per_country_needs_its_country() {
        let form = Fields::new(vec![
            ("revenue_mode".into(), "table".into()),
            ("revenue_source".into(), "nl".into()),
            ("revenue_target".into(), "8000".into()),
            ("revenue_source".into(), "".into()),
            ("revenue_target".into(), "8100".into()),
        ]);
        let mut errors = FieldErrors::default();
        let map = read_map(&form, "revenue", &mut errors, true);
        assert_eq!(map.table.get("NL").map(String::as_str), Some("8000"));
        assert!(errors.get("revenue").unwrap().contains("needs its country"));
    }
}

//! The field-mapping editor of a flow: the default mapping (source → target field), the tenant's rules, a
//! form to add, change or remove the rule of one target field, and a preview that maps a real record from
//! MplusKASSA and shows the exact AFAS request it would send, sending nothing. Owners and admins only.
//!
//! The form has a fixed number of transform rows (select + up to three arguments) so it works without
//! JavaScript; the rules themselves are `koppel_sync::field_map`, which checks them for the API too.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use koppel_core::{FlowKind, TenantId};
use koppel_store::audit;
use koppel_store::flows;
use koppel_sync::field_map::{FieldMap, FieldRule, Source, Transform, source_paths, target_fields};
use koppel_sync::settings::FlowSettings;
use rust_decimal::Decimal;

use super::Layout;
use super::setup::{Fields, internal};
use crate::api::flows::{load_flow, load_settings, parse_flow};
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// Transform rows in the form.
const ROWS: usize = 5;
const ROW_FIELDS: [&str; ROWS] = [
    "transform_1",
    "transform_2",
    "transform_3",
    "transform_4",
    "transform_5",
];
/// Records the preview reads to find one that is sent (the first may be filtered out, e.g. unpaid).
const PREVIEW_RECORDS: u32 = 10;

/// The transforms the form offers: (op, label, what the arguments mean).
pub const OPS: &[(&str, &str, &str)] = &[
    ("trim", "Trim spaces", "—"),
    ("upper", "Upper case", "—"),
    ("lower", "Lower case", "—"),
    ("digits_only", "Digits only", "—"),
    ("truncate", "Truncate", "1: the maximum length"),
    ("default_if_empty", "Default when empty", "1: the value to use"),
    (
        "lookup",
        "Lookup table",
        "1: entries as KEY=VALUE; KEY=VALUE · 2: fallback (optional)",
    ),
    (
        "concat",
        "Concatenate",
        "1: parts separated by ; (a source field, or \"text\" in quotes) · 2: separator",
    ),
    (
        "date_format",
        "Date format",
        "1: output format, e.g. %d-%m-%Y · 2: input format (optional; default ISO)",
    ),
    ("round", "Round", "1: decimals"),
    ("add", "Add", "1: amount, e.g. 2.50 or -1"),
    (
        "multiply",
        "Multiply",
        "1: factor, e.g. 1.05, or a percentage such as +5%",
    ),
    (
        "condition",
        "Condition",
        "1: when the value equals · 2: then · 3: else (optional)",
    ),
];

pub struct FieldRow {
    pub target: &'static str,
    pub afas: &'static str,
    pub default: &'static str,
    /// The rule in words, when there is one.
    pub rule: Option<String>,
}

pub struct TransformRow {
    pub name: &'static str,
    pub number: usize,
    pub op: String,
    pub a1: String,
    pub a2: String,
    pub a3: String,
}

pub struct PreviewView {
    pub entity: String,
    pub source_id: String,
    pub outcome: String,
    pub reason: String,
    pub failed: bool,
    pub record: String,
    pub writes: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "fields.html")]
pub struct FieldsPage {
    pub layout: Layout,
    pub tenant_id: TenantId,
    pub flow: FlowKind,
    pub rows: Vec<FieldRow>,
    pub targets: Vec<&'static str>,
    pub source_paths: Vec<String>,
    pub ops: &'static [(&'static str, &'static str, &'static str)],
    pub target: String,
    pub source_kind: String,
    pub source_value: String,
    pub transforms: Vec<TransformRow>,
    pub errors: FieldErrors,
    pub alert: Option<String>,
    pub notice: Option<String>,
    pub preview: Option<PreviewView>,
    pub preview_empty: bool,
}

impl FieldsPage {
    fn is_source(&self, kind: &str) -> bool {
        self.source_kind == kind
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct FieldsQuery {
    #[serde(default)]
    edit: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

fn blank_rows() -> Vec<TransformRow> {
    (0..ROWS)
        .map(|i| TransformRow {
            name: ROW_FIELDS[i],
            number: i + 1,
            op: String::new(),
            a1: String::new(),
            a2: String::new(),
            a3: String::new(),
        })
        .collect()
}

async fn page(state: &AppState, ctx: &TenantContext, flow: FlowKind, map: &FieldMap) -> AppResult<FieldsPage> {
    let fields = target_fields(flow);
    Ok(FieldsPage {
        layout: Layout::for_user(
            state,
            &ctx.user,
            &format!("Field mapping: {flow}"),
            Some(ctx.scope.tenant_id()),
        )
        .await?,
        tenant_id: ctx.scope.tenant_id(),
        flow,
        rows: fields
            .iter()
            .map(|field| FieldRow {
                target: field.target,
                afas: field.afas,
                default: field.default,
                rule: map.rule(field.target).map(describe),
            })
            .collect(),
        targets: fields.iter().map(|field| field.target).collect(),
        source_paths: source_paths(flow),
        ops: OPS,
        target: String::new(),
        source_kind: "default".into(),
        source_value: String::new(),
        transforms: blank_rows(),
        errors: FieldErrors::default(),
        alert: None,
        notice: None,
        preview: None,
        preview_empty: false,
    })
}

/// Fills the form with `rule`, for changing it.
fn fill_form(page: &mut FieldsPage, rule: &FieldRule) {
    page.target = rule.target.clone();
    (page.source_kind, page.source_value) = match &rule.source {
        Source::Default => ("default".into(), String::new()),
        Source::Path(path) => ("path".into(), path.clone()),
        Source::Constant(value) => ("constant".into(), value.clone()),
    };
    for (row, transform) in page.transforms.iter_mut().zip(&rule.transforms) {
        let (op, a1, a2, a3) = row_of(transform);
        (row.op, row.a1, row.a2, row.a3) = (op.into(), a1, a2, a3);
    }
}

/// Keeps what was entered, for a re-rendered form.
fn keep_input(page: &mut FieldsPage, form: &Fields) {
    page.target = form.get("target").to_owned();
    page.source_kind = form.get("source_kind").to_owned();
    page.source_value = form.get("source_value").to_owned();
    for row in &mut page.transforms {
        let n = row.number;
        row.op = form.get(&format!("op_{n}")).to_owned();
        row.a1 = form.get(&format!("a1_{n}")).to_owned();
        row.a2 = form.get(&format!("a2_{n}")).to_owned();
        row.a3 = form.get(&format!("a3_{n}")).to_owned();
    }
}

/// `GET /t/{tenant_id}/settings/{flow}/fields`.
pub async fn show(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, flow)): Path<(String, String)>,
    Query(query): Query<FieldsQuery>,
) -> AppResult<FieldsPage> {
    ctx.require_write()?;
    let flow = parse_flow(&flow)?;
    let settings = load_settings(&state, &ctx.scope, flow).await?;
    let mut page = page(&state, &ctx, flow, &settings.field_map).await?;
    if let Some(target) = query.edit.as_deref() {
        match settings.field_map.rule(target) {
            Some(rule) => fill_form(&mut page, rule),
            None => page.target = target.to_owned(),
        }
    }
    if query.saved.is_some() {
        page.notice = Some("Saved.".into());
    }
    Ok(page)
}

/// `POST /t/{tenant_id}/settings/{flow}/fields`: saves the rule of one target field (`action=save`) or removes
/// it (`action=remove`).
pub async fn save(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, flow)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let flow = parse_flow(&flow)?;
    let form = Fields::new(pairs);
    let mut config = load_flow(&state, &ctx.scope, flow).await?;
    let mut settings: FlowSettings = serde_json::from_value(config.settings.clone()).unwrap_or_default();
    let before = by_target(&settings.field_map);
    let target = form.get("target").trim().to_owned();
    if form.get("action") == "remove" {
        settings.field_map.0.retain(|rule| rule.target != target);
    } else {
        let mut errors = FieldErrors::default();
        let rule = read_rule(&form, flow, &mut errors);
        let Some(rule) = rule.filter(|_| errors.is_empty()) else {
            return rerender(&state, &ctx, flow, &settings.field_map, &form, errors).await;
        };
        match settings.field_map.0.iter_mut().find(|r| r.target == rule.target) {
            Some(existing) => *existing = rule,
            None => settings.field_map.0.push(rule),
        }
    }
    let after = by_target(&settings.field_map);
    let changes = audit::diff(&before, &after);
    if changes.is_empty() {
        return Ok(redirect(&ctx, flow));
    }
    config.settings = serde_json::to_value(&settings).map_err(internal)?;
    let now = koppel_store::now().timestamp_millis();
    flows::save(&state.db, &ctx.scope, &config, now).await?;
    let area = format!("flow/{flow}/fields");
    audit::record(&state.db, &ctx.scope, &ctx.user.email, &area, &changes, now).await?;
    Ok(redirect(&ctx, flow))
}

fn redirect(ctx: &TenantContext, flow: FlowKind) -> Response {
    Redirect::to(&format!("/t/{}/settings/{flow}/fields?saved=1", ctx.scope.tenant_id())).into_response()
}

/// The rules keyed by target, so the audit log names the field a change touched.
fn by_target(map: &FieldMap) -> serde_json::Value {
    let rules: serde_json::Map<String, serde_json::Value> = map
        .0
        .iter()
        .map(|rule| (rule.target.clone(), serde_json::Value::String(describe(rule))))
        .collect();
    serde_json::json!({ "field_map": rules })
}

async fn rerender(
    state: &AppState,
    ctx: &TenantContext,
    flow: FlowKind,
    map: &FieldMap,
    form: &Fields,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut page = page(state, ctx, flow, map).await?;
    keep_input(&mut page, form);
    page.errors = errors;
    page.alert = Some("The rule was not saved: please correct the fields marked below.".into());
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /t/{tenant_id}/settings/{flow}/fields/preview`: maps a real record with the saved rules, plus the rule
/// in the form when one is filled in (so a rule can be tried before it is saved), and shows what AFAS would
/// receive.
pub async fn preview(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, flow)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let flow = parse_flow(&flow)?;
    let form = Fields::new(pairs);
    let mut settings = load_settings(&state, &ctx.scope, flow).await?;
    let stored = settings.field_map.clone();
    if !form.get("target").trim().is_empty() {
        let mut errors = FieldErrors::default();
        let rule = read_rule(&form, flow, &mut errors);
        let Some(rule) = rule.filter(|_| errors.is_empty()) else {
            return rerender(&state, &ctx, flow, &stored, &form, errors).await;
        };
        settings.field_map.0.retain(|r| r.target != rule.target);
        settings.field_map.0.push(rule);
    }
    let mut page = page(&state, &ctx, flow, &stored).await?;
    keep_input(&mut page, &form);
    if page.source_kind.is_empty() {
        page.source_kind = "default".into();
    }
    match run_preview(&state, &ctx, flow, settings).await {
        Ok(Some(view)) => page.preview = Some(view),
        Ok(None) => page.preview_empty = true,
        Err(message) => page.alert = Some(message),
    }
    Ok(page.into_response())
}

/// One record's plan: the first of the first records that is sent or fails (else the first at all).
async fn run_preview(
    state: &AppState,
    ctx: &TenantContext,
    flow: FlowKind,
    mut settings: FlowSettings,
) -> Result<Option<PreviewView>, String> {
    use koppel_jobs::Connectors;
    if target_fields(flow).is_empty() {
        return Err(format!("The {flow} flow has no field mapping to preview."));
    }
    let connectors = koppel_jobs::connect::ClientConnectors::new(state.secrets.clone());
    let (source, target) = connectors
        .open(&state.db, &ctx.scope)
        .await
        .map_err(|e| format!("Cannot open the connections: {}", e.message))?;
    settings.batch_size = PREVIEW_RECORDS;
    let planned = koppel_sync::dry_run(flow, &settings, &source, &target)
        .await
        .map_err(|e| format!("The preview stopped: {e}"))?;
    let chosen = planned
        .iter()
        .position(|p| !p.writes.is_empty() || p.outcome == koppel_sync::ports::Outcome::Failed)
        .unwrap_or(0);
    Ok(planned.into_iter().nth(chosen).map(|p| PreviewView {
        entity: p.entity,
        source_id: p.source_id,
        outcome: p.outcome.as_str().to_owned(),
        reason: p.reason.unwrap_or_default(),
        failed: p.outcome == koppel_sync::ports::Outcome::Failed,
        record: serde_json::to_string_pretty(&p.source).unwrap_or_default(),
        writes: p
            .writes
            .into_iter()
            .map(|w| {
                (
                    w.operation,
                    serde_json::to_string_pretty(&w.request.to_value()).unwrap_or_default(),
                )
            })
            .collect(),
    }))
}

/// The rule in the form, or `None` with the problems recorded per field.
fn read_rule(form: &Fields, flow: FlowKind, errors: &mut FieldErrors) -> Option<FieldRule> {
    let target = form.get("target").trim().to_owned();
    if target.is_empty() {
        errors.add_message("target", "Choose the target field.");
        return None;
    }
    if !target_fields(flow).iter().any(|field| field.target == target) {
        errors.add_message(
            "target",
            format!("`{target}` is not a target field of the {flow} flow."),
        );
        return None;
    }
    let value = form.get("source_value");
    let source = match form.get("source_kind") {
        "path" if value.trim().is_empty() => {
            errors.add_message("source_value", "Enter the source field, e.g. customer.email.");
            return None;
        }
        "path" => Source::Path(value.trim().to_owned()),
        "constant" => Source::Constant(value.to_owned()),
        _ => Source::Default,
    };
    let mut transforms = Vec::new();
    for (index, name) in ROW_FIELDS.iter().enumerate() {
        let n = index + 1;
        let op = form.get(&format!("op_{n}"));
        if op.is_empty() {
            continue;
        }
        let args = [
            form.get(&format!("a1_{n}")),
            form.get(&format!("a2_{n}")),
            form.get(&format!("a3_{n}")),
        ];
        match transform_of(op, args) {
            Ok(transform) => transforms.push(transform),
            Err(message) => errors.add_message(name, message),
        }
    }
    let rule = FieldRule {
        target,
        source,
        transforms,
    };
    if errors.is_empty() {
        // The checks the API makes too (source fields exist, formats parse, ...).
        for problem in FieldMap(vec![rule.clone()]).problems(flow) {
            let about_source =
                matches!(&rule.source, Source::Path(p) if problem.contains(&format!("`{}` is not", p.trim())));
            let field = if about_source { "source_value" } else { "rule" };
            errors.add_message(field, capitalise(&problem));
        }
    }
    Some(rule)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn decimal(text: &str, what: &str) -> Result<Decimal, String> {
    text.trim()
        .replace(',', ".")
        .parse::<Decimal>()
        .map_err(|_| format!("{what}: {:?} is not a number.", text.trim()))
}

fn required<'a>(text: &'a str, what: &str) -> Result<&'a str, String> {
    if text.trim().is_empty() {
        Err(format!("{what} is required."))
    } else {
        Ok(text)
    }
}

fn optional(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.trim().to_owned())
}

/// A transform from its form row.
fn transform_of(op: &str, [a1, a2, a3]: [&str; 3]) -> Result<Transform, String> {
    Ok(match op {
        "trim" => Transform::Trim,
        "upper" => Transform::Upper,
        "lower" => Transform::Lower,
        "digits_only" => Transform::DigitsOnly,
        "truncate" => Transform::Truncate {
            n: a1
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or("Truncate: the length must be a whole number of at least 1.")?,
        },
        "default_if_empty" => Transform::DefaultIfEmpty {
            value: required(a1, "Default when empty: the value")?.to_owned(),
        },
        "lookup" => {
            let mut table = BTreeMap::new();
            for entry in a1.split(';').filter(|e| !e.trim().is_empty()) {
                let (key, value) = entry
                    .split_once('=')
                    .ok_or_else(|| format!("Lookup: {:?} is not KEY=VALUE.", entry.trim()))?;
                table.insert(key.trim().to_owned(), value.trim().to_owned());
            }
            if table.is_empty() {
                return Err("Lookup: enter at least one KEY=VALUE entry.".into());
            }
            Transform::Lookup {
                table,
                fallback: optional(a2),
            }
        }
        "concat" => {
            let parts: Vec<Source> = a1
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|part| match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                    Some(text) => Source::Constant(text.to_owned()),
                    None => Source::Path(part.to_owned()),
                })
                .collect();
            if parts.is_empty() {
                return Err("Concatenate: enter at least one part.".into());
            }
            Transform::Concat {
                parts,
                separator: a2.to_owned(),
            }
        }
        "date_format" => Transform::DateFormat {
            from: optional(a2),
            to: required(a1, "Date format: the output format")?.trim().to_owned(),
        },
        "round" => Transform::Round {
            decimals: a1
                .trim()
                .parse()
                .ok()
                .filter(|d| *d <= 10)
                .ok_or("Round: the decimals must be a whole number from 0 to 10.")?,
        },
        "add" => Transform::Add {
            amount: decimal(a1, "Add")?,
        },
        "multiply" => {
            let text = a1.trim();
            let factor = match text.strip_suffix('%') {
                Some(percent) => {
                    Decimal::ONE + decimal(percent.trim_start_matches('+'), "Multiply")? / Decimal::from(100)
                }
                None => decimal(text, "Multiply")?,
            };
            Transform::Multiply { factor }
        }
        "condition" => Transform::Condition {
            equals: a1.trim().to_owned(),
            then: a2.to_owned(),
            otherwise: optional(a3),
        },
        other => return Err(format!("{other:?} is not a transform.")),
    })
}

/// A transform as its form row.
fn row_of(transform: &Transform) -> (&'static str, String, String, String) {
    let none = String::new;
    match transform {
        Transform::Trim => ("trim", none(), none(), none()),
        Transform::Upper => ("upper", none(), none(), none()),
        Transform::Lower => ("lower", none(), none(), none()),
        Transform::DigitsOnly => ("digits_only", none(), none(), none()),
        Transform::Truncate { n } => ("truncate", n.to_string(), none(), none()),
        Transform::DefaultIfEmpty { value } => ("default_if_empty", value.clone(), none(), none()),
        Transform::Lookup { table, fallback } => (
            "lookup",
            table
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
            fallback.clone().unwrap_or_default(),
            none(),
        ),
        Transform::Concat { parts, separator } => ("concat", parts_text(parts), separator.clone(), none()),
        Transform::DateFormat { from, to } => ("date_format", to.clone(), from.clone().unwrap_or_default(), none()),
        Transform::Round { decimals } => ("round", decimals.to_string(), none(), none()),
        Transform::Add { amount } => ("add", amount.to_string(), none(), none()),
        Transform::Multiply { factor } => ("multiply", factor.to_string(), none(), none()),
        Transform::Condition {
            equals,
            then,
            otherwise,
        } => (
            "condition",
            equals.clone(),
            then.clone(),
            otherwise.clone().unwrap_or_default(),
        ),
    }
}

fn parts_text(parts: &[Source]) -> String {
    parts.iter().map(source_text).collect::<Vec<_>>().join("; ")
}

fn source_text(source: &Source) -> String {
    match source {
        Source::Default => "the default".to_owned(),
        Source::Path(path) => path.clone(),
        Source::Constant(value) => format!("\"{value}\""),
    }
}

/// A rule in words, for the table and the audit log.
pub fn describe(rule: &FieldRule) -> String {
    let mut text = source_text(&rule.source);
    for transform in &rule.transforms {
        let step = match transform {
            Transform::Trim => "trim".to_owned(),
            Transform::Upper => "upper case".to_owned(),
            Transform::Lower => "lower case".to_owned(),
            Transform::DigitsOnly => "digits only".to_owned(),
            Transform::Truncate { n } => format!("truncate to {n}"),
            Transform::DefaultIfEmpty { value } => format!("\"{value}\" when empty"),
            Transform::Lookup { table, fallback } => {
                let entries = table
                    .iter()
                    .map(|(k, v)| format!("{k}→{v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                match fallback {
                    Some(fallback) => format!("lookup {entries}, else {fallback}"),
                    None => format!("lookup {entries}"),
                }
            }
            Transform::Concat { parts, separator } => format!("+ {} (separator \"{separator}\")", parts_text(parts)),
            Transform::DateFormat { from: Some(from), to } => format!("date {from} → {to}"),
            Transform::DateFormat { from: None, to } => format!("date as {to}"),
            Transform::Round { decimals } => format!("round to {decimals} decimals"),
            Transform::Add { amount } => format!("add {amount}"),
            Transform::Multiply { factor } => format!("× {factor}"),
            Transform::Condition {
                equals,
                then,
                otherwise: Some(otherwise),
            } => format!("if \"{equals}\" then \"{then}\" else \"{otherwise}\""),
            Transform::Condition { equals, then, .. } => format!("if \"{equals}\" then \"{then}\""),
        };
        text.push_str(" → ");
        text.push_str(&step);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_rows_and_transforms_convert_both_ways() {
        let rows: &[(&str, [&str; 3])] = &[
            ("trim", ["", "", ""]),
            ("truncate", ["10", "", ""]),
            ("default_if_empty", ["NL", "", ""]),
            ("lookup", ["PIN=02; CASH=01", "99", ""]),
            ("concat", ["customer.last_name; \"shop\"", " ", ""]),
            ("date_format", ["%d-%m-%Y", "%Y-%m-%d", ""]),
            ("round", ["2", "", ""]),
            ("add", ["2.50", "", ""]),
            ("multiply", ["1.05", "", ""]),
            ("condition", ["NL", "Nederland", "Buitenland"]),
        ];
        for (op, args) in rows {
            let transform = transform_of(op, *args).unwrap();
            let (back_op, a1, a2, a3) = row_of(&transform);
            assert_eq!(back_op, *op);
            assert_eq!(transform_of(back_op, [&a1, &a2, &a3]).unwrap(), transform, "{op}");
        }
        assert_eq!(
            transform_of("multiply", ["+5%", "", ""]).unwrap(),
            Transform::Multiply {
                factor: "1.05".parse().unwrap()
            }
        );
        assert_eq!(
            transform_of("multiply", ["-10 %", "", ""]).unwrap(),
            Transform::Multiply {
                factor: "0.90".parse().unwrap()
            }
        );
        assert!(transform_of("truncate", ["0", "", ""]).is_err());
        assert!(
            transform_of("lookup", ["PIN", "", ""])
                .unwrap_err()
                .contains("KEY=VALUE")
        );
        assert!(
            transform_of("add", ["twee", "", ""])
                .unwrap_err()
                .contains("not a number")
        );
    }
}

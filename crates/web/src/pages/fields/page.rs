//! The editor's page: the default mapping with the tenant's rules, the rule form with its transform rows, and
//! the form shown again with what was entered and its errors.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use koppel_core::{FlowKind, TenantId};
use koppel_sync::field_map::{FieldMap, FieldRule, Source, source_paths, target_fields};

use super::describe::describe;
use super::preview::PreviewView;
use super::rule_form::row_of;
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::pages::Layout;
use crate::pages::setup::Fields;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// Transform rows in the form.
const ROWS: usize = 5;
pub(super) const ROW_FIELDS: [&str; ROWS] = [
    "transform_1",
    "transform_2",
    "transform_3",
    "transform_4",
    "transform_5",
];

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

pub(super) async fn page(
    state: &AppState,
    ctx: &TenantContext,
    flow: FlowKind,
    map: &FieldMap,
) -> AppResult<FieldsPage> {
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
pub(super) fn fill_form(page: &mut FieldsPage, rule: &FieldRule) {
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
pub(super) fn keep_input(page: &mut FieldsPage, form: &Fields) {
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

pub(super) async fn rerender(
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

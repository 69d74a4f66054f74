//! Daily reconciliation for accountants: per day, the till's sales (count, total incl. VAT, VAT per rate) against
//! what AFAS holds of them as last read back, with the sales missing from the books or differing, each linked to
//! its record; as a page, as CSV, and (through [`load`]) as JSON. "Check again with AFAS" reads the range back.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate, Utc};
use koppel_core::{FlowKind, TenantId};
use koppel_store::sales::{self, SaleRow};
use koppel_store::{Db, TenantScope};
use koppel_sync::sales::{BookedTotals, HeldSale, ReconciledDay, TillTotals, reconcile};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use super::Layout;
use super::activity::csv_field;
use crate::api::flows::queue_run;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenant::TenantContext;

/// The longest range one request reconciles.
pub const MAX_DAYS: i64 = 366;
/// The range shown when none is asked for: the last week, today included.
const DEFAULT_DAYS: i64 = 7;

/// `from` and `to` as the page's form and the API take them: `YYYY-MM-DD`, both included.
#[derive(Debug, Default, Deserialize)]
pub struct RangeParams {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

impl RangeParams {
    /// The range asked for, or the last week when neither is given; an error message otherwise.
    pub fn parse(&self, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), String> {
        let date = |name: &str, text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| format!("`{name}` must be a date as YYYY-MM-DD, e.g. {today}."))
        };
        let week_before = |day: NaiveDate| day.checked_sub_signed(Duration::days(DEFAULT_DAYS - 1)).unwrap_or(day);
        let (from, to) = match (self.from.trim(), self.to.trim()) {
            ("", "") => (week_before(today), today),
            ("", to) => {
                let to = date("to", to)?;
                (week_before(to), to)
            }
            (from, "") => {
                let from = date("from", from)?;
                let week = from
                    .checked_add_signed(Duration::days(DEFAULT_DAYS - 1))
                    .unwrap_or(from);
                (from, week.min(today.max(from)))
            }
            (from, to) => (date("from", from)?, date("to", to)?),
        };
        if from > to {
            return Err("`from` must not be after `to`.".to_owned());
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(format!("A range covers at most {MAX_DAYS} days."));
        }
        Ok((from, to))
    }
}

/// The reconciliation of a range, with each sale's record to link to.
pub struct Reconciliation {
    pub days: Vec<ReconciledDay>,
    /// Till number → the journal entry that last wrote its sale.
    pub records: HashMap<String, Uuid>,
}

/// The company's sales of `from` to `to` held against what AFAS holds of them.
pub async fn load(db: &Db, scope: &TenantScope, from: NaiveDate, to: NaiveDate) -> AppResult<Reconciliation> {
    let rows = sales::in_days(db, scope, from, to).await?;
    let mut records = HashMap::new();
    let mut held = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(entry) = row.entry_id {
            records.insert(row.number.clone(), entry);
        }
        held.push(held_sale(row)?);
    }
    Ok(Reconciliation {
        days: reconcile(from, to, &held),
        records,
    })
}

fn held_sale(row: SaleRow) -> AppResult<HeldSale> {
    let decimal = |text: &str| text.parse::<Decimal>().map_err(stored);
    let booked = match &row.booked_total_incl {
        Some(total) => Some(BookedTotals {
            total_incl: decimal(total)?,
            vat: row.booked_vat.as_deref().map(decimal).transpose()?,
        }),
        None => None,
    };
    Ok(HeldSale {
        till: TillTotals::from_stored(row.number, &row.sale_date, &row.till_total_incl, &row.till_vat)
            .map_err(stored)?,
        target_id: row.target_id,
        checked: row.checked_at_ms.is_some(),
        booked,
        warning: row.warning,
    })
}

/// A stored sale Koppel cannot read back (it wrote it itself, so this is a bug, not bad input).
fn stored(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("a stored sale: {error}"))
}

/// Money as Dutch and Belgian bookkeepers write it: `€ 1.234,56`, `-€ 0,01`.
pub fn money(amount: Decimal) -> String {
    let rounded = amount.round_dp(2);
    let text = format!("{:.2}", rounded.abs());
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}€ {grouped},{cents}")
}

/// `21% € 4,34 · 9% € 0,83`.
fn vat_text(by_rate: &BTreeMap<String, Decimal>) -> String {
    let parts: Vec<String> = by_rate
        .iter()
        .map(|(rate, vat)| match rate.as_str() {
            "mixed" => format!("mixed rates {}", money(*vat)),
            rate => format!("{rate}% {}", money(*vat)),
        })
        .collect();
    if parts.is_empty() {
        "–".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// A till number on the page, linked to its record when it has one.
pub struct SaleLink {
    pub number: String,
    pub entry: Option<Uuid>,
}

pub struct DayRow {
    pub date: String,
    pub till_orders: u64,
    pub till_total: String,
    pub till_vat: String,
    pub booked_orders: u64,
    pub booked_total: String,
    pub booked_vat: String,
    pub difference: String,
    pub balanced: bool,
    pub missing: Vec<SaleLink>,
    pub differing: Vec<SaleLink>,
    pub unchecked: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "reconciliation.html")]
pub struct ReconciliationPage {
    pub layout: Layout,
    pub tenant_id: TenantId,
    pub can_write: bool,
    pub from: String,
    pub to: String,
    pub error: Option<String>,
    pub days: Vec<DayRow>,
    pub csv_href: String,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: TenantContext,
    Query(params): Query<RangeParams>,
) -> AppResult<Response> {
    let tenant_id = ctx.scope.tenant_id();
    let layout = Layout::for_user(&state, &ctx.user, "Reconciliation", Some(tenant_id)).await?;
    let (range, error) = match params.parse(Utc::now().date_naive()) {
        Ok(range) => (Some(range), None),
        Err(message) => (None, Some(message)),
    };
    let days = match range {
        Some((from, to)) => {
            let loaded = load(&state.db, &ctx.scope, from, to).await?;
            let link = |number: &String| SaleLink {
                number: number.clone(),
                entry: loaded.records.get(number).copied(),
            };
            loaded
                .days
                .iter()
                .rev()
                .map(|day| DayRow {
                    date: day.date.format("%d-%m-%Y").to_string(),
                    till_orders: day.till_orders,
                    till_total: money(day.till_total_incl),
                    till_vat: vat_text(&day.till_vat_by_rate),
                    booked_orders: day.booked_orders,
                    booked_total: money(day.booked_total_incl),
                    booked_vat: vat_text(&day.booked_vat_by_rate),
                    difference: money(day.difference),
                    balanced: day.difference.is_zero() && day.missing.is_empty() && day.differing.is_empty(),
                    missing: day.missing.iter().map(link).collect(),
                    differing: day.differing.iter().map(link).collect(),
                    unchecked: day.unchecked.len(),
                })
                .collect()
        }
        None => Vec::new(),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let (from, to) = range.map_or((params.from.clone(), params.to.clone()), |(from, to)| {
        (from.to_string(), to.to_string())
    });
    let csv_href = format!("/t/{tenant_id}/reconciliation.csv?from={from}&to={to}");
    let page = ReconciliationPage {
        layout,
        tenant_id,
        can_write: ctx.scope.role().can_write(),
        from,
        to,
        error,
        days,
        csv_href,
    };
    Ok((status, page).into_response())
}

pub const CSV_HEADER: &str = "date,till_orders,till_total_incl,till_vat_by_rate,booked_orders,booked_total_incl,\
booked_vat_by_rate,difference,missing,differing,unchecked\r\n";

/// The range as CSV: one line per day, amounts as exact decimals with a point, VAT as `rate:amount` pairs.
pub async fn csv(
    State(state): State<AppState>,
    ctx: TenantContext,
    Query(params): Query<RangeParams>,
) -> AppResult<Response> {
    let (from, to) = match params.parse(Utc::now().date_naive()) {
        Ok(range) => range,
        Err(message) => return Ok((StatusCode::BAD_REQUEST, message).into_response()),
    };
    let loaded = load(&state.db, &ctx.scope, from, to).await?;
    let mut out = String::from(CSV_HEADER);
    let pairs = |by_rate: &BTreeMap<String, Decimal>| {
        let pairs: Vec<String> = by_rate.iter().map(|(rate, vat)| format!("{rate}:{vat}")).collect();
        pairs.join(" ")
    };
    for day in &loaded.days {
        let fields = [
            day.date.to_string(),
            day.till_orders.to_string(),
            day.till_total_incl.to_string(),
            pairs(&day.till_vat_by_rate),
            day.booked_orders.to_string(),
            day.booked_total_incl.to_string(),
            pairs(&day.booked_vat_by_rate),
            day.difference.to_string(),
            day.missing.join(" "),
            day.differing.join(" "),
            day.unchecked.join(" "),
        ];
        for (index, field) in fields.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            csv_field(&mut out, field);
        }
        out.push_str("\r\n");
    }
    let filename = format!("koppel-reconciliation-{from}-{to}.csv");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        out,
    )
        .into_response())
}

/// "Check again with AFAS": the range's booked sales are read back by the next run of their flows, queued now
/// (an accountant may have changed an order in AFAS since it was checked).
pub async fn check_again(
    State(state): State<AppState>,
    ctx: TenantContext,
    axum::Form(params): axum::Form<RangeParams>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let (from, to) = match params.parse(Utc::now().date_naive()) {
        Ok(range) => range,
        Err(message) => return Ok((StatusCode::BAD_REQUEST, message).into_response()),
    };
    let flows = sales::uncheck_days(&state.db, &ctx.scope, from, to).await?;
    for flow in flows {
        let Ok(flow) = flow.parse::<FlowKind>() else { continue };
        // A run already queued or running reads them back at its end just as well.
        let _queued_or_already_active = queue_run(&state, &ctx.scope, flow, "reconciliation").await?;
    }
    let tenant_id = ctx.scope.tenant_id();
    Ok(Redirect::to(&format!("/t/{tenant_id}/reconciliation?from={from}&to={to}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_the_dutch_way() {
        let cases = [
            ("1234.5", "€ 1.234,50"),
            ("-0.01", "-€ 0,01"),
            ("0", "€ 0,00"),
            ("1234567.891", "€ 1.234.567,89"),
        ];
        for (amount, written) in cases {
            assert_eq!(money(amount.parse().unwrap()), written);
        }
    }

    #[test]
    fn a_range_defaults_to_the_last_week_and_refuses_nonsense() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let parse = |from: &str, to: &str| {
            RangeParams {
                from: from.into(),
                to: to.into(),
            }
            .parse(today)
        };
        let week = (NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), today);
        assert_eq!(parse("", ""), Ok(week));
        assert!(parse("2026-12-05", "2026-12-01").unwrap_err().contains("after"));
        assert!(parse("04-12-2026", "").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse("2025-01-01", "2026-12-01").unwrap_err().contains("366"));
    }

    proptest::proptest! {
        #[test]
        fn any_range_is_a_range_or_a_message(from in ".{0,14}|[0-9]{4}-[0-9]{2}-[0-9]{2}", to in ".{0,14}|[0-9]{4}-[0-9]{2}-[0-9]{2}") {
            let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
            match (RangeParams { from, to }).parse(today) {
                Ok((from, to)) => proptest::prop_assert!(from <= to && (to - from).num_days() < MAX_DAYS),
                Err(message) => proptest::prop_assert!(!message.is_empty()),
            }
        }
    }
}

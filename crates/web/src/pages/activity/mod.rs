//! The activity log: search and filters (a GET form, so every result is a link), keyset pages, the filtered
//! result as CSV, and one record's detail: what came from MplusKASSA, what was sent to AFAS and what AFAS
//! answered, with what changed since the previous sync of the same record.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use koppel_core::{FlowKind, TenantId};
use koppel_store::activity::{self, ActivityFilter, Cursor};
use koppel_store::journal::EntrySummary;
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

mod csv;
mod entry;

pub use csv::{csv, csv_field};
pub use entry::entry;
pub(crate) use entry::pretty_value;

use super::Layout;
use crate::error::AppResult;
use crate::retry::RetryNote;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// Entries per page.
const PAGE_SIZE: u32 = 50;
/// Entries per database round trip while exporting CSV.
const CSV_CHUNK: u32 = 1000;

/// The entity types the flows journal, for the filter.
pub const ENTITIES: [&str; 6] = ["order", "invoice", "quotation", "customer", "article", "stock"];

/// The search form and the API's query string: every field optional text.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActivityParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub flow: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub cursor: String,
}

/// A time bound: unix milliseconds, an RFC 3339 instant, or a date (`2026-11-29`, a whole day in UTC).
/// `end` makes it inclusive as an upper bound (the day's end, or the instant itself).
fn parse_time(text: &str, end: bool) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let ms = if let Ok(ms) = text.parse::<i64>() {
        ms
    } else if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        instant.timestamp_millis()
    } else if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let day = if end { date.succ_opt().unwrap_or(date) } else { date };
        let ms = day.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis();
        return Ok(Some(ms));
    } else {
        return Err(format!(
            "{text:?} is not a date (2026-11-29), a time (2026-11-29T10:00:00Z) or unix milliseconds."
        ));
    };
    Ok(Some(if end { ms.saturating_add(1) } else { ms }))
}

impl ActivityParams {
    /// The store's filter and cursor, or a sentence saying which parameter is wrong.
    pub fn parse(&self) -> Result<(ActivityFilter, Option<Cursor>), String> {
        // A NUL or another control character is nothing a person searches for, and SQLite's full-text query
        // syntax cannot quote it: refused here instead of failing the search or a CSV download midway.
        if self.q.chars().any(char::is_control) {
            return Err("The search text contains a control character (such as a NUL byte); remove it.".to_owned());
        }
        let flow =
            match self.flow.trim() {
                "" => None,
                flow => Some(flow.parse::<FlowKind>().map_err(|_| {
                    format!("Unknown flow {flow:?}: use orders, receipts, customers, products or stock.")
                })?),
            };
        let outcome = match self.outcome.trim() {
            "" => None,
            outcome if activity::OUTCOMES.contains(&outcome) => Some(outcome.to_owned()),
            outcome => {
                return Err(format!(
                    "Unknown outcome {outcome:?}: use created, updated, skipped or failed."
                ));
            }
        };
        let entity = Some(self.entity.trim().to_owned()).filter(|e| !e.is_empty());
        let from_ms = parse_time(&self.from, false)?;
        let until_ms = parse_time(&self.to, true)?;
        let cursor = match self.cursor.trim() {
            "" => None,
            text => Some(Cursor::decode(text).ok_or("The page cursor is not valid; start from the first page.")?),
        };
        let filter = ActivityFilter {
            text: self.q.trim().chars().take(200).collect(),
            flow,
            outcome,
            entity,
            from_ms,
            until_ms,
        };
        Ok((filter, cursor))
    }

    /// The query string of these filters (without the cursor), for links to the next page and the CSV.
    pub fn filter_query(&self) -> String {
        [
            ("q", &self.q),
            ("flow", &self.flow),
            ("outcome", &self.outcome),
            ("entity", &self.entity),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| format!("{name}={}", encode_component(value.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub fn format_time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// An entry as a results row shows it.
pub struct Row {
    pub id: Uuid,
    pub time: String,
    pub flow: String,
    pub entity: String,
    pub source_id: String,
    pub target_id: String,
    pub outcome: String,
    pub reason: String,
    pub keys: String,
    /// For a failed entry: whether and when Koppel retries the record by itself.
    pub retry: Option<RetryNote>,
}

impl Row {
    /// The row of an entry, with its note from [`crate::retry::notes`].
    pub fn new(entry: EntrySummary, notes: &mut HashMap<Uuid, RetryNote>) -> Self {
        Self {
            retry: notes.remove(&entry.id),
            id: entry.id,
            time: format_time(entry.created_at_ms),
            flow: entry.flow,
            entity: entry.entity,
            source_id: entry.source_id,
            target_id: entry.target_id.unwrap_or_default(),
            outcome: entry.outcome,
            reason: entry.reason.unwrap_or_default(),
            keys: entry.search_keys,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "activity.html")]
pub struct ActivityPage {
    layout: Layout,
    tenant_id: TenantId,
    params: ActivityParams,
    error: Option<String>,
    rows: Vec<Row>,
    next_href: Option<String>,
    csv_href: String,
    first_page: bool,
    flows: Vec<&'static str>,
    outcomes: Vec<&'static str>,
    entities: Vec<&'static str>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: TenantContext,
    Query(params): Query<ActivityParams>,
) -> AppResult<Response> {
    let tenant_id = ctx.scope.tenant_id();
    let base = format!("/t/{tenant_id}/activity");
    let filter_query = params.filter_query();
    let (status, error, rows, next_href) = match params.parse() {
        Ok((filter, cursor)) => {
            let page = activity::search(&state.db, &ctx.scope, &filter, cursor.as_ref(), PAGE_SIZE).await?;
            let next_href = page.next.map(|next| {
                let separator = if filter_query.is_empty() { "" } else { "&" };
                format!("{base}?{filter_query}{separator}cursor={}", next.encode())
            });
            let mut notes = crate::retry::notes(&state, &ctx.scope, &page.entries).await?;
            let rows = page.entries.into_iter().map(|e| Row::new(e, &mut notes)).collect();
            (StatusCode::OK, None, rows, next_href)
        }
        Err(message) => (StatusCode::BAD_REQUEST, Some(message), Vec::new(), None),
    };
    let csv_href = if filter_query.is_empty() {
        format!("{base}.csv")
    } else {
        format!("{base}.csv?{filter_query}")
    };
    let page = ActivityPage {
        layout: Layout::for_user(&state, &ctx.user, "Activity", Some(tenant_id)).await?,
        tenant_id,
        first_page: params.cursor.trim().is_empty(),
        params,
        error,
        rows,
        next_href,
        csv_href,
        flows: FlowKind::ALL.iter().map(|f| f.as_str()).collect(),
        outcomes: activity::OUTCOMES.to_vec(),
        entities: ENTITIES.to_vec(),
    };
    Ok((status, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_bounds_accept_dates_instants_and_milliseconds() {
        assert_eq!(parse_time("", false), Ok(None));
        assert_eq!(parse_time("1000", false), Ok(Some(1000)));
        assert_eq!(parse_time("1000", true), Ok(Some(1001)));
        assert_eq!(parse_time("1970-01-02", false), Ok(Some(86_400_000)));
        assert_eq!(parse_time("1970-01-02", true), Ok(Some(2 * 86_400_000)));
        assert_eq!(parse_time("1970-01-01T00:00:01Z", false), Ok(Some(1000)));
        assert!(parse_time("yesterday", false).is_err());
        assert_eq!(encode_component("a b&c=é"), "a%20b%26c%3D%C3%A9");
    }

    proptest::proptest! {
        /// Any query string's values: a filter or a message, never a panic (`q` with NUL bytes included).
        #[test]
        fn any_parameters_are_a_filter_or_a_message(
            q in proptest::prelude::any::<String>(),
            flow in "(orders|receipts|stock|[a-z]{0,8})",
            outcome in "(created|failed|[a-z\u{0}]{0,8})",
            from in "([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{0,20}|.{0,12})",
            to in "([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z|[0-9]{0,20}|.{0,12})",
            cursor in ".{0,40}",
        ) {
            let params = ActivityParams { q, flow, outcome, entity: String::new(), from, to, cursor };
            if let Err(message) = params.parse() {
                proptest::prop_assert!(!message.is_empty());
            }
        }
    }
}

//! The activity log: search and filters (a GET form, so every result is a link), keyset pages, the filtered
//! result as CSV, and one record's detail: what came from MplusKASSA, what was sent to AFAS and what AFAS
//! answered, with what changed since the previous sync of the same record.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use koppel_core::{FlowKind, TenantId};
use koppel_store::activity::{self, ActivityFilter, Cursor, EntryDetail};
use koppel_store::journal::EntrySummary;
use koppel_store::{Db, TenantScope};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

use super::Layout;
use crate::error::{AppError, AppResult};
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
        let flow = match self.flow.trim() {
            "" => None,
            flow => Some(
                flow.parse::<FlowKind>()
                    .map_err(|_| format!("Unknown flow {flow:?}: use orders, customers, products or stock."))?,
            ),
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

/// One CSV field: quoted when it holds a separator, quote or line break; a leading `=`, `+`, `-`, `@`, tab or
/// carriage return gets a `'` in front, so spreadsheets show the text instead of running it as a formula.
pub fn csv_field(out: &mut String, value: &str) {
    let guarded;
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{value}");
        guarded.as_str()
    } else {
        value
    };
    if value.contains([',', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ') {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

pub const CSV_HEADER: &str =
    "time,flow,entity,source_id,target_id,outcome,reason,retryable,search_keys,run_id,entry_id\r\n";

pub fn csv_row(out: &mut String, entry: &EntrySummary) {
    let time = DateTime::<Utc>::from_timestamp_millis(entry.created_at_ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    let fields = [
        time.as_str(),
        entry.flow.as_str(),
        entry.entity.as_str(),
        entry.source_id.as_str(),
        entry.target_id.as_deref().unwrap_or(""),
        entry.outcome.as_str(),
        entry.reason.as_deref().unwrap_or(""),
        if entry.retryable { "true" } else { "false" },
        entry.search_keys.as_str(),
    ];
    for field in fields {
        csv_field(out, field);
        out.push(',');
    }
    out.push_str(&entry.run_id.to_string());
    out.push(',');
    out.push_str(&entry.id.to_string());
    out.push_str("\r\n");
}

/// Where the export is: the next chunk starts after `cursor`; `None` once done.
struct CsvState {
    db: Db,
    scope: TenantScope,
    filter: ActivityFilter,
    cursor: Option<Cursor>,
    header: bool,
}

/// The filtered result as CSV, streamed a thousand entries at a time (keyset pages, so memory stays flat
/// whatever the size).
pub async fn csv(
    State(state): State<AppState>,
    ctx: TenantContext,
    Query(params): Query<ActivityParams>,
) -> AppResult<Response> {
    let filter = match params.parse() {
        Ok((filter, _)) => filter,
        Err(message) => return Ok((StatusCode::BAD_REQUEST, message).into_response()),
    };
    let start = Some(CsvState {
        db: state.db.clone(),
        scope: ctx.scope.clone(),
        filter,
        cursor: None,
        header: true,
    });
    let stream = futures::stream::unfold(start, |state| async move {
        let mut state = state?;
        let mut chunk = String::new();
        if state.header {
            chunk.push_str(CSV_HEADER);
            state.header = false;
        }
        match activity::search(&state.db, &state.scope, &state.filter, state.cursor.as_ref(), CSV_CHUNK).await {
            Ok(page) => {
                for entry in &page.entries {
                    csv_row(&mut chunk, entry);
                }
                let next = page.next.map(|cursor| CsvState {
                    cursor: Some(cursor),
                    ..state
                });
                Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), next))
            }
            Err(error) => {
                tracing::error!(error = %error, "CSV export failed");
                Some((Err(std::io::Error::other(error.to_string())), None))
            }
        }
    });
    let filename = format!("koppel-activity-{}.csv", Utc::now().format("%Y%m%d-%H%M"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// One exchange with the target, as the detail shows it.
pub struct ExchangeView {
    pub operation: String,
    pub status: String,
    pub request: String,
    pub response: String,
}

#[derive(Deserialize)]
struct StoredExchange {
    #[serde(default)]
    operation: String,
    #[serde(default)]
    request: serde_json::Value,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    response: serde_json::Value,
}

/// Pretty-printed JSON, or the text as it is when it is not JSON.
pub fn pretty(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => pretty_value(&value),
        Err(_) => text.to_owned(),
    }
}

fn pretty_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        value => serde_json::to_string_pretty(value).unwrap_or_default(),
    }
}

fn exchanges(text: &str) -> Vec<ExchangeView> {
    match serde_json::from_str::<Vec<StoredExchange>>(text) {
        Ok(list) => list
            .into_iter()
            .map(|x| ExchangeView {
                operation: x.operation,
                status: x
                    .status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "no answer".to_owned()),
                request: pretty_value(&x.request),
                response: pretty_value(&x.response),
            })
            .collect(),
        Err(_) if text.trim().is_empty() => Vec::new(),
        Err(_) => vec![ExchangeView {
            operation: "(unreadable)".to_owned(),
            status: String::new(),
            request: text.to_owned(),
            response: String::new(),
        }],
    }
}

/// Everything sent to the target in one entry, as one text (for the diff).
fn sent_text(list: &[ExchangeView]) -> String {
    list.iter()
        .map(|x| format!("{}\n{}", x.operation, x.request))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A line of a diff.
pub struct DiffLine {
    /// `same`, `added`, `removed` or `skipped` (a run of unchanged lines left out).
    pub kind: &'static str,
    pub text: String,
}

impl DiffLine {
    pub fn marker(&self) -> &'static str {
        match self.kind {
            "added" => "+ ",
            "removed" => "- ",
            "same" => "  ",
            _ => "",
        }
    }
}

/// Unchanged lines shown around each change.
const CONTEXT: usize = 3;
/// Above this many cells the LCS table is not built; the diff then shows old as removed and new as added.
const MAX_CELLS: usize = 4_000_000;

/// A line diff of `old` → `new` (longest common subsequence), with long unchanged runs folded.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Common prefix and suffix need no table.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<(&'static str, &str)> = a[..prefix].iter().map(|l| ("same", *l)).collect();
    let (n, m) = (mid_a.len(), mid_b.len());
    if n * m <= MAX_CELLS {
        // lcs[i][j]: length of the LCS of mid_a[i..] and mid_b[j..].
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        let at = |i: usize, j: usize| i * (m + 1) + j;
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[at(i, j)] = if mid_a[i] == mid_b[j] {
                    lcs[at(i + 1, j + 1)] + 1
                } else {
                    lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && mid_a[i] == mid_b[j] {
                ops.push(("same", mid_a[i]));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
                ops.push(("removed", mid_a[i]));
                i += 1;
            } else {
                ops.push(("added", mid_b[j]));
                j += 1;
            }
        }
    } else {
        ops.extend(mid_a.iter().map(|l| ("removed", *l)));
        ops.extend(mid_b.iter().map(|l| ("added", *l)));
    }
    ops.extend(a[a.len() - suffix..].iter().map(|l| ("same", *l)));

    // Fold unchanged lines further than CONTEXT from any change.
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != "same").collect();
    let near = |k: usize| {
        let p = changed.partition_point(|&c| c < k);
        (p < changed.len() && changed[p] - k <= CONTEXT) || (p > 0 && k - changed[p - 1] <= CONTEXT)
    };
    let mut out = Vec::new();
    let mut skipped = 0;
    for (k, (kind, text)) in ops.iter().enumerate() {
        if *kind == "same" && !near(k) {
            skipped += 1;
            continue;
        }
        if skipped > 0 {
            out.push(DiffLine {
                kind: "skipped",
                text: format!("… {skipped} unchanged line{}", if skipped == 1 { "" } else { "s" }),
            });
            skipped = 0;
        }
        out.push(DiffLine {
            kind,
            text: (*text).to_owned(),
        });
    }
    if skipped > 0 && !out.is_empty() {
        out.push(DiffLine {
            kind: "skipped",
            text: format!("… {skipped} unchanged line{}", if skipped == 1 { "" } else { "s" }),
        });
    }
    out
}

/// The previous sync of the record, and what changed since.
pub struct Previous {
    pub id: Uuid,
    pub time: String,
    pub outcome: String,
    /// `None`: its payloads were removed (retention).
    pub source_diff: Option<Vec<DiffLine>>,
    pub sent_diff: Option<Vec<DiffLine>>,
}

#[derive(Template, WebTemplate)]
#[template(path = "activity_entry.html")]
pub struct EntryPage {
    layout: Layout,
    tenant_id: TenantId,
    entry: Row,
    run_id: Uuid,
    payloads_kept: bool,
    source: String,
    exchanges: Vec<ExchangeView>,
    previous: Option<Previous>,
    can_write: bool,
}

pub async fn entry(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, entry_id)): Path<(String, String)>,
) -> AppResult<EntryPage> {
    let entry_id: Uuid = entry_id.parse().map_err(|_| AppError::NotFound)?;
    let detail = activity::entry(&state.db, &ctx.scope, entry_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let previous = activity::previous(&state.db, &ctx.scope, &detail.entry).await?;
    let tenant_id = ctx.scope.tenant_id();
    let payloads_kept = detail.source_payload.is_some();
    let source = detail.source_payload.as_deref().map(pretty).unwrap_or_default();
    let exchanges = detail.exchanges.as_deref().map(exchanges).unwrap_or_default();
    let previous = previous.map(|p| compare(&p, payloads_kept.then_some((&source, &exchanges))));
    let title = format!("{} {}", detail.entry.entity, detail.entry.source_id);
    let mut notes = crate::retry::notes(&state, &ctx.scope, std::slice::from_ref(&detail.entry)).await?;
    Ok(EntryPage {
        can_write: ctx.scope.role().can_write(),
        layout: Layout::for_user(&state, &ctx.user, &title, Some(tenant_id)).await?,
        tenant_id,
        run_id: detail.entry.run_id,
        entry: Row::new(detail.entry, &mut notes),
        payloads_kept,
        source,
        exchanges,
        previous,
    })
}

fn compare(previous: &EntryDetail, current: Option<(&String, &Vec<ExchangeView>)>) -> Previous {
    let diffs = match (current, &previous.source_payload, &previous.exchanges) {
        (Some((source, sent)), Some(old_source), Some(old_exchanges)) => {
            let old_sent = sent_text(&exchanges(old_exchanges));
            Some((
                line_diff(&pretty(old_source), source),
                line_diff(&old_sent, &sent_text(sent)),
            ))
        }
        _ => None,
    };
    let (source_diff, sent_diff) = match diffs {
        Some((source, sent)) => (Some(source), Some(sent)),
        None => (None, None),
    };
    Previous {
        id: previous.entry.id,
        time: format_time(previous.entry.created_at_ms),
        outcome: previous.entry.outcome.clone(),
        source_diff,
        sent_diff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(lines: &[DiffLine]) -> Vec<String> {
        lines.iter().map(|l| format!("{}{}", l.marker(), l.text)).collect()
    }

    #[test]
    fn the_diff_shows_changes_with_context_and_folds_the_rest() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni";
        let new = "a\nb\nc\nd\ne\nF\ng\nh\ni\nj";
        assert_eq!(
            render(&line_diff(old, new)),
            vec![
                "… 2 unchanged lines",
                "  c",
                "  d",
                "  e",
                "- f",
                "+ F",
                "  g",
                "  h",
                "  i",
                "+ j"
            ]
        );
        assert!(line_diff("x\ny", "x\ny").is_empty(), "nothing changed: nothing to show");
        assert_eq!(render(&line_diff("", "a")), vec!["+ a"]);
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        for value in ["plain", "a,b", "say \"hi\"", "two\nlines", "=SUM(A1)", "-1"] {
            csv_field(&mut out, value);
            out.push('|');
        }
        assert_eq!(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|'=SUM(A1)|'-1|");
    }

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
}

//! The filtered activity log as CSV, streamed in keyset chunks; fields guarded against spreadsheet formulas.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use koppel_store::activity::{self, ActivityFilter, Cursor};
use koppel_store::journal::EntrySummary;
use koppel_store::{Db, TenantScope};

use super::{ActivityParams, CSV_CHUNK};
use crate::error::AppResult;
use crate::state::AppState;
use crate::tenant::TenantContext;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        for value in ["plain", "a,b", "say \"hi\"", "two\nlines", "=SUM(A1)", "-1"] {
            csv_field(&mut out, value);
            out.push('|');
        }
        assert_eq!(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|'=SUM(A1)|'-1|");
    }
}

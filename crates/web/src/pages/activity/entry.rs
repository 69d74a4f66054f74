//! One record's page: what came from MplusKASSA, what was sent to AFAS and what AFAS answered, with what changed
//! since the previous sync of the same record.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use koppel_core::{Direction, FlowKind, TenantId};
use koppel_store::activity::{self, EntryDetail};
use koppel_store::sales;
use serde::Deserialize;
use uuid::Uuid;

use super::{Row, format_time};
use crate::error::{AppError, AppResult};
use crate::pages::Layout;
use crate::state::AppState;
use crate::tenant::TenantContext;

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

/// Pretty-printed JSON; a text (a SOAP request as sent) as it is.
pub(crate) fn pretty_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(text) => text.clone(),
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
    /// A booked sale's difference from the till, as last read back from AFAS (for the sale's latest entry).
    sale_warning: Option<String>,
    /// Where the flow reads its records and where it writes them ("MplusKASSA" and "AFAS", or the other way).
    source_system: &'static str,
    target_system: &'static str,
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
    let direction = match detail.entry.flow.parse::<FlowKind>() {
        // The quotations flow goes the way its settings say (a record from before a switch reads as the way now).
        Ok(FlowKind::Quotations) => koppel_jobs::settings::load(&state.db, &ctx.scope, FlowKind::Quotations)
            .await?
            .direction(FlowKind::Quotations),
        Ok(flow) => flow.direction(),
        Err(_) => Direction::MplusToAfas,
    };
    let sale_warning = match detail.entry.flow.parse() {
        Ok(flow) => sales::of_record(&state.db, &ctx.scope, flow, &detail.entry.source_id)
            .await?
            .filter(|sale| sale.entry_id == Some(detail.entry.id))
            .and_then(|sale| sale.warning),
        Err(_) => None,
    };
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
        sale_warning,
        source_system: direction.source_system(),
        target_system: direction.target_system(),
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
}

//! Flow health for the tenant home: a light per flow and a chart of records per day by outcome.

use chrono::{DateTime, Utc};
use koppel_core::FlowKind;
use koppel_store::health::{self, DAY_MS};
use koppel_store::runs::{self, Run, RunId, RunStatus};
use koppel_store::{TenantScope, flows};

use crate::error::AppResult;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    /// Running fine.
    Green,
    /// An issue, or stopped.
    Orange,
    /// Failing.
    Red,
}

impl Light {
    pub fn css(self) -> &'static str {
        match self {
            Light::Green => "light-green",
            Light::Orange => "light-orange",
            Light::Red => "light-red",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Light::Green => "Running fine",
            Light::Orange => "Needs attention",
            Light::Red => "Failing",
        }
    }
}

pub struct FlowHealth {
    pub flow: FlowKind,
    pub light: Light,
    /// Why the light has its colour, in plain words.
    pub status: String,
    /// Where to see what the status is about (a stuck or failed run, the failed records) and the link's text.
    pub link: Option<(String, &'static str)>,
    pub last_success: Option<String>,
    pub failures_24h: i64,
    pub next_run: Option<String>,
}

pub fn format_time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%-d %b %Y %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// What the light of a flow is judged on.
struct Facts<'a> {
    enabled: bool,
    trial_over: bool,
    /// A running run the watchdog reported stuck.
    stuck: Option<&'a Run>,
    /// The latest run that ended (cancelled ones aside).
    last_finished: Option<&'a Run>,
    /// Records whose latest attempt failed and that nobody resolved yet.
    open_failures: i64,
}

/// Where a light's reason points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    Run(RunId),
    /// The flow's failed records in the activity log.
    Failures,
}

/// The light of one flow: red when a run is stuck or the last run failed; orange when it is off, the trial
/// has ended, or failed records are not resolved yet; green otherwise — so a light turns green as soon as the
/// failures are retried successfully or skipped. Returns the colour, the reason, and what it is about.
fn judge(facts: &Facts<'_>) -> (Light, String, Option<Subject>) {
    if facts.trial_over {
        return (Light::Orange, "Paused: the trial has ended.".to_owned(), None);
    }
    if let Some(run) = facts.stuck {
        let since = run.progress_at_ms.map(format_time).unwrap_or_default();
        let reason = format!("Stuck since {since}: the running run has booked nothing since.");
        return (Light::Red, reason, Some(Subject::Run(run.id)));
    }
    if let Some(run) = facts.last_finished.filter(|run| run.status == RunStatus::Failed) {
        let reason = run.error.as_deref().unwrap_or("no reason given");
        return (
            Light::Red,
            format!("The last run failed: {reason}"),
            Some(Subject::Run(run.id)),
        );
    }
    if !facts.enabled {
        return (Light::Orange, "Switched off.".to_owned(), None);
    }
    match (facts.open_failures, facts.last_finished) {
        (1, _) => (
            Light::Orange,
            "1 record failed and is not resolved yet.".to_owned(),
            Some(Subject::Failures),
        ),
        (n, _) if n > 1 => (
            Light::Orange,
            format!("{n} records failed and are not resolved yet."),
            Some(Subject::Failures),
        ),
        (_, None) => (Light::Green, "Waiting for its first run.".to_owned(), None),
        (_, Some(_)) => (Light::Green, "Running fine.".to_owned(), None),
    }
}

pub async fn flow_health(state: &AppState, scope: &TenantScope, trial_over: bool) -> AppResult<Vec<FlowHealth>> {
    let now_ms = koppel_store::now().timestamp_millis();
    let failures = health::failures_since(&state.db, scope, now_ms - DAY_MS).await?;
    let open = health::open_failures(&state.db, scope).await?;
    let successes = health::last_successes(&state.db, scope).await?;
    let configs = flows::list(&state.db, scope).await?;
    let mut result = Vec::new();
    for flow in FlowKind::ALL {
        let config = configs.iter().find(|c| c.flow == flow);
        let enabled = config.is_some_and(|c| c.enabled);
        let recent = runs::recent(&state.db, scope, flow, 10).await?;
        let facts = Facts {
            enabled,
            trial_over,
            stuck: recent
                .iter()
                .find(|run| run.status == RunStatus::Running && run.stuck_reported_at_ms.is_some()),
            last_finished: recent
                .iter()
                .find(|run| run.status.is_finished() && run.status != RunStatus::Cancelled),
            open_failures: open.iter().find(|(f, _)| *f == flow).map_or(0, |(_, n)| *n),
        };
        let (light, status, subject) = judge(&facts);
        result.push(FlowHealth {
            flow,
            light,
            status,
            link: subject.map(|subject| match subject {
                Subject::Run(id) => (format!("/t/{}/runs/{id}", scope.tenant_id()), "See the run"),
                Subject::Failures => (
                    format!("/t/{}/activity?flow={flow}&outcome=failed", scope.tenant_id()),
                    "See the failed records",
                ),
            }),
            last_success: successes
                .iter()
                .find(|(f, _)| *f == flow)
                .map(|(_, at)| format_time(*at)),
            failures_24h: failures.iter().find(|(f, _)| *f == flow).map_or(0, |(_, n)| *n),
            next_run: config
                .and_then(|c| c.next_run_at_ms)
                .filter(|_| enabled)
                .map(format_time),
        });
    }
    Ok(result)
}

/// One bar segment of the chart, in SVG user units.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    pub outcome: &'static str,
    pub title: String,
}

pub struct Chart {
    pub bars: Vec<Bar>,
    pub labels: Vec<(i64, String)>,
    pub max: i64,
    pub total: i64,
}

pub const CHART_DAYS: i64 = 14;
const CHART_HEIGHT: i64 = 120;
const BAR_STEP: i64 = 40;
const OUTCOMES: [&str; 4] = ["created", "updated", "skipped", "failed"];

/// Stacked bars of the last 14 days, scaled to the busiest day.
pub async fn activity_chart(state: &AppState, scope: &TenantScope) -> AppResult<Chart> {
    let today = koppel_store::now().timestamp_millis() / DAY_MS;
    let first = today - CHART_DAYS + 1;
    let rows = health::records_per_day(&state.db, scope, first * DAY_MS).await?;
    let count = |day: i64, outcome: &str| {
        rows.iter()
            .filter(|r| r.0 == day && r.1 == outcome)
            .map(|r| r.2)
            .sum::<i64>()
    };
    let max = (first..=today)
        .map(|day| OUTCOMES.iter().map(|o| count(day, o)).sum::<i64>())
        .max()
        .unwrap_or(0);
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    for (index, day) in (first..=today).enumerate() {
        let x = index as i64 * BAR_STEP + 10;
        let mut top = CHART_HEIGHT;
        let date = DateTime::<Utc>::from_timestamp_millis(day * DAY_MS).unwrap_or_default();
        for outcome in OUTCOMES {
            let n = count(day, outcome);
            if n == 0 || max == 0 {
                continue;
            }
            let height = (n * CHART_HEIGHT / max).max(1);
            top -= height;
            bars.push(Bar {
                x,
                y: top,
                height,
                outcome,
                title: format!("{}: {n} {outcome}", date.format("%-d %b")),
            });
        }
        labels.push((x + 14, date.format("%-d/%-m").to_string()));
    }
    let total = rows.iter().map(|r| r.2).sum();
    Ok(Chart {
        bars,
        labels,
        max,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(status: RunStatus, failed: i64) -> Run {
        Run {
            id: RunId(uuid::Uuid::nil()),
            tenant_id: koppel_core::TenantId(uuid::Uuid::nil()),
            flow: FlowKind::Orders,
            status,
            trigger_kind: "test".into(),
            queued_at_ms: 0,
            started_at_ms: Some(0),
            finished_at_ms: None,
            created: 1,
            updated: 0,
            skipped: 0,
            failed,
            done: 0,
            total: 0,
            attempts: 1,
            error: Some("AFAS refused the administration".into()),
            cancel_requested: false,
            retry_source_ids: None,
            lease_owner: None,
            lease_until_ms: None,
            takeovers: 0,
            takeover_mark: 0,
            progress_at_ms: Some(0),
            stuck_reported_at_ms: Some(0),
        }
    }

    fn facts<'a>(enabled: bool, stuck: Option<&'a Run>, last: Option<&'a Run>, open_failures: i64) -> Facts<'a> {
        Facts {
            enabled,
            trial_over: false,
            stuck,
            last_finished: last,
            open_failures,
        }
    }

    #[test]
    fn lights_follow_the_rules() {
        let ok = run(RunStatus::Succeeded, 0);
        let partly = run(RunStatus::SucceededWithFailures, 3);
        let failed = run(RunStatus::Failed, 0);
        let running = run(RunStatus::Running, 0);
        assert_eq!(judge(&facts(true, None, Some(&ok), 0)).0, Light::Green);
        assert_eq!(judge(&facts(true, None, None, 0)).0, Light::Green);
        assert_eq!(judge(&facts(false, None, Some(&ok), 0)).0, Light::Orange);
        let (light, reason, subject) = judge(&facts(true, None, Some(&partly), 3));
        assert_eq!(
            (light, reason.as_str(), subject),
            (
                Light::Orange,
                "3 records failed and are not resolved yet.",
                Some(Subject::Failures)
            )
        );
        // Its failures were retried successfully or skipped since: green again.
        assert_eq!(judge(&facts(true, None, Some(&partly), 0)).0, Light::Green);
        let (light, reason, subject) = judge(&facts(true, None, Some(&failed), 0));
        assert_eq!((light, subject), (Light::Red, Some(Subject::Run(failed.id))));
        assert!(reason.ends_with("AFAS refused the administration"), "{reason}");
        let (light, reason, _) = judge(&facts(true, Some(&running), Some(&ok), 0));
        assert_eq!(light, Light::Red);
        assert!(reason.starts_with("Stuck since 1 Jan 1970 00:00 UTC"), "{reason}");
        let over = Facts {
            trial_over: true,
            ..facts(true, None, Some(&ok), 0)
        };
        assert_eq!(judge(&over).0, Light::Orange);
    }
}

//! Flow health for the tenant home: a light per flow and a chart of records per day by outcome.

use chrono::{DateTime, Utc};
use koppel_core::FlowKind;
use koppel_store::health::{self, DAY_MS};
use koppel_store::runs::{self, RunStatus};
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
    pub last_success: Option<String>,
    pub failures_24h: i64,
    pub next_run: Option<String>,
}

pub fn format_time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%-d %b %Y %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The light of one flow: red when its last run failed, orange when it is off, not yet run, or records
/// failed in the last 24 hours, green otherwise.
fn judge(enabled: bool, last_finished: Option<RunStatus>, failures_24h: i64, trial_over: bool) -> (Light, String) {
    match (enabled, last_finished) {
        _ if trial_over => (Light::Orange, "Paused: the trial has ended.".to_owned()),
        (_, Some(RunStatus::Failed)) => (Light::Red, "The last run failed.".to_owned()),
        (false, _) => (Light::Orange, "Switched off.".to_owned()),
        _ if failures_24h > 0 => (
            Light::Orange,
            format!("{failures_24h} records failed in the last 24 hours."),
        ),
        (true, None) => (Light::Green, "Waiting for its first run.".to_owned()),
        (true, Some(_)) => (Light::Green, "Running fine.".to_owned()),
    }
}

pub async fn flow_health(state: &AppState, scope: &TenantScope, trial_over: bool) -> AppResult<Vec<FlowHealth>> {
    let now_ms = koppel_store::now().timestamp_millis();
    let failures = health::failures_since(&state.db, scope, now_ms - DAY_MS).await?;
    let successes = health::last_successes(&state.db, scope).await?;
    let configs = flows::list(&state.db, scope).await?;
    let mut result = Vec::new();
    for flow in FlowKind::ALL {
        let config = configs.iter().find(|c| c.flow == flow);
        let enabled = config.is_some_and(|c| c.enabled);
        let last_finished = runs::recent(&state.db, scope, flow, 10)
            .await?
            .into_iter()
            .find(|run| run.status.is_finished() && run.status != RunStatus::Cancelled)
            .map(|run| run.status);
        let failures_24h = failures.iter().find(|(f, _)| *f == flow).map_or(0, |(_, n)| *n);
        let (light, status) = judge(enabled, last_finished, failures_24h, trial_over);
        result.push(FlowHealth {
            flow,
            light,
            status,
            last_success: successes
                .iter()
                .find(|(f, _)| *f == flow)
                .map(|(_, at)| format_time(*at)),
            failures_24h,
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

    #[test]
    fn lights_follow_the_rules() {
        assert_eq!(judge(true, Some(RunStatus::Succeeded), 0, false).0, Light::Green);
        assert_eq!(judge(true, None, 0, false).0, Light::Green);
        assert_eq!(judge(true, Some(RunStatus::Succeeded), 3, false).0, Light::Orange);
        assert_eq!(judge(false, Some(RunStatus::Succeeded), 0, false).0, Light::Orange);
        assert_eq!(judge(true, Some(RunStatus::Failed), 0, false).0, Light::Red);
        assert_eq!(judge(true, Some(RunStatus::Succeeded), 0, true).0, Light::Orange);
    }
}

//! The scheduler: every tick, claim the flows that are due and queue a run for each. Claims are atomic
//! compare-and-set updates of `next_run_at_ms`, so any number of processes can tick on one database and a
//! due run is queued once.

use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use koppel_core::FlowKind;
use koppel_store::runs::{self, RunId};
use koppel_store::{Db, StoreError, TenantScope, flows};

use crate::queue::{JobQueue, QueueError, RunFlowJob};

/// A queued run nobody started for this long lost its job (e.g. a crash between queueing and pushing).
pub const STALE_QUEUED_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("{0:?} is not a valid schedule: use a cron expression with seconds, e.g. `0 */5 * * * *`")]
    Invalid(String),
    #[error(
        "{0:?} runs more often than once a minute; a flow runs at most every minute, e.g. `0 * * * * *` (every \
         five minutes: `0 */5 * * * *`)"
    )]
    TooFrequent(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// The first time after `after` that `schedule` (cron with seconds) fires.
pub fn next_run_after(schedule: &str, after: DateTime<Utc>) -> Result<DateTime<Utc>, ScheduleError> {
    let parsed = cron::Schedule::from_str(schedule).map_err(|_| ScheduleError::Invalid(schedule.to_owned()))?;
    parsed
        .after(&after)
        .next()
        .ok_or_else(|| ScheduleError::Invalid(schedule.to_owned()))
}

/// Checks a schedule someone typed.
pub fn validate_schedule(schedule: &str) -> Result<(), ScheduleError> {
    let now = Utc::now();
    next_run_after(schedule, now)?;
    let parsed = cron::Schedule::from_str(schedule).map_err(|_| ScheduleError::Invalid(schedule.to_owned()))?;
    // A day of firings shows any repetition within a minute (`*/10 * * * * *`, `0,30 * * * * *`); a schedule
    // that fires more often than once a minute has more than 1,440 in a day, so 1,500 are enough.
    let horizon = now + chrono::Duration::days(1);
    let firings: Vec<DateTime<Utc>> = parsed.after(&now).take_while(|at| *at <= horizon).take(1_500).collect();
    if firings
        .windows(2)
        .any(|pair| pair[1] - pair[0] < chrono::Duration::seconds(60))
    {
        return Err(ScheduleError::TooFrequent(schedule.to_owned()));
    }
    Ok(())
}

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tick {
    pub queued: Vec<(FlowKind, RunId)>,
    pub requeued_stale: usize,
}

/// Queues a run for every flow due at `now` that this process manages to claim.
pub async fn tick(db: &Db, queue: &JobQueue, now: DateTime<Utc>) -> Result<Tick, ScheduleError> {
    let now_ms = now.timestamp_millis();
    let mut result = Tick::default();
    for due in flows::due(db, now_ms, 200).await? {
        let next = next_run_after(&due.schedule, now).ok().map(|t| t.timestamp_millis());
        if !flows::claim(db, due.tenant_id, due.flow, due.next_run_at_ms, next).await? {
            continue; // another scheduler took it
        }
        if due.trial_ends_at <= now {
            continue; // an expired trial gets no runs
        }
        let scope = TenantScope::for_background_job(due.tenant_id);
        match runs::create(db, &scope, due.flow, "schedule", now_ms).await {
            Ok(run_id) => {
                queue
                    .push(
                        RunFlowJob {
                            tenant_id: due.tenant_id,
                            flow: due.flow,
                            run_id,
                        },
                        None,
                    )
                    .await?;
                result.queued.push((due.flow, run_id));
            }
            // The previous run is still queued or running: this one is not needed.
            Err(StoreError::Conflict) => {}
            Err(other) => return Err(other.into()),
        }
    }
    for stale in runs::stale_queued(db, now_ms, STALE_QUEUED_MS).await? {
        let job = RunFlowJob {
            tenant_id: stale.tenant_id,
            flow: stale.flow,
            run_id: stale.id,
        };
        queue.push(job, None).await?;
        result.requeued_stale += 1;
    }
    Ok(result)
}

/// Milliseconds since the epoch as a time (for tests and callers holding stored values).
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_five_minutes_and_bad_expressions() {
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 10, 2, 30).unwrap();
        assert_eq!(
            next_run_after("0 */5 * * * *", at).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 29, 10, 5, 0).unwrap()
        );
        assert!(validate_schedule("every five minutes").is_err());
        assert!(validate_schedule("0 0 2 * * *").is_ok());
        assert!(validate_schedule("0 0 3 1 1 *").is_ok(), "once a year");
        assert!(
            validate_schedule("0 * * * * *").is_ok(),
            "every minute is the most frequent"
        );
        for too_often in ["* * * * * *", "*/10 * * * * *", "0,30 * * * * *"] {
            assert!(
                matches!(validate_schedule(too_often), Err(ScheduleError::TooFrequent(_))),
                "{too_often}"
            );
        }
    }
}

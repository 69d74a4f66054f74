//! When and how long to wait before trying an AFAS call again: exponential back-off with full jitter for
//! transient failures, AFAS's own `retry_after` for maintenance, and a bounded number of attempts.

use std::time::Duration;

use crate::AfasError;

/// Retry settings of one client.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in total, including the first (1 = never retry).
    pub max_attempts: u32,
    /// The back-off before the first retry; it doubles with every further retry.
    pub base_delay: Duration,
    /// The back-off never grows beyond this.
    pub max_delay: Duration,
    /// A maintenance window announcing a longer `retry_after` than this is not waited out in-process:
    /// the error goes back to the caller, which can reschedule the job.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before attempt `attempt + 1` after `error`, or `None` to give up. `is_write` marks requests
    /// that must not be sent twice when AFAS may already have processed them.
    pub(crate) fn delay_after(&self, attempt: u32, error: &AfasError, is_write: bool) -> Option<Duration> {
        if attempt >= self.max_attempts || !error.is_retryable() {
            return None;
        }
        if is_write && error.may_have_been_processed() {
            return None;
        }
        if let Some(retry_after) = error.retry_after() {
            return (retry_after <= self.max_retry_after).then_some(retry_after);
        }
        Some(self.backoff(attempt))
    }

    /// Full jitter: a random wait between zero and the exponential ceiling, so clients that failed together
    /// do not come back together.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self.base_delay.saturating_mul(1 << exponent).min(self.max_delay);
        ceiling.mul_f64(rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transient(processed: bool) -> AfasError {
        AfasError::Transient {
            message: "x".into(),
            may_have_been_processed: processed,
        }
    }

    #[test]
    fn backoff_stays_under_the_exponential_ceiling() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        for attempt in 1..8 {
            let delay = policy.delay_after(attempt, &transient(false), false).unwrap();
            let ceiling = Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_millis(350));
            assert!(delay <= ceiling, "attempt {attempt}: {delay:?} > {ceiling:?}");
        }
        assert!(policy.delay_after(10, &transient(false), false).is_none());
    }

    #[test]
    fn maintenance_waits_retry_after_unless_too_long() {
        let policy = RetryPolicy::default();
        let short = AfasError::Maintenance {
            retry_after: Duration::from_secs(1),
        };
        let long = AfasError::Maintenance {
            retry_after: Duration::from_secs(7200),
        };
        assert_eq!(policy.delay_after(1, &short, true), Some(Duration::from_secs(1)));
        assert_eq!(policy.delay_after(1, &long, true), None);
    }

    #[test]
    fn writes_are_not_resent_when_they_may_have_been_processed() {
        let policy = RetryPolicy::default();
        assert!(policy.delay_after(1, &transient(true), true).is_none());
        assert!(policy.delay_after(1, &transient(true), false).is_some());
        assert!(policy.delay_after(1, &transient(false), true).is_some());
        assert!(policy.delay_after(1, &AfasError::Unauthorized, false).is_none());
    }
}

//! Attempt limits for sign-in and signup, keyed by client address and by e-mail (governor's GCRA).
//!
//! The limits are per process: with several web processes an attacker gets N times the attempts, which
//! still makes guessing a 10-character password hopeless. A shared limiter can move into the database later.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::RateLimits;

pub struct Limiters {
    login_by_ip: DefaultKeyedRateLimiter<IpAddr>,
    login_by_email: DefaultKeyedRateLimiter<String>,
    signup_by_ip: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU32,
}

/// Refused: try again after this long.
#[derive(Debug, Clone, Copy)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_secs().max(1)
    }

    /// What the person is told.
    pub fn message(&self) -> String {
        format!(
            "Too many attempts. Wait {} seconds and try again.",
            self.retry_after_secs()
        )
    }

    /// Adds the `Retry-After` header to a response that refuses the attempt.
    pub fn attach_retry_after(&self, mut response: axum::response::Response) -> axum::response::Response {
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, self.retry_after_secs().into());
        response
    }
}

fn quota(count: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(count.max(1)).expect("at least one");
    Quota::with_period(period / burst.get())
        .expect("non-zero period")
        .allow_burst(burst)
}

fn check<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), Limited> {
    limiter.check_key(key).map_err(|not_until| Limited {
        retry_after: not_until.wait_time_from(DefaultClock::default().now()),
    })
}

impl Limiters {
    pub fn new(limits: &RateLimits) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            login_by_ip: RateLimiter::keyed(quota(limits.login_per_ip_per_minute, minute)),
            login_by_email: RateLimiter::keyed(quota(limits.login_per_email_per_minute, minute)),
            signup_by_ip: RateLimiter::keyed(quota(limits.signup_per_ip_per_hour, 60 * minute)),
            checks: AtomicU32::new(0),
        }
    }

    /// Counts a sign-in attempt for this address and e-mail (normalised).
    pub fn login(&self, ip: IpAddr, email: &str) -> Result<(), Limited> {
        self.housekeeping();
        check(&self.login_by_ip, &ip)?;
        check(&self.login_by_email, &email.trim().to_lowercase())
    }

    /// Counts the use of a mailed link (a signup's, a password reset's) from this address: the link's token is
    /// what a guesser would have to find, so its budget is the sign-in one per address. Not per e-mail: a person
    /// correcting a too-weak password on the form must not lock their own sign-in.
    pub fn link(&self, ip: IpAddr) -> Result<(), Limited> {
        self.housekeeping();
        check(&self.login_by_ip, &ip)
    }

    /// Counts a signup attempt for this address and e-mail.
    pub fn signup(&self, ip: IpAddr, email: &str) -> Result<(), Limited> {
        self.housekeeping();
        check(&self.signup_by_ip, &ip)?;
        // Signups also count against the address's sign-in budget: both guess at the same accounts.
        check(&self.login_by_email, &email.trim().to_lowercase())
    }

    /// Forgets keys whose budget is full again, now and then, so memory stays bounded.
    fn housekeeping(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.login_by_ip.retain_recent();
            self.login_by_email.retain_recent();
            self.signup_by_ip.retain_recent();
        }
    }
}

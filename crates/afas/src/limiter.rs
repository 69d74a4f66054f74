//! The process-wide cap on requests in flight per AFAS environment. AFAS documents a hard maximum of 8
//! parallel calls per environment, so every client for the same environment shares one semaphore.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::Environment;

/// AFAS's documented maximum of parallel calls per environment.
pub const MAX_CONCURRENT_REQUESTS: usize = 8;

fn shared_semaphores() -> &'static Mutex<HashMap<String, Arc<Semaphore>>> {
    static SEMAPHORES: OnceLock<Mutex<HashMap<String, Arc<Semaphore>>>> = OnceLock::new();
    SEMAPHORES.get_or_init(Default::default)
}

/// A client's view of the limits: the environment's shared cap, plus its own lower cap when configured.
#[derive(Debug, Clone)]
pub(crate) struct Limiter {
    environment: Arc<Semaphore>,
    own: Option<Arc<Semaphore>>,
}

/// Held while a request is in flight.
pub(crate) struct Permit {
    _environment: OwnedSemaphorePermit,
    _own: Option<OwnedSemaphorePermit>,
}

impl Limiter {
    /// `max_in_flight` above [`MAX_CONCURRENT_REQUESTS`] is lowered to it; 0 is treated as 1.
    pub(crate) fn new(environment: &Environment, max_in_flight: usize) -> Self {
        let shared = shared_semaphores()
            .lock()
            .expect("limiter registry lock")
            .entry(environment.base_url().to_ascii_lowercase())
            .or_insert_with(|| Arc::new(Semaphore::new(MAX_CONCURRENT_REQUESTS)))
            .clone();
        let own = (max_in_flight < MAX_CONCURRENT_REQUESTS).then(|| Arc::new(Semaphore::new(max_in_flight.max(1))));
        Self {
            environment: shared,
            own,
        }
    }

    pub(crate) async fn acquire(&self) -> Permit {
        // Take the client's own permit first, so a throttled client does not sit on environment permits.
        let own = match &self.own {
            Some(own) => Some(own.clone().acquire_owned().await.expect("semaphore never closed")),
            None => None,
        };
        let environment = self
            .environment
            .clone()
            .acquire_owned()
            .await
            .expect("semaphore never closed");
        Permit {
            _environment: environment,
            _own: own,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn clients_of_one_environment_share_the_cap() {
        let env = Environment::with_base_url("http://limiter-test.invalid");
        let a = Limiter::new(&env, 8);
        let b = Limiter::new(&env, 8);
        let mut held = Vec::new();
        for _ in 0..8 {
            held.push(a.acquire().await);
        }
        let blocked = tokio::time::timeout(std::time::Duration::from_millis(50), b.acquire()).await;
        assert!(blocked.is_err(), "a ninth request got through");
        held.pop();
        tokio::time::timeout(std::time::Duration::from_millis(50), b.acquire())
            .await
            .expect("a freed permit is available to the other client");
    }

    #[tokio::test]
    async fn a_lower_own_cap_applies() {
        let env = Environment::with_base_url("http://limiter-test-own.invalid");
        let limiter = Limiter::new(&env, 2);
        let _one = limiter.acquire().await;
        let _two = limiter.acquire().await;
        let blocked = tokio::time::timeout(std::time::Duration::from_millis(50), limiter.acquire()).await;
        assert!(blocked.is_err());
    }
}

//! [`CreateOnce`]: creating a debtor or an article in a company's AFAS at most once, whatever runs at the same
//! time (two flows, a run and its retry, two worker processes). A run looks up a page's debtors and articles
//! in batches and creates what is missing; between its look-up and its create another run may have created
//! the same one. So each create first claims its key in the database ([`koppel_store::claims`]):
//!
//! - a key nobody claimed is created at once (no extra call: nothing Koppel did can have created it since);
//! - a key another holder is creating is waited for, then found;
//! - a key already created, or whose holder stopped without saying, is looked up in AFAS again first, and
//!   created only if it is really not there.

use std::future::Future;
use std::time::Duration;

use koppel_store::claims::{self, Claim, ClaimKind, Holder};
use koppel_store::{Db, TenantScope};
use koppel_sync::ports::{ConnectorError, ConnectorResult, Creation, Exchange, Written};

/// How long a claim holds without its holder finishing: longer than one AFAS write with its retries, so a
/// slow create is never taken over; after it, a crashed holder's key is free again.
const HOLD: Duration = Duration::from_secs(120);
/// How long a create waits for another holder before giving up with a transient error (the record is retried).
const WAIT: Duration = Duration::from_secs(150);

/// Claims for one target (one run): its own holder name, the company's scope, and the run lease owner it
/// works under (so a killed process's claims are free once its runs are taken over).
pub struct CreateOnce {
    db: Db,
    scope: TenantScope,
    holder: String,
    lease_owner: Option<String>,
}

fn database(error: koppel_store::StoreError) -> ConnectorError {
    ConnectorError::transient(format!("database: {error}"), None)
}

fn now_ms() -> i64 {
    koppel_store::now().timestamp_millis()
}

impl CreateOnce {
    pub fn new(db: Db, scope: TenantScope) -> Self {
        Self {
            db,
            scope,
            holder: uuid::Uuid::new_v4().simple().to_string(),
            lease_owner: None,
        }
    }

    /// Claims made under this run lease owner are free as soon as it holds no live lease.
    pub fn under_lease(mut self, lease_owner: &str) -> Self {
        self.lease_owner = Some(lease_owner.to_owned());
        self
    }

    /// Creates the record of `key` with `create` (which returns the key AFAS gave it), unless `look_up` finds
    /// it in AFAS where another holder may have created it.
    pub async fn create<L, LF, C, CF>(
        &self,
        kind: ClaimKind,
        key: &str,
        what: &str,
        look_up: L,
        create: C,
    ) -> ConnectorResult<Written<Creation>>
    where
        L: Fn() -> LF,
        LF: Future<Output = ConnectorResult<Option<String>>>,
        C: FnOnce() -> CF,
        CF: Future<Output = ConnectorResult<Written<String>>>,
    {
        let (db, scope) = (&self.db, &self.scope);
        let holder = Holder {
            name: &self.holder,
            lease_owner: self.lease_owner.as_deref(),
            hold_ms: HOLD.as_millis() as i64,
        };
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(50);
        loop {
            let check_first = match claims::claim(db, scope, kind, key, &holder, now_ms())
                .await
                .map_err(database)?
            {
                Claim::Won { fresh } => !fresh,
                Claim::Created(afas_id) => {
                    if let Some(found) = look_up().await? {
                        return Ok(found_meanwhile(what, found));
                    }
                    // Created once but deleted in AFAS since: whoever notices first creates it again.
                    if !claims::reclaim_created(db, scope, kind, key, &afas_id, &holder, now_ms())
                        .await
                        .map_err(database)?
                    {
                        continue;
                    }
                    false
                }
                Claim::Busy => {
                    if started.elapsed() > WAIT {
                        return Err(ConnectorError::transient(
                            format!("another run of this company is still creating {what}; it is tried again later"),
                            None,
                        ));
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(500));
                    continue;
                }
            };
            if check_first {
                // The previous holder stopped without saying whether it created the record.
                if let Some(found) = look_up().await? {
                    self.complete(kind, key, &found).await;
                    return Ok(found_meanwhile(what, found));
                }
            }
            return match create().await {
                Ok(written) => {
                    self.complete(kind, key, &written.value).await;
                    Ok(Written {
                        value: Creation::Created(written.value),
                        exchange: written.exchange,
                    })
                }
                Err(error) => {
                    // Best effort: a claim left behind lapses after HOLD anyway.
                    if let Err(release) = claims::release(db, scope, kind, key, holder.name).await {
                        tracing::warn!(%release, "releasing a master-data claim failed");
                    }
                    Err(error)
                }
            };
        }
    }

    /// Best effort: the record exists whatever the database says now, and a claim not completed lapses after
    /// [`HOLD`], when the next creator looks the record up before creating it.
    async fn complete(&self, kind: ClaimKind, key: &str, afas_id: &str) {
        if let Err(error) = claims::complete(&self.db, &self.scope, kind, key, &self.holder, afas_id, now_ms()).await {
            tracing::warn!(%error, "completing a master-data claim failed");
        }
    }
}

/// What the journal shows for a record that was found rather than created.
fn found_meanwhile(what: &str, afas_id: String) -> Written<Creation> {
    Written {
        exchange: Exchange {
            operation: format!("found {what} ({afas_id}) in AFAS, created meanwhile by another run: not created again"),
            ..Exchange::default()
        },
        value: Creation::Found(afas_id),
    }
}

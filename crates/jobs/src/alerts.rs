//! Alerts: when a run fails or records fail for good, the tenant's owners hear about it at once, by e-mail
//! and by an optional signed webhook. One alert per flow per problem until it recovers, then a recovery
//! notice; an optional daily digest. Messages go through the database outbox, so a crash loses none and a
//! failed webhook is retried with back-off.

use std::path::PathBuf;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use koppel_core::{FlowKind, Role};
use koppel_store::alerts::{self, OutboxMessage};
use koppel_store::health::DAY_MS;
use koppel_store::runs::{Counts, RunId, RunStatus};
use koppel_store::secrets::SecretBox;
use koppel_store::{Db, StoreError, TenantScope, health, tenants};
use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::Sha256;

/// The header carrying `sha256=<hex HMAC-SHA256 of the body>` on webhook calls.
pub const SIGNATURE_HEADER: &str = "X-Koppel-Signature";

/// After this many failed attempts a message is given up.
pub const MAX_ATTEMPTS: i64 = 8;

fn problem_of(status: RunStatus, counts: &Counts, error: Option<&str>) -> Option<String> {
    match status {
        RunStatus::Failed => Some(format!("The run failed: {}", error.unwrap_or("no reason given"))),
        _ if counts.failed > 0 => Some("Records failed and need your attention.".to_owned()),
        _ => None,
    }
}

/// Decides after a run whether to alert or send a recovery notice, and queues the messages.
pub async fn after_run(
    db: &Db,
    scope: &TenantScope,
    flow: FlowKind,
    run_id: RunId,
    status: RunStatus,
    counts: &Counts,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let now_ms = koppel_store::now().timestamp_millis();
    let link = format!("/t/{}/runs/{run_id}", scope.tenant_id());
    match (status, problem_of(status, counts, error)) {
        (RunStatus::Cancelled, _) => Ok(()),
        (_, Some(problem)) => {
            if alerts::open(db, scope, flow, &problem, now_ms).await? {
                let subject = format!("Koppel: the {flow} flow needs attention");
                let body = format!(
                    "{problem}\n\nCounts of the run: {} created, {} updated, {} skipped, {} failed.\nSee what happened: {{base_url}}{link}\n",
                    counts.created, counts.updated, counts.skipped, counts.failed
                );
                notify(db, scope, &subject, &body, "problem", flow, &link, now_ms).await?;
            }
            Ok(())
        }
        (_, None) => {
            if alerts::close(db, scope, flow).await? {
                let subject = format!("Koppel: the {flow} flow is running fine again");
                let body = format!("The last run of the {flow} flow succeeded.\nSee it: {{base_url}}{link}\n");
                notify(db, scope, &subject, &body, "recovered", flow, &link, now_ms).await?;
            }
            Ok(())
        }
    }
}

/// Alerts the owners that a run is stuck: its process holds it but it has concluded no record for
/// `minutes`. Once per problem, like a failed run; the run's end (or its recovery) closes it.
pub async fn run_stuck(
    db: &Db,
    scope: &TenantScope,
    flow: FlowKind,
    run_id: RunId,
    minutes: i64,
) -> Result<(), StoreError> {
    let now_ms = koppel_store::now().timestamp_millis();
    let link = format!("/t/{}/runs/{run_id}", scope.tenant_id());
    let problem = format!("A run is stuck: it has booked nothing for {minutes} minutes.");
    if alerts::open(db, scope, flow, &problem, now_ms).await? {
        let subject = format!("Koppel: the {flow} flow is stuck");
        let body = format!(
            "{problem}\n\nKoppel keeps it running and takes it over if its process has died; if it stays stuck, \
             cancel it and start a new run.\nSee it: {{base_url}}{link}\n"
        );
        notify(db, scope, &subject, &body, "problem", flow, &link, now_ms).await?;
    }
    Ok(())
}

/// Queues an e-mail to every owner and, if configured, a webhook call.
#[allow(clippy::too_many_arguments)]
async fn notify(
    db: &Db,
    scope: &TenantScope,
    subject: &str,
    body: &str,
    kind: &str,
    flow: FlowKind,
    link: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    for owner in tenants::members(db, scope)
        .await?
        .into_iter()
        .filter(|m| m.role == Role::Owner)
    {
        alerts::enqueue(db, scope, "email", &owner.email, subject, body, now_ms).await?;
    }
    let settings = alerts::settings(db, scope).await?;
    if let Some(url) = settings.webhook_url.filter(|u| !u.is_empty()) {
        let payload = serde_json::json!({
            "event": kind, "tenant_id": scope.tenant_id(), "flow": flow, "subject": subject,
            "message": body.lines().next().unwrap_or_default(), "link": link,
        });
        alerts::enqueue(db, scope, "webhook", &url, subject, &payload.to_string(), now_ms).await?;
    }
    Ok(())
}

/// Queues yesterday's summary for tenants that asked for a daily digest (once per day, across processes).
pub async fn queue_digests(db: &Db) -> Result<usize, StoreError> {
    let now_ms = koppel_store::now().timestamp_millis();
    let today = now_ms / DAY_MS;
    let mut queued = 0;
    for tenant_id in alerts::digest_tenants(db).await? {
        let scope = TenantScope::for_background_job(tenant_id);
        if !alerts::claim_digest(db, &scope, today).await? {
            continue;
        }
        let rows = health::records_per_day(db, &scope, (today - 1) * DAY_MS).await?;
        let yesterday: Vec<String> = rows
            .iter()
            .filter(|(day, _, _)| *day == today - 1)
            .map(|(_, outcome, n)| format!("{n} {outcome}"))
            .collect();
        let summary = if yesterday.is_empty() {
            "nothing moved".to_owned()
        } else {
            yesterday.join(", ")
        };
        let body = format!("Yesterday in Koppel: {summary}.\nThe activity log: {{base_url}}/t/{tenant_id}/activity\n");
        for owner in tenants::members(db, &scope)
            .await?
            .into_iter()
            .filter(|m| m.role == Role::Owner)
        {
            alerts::enqueue(
                db,
                &scope,
                "email",
                &owner.email,
                "Koppel: your daily summary",
                &body,
                now_ms,
            )
            .await?;
        }
        queued += 1;
    }
    Ok(queued)
}

/// Where e-mail goes.
#[derive(Debug, Clone)]
pub enum MailTransport {
    /// An SMTP URL, e.g. `smtps://user:password@smtp.example.com:465`.
    Smtp(String),
    /// Development: each message as an `.eml` file in this folder.
    Folder(PathBuf),
}

/// Delivers the outbox.
#[derive(Clone)]
pub struct Deliverer {
    pub db: Db,
    pub secrets: SecretBox,
    pub transport: MailTransport,
    pub from: String,
    /// Prefixed to links in messages.
    pub base_url: String,
    pub http: reqwest::Client,
}

impl Deliverer {
    /// Sends what is due now; returns how many were sent.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        self.deliver_due_at(koppel_store::now().timestamp_millis()).await
    }

    /// Sends what is due at `now_ms` (tests pass a later time to see retries).
    pub async fn deliver_due_at(&self, now_ms: i64) -> Result<usize, StoreError> {
        let mut sent = 0;
        for message in alerts::due(&self.db, now_ms, 50).await? {
            // A claimed message belongs to this process for a minute.
            if !alerts::claim(&self.db, &message, now_ms + 60_000).await? {
                continue;
            }
            match self.send(&message).await {
                Ok(()) => {
                    alerts::mark_sent(&self.db, message.id, now_ms).await?;
                    sent += 1;
                }
                Err(error) => {
                    let attempt = message.attempts + 1;
                    let next = (attempt < MAX_ATTEMPTS).then(|| now_ms + retry_delay(attempt).as_millis() as i64);
                    tracing::warn!(message_id = %message.id, channel = %message.channel, attempt, %error, "alert delivery failed");
                    alerts::mark_failed(&self.db, message.id, &error, next).await?;
                }
            }
        }
        Ok(sent)
    }

    async fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        let body = message.body.replace("{base_url}", &self.base_url);
        match message.channel.as_str() {
            "email" => self.send_email(&message.recipient, &message.subject, body).await,
            "webhook" => self.send_webhook(message).await,
            other => Err(format!("unknown channel {other}")),
        }
    }

    async fn send_email(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let from: Mailbox = self.from.parse().map_err(|e| format!("sender address: {e}"))?;
        let to: Mailbox = to.parse().map_err(|e| format!("recipient address: {e}"))?;
        let email = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .body(body)
            .map_err(|e| format!("building the message: {e}"))?;
        match &self.transport {
            MailTransport::Smtp(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("SMTP configuration: {e}"))?
                    .build();
                transport
                    .send(email)
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("SMTP: {e}"))
            }
            MailTransport::Folder(folder) => {
                tokio::fs::create_dir_all(folder)
                    .await
                    .map_err(|e| format!("mail folder: {e}"))?;
                let transport = AsyncFileTransport::<Tokio1Executor>::new(folder);
                let id = transport.send(email).await.map_err(|e| format!("mail folder: {e}"))?;
                // No SMTP server (development): say where the message is, so a signup's link can be found.
                tracing::info!(file = %folder.join(format!("{id}.eml")).display(), %subject, "e-mail written");
                Ok(())
            }
        }
    }

    async fn send_webhook(&self, message: &OutboxMessage) -> Result<(), String> {
        // Saved under another policy (or before the guard): checked again before every call.
        webhook_allowed(&message.recipient)?;
        let tenant = message.tenant_id.ok_or("a webhook message without its company")?;
        let scope = TenantScope::for_background_job(koppel_core::TenantId(tenant));
        let settings = alerts::settings(&self.db, &scope).await.map_err(|e| e.to_string())?;
        let body = message.body.replace("{base_url}", &self.base_url);
        let mut request = self
            .http
            .post(&message.recipient)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(Duration::from_secs(10));
        if let Some(sealed) = settings.webhook_secret {
            let key = self
                .secrets
                .open(&sealed, &webhook_context(&scope))
                .map_err(|e| e.to_string())?;
            request = request.header(SIGNATURE_HEADER, sign(&key, body.as_bytes()));
        }
        let response = request.body(body).send().await.map_err(|e| format!("webhook: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("webhook answered {}", response.status()))
        }
    }
}

/// Whether the process's outbound policy lets Koppel call this webhook URL (in production: https to a public
/// address); the reason when not. The address a name resolves to is checked again when connecting (the
/// webhook client resolves through [`koppel_outbound::GuardedResolver`]).
pub fn webhook_allowed(url: &str) -> Result<(), String> {
    koppel_outbound::current()
        .check_url(url)
        .map_err(|refusal| format!("This webhook address cannot be used: {refusal}."))
}

/// The HTTP client webhooks are sent with: redirects are not followed, and every resolved address is checked
/// against the outbound policy.
pub fn webhook_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(koppel_outbound::GuardedResolver::for_process())
        .build()
        .unwrap_or_default()
}

/// The associated data the webhook secret is sealed with.
pub fn webhook_context(scope: &TenantScope) -> Vec<u8> {
    format!("webhook/{}", scope.tenant_id()).into_bytes()
}

/// `sha256=<hex>` of the body under the tenant's webhook secret.
pub fn sign(key: &[u8], body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// 30 s, 1 min, 2 min … capped at an hour.
fn retry_delay(attempt: i64) -> Duration {
    Duration::from_secs((30u64 << attempt.clamp(1, 8).saturating_sub(1)).min(3_600))
}

/// Runs delivery and the digest until the process stops.
pub async fn delivery_loop(deliverer: Deliverer, interval: Duration) {
    loop {
        if let Err(error) = queue_digests(&deliverer.db).await {
            tracing::error!(%error, "queueing digests failed");
        }
        if let Err(error) = deliverer.deliver_due().await {
            tracing::error!(%error, "delivering alerts failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = MAIL_QUEUED.notified() => {}
        }
    }
}

/// Mail queued by this process that a person is waiting for (a signup's or a password reset's link).
static MAIL_QUEUED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Wakes this process's delivery loop at once instead of at its next interval (a loop in another process, as
/// with a separate `koppel worker`, still finds the message within its interval).
pub fn deliver_soon() {
    MAIL_QUEUED.notify_one();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_and_signatures() {
        let none = Counts::default();
        let failed = Counts {
            failed: 2,
            ..Counts::default()
        };
        assert!(problem_of(RunStatus::Succeeded, &none, None).is_none());
        assert!(problem_of(RunStatus::Succeeded, &failed, None).is_some());
        assert!(
            problem_of(RunStatus::Failed, &none, Some("AFAS refused"))
                .unwrap()
                .contains("AFAS refused")
        );
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(retry_delay(1), Duration::from_secs(30));
        assert_eq!(retry_delay(20), Duration::from_secs(3_600));
    }
}

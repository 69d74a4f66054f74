//! Alerts: one per problem, a recovery notice, e-mail into a mail folder, a signed webhook that is retried.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use koppel_core::{Email, FlowKind};
use koppel_jobs::alerts::{self, Deliverer, MailTransport, SIGNATURE_HEADER};
use koppel_store::alerts::AlertSettings;
use koppel_store::runs::{self, Counts, RunStatus};
use koppel_store::secrets::SecretBox;
use koppel_store::test_support::TestDatabase;
use koppel_store::{Db, TenantScope, accounts, tenants};

const MASTER: &[u8] = b"0123456789abcdef0123456789abcdef-alerts";

async fn tenant(db: &Db) -> TenantScope {
    let signup = accounts::sign_up(
        db,
        &Email::parse("owner@alerts.nl").unwrap(),
        "hash",
        "Alerts",
        koppel_store::now(),
    )
    .await
    .unwrap();
    tenants::resolve_scope(db, signup.user_id, signup.tenant_id)
        .await
        .unwrap()
        .unwrap()
}

async fn finished_run(db: &Db, scope: &TenantScope, status: RunStatus, counts: Counts, error: Option<&str>) {
    let now = koppel_store::now().timestamp_millis();
    let run = runs::create(db, scope, FlowKind::Orders, "manual", now).await.unwrap();
    runs::finish(db, scope, run, status, &counts, error, now).await.unwrap();
    alerts::after_run(db, scope, FlowKind::Orders, run, status, &counts, error)
        .await
        .unwrap();
}

/// A webhook receiver that refuses the first call and records the rest with their signature header.
async fn webhook_receiver() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let received: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let calls = Arc::new(Mutex::new(0));
    let store = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let store = store.clone();
            let calls = calls.clone();
            async move {
                let mut n = calls.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                let signature = headers
                    .get(SIGNATURE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                store.lock().unwrap().push((signature.to_owned(), body));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

#[tokio::test]
async fn one_alert_per_problem_then_a_recovery_notice_by_mail_and_signed_webhook() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db).await;
    let secrets = SecretBox::new(MASTER).unwrap();
    let (url, received) = webhook_receiver().await;
    let webhook_key = b"whsec-test-key".to_vec();
    let settings = AlertSettings {
        webhook_url: Some(url),
        webhook_secret: Some(secrets.seal(&webhook_key, &alerts::webhook_context(&scope))),
        daily_digest: false,
        last_digest_day: None,
    };
    koppel_store::alerts::save_settings(&db, &scope, &settings, 0)
        .await
        .unwrap();

    let failing = Some("AFAS refused the token");
    finished_run(&db, &scope, RunStatus::Failed, Counts::default(), failing).await;
    finished_run(&db, &scope, RunStatus::Failed, Counts::default(), failing).await;
    finished_run(&db, &scope, RunStatus::Failed, Counts::default(), failing).await;
    let queued = koppel_store::alerts::messages(&db, &scope).await.unwrap();
    assert_eq!(
        queued.len(),
        2,
        "one e-mail and one webhook for three failures of the same problem"
    );
    assert!(queued[0].body.contains("AFAS refused the token"));

    finished_run(
        &db,
        &scope,
        RunStatus::Succeeded,
        Counts {
            created: 3,
            ..Counts::default()
        },
        None,
    )
    .await;
    finished_run(&db, &scope, RunStatus::Succeeded, Counts::default(), None).await;
    let queued = koppel_store::alerts::messages(&db, &scope).await.unwrap();
    assert_eq!(
        queued.len(),
        4,
        "one recovery notice (mail + webhook), not one per good run"
    );
    assert!(queued[2].subject.contains("running fine again"));

    let mail = tempfile::tempdir().unwrap();
    let deliverer = Deliverer {
        db: db.clone(),
        secrets: secrets.clone(),
        transport: MailTransport::Folder(mail.path().to_owned()),
        from: "Koppel <alerts@koppel.example>".into(),
        base_url: "https://koppel.example".into(),
        http: reqwest::Client::new(),
    };
    let now = koppel_store::now().timestamp_millis();
    assert_eq!(
        deliverer.deliver_due_at(now).await.unwrap(),
        3,
        "the first webhook call is refused"
    );
    let mails: Vec<String> = std::fs::read_dir(mail.path())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(mails.len(), 2);
    assert!(
        mails
            .iter()
            .any(|m| m.contains("To: owner@alerts.nl") && m.contains("https://koppel.example/t/"))
    );

    // The refused webhook is retried later, and only then.
    assert_eq!(deliverer.deliver_due_at(now).await.unwrap(), 0);
    assert_eq!(deliverer.deliver_due_at(now + 120_000).await.unwrap(), 1);
    let calls = received.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    for (signature, body) in &calls {
        assert_eq!(
            signature,
            &alerts::sign(&webhook_key, body.as_bytes()),
            "signed with the tenant's secret"
        );
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["flow"], "orders");
    }
}

//! The owner's data page: retention settings, the export, and deleting the company.

mod common;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn owners_set_retention_export_and_delete_and_nobody_else_can() {
    let app = spawn_app().await;
    let owner = app.browser();
    let home = app.sign_up(&owner, "own@shop.nl", "Data Shop").await;

    let page = app.get(&owner, &format!("{home}/data")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"value="30""#) && html.contains(r#"value="180""#),
        "the defaults show"
    );

    let bad = app
        .post_form(
            &owner,
            &format!("{home}/data/retention"),
            &[("payload_days", "3"), ("entry_days", "x")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Enter a number of days from 7 to 365."), "{html}");
    assert!(html.contains(r#"value="3""#), "what was typed is kept");

    let saved = app
        .post_form(
            &owner,
            &format!("{home}/data/retention"),
            &[("payload_days", "14"), ("entry_days", "90")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(saved.text().await.unwrap().contains(r#"value="14""#));

    // An invitation still open is the company's data too.
    let invited = app
        .post_form(
            &owner,
            &format!("{home}/members"),
            &[("email", "pending@shop.nl"), ("role", "member")],
        )
        .await;
    assert_eq!(invited.status(), StatusCode::OK);

    let export = app.get(&owner, &format!("{home}/data/export.json")).await;
    assert_eq!(export.status(), StatusCode::OK);
    assert!(
        export.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let document: Value = export.json().await.unwrap();
    assert_eq!(document["company"]["name"], "Data Shop");
    assert_eq!(document["members"][0]["email"], "own@shop.nl");
    assert_eq!(document["invitations"][0]["email"], "pending@shop.nl");
    assert!(document["activity"].is_array());
    assert_eq!(
        document["company_settings"]["currency"], "EUR",
        "the settings every flow shares are the company's"
    );

    // A member may not see, export or delete.
    app.api_signup("member@shop.nl", "Member Co").await;
    app.join(&owner, &home, "member@shop.nl", "admin").await;
    let admin = app.browser();
    app.log_in(&admin, "member@shop.nl", common::PASSWORD).await;
    assert_eq!(
        app.get(&admin, &format!("{home}/data/export.json")).await.status(),
        StatusCode::FORBIDDEN
    );
    let refused = app
        .post_form(&admin, &format!("{home}/data/delete"), &[("confirm_name", "Data Shop")])
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let unconfirmed = app
        .post_form(&owner, &format!("{home}/data/delete"), &[("confirm_name", "data shop")])
        .await;
    assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get(&owner, &home).await.status(), StatusCode::OK, "still there");

    let deleted = app
        .post_form(&owner, &format!("{home}/data/delete"), &[("confirm_name", "Data Shop")])
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&owner, &home).await.status(),
        StatusCode::NOT_FOUND,
        "gone for the owner"
    );
    assert_eq!(
        app.get(&admin, &home).await.status(),
        StatusCode::NOT_FOUND,
        "and for every member"
    );
}

/// Retention, the export and the alert settings are on record: who, when, before → after, the webhook secret
/// redacted.
#[tokio::test]
async fn retention_export_and_alert_changes_are_audited_with_the_secret_redacted() {
    let app = spawn_app().await;
    let owner = app.browser();
    let home = app.sign_up(&owner, "audit@shop.nl", "Audit Shop").await;
    let tenant_id = home.trim_start_matches("/t/").parse().unwrap();
    let scope = koppel_store::TenantScope::for_background_job(tenant_id);
    let retention = [("payload_days", "14"), ("entry_days", "90")];
    let saved = app
        .post_form(&owner, &format!("{home}/data/retention"), &retention)
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(
        app.get(&owner, &format!("{home}/data/export.json")).await.status(),
        StatusCode::OK
    );
    let alerts = [
        ("webhook_url", "http://127.0.0.1:9/hook"),
        ("webhook_secret", "a-secret-of-24-characters"),
        ("daily_digest", "on"),
    ];
    let saved = app.post_form(&owner, &format!("{home}/alerts"), &alerts).await;
    assert_eq!(saved.status(), StatusCode::OK, "{}", saved.text().await.unwrap());

    let log = koppel_store::audit::list(&app.state.db, &scope, 50).await.unwrap();
    let area = |name: &str| {
        log.iter()
            .find(|e| e.area == name)
            .unwrap_or_else(|| panic!("{name}: {log:?}"))
    };
    let retention = area("retention");
    assert_eq!(retention.actor, "audit@shop.nl");
    let payload = retention.changes.iter().find(|c| c.field == "payload_days").unwrap();
    assert_eq!(
        (payload.before.clone(), payload.after.clone()),
        (serde_json::json!(30), serde_json::json!(14))
    );
    let export = &area("data").changes[0];
    assert_eq!(export.field, "export");
    assert!(export.after.as_str().unwrap().starts_with("all data downloaded"));
    let alerts = area("alerts");
    let field = |name: &str| alerts.changes.iter().find(|c| c.field == name).unwrap();
    assert_eq!(field("webhook_url").after, "http://127.0.0.1:9/hook");
    assert_eq!(field("webhook_secret").after, koppel_store::audit::REDACTED);
    let text = serde_json::to_string(&log).unwrap();
    assert!(
        !text.contains("a-secret-of-24-characters"),
        "the secret is never in the log"
    );
}

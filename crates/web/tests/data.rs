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
    assert!(document["activity"].is_array());
    assert_eq!(
        document["company_settings"]["currency"], "EUR",
        "the settings every flow shares are the company's"
    );

    // A member may not see, export or delete.
    app.api_signup("member@shop.nl", "Member Co").await;
    app.post_form(
        &owner,
        &format!("{home}/members"),
        &[("email", "member@shop.nl"), ("role", "admin")],
    )
    .await;
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

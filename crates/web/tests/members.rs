//! A company's members through the API and the Members page: listed, roles changed, removed, under the rules
//! (only owners touch owners, a company keeps an owner, read-only members change nothing, another company's
//! ids are 404), each change in the audit log, and a removed member's token losing the company at once.

mod common;

use common::{PASSWORD, TestApp, call, location, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Signs `email` up (a company of its own) and makes them `role` of the company at `home` (invited by the
/// owner, accepted through the mailed link); their user id and API token.
async fn add(app: &TestApp, owner: &reqwest::Client, home: &str, email: &str, role: &str) -> (String, String) {
    let signup = app.api_signup(email, "Own Co").await;
    app.join(owner, home, email, role).await;
    (
        signup["user_id"].as_str().unwrap().to_owned(),
        app.api_token(email, PASSWORD).await,
    )
}

#[tokio::test]
async fn members_are_listed_changed_and_removed_through_the_api_under_the_rules() {
    let app = spawn_app().await;
    let owner_browser = app.browser();
    let home = app.sign_up(&owner_browser, "olga@shop.nl", "Olga's").await;
    let tenant = home.trim_start_matches("/t/").to_owned();
    let owner = app.api_token("olga@shop.nl", PASSWORD).await;
    let (ada_id, ada) = add(&app, &owner_browser, &home, "ada@shop.nl", "admin").await;
    let (max_id, max) = add(&app, &owner_browser, &home, "max@shop.nl", "member").await;
    let members = format!("/api/v1/tenants/{tenant}/members");
    let member = |id: &str| format!("{members}/{id}");

    let (status, list) = call(Method::GET, &app, &max, &members, None).await;
    assert_eq!(status, StatusCode::OK, "any member may read the list");
    let roles: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        roles,
        [
            ("olga@shop.nl", "owner"),
            ("ada@shop.nl", "admin"),
            ("max@shop.nl", "member")
        ]
    );
    let olga_id = list[0]["user_id"].as_str().unwrap().to_owned();

    // Read-only members change nothing; a bad role is a 422.
    let (status, _) = call(
        Method::PATCH,
        &app,
        &max,
        &member(&ada_id),
        Some(json!({"role": "member"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = call(
        Method::PATCH,
        &app,
        &owner,
        &member(&ada_id),
        Some(json!({"role": "boss"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["role"][0].is_string(), "{body}");
    // Only owners touch owners.
    let (status, body) = call(
        Method::PATCH,
        &app,
        &ada,
        &member(&olga_id),
        Some(json!({"role": "member"})),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("owners_only"))
    );
    let (status, _) = call(
        Method::PATCH,
        &app,
        &ada,
        &member(&max_id),
        Some(json!({"role": "owner"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(Method::DELETE, &app, &ada, &member(&olga_id), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The last owner stays.
    let (status, body) = call(
        Method::PATCH,
        &app,
        &owner,
        &member(&olga_id),
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("last_owner"))
    );
    let (status, _) = call(Method::DELETE, &app, &owner, &member(&olga_id), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Not a member, or another company's ids: 404.
    let stranger = app.api_signup("sam@other.nl", "Other").await;
    let stranger_id = stranger["user_id"].as_str().unwrap();
    let (status, _) = call(
        Method::PATCH,
        &app,
        &owner,
        &member(stranger_id),
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // An id that is not one is nobody's: 404 too, never a 400 or 500.
    let (status, _) = call(Method::DELETE, &app, &owner, &member("v"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        Method::PATCH,
        &app,
        &owner,
        &member("0"),
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let other_tenant = stranger["tenant_id"].as_str().unwrap();
    let foreign = format!("/api/v1/tenants/{other_tenant}/members");
    assert_eq!(
        call(Method::GET, &app, &owner, &foreign, None).await.0,
        StatusCode::NOT_FOUND
    );
    let foreign_member = format!("{foreign}/{stranger_id}");
    assert_eq!(
        call(Method::DELETE, &app, &owner, &foreign_member, None).await.0,
        StatusCode::NOT_FOUND
    );

    // The owner promotes Max and removes Ada.
    let (status, body) = call(
        Method::PATCH,
        &app,
        &owner,
        &member(&max_id),
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!((status, body["role"].as_str()), (StatusCode::OK, Some("admin")));
    let (status, _) = call(Method::DELETE, &app, &owner, &member(&ada_id), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(Method::GET, &app, &ada, &format!("/api/v1/tenants/{tenant}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "Ada's token lost the company at once");
    // Max leaves of his own accord.
    let (status, _) = call(Method::DELETE, &app, &max, &member(&max_id), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Every change is in the audit log, with who made it.
    let audit = app
        .get(&owner_browser, &format!("{home}/settings/audit"))
        .await
        .text()
        .await
        .unwrap();
    for line in ["member/ada@shop.nl", "member/max@shop.nl"] {
        assert!(audit.contains(line), "{line} in the audit log");
    }
    assert!(audit.contains("max@shop.nl"), "{audit}");
}

#[tokio::test]
async fn the_members_page_changes_roles_and_removes_members() {
    let app = spawn_app().await;
    let owner = app.browser();
    let home = app.sign_up(&owner, "pam@shop.nl", "Pam's").await;
    let (bo_id, _) = add(&app, &owner, &home, "bo@shop.nl", "member").await;
    let page = app.get(&owner, &format!("{home}/members")).await.text().await.unwrap();
    assert!(
        page.contains(&format!("/members/{bo_id}/role")),
        "a role form per member"
    );

    let changed = app
        .post_form(&owner, &format!("{home}/members/{bo_id}/role"), &[("role", "admin")])
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert!(changed.text().await.unwrap().contains("bo@shop.nl is now admin"));
    let pam_id = {
        let token = app.api_token("pam@shop.nl", PASSWORD).await;
        let (_, me) = call(Method::GET, &app, &token, "/api/v1/me", None).await;
        me["user_id"].as_str().unwrap().to_owned()
    };
    let last = app
        .post_form(&owner, &format!("{home}/members/{pam_id}/remove"), &[])
        .await;
    assert_eq!(last.status(), StatusCode::CONFLICT);
    assert!(last.text().await.unwrap().contains("always keeps an owner"));

    let removed = app
        .post_form(&owner, &format!("{home}/members/{bo_id}/remove"), &[])
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    let html = removed.text().await.unwrap();
    assert!(html.contains("bo@shop.nl no longer has access"), "{html}");
    assert!(!html.contains(&format!("/members/{bo_id}/role")));
    // Bo's own company is untouched; Pam's home is still Pam's.
    assert_eq!(location(&app.get(&owner, "/app").await), home);
}

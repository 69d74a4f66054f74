//! Tenant isolation, roles and the tenant switcher.

mod common;

use common::{PASSWORD, spawn_app};
use reqwest::StatusCode;

#[tokio::test]
async fn a_member_of_tenant_a_gets_404_for_tenant_b() {
    let app = spawn_app().await;
    let alice = app.browser();
    let home_a = app.sign_up(&alice, "alice@a.nl", "Shop A").await;
    let bob = app.browser();
    let home_b = app.sign_up(&bob, "bob@b.nl", "Shop B").await;

    assert_eq!(app.get(&alice, &home_a).await.status(), StatusCode::OK);
    let foreign = app.get(&alice, &home_b).await;
    assert_eq!(
        foreign.status(),
        StatusCode::NOT_FOUND,
        "never 403: existence is not revealed"
    );
    assert!(!foreign.text().await.unwrap().contains("Shop B"));
    assert_eq!(
        app.get(&alice, &format!("{home_b}/members")).await.status(),
        StatusCode::NOT_FOUND
    );
    let add = app
        .post_form(
            &alice,
            &format!("{home_b}/members"),
            &[("email", "alice@a.nl"), ("role", "owner")],
        )
        .await;
    assert_eq!(add.status(), StatusCode::NOT_FOUND, "no way in through a form either");
    let nonsense = app.get(&alice, "/t/not-a-uuid").await;
    assert_eq!(nonsense.status(), StatusCode::NOT_FOUND);

    // The same through the API.
    let token = app.api_token("alice@a.nl", PASSWORD).await;
    let tenant_b = home_b.trim_start_matches("/t/");
    let api = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/tenants/{tenant_b}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn a_user_in_two_tenants_switches_between_them_and_members_are_read_only() {
    let app = spawn_app().await;
    let owner = app.browser();
    let home_a = app.sign_up(&owner, "olga@a.nl", "Olga's Shop").await;
    let helper = app.browser();
    let home_h = app.sign_up(&helper, "henk@expert.nl", "Henk Onboarding").await;

    // Olga adds Henk as a read-only member.
    let added = app
        .post_form(
            &owner,
            &format!("{home_a}/members"),
            &[("email", "HENK@expert.nl"), ("role", "member")],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    assert!(added.text().await.unwrap().contains("henk@expert.nl is now member"));

    // Henk now sees both companies in the switcher.
    let page = app.get(&helper, &home_h).await.text().await.unwrap();
    assert!(
        page.contains("Olga&#39;s Shop") || page.contains("Olga's Shop"),
        "{page}"
    );
    assert!(page.contains(&format!(r#"href="{home_a}""#)));
    let olga_page = app.get(&helper, &home_a).await;
    assert_eq!(olga_page.status(), StatusCode::OK);
    assert!(olga_page.text().await.unwrap().contains("Your role is read-only."));

    // As a member he cannot change anything there.
    let refused = app
        .post_form(
            &helper,
            &format!("{home_a}/members"),
            &[("email", "henk@expert.nl"), ("role", "owner")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // An unknown address gets a message, not an error page.
    let unknown = app
        .post_form(
            &owner,
            &format!("{home_a}/members"),
            &[("email", "nobody@x.nl"), ("role", "admin")],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("No Koppel account uses this e-mail address.")
    );
}

#[tokio::test]
async fn adding_a_company_creates_a_second_tenant_with_its_own_trial() {
    let app = spawn_app().await;
    let browser = app.browser();
    let first = app.sign_up(&browser, "kim@shop.nl", "Kim One").await;
    let created = app
        .post_form(&browser, "/account/companies", &[("company", "Kim Two")])
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let second = common::location(&created);
    assert_ne!(first, second);
    let html = app.get(&browser, &second).await.text().await.unwrap();
    assert!(
        html.contains("Kim Two") && html.contains("Kim One"),
        "the switcher lists both"
    );
    let empty = app.post_form(&browser, "/account/companies", &[("company", " ")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

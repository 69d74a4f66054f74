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

    // Olga invites Henk as a read-only member; he accepts.
    app.join(&owner, &home_a, "henk@expert.nl", "member").await;

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

    // An address without an account is invited like any other: nothing tells which addresses have one.
    let unknown = app
        .post_form(
            &owner,
            &format!("{home_a}/members"),
            &[("email", "nobody@x.nl"), ("role", "admin")],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::OK);
    assert!(unknown.text().await.unwrap().contains("Invitation sent to nobody@x.nl"));
}

/// A second company is the owner's own, but not a second trial: it ends when the first one's does. Opening
/// companies in a burst stops at the hourly limit with a clear answer.
#[tokio::test]
async fn added_companies_share_the_owners_trial_and_are_limited_per_hour() {
    let app = spawn_app().await;
    let browser = app.browser();
    app.sign_up(&browser, "burst@shop.nl", "Burst 1").await;
    let trials = || async {
        let user = koppel_store::accounts::find_user_by_email(
            &app.state.db,
            &koppel_core::Email::parse("burst@shop.nl").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        koppel_store::tenants::memberships_of(&app.state.db, user.id)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.trial_ends_at)
            .collect::<Vec<_>>()
    };
    let first_trial = trials().await[0];
    for n in 2..=koppel_store::tenants::COMPANIES_PER_HOUR {
        let name = format!("Burst {n}");
        let created = app
            .post_form(&browser, "/account/companies", &[("company", &name)])
            .await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER, "company {n}");
    }
    let refused = app
        .post_form(&browser, "/account/companies", &[("company", "Burst 6")])
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = refused.text().await.unwrap();
    assert!(page.contains("companies in the last hour; try again later"), "{page}");
    let all = trials().await;
    assert_eq!(
        all.len(),
        koppel_store::tenants::COMPANIES_PER_HOUR,
        "the sixth was not created"
    );
    assert!(all.iter().all(|ends| *ends == first_trial), "no new trial: {all:?}");
}

#[tokio::test]
async fn adding_a_company_creates_a_second_tenant() {
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

/// Owners keep their company: an admin cannot demote an owner, the last owner cannot demote themselves (the
/// company would have nobody who may export or delete it), an owner can hand over; every change is audited.
#[tokio::test]
async fn an_admin_cannot_take_over_and_the_last_owner_cannot_leave_the_company_ownerless() {
    let app = spawn_app().await;
    let ann = app.browser();
    let home = app.sign_up(&ann, "ann@owner.nl", "Owned").await;
    let bob = app.browser();
    app.sign_up(&bob, "bob@admin.nl", "Bob's").await;
    app.join(&ann, &home, "bob@admin.nl", "admin").await;
    app.log_in(&bob, "bob@admin.nl", PASSWORD).await;
    let user_id = |email: &'static str| {
        let app = &app;
        async move {
            let token = app.api_token(email, PASSWORD).await;
            let (_, me) = common::call(reqwest::Method::GET, app, &token, "/api/v1/me", None).await;
            me["user_id"].as_str().unwrap().to_owned()
        }
    };
    let (ann_id, bob_id) = (user_id("ann@owner.nl").await, user_id("bob@admin.nl").await);
    let set_role = |client: &reqwest::Client, user_id: &str, role: &str| {
        let (client, path, role) = (
            client.clone(),
            format!("{home}/members/{user_id}/role"),
            role.to_owned(),
        );
        let app = &app;
        async move {
            let response = app.post_form(&client, &path, &[("role", role.as_str())]).await;
            let status = response.status();
            (status, response.text().await.unwrap())
        }
    };

    // Bob, an admin, tries to demote Ann, the owner.
    let (status, page) = set_role(&bob, &ann_id, "member").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Only an owner can change an owner"), "the page says why");
    // Ann, the only owner, tries to step down.
    let (status, page) = set_role(&ann, &ann_id, "admin").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("always keeps an owner"), "the page says why");
    // She makes Bob owner first; then she may step down.
    assert_eq!(set_role(&ann, &bob_id, "owner").await.0, StatusCode::OK);
    assert_eq!(set_role(&ann, &ann_id, "admin").await.0, StatusCode::OK);
    // The company can still be exported by its (new) owner.
    assert_eq!(app.get(&bob, &format!("{home}/data")).await.status(), StatusCode::OK);

    let audit = app
        .get(&bob, &format!("{home}/settings/audit"))
        .await
        .text()
        .await
        .unwrap();
    for change in ["member/bob@admin.nl", "member/ann@owner.nl"] {
        assert!(audit.contains(change), "{change} is in the audit log");
    }
}

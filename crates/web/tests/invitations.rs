//! Invitations through the API and the pages: an owner invites by e-mail with a role; the invitee accepts the
//! mailed link (a new person chooses a password, someone with an account signs in) and joins with no company
//! of their own; invitations are listed, resent (the old link dies) and revoked; the rules hold and every step
//! is audited.

mod common;

use common::{PASSWORD, call, location, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn an_invited_person_joins_with_the_role_and_no_company_of_their_own() {
    let app = spawn_app().await;
    let owner_browser = app.browser();
    let home = app.sign_up(&owner_browser, "olaf@shop.nl", "Olaf's Bikes").await;
    let tenant = home.trim_start_matches("/t/").to_owned();
    let owner = app.api_token("olaf@shop.nl", PASSWORD).await;
    let invitations = format!("/api/v1/tenants/{tenant}/invitations");
    app.api_signup("known@expert.nl", "Known Co").await;

    // A new address and one with an account get the same answer.
    let invite = |email: &'static str, role: &'static str| {
        let (app, owner, invitations) = (&app, owner.clone(), invitations.clone());
        async move {
            call(
                Method::POST,
                app,
                &owner,
                &invitations,
                Some(json!({"email": email, "role": role})),
            )
            .await
        }
    };
    let (status, new) = invite("nina@expert.nl", "admin").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, known) = invite("known@expert.nl", "member").await;
    assert_eq!(status, StatusCode::CREATED);
    let keys = |body: &serde_json::Value| body.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&new), keys(&known));
    assert_eq!(keys(&new), ["invitation_id", "expires_at"]);
    let expires: chrono::DateTime<chrono::Utc> = new["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((6.9..=7.0).contains(&days), "{days}");
    let (status, pending) = call(Method::GET, &app, &owner, &invitations, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pending.as_array().unwrap().len(), 2, "{pending}");

    // Nina has no account: she chooses a password on the link's page and lands in Olaf's company as admin.
    let link = app.invitation_link("nina@expert.nl").await;
    let nina = app.browser();
    let page = app.get(&nina, &link).await.text().await.unwrap();
    assert!(page.contains("Choose a password"), "{page}");
    let differ = [
        ("password", "violet lanterns over the harbour"),
        ("confirm_password", "something else"),
    ];
    assert_eq!(
        app.post_form(&nina, &link, &differ).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let good = [
        ("password", "violet lanterns over the harbour"),
        ("confirm_password", "violet lanterns over the harbour"),
    ];
    let joined = app.post_form(&nina, &link, &good).await;
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&joined), home);
    let token = app
        .api_token("nina@expert.nl", "violet lanterns over the harbour")
        .await;
    let (_, me) = call(Method::GET, &app, &token, "/api/v1/me", None).await;
    let companies = me["tenants"].as_array().unwrap();
    assert_eq!(companies.len(), 1, "no company or trial of her own: {me}");
    assert_eq!(
        (companies[0]["name"].as_str(), companies[0]["role"].as_str()),
        (Some("Olaf's Bikes"), Some("admin"))
    );
    assert_eq!(
        app.get(&app.browser(), &link).await.status(),
        StatusCode::GONE,
        "a link works once"
    );

    // Someone with an account signs in with their password; a wrong one is refused.
    let link = app.invitation_link("known@expert.nl").await;
    let known_browser = app.browser();
    let page = app.get(&known_browser, &link).await.text().await.unwrap();
    assert!(page.contains("Your Koppel password"), "{page}");
    let wrong = app
        .post_form(&known_browser, &link, &[("password", "not my password at all")])
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Olaf revokes it instead; the link dies. A resent invitation gets a new link and the old one dies.
    let (_, pending) = call(Method::GET, &app, &owner, &invitations, None).await;
    let known_id = pending[0]["invitation_id"].as_str().unwrap().to_owned();
    assert_eq!(pending[0]["email"], "known@expert.nl");
    let (status, _) = call(Method::DELETE, &app, &owner, &format!("{invitations}/{known_id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.post_form(&known_browser, &link, &[("password", PASSWORD)])
            .await
            .status(),
        StatusCode::GONE
    );
    let (status, _) = call(Method::DELETE, &app, &owner, &format!("{invitations}/{known_id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no longer pending");
    for malformed in [format!("{invitations}/0"), format!("{invitations}/0/resend")] {
        let method = if malformed.ends_with("resend") {
            Method::POST
        } else {
            Method::DELETE
        };
        assert_eq!(
            call(method, &app, &owner, &malformed, None).await.0,
            StatusCode::NOT_FOUND,
            "{malformed}"
        );
    }
    let (_, again) = invite("known@expert.nl", "member").await;
    let first_link = app.invitation_link("known@expert.nl").await;
    let again_id = again["invitation_id"].as_str().unwrap();
    let (status, _) = call(
        Method::POST,
        &app,
        &owner,
        &format!("{invitations}/{again_id}/resend"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let second_link = app.invitation_link("known@expert.nl").await;
    assert_ne!(first_link, second_link);
    assert_eq!(app.get(&known_browser, &first_link).await.status(), StatusCode::GONE);
    let joined = app
        .post_form(&known_browser, &second_link, &[("password", PASSWORD)])
        .await;
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    let (_, pending) = call(Method::GET, &app, &owner, &invitations, None).await;
    assert_eq!(pending, json!([]));

    // Every step is in the audit log.
    let audit = app
        .get(&owner_browser, &format!("{home}/settings/audit"))
        .await
        .text()
        .await
        .unwrap();
    for entry in [
        "invitation/nina@expert.nl",
        "member/nina@expert.nl",
        "invitation/known@expert.nl",
        "revoked",
    ] {
        assert!(audit.contains(entry), "{entry} in the audit log");
    }
}

#[tokio::test]
async fn only_owners_invite_owners_members_invite_nobody_and_other_companies_are_404() {
    let app = spawn_app().await;
    let owner_browser = app.browser();
    let home = app.sign_up(&owner_browser, "pia@shop.nl", "Pia's").await;
    let tenant = home.trim_start_matches("/t/").to_owned();
    let invitations = format!("/api/v1/tenants/{tenant}/invitations");
    app.api_signup("adam@shop.nl", "Adam Co").await;
    app.join(&owner_browser, &home, "adam@shop.nl", "admin").await;
    let viewer = app.read_only_member(&owner_browser, &home, "vera@shop.nl").await;
    let admin = app.api_token("adam@shop.nl", PASSWORD).await;

    let body = |role: &str| Some(json!({"email": "x@shop.nl", "role": role}));
    let (status, refused) = call(Method::POST, &app, &admin, &invitations, body("owner")).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("owners_only"))
    );
    assert_eq!(
        call(Method::POST, &app, &admin, &invitations, body("admin")).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        call(Method::POST, &app, &viewer, &invitations, body("member")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(Method::GET, &app, &viewer, &invitations, None).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, invalid) = call(
        Method::POST,
        &app,
        &admin,
        &invitations,
        Some(json!({"email": "x", "role": "boss"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid["errors"]["email"][0].is_string() && invalid["errors"]["role"][0].is_string(),
        "{invalid}"
    );

    // Another company's invitations are not found, whatever the method.
    let other = app.api_signup("otto@other.nl", "Other").await;
    let foreign = format!("/api/v1/tenants/{}/invitations", other["tenant_id"].as_str().unwrap());
    assert_eq!(
        call(Method::GET, &app, &admin, &foreign, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(Method::POST, &app, &admin, &foreign, body("member")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, pending) = call(Method::GET, &app, &admin, &invitations, None).await;
    let id = pending[0]["invitation_id"].as_str().unwrap();
    let other_token = other["token"].as_str().unwrap();
    let mine_from_outside = format!("{invitations}/{id}");
    assert_eq!(
        call(Method::DELETE, &app, other_token, &mine_from_outside, None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let foreign_id = format!("{foreign}/{id}");
    assert_eq!(
        call(Method::DELETE, &app, other_token, &foreign_id, None).await.0,
        StatusCode::NOT_FOUND
    );
}

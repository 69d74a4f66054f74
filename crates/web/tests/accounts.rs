//! Signup, sign-in, sign-out, sessions and passwords, through the pages as a browser uses them.

mod common;

use common::{PASSWORD, location, spawn_app, spawn_app_with, spawn_on};
use koppel_web::RateLimits;
use reqwest::StatusCode;

#[tokio::test]
async fn signup_lands_in_the_new_tenant_with_a_14_day_trial_then_logout_and_login_again() {
    let app = spawn_app().await;
    let browser = app.browser();

    let signup_page = app.get(&browser, "/signup").await;
    assert_eq!(signup_page.status(), StatusCode::OK);
    assert!(signup_page.text().await.unwrap().contains("Start your free trial"));

    let home = app.sign_up(&browser, "ann@fietsen-jansen.nl", "Fietsen Jansen").await;
    assert!(home.starts_with("/t/"), "{home}");
    let cookie = app.get(&browser, &home).await;
    assert_eq!(cookie.status(), StatusCode::OK);
    let html = cookie.text().await.unwrap();
    assert!(html.contains("Fietsen Jansen"));
    assert!(html.contains(r#"data-testid="trial-days-left">14<"#), "{html}");

    let logout = app.post_form(&browser, "/logout", &[]).await;
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    let after = app.get(&browser, &home).await;
    assert_eq!(
        after.status(),
        StatusCode::SEE_OTHER,
        "signed out: redirected to sign in"
    );
    assert!(location(&after).starts_with("/login?next="));

    let login = app.log_in(&browser, "ANN@fietsen-jansen.nl", PASSWORD).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&login), "/app");
    let app_redirect = app.get(&browser, "/app").await;
    assert_eq!(location(&app_redirect), home);
    assert_eq!(app.get(&browser, &home).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let browser = app.browser();
    let response = app
        .post_form(
            &browser,
            "/signup",
            &[("email", "c@shop.nl"), ("password", PASSWORD), ("company", "C")],
        )
        .await;
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no session before the link"
    );
    let link = app.signup_link("c@shop.nl").await;
    let response = app.post_form(&browser, &link, &[("password", PASSWORD)]).await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("koppel_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests: no Secure flag");
}

#[tokio::test]
async fn a_wrong_password_re_renders_the_form_with_the_email_kept() {
    let app = spawn_app().await;
    let browser = app.browser();
    app.sign_up(&browser, "bob@shop.nl", "Bob's Bikes").await;
    let other = app.browser();
    let response = app.log_in(&other, "bob@shop.nl", "not-the-password").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let html = response.text().await.unwrap();
    assert!(html.contains("The e-mail address or password is not correct."));
    assert!(html.contains(r#"value="bob@shop.nl""#), "the e-mail is kept");
    assert!(!html.contains("not-the-password"), "the password is never echoed");
    let unknown = app.log_in(&other, "nobody@shop.nl", PASSWORD).await;
    assert_eq!(
        unknown.status(),
        StatusCode::UNAUTHORIZED,
        "an unknown address looks the same"
    );
}

/// Signup tells nobody whether an address has an account: a registered address (in any letter case) and a new
/// one get the same answer, and the owner of the registered one gets a mail instead of a second account.
#[tokio::test]
async fn a_signup_with_a_registered_address_answers_as_a_new_one_and_mails_its_owner() {
    let app = spawn_app().await;
    app.sign_up(&app.browser(), "Carla@Shop.nl", "Carla's").await;
    let signup = |email: &'static str| {
        let app = &app;
        async move {
            let fields = [("email", email), ("password", PASSWORD), ("company", "Carla Two")];
            let response = app.post_form(&app.browser(), "/signup", &fields).await;
            let answer = (
                response.status(),
                location(&response),
                response.headers().get("set-cookie").cloned(),
            );
            (answer, response.text().await.unwrap())
        }
    };
    let registered = signup("carla@SHOP.NL").await;
    let new = signup("dirk@shop.nl").await;
    assert_eq!(registered, new);
    assert_eq!(registered.0.1, "/signup/sent");
    let sent = app.get(&app.browser(), "/signup/sent").await.text().await.unwrap();
    assert!(sent.contains("Check your inbox"), "{sent}");

    let mail = account_mail(&app, "carla@SHOP.NL").await;
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].body.contains("already has a Koppel account"),
        "{}",
        mail[0].body
    );
    // Carla's password still opens Carla's account, which still has one company.
    let login = app.log_in(&app.browser(), "carla@shop.nl", PASSWORD).await;
    assert_eq!(location(&login), "/app");
}

/// A signup's link opens the account only with the password chosen at that signup, once: someone who signs up
/// with another person's address first cannot get into the account that person later opens.
#[tokio::test]
async fn a_signup_link_needs_its_password_and_works_once() {
    let app = spawn_app().await;
    let intruder = app.browser();
    let fields = [
        ("email", "erik@shop.nl"),
        ("password", "intruder's own password"),
        ("company", "Trap"),
    ];
    app.post_form(&intruder, "/signup", &fields).await;
    let intruders_link = app.signup_link("erik@shop.nl").await;
    let owner = app.browser();
    let fields = [("email", "erik@shop.nl"), ("password", PASSWORD), ("company", "Erik's")];
    app.post_form(&owner, "/signup", &fields).await;
    let mut link = app.signup_link("erik@shop.nl").await;
    for _ in 0..100 {
        if link != intruders_link {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        link = app.signup_link("erik@shop.nl").await;
    }
    assert_ne!(link, intruders_link, "the owner's own link arrived");

    let page = app.get(&owner, &link).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Open Erik&#39;s"), "{html}");
    let wrong = app
        .post_form(&owner, &link, &[("password", "intruder's own password")])
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("not the password you chose"));

    let opened = app.post_form(&owner, &link, &[("password", PASSWORD)]).await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let home = location(&opened);
    let html = app.get(&owner, &home).await.text().await.unwrap();
    assert!(html.contains("Erik&#39;s"), "{html}");
    assert_eq!(
        app.log_in(&app.browser(), "erik@shop.nl", "intruder's own password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let again = app.post_form(&app.browser(), &link, &[("password", PASSWORD)]).await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert_eq!(app.get(&app.browser(), &link).await.status(), StatusCode::GONE);
    let unknown = app.get(&app.browser(), "/signup/confirm/0123456789abcdef").await;
    assert_eq!(unknown.status(), StatusCode::GONE);
}

#[tokio::test]
async fn invalid_signup_shows_a_message_per_field_and_keeps_the_input() {
    let app = spawn_app().await;
    let response = app
        .post_form(
            &app.browser(),
            "/signup",
            &[("email", "not-an-email"), ("password", "password123"), ("company", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Enter an e-mail address like name@example.com."));
    assert!(html.contains("too common"));
    assert!(html.contains("Enter your company"), "{html}");
    assert!(html.contains(r#"value="not-an-email""#));
    assert!(
        html.contains(r#"aria-invalid="true""#),
        "errors are announced to screen readers"
    );
    // A form with fields missing altogether gets the same treatment, not a bare 422.
    let empty = app.post_form(&app.browser(), "/signup", &[]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("Enter your e-mail address."));
}

#[tokio::test]
async fn repeated_failed_logins_are_rate_limited_with_a_clear_message() {
    let limits = RateLimits {
        login_per_email_per_minute: 3,
        ..RateLimits::default()
    };
    let app = spawn_app_with(limits).await;
    app.sign_up(&app.browser(), "dana@shop.nl", "Dana").await;
    let attacker = app.browser();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            app.log_in(&attacker, "dana@shop.nl", "guess-guess-guess")
                .await
                .status(),
        );
    }
    // The signup counted against the address's budget too.
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let limited = app.log_in(&attacker, "dana@shop.nl", PASSWORD).await;
    assert_eq!(
        limited.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(limited.headers().contains_key("retry-after"));
    assert!(limited.text().await.unwrap().contains("Too many attempts. Wait"));
    // Another address is not affected.
    app.sign_up(&app.browser(), "eve@shop.nl", "Eve").await;
    assert_eq!(
        app.log_in(&app.browser(), "eve@shop.nl", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_cross_site_post_is_rejected() {
    let app = spawn_app().await;
    let browser = app.browser();
    let home = app.sign_up(&browser, "fred@shop.nl", "Fred").await;
    let response = browser
        .post(app.url("/account/sign-out-everywhere"))
        .header("Sec-Fetch-Site", "cross-site")
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().contains("sent from another site"));
    assert_eq!(
        app.get(&browser, &home).await.status(),
        StatusCode::OK,
        "the session survived"
    );
    // An old browser without Sec-Fetch-Site but with a foreign Origin is refused as well.
    let foreign_origin = browser
        .post(app.url("/logout"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_origin.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn logout_revokes_the_session_even_for_a_copied_cookie() {
    let app = spawn_app().await;
    let browser = app.browser();
    let home = app.sign_up(&browser, "gina@shop.nl", "Gina").await;
    let token = app.api_token("gina@shop.nl", PASSWORD).await;
    let copied_cookie = format!("koppel_session={token}");
    let thief = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let stolen = thief
        .get(app.url(&home))
        .header("Cookie", &copied_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::OK);

    // Logging out with that token's session ends it on the server.
    let logout = thief
        .post(app.url("/logout"))
        .header("Cookie", &copied_cookie)
        .header("Sec-Fetch-Site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    let replay = thief
        .get(app.url(&home))
        .header("Cookie", &copied_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        StatusCode::SEE_OTHER,
        "a revoked session is not accepted"
    );
    assert_eq!(
        app.get(&browser, &home).await.status(),
        StatusCode::OK,
        "other sessions live on"
    );
}

#[tokio::test]
async fn a_password_change_revokes_other_sessions_and_keeps_this_one() {
    let app = spawn_app().await;
    let laptop = app.browser();
    let home = app.sign_up(&laptop, "hans@shop.nl", "Hans").await;
    let phone = app.browser();
    assert_eq!(
        app.log_in(&phone, "hans@shop.nl", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.get(&phone, &home).await.status(), StatusCode::OK);

    let wrong = app
        .post_form(
            &laptop,
            "/account/password",
            &[
                ("current_password", "wrong-wrong-wrong"),
                ("new_password", "a-new-long-phrase"),
                ("confirm_password", "a-new-long-phrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("This is not your current password.")
    );

    let changed = app
        .post_form(
            &laptop,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a-new-long-phrase"),
                ("confirm_password", "a-new-long-phrase"),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert!(changed.text().await.unwrap().contains("Your password is changed."));
    assert_eq!(
        app.get(&laptop, &home).await.status(),
        StatusCode::OK,
        "this browser stays signed in"
    );
    assert_eq!(
        app.get(&phone, &home).await.status(),
        StatusCode::SEE_OTHER,
        "the other session is revoked"
    );
    assert_eq!(
        app.log_in(&app.browser(), "hans@shop.nl", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.log_in(&app.browser(), "hans@shop.nl", "a-new-long-phrase")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    let laptop = app.browser();
    let home = app.sign_up(&laptop, "iris@shop.nl", "Iris").await;
    let phone = app.browser();
    app.log_in(&phone, "iris@shop.nl", PASSWORD).await;
    let response = app.post_form(&laptop, "/account/sign-out-everywhere", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&laptop, &home).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&phone, &home).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn accounts_survive_a_restart_on_the_same_database() {
    let app = spawn_app().await;
    let browser = app.browser();
    let home = app.sign_up(&browser, "jan@shop.nl", "Jan").await;
    let common::TestApp {
        database,
        state,
        server,
        ..
    } = app;
    drop(server);
    state.db.close().await;
    let restarted = spawn_on(database, RateLimits::default()).await;
    let again = restarted.browser();
    assert_eq!(
        restarted.log_in(&again, "jan@shop.nl", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let page = restarted.get(&again, &home).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Jan"));
}

/// After sign-in, `next` goes only to a path on this site: a tab or line break that browsers drop
/// (`/\t/evil.example` becomes `//evil.example`) or that would break the header sends the user to the default
/// page instead, never elsewhere and never a 500.
#[tokio::test]
async fn sign_in_never_redirects_off_site_or_fails_on_a_crafted_next() {
    let app = spawn_app_with(RateLimits {
        login_per_email_per_minute: 100,
        login_per_ip_per_minute: 100,
        ..RateLimits::default()
    })
    .await;
    app.sign_up(&app.browser(), "next@shop.nl", "Next").await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/a\r\nSet-Cookie: x=1",
        "/\u{b}/evil.example",
        "//evil.example",
    ] {
        let browser = app.browser();
        let response = app
            .post_form(
                &browser,
                "/login",
                &[("email", "next@shop.nl"), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&response), "/app", "{next:?}");
    }
    let response = app
        .post_form(
            &app.browser(),
            "/login",
            &[("email", "next@shop.nl"), ("password", PASSWORD), ("next", "/account")],
        )
        .await;
    assert_eq!(location(&response), "/account", "a local path is followed");
}

/// A signed-in page, a JSON answer and an export are never cached; the static assets are.
#[tokio::test]
async fn company_data_is_never_cached_but_static_assets_are() {
    let app = spawn_app().await;
    let browser = app.browser();
    let home = app.sign_up(&browser, "cache@shop.nl", "Cache").await;
    for path in [
        home.clone(),
        format!("{home}/activity"),
        format!("{home}/activity.csv"),
        "/account".to_owned(),
    ] {
        let response = app.get(&browser, &path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let cache = response
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(cache.as_deref(), Some("no-store"), "{path}");
    }
    let token = app.api_token("cache@shop.nl", PASSWORD).await;
    let api = reqwest::Client::new()
        .get(app.url("/api/v1/flows"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
    let style = app.get(&browser, "/static/style.css").await;
    assert_eq!(style.status(), StatusCode::OK);
    assert!(style.headers()["cache-control"].to_str().unwrap().starts_with("public"));
}

/// The newest "forgot password" link mailed to `email` (mailed just after the answer: waited for).
async fn reset_link(app: &common::TestApp, email: &str) -> Option<String> {
    let token = koppel_store::test_support::mailed_token(&app.state.db, email, "/password/reset/")
        .await
        .unwrap();
    token.map(|token| format!("/password/reset/{token}"))
}

/// The account mail to `email`, waiting up to two seconds for the first (it is queued after the answer).
async fn account_mail(app: &common::TestApp, email: &str) -> Vec<koppel_store::alerts::OutboxMessage> {
    for _ in 0..100 {
        let mail = koppel_store::alerts::account_mail(&app.state.db, email).await.unwrap();
        if !mail.is_empty() {
            return mail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Vec::new()
}

/// "Forgot password": the same answer for any address; the account's owner gets a link that sets a new password
/// once, signs every other session out and this browser in.
#[tokio::test]
async fn a_forgotten_password_is_reset_through_a_mailed_link_once() {
    let app = spawn_app().await;
    let laptop = app.browser();
    let home = app.sign_up(&laptop, "greta@shop.nl", "Greta").await;
    let phone = app.browser();
    let login_page = app.get(&phone, "/login").await.text().await.unwrap();
    assert!(login_page.contains("/password/forgot"), "the sign-in page links it");
    assert_eq!(app.get(&phone, "/password/forgot").await.status(), StatusCode::OK);

    let ask = |email: &'static str| {
        let app = &app;
        async move {
            let response = app
                .post_form(&app.browser(), "/password/forgot", &[("email", email)])
                .await;
            let status = response.status();
            let html = response.text().await.unwrap();
            (status, html.contains("If this address has a Koppel account"))
        }
    };
    assert_eq!(ask("greta@shop.nl").await, (StatusCode::OK, true));
    assert_eq!(ask("nobody@shop.nl").await, (StatusCode::OK, true));
    let malformed = app.post_form(&phone, "/password/forgot", &[("email", "greta")]).await;
    assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let link = reset_link(&app, "greta@shop.nl").await.expect("a link mailed to Greta");
    assert!(
        reset_link(&app, "nobody@shop.nl").await.is_none(),
        "no mail to an address without an account"
    );

    assert_eq!(app.get(&phone, &link).await.status(), StatusCode::OK);
    let weak = [("new_password", "password123"), ("confirm_password", "password123")];
    assert_eq!(
        app.post_form(&phone, &link, &weak).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let new_password = "violet lanterns over the harbour";
    let differ = [
        ("new_password", new_password),
        ("confirm_password", "something else entirely"),
    ];
    assert_eq!(
        app.post_form(&phone, &link, &differ).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let good = [("new_password", new_password), ("confirm_password", new_password)];
    let saved = app.post_form(&phone, &link, &good).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&phone, &home).await.status(),
        StatusCode::OK,
        "signed in by the reset"
    );
    assert_eq!(
        app.get(&laptop, &home).await.status(),
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    let old = app.log_in(&app.browser(), "greta@shop.nl", PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app.log_in(&app.browser(), "greta@shop.nl", new_password).await;
    assert_eq!(new.status(), StatusCode::SEE_OTHER);

    assert_eq!(
        app.post_form(&app.browser(), &link, &good).await.status(),
        StatusCode::GONE,
        "used once"
    );
    assert_eq!(app.get(&app.browser(), &link).await.status(), StatusCode::GONE);
}

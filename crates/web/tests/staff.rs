//! The staff page: every company for platform staff, the 404 of any unknown page for everyone else.

mod common;

use common::spawn_app;
use koppel_core::Email;
use reqwest::StatusCode;

#[tokio::test]
async fn only_staff_see_every_company() {
    let app = spawn_app().await;
    let ria = app.browser();
    app.sign_up(&ria, "ria@koppel.nl", "Koppel Operator").await;
    app.sign_up(&app.browser(), "shop@fietsen.nl", "Fietsen Jansen").await;
    assert_eq!(app.get(&ria, "/staff").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&app.browser(), "/staff").await.status(),
        StatusCode::SEE_OTHER,
        "signed out: sign in first"
    );

    let email = Email::parse("ria@koppel.nl").unwrap();
    assert!(koppel_store::staff::grant(&app.state.db, &email, 0).await.unwrap());
    let page = app.get(&ria, "/staff").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for company in ["Koppel Operator", "Fietsen Jansen"] {
        assert!(html.contains(company), "{company} on the staff page");
    }
    assert!(html.contains("never"), "no run yet");

    assert!(koppel_store::staff::revoke(&app.state.db, &email).await.unwrap());
    assert_eq!(app.get(&ria, "/staff").await.status(), StatusCode::NOT_FOUND);
}

//! The setup wizard over HTTP, as a browser without JavaScript uses it: resumable steps with a progress
//! indicator, the sandbox choice, live lists, validation per field, the audit log, activation, and the first
//! run landing the orders in the sandbox's AFAS.

mod common;
mod setup_support;

use std::time::{Duration, Instant};

use common::location;
use reqwest::StatusCode;
use setup_support::SetupApp;

async fn text(response: reqwest::Response) -> String {
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_wizard_walks_from_the_sandbox_to_orders_in_afas() {
    let app = SetupApp::start(true).await;
    let client = app.browser();
    let home = app.sign_up(&client, "wiz@shop.nl", "Wiz").await;
    let setup = format!("{home}/setup");

    // Resuming opens the first step.
    let response = app.get(&client, &setup).await;
    assert_eq!(location(&response), format!("{setup}/mplus"));
    let page = text(app.get(&client, &format!("{setup}/mplus")).await).await;
    assert!(page.contains(r#"aria-current="step""#), "{page}");
    assert!(page.contains("Try it with the sandbox"));
    assert!(page.contains(r#"href="/t/"#) && page.contains("2. Connect AFAS"));

    // A wrong secret: the step stays, the message says why, nothing advances.
    let wrong = app
        .post_form(
            &client,
            &format!("{setup}/mplus"),
            &[
                ("host", &format!("http://{}", app.sandbox.mplus_addr.ip())),
                ("port", &app.sandbox.mplus_addr.port().to_string()),
                ("ident", &app.sandbox.config.mplus_ident),
                ("secret", "wrong"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::OK);
    let page = text(wrong).await;
    assert!(page.contains("Connection failed"), "{page}");
    assert!(!page.contains("wrong\""), "the secret is not rendered back");
    assert!(page.contains("•••• stored"), "a stored secret shows as masked");

    // Missing fields: a message per field, announced.
    let invalid = app
        .post_form(
            &client,
            &format!("{setup}/mplus"),
            &[("host", ""), ("port", "x"), ("action", "next")],
        )
        .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(invalid).await;
    assert!(page.contains(r#"aria-describedby="port-error"#), "{page}");
    assert!(page.contains("between 1 and 65535"));

    // The sandbox fills in both connections and goes on to the flows.
    let response = app.post_form(&client, &format!("{setup}/sandbox"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("{setup}/flows"));
    let page = text(app.get(&client, &format!("{setup}/afas")).await).await;
    assert!(page.contains("Connection works"), "{page}");
    assert!(
        !page.contains(&app.sandbox.config.afas_token_data),
        "the token is never rendered"
    );

    // Flows: at least one.
    let none = app
        .post_form(&client, &format!("{setup}/flows"), &[("action", "next")])
        .await;
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post_form(
            &client,
            &format!("{setup}/flows"),
            &[("flows", "orders"), ("action", "next")],
        )
        .await;
    assert_eq!(location(&response), format!("{setup}/general"));

    // General settings: live lists, the debtor search without JavaScript, validation.
    let page = text(app.get(&client, &format!("{setup}/general")).await).await;
    assert!(page.contains(r#"<select id="administration""#), "{page}");
    let page = text(app.get(&client, &format!("{setup}/general?debtor_search=Kassa")).await).await;
    assert!(page.contains("10000 — Kassaverkopen"), "{page}");
    let bad = app
        .post_form(
            &client,
            &format!("{setup}/general"),
            &[
                ("administration", "1"),
                ("default_debtor", "10000"),
                ("currency", "euro"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(bad).await.contains("three-letter currency"));
    let response = app
        .post_form(
            &client,
            &format!("{setup}/general"),
            &[
                ("administration", "1"),
                ("debtor_ledger_account", "1300"),
                ("payment_terms", "14"),
                ("default_debtor", "10000"),
                ("currency", "EUR"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(location(&response), format!("{setup}/questions"));

    // Resuming now opens the first step not done.
    assert_eq!(location(&app.get(&client, &setup).await), format!("{setup}/questions"));

    let response = app
        .post_form(
            &client,
            &format!("{setup}/questions"),
            &[
                ("order_filter", "paid"),
                ("order_types", "order"),
                ("order_target", "sales_order"),
                ("create_missing_articles", "on"),
                ("warehouse", "01"),
                ("manage_stock", "on"),
                ("stock_calculation", "free"),
                ("stock_branch", "1"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(location(&response), format!("{setup}/mappings"));

    // Mappings: the till's payment and delivery methods are listed live (enabled ones); a value per country
    // needs its country.
    let page = text(app.get(&client, &format!("{setup}/mappings")).await).await;
    assert!(page.contains(r#"name="payment_source" value="PIN""#), "{page}");
    assert!(page.contains(r#"name="shipping_source" value="DHL""#), "{page}");
    assert!(!page.contains("Koerier"), "a disabled delivery method is not offered");
    let keep_sandbox_maps = mapping_form(&page);
    let mut missing_country: Vec<(String, String)> = keep_sandbox_maps.clone();
    missing_country.push(("revenue_source".into(), String::new()));
    missing_country.push(("revenue_target".into(), "8300".into()));
    let pairs: Vec<(&str, &str)> = missing_country.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let bad = app.post_form(&client, &format!("{setup}/mappings"), &pairs).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(bad).await.contains("needs its country"));
    let pairs: Vec<(&str, &str)> = keep_sandbox_maps
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = app.post_form(&client, &format!("{setup}/mappings"), &pairs).await;
    assert_eq!(
        location(&response),
        format!("{setup}/review"),
        "{}",
        text(response).await
    );

    // Review: a summary and a dry run that sends nothing.
    let page = text(app.get(&client, &format!("{setup}/review")).await).await;
    assert!(page.contains("Connected."), "{page}");
    let dry = app
        .post_form(&client, &format!("{setup}/review"), &[("action", "dry_run")])
        .await;
    assert_eq!(dry.status(), StatusCode::OK);
    let page = text(dry).await;
    assert!(page.contains("What the first run would send"), "{page}");
    assert!(page.contains("create order"), "{page}");
    assert!(app.afas_orders(&home).await.is_empty(), "a dry run sends nothing");

    // Activate: the orders flow is on and its first run lands the orders in AFAS.
    let response = app
        .post_form(&client, &format!("{setup}/review"), &[("action", "activate")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("{home}/runs"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let orders = app.afas_orders(&home).await;
        if !orders.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "no order reached AFAS");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Every settings change is in the audit log, secrets redacted.
    let page = text(app.get(&client, &format!("{home}/settings/audit")).await).await;
    assert!(
        page.contains("connection/mplus") && page.contains("flow/orders"),
        "{page}"
    );
    assert!(!page.contains(&app.sandbox.config.mplus_secret) && !page.contains(&app.sandbox.config.afas_token_data));
}

/// The mapping form's fields as the page rendered them (the sandbox's values), "table" mode for all.
fn mapping_form(page: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for chunk in page.split("<input").skip(1) {
        let attribute = |name: &str| {
            chunk
                .split_once(&format!(" {name}=\""))
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(value, _)| value.to_owned())
        };
        let (Some(name), Some(kind)) = (attribute("name"), attribute("type")) else {
            continue;
        };
        if kind == "radio" {
            continue;
        }
        pairs.push((name, attribute("value").unwrap_or_default()));
    }
    for map in ["payment", "shipping", "vat", "revenue"] {
        pairs.push((format!("{map}_mode"), "table".into()));
    }
    pairs
}

#[tokio::test]
async fn members_cannot_open_the_wizard_and_steps_are_known() {
    let app = SetupApp::start(false).await;
    let owner = app.browser();
    let home = app.sign_up(&owner, "own@shop.nl", "Own").await;
    let viewer = app.browser();
    app.sign_up(&viewer, "view@shop.nl", "View").await;
    app.join(&owner, &home, "view@shop.nl", "member").await;
    assert_eq!(
        app.get(&viewer, &format!("{home}/setup/mplus")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_form(&viewer, &format!("{home}/setup/sandbox"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&owner, &format!("{home}/setup/nonsense")).await.status(),
        StatusCode::NOT_FOUND
    );
    // Activating before connecting says what is missing.
    let page = text(
        app.post_form(&owner, &format!("{home}/setup/review"), &[("action", "activate")])
            .await,
    )
    .await;
    assert!(page.contains("MplusKASSA is not connected"), "{page}");
}

#[tokio::test]
async fn every_choice_is_editable_per_flow_afterwards_and_audited() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "set@shop.nl", "Set").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;

    let page = text(app.get(&client, &format!("{home}/settings")).await).await;
    assert!(
        page.contains("Connected.") && page.contains(&format!("{home}/settings/stock")),
        "{page}"
    );
    let page = text(app.get(&client, &format!("{home}/settings/stock")).await).await;
    assert!(
        page.contains(r#"id="schedule""#) && page.contains(r#"value="0 */5 * * * *""#),
        "{page}"
    );
    assert!(
        page.contains(r#"<select id="administration""#),
        "live lists on the settings page too"
    );

    let mut form = vec![
        ("enabled", "on"),
        ("schedule", "0 0 * * * *"),
        ("administration", "1"),
        ("debtor_ledger_account", "1300"),
        ("payment_terms", "14"),
        ("default_debtor", "10000"),
        ("currency", "EUR"),
        ("warehouse", "02"),
        ("stock_calculation", "on_hand"),
        ("stock_branch", "2"),
        ("payment_mode", "forced"),
        ("payment_forced", "PIN"),
        ("vat_mode", "table"),
        ("vat_source", "NL"),
        ("vat_target", "1"),
        ("revenue_mode", "table"),
        ("revenue_source", ""),
        ("revenue_target", "8000"),
    ];
    let bad = app.post_form(&client, &format!("{home}/settings/stock"), &form).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(bad).await;
    assert!(page.contains("needs its country"), "{page}");
    assert!(page.contains(r#"value="0 0 * * * *""#), "the entered values stay");

    form.retain(|(k, v)| !(*k == "revenue_source" || (*k == "revenue_target" && *v == "8000")));
    form.push(("revenue_source", "BE"));
    form.push(("revenue_target", "8100"));
    let response = app.post_form(&client, &format!("{home}/settings/stock"), &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);

    let scope = koppel_store::TenantScope::for_background_job(home.trim_start_matches("/t/").parse().unwrap());
    let stock = koppel_store::flows::get(&app.state.db, &scope, koppel_core::FlowKind::Stock)
        .await
        .unwrap()
        .unwrap();
    assert!(stock.enabled && stock.next_run_at_ms.is_some());
    assert_eq!(stock.schedule, "0 0 * * * *");
    assert_eq!(stock.settings["stock_calculation"], "on_hand");
    assert_eq!(
        stock.settings["shipping_articles"][0], "990001",
        "settings the page does not show are kept"
    );
    // The company-wide settings on the page are every flow's.
    let company = koppel_jobs::settings::load(&app.state.db, &scope, koppel_core::FlowKind::Orders)
        .await
        .unwrap()
        .company;
    assert_eq!(company.warehouse.as_deref(), Some("02"));
    assert_eq!(company.stock_branch.as_deref(), Some("2"));
    assert_eq!(company.payment_method_map.forced.as_deref(), Some("PIN"));
    assert_eq!(company.revenue_account_by_country.table["BE"], "8100");
    let orders = koppel_store::flows::get(&app.state.db, &scope, koppel_core::FlowKind::Orders)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        orders.settings["stock_calculation"], "free",
        "other flows are untouched"
    );

    // Switch it off again.
    form.retain(|(k, _)| *k != "enabled");
    app.post_form(&client, &format!("{home}/settings/stock"), &form).await;
    let stock = koppel_store::flows::get(&app.state.db, &scope, koppel_core::FlowKind::Stock)
        .await
        .unwrap()
        .unwrap();
    assert!(!stock.enabled && stock.next_run_at_ms.is_none());

    let page = text(app.get(&client, &format!("{home}/settings/audit")).await).await;
    assert!(
        page.contains("flow/stock") && page.contains("settings.stock_calculation"),
        "{page}"
    );
    assert!(
        page.contains("payment_method_map.forced"),
        "the company's change: {page}"
    );
    assert!(page.contains("set@shop.nl"));
}

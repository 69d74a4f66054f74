//! The preflight where a flow is switched on: the API, a flow's settings page and the wizard's Activate,
//! over HTTP against a running router, with AFAS checked live in the sandbox over real sockets. A flow that
//! cannot work is refused with 422 naming each setting, and nothing is saved.

mod common;
mod setup_support;

use common::{PASSWORD, call, location};
use koppel_core::FlowKind;
use koppel_jobs::credentials::{self, AfasCredentials, ConnectionTest};
use koppel_store::TenantScope;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use setup_support::SetupApp;

/// A company connected to the sandbox with its preset settings (every flow off); its path and API token.
async fn sandbox_company(app: &SetupApp, email: &str) -> (reqwest::Client, String, String) {
    let client = app.browser();
    let home = app.sign_up(&client, email, "Preflight").await;
    let response = app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let token = app.api_token(email, PASSWORD).await;
    (client, home, token)
}

fn scope(home: &str) -> TenantScope {
    TenantScope::for_background_job(home.trim_start_matches("/t/").parse().unwrap())
}

async fn stored(app: &SetupApp, home: &str, flow: FlowKind) -> koppel_store::flows::FlowConfig {
    koppel_store::flows::get(&app.state.db, &scope(home), flow)
        .await
        .unwrap()
        .unwrap()
}

/// The company's stored warehouse (a company-wide setting: the same for every flow).
async fn warehouse(app: &SetupApp, home: &str) -> Option<String> {
    koppel_jobs::settings::company(&app.state.db, &scope(home))
        .await
        .unwrap()
        .warehouse
}

/// The flow's stored settings with `change` applied, as a PUT switching it on.
async fn switch_on_with(
    app: &SetupApp,
    token: &str,
    flow: &str,
    change: impl FnOnce(&mut Value),
) -> (StatusCode, Value) {
    let (_, current) = call(Method::GET, app, token, &format!("/api/v1/flows/{flow}"), None).await;
    let mut settings = current["settings"].clone();
    change(&mut settings);
    let update = json!({"enabled": true, "settings": settings});
    call(Method::PUT, app, token, &format!("/api/v1/flows/{flow}"), Some(update)).await
}

fn first_error<'a>(body: &'a Value, setting: &str) -> &'a str {
    body["errors"][setting][0]
        .as_str()
        .unwrap_or_else(|| panic!("no error on `{setting}`: {body}"))
}

#[tokio::test]
async fn the_api_switches_on_only_a_flow_whose_settings_work_in_afas() {
    let app = SetupApp::start(false).await;
    let (_, home, token) = sandbox_company(&app, "api@preflight.nl").await;

    // Stock without a warehouse.
    let (status, body) = switch_on_with(&app, &token, "stock", |s| s["warehouse"] = Value::Null).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        first_error(&body, "warehouse"),
        "not set: stock is written per AFAS warehouse"
    );
    let stock = stored(&app, &home, FlowKind::Stock).await;
    assert!(
        !stock.enabled && stock.next_run_at_ms.is_none(),
        "a refused flow stays off"
    );
    assert_eq!(warehouse(&app, &home).await.as_deref(), Some("01"), "nothing was saved");

    // A warehouse the AFAS administration does not have.
    let (status, body) = switch_on_with(&app, &token, "stock", |s| s["warehouse"] = json!("99")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        first_error(&body, "warehouse"),
        "`99` does not exist in AFAS (Profit_Warehouses)"
    );

    // Products without an article group for AFAS's articles.
    let (status, body) = switch_on_with(&app, &token, "products", |s| s["article_group_map"] = json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        first_error(&body, "article_group_map").contains("article group"),
        "{body}"
    );

    // Orders: every unknown code named under its own setting, all in one answer.
    let (status, body) = switch_on_with(&app, &token, "orders", |s| {
        s["vat_code_by_country"]["table"]["NL:21"] = json!("NL-HOOG");
        s["payment_terms"] = json!("99");
        s["default_debtor"] = json!("77777");
    })
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(first_error(&body, "vat_code_by_country").contains("`NL-HOOG` does not exist in AFAS (Profit_VAT_code)"));
    assert!(first_error(&body, "payment_terms").contains("`99` does not exist"));
    assert!(first_error(&body, "default_debtor").contains("`77777` does not exist in AFAS (Profit_Debtor)"));
    assert_eq!(body["errors"].as_object().unwrap().len(), 3, "{body}");

    // The complete sandbox preset.
    for flow in ["orders", "customers", "products", "stock"] {
        let (status, body) = call(
            Method::PUT,
            &app,
            &token,
            &format!("/api/v1/flows/{flow}"),
            Some(json!({"enabled": true})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{flow}: {body}");
        assert!(body["enabled"] == true && body["next_run_at"].is_string(), "{body}");
    }

    // New settings for a flow that is on are checked too; switching off, and a flow that is off, are not.
    let (status, body) = call(
        Method::PUT,
        &app,
        &token,
        "/api/v1/flows/stock",
        Some(json!({"settings": {"warehouse": "99"}})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(warehouse(&app, &home).await.as_deref(), Some("01"));
    // The warehouse is the company's: switching the stock flow off does not free it while the orders flow,
    // which is on, books in it.
    let off = json!({"enabled": false, "settings": {"warehouse": "99"}});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/stock", Some(off)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        first_error(&body, "warehouse").contains("the orders flow, which is on"),
        "{body}"
    );
    let off = json!({"enabled": false, "settings": {"manage_stock": false}});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/stock", Some(off)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["settings"]["manage_stock"], false);
    assert_eq!(body["settings"]["warehouse"], "01");
}

#[tokio::test]
async fn an_afas_that_cannot_be_asked_refuses_on_the_connection() {
    let app = SetupApp::start(false).await;
    let (_, home, token) = sandbox_company(&app, "down@preflight.nl").await;

    // Nothing listens on the port the stored connection now names.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let afas = AfasCredentials {
        environment: "12345".into(),
        environment_type: "test".into(),
        token: app.sandbox.config.afas_token_xml(),
        url: Some(url),
    };
    let passed = ConnectionTest {
        ok: true,
        message: String::new(),
        details: json!({}),
    };
    credentials::save_afas(&app.state.db, &app.state.secrets, &scope(&home), &afas, &passed)
        .await
        .unwrap();
    let on = Some(json!({"enabled": true}));
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/stock", on.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        first_error(&body, "connection").starts_with("AFAS could not confirm"),
        "{body}"
    );
    assert!(!stored(&app, &home, FlowKind::Stock).await.enabled);

    // A company without an AFAS connection at all.
    app.api_signup("bare@preflight.nl", "Bare").await;
    let bare = app.api_token("bare@preflight.nl", PASSWORD).await;
    let update = json!({"enabled": true, "settings": {"warehouse": "01"}});
    let (status, body) = call(Method::PUT, &app, &bare, "/api/v1/flows/stock", Some(update)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        first_error(&body, "connection").contains("AFAS is not connected"),
        "{body}"
    );
}

/// The settings page's form for the stock flow, switched on, with `warehouse`.
fn stock_form(warehouse: &str) -> Vec<(&'static str, String)> {
    [
        ("enabled", "on"),
        ("schedule", "0 0 * * * *"),
        ("administration", "1"),
        ("payment_terms", "14"),
        ("default_debtor", "10000"),
        ("currency", "EUR"),
        ("warehouse", warehouse),
        ("stock_calculation", "free"),
        ("stock_branch", "1"),
        ("manage_stock", "on"),
        ("payment_mode", "table"),
        ("vat_mode", "table"),
        ("revenue_mode", "table"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

#[tokio::test]
async fn the_settings_page_refuses_with_the_message_beside_the_setting_and_keeps_the_input() {
    let app = SetupApp::start(false).await;
    let (client, home, _) = sandbox_company(&app, "page@preflight.nl").await;
    let path = format!("{home}/settings/stock");

    let form = stock_form("99");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = app.post_form(&client, &path, &pairs).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains(
            r#"<p class="field-error" id="warehouse-error">`99` does not exist in AFAS (Profit_Warehouses)</p>"#
        ),
        "{page}"
    );
    assert!(
        page.contains("The stock flow cannot be switched on yet"),
        "the alert on top: {page}"
    );
    assert!(
        page.contains(r#"value="99" selected"#),
        "the typed warehouse stays: {page}"
    );
    assert!(page.contains(r#"value="0 0 * * * *""#), "the typed schedule stays");
    let stock = stored(&app, &home, FlowKind::Stock).await;
    assert!(!stock.enabled, "nothing saved");
    assert_eq!(stock.schedule, "0 */5 * * * *");
    assert_eq!(warehouse(&app, &home).await.as_deref(), Some("01"));

    // Saved while off (and no other flow is on): not checked.
    let off: Vec<(&str, &str)> = pairs.iter().copied().filter(|(k, _)| *k != "enabled").collect();
    let saved = app.post_form(&client, &path, &off).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(warehouse(&app, &home).await.as_deref(), Some("99"));

    let form = stock_form("02");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = app.post_form(&client, &path, &pairs).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{}", saved.text().await.unwrap());
    assert!(stored(&app, &home, FlowKind::Stock).await.enabled);
    assert_eq!(warehouse(&app, &home).await.as_deref(), Some("02"));
}

#[tokio::test]
async fn the_wizard_activates_nothing_while_a_chosen_flow_cannot_work() {
    let app = SetupApp::start(false).await;
    let (client, home, token) = sandbox_company(&app, "wizard@preflight.nl").await;
    let setup = format!("{home}/setup");
    let chosen = [("flows", "orders"), ("flows", "stock"), ("action", "next")];
    assert_eq!(
        location(&app.post_form(&client, &format!("{setup}/flows"), &chosen).await),
        format!("{setup}/general")
    );
    // The stock flow's warehouse is gone from AFAS's point of view (saved while the flow is off).
    let off = json!({"enabled": false, "settings": {"warehouse": "99", "stock_branch": "1"}});
    let (status, _) = call(Method::PUT, &app, &token, "/api/v1/flows/stock", Some(off)).await;
    assert_eq!(status, StatusCode::OK);

    let refused = app
        .post_form(&client, &format!("{setup}/review"), &[("action", "activate")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    // The warehouse is the company's, so both chosen flows are refused on it.
    for flow in ["orders", "stock"] {
        assert!(
            page.contains(&format!(
                "The {flow} flow cannot be switched on yet: `warehouse` `99` does not exist"
            )),
            "{page}"
        );
    }
    assert!(page.contains("Not activated."));
    for flow in [FlowKind::Orders, FlowKind::Stock] {
        assert!(!stored(&app, &home, flow).await.enabled, "{flow} stays off");
    }
    let (_, runs) = call(Method::GET, &app, &token, "/api/v1/flows/orders", None).await;
    assert!(runs["next_run_at"].is_null());

    let fixed = json!({"settings": {"warehouse": "01", "stock_branch": "1"}});
    call(Method::PUT, &app, &token, "/api/v1/flows/stock", Some(fixed)).await;
    let activated = app
        .post_form(&client, &format!("{setup}/review"), &[("action", "activate")])
        .await;
    assert_eq!(activated.status(), StatusCode::SEE_OTHER);
    for flow in [FlowKind::Orders, FlowKind::Stock] {
        assert!(stored(&app, &home, flow).await.enabled, "{flow} is on");
    }
}

//! One settings model over HTTP: the company-wide settings live once per company and every flow uses them,
//! whether they are changed on any flow's settings page, with `PUT /api/v1/settings` or within
//! `PUT /api/v1/flows/{flow}`; the audit log shows each change once; settings that cannot work together
//! (orders and invoices) are refused by the wizard and both APIs with the reason.

mod common;
mod setup_support;

use common::{PASSWORD, call, spawn_app};
use koppel_core::FlowKind;
use koppel_store::{TenantScope, audit};
use koppel_sync::settings::ReceiptTarget;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use setup_support::SetupApp;

async fn text(response: reqwest::Response) -> String {
    response.text().await.unwrap()
}

fn scope_of(home: &str) -> TenantScope {
    TenantScope::for_background_job(home.trim_start_matches("/t/").parse().unwrap())
}

/// What a browser would post for the page's settings form as rendered: text and hidden inputs, checked boxes
/// and radios, selected options.
fn rendered_form(page: &str) -> Vec<(String, String)> {
    let start = page
        .match_indices(r#"<form method="post""#)
        .map(|(at, _)| at)
        .find(|at| page[*at..].split_once('>').unwrap().0.contains("novalidate"))
        .expect("the settings form");
    let form = &page[start..start + page[start..].find("</form>").unwrap()];
    let attribute = |tag: &str, name: &str| {
        tag.split_once(&format!(" {name}=\""))
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(value, _)| {
                value
                    .replace("&amp;", "&")
                    .replace("&#x2f;", "/")
                    .replace("&#x2F;", "/")
            })
    };
    let mut pairs = Vec::new();
    for tag in form.split("<input").skip(1) {
        let tag = &tag[..tag.find('>').unwrap()];
        let (Some(name), kind) = (attribute(tag, "name"), attribute(tag, "type").unwrap_or_default()) else {
            continue;
        };
        let checked = tag.contains(" checked");
        match kind.as_str() {
            "checkbox" if checked => pairs.push((name, attribute(tag, "value").unwrap_or_else(|| "on".into()))),
            "radio" if checked => pairs.push((name, attribute(tag, "value").unwrap_or_default())),
            "checkbox" | "radio" => {}
            _ => pairs.push((name, attribute(tag, "value").unwrap_or_default())),
        }
    }
    for select in form.split("<select").skip(1) {
        let name = attribute(&select[..select.find('>').unwrap()], "name").unwrap();
        let options = &select[..select.find("</select>").unwrap()];
        let chosen = options
            .split("<option")
            .skip(1)
            .find(|option| option[..option.find('>').unwrap()].contains(" selected"))
            .and_then(|option| attribute(option, "value"))
            .unwrap_or_default();
        pairs.push((name, chosen));
    }
    pairs
}

fn set(form: &mut [(String, String)], name: &str, value: &str) {
    let field = form
        .iter_mut()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("{name} in the form"));
    field.1 = value.to_owned();
}

/// The audit entries that change `field` (a company field's own name, or `settings.<field>` in a flow's).
fn changing(log: &[audit::Entry], field: &str) -> Vec<audit::Entry> {
    log.iter()
        .filter(|e| {
            e.changes
                .iter()
                .any(|c| c.field == field || c.field == format!("settings.{field}"))
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_company_setting_changed_on_the_orders_page_is_every_flows_and_audited_once() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "co@shop.nl", "Co").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    let scope = scope_of(&home);

    // Each page shows its own settings and, apart, the company's; stock counting is on the stock page only.
    let orders_page = text(app.get(&client, &format!("{home}/settings/orders")).await).await;
    assert!(
        orders_page.contains("Company settings (shared by all flows)"),
        "{orders_page}"
    );
    assert!(orders_page.contains(r#"name="order_filter""#) && orders_page.contains(r#"name="shipping_mode""#));
    assert!(
        !orders_page.contains(r#"name="stock_calculation""#),
        "stock counting is not the orders flow's"
    );
    assert!(!orders_page.contains(r#"name="update_product_info""#));
    let stock_page = text(app.get(&client, &format!("{home}/settings/stock")).await).await;
    assert!(stock_page.contains(r#"name="stock_calculation""#), "{stock_page}");
    assert!(!stock_page.contains(r#"name="order_filter""#) && !stock_page.contains(r#"name="shipping_mode""#));
    assert!(
        stock_page.contains(r#"<select id="administration""#) && stock_page.contains(r#"name="vat_mode""#),
        "the company section on every page"
    );

    let before = audit::list(&app.state.db, &scope, 500).await.unwrap();
    let mut form = rendered_form(&orders_page);
    set(&mut form, "warehouse", "02");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &format!("{home}/settings/orders"), &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);

    let stock = koppel_jobs::settings::load(&app.state.db, &scope, FlowKind::Stock)
        .await
        .unwrap();
    assert_eq!(
        stock.company.warehouse.as_deref(),
        Some("02"),
        "the stock flow writes to it now"
    );
    let log = audit::list(&app.state.db, &scope, 500).await.unwrap();
    let new: Vec<audit::Entry> = log.into_iter().filter(|e| !before.contains(e)).collect();
    let warehouse = changing(&new, "warehouse");
    assert_eq!(warehouse.len(), 1, "one change, one entry: {new:?}");
    assert_eq!(warehouse[0].area, "company");
    assert_eq!(warehouse[0].actor, "co@shop.nl");
    assert_eq!(
        warehouse[0].changes.len(),
        1,
        "the unchanged settings are not in it: {warehouse:?}"
    );
    assert_eq!(
        (&warehouse[0].changes[0].before, &warehouse[0].changes[0].after),
        (&json!("01"), &json!("02"))
    );
    let page = text(app.get(&client, &format!("{home}/settings/audit")).await).await;
    assert!(page.contains("company"), "{page}");

    // The stock page saves its own choice without touching the other flows'.
    let mut form = rendered_form(&text(app.get(&client, &format!("{home}/settings/stock")).await).await);
    set(&mut form, "stock_calculation", "on_hand");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &format!("{home}/settings/stock"), &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);
    let load = |flow| koppel_jobs::settings::load(&app.state.db, &scope, flow);
    assert_eq!(
        serde_json::to_value(load(FlowKind::Stock).await.unwrap().stock_calculation).unwrap(),
        "on_hand"
    );
    assert_eq!(
        serde_json::to_value(load(FlowKind::Orders).await.unwrap().stock_calculation).unwrap(),
        "free"
    );
    assert_eq!(
        load(FlowKind::Orders).await.unwrap().company.warehouse.as_deref(),
        Some("02")
    );

    // The receipts page asks what a till receipt becomes and saves it for the receipts flow alone.
    let page = text(app.get(&client, &format!("{home}/settings/receipts")).await).await;
    assert!(
        page.contains("What does a finished till receipt become in AFAS?"),
        "{page}"
    );
    assert!(
        !page.contains(r#"name="order_filter""#),
        "the orders' questions stay on their page"
    );
    let mut form = rendered_form(&page);
    set(&mut form, "receipt_target", "sales_order");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app
        .post_form(&client, &format!("{home}/settings/receipts"), &pairs)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);
    assert_eq!(
        load(FlowKind::Receipts).await.unwrap().receipt_target,
        ReceiptTarget::SalesOrder
    );
    assert_eq!(
        load(FlowKind::Orders).await.unwrap().receipt_target,
        ReceiptTarget::DirectInvoice
    );
}

#[tokio::test]
async fn the_company_settings_api_changes_every_flow_and_is_audited_once() {
    let app = spawn_app().await;
    let signup = app.api_signup("api@shop.nl", "Api").await;
    let token = app.api_token("api@shop.nl", PASSWORD).await;
    let scope = TenantScope::for_background_job(signup["tenant_id"].as_str().unwrap().parse().unwrap());

    let (status, company) = call(Method::GET, &app, &token, "/api/v1/settings", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(company["currency"], "EUR");
    assert!(company["warehouse"].is_null() && company.get("order_filter").is_none());

    let update = json!({"administration": "1", "warehouse": "01", "payment_terms": "14",
        "vat_code_by_country": {"table": {"NL": "1"}}});
    let (status, company) = call(Method::PUT, &app, &token, "/api/v1/settings", Some(update)).await;
    assert_eq!(status, StatusCode::OK, "{company}");
    assert_eq!(company["warehouse"], "01");
    for flow in ["stock", "orders", "customers"] {
        let (_, body) = call(Method::GET, &app, &token, &format!("/api/v1/flows/{flow}"), None).await;
        assert_eq!(body["settings"]["warehouse"], "01", "{flow}");
        assert_eq!(body["settings"]["vat_code_by_country"]["table"]["NL"], "1", "{flow}");
    }
    let log = audit::list(&app.state.db, &scope, 50).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        (log[0].area.as_str(), log[0].actor.as_str()),
        ("company", "api@shop.nl")
    );

    // The company settings inside a flow's document change them for every flow; those it leaves out stay.
    let update = json!({"settings": {"warehouse": "05", "order_filter": "any"}});
    let (status, orders) = call(Method::PUT, &app, &token, "/api/v1/flows/orders", Some(update)).await;
    assert_eq!(status, StatusCode::OK, "{orders}");
    assert_eq!(orders["settings"]["administration"], "1", "left out, kept");
    let (_, stock) = call(Method::GET, &app, &token, "/api/v1/flows/stock", None).await;
    assert_eq!(stock["settings"]["warehouse"], "05");
    assert_eq!(
        stock["settings"]["order_filter"], "paid",
        "the orders flow's own stays its own"
    );
    let (_, company) = call(Method::GET, &app, &token, "/api/v1/settings", None).await;
    assert_eq!(company["warehouse"], "05");
    assert_eq!(company["payment_terms"], "14");
    let log = audit::list(&app.state.db, &scope, 50).await.unwrap();
    let warehouse = changing(&log, "warehouse");
    assert_eq!(warehouse.len(), 2, "set, then changed once: {log:?}");
    assert!(warehouse.iter().all(|e| e.area == "company"));
    assert!(changing(&log, "order_filter").iter().all(|e| e.area == "flow/orders"));

    // Refused: values of the wrong shape, a document of the wrong type (nothing saved).
    let bad = json!({"administration": "Retail", "currency": "euro"});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/settings", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["administration"][0].as_str().unwrap().contains("number"),
        "{body}"
    );
    assert!(
        body["errors"]["currency"][0].as_str().unwrap().contains("three-letter"),
        "{body}"
    );
    let (status, body) = call(
        Method::PUT,
        &app,
        &token,
        "/api/v1/settings",
        Some(json!({"warehouse": 5})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["settings"][0].is_string(), "{body}");
    // The withdrawn variant mode is refused, through either document.
    let dimensions = json!({"variant_mode": "dimensions"});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/settings", Some(dimensions.clone())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["variant_mode"][0]
            .as_str()
            .unwrap()
            .contains("separate_articles"),
        "{body}"
    );
    let in_flow = json!({ "settings": dimensions });
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/products", Some(in_flow)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, company) = call(Method::GET, &app, &token, "/api/v1/settings", None).await;
    assert_eq!(company["administration"], "1");
    assert_eq!(company["variant_mode"], "separate_articles");

    // Another company has its own.
    app.api_signup("other@shop.nl", "Other").await;
    let other = app.api_token("other@shop.nl", PASSWORD).await;
    let (_, theirs) = call(Method::GET, &app, &other, "/api/v1/settings", None).await;
    assert!(theirs["warehouse"].is_null(), "{theirs}");
}

#[tokio::test]
async fn a_partial_flow_document_changes_only_what_it_names_and_is_audited_before_and_after() {
    let app = spawn_app().await;
    let signup = app.api_signup("merge@shop.nl", "Merge").await;
    let token = app.api_token("merge@shop.nl", PASSWORD).await;
    let scope = TenantScope::for_background_job(signup["tenant_id"].as_str().unwrap().parse().unwrap());

    let first = json!({"settings": {"administration": "1", "order_filter": "any", "batch_size": 25,
        "shipping_articles": ["SHIP"], "shipping_method_map": {"table": {"POST": "PN"}}}});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/orders", Some(first)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Names one own field and one company field: everything else, the flow's own included, keeps its value.
    let partial = json!({"settings": {"order_target": "direct_invoice", "currency": "USD"}});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/orders", Some(partial)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, orders) = call(Method::GET, &app, &token, "/api/v1/flows/orders", None).await;
    let settings = &orders["settings"];
    assert_eq!(settings["order_target"], "direct_invoice");
    assert_eq!(settings["currency"], "USD");
    assert_eq!(settings["order_filter"], "any", "own field left out, kept");
    assert_eq!(settings["batch_size"], 25, "own field left out, kept");
    assert_eq!(settings["shipping_articles"], json!(["SHIP"]));
    assert_eq!(settings["shipping_method_map"]["table"]["POST"], "PN");
    assert_eq!(settings["administration"], "1", "company field left out, kept");

    // The audit log: who, when, and before → after of exactly what the partial document changed.
    let log = audit::list(&app.state.db, &scope, 50).await.unwrap();
    let latest_flow = log.iter().find(|e| e.area == "flow/orders").expect("the flow's entry");
    assert_eq!(latest_flow.actor, "merge@shop.nl");
    assert!(latest_flow.created_at_ms > 0);
    let changes: Vec<(&str, &Value, &Value)> = latest_flow
        .changes
        .iter()
        .map(|c| (c.field.as_str(), &c.before, &c.after))
        .collect();
    assert_eq!(
        changes,
        vec![("settings.order_target", &json!("sales_order"), &json!("direct_invoice"))],
        "only what was named changed"
    );
    let currency = changing(&log, "currency");
    assert_eq!(currency.len(), 1, "{log:?}");
    assert_eq!(
        (currency[0].area.as_str(), currency[0].actor.as_str()),
        ("company", "merge@shop.nl")
    );
    let change = currency[0].changes.iter().find(|c| c.field == "currency").unwrap();
    assert_eq!((&change.before, &change.after), (&json!("EUR"), &json!("USD")));
    assert!(
        changing(&log, "order_filter").len() == 1,
        "set once, never reset: {log:?}"
    );
}

#[tokio::test]
async fn the_settings_say_what_debtor_updates_keep_and_the_choice_is_saved_for_every_flow() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "deb@shop.nl", "Deb").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    let scope = scope_of(&home);

    let page = text(app.get(&client, &format!("{home}/settings/customers")).await).await;
    assert!(page.contains(r#"name="update_debtor_terms""#), "{page}");
    assert!(
        page.contains("AFAS keeps its payment terms, debtor ledger account, revenue account, VAT duty and currency"),
        "the page says which fields are kept"
    );
    let mut form = rendered_form(&page);
    assert!(!form.iter().any(|(k, _)| k == "update_debtor_terms"), "off by default");
    form.push(("update_debtor_terms".into(), "on".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app
        .post_form(&client, &format!("{home}/settings/customers"), &pairs)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);
    let orders = koppel_jobs::settings::load(&app.state.db, &scope, FlowKind::Orders)
        .await
        .unwrap();
    assert!(
        orders.company.update_debtor_terms,
        "company-wide: the orders flow updates debtors too"
    );

    // Another flow's page shows it checked and keeps it.
    let page = text(app.get(&client, &format!("{home}/settings/stock")).await).await;
    let form = rendered_form(&page);
    assert!(
        form.iter().any(|(k, _)| k == "update_debtor_terms"),
        "checked on every page"
    );
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &format!("{home}/settings/stock"), &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);
    let company = koppel_jobs::settings::company(&app.state.db, &scope).await.unwrap();
    assert!(company.update_debtor_terms);
    let log = audit::list(&app.state.db, &scope, 50).await.unwrap();
    let changed = changing(&log, "update_debtor_terms");
    assert_eq!(changed.len(), 1, "{log:?}");
    assert_eq!(
        (changed[0].area.as_str(), changed[0].actor.as_str()),
        ("company", "deb@shop.nl")
    );
}

#[tokio::test]
async fn a_company_change_that_would_stop_a_flow_that_is_on_is_refused() {
    let app = spawn_app().await;
    app.api_signup("on@shop.nl", "On").await;
    let token = app.api_token("on@shop.nl", PASSWORD).await;
    // The customers flow needs nothing and names no AFAS code yet: it can be on without AFAS.
    let (status, body) = call(
        Method::PUT,
        &app,
        &token,
        "/api/v1/flows/customers",
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Payment terms are an AFAS code the customers flow would send: AFAS must confirm it first.
    let (status, body) = call(
        Method::PUT,
        &app,
        &token,
        "/api/v1/settings",
        Some(json!({"payment_terms": "14"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["errors"]["connection"][0].as_str().unwrap();
    assert!(message.contains("customers flow"), "{message}");
    let (_, company) = call(Method::GET, &app, &token, "/api/v1/settings", None).await;
    assert!(company["payment_terms"].is_null(), "nothing saved");
    // Within another flow's document too.
    let update = json!({"settings": {"payment_terms": "14"}});
    let (status, _) = call(Method::PUT, &app, &token, "/api/v1/flows/stock", Some(update)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn orders_and_invoices_cannot_be_read_together() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "types@shop.nl", "Types").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;

    // The wizard.
    let refused = app
        .post_form(
            &client,
            &format!("{home}/setup/questions"),
            &[
                ("order_filter", "paid"),
                ("order_types", "order"),
                ("order_types", "invoice"),
                ("order_target", "sales_order"),
                ("warehouse", "01"),
                ("manage_stock", "on"),
                ("stock_calculation", "free"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(refused).await;
    assert!(page.contains("orders and invoices cannot be read together"), "{page}");
    assert!(page.contains("sync marker"), "the reason is given");

    // The orders flow's settings page.
    let mut form = rendered_form(&text(app.get(&client, &format!("{home}/settings/orders")).await).await);
    form.push(("order_types".into(), "invoice".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = app.post_form(&client, &format!("{home}/settings/orders"), &pairs).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(refused).await.contains("cannot be read together"));

    // The API.
    let token = app.api_token("types@shop.nl", PASSWORD).await;
    let update = json!({"settings": {"order_types": ["order", "invoice"]}});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/orders", Some(update)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = body["errors"]["order_types"][0].as_str().unwrap();
    assert!(
        message.starts_with("orders and invoices cannot be read together"),
        "{message}"
    );
    let (_, orders) = call(Method::GET, &app, &token, "/api/v1/flows/orders", None).await;
    assert_eq!(orders["settings"]["order_types"], json!(["order"]), "nothing saved");
}

#[tokio::test]
async fn the_openapi_document_describes_the_company_settings() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for method in ["get", "put"] {
        assert!(doc["paths"]["/api/v1/settings"][method].is_object(), "{method}");
    }
    let schema = &doc["components"]["schemas"]["CompanySettings"];
    for field in ["administration", "warehouse", "vat_code_by_country", "variant_mode"] {
        assert!(schema["properties"][field].is_object(), "{field}: {schema}");
    }
    assert!(schema["properties"]["order_filter"].is_null());
    let receipt_target = &doc["components"]["schemas"]["ReceiptTarget"];
    assert_eq!(
        receipt_target["enum"],
        json!(["direct_invoice", "sales_order"]),
        "{receipt_target}"
    );
}

#[tokio::test]
async fn the_financial_journal_page_asks_its_own_questions_in_dutch_dates_and_never_runs_with_receipts() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "dagboek@shop.nl", "Dagboek").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    let scope = scope_of(&home);
    let page_path = format!("{home}/settings/financial_journal");
    let page = text(app.get(&client, &page_path).await).await;
    assert!(
        page.contains("How is a day&#x27;s revenue booked?") || page.contains("How is a day's revenue booked?"),
        "{page}"
    );
    let first_day = koppel_sandbox::mplus::seed::first_receipt_day()
        .format("%d-%m-%Y")
        .to_string();
    let form = rendered_form(&page);
    let value = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(
        value("journal_code").as_deref(),
        Some("90"),
        "the sandbox preset's memorial journal"
    );
    assert_eq!(value("journal_start_date"), Some(first_day), "as shops write a date");
    assert!(
        !page.contains(r#"name="receipt_target""#),
        "the receipts' question stays on its page"
    );

    // A day that does not exist and a table line that is not `code = code`: the page says so, nothing is saved.
    let mut bad = form.clone();
    set(&mut bad, "journal_start_date", "31-13-2026");
    bad.push(("journal_accounts".into(), "1010 = 1100\n1020 -> 1100".into()));
    let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &page_path, &pairs).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(response).await;
    assert!(page.contains("Write the day as 01-12-2026."), "{page}");
    assert!(page.contains("Line 2 is not"), "{page}");
    let load = || koppel_jobs::settings::load(&app.state.db, &scope, FlowKind::FinancialJournal);
    assert!(load().await.unwrap().journal_accounts.is_empty(), "nothing saved");

    let mut good = form.clone();
    set(&mut good, "journal_start_date", "01-11-2026");
    set(&mut good, "journal_revenue", "vat_rates");
    good.push(("journal_accounts".into(), "1010 = 1100".into()));
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &page_path, &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);
    let saved = load().await.unwrap();
    assert_eq!(saved.journal_start_date, chrono::NaiveDate::from_ymd_opt(2026, 11, 1));
    assert_eq!(saved.journal_revenue, koppel_sync::settings::JournalRevenue::VatRates);
    assert_eq!(saved.journal_accounts.get("1010").map(String::as_str), Some("1100"));

    // On together with receipts, the till's turnover would be booked twice: the second is refused, naming why.
    let token = app.api_token("dagboek@shop.nl", PASSWORD).await;
    let on = Some(json!({"enabled": true}));
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/financial_journal", on.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/receipts", on).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["errors"]["enabled"][0].as_str().unwrap();
    assert!(message.contains("the financial_journal flow is on"), "{message}");
    let (_, receipts) = call(Method::GET, &app, &token, "/api/v1/flows/receipts", None).await;
    assert_eq!(receipts["enabled"], false);
}

#[tokio::test]
async fn the_articles_page_asks_its_filters_and_prices_and_the_preflight_checks_the_connector_and_the_products_flow() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "artikelen@shop.nl", "Artikelen").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    let scope = scope_of(&home);
    let page_path = format!("{home}/settings/articles");
    let page = text(app.get(&client, &page_path).await).await;
    assert!(page.contains("Articles from AFAS to MplusKASSA"), "{page}");
    assert!(page.contains(r#"id="resync""#), "the full resync button");
    let form = rendered_form(&page);
    let value = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(value("article_prices_include_vat").as_deref(), Some("incl"));
    assert_eq!(
        value("turnover_groups_default").as_deref(),
        Some("10"),
        "the sandbox preset's turnover groups"
    );

    // A filter line that is not `field = value`: the page says which, nothing is saved.
    let mut bad = form.clone();
    bad.push(("article_field_filters".into(), "ItemTypeCode Art".into()));
    let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &page_path, &pairs).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(response).await.contains("Line 1 is not"));

    let mut good = form.clone();
    good.push(("article_field_filters".into(), "ItemTypeCode = Art".into()));
    set(&mut good, "article_groups", "100, 200");
    set(&mut good, "article_prices_include_vat", "excl");
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &page_path, &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);
    let saved = koppel_jobs::settings::load(&app.state.db, &scope, FlowKind::Articles)
        .await
        .unwrap();
    assert_eq!(saved.afas_article_filter.groups, ["100", "200"]);
    assert_eq!(
        saved
            .afas_article_filter
            .field_equals
            .get("ItemTypeCode")
            .map(String::as_str),
        Some("Art")
    );
    assert!(!saved.article_prices_include_vat);
    assert_eq!(saved.turnover_group_map.lookup("200"), Some("20"));

    // Switching on checks the GetConnector's fields in AFAS's metainfo.
    let token = app.api_token("artikelen@shop.nl", PASSWORD).await;
    let unknown_field =
        json!({"enabled": true, "settings": {"afas_article_filter": {"field_equals": {"U123_Webshop": "true"}}}});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/articles", Some(unknown_field)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["errors"]["afas_article_filter"][0].as_str().unwrap();
    assert!(message.contains("`U123_Webshop`"), "{message}");
    let (status, body) = call(
        Method::PUT,
        &app,
        &token,
        "/api/v1/flows/articles",
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The products flow must read AFAS's prices as this flow does, or the two would change each other's prices.
    let products_incl = json!({"enabled": true, "settings": {"article_prices_include_vat": true}});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/products", Some(products_incl)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["errors"]["article_prices_include_vat"][0].as_str().unwrap();
    assert!(message.contains("the articles flow is on"), "{message}");
    let products_excl = json!({"enabled": true, "settings": {"article_prices_include_vat": false}});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/products", Some(products_excl)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A full resync of master data is queued as a run that starts from the beginning; sales never are.
    let (status, body) = call(Method::POST, &app, &token, "/api/v1/flows/articles/resync", None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let run_id = body["run_id"].as_str().unwrap().to_owned();
    let (status, again) = call(Method::POST, &app, &token, "/api/v1/flows/articles/resync", None).await;
    assert_eq!(
        (status, again["run_id"].as_str()),
        (StatusCode::CONFLICT, Some(run_id.as_str()))
    );
    let (status, body) = call(Method::POST, &app, &token, "/api/v1/flows/orders/resync", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "not_resyncable");
}

#[tokio::test]
async fn the_prices_and_discounts_pages_map_price_lists_to_the_tills_groups_and_ask_what_prices_include() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "prijzen@shop.nl", "Prijzen").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    let scope = scope_of(&home);
    let page_path = format!("{home}/settings/prices");
    let page = text(app.get(&client, &page_path).await).await;
    assert!(page.contains("Prices from AFAS to MplusKASSA"), "{page}");
    assert!(page.contains("Price group per AFAS price list"), "{page}");
    // The till's price groups are offered (getPriceGroupList), and a price list maps to one of them: no
    // "one value for everything".
    assert!(page.contains(r#"<option value="2">Groothandel</option>"#), "{page}");
    assert!(!page.contains(r#"name="price_lists_forced""#), "{page}");
    assert!(!page.contains("/settings/prices/fields"), "no field mapping for prices");
    let form = rendered_form(&page);
    let rows: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| k == "price_lists_source" || k == "price_lists_target")
        .cloned()
        .collect();
    assert!(
        rows.windows(2).any(|pair| pair[0].1 == "GRO" && pair[1].1 == "2"),
        "the sandbox preset's mapping: {rows:?}"
    );

    // A new list, and the wholesale list on another group: saved as the flow's own table.
    let mut changed: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| k != "price_lists_source" && k != "price_lists_target")
        .cloned()
        .collect();
    for (list, group) in [("HOR", "1"), ("GRO", "3")] {
        changed.push(("price_lists_source".into(), list.into()));
        changed.push(("price_lists_target".into(), group.into()));
    }
    set(&mut changed, "article_prices_include_vat", "excl");
    let pairs: Vec<(&str, &str)> = changed.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &page_path, &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);
    let saved = koppel_jobs::settings::load(&app.state.db, &scope, FlowKind::Prices)
        .await
        .unwrap();
    assert_eq!(saved.company.price_list_map.lookup("GRO"), Some("3"));
    assert_eq!(saved.company.price_list_map.table.len(), 2);
    assert!(!saved.article_prices_include_vat);

    // Two lists on one group cannot be switched on: the API names the setting.
    let token = app.api_token("prijzen@shop.nl", PASSWORD).await;
    let clash = json!({"enabled": true, "settings": {"price_list_map": {"table": {"HOR": "1", "GRO": "1"}}}});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/prices", Some(clash)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["errors"]["price_list_map"][0].as_str().unwrap();
    assert!(message.contains("both"), "{message}");
    let fine = json!({"enabled": true, "settings": {"price_list_map": {"table": {"HOR": "1", "GRO": "2"}}}});
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/prices", Some(fine)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The discounts flow's page asks only what AFAS's prices include; saved as its own.
    let discounts_path = format!("{home}/settings/discounts");
    let page = text(app.get(&client, &discounts_path).await).await;
    assert!(page.contains("A debtor's own terms from AFAS to MplusKASSA"), "{page}");
    let mut form = rendered_form(&page);
    set(&mut form, "article_prices_include_vat", "excl");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &discounts_path, &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);
    let saved = koppel_jobs::settings::load(&app.state.db, &scope, FlowKind::Discounts)
        .await
        .unwrap();
    assert!(!saved.article_prices_include_vat);
}

#[tokio::test]
async fn the_quotations_page_asks_which_way_and_a_new_way_reads_its_source_from_the_start() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "offerte@shop.nl", "Offerte").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    let scope = scope_of(&home);
    let page_path = format!("{home}/settings/quotations");
    let page = text(app.get(&client, &page_path).await).await;
    assert!(page.contains("Which way do quotations go?"), "{page}");
    let form = rendered_form(&page);
    let value = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(
        value("quotations_direction").as_deref(),
        Some("mplus_to_afas"),
        "the default"
    );

    // A cursor from runs the till-to-AFAS way (a till sync marker).
    let db = &app.state.db;
    koppel_store::flows::set_cursor(db, &scope, FlowKind::Quotations, 42_000)
        .await
        .unwrap();
    let mut bad = form.clone();
    set(&mut bad, "quotations_direction", "sideways");
    let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &page_path, &pairs).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(response).await.contains("Choose which way quotations go."));

    let mut good = form.clone();
    set(&mut good, "quotations_direction", "afas_to_mplus");
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.post_form(&client, &page_path, &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);
    let saved = koppel_jobs::settings::load(db, &scope, FlowKind::Quotations)
        .await
        .unwrap();
    assert_eq!(
        saved.quotations_direction,
        koppel_sync::settings::QuotationsDirection::AfasToMplus
    );
    let stored = koppel_store::flows::get(db, &scope, FlowKind::Quotations)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.cursor, None, "the other way's marker is forgotten");

    // The same way again keeps the cursor its runs moved; the API shows and takes the setting too.
    koppel_store::flows::set_cursor(db, &scope, FlowKind::Quotations, 1_700_000_000)
        .await
        .unwrap();
    let token = app.api_token("offerte@shop.nl", PASSWORD).await;
    let same = Some(json!({"settings": {"quotations_direction": "afas_to_mplus"}}));
    let (status, body) = call(Method::PUT, &app, &token, "/api/v1/flows/quotations", same).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["settings"]["quotations_direction"], "afas_to_mplus", "{body}");
    let stored = koppel_store::flows::get(db, &scope, FlowKind::Quotations)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.cursor, Some(1_700_000_000));
}

//! The field-mapping editor over HTTP, as a browser without JavaScript uses it: the default mapping, saving,
//! changing and removing a rule (audited), validation that keeps the input, roles, the preview against the
//! sandbox, and the same rules refused by the JSON API.

mod common;
mod setup_support;

use common::{PASSWORD, call, location};
use koppel_core::FlowKind;
use reqwest::StatusCode;
use serde_json::json;
use setup_support::SetupApp;

async fn text(response: reqwest::Response) -> String {
    response.text().await.unwrap()
}

async fn field_map(app: &SetupApp, home: &str, flow: FlowKind) -> serde_json::Value {
    let scope = koppel_store::TenantScope::for_background_job(home.trim_start_matches("/t/").parse().unwrap());
    let config = koppel_store::flows::get(&app.state.db, &scope, flow)
        .await
        .unwrap()
        .unwrap();
    config.settings["field_map"].clone()
}

#[tokio::test]
async fn the_editor_shows_the_default_mapping_and_saves_changes_and_removes_rules_audited() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "map@shop.nl", "Map").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    let fields = format!("{home}/settings/orders/fields");

    let page = text(app.get(&client, &format!("{home}/settings/orders")).await).await;
    assert!(
        page.contains(&format!(r#"href="{fields}""#)),
        "linked from the flow's settings"
    );
    let page = text(app.get(&client, &format!("{home}/settings")).await).await;
    assert!(page.contains(&format!(r#"href="{fields}""#)), "and from the overview");
    assert!(!page.contains("/settings/stock/fields"), "stock has no field mapping");
    let page = text(app.get(&client, &fields).await).await;
    for expected in [
        "order.reference",
        "RfCs (reference)",
        "line.unit_price",
        "debtor.address.city",
        "customer.address.city",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    assert!(
        page.contains(r#"<option value="customer.email">"#),
        "source fields offered"
    );

    let rule = [
        ("target", "debtor.address.city"),
        ("source_kind", "default"),
        ("source_value", ""),
        ("op_1", "trim"),
        ("op_2", "upper"),
        ("action", "save"),
    ];
    let response = app.post_form(&client, &fields, &rule).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", text(response).await);
    assert_eq!(location(&response), format!("{fields}?saved=1"));
    assert_eq!(
        field_map(&app, &home, FlowKind::Orders).await,
        json!([{"target": "debtor.address.city", "source": "default", "transforms": [{"op": "trim"}, {"op": "upper"}]}])
    );
    let page = text(app.get(&client, &format!("{fields}?saved=1")).await).await;
    assert!(
        page.contains("Saved.") && page.contains("the default → trim → upper case"),
        "{page}"
    );

    // Changing the rule of the same field replaces it; another field gets its own.
    let change = [
        ("target", "debtor.address.city"),
        ("source_kind", "path"),
        ("source_value", "customer.address.city"),
        ("op_1", "lower"),
        ("action", "save"),
    ];
    app.post_form(&client, &fields, &change).await;
    let price = [
        ("target", "line.unit_price"),
        ("source_kind", "default"),
        ("op_1", "multiply"),
        ("a1_1", "+5%"),
        ("op_2", "round"),
        ("a1_2", "2"),
        ("action", "save"),
    ];
    app.post_form(&client, &fields, &price).await;
    let map = field_map(&app, &home, FlowKind::Orders).await;
    assert_eq!(map.as_array().unwrap().len(), 2, "{map}");
    assert_eq!(map[0]["source"], json!({"path": "customer.address.city"}));
    assert_eq!(map[1]["transforms"][0], json!({"op": "multiply", "factor": "1.05"}));

    // The edit link fills the form with the rule.
    let page = text(app.get(&client, &format!("{fields}?edit=line.unit_price")).await).await;
    assert!(page.contains(r#"<option value="line.unit_price" selected>"#), "{page}");
    assert!(page.contains(r#"value="1.05""#), "{page}");

    let response = app
        .post_form(
            &client,
            &fields,
            &[("target", "debtor.address.city"), ("action", "remove")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let map = field_map(&app, &home, FlowKind::Orders).await;
    assert_eq!(map.as_array().unwrap().len(), 1);
    assert_eq!(map[0]["target"], "line.unit_price");

    let page = text(app.get(&client, &format!("{home}/settings/audit")).await).await;
    assert!(page.contains("flow/orders/fields"), "{page}");
    assert!(
        page.contains("field_map.debtor.address.city") && page.contains("field_map.line.unit_price"),
        "{page}"
    );
    assert!(page.contains("map@shop.nl"));
}

#[tokio::test]
async fn an_invalid_rule_is_re_rendered_with_its_message_and_the_input_kept() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "bad@shop.nl", "Bad").await;
    let fields = format!("{home}/settings/products/fields");

    let bad = [
        ("target", "article.price"),
        ("source_kind", "path"),
        ("source_value", "price_incl_btw"),
        ("op_1", "round"),
        ("a1_1", "twee"),
        ("action", "save"),
    ];
    let response = app.post_form(&client, &fields, &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(response).await;
    assert!(page.contains("Round: the decimals must be a whole number"), "{page}");
    assert!(page.contains(r#"value="price_incl_btw""#), "the input stays: {page}");
    assert!(page.contains(r#"value="twee""#), "{page}");
    assert!(page.contains(r#"aria-invalid="true""#));

    let unknown_source = [
        ("target", "article.price"),
        ("source_kind", "path"),
        ("source_value", "price_incl_btw"),
        ("action", "save"),
    ];
    let page = text(app.post_form(&client, &fields, &unknown_source).await).await;
    assert!(
        page.contains("`price_incl_btw` is not a field of the source record"),
        "{page}"
    );

    let no_target = [
        ("target", ""),
        ("source_kind", "constant"),
        ("source_value", "x"),
        ("action", "save"),
    ];
    let page = text(app.post_form(&client, &fields, &no_target).await).await;
    assert!(page.contains("Choose the target field."), "{page}");
    let scope = koppel_store::TenantScope::for_background_job(home.trim_start_matches("/t/").parse().unwrap());
    assert!(
        koppel_store::flows::get(&app.state.db, &scope, FlowKind::Products)
            .await
            .unwrap()
            .is_none(),
        "nothing was saved"
    );

    let page = text(app.get(&client, &format!("{home}/settings/stock/fields")).await).await;
    assert!(page.contains("it has no field mapping"), "{page}");
}

#[tokio::test]
async fn read_only_members_cannot_open_or_change_the_mapping() {
    let app = SetupApp::start(false).await;
    let owner = app.browser();
    let home = app.sign_up(&owner, "own@shop.nl", "Own").await;
    app.api_signup("viewer@shop.nl", "Viewer Co").await;
    app.join(&owner, &home, "viewer@shop.nl", "member").await;
    let member = app.browser();
    app.log_in(&member, "viewer@shop.nl", PASSWORD).await;
    let fields = format!("{home}/settings/orders/fields");
    assert_eq!(app.get(&member, &fields).await.status(), StatusCode::FORBIDDEN);
    let rule = [
        ("target", "order.warehouse"),
        ("source_kind", "constant"),
        ("source_value", "X"),
        ("action", "save"),
    ];
    assert_eq!(
        app.post_form(&member, &fields, &rule).await.status(),
        StatusCode::FORBIDDEN
    );
    let preview = app.post_form(&member, &format!("{fields}/preview"), &[]).await;
    assert_eq!(preview.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_preview_shows_the_afas_request_for_a_sandbox_record_and_a_bad_rule_s_error() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "pre@shop.nl", "Pre").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    let fields = format!("{home}/settings/orders/fields");

    // A saved rule and one tried in the form, unsaved.
    app.post_form(
        &client,
        &fields,
        &[
            ("target", "order.warehouse"),
            ("source_kind", "constant"),
            ("source_value", "PREVIEWHOUSE"),
            ("action", "save"),
        ],
    )
    .await;
    let tried = [
        ("target", "line.description"),
        ("source_kind", "path"),
        ("source_value", "line.sku"),
        ("op_1", "concat"),
        ("a1_1", "\"PREVIEWED\""),
        ("a2_1", "-"),
    ];
    let response = app.post_form(&client, &format!("{fields}/preview"), &tried).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = text(response).await;
    assert!(page.contains("Nothing was sent."), "{page}");
    assert!(page.contains("POST FbSales"), "the AFAS request, not the draft: {page}");
    assert!(page.contains("&#34;War&#34;: &#34;PREVIEWHOUSE&#34;"), "{page}");
    assert!(page.contains("-PREVIEWED&#34;,"), "{page}");
    assert!(page.contains("From MplusKASSA"));
    assert_eq!(
        field_map(&app, &home, FlowKind::Orders).await.as_array().unwrap().len(),
        1,
        "a previewed rule is not saved"
    );
    let journal = app.afas_journal(&home).await;
    assert!(
        !journal.is_empty(),
        "the company's own AFAS answered the setup and the preview"
    );
    assert!(
        journal.iter().all(|entry| entry["method"] == "GET"),
        "the preview only reads: {journal:?}"
    );

    // A rule that makes the date unreadable for AFAS: the record would fail, and the page says why.
    let bad = [
        ("target", "order.date"),
        ("source_kind", "default"),
        ("op_1", "date_format"),
        ("a1_1", "%d-%m-%Y"),
    ];
    let page = text(app.post_form(&client, &format!("{fields}/preview"), &bad).await).await;
    assert!(page.contains(r#"id="preview-error""#), "{page}");
    assert!(page.contains("field mapping for `order.date`"), "{page}");
    assert!(page.contains("is not a valid value here"), "{page}");

    // A value the official AFAS schema refuses (the warehouse code is at most 15 characters): the body is
    // shown with the schema's message.
    let too_long = [
        ("target", "order.warehouse"),
        ("source_kind", "constant"),
        ("source_value", "A-WAREHOUSE-FAR-TOO-LONG"),
    ];
    let page = text(app.post_form(&client, &format!("{fields}/preview"), &too_long).await).await;
    assert!(page.contains(r#"id="preview-error""#), "{page}");
    assert!(
        page.contains("AFAS would refuse this FbSales body (official schema)"),
        "{page}"
    );
    assert!(page.contains("/War"), "the message names the field: {page}");
    assert!(
        page.contains("&#34;War&#34;: &#34;A-WAREHOUSE-FAR-TOO-LONG&#34;"),
        "the body is shown: {page}"
    );

    // The saved mapping alone.
    let page = text(app.post_form(&client, &format!("{fields}/preview"), &[]).await).await;
    assert!(
        page.contains("PREVIEWHOUSE") && !page.contains("preview-error"),
        "{page}"
    );
}

#[tokio::test]
async fn the_api_takes_rules_with_the_settings_and_refuses_bad_ones() {
    let app = SetupApp::start(false).await;
    app.api_signup("api@shop.nl", "Api").await;
    let token = app.api_token("api@shop.nl", PASSWORD).await;
    let rules = json!({"settings": {"field_map": [
        {"target": "article.description", "source": {"path": "title"}, "transforms": [{"op": "truncate", "n": 30}]}
    ]}});
    let (status, flow) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/flows/products",
        Some(rules),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{flow}");
    assert_eq!(flow["settings"]["field_map"][0]["transforms"][0]["n"], 30);

    let unknown = json!({"settings": {"field_map": [{"target": "article.colour", "source": {"constant": "x"}}]}});
    let (status, body) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/flows/products",
        Some(unknown),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"]["field_map"][0],
        "`article.colour` is not a target field of the products flow"
    );

    let malformed = json!({"settings": {"field_map": [{"target": "article.price", "transforms": [{"op": "shout"}]}]}});
    let (status, body) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/flows/products",
        Some(malformed),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["settings"][0].as_str().unwrap().contains("shout"),
        "{body}"
    );

    let (_, flow) = call(reqwest::Method::GET, &app, &token, "/api/v1/flows/products", None).await;
    assert_eq!(
        flow["settings"]["field_map"].as_array().unwrap().len(),
        1,
        "the refused rules were not stored"
    );
}

#[tokio::test]
async fn the_articles_flow_maps_afas_articles_onto_the_tills_fields_and_previews_the_soap_request() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "naar.kassa@shop.nl", "Naar de kassa").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    let fields = format!("{home}/settings/articles/fields");
    let page = text(app.get(&client, &fields).await).await;
    assert!(page.contains("article.turnover_group"), "{page}");
    assert!(page.contains("turnoverGroup (Article)"), "{page}");
    assert!(
        page.contains("Each MplusKASSA field gets its value from AFAS"),
        "{page}"
    );

    let tried = [
        ("target", "article.description"),
        ("source_kind", "constant"),
        ("source_value", "PREVIEWED"),
    ];
    let response = app.post_form(&client, &format!("{fields}/preview"), &tried).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = text(response).await;
    assert!(page.contains("Nothing was sent."), "{page}");
    assert!(
        page.contains("From AFAS") && page.contains("Sent to MplusKASSA"),
        "{page}"
    );
    assert!(
        page.contains("<strong>createProduct</strong>"),
        "the SOAP request: {page}"
    );
    assert!(
        page.contains("&#60;description&#62;PREVIEWED&#60;/description&#62;"),
        "the rule's value in the request: {page}"
    );
    let journal = app.mplus_journal(&home).await;
    assert!(
        journal
            .iter()
            .all(|entry| entry["operation"] != "createProduct" && entry["operation"] != "updateProduct"),
        "the preview writes nothing to the till: {journal:?}"
    );
}

#[tokio::test]
async fn the_debtors_flow_maps_afas_debtors_onto_relations_and_previews_the_soap_request() {
    let app = SetupApp::start(false).await;
    let client = app.browser();
    let home = app.sign_up(&client, "relaties@shop.nl", "Relaties").await;
    app.post_form(&client, &format!("{home}/setup/sandbox"), &[]).await;
    let settings = text(app.get(&client, &format!("{home}/settings/debtors")).await).await;
    assert!(
        settings.contains("The debtors flow has no settings of its own"),
        "{settings}"
    );
    assert!(settings.contains(r#"id="resync""#), "the full resync button");
    let fields = format!("{home}/settings/debtors/fields");
    let page = text(app.get(&client, &fields).await).await;
    assert!(
        page.contains("relation.email") && page.contains("email (Relation)"),
        "{page}"
    );
    let tried = [
        ("target", "relation.city"),
        ("source_kind", "default"),
        ("op_1", "upper"),
    ];
    let page = text(app.post_form(&client, &format!("{fields}/preview"), &tried).await).await;
    assert!(page.contains("Nothing was sent."), "{page}");
    assert!(
        page.contains("From AFAS") && page.contains("Sent to MplusKASSA"),
        "{page}"
    );
    assert!(
        page.contains("<strong>createRelation</strong>") || page.contains("<strong>updateRelation</strong>"),
        "the SOAP request: {page}"
    );
    assert!(
        page.contains("&#60;extRelationId&#62;"),
        "the link to the debtor: {page}"
    );
    let journal = app.mplus_journal(&home).await;
    assert!(
        journal
            .iter()
            .all(|entry| entry["operation"] != "createRelation" && entry["operation"] != "updateRelation"),
        "the preview writes nothing to the till: {journal:?}"
    );
}

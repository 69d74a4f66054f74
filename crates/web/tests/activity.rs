//! The activity log through the real router: search and filters on the page and in the API, keyset pages,
//! the CSV export, the record detail with its diff, and tenant isolation everywhere.

mod common;

use std::collections::HashSet;

use common::{PASSWORD, TestApp, spawn_app};
use koppel_core::{FlowKind, TenantId};
use koppel_store::journal::{self, NewEntry};
use koppel_store::runs::{self, RunId, RunStatus};
use koppel_store::{Db, TenantScope};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

struct Shop {
    path: String,
    scope: TenantScope,
    browser: reqwest::Client,
    token: String,
}

async fn shop(app: &TestApp, email: &str, company: &str) -> Shop {
    let browser = app.browser();
    let path = app.sign_up(&browser, email, company).await;
    let tenant_id: TenantId = path.trim_start_matches("/t/").parse().unwrap();
    let token = app.api_token(email, PASSWORD).await;
    Shop {
        path,
        scope: TenantScope::for_background_job(tenant_id),
        browser,
        token,
    }
}

async fn run(db: &Db, scope: &TenantScope, flow: FlowKind) -> RunId {
    let run = runs::create(db, scope, flow, "manual", 1).await.unwrap();
    runs::finish(db, scope, run, RunStatus::Succeeded, &Default::default(), None, 2)
        .await
        .unwrap();
    run
}

struct Entry<'a> {
    flow: FlowKind,
    source_id: &'a str,
    outcome: &'a str,
    reason: Option<&'a str>,
    keys: &'a str,
    payload: &'a str,
    sent: &'a str,
    at_ms: i64,
}

async fn record(db: &Db, scope: &TenantScope, run: RunId, entry: Entry<'_>) -> Uuid {
    let exchanges = format!(
        r#"[{{"operation":"POST FbSales","request":{},"status":{},"response":{{"message":"answer for {}"}}}}]"#,
        entry.sent,
        if entry.outcome == "failed" { 500 } else { 201 },
        entry.source_id
    );
    journal::record(
        db,
        scope,
        &NewEntry {
            run_id: run,
            flow: entry.flow,
            entity: if entry.flow == FlowKind::Orders {
                "order"
            } else {
                "customer"
            },
            source_id: entry.source_id,
            target_id: (entry.outcome != "failed").then_some("AFAS-9"),
            outcome: entry.outcome,
            reason: entry.reason,
            retryable: entry.outcome == "failed",
            failure_class: (entry.outcome == "failed").then_some("transient"),
            search_keys: entry.keys,
            source_payload: entry.payload,
            exchanges: &exchanges,
            content_hash: None,
            at_ms: entry.at_ms,
        },
    )
    .await
    .unwrap()
}

fn order<'a>(source_id: &'a str, outcome: &'a str, reason: Option<&'a str>, keys: &'a str, at_ms: i64) -> Entry<'a> {
    Entry {
        flow: FlowKind::Orders,
        source_id,
        outcome,
        reason,
        keys,
        payload: r#"{"number":"x"}"#,
        sent: r#"{"FbSales":{}}"#,
        at_ms,
    }
}

/// Undoes askama's HTML escaping, to compare text.
fn unescape(html: &str) -> String {
    html.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The entry ids a results page lists, in order.
fn listed(html: &str) -> Vec<Uuid> {
    html.split("data-entry=\"")
        .skip(1)
        .map(|rest| rest[..36].parse().unwrap())
        .collect()
}

async fn page(app: &TestApp, shop: &Shop, query: &str) -> (StatusCode, String) {
    let response = app.get(&shop.browser, &format!("{}/activity?{query}", shop.path)).await;
    (response.status(), response.text().await.unwrap())
}

async fn api(app: &TestApp, shop: &Shop, path_and_query: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(app.url(path_and_query))
        .bearer_auth(&shop.token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn api_ids(body: &Value) -> Vec<Uuid> {
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn search_by_email_order_number_sku_and_error_text_never_shows_another_tenant() {
    let app = spawn_app().await;
    let db = app.state.db.clone();
    let a = shop(&app, "alice@a.nl", "Shop A").await;
    let b = shop(&app, "bob@b.nl", "Shop B").await;
    let run_a = run(&db, &a.scope, FlowKind::Orders).await;
    let run_b = run(&db, &b.scope, FlowKind::Orders).await;

    let ann = record(
        &db,
        &a.scope,
        run_a,
        order("1001", "created", None, "2026-0001 ann@shop.nl SKU-RED-42 Ann", 10),
    )
    .await;
    let failed = record(
        &db,
        &a.scope,
        run_a,
        order(
            "1002",
            "failed",
            Some("Debtor 77 unknown in AFAS"),
            "2026-0002 piet@bakker.nl SKU-BLUE-7",
            20,
        ),
    )
    .await;
    // Tenant B has the same keys and error: it must never show up for A.
    let foreign = record(
        &db,
        &b.scope,
        run_b,
        order(
            "1001",
            "failed",
            Some("Debtor 77 unknown in AFAS"),
            "2026-0001 ann@shop.nl SKU-RED-42",
            15,
        ),
    )
    .await;

    for (query, expected) in [
        ("q=ann%40shop.nl", vec![ann]),
        ("q=2026-0001", vec![ann]),
        ("q=sku-red-42", vec![ann]),
        ("q=unknown", vec![failed]),
        ("q=debtor+77", vec![failed]),
        ("", vec![failed, ann]),
        ("outcome=failed", vec![failed]),
        ("q=nothing-like-this", vec![]),
    ] {
        let (status, html) = page(&app, &a, query).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(listed(&html), expected, "page {query}");
        assert!(!html.contains(&foreign.to_string()));
        let (status, body) = api(&app, &a, &format!("/api/v1/activity?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(api_ids(&body), expected, "API {query}");
    }
    let (_, html) = page(&app, &a, "q=ann%40shop.nl").await;
    assert!(html.contains("value=\"ann@shop.nl\""), "the search box keeps the query");

    // Another tenant's entry: 404 on the page and in the API, whichever way it is asked for.
    assert_eq!(
        app.get(&a.browser, &format!("{}/activity/{foreign}", a.path))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&a.browser, &format!("{}/activity/{foreign}", b.path))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&a.browser, &format!("{}/activity", b.path)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&a.browser, &format!("{}/activity.csv", b.path)).await.status(),
        StatusCode::NOT_FOUND
    );
    let (status, body) = api(&app, &a, &format!("/api/v1/activity/{foreign}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    let b_id = b.path.trim_start_matches("/t/");
    let (status, _) = api(&app, &a, &format!("/api/v1/activity?tenant={b_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api(&app, &a, &format!("/api/v1/activity/{foreign}?tenant={b_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = api(&app, &b, &format!("/api/v1/activity/{foreign}?tenant={b_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["tenant_id"], b_id);

    // Bad parameters are explained, not ignored.
    let (status, body) = api(&app, &a, "/api/v1/activity?outcome=exploded").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_parameter");
    let (status, _) = api(&app, &a, "/api/v1/activity?cursor=nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, html) = page(&app, &a, "from=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("is not a date"));
    let unauthenticated = reqwest::get(app.url("/api/v1/activity")).await.unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn filters_and_pages_cover_every_entry_once_and_the_csv_matches_the_filter() {
    let app = spawn_app().await;
    let db = app.state.db.clone();
    let a = shop(&app, "alice@a.nl", "Shop A").await;
    let b = shop(&app, "bob@b.nl", "Shop B").await;
    let orders = run(&db, &a.scope, FlowKind::Orders).await;
    let customers = run(&db, &a.scope, FlowKind::Customers).await;
    let run_b = run(&db, &b.scope, FlowKind::Orders).await;
    record(
        &db,
        &b.scope,
        run_b,
        order("x", "failed", Some("Debtor, \"77\" unknown"), "k", 86_400_000 + 5),
    )
    .await;

    let day = 86_400_000i64; // entries on 1970-01-02 and 1970-01-03 (UTC)
    let mut all = Vec::new();
    for i in 0..64i64 {
        let flow = if i % 4 == 0 {
            FlowKind::Customers
        } else {
            FlowKind::Orders
        };
        let outcome = if i % 3 == 0 { "failed" } else { "updated" };
        let source = format!("src-{i}");
        let keys = format!("2026-{i:04} klant{i}@shop.nl");
        let at = day + (i / 2) * 3_600_000; // two entries per hour: ties broken by id
        let entry = Entry {
            flow,
            source_id: &source,
            outcome,
            reason: (outcome == "failed").then_some("Debtor, \"77\" unknown"),
            keys: &keys,
            payload: "{}",
            sent: "{}",
            at_ms: at,
        };
        let run = if flow == FlowKind::Orders { orders } else { customers };
        let id = record(&db, &a.scope, run, entry).await;
        all.push((id, flow, outcome, at));
    }

    // The page: 50 per page, a next link that keeps the filters, no duplicates or gaps.
    let (_, first) = page(&app, &a, "").await;
    let mut seen = listed(&first);
    assert_eq!(seen.len(), 50);
    let next = first.split("data-testid=\"next-page\"").next().unwrap();
    let href = unescape(next.rsplit("href=\"").next().unwrap().split('"').next().unwrap());
    let second = app.get(&a.browser, &href).await.text().await.unwrap();
    seen.extend(listed(&second));
    assert!(
        !second.contains("data-testid=\"next-page\""),
        "the last page has no next link"
    );
    assert_eq!(seen.len(), 64);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 64);

    // The API, 7 at a time.
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, body) = api(&app, &a, &format!("/api/v1/activity?limit=7&cursor={cursor}")).await;
        assert_eq!(status, StatusCode::OK);
        ids.extend(api_ids(&body));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(ids, seen, "page and API agree, newest first");

    // A filter: failed orders on 1970-01-02 (UTC), with a free-text word.
    let query = "flow=orders&outcome=failed&from=1970-01-02&to=1970-01-02&q=debtor";
    let mut expected: Vec<Uuid> = all
        .iter()
        .filter(|(_, flow, outcome, at)| *flow == FlowKind::Orders && *outcome == "failed" && *at < 2 * day)
        .map(|(id, ..)| *id)
        .collect();
    expected.reverse();
    assert!(expected.len() > 3);
    let (_, html) = page(&app, &a, query).await;
    assert_eq!(listed(&html), expected);
    let (_, body) = api(&app, &a, &format!("/api/v1/activity?{query}")).await;
    assert_eq!(api_ids(&body), expected);

    // The CSV link keeps the filters; the CSV holds exactly the filtered entries, properly quoted.
    let csv_href = unescape(
        html.split("data-testid=\"csv-link\"")
            .next()
            .unwrap()
            .rsplit("href=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap(),
    );
    assert_eq!(
        csv_href,
        format!(
            "{}/activity.csv?q=debtor&flow=orders&outcome=failed&from=1970-01-02&to=1970-01-02",
            a.path
        )
    );
    let response = app.get(&a.browser, &csv_href).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "time,flow,entity,source_id,target_id,outcome,reason,retryable,search_keys,run_id,entry_id"
    );
    let csv_ids: Vec<Uuid> = lines[1..]
        .iter()
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(csv_ids, expected);
    assert!(
        lines[1].contains(",failed,\"Debtor, \"\"77\"\" unknown\",true,"),
        "{}",
        lines[1]
    );

    // Unfiltered, the CSV has every entry of this tenant and none of the other's (streamed in chunks).
    let csv = app
        .get(&a.browser, &format!("{}/activity.csv", a.path))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.split("\r\n").filter(|l| !l.is_empty()).count(), 65);
}

/// A NUL or another control character in the search is a 400 with a sentence on the API and the page, and the
/// CSV refuses it before it starts (it used to fail the full-text query: a 500, or a download cut off midway).
#[tokio::test]
async fn control_characters_in_the_search_are_a_clear_400_never_a_500() {
    let app = spawn_app().await;
    let a = shop(&app, "ctl@shop.nl", "Ctl").await;
    for q in ["a%00b", "a%0Ab", "%1B%5B31m"] {
        let (status, body) = api(&app, &a, &format!("/api/v1/activity?q={q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
        assert!(body.to_string().contains("control character"), "{q}: {body}");
        let (status, html) = page(&app, &a, &format!("q={q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        assert!(html.contains("control character"), "{q}");
        let csv = app.get(&a.browser, &format!("{}/activity.csv?q={q}", a.path)).await;
        assert_eq!(csv.status(), StatusCode::BAD_REQUEST, "{q}");
    }
    // Ordinary text still searches.
    let (status, _) = api(&app, &a, "/api/v1/activity?q=ann%40shop.nl").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_record_detail_shows_source_sent_and_answer_with_a_diff_against_the_previous_sync() {
    let app = spawn_app().await;
    let db = app.state.db.clone();
    let a = shop(&app, "alice@a.nl", "Shop A").await;
    let first_run = run(&db, &a.scope, FlowKind::Orders).await;
    let second_run = run(&db, &a.scope, FlowKind::Orders).await;
    let payload_1 = r#"{"number":"2026-0042","lines":[{"sku":"SKU-1","qty":1}],"note":"<script>alert(1)</script>"}"#;
    let payload_2 = r#"{"number":"2026-0042","lines":[{"sku":"SKU-1","qty":3}],"note":"<script>alert(1)</script>"}"#;
    let first = record(
        &db,
        &a.scope,
        first_run,
        Entry {
            payload: payload_1,
            sent: r#"{"FbSales":{"Qu":1}}"#,
            ..order("42", "failed", Some("Article SKU-1 blocked"), "2026-0042", 100)
        },
    )
    .await;
    let second = record(
        &db,
        &a.scope,
        second_run,
        Entry {
            payload: payload_2,
            sent: r#"{"FbSales":{"Qu":3}}"#,
            ..order("42", "created", None, "2026-0042", 200)
        },
    )
    .await;

    let response = app.get(&a.browser, &format!("{}/activity/{second}", a.path)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let raw = response.text().await.unwrap();
    assert!(!raw.contains("<script>alert(1)"), "payloads are escaped");
    let html = unescape(&raw);
    for part in [
        "From MplusKASSA",
        "Sent to AFAS",
        "AFAS answered",
        "POST FbSales",
        "answer for 42",
    ] {
        assert!(html.contains(part), "{part}");
    }
    assert!(html.contains("\"qty\": 3"), "pretty-printed");
    assert!(html.contains(&format!("/activity/{first}")), "links the previous sync");
    let diff = html
        .split("data-testid=\"source-diff\"")
        .nth(1)
        .unwrap()
        .split("</pre>")
        .next()
        .unwrap();
    let compact = diff.replace(' ', "");
    let (removed, added) = (
        compact.find("diff-removed\">-\"qty\":1").expect(diff),
        compact.find("diff-added\">+\"qty\":3").expect(diff),
    );
    assert!(removed < added, "the old line comes first: {diff}");
    assert!(
        !diff.contains("2026-0042"),
        "unchanged lines far from the change are folded: {diff}"
    );
    let sent = html
        .split("data-testid=\"sent-diff\"")
        .nth(1)
        .unwrap()
        .split("</pre>")
        .next()
        .unwrap();
    assert!(sent.replace(' ', "").contains("+\"Qu\":3"), "{sent}");

    let first_page = app
        .get(&a.browser, &format!("{}/activity/{first}", a.path))
        .await
        .text()
        .await
        .unwrap();
    assert!(first_page.contains("data-testid=\"first-sync\""));
    assert!(first_page.contains("Article SKU-1 blocked"));
    let nonsense = app.get(&a.browser, &format!("{}/activity/not-an-id", a.path)).await;
    assert_eq!(nonsense.status(), StatusCode::NOT_FOUND);

    let (status, body) = api(&app, &a, &format!("/api/v1/activity/{second}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["source_payload"]["lines"][0]["qty"], 3);
    assert_eq!(body["exchanges"][0]["request"]["FbSales"]["Qu"], 3);
    assert_eq!(body["exchanges"][0]["status"], 201);
    assert_eq!(body["previous_entry_id"], first.to_string());
    assert_eq!(body["search_keys"][0], "2026-0042");
}

#[tokio::test]
async fn the_openapi_document_describes_the_activity_endpoints() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = &doc["paths"]["/api/v1/activity"]["get"];
    let names: Vec<&str> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "q", "flow", "outcome", "entity", "from", "to", "cursor", "limit", "tenant",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(doc["paths"]["/api/v1/activity/{id}"]["get"].is_object());
}

#[tokio::test]
async fn a_quotations_record_reads_from_the_way_the_flow_goes() {
    let app = spawn_app().await;
    let db = app.state.db.clone();
    let a = shop(&app, "offerte@a.nl", "Shop A").await;
    let quotations = run(&db, &a.scope, FlowKind::Quotations).await;
    let entry = record(
        &db,
        &a.scope,
        quotations,
        Entry {
            flow: FlowKind::Quotations,
            ..order("30260001", "created", None, "30260001", 100)
        },
    )
    .await;
    let path = format!("{}/activity/{entry}", a.path);
    let html = unescape(&app.get(&a.browser, &path).await.text().await.unwrap());
    assert!(html.contains("From MplusKASSA"), "the default way: {html}");

    let towards_till = serde_json::json!({"settings": {"quotations_direction": "afas_to_mplus"}});
    let (status, body) = common::call(
        reqwest::Method::PUT,
        &app,
        &a.token,
        "/api/v1/flows/quotations",
        Some(towards_till),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let html = unescape(&app.get(&a.browser, &path).await.text().await.unwrap());
    assert!(
        html.contains("From AFAS") && html.contains("AFAS → MplusKASSA"),
        "{html}"
    );
}

/// A record skipped by choice (not paid yet) reads as a plain note; only a failure is an alert.
#[tokio::test]
async fn a_skipped_records_reason_is_a_plain_note_and_only_a_failure_is_an_alert() {
    let app = spawn_app().await;
    let db = app.state.db.clone();
    let a = shop(&app, "reden@a.nl", "Shop A").await;
    let orders = run(&db, &a.scope, FlowKind::Orders).await;
    let skipped = record(
        &db,
        &a.scope,
        orders,
        order("1001", "skipped", Some("not paid (order filter: paid)"), "1001", 100),
    )
    .await;
    let failed = record(
        &db,
        &a.scope,
        orders,
        order("1002", "failed", Some("AFAS did not answer"), "1002", 200),
    )
    .await;
    let html = |entry: Uuid| {
        let path = format!("{}/activity/{entry}", a.path);
        let (app, browser) = (&app, &a.browser);
        async move { unescape(&app.get(browser, &path).await.text().await.unwrap()) }
    };
    let skipped = html(skipped).await;
    let note = skipped
        .split("data-testid=\"reason\"")
        .nth(1)
        .expect("the reason is shown");
    assert!(note.contains("not paid (order filter: paid)"), "{note}");
    let tag = skipped
        .split("data-testid=\"reason\"")
        .next()
        .unwrap()
        .rsplit('<')
        .next()
        .unwrap();
    assert!(
        tag.starts_with("p class=\"reason-note\""),
        "a plain note, not an alert: {tag}"
    );
    let failed = html(failed).await;
    let tag = failed
        .split("data-testid=\"reason\"")
        .next()
        .unwrap()
        .rsplit('<')
        .next()
        .unwrap();
    assert!(
        tag.contains("class=\"alert\"") && tag.contains("role=\"alert\""),
        "{tag}"
    );
    assert!(
        failed.contains("Why it failed:</strong> AFAS did not answer"),
        "{failed}"
    );
}

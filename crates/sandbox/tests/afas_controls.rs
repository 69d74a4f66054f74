//! AFAS simulator: auth, IP allow-list, injected faults, the concurrency limit, latency, the journal and reset.

mod afas_support;

use std::time::{Duration, Instant};

use afas_support::{Afas, expect_created, expect_profit_error};
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn fault(afas: &Afas, rule: Value) {
    let response = afas.control(Method::POST, "/_sandbox/faults", Some(rule)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn requests_without_the_right_token_get_an_empty_401() {
    let afas = Afas::start().await;
    let url = afas.url("/ProfitRestServices/connectors/Profit_Debtor");
    let encode = |xml: &str| format!("AfasToken {}", base64::engine::general_purpose::STANDARD.encode(xml));
    let wrong_data = encode("<token><version>1</version><data>00</data></token>");
    for header in [
        None,
        Some("AfasToken !!notbase64"),
        Some(wrong_data.as_str()),
        Some("Bearer abc"),
    ] {
        let mut request = afas.http.get(&url);
        if let Some(header) = header {
            request = request.header("Authorization", header);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{header:?}");
        assert!(response.bytes().await.unwrap().is_empty());
    }
    assert_eq!(afas.get("/connectors/Profit_Debtor").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_ip_allow_list_answers_403_and_the_connector_list_401() {
    let afas = Afas::start().await;
    afas.control(
        Method::POST,
        "/_sandbox/ip-allow-list",
        Some(json!({"allow": ["10.1.2.3"]})),
    )
    .await;
    assert_eq!(
        afas.get("/connectors/Profit_Debtor").await.status(),
        StatusCode::FORBIDDEN
    );
    afas.control(
        Method::POST,
        "/_sandbox/ip-allow-list",
        Some(json!({"allow": ["127.0.0.1"]})),
    )
    .await;
    assert_eq!(afas.get("/connectors/Profit_Debtor").await.status(), StatusCode::OK);
    afas.control(Method::POST, "/_sandbox/ip-allow-list", Some(json!({"allow": null})))
        .await;

    let allowed = json!({"connectors": ["Profit_Debtor"]});
    afas.control(Method::POST, "/_sandbox/allowed-connectors", Some(allowed))
        .await;
    assert_eq!(afas.get("/connectors/Profit_Debtor").await.status(), StatusCode::OK);
    assert_eq!(
        afas.get("/connectors/Profit_Article").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(afas.post("FbSales", json!({})).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unavailable_fault_is_a_503_with_retry_after() {
    let afas = Afas::start().await;
    fault(
        &afas,
        json!({"operation": "Profit_Debtor", "kind": "unavailable", "retry_after": 7, "times": 1}),
    )
    .await;
    let response = afas.get("/connectors/Profit_Debtor").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["retry_after"], 7);
    assert_eq!(body["error"]["code"], "503");
    assert!(body["error"]["message"].is_string());
    assert_eq!(afas.get("/connectors/Profit_Debtor").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_locked_record_fails_once_then_the_retry_succeeds() {
    let afas = Afas::start().await;
    fault(
        &afas,
        json!({"operation": "FbSales", "method": "POST", "kind": "locked", "times": 1}),
    )
    .await;
    let body = json!({"FbSales": {"Element": {"Fields": {"DbId": "10000", "RfCs": "LOCK-1"}}}});
    let message = expect_profit_error(afas.post("FbSales", body.clone()).await).await;
    assert!(message.contains("locked"), "{message}");
    let rows = afas
        .rows(
            "Profit_Salesorders",
            "filterfieldids=CustomerReference&filtervalues=LOCK-1&operatortypes=1",
        )
        .await;
    assert!(rows.is_empty(), "the locked attempt wrote nothing");
    expect_created(afas.post("FbSales", body).await, "FbSales").await;
}

#[tokio::test]
async fn dropped_connections_slow_answers_and_bare_statuses() {
    let afas = Afas::start().await;
    fault(
        &afas,
        json!({"operation": "Profit_Article", "kind": "drop", "times": 1}),
    )
    .await;
    let dropped = afas
        .http
        .get(afas.url("/ProfitRestServices/connectors/Profit_Article"))
        .header("Authorization", afas.token())
        .send()
        .await;
    let failed = match dropped {
        Err(_) => true,
        Ok(response) => response.bytes().await.is_err(),
    };
    assert!(failed, "the connection broke off");

    fault(
        &afas,
        json!({"operation": "Profit_Article", "kind": "slow", "ms": 300, "times": 1}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(afas.get("/connectors/Profit_Article").await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    fault(&afas, json!({"kind": "status", "status": 502, "times": 1})).await;
    let response = afas.get("/connectors/Profit_Article").await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(response.bytes().await.unwrap().is_empty());

    fault(&afas, json!({"kind": "malformed_xml", "times": 1})).await;
    let response = afas.get("/connectors/Profit_Article").await;
    assert!(response.json::<Value>().await.is_err(), "a truncated JSON body");
}

#[tokio::test]
async fn the_concurrency_limit_turns_away_requests_beyond_8() {
    let afas = Afas::start().await;
    fault(&afas, json!({"operation": "Profit_Debtor", "kind": "slow", "ms": 700})).await;
    let burst = |count: usize| {
        let afas = &afas;
        async move {
            let requests = (0..count).map(|_| afas.get("/connectors/Profit_Debtor"));
            let statuses: Vec<StatusCode> = futures::future::join_all(requests)
                .await
                .iter()
                .map(|r| r.status())
                .collect();
            statuses.iter().filter(|s| **s == StatusCode::OK).count()
        }
    };
    assert_eq!(burst(12).await, 12, "no limit by default");
    afas.control(
        Method::POST,
        "/_sandbox/concurrency-limit",
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(burst(12).await, 8);
    afas.control(
        Method::POST,
        "/_sandbox/concurrency-limit",
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(burst(12).await, 12);
}

/// With a latency and no slow fault, the requests in flight still count: a burst of 16 against the limit of 8
/// gets 8 answers and 8 refusals (the limit is about requests in Profit, not the microseconds of work).
#[tokio::test]
async fn the_concurrency_limit_holds_while_the_latency_passes() {
    let afas = Afas::start().await;
    afas.control(Method::POST, "/_sandbox/latency", Some(json!({"ms": 400})))
        .await;
    afas.control(
        Method::POST,
        "/_sandbox/concurrency-limit",
        Some(json!({"enabled": true})),
    )
    .await;
    let requests = (0..16).map(|_| afas.get("/connectors/Profit_Debtor"));
    let statuses: Vec<StatusCode> = futures::future::join_all(requests)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    let answered = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(answered, 8, "{statuses:?}");
    // Once the answers have left, the slots are free again.
    let again = (0..8).map(|_| afas.get("/connectors/Profit_Debtor"));
    let statuses: Vec<StatusCode> = futures::future::join_all(again)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
}

#[tokio::test]
async fn latency_delays_api_requests() {
    let afas = Afas::start().await;
    afas.control(Method::POST, "/_sandbox/latency", Some(json!({"ms": 200})))
        .await;
    let started = Instant::now();
    afas.get("/ProfitVersion").await;
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn the_journal_records_api_requests_and_can_be_cleared() {
    let afas = Afas::start().await;
    afas.get("/connectors/Profit_Debtor?take=1").await;
    let body = json!({"FbSales": {"Element": {"Fields": {"DbId": "99999"}}}});
    afas.post("FbSales", body.clone()).await;
    let journal: Vec<Value> = afas
        .control(Method::GET, "/_sandbox/journal", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(journal.len(), 2, "control requests are not journaled: {journal:?}");
    assert_eq!(journal[0]["method"], "GET");
    assert_eq!(
        journal[0]["path"],
        "/ProfitRestServices/connectors/Profit_Debtor?take=1"
    );
    assert_eq!(journal[0]["operation"], "Profit_Debtor");
    assert_eq!(journal[0]["status"], 200);
    assert_eq!(journal[1]["operation"], "FbSales");
    assert_eq!(journal[1]["status"], 500);
    assert_eq!(
        serde_json::from_str::<Value>(journal[1]["body"].as_str().unwrap()).unwrap(),
        body
    );

    afas.control(Method::DELETE, "/_sandbox/journal", None).await;
    let journal: Vec<Value> = afas
        .control(Method::GET, "/_sandbox/journal", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(journal.is_empty());
}

#[tokio::test]
async fn reset_reseeds_and_forgets_controls() {
    let afas = Afas::start().await;
    let seeded = afas.rows("Profit_Stock_per_Warehouse", "skip=-1&take=-1").await;
    let body = json!({"FbSales": {"Element": {"Fields": {"DbId": "10000", "RfCs": "RESET-1"}}}});
    expect_created(afas.post("FbSales", body).await, "FbSales").await;
    afas.control(
        Method::POST,
        "/_sandbox/stock",
        Some(json!({"itemCode": "1000", "warehouse": "01", "quantity": 999})),
    )
    .await;
    fault(&afas, json!({"operation": "Profit_Salesorders", "kind": "unavailable"})).await;

    assert_eq!(
        afas.control(Method::POST, "/_sandbox/reset", None).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(afas.rows("Profit_Salesorders", "").await.is_empty());
    assert_eq!(afas.rows("Profit_Stock_per_Warehouse", "skip=-1&take=-1").await, seeded);
    let journal: Vec<Value> = afas
        .control(Method::GET, "/_sandbox/journal", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(journal.len(), 2, "only the requests after the reset");

    afas.control(Method::POST, "/_sandbox/reset", Some(json!({"seed": 99})))
        .await;
    assert_ne!(afas.rows("Profit_Stock_per_Warehouse", "skip=-1&take=-1").await, seeded);
}

#[tokio::test]
async fn data_controls_add_and_change_debtors_articles_and_stock() {
    let afas = Afas::start().await;
    let created: Value = afas
        .control(
            Method::POST,
            "/_sandbox/debtors",
            Some(json!({"name": "Demo B.V.", "email": "demo@x.example", "country": "NL"})),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["DbId"].as_str().unwrap();
    let query = format!("filterfieldids=DebtorId&filtervalues={id}&operatortypes=1");
    assert_eq!(afas.rows("Profit_Debtor", &query).await[0]["DebtorName"], "Demo B.V.");
    afas.control(
        Method::POST,
        "/_sandbox/debtors",
        Some(json!({"debtorId": id, "email": "nieuw@x.example"})),
    )
    .await;
    assert_eq!(afas.rows("Profit_Debtor", &query).await[0]["Email"], "nieuw@x.example");

    let article = json!({"itemCode": "DEMO-1", "description": "Demo", "price": 9.99, "group": "300"});
    afas.control(Method::POST, "/_sandbox/articles", Some(article)).await;
    afas.control(
        Method::POST,
        "/_sandbox/articles",
        Some(json!({"itemCode": "DEMO-1", "price": 7.5})),
    )
    .await;
    afas.control(
        Method::POST,
        "/_sandbox/stock",
        Some(json!({"itemCode": "DEMO-1", "warehouse": "02", "quantity": 5})),
    )
    .await;
    let basic = afas
        .rows(
            "Profit_Article_Basic",
            "filterfieldids=ItemCode&filtervalues=DEMO-1&operatortypes=1",
        )
        .await;
    assert_eq!(
        (basic[0]["BasicSalesPrice"].as_f64(), basic[0]["StockActual"].as_f64()),
        (Some(7.5), Some(5.0))
    );
    let unknown = json!({"itemCode": "NOPE", "warehouse": "01", "quantity": 1});
    assert_eq!(
        afas.control(Method::POST, "/_sandbox/stock", Some(unknown))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

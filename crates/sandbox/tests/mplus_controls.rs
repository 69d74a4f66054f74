//! The `/_sandbox/` controls on the MplusKASSA simulator: injected faults as MplusKASSA shows them, latency,
//! the journal, reset and the data controls.

mod mplus_support;

use std::time::{Duration, Instant};

use mplus_support::{Mplus, envelope, number, x};
use serde_json::json;

#[tokio::test]
async fn injected_faults_look_like_mplus() {
    let mplus = Mplus::start().await;
    let call = || mplus.call("<ns1:getApiVersion/>");

    // 503 without a SOAP body, once.
    let (status, _) = mplus
        .control(
            "faults",
            json!({"operation": "getApiVersion", "kind": "unavailable", "retry_after": 2, "times": 1}),
        )
        .await;
    assert_eq!(status, 204);
    let answer = call().await;
    assert_eq!(answer.status, 503);
    assert!(answer.text.is_empty());
    assert_eq!(call().await.status, 200, "the rule is used up");

    // "Record locked": a Server fault, then success on retry.
    mplus
        .control(
            "faults",
            json!({"operation": "createRelation", "kind": "locked", "times": 1}),
        )
        .await;
    let create = x("createRelation", x("relation", x("name", "Retry B.V.")));
    let (code, message) = mplus.call(&create).await.fault();
    assert!(code.starts_with("SOAP-ENV:Server"), "{code}");
    assert!(message.contains("locked"));
    assert_eq!(
        mplus.call(&create).await.ok().text_of("result"),
        Some("CREATE-RELATION-RESULT-OK")
    );

    // Malformed XML with status 200.
    mplus
        .control("faults", json!({"kind": "malformed_xml", "times": 1}))
        .await;
    let answer = call().await;
    assert_eq!(answer.status, 200);
    assert!(koppel_sandbox::mplus::xml::Element::parse(&answer.text).is_err());

    // A bare status.
    mplus
        .control("faults", json!({"kind": "status", "status": 502, "times": 1}))
        .await;
    let answer = call().await;
    assert_eq!(answer.status, 502);
    assert!(answer.text.is_empty());

    // A dropped connection.
    mplus.control("faults", json!({"kind": "drop", "times": 1})).await;
    let result = mplus
        .http
        .post(mplus.endpoint())
        .body(envelope("<ns1:getApiVersion/>"))
        .send()
        .await;
    let broken = match result {
        Err(_) => true,
        Ok(response) => response.text().await.is_err(),
    };
    assert!(broken, "the connection must break");

    // Slow: answers normally, late.
    mplus
        .control("faults", json!({"kind": "slow", "ms": 300, "times": 1}))
        .await;
    let started = Instant::now();
    assert_eq!(call().await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Faults for other operations leave this one alone; clearing removes them.
    mplus
        .control("faults", json!({"operation": "getOrders", "kind": "locked"}))
        .await;
    assert_eq!(call().await.status, 200);
    mplus.control("faults", json!({"rules": []})).await;
    assert_eq!(mplus.orders_page(1, 1, "").await.len(), 1);
}

#[tokio::test]
async fn latency_delays_every_soap_request() {
    let mplus = Mplus::start().await;
    let (status, _) = mplus.control("latency", json!({"ms": 250})).await;
    assert_eq!(status, 204);
    let started = Instant::now();
    assert_eq!(mplus.call("<ns1:getApiVersion/>").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(250));
    mplus.control("latency", json!({"ms": 0})).await;
    let started = Instant::now();
    mplus.call("<ns1:getApiVersion/>").await;
    assert!(started.elapsed() < Duration::from_millis(250));
}

#[tokio::test]
async fn the_journal_records_soap_requests_only() {
    let mplus = Mplus::start().await;
    mplus.call("<ns1:getApiVersion/>").await;
    mplus.call(&x("getRelation", x("relationNumber", 1001))).await;
    mplus
        .post_raw(&format!("{}/", mplus.base()), envelope("<ns1:getBranches/>"))
        .await;
    mplus.control("orders", json!({"count": 1})).await;
    let journal = mplus.get_json("journal").await;
    let entries = journal.as_array().unwrap();
    assert_eq!(entries.len(), 3, "{journal}");
    assert_eq!(entries[0]["method"], "POST");
    assert_eq!(entries[0]["operation"], "getApiVersion");
    assert_eq!(entries[0]["status"], 200);
    assert!(entries[0]["path"].as_str().unwrap().starts_with("/?ident="));
    assert_eq!(entries[1]["operation"], "getRelation");
    assert!(
        entries[1]["body"]
            .as_str()
            .unwrap()
            .contains("<ns1:relationNumber>1001</ns1:relationNumber>")
    );
    assert_eq!(entries[2]["operation"], "getBranches");
    assert_eq!(entries[2]["status"], 500, "bad credentials");

    let cleared = mplus
        .http
        .delete(format!("{}/_sandbox/journal", mplus.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    assert_eq!(mplus.get_json("journal").await, json!([]));
}

#[tokio::test]
async fn reset_reseeds_and_forgets_controls() {
    let mplus = Mplus::start().await;
    let first = mplus.orders_page(1, 1, "").await[0]
        .text_of("orderId")
        .unwrap()
        .to_owned();
    mplus.control("orders", json!({"count": 3})).await;
    mplus.control("latency", json!({"ms": 50})).await;
    mplus
        .control("faults", json!({"operation": "getOrders", "kind": "locked"}))
        .await;
    mplus.call("<ns1:getApiVersion/>").await;

    let (status, _) = mplus.control("reset", json!({})).await;
    assert_eq!(status, 204);
    assert_eq!(mplus.get_json("journal").await, json!([]));
    assert_eq!(mplus.get_json("faults").await, json!([]));
    assert_eq!(number(&mplus.markers().await, "orderSyncMarker"), 200);
    assert_eq!(
        mplus.orders_page(1, 1, "").await[0].text_of("orderId"),
        Some(first.as_str())
    );

    // Reset with another seed and size.
    mplus.control("reset", json!({"seed": 9, "orders": 30})).await;
    assert_eq!(number(&mplus.markers().await, "orderSyncMarker"), 30);
    assert_ne!(
        mplus.orders_page(1, 1, "").await[0].text_of("orderId"),
        Some(first.as_str())
    );
    let summary = mplus.get_json("summary").await;
    assert_eq!(summary["seed"], 9);
    assert_eq!(summary["seededOrders"], 30);
}

#[tokio::test]
async fn orders_can_arrive_and_change_state() {
    let mplus = Mplus::start().await;
    let (status, created) = mplus.control("orders", json!({"count": 3, "state": "unpaid"})).await;
    assert_eq!(status, 201);
    let order_id = created[0]["orderId"].as_str().unwrap().to_owned();
    assert_eq!(created[0]["fullyPaid"], false);

    let (status, paid) = mplus
        .control("order-state", json!({"orderId": order_id, "state": "delivered"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(paid["fullyPaid"], true);
    assert_eq!(paid["syncMarker"], 204);
    let answer = mplus.call(&x("getOrder", x("orderId", &order_id))).await;
    let order = mplus_support::at(answer.ok(), "order");
    assert_eq!(order.text_of("deliveryState"), Some("ORDER-DELIVERY-STATE-COMPLETE"));
    assert_eq!(number(order, "prepaidAmount"), number(order, "totalInclAmount"));

    // A seeded order can change too, and moves to the end of the sync.
    let seeded = mplus.orders_page(1, 1, "").await[0]
        .text_of("orderId")
        .unwrap()
        .to_owned();
    let (_, cancelled) = mplus
        .control("order-state", json!({"orderId": seeded, "state": "cancelled"}))
        .await;
    assert_eq!(cancelled["syncMarker"], 205);
    let answer = mplus.call(&x("getOrder", x("orderId", &seeded))).await;
    let order = mplus_support::at(answer.ok(), "order");
    assert_eq!(order.text_of("cancelState"), Some("ORDER-CANCEL-STATE-COMPLETE"));
    assert_ne!(
        mplus.orders_page(1, 1, "").await[0].text_of("orderId"),
        Some(seeded.as_str())
    );

    let (status, _) = mplus
        .control("order-state", json!({"orderId": "nope", "state": "paid"}))
        .await;
    assert_eq!(status, 404);
    let (status, _) = mplus.control("orders", json!({"count": 0})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn seeded_orders_cover_every_state() {
    let shop = koppel_sandbox::mplus::seed::generate(42, 200);
    let orders: Vec<_> = (0..shop.order_count()).map(|i| shop.order(i)).collect();
    let has = |predicate: &dyn Fn(&koppel_sandbox::mplus::model::Order) -> bool| orders.iter().any(predicate);
    use koppel_sandbox::mplus::model::{OrderType, Progress, VatMethod};
    assert!(has(&|o| o.is_fully_paid()));
    let paid: Vec<u64> = shop.fully_paid_order_indices().collect();
    assert!(paid.len() > 50 && paid.len() < 180, "{}", paid.len());
    assert!(
        paid.iter()
            .all(|&i| orders[i as usize].paid_amount() == orders[i as usize].totals().incl)
    );
    assert!(has(&|o| o.paid_amount() > 0 && !o.is_fully_paid()), "partly paid");
    assert!(
        has(&|o| o.paid_amount() == 0 && o.cancel_state == Progress::Nothing),
        "unpaid"
    );
    assert!(has(&|o| o.delivery_state == Progress::Complete));
    assert!(has(&|o| o.cancel_state == Progress::Complete));
    assert!(has(&|o| o.vat_method == VatMethod::Shifted));
    assert!(
        has(&|o| o.lines.iter().any(|l| l.decimal_places > 0)),
        "quantities with decimals"
    );
    assert!(has(&|o| o.lines.iter().any(|l| l.discount_percentage > 0)));
    assert!(has(&|o| o
        .lines
        .iter()
        .any(|l| l.article_number == koppel_sandbox::mplus::seed::SHIPPING_ARTICLE)));
    assert!(has(&|o| {
        let mut rates: Vec<i32> = o.lines.iter().map(|l| l.vat_percentage).collect();
        rates.dedup();
        rates.len() > 1
    }));
    for order_type in OrderType::ALL {
        assert!(has(&|o| o.order_type == *order_type), "{order_type:?}");
    }
    let relations = &shop.relations;
    assert!(
        relations
            .iter()
            .any(|r| r.company_name.is_some() && !r.contacts.is_empty())
    );
    assert!(relations.iter().any(|r| r.company_name.is_none()));
    assert!(relations.iter().any(|r| r.email.is_none()));
    for country in ["NL", "BE", "DE"] {
        assert!(
            relations.iter().any(|r| r.country.as_deref() == Some(country)),
            "{country}"
        );
    }
    assert!(relations.iter().any(|r| {
        r.address
            .as_deref()
            .is_some_and(|a| a.contains(" bus ") || a.contains('/'))
    }));
}

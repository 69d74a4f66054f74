//! Company shops over real sockets: credentials carrying a shop id reach that company's own AFAS and till,
//! isolated from every other shop and from the default one (which the default credentials still reach);
//! controls address a shop with `?shop=`; a reset restores one shop; a full registry drops the least recently
//! used shop.

use base64::Engine;
use koppel_sandbox::mplus::xml::Element;
use koppel_sandbox::{DEFAULT_AFAS_TOKEN_DATA, DEFAULT_MPLUS_IDENT, DEFAULT_MPLUS_SECRET};
use koppel_sandbox::{Sandbox, SandboxConfig, ShopId};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

struct World {
    sandbox: Sandbox,
    http: reqwest::Client,
}

impl World {
    async fn start(config: SandboxConfig) -> Self {
        Self {
            sandbox: Sandbox::start_local(config).await.expect("sandbox starts"),
            http: reqwest::Client::new(),
        }
    }

    /// A Profit request with the token whose data part is `token_data`.
    async fn afas(
        &self,
        token_data: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let xml = format!("<token><version>1</version><data>{token_data}</data></token>");
        let header = format!("AfasToken {}", base64::engine::general_purpose::STANDARD.encode(xml));
        let url = format!("{}/ProfitRestServices{path}", self.sandbox.afas_url());
        let mut request = self.http.request(method, url).header("Authorization", header);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("AFAS answers")
    }

    /// Books a sales order with reference `reference` on the cash-sales debtor.
    async fn book(&self, token_data: &str, reference: &str) {
        let body = json!({"FbSales": {"Element": {
            "Fields": {"DbId": "10000", "OrDa": "2026-11-29", "RfCs": reference, "War": "01", "Unit": 1, "InVa": false},
            "Objects": [{"FbSalesLines": {"Element": [
                {"Fields": {"VaIt": "2", "ItCd": "1000", "BiUn": "stk", "QuUn": 1, "Upri": 19.95}}
            ]}}]
        }}});
        let response = self
            .afas(token_data, reqwest::Method::POST, "/connectors/FbSales", Some(body))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
    }

    /// The references of the sales orders in the AFAS that `token_data` reaches (one row per order line).
    async fn references(&self, token_data: &str) -> Vec<String> {
        let response = self
            .afas(
                token_data,
                reqwest::Method::GET,
                "/connectors/Profit_Salesorders?skip=-1&take=-1",
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let page: Value = response.json().await.unwrap();
        let mut references: Vec<String> = page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["CustomerReference"].as_str().unwrap_or_default().to_owned())
            .collect();
        references.dedup();
        references
    }

    /// A SOAP call with `ident` and `secret`; the status and the Body's first child.
    async fn soap(&self, ident: &str, secret: &str, operation: &str) -> (u16, Element) {
        let envelope = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="{ENV_NS}" xmlns:ns1="urn:mplusqapi"><SOAP-ENV:Body>{operation}</SOAP-ENV:Body></SOAP-ENV:Envelope>"#
        );
        let response = self
            .http
            .post(self.sandbox.mplus_url())
            .query(&[("ident", ident), ("secret", secret)])
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(envelope)
            .send()
            .await
            .expect("MplusKASSA answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let envelope = Element::parse(&text).unwrap_or_else(|_| panic!("not XML: {text}"));
        let body = envelope
            .child("Body")
            .and_then(|b| b.children.first().cloned())
            .unwrap();
        (status, body)
    }

    /// The ids of the first orders the till that `ident`/`secret` reaches hands out.
    async fn order_ids(&self, ident: &str, secret: &str) -> Vec<String> {
        let request = "<ns1:getOrders><ns1:request><ns1:syncMarker>0</ns1:syncMarker>\
                       <ns1:syncMarkerLimit>5</ns1:syncMarkerLimit></ns1:request></ns1:getOrders>";
        let (status, body) = self.soap(ident, secret, request).await;
        assert_eq!(status, 200, "{body:?}");
        body.child("orderList")
            .expect("an orderList")
            .children
            .iter()
            .map(|order| order.text_of("orderId").unwrap().to_owned())
            .collect()
    }

    /// A `/_sandbox/` control of one simulator (`base`), for the shop `shop` (or the default shop).
    async fn control(
        &self,
        base: &str,
        method: reqwest::Method,
        path: &str,
        shop: Option<&ShopId>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method, format!("{}{path}", base.trim_end_matches('/')));
        if let Some(shop) = shop {
            request = request.query(&[("shop", shop.to_string())]);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("control answers")
    }

    async fn afas_journal(&self, shop: Option<&ShopId>) -> Vec<Value> {
        let base = self.sandbox.afas_url();
        let response = self
            .control(&base, reqwest::Method::GET, "/_sandbox/journal", shop, None)
            .await;
        response.json().await.unwrap()
    }

    async fn till_summary(&self, shop: Option<&ShopId>) -> Value {
        let base = self.sandbox.mplus_url();
        let response = self
            .control(&base, reqwest::Method::GET, "/_sandbox/summary", shop, None)
            .await;
        response.json().await.unwrap()
    }
}

#[tokio::test]
async fn an_order_booked_in_one_shop_is_in_no_other() {
    let world = World::start(SandboxConfig::default()).await;
    let (a, b) = (ShopId::random(), ShopId::random());
    let (shop_a, shop_b) = (world.sandbox.shops.credentials(&a), world.sandbox.shops.credentials(&b));
    assert_ne!(shop_a.afas_token_data, shop_b.afas_token_data);

    world.book(&shop_a.afas_token_data, "ORD-A").await;
    assert_eq!(world.references(&shop_a.afas_token_data).await, ["ORD-A"]);
    assert!(world.references(&shop_b.afas_token_data).await.is_empty());
    assert!(
        world.references(DEFAULT_AFAS_TOKEN_DATA).await.is_empty(),
        "the default credentials reach the default shop, which has none of it"
    );
    world.book(DEFAULT_AFAS_TOKEN_DATA, "ORD-DEFAULT").await;
    assert_eq!(world.references(&shop_a.afas_token_data).await, ["ORD-A"]);

    // Each shop journals its own requests; the controls name a shop by its id.
    let posted = |journal: &[Value]| {
        journal
            .iter()
            .filter(|entry| entry["method"] == "POST")
            .map(|entry| entry["body"].as_str().unwrap().contains("ORD-A"))
            .collect::<Vec<_>>()
    };
    assert_eq!(posted(&world.afas_journal(Some(&a)).await), [true]);
    assert!(posted(&world.afas_journal(Some(&b)).await).is_empty());
    assert_eq!(posted(&world.afas_journal(None).await), [false]);

    // A token with the shop id but a wrong check reaches no shop: 401, and no shop is made for it.
    let mut forged = shop_a.afas_token_data.clone();
    forged.replace_range(63.., if forged.ends_with('0') { "1" } else { "0" });
    let held = world.sandbox.shops.held();
    let response = world
        .afas(&forged, reqwest::Method::GET, "/connectors/Profit_Salesorders", None)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(world.sandbox.shops.held(), held);
}

#[tokio::test]
async fn each_shop_has_its_own_till_seeded_from_its_id() {
    let world = World::start(SandboxConfig::default()).await;
    let (a, b) = (ShopId::random(), ShopId::random());
    let (shop_a, shop_b) = (world.sandbox.shops.credentials(&a), world.sandbox.shops.credentials(&b));
    assert_eq!(
        shop_a.mplus_ident, DEFAULT_MPLUS_IDENT,
        "the ident is not secret: it names no shop"
    );
    assert!(shop_a.mplus_secret.starts_with(&a.to_string()));

    let orders_a = world.order_ids(&shop_a.mplus_ident, &shop_a.mplus_secret).await;
    let orders_b = world.order_ids(&shop_b.mplus_ident, &shop_b.mplus_secret).await;
    let orders_default = world.order_ids(DEFAULT_MPLUS_IDENT, DEFAULT_MPLUS_SECRET).await;
    assert_eq!(orders_a.len(), 5);
    assert_ne!(orders_a, orders_b);
    assert_ne!(orders_a, orders_default);
    assert_eq!(
        orders_a,
        world.order_ids(&shop_a.mplus_ident, &shop_a.mplus_secret).await,
        "a shop's data is stable"
    );
    let seeded = koppel_sandbox::mplus::seed::generate(42, 200);
    assert_eq!(
        orders_default[0],
        seeded.order(0).order_id,
        "the default credentials still reach the configured seed"
    );
    // Every shop has the configured number of orders.
    for shop in [Some(&a), Some(&b), None] {
        assert_eq!(world.till_summary(shop).await["seededOrders"], 200);
    }
    assert_ne!(
        world.till_summary(Some(&a)).await["seed"],
        world.till_summary(Some(&b)).await["seed"]
    );

    // A secret with a wrong check, or the right secret with another ident, is refused.
    let mut forged = shop_a.mplus_secret.clone();
    forged.replace_range(..1, if forged.starts_with('0') { "1" } else { "0" });
    for (ident, secret) in [
        (DEFAULT_MPLUS_IDENT, forged.as_str()),
        ("someone", shop_a.mplus_secret.as_str()),
    ] {
        let (status, fault) = world.soap(ident, secret, "<ns1:getApiVersion/>").await;
        assert_eq!(status, 500);
        assert_eq!(fault.text_of("faultcode"), Some("SOAP-ENV:Client.Authentication"));
    }
}

#[tokio::test]
async fn a_reset_restores_one_shop_and_leaves_the_others() {
    let world = World::start(SandboxConfig::default()).await;
    let (a, b) = (ShopId::random(), ShopId::random());
    let (shop_a, shop_b) = (world.sandbox.shops.credentials(&a), world.sandbox.shops.credentials(&b));
    let (afas, mplus) = (world.sandbox.afas_url(), world.sandbox.mplus_url());
    world.book(&shop_a.afas_token_data, "ORD-A").await;
    world.book(&shop_b.afas_token_data, "ORD-B").await;
    let added = world
        .control(
            &mplus,
            reqwest::Method::POST,
            "/_sandbox/orders",
            Some(&a),
            Some(json!({"count": 3})),
        )
        .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    assert_eq!(world.till_summary(Some(&a)).await["markers"]["order"], 203);
    assert_eq!(world.till_summary(Some(&b)).await["markers"]["order"], 200);

    // Through the controls, one simulator at a time.
    for base in [&afas, &mplus] {
        let reset = world
            .control(base, reqwest::Method::POST, "/_sandbox/reset", Some(&a), None)
            .await;
        assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    }
    assert!(world.references(&shop_a.afas_token_data).await.is_empty());
    assert_eq!(world.till_summary(Some(&a)).await["markers"]["order"], 200);
    assert_eq!(world.references(&shop_b.afas_token_data).await, ["ORD-B"]);

    // In-process, both simulators at once (what Koppel's "Reset the demo shop" does).
    world.sandbox.shops.reset(&b);
    assert!(world.references(&shop_b.afas_token_data).await.is_empty());

    let bad = world
        .control(&afas, reqwest::Method::POST, "/_sandbox/reset", None, None)
        .await;
    assert_eq!(bad.status(), StatusCode::NO_CONTENT, "no shop named: the default shop");
    let bad = world
        .http
        .post(format!("{afas}/_sandbox/reset?shop=not-a-shop"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_full_registry_drops_the_least_recently_used_shop() {
    let world = World::start(SandboxConfig {
        max_shops: 2,
        ..SandboxConfig::default()
    })
    .await;
    let ids = [ShopId::random(), ShopId::random(), ShopId::random()];
    let [a, b, c] = ids.map(|id| world.sandbox.shops.credentials(&id).afas_token_data);
    world.book(&a, "ORD-A").await;
    world.book(&b, "ORD-B").await;
    assert_eq!(world.references(&a).await, ["ORD-A"], "A is now the most recently used");
    world.book(&c, "ORD-C").await;
    assert_eq!(world.sandbox.shops.held(), 2);
    assert_eq!(world.references(&a).await, ["ORD-A"]);
    assert_eq!(world.references(&c).await, ["ORD-C"]);
    assert!(
        world.references(&b).await.is_empty(),
        "B made room and came back seeded"
    );
}

//! Creates and updates with their business outcomes: `result` + `errorMessage` for what the real service
//! refuses (ALREADY-EXISTS, NOT-FOUND, FAILED with a message), and `createOrderV3`'s idempotency replay.

mod mplus_support;

use mplus_support::{Mplus, at, number, x};

fn relation(fields: &[(&str, &str)]) -> String {
    x(
        "relation",
        fields.iter().map(|(name, value)| x(name, value)).collect::<String>(),
    )
}

#[tokio::test]
async fn create_relation_assigns_a_number_and_refuses_a_taken_one() {
    let mplus = Mplus::start().await;
    let before = number(&mplus.markers().await, "relationSyncMarker");
    let body = relation(&[
        ("name", "Bakkerij Jansen B.V."),
        ("address", "Laan van Meerdervoort 1024-B"),
        ("zipcode", "2517 AB"),
        ("city", "Den Haag"),
        ("country", "NL"),
        ("email", "info@bakkerijjansen.nl"),
        ("companyName", "Bakkerij Jansen B.V."),
    ]);
    let created = mplus.call(&x("createRelation", &body)).await;
    let created = created.ok();
    assert_eq!(created.name, "CreateRelationResponse");
    assert_eq!(created.text_of("result"), Some("CREATE-RELATION-RESULT-OK"));
    assert_eq!(created.text_of("errorMessage"), Some(""));
    let relation_number = number(created, "relationNumber");
    assert_eq!(number(created, "syncMarker"), before + 1);

    let fetched = mplus
        .call(&x("getRelation", x("relationNumber", relation_number)))
        .await;
    let fetched = fetched.ok();
    assert_eq!(fetched.text_of("result"), Some("GET-RELATION-RESULT-OK"));
    assert_eq!(
        at(fetched, "relation").text_of("address"),
        Some("Laan van Meerdervoort 1024-B")
    );

    let taken = relation(&[("relationNumber", "1001"), ("name", "Iemand Anders")]);
    let answer = mplus.call(&x("createRelation", taken)).await;
    assert_eq!(
        answer.ok().text_of("result"),
        Some("CREATE-RELATION-RESULT-FAILED-RELATION-NUMBER-ALREADY-TAKEN")
    );
    assert!(!answer.ok().text_of("errorMessage").unwrap().is_empty());

    let nameless = relation(&[("city", "Gent")]);
    let answer = mplus.call(&x("createRelation", nameless)).await;
    assert_eq!(answer.ok().text_of("result"), Some("CREATE-RELATION-RESULT-FAILED"));
    assert!(answer.ok().text_of("errorMessage").unwrap().contains("name"));
    // A refused create takes no marker.
    assert_eq!(number(&mplus.markers().await, "relationSyncMarker"), before + 1);
}

#[tokio::test]
async fn update_and_find_relation() {
    let mplus = Mplus::start().await;
    let update = relation(&[
        ("relationNumber", "1002"),
        ("email", "Nieuw.Adres@Example.NL"),
        ("address", "Meir 45/2"),
    ]);
    let answer = mplus.call(&x("updateRelation", update)).await;
    let updated = answer.ok();
    assert_eq!(updated.name, "UpdateRelationResponse");
    assert_eq!(updated.text_of("result"), Some("UPDATE-RELATION-RESULT-OK"));

    // findRelation matches case-insensitively on parts of the given fields.
    let answer = mplus
        .call(&x("findRelation", relation(&[("email", "nieuw.adres@example")])))
        .await;
    let found = answer.ok();
    assert_eq!(found.text_of("result"), Some("FIND-RELATION-RESULT-OK"));
    assert_eq!(number(at(found, "relation"), "relationNumber"), 1002);
    assert_eq!(at(found, "relation").text_of("address"), Some("Meir 45/2"));
    let answer = mplus
        .call(&x("findRelation", relation(&[("email", "nobody@nowhere.invalid")])))
        .await;
    assert_eq!(answer.ok().text_of("result"), Some("FIND-RELATION-RESULT-NOT-FOUND"));

    let missing = relation(&[("relationNumber", "999999"), ("name", "X")]);
    let answer = mplus.call(&x("updateRelation", missing)).await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-RELATION-RESULT-NOT-FOUND"));
    let answer = mplus
        .call(&x("updateRelation", relation(&[("name", "no number")])))
        .await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-RELATION-RESULT-FAILED"));
    let answer = mplus.call(&x("getRelation", x("relationNumber", 999999))).await;
    assert_eq!(answer.ok().text_of("result"), Some("GET-RELATION-RESULT-NOT-FOUND"));
}

fn product(number: Option<i64>, articles: &[&str]) -> String {
    let number = number.map(|n| x("productNumber", n)).unwrap_or_default();
    let articles = articles.iter().map(|a| x("article", a)).collect::<String>();
    x(
        "product",
        format!(
            "{number}{}{}",
            x("description", "Linnen overhemd"),
            x("articleList", articles)
        ),
    )
}

#[tokio::test]
async fn create_and_update_product() {
    let mplus = Mplus::start().await;
    let article = |size: &str| {
        format!(
            "{}{}{}{}",
            x("description", format!("Linnen overhemd {size}")),
            x("size", size),
            x("turnoverGroup", 10),
            x("priceExcl", 4950)
        )
    };
    let (s, m) = (article("S"), article("M"));
    let answer = mplus.call(&x("createProduct", product(None, &[&s, &m]))).await;
    let created = answer.ok();
    assert_eq!(created.text_of("result"), Some("CREATE-PRODUCT-RESULT-OK"));
    let product_number = number(created, "productNumber");
    let article_numbers = created.numbers_of("articleNumbers");
    assert_eq!(article_numbers.len(), 2);

    // priceIncl was derived from priceExcl with 21% VAT.
    let request = x(
        "request",
        format!("{}{}", x("productNumbers", product_number), x("syncMarker", 1)),
    );
    let answer = mplus.call(&x("getProducts", request)).await;
    let listed = &at(answer.ok(), "productList").children[0];
    let first = &at(listed, "articleList").children[0];
    assert_eq!(number(first, "priceIncl"), 5990);

    let answer = mplus
        .call(&x("createProduct", product(Some(product_number), &[&s])))
        .await;
    assert_eq!(
        answer.ok().text_of("result"),
        Some("CREATE-PRODUCT-RESULT-FAILED-PRODUCT-NUMBER-ALREADY-TAKEN")
    );
    let taken = format!("{}{s}", x("articleNumber", 100001));
    let answer = mplus.call(&x("createProduct", product(None, &[&taken]))).await;
    assert_eq!(
        answer.ok().text_of("result"),
        Some("CREATE-PRODUCT-RESULT-FAILED-ARTICLE-NUMBER-ALREADY-TAKEN")
    );
    let no_group = x("description", "Zonder omzetgroep");
    let answer = mplus.call(&x("createProduct", product(None, &[&no_group]))).await;
    assert_eq!(answer.ok().text_of("result"), Some("CREATE-PRODUCT-RESULT-FAILED"));
    assert!(!answer.ok().text_of("errorMessage").unwrap().is_empty());

    // Update: change the existing S, add an L.
    let change_s = format!("{}{}", x("articleNumber", article_numbers[0]), x("priceIncl", 4995));
    let l = article("L");
    let answer = mplus
        .call(&x("updateProduct", product(Some(product_number), &[&change_s, &l])))
        .await;
    let updated = answer.ok();
    assert_eq!(updated.text_of("result"), Some("UPDATE-PRODUCT-RESULT-OK"));
    assert_eq!(updated.numbers_of("existingArticleNumbers"), [article_numbers[0]]);
    assert_eq!(updated.numbers_of("newArticleNumbers").len(), 1);

    let answer = mplus.call(&x("updateProduct", product(Some(987_654), &[&s]))).await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-PRODUCT-RESULT-NOT-FOUND"));
    let foreign = format!("{}{}", x("articleNumber", 100001), x("priceIncl", 1));
    let answer = mplus
        .call(&x("updateProduct", product(Some(product_number), &[&foreign])))
        .await;
    assert_eq!(
        answer.ok().text_of("result"),
        Some("UPDATE-PRODUCT-RESULT-FAILED-ARTICLE-NUMBER-ALREADY-TAKEN")
    );
}

/// An order for relation 1001 by the superuser with two lines (21% and 9% VAT).
fn order(ext: &str, extra: &str) -> String {
    let line = |article: i64, quantity: i64| {
        x(
            "line",
            format!("{}{}", x("articleNumber", article), x("data", x("quantity", quantity))),
        )
    };
    x(
        "order",
        format!(
            "{}{}{}{}{}{extra}",
            x("orderId", ""),
            x("extOrderId", ext),
            x("employeeNumber", 999999),
            x("relationNumber", 1001),
            x("lineList", format!("{}{}", line(100001, 2), line(100090, 1))),
        ),
    )
}

#[tokio::test]
async fn create_order_checks_like_the_real_service() {
    let mplus = Mplus::start().await;
    let answer = mplus.call(&x("createOrder", order("SHOP-1", ""))).await;
    let created = answer.ok();
    assert_eq!(created.name, "CreateOrderResponse");
    assert_eq!(
        created.text_of("result"),
        Some("CREATE-ORDER-RESULT-OK"),
        "{}",
        answer.text
    );
    let order_id = at(created, "info").text_of("orderId").unwrap().to_owned();
    assert_eq!(order_id.len(), 36);

    let found = mplus.call(&x("findOrder", x("extOrderId", "SHOP-1"))).await;
    let found = at(found.ok(), "order").clone();
    assert_eq!(found.text_of("orderId"), Some(order_id.as_str()));
    assert_eq!(number(&found, "syncMarker"), 201);
    let lines = &at(&found, "lineList").children;
    assert_eq!(lines.len(), 2);
    let totals: i64 = lines.iter().map(|l| number(at(l, "data"), "totalInclAmount")).sum();
    assert_eq!(totals, number(&found, "totalInclAmount"));

    let again = mplus.call(&x("createOrder", order("SHOP-1", ""))).await;
    assert_eq!(
        again.ok().text_of("result"),
        Some("CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS")
    );
    // A seeded webshop order's id is taken too.
    let seeded = mplus.orders_page(1, 200, "").await;
    let web = seeded.iter().find_map(|o| o.text_of("extOrderId")).unwrap().to_owned();
    let again = mplus.call(&x("createOrder", order(&web, ""))).await;
    assert_eq!(
        again.ok().text_of("result"),
        Some("CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS")
    );

    let failures = [
        (order("", ""), "extOrderId"),
        (
            order("SHOP-2", "").replace("<ns1:relationNumber>1001<", "<ns1:relationNumber>5<"),
            "Relation 5",
        ),
        (
            order("SHOP-3", "").replace("<ns1:employeeNumber>999999</ns1:employeeNumber>", ""),
            "employeeNumber",
        ),
        (order("SHOP-4", "").replace(">100001<", ">4242<"), "Article 4242"),
        (order("SHOP-5", &x("entryBranchNumber", 2)), "workplaceNumber"),
        (
            order(
                "SHOP-6",
                &x(
                    "paymentList",
                    x("payment", format!("{}{}", x("method", "BITCOIN"), x("amount", 100))),
                ),
            ),
            "BITCOIN",
        ),
    ];
    for (body, expected) in failures {
        let answer = mplus.call(&x("createOrder", body)).await;
        let refused = answer.ok();
        assert_eq!(
            refused.text_of("result"),
            Some("CREATE-ORDER-RESULT-FAILED"),
            "{expected}"
        );
        assert!(
            refused.text_of("errorMessage").unwrap().contains(expected),
            "{expected}: {}",
            answer.text
        );
    }
    assert_eq!(number(&mplus.markers().await, "orderSyncMarker"), 201);
    // The one placed order reserved stock in the default branch.
    let stock = x(
        "request",
        format!(
            "{}{}",
            x("branchNumber", 1),
            x("articleNumbers", x("articleNumbers", 100001))
        ),
    );
    let answer = mplus.call(&x("getStock", stock)).await;
    let entry = &answer.ok().children[0];
    assert!(number(entry, "amountReserved") >= 2);
}

#[tokio::test]
async fn create_order_v2_returns_the_order() {
    let mplus = Mplus::start().await;
    let answer = mplus.call(&x("createOrderV2", x("request", order("V2-1", "")))).await;
    let created = answer.ok();
    assert_eq!(created.name, "CreateOrderV2Response");
    assert_eq!(created.text_of("result"), Some("CREATE-ORDER-RESULT-OK"));
    let returned = at(created, "order");
    assert_eq!(returned.text_of("extOrderId"), Some("V2-1"));
    assert_eq!(returned.text_of("orderId"), at(created, "info").text_of("orderId"));
    let again = mplus.call(&x("createOrderV2", x("request", order("V2-1", "")))).await;
    assert_eq!(
        again.ok().text_of("result"),
        Some("CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS")
    );
    assert!(again.ok().child("order").is_none());
}

#[tokio::test]
async fn create_order_v3_replays_a_repeated_idempotency_key() {
    let mplus = Mplus::start().await;
    let request = |key: &str, ext: &str, payments: &str| {
        x(
            "createOrderV3",
            x(
                "request",
                format!("{}{}{payments}", x("idempotencyKey", key), order(ext, "")),
            ),
        )
    };
    let first = mplus.call(&request("key-1", "V3-1", "")).await;
    let original = first.ok();
    assert_eq!(original.name, "CreateOrderV3Response");
    assert_eq!(
        original.text_of("idempotencyResult"),
        Some("IDEMPOTENCY-RESULT-ORIGINAL-RESPONSE")
    );
    assert_eq!(
        original.text_of("result"),
        Some("CREATE-ORDER-RESULT-OK"),
        "{}",
        first.text
    );
    let order_id = at(original, "info").text_of("orderId").unwrap().to_owned();

    let replay = mplus.call(&request("key-1", "V3-1", "")).await;
    let replayed = replay.ok();
    assert_eq!(
        replayed.text_of("idempotencyResult"),
        Some("IDEMPOTENCY-RESULT-REPLAY-RESPONSE")
    );
    assert_eq!(at(replayed, "info").text_of("orderId"), Some(order_id.as_str()));
    assert_eq!(
        number(&mplus.markers().await, "orderSyncMarker"),
        201,
        "a replay creates nothing"
    );

    // A new key with the same extOrderId: the order exists.
    let other = mplus.call(&request("key-2", "V3-1", "")).await;
    assert_eq!(
        other.ok().text_of("result"),
        Some("CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS")
    );

    // Paying too little is refused as a payment; paying in full invoices the order.
    let short = x(
        "paymentList",
        x("payment", format!("{}{}", x("method", "IDEAL"), x("amount", 1))),
    );
    let answer = mplus.call(&request("key-3", "V3-3", &short)).await;
    assert_eq!(
        answer.ok().text_of("payResult"),
        Some("PAY-ORDER-RESULT-PAYMENT-INSUFFICIENT")
    );
    let total = number(at(answer.ok(), "order"), "totalInclAmount");
    let full = x(
        "paymentList",
        x("payment", format!("{}{}", x("method", "IDEAL"), x("amount", total))),
    );
    let answer = mplus.call(&request("key-4", "V3-4", &full)).await;
    let paid = answer.ok();
    assert_eq!(paid.text_of("payResult"), Some("PAY-ORDER-RESULT-OK"));
    assert!(paid.text_of("invoiceId").is_some());
    assert_eq!(at(paid, "order").text_of("fullyPaid"), Some("true"));

    let (code, message) = mplus
        .call(&x("createOrderV3", x("request", order("V3-5", ""))))
        .await
        .fault();
    assert!(code.starts_with("SOAP-ENV:Client"));
    assert!(message.contains("idempotencyKey"));
}

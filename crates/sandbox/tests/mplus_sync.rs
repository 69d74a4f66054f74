//! Incremental sync: markers ≥ the requested one, ascending, capped by the limit; `getProducts` counts articles
//! but never splits a product; `getCurrentSyncMarkers` reports the maxima; the same seed gives the same data.

mod mplus_support;

use koppel_sandbox::SandboxConfig;
use mplus_support::{Mplus, at, number, x};

async fn products_page(mplus: &Mplus, marker: i64, limit: i64) -> mplus_support::Answer {
    let request = format!("{}{}", x("syncMarker", marker), x("syncMarkerLimit", limit));
    mplus.call(&x("getProducts", x("request", request))).await
}

async fn marker_page(mplus: &Mplus, operation: &str, list: &str, marker: i64, limit: i64) -> Vec<i64> {
    let request = format!("{}{}", x("syncMarker", marker), x("syncMarkerLimit", limit));
    let answer = mplus.call(&x(operation, x("request", request))).await;
    markers_of(&at(answer.ok(), list).children)
}

/// The orders (with lines) and the first relations, as the simulator sends them.
async fn fetch(mplus: &Mplus) -> (String, String) {
    let request = format!("{}{}", x("syncMarker", 1), x("includeLineList", "true"));
    let orders = mplus.call(&x("getOrders", x("request", request))).await.text;
    let relations = mplus
        .call(&x("getRelations", x("request", x("syncMarkerLimit", 20))))
        .await
        .text;
    (orders, relations)
}

fn markers_of(elements: &[koppel_sandbox::mplus::xml::Element]) -> Vec<i64> {
    elements.iter().map(|e| number(e, "syncMarker")).collect()
}

#[tokio::test]
async fn get_orders_pages_by_sync_marker() {
    let mplus = Mplus::start().await;
    let all_types = x(
        "orderTypeList",
        [
            "ORDER-TYPE-SALES-ORDER",
            "ORDER-TYPE-REPEAT-SALES-ORDER",
            "ORDER-TYPE-EXTERNAL-SALES-ORDER",
            "ORDER-TYPE-TABLE-ORDER",
            "ORDER-TYPE-CAFETERIA-ORDER",
        ]
        .map(|t| x("orderType", t))
        .concat(),
    );
    let page = mplus.orders_page(10, 25, &all_types).await;
    let markers = markers_of(&page);
    assert_eq!(
        markers,
        (10..35).collect::<Vec<_>>(),
        "every type: consecutive markers from 10"
    );

    // The default type filter leaves out table and cafeteria orders, so markers have gaps but still ascend.
    let default_page = mplus.orders_page(10, 25, "").await;
    let markers = markers_of(&default_page);
    assert_eq!(markers.len(), 25);
    assert!(
        markers[0] >= 10 && markers.windows(2).all(|w| w[0] < w[1]),
        "{markers:?}"
    );
    for order in &default_page {
        let order_type = order.text_of("orderType").unwrap();
        assert!(
            !order_type.contains("TABLE") && !order_type.contains("CAFETERIA"),
            "{order_type}"
        );
        assert!(
            order.child("lineList").is_none(),
            "lines only when includeLineList is true"
        );
    }

    // Paging through everything with the client's algorithm (stored + 1) sees every order exactly once.
    let (mut next, mut seen) = (1, Vec::new());
    loop {
        let page = mplus.orders_page(next, 37, &all_types).await;
        let Some(last) = page.last() else { break };
        next = number(last, "syncMarker") + 1;
        seen.extend(markers_of(&page));
    }
    assert_eq!(seen, (1..=200).collect::<Vec<_>>());

    // Lines on request, with amounts that add up: in the order's price terms (incl. VAT, or excl. VAT for
    // VAT-METHOD-EXCLUSIVE and -SHIFTED), up to a cash payment's rounding to 5 cents (at most 2 cents, a 0%
    // VAT group of its own).
    let with_lines = mplus.orders_page(1, 40, &x("includeLineList", "true")).await;
    for order in &with_lines {
        let lines = at(order, "lineList");
        let inclusive = order.text_of("vatMethod") == Some("VAT-METHOD-INCLUSIVE");
        let field = if inclusive {
            "totalInclAmount"
        } else {
            "totalExclAmount"
        };
        let sum: i64 = lines.children.iter().map(|l| number(at(l, "data"), field)).sum();
        let total = if inclusive {
            number(order, "totalInclAmount")
        } else {
            number(order, "totalExclAmount")
        };
        assert!((sum - total).abs() <= 2, "{sum} vs {total}");
        let vat: i64 = at(order, "vatGroupList")
            .children
            .iter()
            .map(|g| number(g, "exclAmount") + number(g, "vatAmount"))
            .sum();
        assert_eq!(vat, number(order, "totalInclAmount"));
    }
}

#[tokio::test]
async fn get_products_counts_articles_but_never_splits_a_product() {
    let mplus = Mplus::start().await;
    let page = |marker: i64, limit: i64| products_page(&mplus, marker, limit);
    // The first product has 24 variants: a limit of 5 still returns it whole, and only it.
    let answer = page(1, 5).await;
    let products = &at(answer.ok(), "productList").children;
    assert_eq!(products.len(), 1);
    let articles = &at(&products[0], "articleList").children;
    assert_eq!(articles.len(), 24);
    assert!(
        articles
            .iter()
            .all(|a| a.child("size").is_some() && a.child("colour").is_some())
    );

    // Paging by the product's marker + 1 walks the whole catalogue, each article once, markers ascending.
    let (mut next, mut article_numbers, mut product_markers) = (1, Vec::new(), Vec::new());
    loop {
        let answer = page(next, 30).await;
        let products = at(answer.ok(), "productList").children.clone();
        let Some(last) = products.last() else { break };
        let sent: usize = products.iter().map(|p| at(p, "articleList").children.len()).sum();
        let without_last = sent - at(last, "articleList").children.len();
        assert!(without_last < 30, "the limit is reached only by the last product");
        next = number(last, "syncMarker") + 1;
        product_markers.extend(markers_of(&products));
        for product in &products {
            article_numbers.extend(
                at(product, "articleList")
                    .children
                    .iter()
                    .map(|a| number(a, "articleNumber")),
            );
        }
    }
    assert!(product_markers.windows(2).all(|w| w[0] < w[1]));
    let unique: std::collections::HashSet<_> = article_numbers.iter().collect();
    assert_eq!(unique.len(), article_numbers.len());
    let current = mplus.markers().await;
    assert_eq!(*product_markers.last().unwrap(), number(&current, "articleSyncMarker"));

    // Barcodes are valid EAN-13.
    let answer = page(1, 1000).await;
    for barcode in answer.ok().children[0]
        .children
        .iter()
        .flat_map(|p| at(p, "articleList").children.iter())
    {
        let code = barcode.text_of("barcode").unwrap();
        assert_eq!(code.len(), 13);
        assert_eq!(
            koppel_sandbox::mplus::seed::ean13_check_digit(&code[..12]),
            code[12..].parse::<u32>().unwrap()
        );
    }
}

#[tokio::test]
async fn current_sync_markers_follow_changes_per_type() {
    let mplus = Mplus::start().await;
    let before = mplus.markers().await;
    assert_eq!(number(&before, "orderSyncMarker"), 200);
    assert!(number(&before, "relationSyncMarker") >= 30);
    assert!(number(&before, "stockId") > 0);

    // A new order moves only the order marker (and stockId for its reservations).
    let (status, created) = mplus
        .control("orders", serde_json::json!({"count": 2, "state": "paid"}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(created[1]["syncMarker"], 202);
    assert_eq!(created[0]["fullyPaid"], true);
    let after = mplus.markers().await;
    assert_eq!(number(&after, "orderSyncMarker"), 202);
    assert_eq!(
        number(&after, "relationSyncMarker"),
        number(&before, "relationSyncMarker")
    );
    assert_eq!(
        number(&after, "articleSyncMarker"),
        number(&before, "articleSyncMarker")
    );

    // The new orders are what a sync from the old marker + 1 returns.
    let page = mplus.orders_page(201, 10, "").await;
    let ids: Vec<&str> = page.iter().map(|o| o.text_of("orderId").unwrap()).collect();
    assert_eq!(
        ids,
        [
            created[0]["orderId"].as_str().unwrap(),
            created[1]["orderId"].as_str().unwrap()
        ]
    );

    // A price change moves the article marker; the product comes back in the next sync.
    let (status, changed) = mplus
        .control("price", serde_json::json!({"articleNumber": 100001, "priceIncl": 2795}))
        .await;
    assert_eq!(status, 200);
    let article_marker = number(&before, "articleSyncMarker") + 1;
    assert_eq!(changed["syncMarker"], article_marker);
    assert_eq!(changed["priceExcl"], 2310);
    let request = x("request", x("syncMarker", article_marker));
    let answer = mplus.call(&x("getProducts", request)).await;
    let products = &at(answer.ok(), "productList").children;
    assert_eq!(products.len(), 1);
    let article = at(&products[0], "articleList")
        .children
        .iter()
        .find(|a| number(a, "articleNumber") == 100001)
        .unwrap();
    assert_eq!(number(article, "priceIncl"), 2795);

    // A relation change moves the relation marker.
    let (status, _) = mplus
        .control(
            "relation",
            serde_json::json!({"relationNumber": 1001, "fields": {"email": "nieuw@example.nl"}}),
        )
        .await;
    assert_eq!(status, 200);
    let last = mplus.markers().await;
    assert_eq!(
        number(&last, "relationSyncMarker"),
        number(&before, "relationSyncMarker") + 1
    );
    let request = x("request", x("syncMarker", number(&last, "relationSyncMarker")));
    let answer = mplus.call(&x("getRelations", request)).await;
    let relations = &at(answer.ok(), "relationList").children;
    assert_eq!(relations.len(), 1);
    assert_eq!(relations[0].text_of("email"), Some("nieuw@example.nl"));
}

#[tokio::test]
async fn relations_invoices_and_proposals_page_by_marker() {
    let mplus = Mplus::start().await;
    assert_eq!(
        marker_page(&mplus, "getRelations", "relationList", 5, 4).await,
        [5, 6, 7, 8]
    );
    assert_eq!(marker_page(&mplus, "getInvoices", "invoiceList", 2, 3).await, [2, 3, 4]);
    assert_eq!(marker_page(&mplus, "getProposals", "proposalList", 1, 2).await, [1, 2]);
    let answer = mplus
        .call(&x("getArticleGroups", x("request", x("syncMarker", 2))))
        .await;
    let groups = markers_of(&at(answer.ok(), "articleGroupList").children);
    assert_eq!(groups.first(), Some(&2));
}

#[tokio::test]
async fn the_same_seed_gives_the_same_shop() {
    let config = |seed| SandboxConfig {
        seed,
        orders: 50,
        ..SandboxConfig::default()
    };
    let (a, b, c) = (
        Mplus::start_with(config(7)).await,
        Mplus::start_with(config(7)).await,
        Mplus::start_with(config(8)).await,
    );
    let (orders_a, relations_a) = fetch(&a).await;
    let (orders_b, relations_b) = fetch(&b).await;
    let (orders_c, _) = fetch(&c).await;
    assert_eq!(orders_a, orders_b);
    assert_eq!(relations_a, relations_b);
    assert_ne!(orders_a, orders_c);
    // The public seed API gives the same orders the simulator serves.
    let shop = koppel_sandbox::mplus::seed::generate(7, 50);
    let first = shop.order(0);
    assert!(orders_a.contains(&first.order_id));
}

#[tokio::test]
async fn a_large_shop_answers_as_fast_as_a_small_one() {
    let mplus = Mplus::start_with(SandboxConfig {
        orders: 1_000_000,
        ..SandboxConfig::default()
    })
    .await;
    let started = std::time::Instant::now();
    let page = mplus.orders_page(999_900, 50, &x("includeLineList", "true")).await;
    assert_eq!(page.len(), 50);
    let order_id = page[0].text_of("orderId").unwrap().to_owned();
    let found = mplus.call(&x("getOrder", x("orderId", &order_id))).await;
    assert_eq!(found.ok().text_of("result"), Some("GET-ORDER-RESULT-OK"));
    assert_eq!(number(&mplus.markers().await, "orderSyncMarker"), 1_000_000);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn get_orders_filters_by_ids_numbers_relations_and_dates() {
    let mplus = Mplus::start().await;
    let first = mplus.orders_page(1, 20, "").await;
    let sample = &first[3];
    let relation = number(sample, "relationNumber");
    let by_relation = mplus.orders_page(1, 1000, &x("relationNumbers", relation)).await;
    assert!(!by_relation.is_empty());
    assert!(by_relation.iter().all(|o| number(o, "relationNumber") == relation));

    let order_number = at(sample, "orderNumber");
    let filter = x(
        "orderNumbers",
        format!(
            "{}{}",
            x("year", number(order_number, "year")),
            x("number", number(order_number, "number"))
        ),
    );
    let by_number = mplus.orders_page(1, 1000, &filter).await;
    assert_eq!(markers_of(&by_number), [number(sample, "syncMarker")]);

    let ids = format!(
        "{}{}",
        x("orderIds", first[5].text_of("orderId").unwrap()),
        x("orderIds", first[1].text_of("orderId").unwrap())
    );
    let by_id = mplus.orders_page(1, 1000, &ids).await;
    assert_eq!(
        markers_of(&by_id),
        [number(&first[1], "syncMarker"), number(&first[5], "syncMarker")]
    );

    let date = at(sample, "financialDate");
    let day = format!(
        "{}{}{}",
        x("day", number(date, "day")),
        x("mon", number(date, "mon")),
        x("year", number(date, "year"))
    );
    let filter = format!("{}{}", x("fromFinancialDate", &day), x("throughFinancialDate", &day));
    let same_day = mplus.orders_page(1, 1000, &filter).await;
    assert!(
        same_day
            .iter()
            .any(|o| o.text_of("orderId") == sample.text_of("orderId"))
    );
    assert!(
        same_day
            .iter()
            .all(|o| at(o, "financialDate").text_of("day") == date.text_of("day"))
    );
}

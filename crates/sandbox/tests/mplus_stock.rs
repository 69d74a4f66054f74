//! Stock: `amountFree` is on hand minus reserved; every change takes the next `stockId` (a counter of its own)
//! and shows in `getStockHistory`; `updateStock`/`setStock` refuse unknown branches, unknown articles and
//! articles that keep no stock.

mod mplus_support;

use mplus_support::{Mplus, number, x};

fn stock_request(branch: i64, articles: &[i64]) -> String {
    let list = articles.iter().map(|a| x("articleNumbers", a)).collect::<String>();
    x(
        "getStock",
        x(
            "request",
            format!("{}{}", x("branchNumber", branch), x("articleNumbers", list)),
        ),
    )
}

fn write(operation: &str, branch: i64, article: i64, amount_name: &str, amount: i64) -> String {
    x(
        operation,
        x(
            "request",
            format!(
                "{}{}{}",
                x("branchNumber", branch),
                x("articleNumber", article),
                x(amount_name, amount)
            ),
        ),
    )
}

#[tokio::test]
async fn stock_changes_take_stock_ids_and_show_in_the_history() {
    let mplus = Mplus::start().await;
    let markers = mplus.markers().await;
    let stock_id = number(&markers, "stockId");
    let order_marker = number(&markers, "orderSyncMarker");

    let answer = mplus.call(&stock_request(1, &[100001])).await;
    let entry = answer.ok().children[0].clone();
    let (free, reserved) = (number(&entry, "amountFree"), number(&entry, "amountReserved"));

    let answer = mplus.call(&write("updateStock", 1, 100001, "amountChanged", 5)).await;
    assert_eq!(answer.ok().name, "UpdateStockResponse");
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-STOCK-RESULT-OK"));
    assert_eq!(number(answer.ok(), "stockId"), stock_id + 1);

    let answer = mplus.call(&write("setStock", 1, 100001, "amount", 30)).await;
    assert_eq!(answer.ok().name, "SetStockResponse");
    assert_eq!(answer.ok().text_of("result"), Some("SET-STOCK-RESULT-OK"));
    assert_eq!(number(answer.ok(), "stockId"), stock_id + 2);

    let answer = mplus.call(&stock_request(1, &[100001])).await;
    let entry = &answer.ok().children[0];
    assert_eq!(number(entry, "amountFree"), 30 - reserved);
    assert_eq!(number(entry, "amountReserved"), reserved);
    assert_eq!(number(entry, "stockId"), stock_id + 2);
    assert!(free <= 40);

    // getStock with a stockId returns only what changed from there on.
    let since = x(
        "getStock",
        x(
            "request",
            format!(
                "{}{}{}",
                x("branchNumber", 1),
                x("articleNumbers", ""),
                x("stockId", stock_id + 1)
            ),
        ),
    );
    let answer = mplus.call(&since).await;
    assert_eq!(answer.ok().children.len(), 1);

    let history = x(
        "getStockHistory",
        x(
            "request",
            format!(
                "{}{}{}",
                x("branchNumber", 1),
                x("sinceStockId", stock_id + 1),
                x("sinceStockIdLimit", 10)
            ),
        ),
    );
    let answer = mplus.call(&history).await;
    let entries = &answer.ok().children;
    assert_eq!(entries.len(), 2);
    assert_eq!(number(&entries[0], "stockId"), stock_id + 1);
    assert_eq!(number(&entries[0], "amountChanged"), 5);
    assert_eq!(entries[0].text_of("type"), Some("STOCK-HISTORY-TYPE-API"));
    assert_eq!(number(&entries[1], "amountChanged"), 30 - (free + reserved + 5));

    // Stock changes leave the sync markers alone.
    assert_eq!(number(&mplus.markers().await, "orderSyncMarker"), order_marker);
    assert_eq!(number(&mplus.markers().await, "stockId"), stock_id + 2);

    // The control changes stock the same way (as a count in the shop).
    let (status, changed) = mplus
        .control(
            "stock",
            serde_json::json!({"branchNumber": 1, "articleNumber": 100001, "change": -3}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(changed["stockId"], stock_id + 3);
    assert_eq!(changed["amountFree"], 27 - reserved);
}

#[tokio::test]
async fn stock_writes_refuse_what_the_real_service_refuses() {
    let mplus = Mplus::start().await;
    let cases = [
        (
            write("updateStock", 77, 100001, "amountChanged", 1),
            "UPDATE-STOCK-RESULT-BRANCH-NOT-FOUND",
        ),
        (
            write("updateStock", 1, 4242, "amountChanged", 1),
            "UPDATE-STOCK-RESULT-ARTICLE-NOT-FOUND",
        ),
        (
            write("updateStock", 1, 990001, "amountChanged", 1),
            "UPDATE-STOCK-RESULT-NO-STOCK-ARTICLE",
        ),
        (
            write("setStock", 77, 100001, "amount", 1),
            "SET-STOCK-RESULT-BRANCH-NOT-FOUND",
        ),
        (
            write("setStock", 1, 4242, "amount", 1),
            "SET-STOCK-RESULT-ARTICLE-NOT-FOUND",
        ),
        (
            write("setStock", 1, 990001, "amount", 1),
            "SET-STOCK-RESULT-NO-STOCK-ARTICLE",
        ),
    ];
    let before = number(&mplus.markers().await, "stockId");
    for (request, expected) in cases {
        let answer = mplus.call(&request).await;
        assert_eq!(answer.ok().text_of("result"), Some(expected));
        assert!(answer.ok().child("stockId").is_none());
    }
    assert_eq!(number(&mplus.markers().await, "stockId"), before);
    // branchNumber is required by the schema and the service.
    let (code, _) = mplus
        .call(&x("getStock", x("request", x("articleNumbers", ""))))
        .await
        .fault();
    assert!(code.starts_with("SOAP-ENV:Client"));
}

/// Article 100002's free and reserved stock in branch 1.
async fn free_and_reserved(mplus: &Mplus) -> (i64, i64) {
    let answer = mplus.call(&stock_request(1, &[100002])).await;
    let entry = &answer.ok().children[0];
    (number(entry, "amountFree"), number(entry, "amountReserved"))
}

/// Creates an order of `quantity` pieces of article 100002 (which reserves them); its id.
async fn order_of(mplus: &Mplus, ext_order_id: &str, quantity: i64) -> String {
    let line = x(
        "line",
        format!("{}{}", x("articleNumber", 100002), x("data", x("quantity", quantity))),
    );
    let order = x(
        "order",
        format!(
            "{}{}{}{}{}",
            x("orderId", ""),
            x("extOrderId", ext_order_id),
            x("employeeNumber", 999999),
            x("relationNumber", 1001),
            x("lineList", line)
        ),
    );
    let created = mplus.call(&x("createOrder", order)).await;
    assert_eq!(created.ok().text_of("result"), Some("CREATE-ORDER-RESULT-OK"));
    mplus_support::at(created.ok(), "info")
        .text_of("orderId")
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn orders_reserve_stock_until_delivered() {
    let mplus = Mplus::start().await;
    let (free, reserved) = free_and_reserved(&mplus).await;
    let order_id = order_of(&mplus, "RESERVE-1", 2).await;
    assert_eq!(free_and_reserved(&mplus).await, (free - 2, reserved + 2));

    let before = number(&mplus.markers().await, "stockId");
    let (status, _) = mplus
        .control(
            "order-state",
            serde_json::json!({"orderId": order_id, "state": "delivered"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(free_and_reserved(&mplus).await, (free - 2, reserved));
    let history = x(
        "getStockHistory",
        x(
            "request",
            format!("{}{}", x("branchNumber", 1), x("sinceStockId", before)),
        ),
    );
    let answer = mplus.call(&history).await;
    let shipped = answer.ok().children.last().unwrap();
    assert_eq!(shipped.text_of("type"), Some("STOCK-HISTORY-TYPE-SALES"));
    assert_eq!(shipped.text_of("orderId"), Some(order_id.as_str()));
    assert_eq!(number(shipped, "amountChanged"), -2);
}

#[tokio::test]
async fn partial_deliveries_ship_what_they_deliver_and_no_more() {
    let mplus = Mplus::start().await;
    let (free, reserved) = free_and_reserved(&mplus).await;
    let order_id = order_of(&mplus, "PARTIAL-1", 5).await;
    let read = mplus.call(&x("getOrder", x("orderId", &order_id))).await;
    let line_id = mplus_support::at(read.ok(), "order/lineList/line")
        .text_of("lineId")
        .unwrap()
        .to_owned();
    let deliver = |quantity: i64| {
        x(
            "deliverOrderV2",
            x(
                "request",
                x(
                    "orderDelivery",
                    format!(
                        "{}{}",
                        x("orderId", &order_id),
                        x(
                            "lineList",
                            x("line", format!("{}{}", x("lineId", &line_id), x("quantity", quantity)))
                        )
                    ),
                ),
            ),
        )
    };
    let answer = mplus.call(&deliver(2)).await;
    assert_eq!(answer.ok().text_of("result"), Some("DELIVER-ORDER-V2-RESULT-OK"));
    assert_eq!(
        free_and_reserved(&mplus).await,
        (free - 5, reserved + 3),
        "two of the five left the shop, three stay reserved"
    );
    // Delivering the rest as a whole order ships only the three still reserved.
    let whole = mplus
        .call(&x("deliverOrder", x("request", x("orderId", &order_id))))
        .await;
    assert_eq!(whole.ok().text_of("result"), Some("DELIVER-ORDER-RESULT-OK"));
    assert_eq!(free_and_reserved(&mplus).await, (free - 5, reserved));
}

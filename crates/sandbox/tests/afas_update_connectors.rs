//! AFAS simulator, writes of sales documents, articles, stock and prices: every UpdateConnector's insert
//! visible through its GetConnector, schema and business-rule rejections in Profit's error shape, atomicity,
//! PUT / DELETE semantics. Debtors and their addresses are in `afas_update_relations.rs`.

mod afas_support;

use afas_support::{Afas, article_line, expect_created, expect_profit_error, order};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// FbStockMutation and FbSalesPrice answer 201 without a body (their OpenAPI responses have no content).
async fn expect_no_content_201(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.bytes().await.unwrap().is_empty());
}

async fn order_rows(afas: &Afas, reference: &str) -> Vec<Value> {
    afas.rows(
        "Profit_Salesorders",
        &format!("filterfieldids=CustomerReference&filtervalues={reference}&operatortypes=1"),
    )
    .await
}

#[tokio::test]
async fn an_order_is_numbered_and_visible_with_its_reference_and_lines() {
    let afas = Afas::start().await;
    let body = order(
        "10001",
        "WEB-1001",
        vec![
            article_line("1000", 2.0, 19.95),
            json!({"Fields": {"VaIt": "6", "ItCd": "VERZEND", "BiUn": "stk", "QuUn": 1, "Upri": 4.95, "VaRc": "1"}}),
        ],
    );
    koppel_afas::schema::validate("FbSales", "POST", &body).expect("the test body is schema-valid");
    let keys = expect_created(afas.post("FbSales", body).await, "FbSales").await;
    let number = keys["OrNu"].as_str().expect("OrNu assigned").to_owned();
    assert_eq!(keys.as_object().unwrap().len(), 1);

    let orders = order_rows(&afas, "WEB-1001").await;
    assert_eq!(orders.len(), 1);
    let row = &orders[0];
    assert_eq!(row["OrderNumber"], number.as_str());
    assert_eq!(row["DebtorId"], "10001");
    assert_eq!(row["OrderDate"], "2026-11-29T00:00:00Z");
    assert_eq!(row["TotalAmount"], 44.85);
    assert_eq!(row["VAT"], 9.42);
    let lines = afas
        .rows(
            "Profit_SalesorderLines",
            &format!("filterfieldids=OrderNumber&filtervalues={number}&operatortypes=1"),
        )
        .await;
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["ItemCodeId"], "1000");
    assert!(lines[0]["LineGuid"].as_str().unwrap().starts_with('{'));

    let second = expect_created(
        afas.post("FbSales", order("10000", "WEB-1002", vec![])).await,
        "FbSales",
    )
    .await;
    let next: u64 = second["OrNu"].as_str().unwrap().parse().unwrap();
    assert_eq!(next, number.parse::<u64>().unwrap() + 1);
}

#[tokio::test]
async fn business_rules_reject_unknown_debtors_articles_and_codes() {
    let afas = Afas::start().await;
    let message = expect_profit_error(afas.post("FbSales", order("99999", "X", vec![])).await).await;
    assert_eq!(
        message,
        "The entered value for 'Sales relation' does not exist. Value: '99999'."
    );
    let message = expect_profit_error(
        afas.post("FbSales", order("10000", "X", vec![article_line("NOPE", 1.0, 1.0)]))
            .await,
    )
    .await;
    assert!(message.contains("'Item code' does not exist"), "{message}");
    let mut wrong_warehouse = order("10000", "X", vec![]);
    wrong_warehouse["FbSales"]["Element"]["Fields"]["War"] = json!("99");
    assert!(
        expect_profit_error(afas.post("FbSales", wrong_warehouse).await)
            .await
            .contains("'Warehouse'")
    );
    let wrong_unit = json!({"Fields": {"VaIt": "2", "ItCd": "1000", "BiUn": "doos", "QuUn": 1}});
    assert!(
        expect_profit_error(afas.post("FbSales", order("10000", "X", vec![wrong_unit])).await)
            .await
            .contains("'Unit'")
    );
    // A text line (VaIt 3) needs no article.
    let text_line = json!({"Fields": {"VaIt": "3", "ItCd": "TXT", "BiUn": "stk", "QuUn": 0, "Ds": "Bedankt!"}});
    expect_created(
        afas.post("FbSales", order("10000", "X", vec![text_line])).await,
        "FbSales",
    )
    .await;
    // A blocked debtor cannot order.
    afas.control(
        Method::POST,
        "/_sandbox/debtors",
        Some(json!({"debtorId": "10002", "blocked": true})),
    )
    .await;
    assert!(
        expect_profit_error(afas.post("FbSales", order("10002", "X", vec![])).await)
            .await
            .contains("blocked")
    );
}

#[tokio::test]
async fn schema_violations_are_rejected_before_business_rules() {
    let afas = Afas::start().await;
    let mut unknown_field = order("10000", "S-1", vec![]);
    unknown_field["FbSales"]["Element"]["Fields"]["Colour"] = json!("red");
    let message = expect_profit_error(afas.post("FbSales", unknown_field).await).await;
    assert!(message.contains("Colour"), "{message}");
    let mut wrong_type = order("10000", "S-1", vec![]);
    wrong_type["FbSales"]["Element"]["Fields"]["Unit"] = json!("one");
    assert!(
        expect_profit_error(afas.post("FbSales", wrong_type).await)
            .await
            .contains("/Unit")
    );
    let too_long = order("10000", &"R".repeat(101), vec![]);
    assert!(
        expect_profit_error(afas.post("FbSales", too_long).await)
            .await
            .contains("/RfCs")
    );
    let missing_quantity = json!({"Fields": {"VaIt": "2", "ItCd": "1000", "BiUn": "stk"}});
    assert!(
        expect_profit_error(
            afas.post("FbSales", order("10000", "S-1", vec![missing_quantity]))
                .await
        )
        .await
        .contains("QuUn")
    );
    assert!(order_rows(&afas, "S-1").await.is_empty());
    // Not JSON, or not this connector's body: 400.
    let response = afas
        .http
        .post(afas.url("/ProfitRestServices/connectors/FbSales"))
        .header("Authorization", afas.token())
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        afas.post("FbSales", json!({"FbOther": {}})).await.status(),
        StatusCode::BAD_REQUEST
    );
    let message = expect_profit_error(afas.post("FbNothing", json!({"FbNothing": {}})).await).await;
    assert!(message.contains("not supported"));
}

#[tokio::test]
async fn a_failing_line_or_element_leaves_nothing_behind() {
    let afas = Afas::start().await;
    let bad = order(
        "10000",
        "ATOMIC-1",
        vec![article_line("1000", 1.0, 10.0), article_line("NOPE", 1.0, 10.0)],
    );
    expect_profit_error(afas.post("FbSales", bad).await).await;
    assert!(order_rows(&afas, "ATOMIC-1").await.is_empty());
    // Two orders in one body: the second fails, so neither is written, and no number is used up.
    let body = json!({"FbSales": {"Element": [
        {"Fields": {"DbId": "10000", "RfCs": "ATOMIC-2"}},
        {"Fields": {"DbId": "99999", "RfCs": "ATOMIC-3"}}
    ]}});
    expect_profit_error(afas.post("FbSales", body).await).await;
    assert!(order_rows(&afas, "ATOMIC-2").await.is_empty());
    let first = expect_created(afas.post("FbSales", order("10000", "A", vec![])).await, "FbSales").await;
    let before = afas.rows("Profit_Salesorders", "skip=-1&take=-1").await.len();
    assert_eq!(before, 1);
    assert!(first["OrNu"].as_str().unwrap().ends_with("0001"), "{first}");
}

#[tokio::test]
async fn put_updates_clears_and_changes_lines_by_action() {
    let afas = Afas::start().await;
    let body = order(
        "10000",
        "PUT-1",
        vec![article_line("1000", 1.0, 10.0), article_line("1001", 1.0, 20.0)],
    );
    let number = expect_created(afas.post("FbSales", body).await, "FbSales").await["OrNu"].clone();
    let lines_query = format!(
        "filterfieldids=OrderNumber&filtervalues={}&operatortypes=1",
        number.as_str().unwrap()
    );
    let lines = afas.rows("Profit_SalesorderLines", &lines_query).await;
    let (first_guid, second_guid) = (lines[0]["LineGuid"].clone(), lines[1]["LineGuid"].clone());

    let update = json!({"FbSales": {"Element": {
        "Fields": {"OrNu": number, "RfCs": "PUT-2", "War": ""},
        "Objects": [{"FbSalesLines": {"Element": [
            {"@GuLi": first_guid, "Fields": {"@Action": "update", "QuUn": 3}},
            {"@Action": "delete", "Fields": {"GuLi": second_guid}},
            article_line("1002", 1.0, 5.0)
        ]}}]
    }}});
    let keys = expect_created(afas.put("FbSales", update).await, "FbSales").await;
    assert_eq!(
        keys["OrNu"], number,
        "PUT answers 201 with the key, as the OpenAPI spec gives it"
    );
    let updated = order_rows(&afas, "PUT-2").await;
    assert_eq!(updated.len(), 1);
    assert!(updated[0]["Warehouse"].is_null(), "\"\" clears the field");
    assert_eq!(updated[0]["TotalAmount"], 35.0);
    let lines = afas.rows("Profit_SalesorderLines", &lines_query).await;
    let items: Vec<&str> = lines.iter().map(|l| l["ItemCodeId"].as_str().unwrap()).collect();
    assert_eq!(items, ["1000", "1002"]);

    let unknown = json!({"FbSales": {"Element": {"Fields": {"OrNu": "1"}}}});
    assert!(
        expect_profit_error(afas.put("FbSales", unknown).await)
            .await
            .contains("'Number' does not exist")
    );
    let no_key = json!({"FbSales": {"Element": {"Fields": {"RfCs": "x"}}}});
    assert!(
        expect_profit_error(afas.put("FbSales", no_key).await)
            .await
            .contains("OrNu")
    );
}

#[tokio::test]
async fn lines_can_be_posted_to_an_existing_order_and_orders_deleted() {
    let afas = Afas::start().await;
    let number =
        expect_created(afas.post("FbSales", order("10000", "SUB-1", vec![])).await, "FbSales").await["OrNu"].clone();
    let lines = json!({"FbSales": {"Element": {"Fields": {"OrNu": number},
        "Objects": [{"FbSalesLines": {"Element": [article_line("1000", 2.0, 1.5)]}}]}}});
    let response = afas
        .call(Method::POST, "/connectors/FbSales/FbSalesLines", Some(&lines))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(order_rows(&afas, "SUB-1").await[0]["TotalAmount"], 3.0);

    let wrong_sub_object = afas
        .call(Method::POST, "/connectors/FbSales/FbDirectInvoiceLines", Some(&lines))
        .await;
    assert_eq!(wrong_sub_object.status(), StatusCode::NOT_FOUND);

    let path = format!("/connectors/FbSales/FbSales/@OrNu/{}", number.as_str().unwrap());
    assert_eq!(afas.call(Method::DELETE, &path, None).await.status(), StatusCode::OK);
    assert!(order_rows(&afas, "SUB-1").await.is_empty());
    expect_profit_error(afas.call(Method::DELETE, &path, None).await).await;
}

#[tokio::test]
async fn a_direct_invoice_returns_its_numbers_and_books_stock_out() {
    let afas = Afas::start().await;
    let stock_query = "filterfieldids=Item_code,Warehouse&filtervalues=1000,01&operatortypes=1,1";
    let before = afas.rows("Profit_Stock_per_Warehouse", stock_query).await[0]["In_stock"]
        .as_f64()
        .unwrap();
    let body = json!({"FbDirectInvoice": {"Element": {"Fields": {"DbId": "10000", "RfCs": "POS-77", "War": "01"},
        "Objects": [{"FbDirectInvoiceLines": {"Element": [article_line("1000", 2.0, 19.95)]}}]}}});
    let keys = expect_created(afas.post("FbDirectInvoice", body).await, "FbDirectInvoice").await;
    assert!(keys["OrNu"].is_string() && keys["Liln"].is_string(), "{keys}");
    let invoice = &order_rows(&afas, "POS-77").await[0];
    assert_eq!(invoice["Ordersoort"], "Directe factuur");
    assert_eq!(invoice["InvoiceNumber"], keys["Liln"]);
    let after = afas.rows("Profit_Stock_per_Warehouse", stock_query).await[0]["In_stock"]
        .as_f64()
        .unwrap();
    assert_eq!(after, before - 2.0);
}

#[tokio::test]
async fn a_quotation_is_visible_in_the_quotations_connector() {
    let afas = Afas::start().await;
    let body = json!({"FbSalesQuotation": {"Element": {"Fields": {"DbId": "10001", "RfCs": "OFF-1"},
        "Objects": [{"FbSalesQuotationLines": {"Element": [article_line("1003", 1.0, 99.95)]}}]}}});
    let keys = expect_created(afas.post("FbSalesQuotation", body).await, "FbSalesQuotation").await;
    let rows = afas
        .rows(
            "Profit_SalesQuotations",
            "filterfieldids=CustomerReference&filtervalues=OFF-1&operatortypes=1",
        )
        .await;
    assert_eq!(rows[0]["QuotationNumber"], keys["OrNu"]);
    assert!(
        order_rows(&afas, "OFF-1").await.is_empty(),
        "a quotation is not an order"
    );
    let number = keys["OrNu"].as_str().unwrap();
    let lines_query = format!("filterfieldids=QuotationNumber&filtervalues={number}&operatortypes=1");
    let lines = afas.rows("Profit_SalesQuotationLines", &lines_query).await;
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (
            &lines[0]["SeqNo"],
            &lines[0]["ItemCode"],
            &lines[0]["Quantity"],
            &lines[0]["PricePerUnit"]
        ),
        (&json!(1), &json!("1003"), &json!(1.0), &json!(99.95))
    );
    assert_eq!(lines[0]["ModifiedDate"], rows[0]["ModifiedDate"]);

    // A line added later is listed too, after the first.
    let more = json!({"FbSalesQuotation": {"Element": {"Fields": {"OrNu": number},
        "Objects": [{"FbSalesQuotationLines": {"Element": [article_line("1000", 2.0, 19.95)]}}]}}});
    assert!(afas.put("FbSalesQuotation", more).await.status().is_success());
    let lines = afas.rows("Profit_SalesQuotationLines", &lines_query).await;
    let items: Vec<_> = lines
        .iter()
        .map(|l| (l["SeqNo"].clone(), l["ItemCode"].clone()))
        .collect();
    assert_eq!(items, [(json!(1), json!("1003")), (json!(2), json!("1000"))]);
}

#[tokio::test]
async fn articles_are_inserted_unique_updated_and_deleted() {
    let afas = Afas::start().await;
    let article = |code: &str| {
        json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": code, "Ds": "Pet rood", "Grp": "300", "BiUn": "stk",
            "VaRc": "1", "SaPrice": 12.5, "BiSt": true, "BaCo": "8712345999990", "VaBc": "3"}}}})
    };
    let keys = expect_created(afas.post("FbItemArticle", article("PET-R")).await, "FbItemArticle").await;
    assert_eq!(keys, json!({"ItCd": "PET-R"}));
    let rows = afas
        .rows(
            "Profit_Article",
            "filterfieldids=ItemCode&filtervalues=PET-R&operatortypes=1",
        )
        .await;
    assert_eq!(rows[0]["Barcode"], "8712345999990");
    assert!(
        expect_profit_error(afas.post("FbItemArticle", article("PET-R")).await)
            .await
            .contains("already exists")
    );
    let mut unknown_group = article("PET-B");
    unknown_group["FbItemArticle"]["Element"]["Fields"]["Grp"] = json!("777");
    unknown_group["FbItemArticle"]["Element"]["Fields"]["BaCo"] = json!("1");
    assert!(
        expect_profit_error(afas.post("FbItemArticle", unknown_group).await)
            .await
            .contains("'Article group'")
    );
    let auto =
        json!({"FbItemArticle": {"Element": {"Fields": {"AuId": true, "Ds": "Auto", "Grp": "900", "BiUn": "stk"}}}});
    assert!(expect_created(afas.post("FbItemArticle", auto).await, "FbItemArticle").await["ItCd"].is_string());

    let price = json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "PET-R", "SaPrice": 14.0, "DsEx": ""}}}});
    expect_created(afas.put("FbItemArticle", price).await, "FbItemArticle").await;
    let basic = afas
        .rows(
            "Profit_Article_Basic",
            "filterfieldids=ItemCode&filtervalues=PET-R&operatortypes=1",
        )
        .await;
    assert_eq!(basic[0]["BasicSalesPrice"], 14.0);
    let unit = json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "PET-R", "BiUn": "doos"}}}});
    assert!(
        expect_profit_error(afas.put("FbItemArticle", unit).await)
            .await
            .contains("basic unit")
    );

    // An article used on an order cannot be deleted; an unused one can.
    afas.post("FbSales", order("10000", "USE", vec![article_line("1000", 1.0, 1.0)]))
        .await;
    expect_profit_error(
        afas.call(
            Method::DELETE,
            "/connectors/FbItemArticle/FbItemArticle/@ItCd/1000",
            None,
        )
        .await,
    )
    .await;
    let delete = afas
        .call(
            Method::DELETE,
            "/connectors/FbItemArticle/FbItemArticle/@ItCd/PET-R",
            None,
        )
        .await;
    assert_eq!(delete.status(), StatusCode::OK);
    assert!(
        afas.rows(
            "Profit_Article",
            "filterfieldids=ItemCode&filtervalues=PET-R&operatortypes=1"
        )
        .await
        .is_empty()
    );
}

#[tokio::test]
async fn stock_mutations_change_stock_per_warehouse() {
    let afas = Afas::start().await;
    let mutation = |sort: &str, item: &str, warehouse: &str, quantity: f64| {
        json!({"FbStockMutation": {"Element": {"Fields": {"VaOt": sort, "ReId": "6", "Da": "2026-11-29", "VaIt": "2",
            "ItCd": item, "War": warehouse, "Loc": "A1", "BiUn": "stk", "QuUn": quantity, "Qu": quantity}}}})
    };
    let query = "filterfieldids=Item_code,Warehouse&filtervalues=1001,02&operatortypes=1,1";
    let level = |rows: Vec<Value>| rows[0]["In_stock"].as_f64().unwrap();
    let start = level(afas.rows("Profit_Stock_per_Warehouse", query).await);
    expect_no_content_201(afas.post("FbStockMutation", mutation("41", "1001", "02", 10.0)).await).await;
    assert_eq!(
        level(afas.rows("Profit_Stock_per_Warehouse", query).await),
        start + 10.0
    );
    expect_no_content_201(afas.post("FbStockMutation", mutation("42", "1001", "02", 3.0)).await).await;
    assert_eq!(level(afas.rows("Profit_Stock_per_Warehouse", query).await), start + 7.0);
    expect_no_content_201(afas.post("FbStockMutation", mutation("51", "1001", "02", 4.0)).await).await;
    assert_eq!(level(afas.rows("Profit_Stock_per_Warehouse", query).await), 4.0);
    let total = afas
        .rows(
            "Profit_Article_Basic",
            "filterfieldids=ItemCode&filtervalues=1001&operatortypes=1",
        )
        .await;
    assert!(total[0]["StockActual"].as_f64().unwrap() >= 4.0);

    assert!(
        expect_profit_error(afas.post("FbStockMutation", mutation("41", "1001", "99", 1.0)).await)
            .await
            .contains("'Warehouse'")
    );
    // Article 1007 is a gift card: it keeps no stock.
    assert!(
        expect_profit_error(afas.post("FbStockMutation", mutation("41", "1007", "01", 1.0)).await)
            .await
            .contains("does not keep stock")
    );
    assert_eq!(
        afas.put("FbStockMutation", mutation("41", "1001", "01", 1.0))
            .await
            .status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
async fn a_base_sales_price_changes_the_article_price() {
    let afas = Afas::start().await;
    let body = json!({"FbSalesPrice": {"Element": {"Fields": {"VaIt": "2", "ItCd": "1002", "BiUn": "stk", "CuId": "EUR",
        "DaBg": "2026-12-01", "Pric": 79.0}}}});
    expect_no_content_201(afas.post("FbSalesPrice", body).await).await;
    let article = afas
        .rows(
            "Profit_Article_Basic",
            "filterfieldids=ItemCode&filtervalues=1002&operatortypes=1",
        )
        .await;
    assert_eq!(article[0]["BasicSalesPrice"], 79.0);
    // The basic price (no price list, no debtor) on its start date.
    let prices = afas
        .rows(
            "Profit_SalesPrice",
            "filterfieldids=Item,Level,Debtor,Date&filtervalues=1002,,,2026-12-01&operatortypes=1,8,8,1",
        )
        .await;
    assert_eq!(prices.len(), 1, "{prices:?}");
    assert_eq!(prices[0]["Date"], "2026-12-01T00:00:00Z");
    assert_eq!(prices[0]["Nettoprijs"], 79.0);
    let for_unknown_debtor = json!({"FbSalesPrice": {"Element": {"Fields": {"VaIt": "2", "ItCd": "1002", "BiUn": "stk",
        "CuId": "EUR", "DaBg": "2026-12-01", "Pric": 70.0, "DbId": "424242"}}}});
    expect_profit_error(afas.post("FbSalesPrice", for_unknown_debtor).await).await;
}

//! AFAS simulator, dimension articles (articles with variants such as colour × size): the seeded polo 1030,
//! `Profit_Barcode_per_Item`, the `/_sandbox/article-dimensions` control, and sales lines that must name one
//! of the article's combinations (`StL1`/`StL2`).

mod afas_support;

use afas_support::{Afas, article_line, expect_created, expect_profit_error, order};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Profit's error number for a refused body (validation of the update connector).
const VALIDATION_ERROR_NUMBER: i64 = -2147220469;

/// An article line naming dimension codes.
fn dimension_line(item: &str, first: Option<&str>, second: Option<&str>) -> Value {
    let mut line = article_line(item, 1.0, 39.95);
    if let Some(first) = first {
        line["Fields"]["StL1"] = json!(first);
    }
    if let Some(second) = second {
        line["Fields"]["StL2"] = json!(second);
    }
    line
}

async fn barcodes(afas: &Afas, item: &str) -> Vec<Value> {
    afas.rows(
        "Profit_Barcode_per_Item",
        &format!("filterfieldids=ItemCode&filtervalues={item}&operatortypes=1&orderbyfieldids=Barcode"),
    )
    .await
}

/// (StockDimCode1, StockDimCode2, Barcode) of each row.
fn combinations(rows: &[Value]) -> Vec<(Value, Value, String)> {
    rows.iter()
        .map(|row| {
            (
                row["StockDimCode1"].clone(),
                row["StockDimCode2"].clone(),
                row["Barcode"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn article(afas: &Afas, item: &str) -> Value {
    afas.rows(
        "Profit_Article",
        &format!("filterfieldids=ItemCode&filtervalues={item}&operatortypes=1"),
    )
    .await
    .remove(0)
}

async fn set_dimensions(afas: &Afas, body: Value) -> (StatusCode, Value) {
    let response = afas
        .control(Method::POST, "/_sandbox/article-dimensions", Some(body))
        .await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn barcode_per_item_lists_the_seeded_polo_with_its_four_combinations() {
    let afas = Afas::start().await;
    let polo = article(&afas, "1030").await;
    assert_eq!(polo["Description"], "Polo piqué");
    assert_eq!(
        (&polo["StockDimId1"], &polo["StockDimId2"]),
        (&json!("KLEUR"), &json!("MATEN"))
    );
    assert_eq!(polo["SalesPrice"], 39.95);
    let plain = article(&afas, "1000").await;
    assert_eq!(
        (&plain["StockDimId1"], &plain["StockDimId2"]),
        (&Value::Null, &Value::Null)
    );

    let rows = barcodes(&afas, "1030").await;
    assert_eq!(
        combinations(&rows),
        [
            (Value::Null, Value::Null, "8712345000301".to_owned()),
            (json!("ROOD"), json!("M"), "8712345100001".to_owned()),
            (json!("ROOD"), json!("L"), "8712345100018".to_owned()),
            (json!("NAVY"), json!("M"), "8712345100025".to_owned()),
            (json!("NAVY"), json!("L"), "8712345100032".to_owned()),
        ]
    );
    for row in &rows {
        assert_eq!(row["ItemCode"], "1030");
        assert_eq!(row["ItemType"], "Art");
        assert_eq!(row["UnitId"], "stk");
        assert_eq!(row["BarcodeType"], "3");
        let mut fields: Vec<&String> = row.as_object().unwrap().keys().collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "Barcode",
                "BarcodeType",
                "BatchNumber",
                "CreditorId",
                "DebtorId",
                "ItemCode",
                "ItemType",
                "SerialNumber",
                "StockDimCode1",
                "StockDimCode2",
                "UnitId"
            ]
        );
    }
    // A plain article has one row: its own barcode.
    let plain = barcodes(&afas, "1000").await;
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0]["StockDimCode1"], Value::Null);
    // 31 articles with a barcode each, and the polo's four combinations.
    assert_eq!(
        afas.rows("Profit_Barcode_per_Item", "skip=-1&take=-1").await.len(),
        31 + 4
    );
    // Looked up by barcode, as a till scan would.
    let scanned = afas
        .rows(
            "Profit_Barcode_per_Item",
            "filterfieldids=Barcode&filtervalues=8712345100032&operatortypes=1",
        )
        .await;
    assert_eq!(combinations(&scanned)[0].0, json!("NAVY"));

    let meta: Value = afas
        .get("/metainfo/get/Profit_Barcode_per_Item")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = meta["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fieldId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "ItemType",
            "ItemCode",
            "UnitId",
            "BarcodeType",
            "Barcode",
            "StockDimCode1",
            "StockDimCode2",
            "SerialNumber",
            "BatchNumber",
            "DebtorId",
            "CreditorId"
        ]
    );
}

#[tokio::test]
async fn the_control_replaces_combinations_and_moves_the_modified_date() {
    let afas = Afas::start().await;
    let before = article(&afas, "1030").await["ModifiedDate"].clone();
    let body = json!({"itemCode": "1030", "combinations": [
        {"dimension1": "ROOD", "dimension2": "XL", "barcode": "8712345100049"},
        {"dimension1": "NAVY", "dimension2": "L", "barcode": "8712345100032"},
    ]});
    let (status, answer) = set_dimensions(&afas, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, json!({"ItCd": "1030", "combinations": 2}));
    assert_eq!(
        combinations(&barcodes(&afas, "1030").await),
        [
            (Value::Null, Value::Null, "8712345000301".to_owned()),
            (json!("NAVY"), json!("L"), "8712345100032".to_owned()),
            (json!("ROOD"), json!("XL"), "8712345100049".to_owned()),
        ]
    );
    let after = article(&afas, "1030").await["ModifiedDate"].clone();
    assert_ne!(after, before, "editing the item's combinations changes it");
    // A delta read by ModifiedDate finds the polo.
    let changed = afas
        .rows(
            "Profit_Article",
            "filterfieldids=ModifiedDate&filtervalues=2026-06-01T00:00:00&operatortypes=2",
        )
        .await;
    assert!(changed.iter().any(|row| row["ItemCode"] == "1030"));

    // The new combination can be sold, the dropped one no longer.
    expect_created(
        afas.post(
            "FbSales",
            order(
                "10000",
                "DIM-XL",
                vec![dimension_line("1030", Some("ROOD"), Some("XL"))],
            ),
        )
        .await,
        "FbSales",
    )
    .await;
    let message = expect_profit_error(
        afas.post(
            "FbSales",
            order("10000", "DIM-M", vec![dimension_line("1030", Some("ROOD"), Some("M"))]),
        )
        .await,
    )
    .await;
    assert_eq!(message, "Artikeldimensie ROOD/M bestaat niet bij artikel 1030.");

    // An empty list leaves the polo with its own barcode only.
    let (status, _) = set_dimensions(&afas, json!({"itemCode": "1030", "combinations": []})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(barcodes(&afas, "1030").await.len(), 1);
}

#[tokio::test]
async fn the_control_refuses_what_the_article_cannot_have() {
    let afas = Afas::start().await;
    let refused = [
        (
            json!({"itemCode": "NOPE", "combinations": []}),
            "unknown article 'NOPE'",
        ),
        (
            json!({"itemCode": "1000", "combinations": [{"dimension1": "ROOD", "barcode": "8712345100049"}]}),
            "article '1000' has no dimension kinds (StD1)",
        ),
        (
            json!({"itemCode": "1030", "combinations": [{"dimension1": "ROOD", "barcode": "8712345100049"}]}),
            "needs dimension2",
        ),
        (
            json!({"itemCode": "1030", "combinations": [
                {"dimension1": "ROOD", "dimension2": "S", "barcode": "8712345000004"}]}),
            "barcode '8712345000004' is already in use",
        ),
        (
            json!({"itemCode": "1030", "combinations": [
                {"dimension1": "ROOD", "dimension2": "S", "barcode": "8712345100049"},
                {"dimension1": "rood", "dimension2": "s", "barcode": "8712345100056"}]}),
            "combination rood/s is given twice",
        ),
    ];
    for (body, expected) in refused {
        let (status, answer) = set_dimensions(&afas, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = answer["error"].as_str().unwrap();
        assert!(message.contains(expected), "{body}: {message}");
    }
    // Nothing changed.
    assert_eq!(barcodes(&afas, "1030").await.len(), 5);

    // An article with one dimension kind takes combinations without dimension2, and only those.
    let shawl = json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "SJAAL-K", "Ds": "Sjaal", "Grp": "300",
        "BiUn": "stk", "VaRc": "1", "SaPrice": 24.95, "BiSt": true, "BaCo": "8712345200008", "StD1": "KLEUR"}}}});
    expect_created(afas.post("FbItemArticle", shawl).await, "FbItemArticle").await;
    let (status, answer) = set_dimensions(
        &afas,
        json!({"itemCode": "SJAAL-K", "combinations": [
            {"dimension1": "GRIJS", "dimension2": "M", "barcode": "8712345200015"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"].as_str().unwrap().contains("cannot have dimension2"),
        "{answer}"
    );
    let (status, _) = set_dimensions(
        &afas,
        json!({"itemCode": "SJAAL-K", "combinations": [{"dimension1": "GRIJS", "barcode": "8712345200015"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    expect_created(
        afas.post(
            "FbSales",
            order("10000", "SJAAL-1", vec![dimension_line("SJAAL-K", Some("GRIJS"), None)]),
        )
        .await,
        "FbSales",
    )
    .await;
    let message = expect_profit_error(
        afas.post(
            "FbSales",
            order(
                "10000",
                "SJAAL-2",
                vec![dimension_line("SJAAL-K", Some("GRIJS"), Some("M"))],
            ),
        )
        .await,
    )
    .await;
    assert_eq!(
        message,
        "Artikel SJAAL-K heeft geen tweede artikeldimensie: laat StL2 leeg."
    );
}

/// Asserts Profit's validation error (as for an unknown item code on a line) and returns its message.
async fn validation_error(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorNumber"], VALIDATION_ERROR_NUMBER, "{body}");
    assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
    body["externalMessage"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn sales_lines_of_a_dimension_article_must_name_one_of_its_combinations() {
    let afas = Afas::start().await;
    let post = |reference: &str, line: Value| afas.post("FbSales", order("10000", reference, vec![line]));
    let cases = [
        (
            dimension_line("1030", None, None),
            "Artikel 1030 heeft artikeldimensies: vul StL1 in.",
        ),
        (
            dimension_line("1030", Some("NAVY"), None),
            "Artikel 1030 heeft twee artikeldimensies: vul StL2 in.",
        ),
        (
            dimension_line("1030", Some("ROOD"), Some("XL")),
            "Artikeldimensie ROOD/XL bestaat niet bij artikel 1030.",
        ),
        (
            dimension_line("1000", Some("ROOD"), None),
            "Artikel 1000 heeft geen artikeldimensies: laat StL1 en StL2 leeg.",
        ),
    ];
    for (line, expected) in cases {
        let message = validation_error(post("DIM-X", line.clone()).await).await;
        assert_eq!(message, expected, "{line}");
    }
    // The unknown item code is refused in the same shape.
    let unknown = validation_error(post("DIM-X", article_line("NOPE", 1.0, 1.0)).await).await;
    assert!(unknown.contains("'Item code' does not exist"), "{unknown}");
    assert!(
        afas.rows(
            "Profit_Salesorders",
            "filterfieldids=CustomerReference&filtervalues=DIM-X&operatortypes=1"
        )
        .await
        .is_empty(),
        "nothing refused was stored"
    );

    // One of its combinations is accepted (codes compare ignoring case), and so is a plain article's line.
    expect_created(
        post("DIM-OK", dimension_line("1030", Some("NAVY"), Some("L"))).await,
        "FbSales",
    )
    .await;
    expect_created(
        post("DIM-OK2", dimension_line("1030", Some("navy"), Some("m"))).await,
        "FbSales",
    )
    .await;
    expect_created(post("PLAIN", article_line("1000", 1.0, 19.95)).await, "FbSales").await;
    let lines = afas
        .rows(
            "Profit_SalesorderLines",
            "filterfieldids=ItemCodeId&filtervalues=1030&operatortypes=1",
        )
        .await;
    assert_eq!(lines.len(), 2);

    // Quotations and direct invoices follow the same rule.
    let quotation = |line: Value| {
        json!({"FbSalesQuotation": {"Element": {"Fields": {"DbId": "10000", "RfCs": "OFF-DIM"},
            "Objects": [{"FbSalesQuotationLines": {"Element": [line]}}]}}})
    };
    let message = validation_error(
        afas.post("FbSalesQuotation", quotation(dimension_line("1030", None, None)))
            .await,
    )
    .await;
    assert_eq!(message, "Artikel 1030 heeft artikeldimensies: vul StL1 in.");
    expect_created(
        afas.post(
            "FbSalesQuotation",
            quotation(dimension_line("1030", Some("ROOD"), Some("M"))),
        )
        .await,
        "FbSalesQuotation",
    )
    .await;

    let invoice = |reference: &str, line: Value| {
        json!({"FbDirectInvoice": {"Element": {"Fields": {"DbId": "10000", "RfCs": reference, "War": "01"},
            "Objects": [{"FbDirectInvoiceLines": {"Element": [line]}}]}}})
    };
    let message = validation_error(
        afas.post(
            "FbDirectInvoice",
            invoice("POS-DIM-1", dimension_line("1030", Some("NAVY"), Some("XXL"))),
        )
        .await,
    )
    .await;
    assert_eq!(message, "Artikeldimensie NAVY/XXL bestaat niet bij artikel 1030.");
    // A sold combination takes its stock from the article's (stock is kept per article and warehouse).
    let stock_query = "filterfieldids=Item_code,Warehouse&filtervalues=1030,01&operatortypes=1,1";
    let before = afas.rows("Profit_Stock_per_Warehouse", stock_query).await[0]["In_stock"]
        .as_f64()
        .unwrap();
    expect_created(
        afas.post(
            "FbDirectInvoice",
            invoice("POS-DIM-2", dimension_line("1030", Some("NAVY"), Some("L"))),
        )
        .await,
        "FbDirectInvoice",
    )
    .await;
    let after = afas.rows("Profit_Stock_per_Warehouse", stock_query).await[0]["In_stock"]
        .as_f64()
        .unwrap();
    assert_eq!(after, before - 1.0);
}

#[tokio::test]
async fn fb_item_article_takes_dimension_kinds_and_keeps_them_while_combinations_exist() {
    let afas = Afas::start().await;
    let polo = json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "POLO-2", "Ds": "Polo", "Grp": "100",
        "BiUn": "stk", "VaRc": "1", "SaPrice": 29.95, "BiSt": true, "StD1": "KLEUR", "StD2": "MATEN"}}}});
    expect_created(afas.post("FbItemArticle", polo).await, "FbItemArticle").await;
    let row = article(&afas, "POLO-2").await;
    assert_eq!(
        (&row["StockDimId1"], &row["StockDimId2"]),
        (&json!("KLEUR"), &json!("MATEN"))
    );
    // Without combinations its kinds can still change (PUT).
    let put = json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "POLO-2", "StD2": "LENGTE"}}}});
    expect_created(afas.put("FbItemArticle", put).await, "FbItemArticle").await;
    assert_eq!(article(&afas, "POLO-2").await["StockDimId2"], "LENGTE");
    // A dimension article without combinations has nothing to sell yet.
    let message = expect_profit_error(
        afas.post(
            "FbSales",
            order(
                "10000",
                "POLO-2",
                vec![dimension_line("POLO-2", Some("ROOD"), Some("M"))],
            ),
        )
        .await,
    )
    .await;
    assert_eq!(message, "Artikeldimensie ROOD/M bestaat niet bij artikel POLO-2.");

    // The seeded polo has combinations: its kinds are fixed.
    let put = json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "1030", "StD2": ""}}}});
    let message = expect_profit_error(afas.put("FbItemArticle", put).await).await;
    assert!(message.contains("kunnen niet worden gewijzigd"), "{message}");
    // Other fields of it still change.
    let put = json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "1030", "Ds": "Polo piqué heren"}}}});
    expect_created(afas.put("FbItemArticle", put).await, "FbItemArticle").await;
    // A second kind needs a first.
    let second_only = json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "POLO-3", "Ds": "Polo",
        "Grp": "100", "BiUn": "stk", "StD2": "MATEN"}}}});
    let message = expect_profit_error(afas.post("FbItemArticle", second_only).await).await;
    assert!(message.contains("zonder eerste (StD1)"), "{message}");
    // A combination's barcode is taken for articles too.
    let taken = json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "POLO-4", "Ds": "Polo",
        "Grp": "100", "BiUn": "stk", "BaCo": "8712345100001"}}}});
    let message = expect_profit_error(afas.post("FbItemArticle", taken).await).await;
    assert!(message.contains("already in use"), "{message}");
}

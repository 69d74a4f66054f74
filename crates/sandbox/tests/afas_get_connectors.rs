//! AFAS simulator, reads: GetConnector paging, sorting, filters, limits and errors, metainfo.

mod afas_support;

use afas_support::{Afas, expect_profit_error};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn texts(rows: &[Value], field: &str) -> Vec<String> {
    rows.iter()
        .map(|row| row[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A custom connector with `count` fixed rows `{"Nr": i, "Name": "row i"}`.
async fn numbered_connector(afas: &Afas, count: usize) {
    let rows: Vec<Value> = (0..count)
        .map(|i| json!({"Nr": i, "Name": format!("row {i}")}))
        .collect();
    let body = json!({"id": "Test_Numbers", "fields": [{"id": "Nr", "dataType": "int"}, {"id": "Name"}], "rows": rows});
    let response = afas.control(Method::POST, "/_sandbox/get-connectors", Some(body)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn standard_connectors_answer_with_skip_take_and_rows() {
    let afas = Afas::start().await;
    for connector in [
        "Profit_Debtor",
        "Profit_Article",
        "Profit_Article_Basic",
        "Profit_Salesorders",
        "Profit_SalesorderLines",
        "Profit_Stock_per_Warehouse",
        "Profit_VAT_code",
        "Profit_Administrations",
        "Profit_Warehouses",
        "Profit_PaymentConditions",
        "Profit_PaymentMethods",
        "Profit_SalesQuotations",
        "Profit_SalesQuotationLines",
        "Profit_SalesPrice",
        "Profit_Contacts",
    ] {
        let response = afas.get(&format!("/connectors/{connector}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{connector}");
        let page: Value = response.json().await.unwrap();
        let mut keys: Vec<_> = page.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["rows", "skip", "take"]);
        assert_eq!((page["skip"].as_i64(), page["take"].as_i64()), (Some(0), Some(100)));
    }
    let debtors = afas
        .rows(
            "Profit_Debtor",
            "filterfieldids=DebtorId&filtervalues=10000&operatortypes=1",
        )
        .await;
    assert_eq!(debtors[0]["DebtorName"], "Kassaverkopen");
    let vat = afas
        .rows(
            "Profit_VAT_code",
            "filterfieldids=VatCode&filtervalues=1&operatortypes=1",
        )
        .await;
    assert_eq!(vat[0]["VatPerc"], 21.0);
    let article = &afas.rows("Profit_Article", "take=1").await[0];
    assert!(article["CreateDate"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn skip_and_take_default_to_0_and_100_and_minus_one_means_all() {
    let afas = Afas::start().await;
    numbered_connector(&afas, 150).await;
    assert_eq!(afas.rows("Test_Numbers", "").await.len(), 100);
    let page: Value = afas
        .get("/connectors/Test_Numbers?skip=-1&take=-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["rows"].as_array().unwrap().len(), 150);
    assert_eq!((page["skip"].as_i64(), page["take"].as_i64()), (Some(-1), Some(-1)));
    let rows = afas.rows("Test_Numbers", "skip=140&take=20&orderbyfieldids=Nr").await;
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[0]["Nr"], 140);
    assert!(afas.rows("Test_Numbers", "take=0").await.is_empty());
}

#[tokio::test]
async fn without_orderbyfieldids_the_order_can_be_shuffled_to_expose_unsorted_paging() {
    let afas = Afas::start().await;
    numbered_connector(&afas, 150).await;
    let first = afas.rows("Test_Numbers", "skip=-1&take=-1").await;
    assert_eq!(
        first,
        afas.rows("Test_Numbers", "skip=-1&take=-1").await,
        "stable by default"
    );
    afas.control(Method::POST, "/_sandbox/unsorted-order", Some(json!({"shuffle": true})))
        .await;
    let shuffled = afas.rows("Test_Numbers", "skip=-1&take=-1").await;
    assert_ne!(first, shuffled);
    assert_eq!(shuffled.len(), 150);
    let sorted = afas.rows("Test_Numbers", "orderbyfieldids=Nr&skip=-1&take=-1").await;
    assert_eq!(sorted, first, "an explicit order is kept");
}

#[tokio::test]
async fn invalid_skip_take_combinations_are_the_generic_500() {
    let afas = Afas::start().await;
    for query in ["skip=2&take=-1", "skip=-1", "take=-5", "skip=abc"] {
        let response = afas.get(&format!("/connectors/Profit_Debtor?{query}")).await;
        let message = expect_profit_error(response).await;
        assert_eq!(message, "An unexpected error has occurred.", "{query}");
    }
    let response = afas.get("/connectors/Profit_Debtor?skip=2&take=-1").await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorNumber"], -2147180999);
}

#[tokio::test]
async fn orderbyfieldids_sorts_ascending_and_descending_on_several_fields() {
    let afas = Afas::start().await;
    let rows = afas
        .rows(
            "Profit_Article_Basic",
            "orderbyfieldids=BasicSalesPrice,ItemCode&skip=-1&take=-1",
        )
        .await;
    let prices: Vec<f64> = rows
        .iter()
        .map(|row| row["BasicSalesPrice"].as_f64().unwrap())
        .collect();
    assert!(prices.windows(2).all(|pair| pair[0] <= pair[1]), "{prices:?}");
    let descending = afas
        .rows(
            "Profit_Article_Basic",
            "orderbyfieldids=-BasicSalesPrice,-ItemCode&skip=-1&take=-1",
        )
        .await;
    let mut reversed = texts(&descending, "ItemCode");
    reversed.reverse();
    assert_eq!(texts(&rows, "ItemCode"), reversed);
    // Numeric codes sort as numbers would, in an int column.
    numbered_connector(&afas, 12).await;
    let numbers = afas.rows("Test_Numbers", "orderbyfieldids=-Nr").await;
    assert_eq!(numbers[0]["Nr"], 11);
    assert_eq!(numbers[11]["Nr"], 0);
}

#[tokio::test]
async fn filters_cover_every_operator_family() {
    let afas = Afas::start().await;
    numbered_connector(&afas, 30).await;
    let count = |query: &'static str| {
        let afas = &afas;
        async move {
            afas.rows("Test_Numbers", &format!("skip=-1&take=-1&{query}"))
                .await
                .len()
        }
    };
    assert_eq!(count("filterfieldids=Nr&filtervalues=5&operatortypes=1").await, 1);
    assert_eq!(count("filterfieldids=Nr&filtervalues=25&operatortypes=2").await, 5);
    assert_eq!(count("filterfieldids=Nr&filtervalues=4&operatortypes=3").await, 5);
    assert_eq!(count("filterfieldids=Nr&filtervalues=25&operatortypes=4").await, 4);
    assert_eq!(count("filterfieldids=Nr&filtervalues=4&operatortypes=5").await, 4);
    assert_eq!(
        count("filterfieldids=Name&filtervalues=ROW 1&operatortypes=6").await,
        11
    );
    assert_eq!(count("filterfieldids=Nr&filtervalues=5&operatortypes=7").await, 29);
    assert_eq!(
        count("filterfieldids=Name&filtervalues=row 2&operatortypes=10").await,
        11
    );
    assert_eq!(count("filterfieldids=Name&filtervalues=1&operatortypes=11").await, 18);
    assert_eq!(
        count("filterfieldids=Name&filtervalues=row 2&operatortypes=12").await,
        19
    );
    assert_eq!(count("filterfieldids=Name&filtervalues=9&operatortypes=13").await, 3);
    assert_eq!(count("filterfieldids=Name&filtervalues=9&operatortypes=14").await, 27);
    assert_eq!(
        count("filterfieldids=Name&filtervalues=r*w 1*&operatortypes=15").await,
        11
    );
    // `,` is AND, `;` is OR.
    assert_eq!(
        count("filterfieldids=Nr,Nr&filtervalues=10,12&operatortypes=2,3").await,
        3
    );
    assert_eq!(
        count("filterfieldids=Nr;Nr&filtervalues=1;2&operatortypes=1;1").await,
        2
    );
    assert_eq!(
        count("filterfieldids=Nr,Nr;Name&filtervalues=10,12;row 29&operatortypes=2,3;1").await,
        4
    );

    // Empty (8) / not empty (9): some seeded debtors have no e-mail; a value must still be sent.
    let debtors = afas.rows("Profit_Debtor", "skip=-1&take=-1").await.len();
    let without = afas
        .rows(
            "Profit_Debtor",
            "skip=-1&take=-1&filterfieldids=Email&filtervalues=&operatortypes=8",
        )
        .await;
    let with = afas
        .rows(
            "Profit_Debtor",
            "skip=-1&take=-1&filterfieldids=Email&filtervalues=&operatortypes=9",
        )
        .await;
    assert!(!without.is_empty() && !with.is_empty());
    assert_eq!(without.len() + with.len(), debtors);
    assert!(without.iter().all(|row| row["Email"].is_null()));
}

#[tokio::test]
async fn malformed_filters_are_500s() {
    let afas = Afas::start().await;
    for query in [
        "filterfieldids=DebtorId,Email&filtervalues=1&operatortypes=1",
        "filterfieldids=DebtorId&filtervalues=1&operatortypes=99",
        "filterfieldids=CreditLimit&filtervalues=abc&operatortypes=2",
        "filterjson=notjson",
    ] {
        expect_profit_error(afas.get(&format!("/connectors/Profit_Debtor?{query}")).await).await;
    }
}

#[tokio::test]
async fn filterjson_ands_fields_and_ors_filters() {
    let afas = Afas::start().await;
    numbered_connector(&afas, 30).await;
    let filter = json!({"Filters": {"Filter": [
        {"@FilterId": "Filter 1", "Field": [
            {"@FieldId": "Nr", "@OperatorType": "2", "#text": "10"},
            {"@FieldId": "Nr", "@OperatorType": "3", "#text": "12"}
        ]},
        {"@FilterId": "Filter 2", "Field": {"@FieldId": "Name", "@OperatorType": 1, "#text": "row 29"}}
    ]}});
    let response = afas
        .http
        .get(afas.url("/ProfitRestServices/connectors/Test_Numbers"))
        .header("Authorization", afas.token())
        .query(&[("filterjson", filter.to_string()), ("orderbyfieldids", "Nr".into())])
        .send()
        .await
        .unwrap();
    let page: Value = response.json().await.unwrap();
    let numbers: Vec<i64> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Nr"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [10, 11, 12, 29]);
}

#[tokio::test]
async fn a_query_string_over_2049_characters_is_a_404() {
    let afas = Afas::start().await;
    let prefix = "filterfieldids=DebtorName&operatortypes=6&filtervalues=";
    let fits = format!("{prefix}{}", "x".repeat(2049 - prefix.len()));
    assert_eq!(
        afas.get(&format!("/connectors/Profit_Debtor?{fits}")).await.status(),
        StatusCode::OK
    );
    let too_long = format!("{fits}x");
    let response = afas.get(&format!("/connectors/Profit_Debtor?{too_long}")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_fields_and_connectors_are_500s_with_the_profit_body() {
    let afas = Afas::start().await;
    let response = afas
        .get("/connectors/Profit_Debtor?filterfieldids=Nope&filtervalues=1&operatortypes=1")
        .await;
    assert_eq!(expect_profit_error(response).await, "Connector field 'Nope' not found");
    let response = afas.get("/connectors/Profit_Debtor?orderbyfieldids=-Nope").await;
    assert_eq!(expect_profit_error(response).await, "Connector field 'Nope' not found");
    let response = afas.get("/connectors/Profit_Nothing").await;
    assert!(expect_profit_error(response).await.contains("not supported"));
    assert_eq!(afas.get("/nowhere").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn modified_date_filters_give_the_delta() {
    let afas = Afas::start().await;
    let before = afas
        .rows(
            "Profit_Debtor",
            "skip=-1&take=-1&filterfieldids=ModifiedDate&filtervalues=2026-06-01&operatortypes=2",
        )
        .await;
    let body = json!({"name": "Nieuwe Klant B.V.", "email": "nieuw@klant.example", "country": "NL"});
    afas.control(Method::POST, "/_sandbox/debtors", Some(body)).await;
    let after = afas
        .rows(
            "Profit_Debtor",
            "filterfieldids=ModifiedDate&filtervalues=2026-06-01T00:00:00&operatortypes=2",
        )
        .await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap()["Email"], "nieuw@klant.example");
}

#[tokio::test]
async fn metainfo_describes_connectors_and_profit_version_answers() {
    let afas = Afas::start().await;
    let list: Value = afas.get("/metainfo").await.json().await.unwrap();
    let get_ids: Vec<&str> = list["getConnectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(get_ids.contains(&"Profit_Salesorders"));
    assert!(
        list["updateConnectors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "FbSales")
    );

    let meta: Value = afas.get("/metainfo/get/Profit_Debtor").await.json().await.unwrap();
    assert_eq!(meta["name"], "Profit_Debtor");
    let field = meta["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fieldId"] == "Email")
        .unwrap()
        .clone();
    for key in [
        "id",
        "fieldId",
        "dataType",
        "label",
        "length",
        "controlType",
        "decimals",
        "decimalsFieldId",
    ] {
        assert!(field.get(key).is_some(), "{key}");
    }
    let update: Value = afas.get("/metainfo/update/FbSales").await.json().await.unwrap();
    let debtor = update["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fieldId"] == "DbId")
        .unwrap()
        .clone();
    assert_eq!(debtor["mandatory"], true);
    expect_profit_error(afas.get("/metainfo/get/Profit_Nothing").await).await;

    let version: Value = afas.get("/ProfitVersion").await.json().await.unwrap();
    assert!(version["version"].is_string());
}

#[tokio::test]
async fn custom_connectors_can_be_views_on_standard_ones() {
    let afas = Afas::start().await;
    let body = json!({"id": "Koppel_Articles", "description": "Articles for Koppel", "source": "Profit_Article",
        "fields": [{"id": "Code", "sourceFieldId": "ItemCode"}, {"id": "Description"}, {"id": "SalesPrice"}]});
    assert_eq!(
        afas.control(Method::POST, "/_sandbox/get-connectors", Some(body))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let rows = afas
        .rows(
            "Koppel_Articles",
            "filterfieldids=Code&filtervalues=1000&operatortypes=1",
        )
        .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["Code", "Description", "SalesPrice"]
    );
    let meta: Value = afas.get("/metainfo/get/Koppel_Articles").await.json().await.unwrap();
    assert_eq!(meta["fields"][2]["dataType"], "decimal");
    let bad = json!({"id": "Bad", "source": "Profit_Article", "fields": [{"id": "Nope"}]});
    assert_eq!(
        afas.control(Method::POST, "/_sandbox/get-connectors", Some(bad))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn indexed_lookups_stay_fast_with_thousands_of_orders() {
    let afas = Afas::start().await;
    // Write orders straight through the API, then look each reference up as the sync engine does.
    let count = 400;
    let orders: Vec<Value> = (0..count)
        .map(|i| json!({"Fields": {"DbId": "10000", "RfCs": format!("bench-{i}")}}))
        .collect();
    let response = afas.post("FbSales", json!({"FbSales": {"Element": orders}})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let started = std::time::Instant::now();
    for i in (0..count).step_by(20) {
        let rows = afas
            .rows(
                "Profit_Salesorders",
                &format!("filterfieldids=CustomerReference&filtervalues=bench-{i}&operatortypes=1"),
            )
            .await;
        assert_eq!(rows.len(), 1);
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

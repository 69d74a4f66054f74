//! AFAS simulator, `Profit_SalesPrice` ("Price list per debtor") and `FbSalesPrice`: the rows answer the
//! question the filter inputs ask (reference date, price list as `Level`, volume breaks, debtor), computed from
//! the seeded and posted prices; the price rules refuse unknown price lists, volume prices without a quantity
//! and periods that end before they start.

mod afas_support;

use afas_support::{Afas, expect_profit_error};
use chrono::{Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

const CONNECTOR: &str = "Profit_SalesPrice";

/// The rows of one filter (`fields`, `values`, `operators` as the parallel lists), all of them.
async fn prices(afas: &Afas, fields: &str, values: &str, operators: &str) -> Vec<Value> {
    let query = format!(
        "skip=-1&take=-1&orderbyfieldids=Item,Quantity&filterfieldids={fields}&filtervalues={values}&operatortypes={operators}"
    );
    afas.rows(CONNECTOR, &query).await
}

/// The simulator's today (Amsterdam), as the Date column of an unfiltered request shows it.
async fn today(afas: &Afas) -> NaiveDate {
    let rows = afas.rows(CONNECTOR, "take=1").await;
    let date = rows[0]["Date"].as_str().expect("a reference date");
    let day = NaiveDate::parse_from_str(&date[..10], "%Y-%m-%d").unwrap();
    let utc = Utc::now().date_naive();
    assert!(
        day == utc || day == utc + Duration::days(1),
        "{date} is today in Amsterdam"
    );
    assert_eq!(&date[10..], "T00:00:00Z");
    day
}

fn column(rows: &[Value], field: &str) -> Vec<Value> {
    rows.iter().map(|row| row[field].clone()).collect()
}

/// A price of article 1010 (`extra` fields added), as `FbSalesPrice` takes it.
fn price_body(extra: Value) -> Value {
    let mut fields =
        json!({"VaIt": "2", "ItCd": "1010", "BiUn": "stk", "CuId": "EUR", "Pric": 70.0, "DaBg": "2026-01-01"});
    fields
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({"FbSalesPrice": {"Element": {"Fields": fields}}})
}

#[tokio::test]
async fn the_connector_has_the_openapi_fields_in_order() {
    let afas = Afas::start().await;
    let meta: Value = afas
        .get(&format!("/metainfo/get/{CONNECTOR}"))
        .await
        .json()
        .await
        .unwrap();
    let fields: Vec<(&str, &str)> = meta["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["dataType"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("Debtor", "string"),
            ("Date", "date"),
            ("Currency", "string"),
            ("Volume", "boolean"),
            ("Level", "string"),
            ("Item", "string"),
            ("Description", "string"),
            ("Quantity", "decimal"),
            ("Unit", "string"),
            ("GrossPrice", "decimal"),
            ("Discount", "decimal"),
            ("Nettoprijs", "decimal"),
        ]
    );
    // A row has exactly these fields (JSON objects here keep no order).
    let row = &afas.rows(CONNECTOR, "take=1").await[0];
    let mut keys: Vec<&str> = row.as_object().unwrap().keys().map(String::as_str).collect();
    let mut ids: Vec<&str> = fields.iter().map(|(id, _)| *id).collect();
    keys.sort();
    ids.sort();
    assert_eq!(keys, ids);
    // The fields of the old, invented definition are gone.
    let response = afas
        .get(&format!("/connectors/{CONNECTOR}?orderbyfieldids=PriceList"))
        .await;
    assert_eq!(
        expect_profit_error(response).await,
        "Connector field 'PriceList' not found"
    );
}

#[tokio::test]
async fn seeded_horeca_prices_answer_a_level_filter_and_debtors_have_their_own() {
    let afas = Afas::start().await;
    let today = today(&afas).await;
    let horeca = prices(&afas, "Level", "HOR", "1").await;
    // Articles 1000–1015 but the gift vouchers 1007 and 1015, base rows only.
    assert_eq!(horeca.len(), 14);
    for row in &horeca {
        assert_eq!(row["Level"], "HOR");
        assert_eq!(row["Debtor"], Value::Null);
        assert_eq!(row["Currency"], "EUR");
        assert_eq!(row["Unit"], "stk");
        assert_eq!(row["Quantity"], 1.0);
        assert_eq!(row["Volume"], false);
        assert_eq!(row["Date"], format!("{today}T00:00:00Z"));
    }
    let first = &horeca[0];
    assert_eq!(first["Item"], "1000");
    assert_eq!(first["Description"], "T-shirt basic S");
    // 90% of 19.95, to the cent (half away from zero).
    assert_eq!(
        (&first["GrossPrice"], &first["Discount"], &first["Nettoprijs"]),
        (&json!(17.96), &json!(0.0), &json!(17.96))
    );
    assert!(!column(&horeca, "Item").contains(&json!("1007")));

    let wholesale = prices(&afas, "Level,Item", "GRO,1000", "1,1").await;
    assert_eq!(column(&wholesale, "Nettoprijs"), [json!(15.96)]);

    let own = prices(&afas, "Debtor", "10001", "1").await;
    assert_eq!(own.len(), 1);
    assert_eq!((&own[0]["Item"], &own[0]["Level"]), (&json!("1000"), &Value::Null));
    assert_eq!(own[0]["Nettoprijs"], 15.0);
}

#[tokio::test]
async fn volume_true_shows_the_breaks_and_without_it_only_the_base_rows() {
    let afas = Afas::start().await;
    let base = prices(&afas, "Level,Item", "GRO,1000", "1,1").await;
    assert_eq!(column(&base, "Quantity"), [json!(1.0)]);
    let explicit_false = prices(&afas, "Level,Item,Volume", "GRO,1000,false", "1,1,1").await;
    assert_eq!(explicit_false, base);

    let scale = prices(&afas, "Level,Item,Volume", "GRO,1000,true", "1,1,1").await;
    assert_eq!(column(&scale, "Quantity"), [json!(1.0), json!(6.0), json!(24.0)]);
    // 80%, 75% and 70% of 19.95.
    assert_eq!(column(&scale, "Nettoprijs"), [json!(15.96), json!(14.96), json!(13.97)]);
    assert!(scale.iter().all(|row| row["Volume"] == true));
    // An article without breaks has its base row only, also with Volume = true.
    let plain = prices(&afas, "Level,Item,Volume", "GRO,1002,true", "1,1,1").await;
    assert_eq!(column(&plain, "Quantity"), [json!(1.0)]);
}

#[tokio::test]
async fn a_promotion_valid_today_shows_gross_discount_and_net() {
    let afas = Afas::start().await;
    let rows = prices(&afas, "Level,Item", "HOR,1003", "1,1").await;
    assert_eq!(rows.len(), 1, "the promotion replaces the regular row: {rows:?}");
    let row = &rows[0];
    // The regular Horeca price (90% of 99.95) is the gross price, the promotion (75%) the net price.
    assert_eq!(row["GrossPrice"], 89.96);
    assert_eq!(row["Nettoprijs"], 74.96);
    assert_eq!(row["Discount"], 15.0);
    // The basic price list is untouched by it: the wholesale row of 1003 has no discount.
    let wholesale = prices(&afas, "Level,Item", "GRO,1003", "1,1").await;
    assert_eq!(wholesale[0]["Discount"], 0.0);
}

#[tokio::test]
async fn expired_and_future_prices_show_only_for_a_date_inside_their_period() {
    let afas = Afas::start().await;
    let today = today(&afas).await;
    let day = |offset: i64| (today + Duration::days(offset)).to_string();

    // Trui wol S on Horeca: a promotion that ended 30 days ago.
    let now = prices(&afas, "Level,Item", "HOR,1002", "1,1").await;
    assert_eq!(
        (&now[0]["Nettoprijs"], &now[0]["Discount"]),
        (&json!(80.1), &json!(0.0))
    );
    let then = prices(&afas, "Level,Item,Date", &format!("HOR,1002,{}", day(-45)), "1,1,1").await;
    assert_eq!(
        (&then[0]["GrossPrice"], &then[0]["Nettoprijs"], &then[0]["Discount"]),
        (&json!(80.1), &json!(62.3), &json!(17.8))
    );
    assert_eq!(then[0]["Date"], format!("{}T00:00:00Z", day(-45)));

    // Wandelschoen S on Groothandel: a new price from 30 days on.
    let now = prices(&afas, "Level,Item", "GRO,1004", "1,1").await;
    assert_eq!(column(&now, "Nettoprijs"), [json!(111.2)]);
    let later = prices(&afas, "Level,Item,Date", &format!("GRO,1004,{}", day(45)), "1,1,1").await;
    assert_eq!(column(&later, "Nettoprijs"), [json!(118.15)]);

    // Each OR group asks its own question: today's and the later price side by side.
    let both = prices(
        &afas,
        "Level,Item,Date;Level,Item",
        &format!("GRO,1004,{};GRO,1004", day(45)),
        "1,1,1;1,1",
    )
    .await;
    let mut net = column(&both, "Nettoprijs");
    net.sort_by(|a, b| a.as_f64().partial_cmp(&b.as_f64()).unwrap());
    assert_eq!(net, [json!(111.2), json!(118.15)]);

    // Before the seeded price lists started, nothing was valid.
    assert!(prices(&afas, "Date", "2025-06-01", "1").await.is_empty());
}

#[tokio::test]
async fn a_price_on_an_unknown_list_an_empty_volume_or_a_backward_period_is_refused() {
    let afas = Afas::start().await;
    let before = prices(&afas, "Item,Volume", "1010,true", "1,1").await;

    let message = expect_profit_error(afas.post("FbSalesPrice", price_body(json!({"PrLi": "XXX"}))).await).await;
    assert_eq!(
        message,
        "The entered value for 'Price list' does not exist. Value: 'XXX'."
    );
    let message = expect_profit_error(
        afas.post("FbSalesPrice", price_body(json!({"PrLi": "HOR", "CrPr": true})))
            .await,
    )
    .await;
    assert!(message.contains("(Am)"), "{message}");
    let zero = price_body(json!({"PrLi": "HOR", "CrPr": true, "Am": 0}));
    expect_profit_error(afas.post("FbSalesPrice", zero).await).await;
    let backward = price_body(json!({"PrLi": "HOR", "DaEn": "2025-12-31"}));
    let message = expect_profit_error(afas.post("FbSalesPrice", backward).await).await;
    assert!(message.contains("before the start date"), "{message}");
    assert_eq!(prices(&afas, "Item,Volume", "1010,true", "1,1").await, before);

    // A debtor's preferred price list must exist too.
    let relation = |list: &str| json!({"KnSalesRelationOrg": {"Element": {"@DbId": "10003", "Fields": {"DbId": "10003", "PrLs": list}}}});
    let message = expect_profit_error(afas.put("KnSalesRelationOrg", relation("XXX")).await).await;
    assert!(message.contains("'Preferred price list'"), "{message}");
    assert_eq!(
        afas.put("KnSalesRelationOrg", relation("GRO")).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_posted_volume_price_appears_as_a_break_row() {
    let afas = Afas::start().await;
    // The price list code matches regardless of case and is shown as registered.
    let body = price_body(json!({"PrLi": "hor", "CrPr": true, "Am": 12, "Pric": 59.5}));
    let response = afas.post("FbSalesPrice", body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let scale = prices(&afas, "Level,Item,Volume", "HOR,1010,true", "1,1,1").await;
    assert_eq!(column(&scale, "Quantity"), [json!(1.0), json!(12.0)]);
    assert_eq!(scale[1]["Nettoprijs"], 59.5);
    assert_eq!(scale[1]["Level"], "HOR");
    let base = prices(&afas, "Level,Item", "HOR,1010", "1,1").await;
    assert_eq!(column(&base, "Quantity"), [json!(1.0)]);

    // A later regular price for the same break replaces it; the last written wins on the same start.
    let again = price_body(json!({"PrLi": "HOR", "CrPr": true, "Am": 12, "Pric": 58.0}));
    assert_eq!(afas.post("FbSalesPrice", again).await.status(), StatusCode::CREATED);
    let scale = prices(&afas, "Level,Item,Volume", "HOR,1010,true", "1,1,1").await;
    assert_eq!(column(&scale, "Nettoprijs")[1], json!(58.0));
}

#[tokio::test]
async fn rows_page_and_sort_by_item_and_quantity() {
    let afas = Afas::start().await;
    let all = prices(&afas, "Volume", "true", "1").await;
    assert!(all.len() > 40, "{}", all.len());
    let keys: Vec<(String, f64)> = all
        .iter()
        .map(|row| {
            (
                row["Item"].as_str().unwrap().to_owned(),
                row["Quantity"].as_f64().unwrap(),
            )
        })
        .collect();
    assert!(keys.windows(2).all(|pair| pair[0] <= pair[1]), "{keys:?}");

    let mut paged = Vec::new();
    for skip in (0..all.len()).step_by(7) {
        let query = format!(
            "skip={skip}&take=7&orderbyfieldids=Item,Quantity&filterfieldids=Volume&filtervalues=true&operatortypes=1"
        );
        paged.extend(afas.rows(CONNECTOR, &query).await);
    }
    assert_eq!(paged.len(), all.len());
    assert_eq!(column(&paged, "Item"), column(&all, "Item"));
    assert_eq!(column(&paged, "Quantity"), column(&all, "Quantity"));

    let descending = afas
        .rows(
            CONNECTOR,
            "skip=0&take=3&orderbyfieldids=-Item,-Quantity&filterfieldids=Volume&filtervalues=true&operatortypes=1",
        )
        .await;
    let last = &all[all.len() - 1];
    assert_eq!(
        (&descending[0]["Item"], &descending[0]["Quantity"]),
        (&last["Item"], &last["Quantity"])
    );
    let response = afas
        .get(&format!(
            "/connectors/{CONNECTOR}?filterfieldids=StartDate&filtervalues=x&operatortypes=1"
        ))
        .await;
    assert_eq!(
        expect_profit_error(response).await,
        "Connector field 'StartDate' not found"
    );
}

#[tokio::test]
async fn a_custom_view_passes_its_renamed_inputs_through() {
    let afas = Afas::start().await;
    let today = today(&afas).await;
    let view = json!({"id": "Koppel_Prices", "source": CONNECTOR, "fields": [
        {"id": "Code", "sourceFieldId": "Item"}, {"id": "PriceList", "sourceFieldId": "Level"},
        {"id": "Reference", "sourceFieldId": "Date"}, {"id": "Scale", "sourceFieldId": "Volume"},
        {"id": "From", "sourceFieldId": "Quantity"}, {"id": "Price", "sourceFieldId": "Nettoprijs"}]});
    let response = afas
        .control(reqwest::Method::POST, "/_sandbox/get-connectors", Some(view))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let later = (today + Duration::days(45)).to_string();
    let query = format!(
        "orderbyfieldids=From&filterfieldids=Code,PriceList,Reference,Scale&filtervalues=1004,GRO,{later},true&operatortypes=1,1,1,1"
    );
    let rows = afas.rows("Koppel_Prices", &query).await;
    assert_eq!(column(&rows, "Price"), [json!(118.15)]);
    assert_eq!(rows[0]["Reference"], format!("{later}T00:00:00Z"));
    let query =
        "orderbyfieldids=From&filterfieldids=Code,PriceList,Scale&filtervalues=1000,HOR,true&operatortypes=1,1,1";
    let rows = afas.rows("Koppel_Prices", query).await;
    assert_eq!(column(&rows, "From"), [json!(1.0), json!(6.0), json!(24.0)]);
}

//! AFAS simulator, sales discount groups: the `Koppel_DiscountGroups` GetConnector (one row per line of every
//! group), a debtor's group (`DsGr`) in `Profit_Debtor.DiscountGroup`, `KnSalesRelationOrg` refusing an unknown
//! group, and the `/_sandbox/discount-groups` control.

mod afas_support;

use afas_support::{Afas, expect_profit_error};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// (DiscountGroup, Description, ArtGroup, DiscountPercentage) of each row.
fn lines(rows: &[Value]) -> Vec<(Value, Value, Value, Value)> {
    rows.iter()
        .map(|row| {
            (
                row["DiscountGroup"].clone(),
                row["Description"].clone(),
                row["ArtGroup"].clone(),
                row["DiscountPercentage"].clone(),
            )
        })
        .collect()
}

async fn group_rows(afas: &Afas, code: &str) -> Vec<Value> {
    afas.rows(
        "Koppel_DiscountGroups",
        &format!("filterfieldids=DiscountGroup&filtervalues={code}&operatortypes=1&orderbyfieldids=ArtGroup"),
    )
    .await
}

async fn set_group(afas: &Afas, body: Value) -> (StatusCode, Value) {
    let response = afas
        .control(Method::POST, "/_sandbox/discount-groups", Some(body))
        .await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn debtor(afas: &Afas, id: &str) -> Value {
    afas.rows(
        "Profit_Debtor",
        &format!("filterfieldids=DebtorId&filtervalues={id}&operatortypes=1"),
    )
    .await
    .remove(0)
}

#[tokio::test]
async fn the_connector_lists_every_line_of_the_seeded_groups() {
    let afas = Afas::start().await;
    let rows = afas
        .rows("Koppel_DiscountGroups", "orderbyfieldids=DiscountGroup,ArtGroup")
        .await;
    assert_eq!(
        lines(&rows),
        [
            (json!("GROOT"), json!("Groothandel"), json!("100"), json!(15.0)),
            (json!("GROOT"), json!("Groothandel"), json!("300"), json!(7.0)),
            (json!("HOR"), json!("Horeca"), json!("100"), json!(10.0)),
            (json!("HOR"), json!("Horeca"), json!("200"), json!(5.0)),
        ]
    );
    for row in &rows {
        assert_eq!(row["StartDate"], "2026-01-01T00:00:00Z");
        assert_eq!(row["EndDate"], Value::Null);
        let fields: Vec<&String> = row.as_object().unwrap().keys().collect();
        assert_eq!(fields.len(), 6, "{row}");
    }

    // Filters, paging and metainfo as on any connector.
    let high = afas
        .rows(
            "Koppel_DiscountGroups",
            "filterfieldids=DiscountPercentage&filtervalues=10&operatortypes=2&orderbyfieldids=-DiscountPercentage",
        )
        .await;
    assert_eq!(
        high.iter().map(|r| r["DiscountPercentage"].clone()).collect::<Vec<_>>(),
        [json!(15.0), json!(10.0)]
    );
    let page = afas
        .rows(
            "Koppel_DiscountGroups",
            "skip=1&take=2&orderbyfieldids=DiscountGroup,ArtGroup",
        )
        .await;
    assert_eq!(lines(&page), lines(&rows[1..3]));
    let response = afas.get("/metainfo/get/Koppel_DiscountGroups").await;
    assert_eq!(response.status(), StatusCode::OK);
    let meta: Value = response.json().await.unwrap();
    let fields: Vec<(&str, &str)> = meta["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["dataType"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("DiscountGroup", "string"),
            ("Description", "string"),
            ("ArtGroup", "string"),
            ("DiscountPercentage", "decimal"),
            ("StartDate", "date"),
            ("EndDate", "date"),
        ]
    );
}

#[tokio::test]
async fn two_seeded_debtors_have_a_discount_group_and_their_other_terms() {
    let afas = Afas::start().await;
    let bakery = debtor(&afas, "10001").await;
    assert_eq!(bakery["DebtorName"], "Bakkerij De Gouden Korrel");
    assert_eq!(
        (&bakery["DiscountGroup"], &bakery["PriceList"], &bakery["LineDiscount"]),
        (&json!("HOR"), &json!("HOR"), &json!(5.0))
    );
    let fashion = debtor(&afas, "10005").await;
    assert_eq!(fashion["DebtorName"], "Modehuis Van Dijk");
    assert_eq!(
        (
            &fashion["DiscountGroup"],
            &fashion["PriceList"],
            &fashion["LineDiscount"]
        ),
        (&json!("GROOT"), &json!("GRO"), &json!(3.0))
    );
    let all = afas.rows("Profit_Debtor", "skip=-1&take=-1").await;
    let with_group: Vec<&str> = all
        .iter()
        .filter(|d| !d["DiscountGroup"].is_null())
        .map(|d| d["DebtorId"].as_str().unwrap())
        .collect();
    assert_eq!(with_group, ["10001", "10005"]);
}

#[tokio::test]
async fn a_sales_relation_takes_only_an_existing_discount_group() {
    let afas = Afas::start().await;
    let relation = |group: &str| {
        let body = json!({"KnSalesRelationOrg": {"Element": {"@DbId": "10003",
            "Fields": {"DbId": "10003", "DsGr": group}}}});
        koppel_afas::schema::validate("KnSalesRelationOrg", "PUT", &body).expect("schema-valid test body");
        body
    };
    let message = expect_profit_error(afas.put("KnSalesRelationOrg", relation("XXX")).await).await;
    assert_eq!(
        message,
        "The entered value for 'Discount group' does not exist. Value: 'XXX'."
    );
    assert_eq!(
        debtor(&afas, "10003").await["DiscountGroup"],
        Value::Null,
        "nothing changed"
    );

    // A known group, regardless of case, is kept and shown.
    let response = afas.put("KnSalesRelationOrg", relation("groot")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(debtor(&afas, "10003").await["DiscountGroup"], "groot");
    // `""` clears it.
    let response = afas.put("KnSalesRelationOrg", relation("")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(debtor(&afas, "10003").await["DiscountGroup"], Value::Null);

    // The schema's DsGr holds 5 characters: a longer code is refused before Profit's own rules.
    let long = json!({"KnSalesRelationOrg": {"Element": {"@DbId": "10003",
        "Fields": {"DbId": "10003", "DsGr": "HORECA"}}}});
    assert!(koppel_afas::schema::validate("KnSalesRelationOrg", "PUT", &long).is_err());
    expect_profit_error(afas.put("KnSalesRelationOrg", long).await).await;
}

#[tokio::test]
async fn the_control_replaces_a_groups_lines_or_creates_one() {
    let afas = Afas::start().await;
    let (status, body) = set_group(
        &afas,
        json!({"code": "HOR", "description": "Horeca", "lines": [{"articleGroup": "100", "percentage": "12.5"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"code": "HOR", "lines": 1}));
    let rows = group_rows(&afas, "HOR").await;
    assert_eq!(
        lines(&rows),
        [(json!("HOR"), json!("Horeca"), json!("100"), json!(12.5))]
    );
    assert_eq!(rows[0]["StartDate"], "2026-01-01T00:00:00Z", "the start date stays");
    assert_eq!(group_rows(&afas, "GROOT").await.len(), 2, "other groups stay");

    // A new group, with a number percentage and dates; then a debtor may name it.
    let (status, body) = set_group(
        &afas,
        json!({"code": "PERS", "description": "Personeel", "startDate": "2026-02-01", "endDate": "2026-06-30",
            "lines": [{"articleGroup": "200", "percentage": 20}, {"articleGroup": "900", "percentage": 0}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = group_rows(&afas, "PERS").await;
    assert_eq!(
        lines(&rows),
        [
            (json!("PERS"), json!("Personeel"), json!("200"), json!(20.0)),
            (json!("PERS"), json!("Personeel"), json!("900"), json!(0.0)),
        ]
    );
    assert_eq!(
        (&rows[0]["StartDate"], &rows[0]["EndDate"]),
        (&json!("2026-02-01T00:00:00Z"), &json!("2026-06-30T00:00:00Z"))
    );
    let body =
        json!({"KnSalesRelationOrg": {"Element": {"@DbId": "10003", "Fields": {"DbId": "10003", "DsGr": "PERS"}}}});
    assert_eq!(afas.put("KnSalesRelationOrg", body).await.status(), StatusCode::CREATED);

    // No lines: the group stays, without rows.
    let (status, _) = set_group(&afas, json!({"code": "PERS", "endDate": null, "lines": []})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(group_rows(&afas, "PERS").await.is_empty());
}

#[tokio::test]
async fn the_control_refuses_bad_groups_and_changes_nothing() {
    let afas = Afas::start().await;
    let line = |group: &str, percentage: Value| json!({"articleGroup": group, "percentage": percentage});
    let refusals = [
        (json!({"code": "", "lines": []}), "code must have 1 to 5 characters"),
        (
            json!({"code": "HORECA", "lines": []}),
            "code must have 1 to 5 characters",
        ),
        (
            json!({"code": "HOR", "lines": [line("100", json!("101"))]}),
            "percentage 101 of article group 100 is not between 0 and 100",
        ),
        (
            json!({"code": "HOR", "lines": [line("100", json!(-0.5))]}),
            "not between 0 and 100",
        ),
        (
            json!({"code": "HOR", "lines": [line("100", json!("tien"))]}),
            "is not a number",
        ),
        (
            json!({"code": "HOR", "lines": [line("100", json!(true))]}),
            "is not a number",
        ),
        (
            json!({"code": "HOR", "lines": [line("100", json!(5)), line("100", json!(6))]}),
            "article group 100 is given twice",
        ),
        (
            json!({"code": "HOR", "lines": [line("555", json!(5))]}),
            "unknown article group '555'",
        ),
        (
            json!({"code": "HOR", "startDate": "2026-05-01", "endDate": "2026-04-30", "lines": []}),
            "before its startDate",
        ),
    ];
    for (body, expected) in refusals {
        let (status, answer) = set_group(&afas, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let error = answer["error"].as_str().expect("an error message");
        assert!(error.contains(expected), "{body}: {error}");
    }
    assert_eq!(group_rows(&afas, "HOR").await.len(), 2, "nothing changed");
}

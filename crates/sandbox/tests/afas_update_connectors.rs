//! AFAS simulator, writes: every UpdateConnector's insert visible through its GetConnector, schema and
//! business-rule rejections in Profit's error shape, atomicity, PUT / DELETE semantics.

mod afas_support;

use afas_support::{Afas, expect_created, expect_profit_error};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn order(debtor: &str, reference: &str, lines: Vec<Value>) -> Value {
    json!({"FbSales": {"Element": {
        "Fields": {"DbId": debtor, "OrDa": "2026-11-29", "RfCs": reference, "War": "01", "Unit": 1, "InVa": false},
        "Objects": [{"FbSalesLines": {"Element": lines}}]
    }}})
}

fn article_line(item: &str, quantity: f64, price: f64) -> Value {
    json!({"Fields": {"VaIt": "2", "ItCd": item, "BiUn": "stk", "QuUn": quantity, "Upri": price}})
}

fn organisation(name: &str, email: &str, match_rule: &str, code: &str, address: Value) -> Value {
    json!({"KnSalesRelationOrg": {"Element": {
        "Fields": {"CuId": "EUR", "CdDa": 0, "PaCd": "14", "IsDb": true},
        "Objects": [{"KnOrganisation": {"Element": {
            "Fields": {"PadAdr": true, "AutoNum": code.is_empty(), "MatchOga": match_rule, "BcId": 1, "BcCo": code,
                       "Nm": name, "EmAd": email},
            "Objects": [{"KnBasicAddressAdr": {"Element": {"Fields": address}}}]
        }}}]
    }}})
}

fn dutch_address() -> Value {
    json!({"CoId": "NL", "PbAd": false, "Ad": "Keizersgracht", "HmNr": 12, "HmAd": "B", "ZpCd": "1015 CX",
           "Rs": "Amsterdam", "BeginDate": "2026-11-29", "ResZip": false})
}

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
}

#[tokio::test]
async fn an_organisation_debtor_is_created_with_address_contact_and_email() {
    let afas = Afas::start().await;
    let mut body = organisation("Koffiebar De Boon", "info@deboon.example", "6", "", dutch_address());
    body["KnSalesRelationOrg"]["Element"]["Objects"][0]["KnOrganisation"]["Element"]["Objects"]
        .as_array_mut()
        .unwrap()
        .push(
            json!({"KnContact": {"Element": {"Fields": {"PadAdr": false, "EmAd": "piet@deboon.example"},
            "Objects": [{"KnPerson": {"Element": {"Fields": {"PadAdr": false, "AutoNum": true, "MatchPer": "7",
                "BcId": 1, "BcCo": "", "FiNm": "Piet", "LaNm": "Boon", "AddToPortal": false}}}}]}}}),
        );
    koppel_afas::schema::validate("KnSalesRelationOrg", "POST", &body).expect("schema-valid test body");
    let keys = expect_created(afas.post("KnSalesRelationOrg", body).await, "KnSalesRelationOrg").await;
    let id = keys["DbId"].as_str().unwrap();
    assert!(keys["BcCo"].is_string());
    let debtor = &afas
        .rows(
            "Profit_Debtor",
            &format!("filterfieldids=DebtorId&filtervalues={id}&operatortypes=1"),
        )
        .await[0];
    assert_eq!(debtor["DebtorName"], "Koffiebar De Boon");
    assert_eq!(debtor["Email"], "info@deboon.example");
    assert_eq!(debtor["AdressLine1"], "Keizersgracht 12 B");
    assert_eq!(debtor["CountryId"], "NL");
    assert_eq!(debtor["PayCon"], "14");
    let contacts = afas
        .rows(
            "Profit_Contacts",
            &format!(
                "filterfieldids=OrganisationCode&filtervalues={}&operatortypes=1",
                keys["BcCo"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(contacts.len(), 1);
    assert_eq!(
        (contacts[0]["Name"].as_str(), contacts[0]["Email"].as_str()),
        (Some("Piet Boon"), Some("piet@deboon.example"))
    );
    // MatchPer 0 finds the contact person by BcCo and makes that person a debtor (no second person).
    let person_code = contacts[0]["PersonCode"].as_str().unwrap().to_owned();
    let person_debtor = json!({"KnSalesRelationPer": {"Element": {"Fields": {"CuId": "EUR", "CdDa": 0},
        "Objects": [{"KnPerson": {"Element": {"Fields": {"PadAdr": false, "AutoNum": false, "MatchPer": "0", "BcId": 0,
            "BcCo": person_code, "AddToPortal": false}}}}]}}});
    let keys = expect_created(
        afas.post("KnSalesRelationPer", person_debtor).await,
        "KnSalesRelationPer",
    )
    .await;
    assert_eq!(keys["BcCo"], person_code.as_str());
    let query = format!("filterfieldids=BcCo&filtervalues={person_code}&operatortypes=1");
    assert_eq!(afas.rows("Profit_Debtor", &query).await[0]["DebtorName"], "Piet Boon");
    // Found by e-mail, as a client looks a customer up.
    let by_email = afas
        .rows(
            "Profit_Debtor",
            "filterfieldids=Email&filtervalues=INFO@deboon.example&operatortypes=1",
        )
        .await;
    assert_eq!(by_email.len(), 1);
}

#[tokio::test]
async fn relation_rules_country_match_and_duplicates() {
    let afas = Afas::start().await;
    let mut no_country = dutch_address();
    no_country["CoId"] = json!("XX");
    let message = expect_profit_error(
        afas.post(
            "KnSalesRelationOrg",
            organisation("A", "a@a.example", "6", "", no_country),
        )
        .await,
    )
    .await;
    assert!(message.contains("'Country'"), "{message}");
    let bad_email = organisation("A", "not-an-email", "6", "", dutch_address());
    expect_profit_error(afas.post("KnSalesRelationOrg", bad_email).await).await;

    let first = organisation("Eerste B.V.", "een@x.example", "6", "ORG-1", dutch_address());
    let keys = expect_created(afas.post("KnSalesRelationOrg", first).await, "KnSalesRelationOrg").await;
    assert_eq!(keys["BcCo"], "ORG-1");
    // MatchOga 0 finds ORG-1 by BcCo; it already is a debtor, so no second debtor.
    let again = organisation("Eerste B.V.", "een@x.example", "0", "ORG-1", dutch_address());
    assert!(
        expect_profit_error(afas.post("KnSalesRelationOrg", again).await)
            .await
            .contains("already sales relation")
    );
    // MatchOga 6 with the same BcCo: a new organisation with a number that is taken.
    let duplicate = organisation("Tweede B.V.", "twee@x.example", "6", "ORG-1", dutch_address());
    assert!(
        expect_profit_error(afas.post("KnSalesRelationOrg", duplicate).await)
            .await
            .contains("already exists")
    );

    // An explicit DbId that exists is rejected.
    let mut taken = organisation("Derde", "drie@x.example", "6", "", dutch_address());
    taken["KnSalesRelationOrg"]["Element"]["@DbId"] = json!("10000");
    assert!(
        expect_profit_error(afas.post("KnSalesRelationOrg", taken).await)
            .await
            .contains("already exists")
    );
}

#[tokio::test]
async fn a_person_debtor_is_created_and_updated_by_put() {
    let afas = Afas::start().await;
    let body = json!({"KnSalesRelationPer": {"Element": {
        "Fields": {"CuId": "EUR", "CdDa": 0},
        "Objects": [{"KnPerson": {"Element": {
            "Fields": {"PadAdr": true, "AutoNum": true, "MatchPer": "7", "BcId": 0, "BcCo": "", "AddToPortal": false,
                       "FiNm": "Sanne", "Is": "de", "LaNm": "Vries", "EmAd": "sanne@mail.example"},
            "Objects": [{"KnBasicAddressAdr": {"Element": {"Fields": {"CoId": "BE", "PbAd": false, "Ad": "Meir",
                "HmNr": 5, "ZpCd": "2000", "Rs": "Antwerpen", "BeginDate": "2026-11-29", "ResZip": false}}}}]
        }}}]
    }}});
    let keys = expect_created(afas.post("KnSalesRelationPer", body).await, "KnSalesRelationPer").await;
    let id = keys["DbId"].as_str().unwrap().to_owned();
    let query = format!("filterfieldids=DebtorId&filtervalues={id}&operatortypes=1");
    let debtor = afas.rows("Profit_Debtor", &query).await[0].clone();
    assert_eq!(debtor["DebtorName"], "Sanne de Vries");
    assert_eq!(debtor["AdressLine4"], "België");

    let update = json!({"KnSalesRelationPer": {"Element": {"Fields": {"DbId": id, "PaCd": "30"},
        "Objects": [{"KnPerson": {"Element": {"Fields": {"BcId": 0, "EmAd": ""}}}}]}}});
    let keys = expect_created(afas.put("KnSalesRelationPer", update).await, "KnSalesRelationPer").await;
    assert_eq!(keys["DbId"], id.as_str());
    let debtor = afas.rows("Profit_Debtor", &query).await[0].clone();
    assert_eq!(debtor["PayCon"], "30");
    assert!(debtor["Email"].is_null(), "\"\" cleared the e-mail");
    // A PUT changes only what it sends: the name, currency and address stay as they were.
    assert_eq!(debtor["DebtorName"], "Sanne de Vries");
    assert_eq!(debtor["CurrencyId"], "EUR");
    assert_eq!(debtor["AdressLine4"], "België");

    let address_without_country = json!({"KnSalesRelationPer": {"Element": {"Fields": {"DbId": id},
        "Objects": [{"KnPerson": {"Element": {"Fields": {"BcId": 0},
            "Objects": [{"KnBasicAddressAdr": {"Element": {"Fields": {"Ad": "Elders", "HmNr": 1}}}}]}}}]}}});
    let message = expect_profit_error(afas.put("KnSalesRelationPer", address_without_country).await).await;
    assert_eq!(message, "The address must have a country code.");
    let unknown = json!({"KnSalesRelationPer": {"Element": {"Fields": {"DbId": "55555"}}}});
    assert!(
        expect_profit_error(afas.put("KnSalesRelationPer", unknown).await)
            .await
            .contains("'Debtor' does not exist")
    );
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
    let prices = afas
        .rows(
            "Profit_SalesPrice",
            "filterfieldids=Item&filtervalues=1002&operatortypes=1",
        )
        .await;
    assert_eq!(prices[0]["StartDate"], "2026-12-01T00:00:00Z");
    let for_unknown_debtor = json!({"FbSalesPrice": {"Element": {"Fields": {"VaIt": "2", "ItCd": "1002", "BiUn": "stk",
        "CuId": "EUR", "DaBg": "2026-12-01", "Pric": 70.0, "DbId": "424242"}}}});
    expect_profit_error(afas.post("FbSalesPrice", for_unknown_debtor).await).await;
}

/// A delivery address: a contact of kind `AFL` with its own address, added to a debtor by a PUT.
fn delivery_address(connector: &str, debtor: &str, code: &str, address: Value) -> Value {
    let (party, matching) = match connector {
        "KnSalesRelationOrg" => ("KnOrganisation", "MatchOga"),
        _ => ("KnPerson", "MatchPer"),
    };
    json!({connector: {"Element": {"@DbId": debtor, "Fields": {"DbId": debtor},
        "Objects": [{party: {"Element": {"Fields": {"AutoNum": false, matching: "0", "BcId": 0, "BcCo": code},
            "Objects": [{"KnContact": {"Element": {"Fields": {"PadAdr": true, "ViKc": "AFL"},
                "Objects": [{"KnBasicAddressAdr": {"Element": {"Fields": address}}}]}}}]}}}]}}})
}

#[tokio::test]
async fn delivery_addresses_are_numbered_listed_and_the_only_dlad_a_document_takes() {
    let afas = Afas::start().await;
    let keys = expect_created(
        afas.post(
            "KnSalesRelationOrg",
            organisation("Bakkerij Elders", "info@elders.example", "6", "", dutch_address()),
        )
        .await,
        "KnSalesRelationOrg",
    )
    .await;
    let (debtor, code) = (keys["DbId"].as_str().unwrap(), keys["BcCo"].as_str().unwrap());
    let elsewhere = json!({"CoId": "BE", "PbAd": false, "Ad": "Meir", "HmNr": 45, "HmAd": "bus 2", "ZpCd": "2000",
        "Rs": "Antwerpen", "BeginDate": "2026-11-29", "ResZip": false});
    let body = delivery_address("KnSalesRelationOrg", debtor, code, elsewhere.clone());
    koppel_afas::schema::validate("KnSalesRelationOrg", "PUT", &body).expect("schema-valid test body");
    expect_created(afas.put("KnSalesRelationOrg", body).await, "KnSalesRelationOrg").await;
    let query = format!("filterfieldids=DebiteurID&filtervalues={debtor}&operatortypes=1");
    let rows = afas.rows("Profit_Deliveryaddress", &query).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(
        (&row["A_Straat"], &row["A_Huisnummer"], &row["A_Toev_Huisnr."]),
        (&json!("Meir"), &json!(45), &json!("bus 2"))
    );
    assert_eq!(
        (&row["A_Postcode"], &row["A_Woonplaats"], &row["A_Land"], &row["OrgId"]),
        (&json!("2000"), &json!("Antwerpen"), &json!("BE"), &json!(code))
    );
    let contact = row["ContactId"].as_i64().expect("a contact number");
    // The debtor's own address and name are untouched by the PUT.
    let own = afas
        .rows(
            "Profit_Debtor",
            &format!("filterfieldids=DebtorId&filtervalues={debtor}&operatortypes=1"),
        )
        .await;
    assert_eq!(
        (&own[0]["AdressLine1"], &own[0]["DebtorName"]),
        (&json!("Keizersgracht 12 B"), &json!("Bakkerij Elders"))
    );

    let mut ordered = order(debtor, "WEB-DLAD-1", vec![article_line("1000", 1.0, 10.0)]);
    ordered["FbSales"]["Element"]["Fields"]["DlAd"] = json!(contact);
    ordered["FbSales"]["Element"]["Fields"]["ExAd"] = json!("Meir 45 bus 2, 2000 Antwerpen, BE");
    expect_created(afas.post("FbSales", ordered).await, "FbSales").await;
    // Another debtor's delivery address, or a number that is no delivery address, is refused.
    let mut foreign = order("10001", "WEB-DLAD-2", vec![article_line("1000", 1.0, 10.0)]);
    foreign["FbSales"]["Element"]["Fields"]["DlAd"] = json!(contact);
    let message = expect_profit_error(afas.post("FbSales", foreign).await).await;
    assert_eq!(
        message,
        format!("Contact '{contact}' is not a delivery address of sales relation '10001'.")
    );
    let mut invoice = order(debtor, "WEB-DLAD-3", vec![article_line("1000", 1.0, 10.0)]);
    invoice["FbDirectInvoice"] = invoice["FbSales"].take();
    invoice.as_object_mut().unwrap().remove("FbSales");
    invoice["FbDirectInvoice"]["Element"]["Objects"][0] =
        json!({"FbDirectInvoiceLines": invoice["FbDirectInvoice"]["Element"]["Objects"][0]["FbSalesLines"].take()});
    invoice["FbDirectInvoice"]["Element"]["Fields"]["DlAd"] = json!(contact + 1000);
    assert!(
        expect_profit_error(afas.post("FbDirectInvoice", invoice).await)
            .await
            .contains("is not a delivery address")
    );
    // A delivery address needs its address.
    let mut bare = delivery_address("KnSalesRelationOrg", debtor, code, elsewhere);
    bare["KnSalesRelationOrg"]["Element"]["Objects"][0]["KnOrganisation"]["Element"]["Objects"][0]["KnContact"]
        ["Element"]
        .as_object_mut()
        .unwrap()
        .remove("Objects");
    let message = expect_profit_error(afas.put("KnSalesRelationOrg", bare).await).await;
    assert_eq!(
        message,
        "A delivery address (contact of kind AFL) must have an address."
    );
    assert_eq!(afas.rows("Profit_Deliveryaddress", &query).await.len(), 1);

    // A person's delivery address is listed with its debtor; Profit_Contacts (contacts of organisations) does
    // not list it, so the person is not taken for an organisation.
    let person = json!({"KnSalesRelationPer": {"Element": {"Fields": {"CuId": "EUR", "CdDa": 0},
        "Objects": [{"KnPerson": {"Element": {"Fields": {"PadAdr": true, "AutoNum": true, "MatchPer": "7",
            "BcId": 0, "BcCo": "", "AddToPortal": false, "LaNm": "Elders", "EmAd": "elders@mail.example"}}}}]}}});
    let keys = expect_created(afas.post("KnSalesRelationPer", person).await, "KnSalesRelationPer").await;
    let (debtor, code) = (keys["DbId"].as_str().unwrap(), keys["BcCo"].as_str().unwrap());
    let elsewhere = json!({"CoId": "NL", "PbAd": false, "Ad": "Dorpsstraat", "HmNr": 1, "ZpCd": "1234 AB",
        "Rs": "Ergens", "BeginDate": "2026-11-29", "ResZip": false});
    let body = delivery_address("KnSalesRelationPer", debtor, code, elsewhere);
    koppel_afas::schema::validate("KnSalesRelationPer", "PUT", &body).expect("schema-valid test body");
    expect_created(afas.put("KnSalesRelationPer", body).await, "KnSalesRelationPer").await;
    let query = format!("filterfieldids=DebiteurID&filtervalues={debtor}&operatortypes=1");
    let rows = afas.rows("Profit_Deliveryaddress", &query).await;
    assert_eq!((rows.len(), &rows[0]["A_Straat"]), (1, &json!("Dorpsstraat")));
    let contacts = format!("filterfieldids=OrganisationCode&filtervalues={code}&operatortypes=1");
    assert!(afas.rows("Profit_Contacts", &contacts).await.is_empty());
}

//! AFAS simulator, writes of debtors: organisations and persons with address, contact and e-mail, Profit's
//! relation rules (country, match rule, duplicates), PUT updates and delivery addresses.

mod afas_support;

use afas_support::{Afas, article_line, expect_created, expect_profit_error, order};
use serde_json::{Value, json};

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

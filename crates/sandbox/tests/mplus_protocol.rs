//! The SOAP transport of the MplusKASSA simulator: credentials, the WSDL, faults for what the real service
//! rejects, and the response element names.

mod mplus_support;

use mplus_support::{Mplus, envelope, x};

#[tokio::test]
async fn bad_or_missing_credentials_give_a_client_authentication_fault() {
    let mplus = Mplus::start().await;
    let body = || envelope("<ns1:getApiVersion/>");
    for url in [
        format!("{}/", mplus.base()),
        format!("{}/?ident=koppel-sandbox", mplus.base()),
        format!("{}/?ident=koppel-sandbox&secret=wrong", mplus.base()),
        format!("{}/?ident=someone&secret=sandbox-secret", mplus.base()),
    ] {
        let answer = mplus.post_raw(&url, body()).await;
        let (code, message) = answer.fault();
        assert!(code.starts_with("SOAP-ENV:Client"), "{code}");
        assert!(code.ends_with("Authentication"), "{code}");
        assert!(!message.is_empty());
    }
    let ok = mplus.call("<ns1:getApiVersion/>").await;
    let version = ok.ok();
    assert_eq!(version.name, "getApiVersionResponse");
    assert_eq!(version.text_of("majorNumber"), Some("67"));
}

#[tokio::test]
async fn the_wsdl_is_served_at_query_wsdl() {
    let mplus = Mplus::start().await;
    let response = mplus.http.get(format!("{}/?wsdl", mplus.base())).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    let text = response.text().await.unwrap();
    assert_eq!(text, koppel_sandbox::mplus::WSDL);
    assert!(text.contains(r#"targetNamespace="urn:mplusqapi""#));
}

#[tokio::test]
async fn unknown_operations_and_malformed_xml_are_client_faults() {
    let mplus = Mplus::start().await;
    let (code, message) = mplus.call("<ns1:getUnicorns/>").await.fault();
    assert!(code.starts_with("SOAP-ENV:Client"), "{code}");
    assert!(message.contains("getUnicorns"), "{message}");

    let url = mplus.endpoint();
    for broken in [
        "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"><SOAP-ENV:Body>".to_owned(),
        "not xml at all".to_owned(),
        "<a><b></a>".to_owned(),
        // Well-formed but not a SOAP envelope.
        "<Envelope><Body><getApiVersion/></Body></Envelope>".to_owned(),
    ] {
        let (code, _) = mplus.post_raw(&url, broken).await.fault();
        assert!(code.starts_with("SOAP-ENV:Client"), "{code}");
    }
}

#[tokio::test]
async fn requests_are_checked_against_the_schema() {
    let mplus = Mplus::start().await;
    // An element the type does not have.
    let (code, message) = mplus.call(&x("getOrder", x("orderIdentifier", "x"))).await.fault();
    assert!(code.starts_with("SOAP-ENV:Client"));
    assert!(message.contains("orderIdentifier"), "{message}");
    // Children must be qualified with urn:mplusqapi (elementFormDefault="qualified").
    let unqualified = "<ns1:getRelation><relationNumber>1001</relationNumber></ns1:getRelation>";
    let (code, message) = mplus.call(unqualified).await.fault();
    assert!(code.starts_with("SOAP-ENV:Client"));
    assert!(message.contains("relationNumber"), "{message}");
    // A value that is not of the element's type.
    let (_, message) = mplus.call(&x("getRelation", x("relationNumber", "abc"))).await.fault();
    assert!(message.contains("relationNumber"), "{message}");
    // An enum value the WSDL does not list.
    let types = x("orderTypeList", x("orderType", "ORDER-TYPE-WEBSHOP"));
    let (_, message) = mplus.call(&x("getOrders", x("request", types))).await.fault();
    assert!(message.contains("orderType"), "{message}");
}

#[tokio::test]
async fn responses_use_the_wsdl_element_names_and_headers() {
    let mplus = Mplus::start().await;
    let orders = mplus.orders_page(1, 1, "").await;
    let order_id = orders[0].text_of("orderId").unwrap().to_owned();
    // findOrder answers with GetOrderResponse, like getOrder.
    let by_id = mplus.call(&x("getOrder", x("orderId", &order_id))).await;
    assert_eq!(by_id.ok().name, "GetOrderResponse");
    let unknown = mplus.call(&x("findOrder", x("extOrderId", "does-not-exist"))).await;
    assert_eq!(unknown.ok().name, "GetOrderResponse");
    assert_eq!(unknown.ok().text_of("result"), Some("GET-ORDER-RESULT-NOT-FOUND"));
    let names = [
        ("<ns1:getCurrentSyncMarkers/>", "getCurrentSyncMarkersResponse"),
        ("<ns1:getBranches/>", "getBranchesResponse"),
        ("<ns1:getVatGroupList/>", "getVatGroupListResponse"),
        ("<ns1:getPaymentMethods/>", "GetPaymentMethodsResponse"),
        ("<ns1:getDeliveryMethods/>", "GetDeliveryMethodsResponse"),
    ];
    for (operation, response) in names {
        assert_eq!(mplus.call(operation).await.ok().name, response);
    }
    let response = mplus
        .http
        .post(mplus.endpoint())
        .header("Content-Type", "text/xml; charset=utf-8")
        .body(envelope("<ns1:getApiVersion/>"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["mplus-service-version"], "67.1.3");
    let text = response.text().await.unwrap();
    assert!(text.contains("<ns1:getApiVersionResponse>"), "{text}");
}

#[tokio::test]
async fn reference_data_is_realistic() {
    let mplus = Mplus::start().await;
    let vat = mplus.call("<ns1:getVatGroupList/>").await;
    let groups: Vec<(String, i64)> = vat
        .ok()
        .children
        .iter()
        .map(|g| {
            (
                g.text_of("countryIso3").unwrap().to_owned(),
                g.number_of("vatPercentage").unwrap(),
            )
        })
        .collect();
    for expected in [("NLD", 21), ("NLD", 9), ("NLD", 0), ("BEL", 6), ("DEU", 19)] {
        assert!(
            groups.iter().any(|(c, p)| c == expected.0 && *p == expected.1),
            "{expected:?} in {groups:?}"
        );
    }
    let employees = mplus.call(&x("getEmployees", x("request", ""))).await;
    let numbers = employees.ok().child("employeeList").unwrap().children.len();
    assert!(numbers >= 5);
    let turnover = mplus
        .call(&x("getTurnoverGroups", x("request", x("onlyActive", "true"))))
        .await;
    assert!(turnover.ok().child("turnoverGroupList").unwrap().children.len() >= 5);
    let branches = mplus.call("<ns1:getBranches/>").await;
    assert!(branches.ok().child("branches").unwrap().children.len() >= 3);
    let methods = mplus.call("<ns1:getPaymentMethods/>").await;
    assert!(methods.text.contains("PAYMENT-METHOD-TYPE-EFT"));
}

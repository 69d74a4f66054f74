//! Every response of the MplusKASSA simulator (and the requests the tests send) validates against the XML
//! Schema in the official WSDL's `<types>`, checked with `xmllint --schema` (Debian: libxml2-utils).

mod mplus_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use mplus_support::{Mplus, at, x};

/// The WSDL's schema as a standalone XSD: the namespace prefixes it borrows from the WSDL's root declared on
/// it, and `SOAP-ENC:base64` (which libxml2 cannot resolve) mapped to `xsd:base64Binary`.
fn extract_schema(wsdl: &str) -> String {
    let start = wsdl.find("<xsd:schema").expect("the WSDL has a schema");
    let end = wsdl.find("</xsd:schema>").expect("the schema ends") + "</xsd:schema>".len();
    wsdl[start..end]
        .replacen(
            "<xsd:schema",
            concat!(
                r#"<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:mplusqapi""#,
                r#" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/""#
            ),
            1,
        )
        .replace(
            r#"<import namespace="http://schemas.xmlsoap.org/soap/encoding/" />"#,
            "",
        )
        .replace(r#""SOAP-ENC:base64""#, r#""xsd:base64Binary""#)
}

/// An `ns1:` element (from a request we send or a response Body) as a standalone document.
fn standalone(element: &str) -> String {
    let name_end = element[1..]
        .find(|c: char| c == '>' || c == '/' || c.is_whitespace())
        .expect("a start tag")
        + 1;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>{} xmlns:ns1="urn:mplusqapi"{}"#,
        &element[..name_end],
        &element[name_end..]
    )
}

/// The Body's child of a response envelope, as text.
fn body_of(envelope: &str) -> String {
    let start = envelope.find("<SOAP-ENV:Body>").expect("a Body") + "<SOAP-ENV:Body>".len();
    let end = envelope.rfind("</SOAP-ENV:Body>").expect("a Body end");
    envelope[start..end].to_owned()
}

fn xmllint_available() -> bool {
    Command::new("xmllint").arg("--version").output().is_ok()
}

struct Samples {
    dir: PathBuf,
    files: Vec<PathBuf>,
}

impl Samples {
    /// A fresh directory per test (tests in one binary share the process id).
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("koppel-mplus-schema-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self { dir, files: Vec::new() }
    }

    fn add(&mut self, label: &str, element: &str) {
        let path = self.dir.join(format!("{:03}-{label}.xml", self.files.len()));
        std::fs::write(&path, standalone(element)).expect("sample written");
        self.files.push(path);
    }

    fn validate(&self, schema: &Path) {
        let output = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(schema)
            .args(&self.files)
            .output()
            .expect("xmllint runs");
        let report = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "schema violations:\n{report}");
        assert_eq!(report.matches(" validates").count(), self.files.len(), "{report}");
    }
}

impl Drop for Samples {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn responses_and_requests_validate_against_the_wsdl_schema() {
    if !xmllint_available() {
        eprintln!("skipped: xmllint not found; install libxml2-utils (apt-get install libxml2-utils) to run this test");
        return;
    }
    let mplus = Mplus::start().await;
    let mut samples = Samples::new("valid");
    let schema = samples.dir.join("mplusqapi.xsd");
    std::fs::write(&schema, extract_schema(koppel_sandbox::mplus::WSDL)).expect("schema written");

    let empty_text_lists = format!("{}{}", x("articlePluNumbers", ""), x("articleBarcodes", ""));
    let orders = x(
        "getOrders",
        x(
            "request",
            format!(
                "{}{}{empty_text_lists}{}",
                x("syncMarker", 1),
                x("syncMarkerLimit", 60),
                x("includeLineList", "true")
            ),
        ),
    );
    let answer = mplus.call(&orders).await;
    let seeded = at(answer.ok(), "orderList").children.clone();
    let order_id = seeded[0].text_of("orderId").unwrap().to_owned();
    let ext = seeded.iter().find_map(|o| o.text_of("extOrderId")).unwrap().to_owned();
    // An open seeded order of two lines or more, delivered in parts with `deliverOrderV2`.
    let open = seeded
        .iter()
        .find(|o| {
            o.text_of("orderId") != Some(order_id.as_str())
                && o.text_of("deliveryState") == Some("ORDER-DELIVERY-STATE-NOTHING")
                && o.text_of("cancelState") == Some("ORDER-CANCEL-STATE-NOTHING")
                && o.child("lineList")
                    .is_some_and(|l| l.children_named("line").count() >= 2)
        })
        .expect("an open seeded order with lines");
    let open_id = open.text_of("orderId").unwrap().to_owned();
    // Each line's whole quantity, as `OrderDeliveryLine`s.
    let open_lines: Vec<String> = at(open, "lineList")
        .children_named("line")
        .map(|line| {
            let data = at(line, "data");
            x(
                "line",
                format!(
                    "{}{}{}",
                    x("lineId", line.text_of("lineId").unwrap()),
                    // A returned line's (negative) quantity is delivered as an amount of the line.
                    x("quantity", data.text_of("quantity").unwrap().trim_start_matches('-')),
                    x("decimalPlaces", data.text_of("decimalPlaces").unwrap())
                ),
            )
        })
        .collect();
    let first_line_id = at(open, "lineList/line").text_of("lineId").unwrap().to_owned();
    let one_of = |line_id: &str| x("line", format!("{}{}", x("lineId", line_id), x("quantity", 1)));
    let delivery = |order_id: &str, lines: &str, extra: &str| {
        x(
            "deliverOrderV2",
            x(
                "request",
                x(
                    "orderDelivery",
                    format!("{}{}{extra}", x("orderId", order_id), x("lineList", lines)),
                ),
            ),
        )
    };
    let line = |article: i64| {
        x(
            "line",
            format!("{}{}", x("articleNumber", article), x("data", x("quantity", 1))),
        )
    };
    let order = |ext: &str| {
        x(
            "order",
            format!(
                "{}{}{}{}{}",
                x("orderId", ""),
                x("extOrderId", ext),
                x("employeeNumber", 999999),
                x("relationNumber", 1001),
                x("lineList", format!("{}{}", line(100001), line(100090)))
            ),
        )
    };
    let v3 = |key: &str, ext: &str| {
        let payment = x(
            "paymentList",
            x("payment", format!("{}{}", x("method", "PIN"), x("amount", 100_000))),
        );
        x(
            "createOrderV3",
            x(
                "request",
                format!("{}{}{payment}", x("idempotencyKey", key), order(ext)),
            ),
        )
    };
    let product = |number: &str, article: &str| {
        x(
            "updateProduct",
            x(
                "product",
                format!("{number}{}", x("articleList", x("article", article))),
            ),
        )
    };
    let article = format!(
        "{}{}{}",
        x("description", "Schema-shirt"),
        x("turnoverGroup", 10),
        x("priceIncl", 1995)
    );
    // Two price-group prices (one a volume break, one priced excl. VAT with a discount), replacing the article's.
    let price_group = |number: i64, price: String, minimum: i64| {
        x(
            "priceGroup",
            format!(
                "{}{price}{}",
                x("priceGroupNumber", number),
                x("minimumAmount", minimum)
            ),
        )
    };
    let price_groups = x(
        "priceGroupList",
        format!(
            "{}{}",
            price_group(1, x("priceIncl", 2295), 0),
            price_group(
                2,
                format!("{}{}", x("priceExcl", 1500), x("discountPercentage", 10)),
                10
            )
        ),
    );
    // Custom field values of each seeded type (the dataType is optional on a write).
    let custom_field = |name: &str, value: String| x("customField", format!("{}{value}", x("fieldName", name)));
    let custom_fields = x(
        "customFieldList",
        format!(
            "{}{}{}",
            custom_field("Merk", x("strValue", "Schema &amp; co")),
            custom_field(
                "Webshop",
                format!("{}{}", x("dataType", "DATA-TYPE-BOOL"), x("boolValue", "true"))
            ),
            custom_field("Houdbaarheid", x("intValue", 30))
        ),
    );
    let new_group = |parent: i64, extra: &str| {
        x(
            "newArticleGroup",
            x(
                "request",
                format!(
                    "{}{}{}{extra}",
                    x("parentGroupNumber", parent),
                    x("name", "Schema"),
                    x("text", "Schema-groep")
                ),
            ),
        )
    };
    let group_products = |operation: &str, group: i64, products: &[i64]| {
        let numbers: String = products.iter().map(|n| x("number", n)).collect();
        x(
            operation,
            x(
                "request",
                format!("{}{}", x("groupNumber", group), x("productNumbers", numbers)),
            ),
        )
    };
    // Relation 1001 with every field the simulator keeps, in the WSDL's order, so the response shows them all.
    let texts = |names: &[&str]| names.iter().map(|n| x(n, format!("{n} 1"))).collect::<String>();
    let date = format!("{}{}{}", x("day", 2), x("mon", 3), x("year", 1980));
    let article_discounts = x(
        "relationArticleDiscountList",
        format!(
            "{}{}",
            x(
                "relationArticleDiscount",
                format!(
                    "{}{}{}{}",
                    x("articleNumber", 100001),
                    x("minimumAmount", 10),
                    x("minimumAmountDecimalPlaces", 0),
                    x("priceIncl", 1995)
                ),
            ),
            x(
                "relationArticleDiscount",
                format!("{}{}", x("articleDiscountGroupNumber", 4), x("discountPercentage", 15)),
            ),
        ),
    );
    let full_relation = [
        x("relationNumber", 1001),
        x("extRelationId", "DEB-1001"),
        x("active", "true"),
        texts(&[
            "name",
            "address",
            "zipcode",
            "city",
            "country",
            "deliveryAddress",
            "deliveryZipcode",
            "deliveryCity",
            "deliveryCountry",
            "contact",
            "telephone",
            "mobile",
        ]),
        x("email", "full@relation.example"),
        x("website", "https://relation.example"),
        x("birthDate", date),
        x("relationCode", "R1001"),
        x("priceGroupNumber", 2),
        x("discountPercentage", 5),
        x("bankAccountNumber", "NL91ABNA0417164300"),
        x("paymentWithinDays", 30),
        texts(&["vatNumber", "commerceNumber"]),
        x("contactList", x("relation", x("name", "Contact 1"))),
        article_discounts,
        x("companyName", "Full B.V."),
    ]
    .concat();
    let stock_request = |extra: &str| {
        x(
            "request",
            format!("{}{}{extra}", x("branchNumber", 1), x("articleNumbers", "")),
        )
    };
    let proposals = mplus
        .call(&x("getProposals", x("request", x("syncMarkerLimit", 100))))
        .await;
    let outstanding = at(proposals.ok(), "proposalList")
        .children
        .iter()
        .find(|p| p.text_of("state") == Some("PROPOSAL-STATE-OUTSTANDING"))
        .and_then(|p| p.text_of("proposalId"))
        .expect("an outstanding seeded proposal")
        .to_owned();
    // A proposal in the WSDL's order: ids, relation, reference, VAT method, lines (one priced excl. VAT).
    let proposal = |id: &str, ext: &str, article: i64| {
        let priced = x(
            "line",
            format!(
                "{}{}{}",
                x("articleNumber", article),
                x("text", "Offerte-regel"),
                x("data", format!("{}{}", x("quantity", 2), x("priceExcl", 1000)))
            ),
        );
        x(
            "saveProposal",
            x(
                "proposal",
                format!(
                    "{}{}{}{}{}{}",
                    x("proposalId", id),
                    x("extProposalId", ext),
                    x("relationNumber", 1001),
                    x("reference", "Offerte schema"),
                    x("vatMethod", "VAT-METHOD-INCLUSIVE"),
                    x("lineList", format!("{}{}", line(100001), priced))
                ),
            ),
        )
    };
    let config = koppel_sandbox::SandboxConfig::default();
    let cash_count = koppel_sandbox::mplus::seed::generate(config.seed, config.orders).receipts[0]
        .cash_count_id
        .clone();
    let by_cash_count = |id: &str| x("getReceiptsByCashCount", x("request", x("cashCountId", id)));
    let calls: Vec<(&str, String)> = vec![
        ("getApiVersion", "<ns1:getApiVersion/>".to_owned()),
        ("getCurrentSyncMarkers", "<ns1:getCurrentSyncMarkers/>".to_owned()),
        ("getOrders", orders.clone()),
        ("getOrder", x("getOrder", x("orderId", &order_id))),
        ("getOrder-missing", x("getOrder", x("orderId", "missing"))),
        ("deliverOrder", x("deliverOrder", x("request", x("orderId", &order_id)))),
        (
            "deliverOrder-again",
            x("deliverOrder", x("request", x("orderId", &order_id))),
        ),
        (
            "deliverOrder-missing",
            x("deliverOrder", x("request", x("orderId", "missing"))),
        ),
        ("deliverOrderV2", delivery(&open_id, &open_lines[0], "")),
        (
            "deliverOrderV2-too-much",
            delivery(&open_id, &one_of(&first_line_id), ""),
        ),
        (
            "deliverOrderV2-unknown-line",
            delivery(&open_id, &one_of("no-such-line"), ""),
        ),
        (
            "deliverOrderV2-rest",
            delivery(
                &open_id,
                &open_lines[1..].concat(),
                &x("turnoverType", "DELIVER-ORDER-TURNOVER-TYPE-INVOICE"),
            ),
        ),
        ("deliverOrderV2-again", delivery(&open_id, &one_of(&first_line_id), "")),
        (
            "deliverOrderV2-missing",
            delivery("missing", &one_of(&first_line_id), ""),
        ),
        ("findOrder", x("findOrder", x("extOrderId", &ext))),
        (
            "getInvoices",
            x(
                "getInvoices",
                x("request", format!("{empty_text_lists}{}", x("includeLineList", "true"))),
            ),
        ),
        (
            "getProposals",
            x("getProposals", x("request", x("includeLineList", "true"))),
        ),
        ("saveProposal", proposal("", "SCHEMA-P-1", 100090)),
        ("saveProposal-exists", proposal("", "SCHEMA-P-1", 100090)),
        ("saveProposal-update", proposal(&outstanding, "SCHEMA-P-2", 100090)),
        ("saveProposal-missing", proposal("missing", "SCHEMA-P-3", 100090)),
        ("saveProposal-unknown-article", proposal("", "SCHEMA-P-4", 5)),
        ("getProposal", x("getProposal", x("proposalId", &outstanding))),
        ("getProposal-missing", x("getProposal", x("proposalId", "missing"))),
        (
            "getReceipts",
            x(
                "getReceipts",
                x(
                    "request",
                    format!(
                        "{}{}{empty_text_lists}{}",
                        x("syncMarker", 1),
                        x("syncMarkerLimit", 80),
                        x("includeLineList", "true")
                    ),
                ),
            ),
        ),
        ("getReceiptsByCashCount", by_cash_count(&cash_count)),
        ("getReceiptsByCashCount-missing", by_cash_count("missing")),
        (
            "getFinancialJournal",
            x(
                "getFinancialJournal",
                x(
                    "request",
                    format!(
                        "{}{}",
                        x(
                            "fromFinancialDate",
                            format!("{}{}{}", x("day", 1), x("mon", 1), x("year", 2026))
                        ),
                        x(
                            "throughFinancialDate",
                            format!("{}{}{}", x("day", 31), x("mon", 12), x("year", 2026))
                        )
                    ),
                ),
            ),
        ),
        (
            "getFinancialJournalByCashCount",
            x(
                "getFinancialJournalByCashCount",
                x("request", x("cashCountId", &cash_count)),
            ),
        ),
        (
            "getRelations",
            x("getRelations", x("request", x("syncMarkerLimit", 50))),
        ),
        ("getRelation", x("getRelation", x("relationNumber", 1001))),
        ("getRelation-missing", x("getRelation", x("relationNumber", 5))),
        ("findRelation", x("findRelation", x("relation", x("city", "a")))),
        (
            "findRelation-missing",
            x("findRelation", x("relation", x("email", "nobody@invalid"))),
        ),
        (
            "createRelation",
            x(
                "createRelation",
                x(
                    "relation",
                    format!("{}{}", x("name", "Schema B.V."), x("country", "NL")),
                ),
            ),
        ),
        (
            "createRelation-taken",
            x(
                "createRelation",
                x("relation", format!("{}{}", x("relationNumber", 1001), x("name", "X"))),
            ),
        ),
        (
            "updateRelation",
            x(
                "updateRelation",
                x(
                    "relation",
                    format!("{}{}", x("relationNumber", 1001), x("email", "a@b.nl")),
                ),
            ),
        ),
        (
            "updateRelation-every-field",
            x("updateRelation", x("relation", &full_relation)),
        ),
        (
            "getRelations-every-field",
            x(
                "getRelations",
                x(
                    "request",
                    format!("{}{}", x("relationNumbers", 1001), x("syncMarker", 0)),
                ),
            ),
        ),
        (
            "updateRelation-unknown-price-group",
            x(
                "updateRelation",
                x(
                    "relation",
                    format!("{}{}", x("relationNumber", 1001), x("priceGroupNumber", 9)),
                ),
            ),
        ),
        (
            "updateRelation-missing",
            x("updateRelation", x("relation", x("relationNumber", 5))),
        ),
        (
            "getProducts",
            x(
                "getProducts",
                x("request", format!("{}{}", x("pluNumbers", ""), x("syncMarker", 1))),
            ),
        ),
        (
            "getArticleGroups",
            x("getArticleGroups", x("request", x("retrieveArticleNumbers", "true"))),
        ),
        // A group at the top level (91) and one under it (92) with two products, so the nested answer below
        // shows sub-groups, product numbers and article numbers; then each refusal.
        ("newArticleGroup", new_group(0, "")),
        ("newArticleGroup-sub", new_group(91, &x("sortOrder", 2))),
        ("newArticleGroup-parent-missing", new_group(999, "")),
        (
            "updateArticleGroup",
            x(
                "updateArticleGroup",
                x(
                    "request",
                    format!(
                        "{}{}{}{}",
                        x("groupNumber", 92),
                        x("name", "Schema-sub"),
                        x("text", "Sub"),
                        x("sortOrder", 1)
                    ),
                ),
            ),
        ),
        (
            "updateArticleGroup-missing",
            x("updateArticleGroup", x("request", x("groupNumber", 999))),
        ),
        (
            "addProductsToArticleGroup",
            group_products("addProductsToArticleGroup", 92, &[1001, 1002]),
        ),
        (
            "addProductsToArticleGroup-unknown-product",
            group_products("addProductsToArticleGroup", 92, &[999_999]),
        ),
        (
            "addProductsToArticleGroup-missing",
            group_products("addProductsToArticleGroup", 999, &[1001]),
        ),
        (
            "getArticleGroups-nested",
            x(
                "getArticleGroups",
                x(
                    "request",
                    format!("{}{}", x("groupNumbers", 91), x("retrieveArticleNumbers", "true")),
                ),
            ),
        ),
        (
            "deleteProductsFromArticleGroup",
            group_products("deleteProductsFromArticleGroup", 92, &[1001]),
        ),
        (
            "deleteProductsFromArticleGroup-missing",
            group_products("deleteProductsFromArticleGroup", 999, &[1001]),
        ),
        (
            "createProduct",
            x("createProduct", x("product", x("articleList", x("article", &article)))),
        ),
        (
            "createProduct-failed",
            x("createProduct", x("product", x("articleList", ""))),
        ),
        (
            "updateProduct",
            product(
                &x("productNumber", 1001),
                &format!("{}{}", x("articleNumber", 100001), x("priceIncl", 2595)),
            ),
        ),
        (
            "updateProduct-priceGroupList",
            product(
                &x("productNumber", 1001),
                &format!("{}{price_groups}", x("articleNumber", 100001)),
            ),
        ),
        (
            "updateProduct-unknown-price-group",
            product(
                &x("productNumber", 1001),
                &format!(
                    "{}{}",
                    x("articleNumber", 100001),
                    x("priceGroupList", price_group(9, x("priceIncl", 100), 0))
                ),
            ),
        ),
        (
            "updateProduct-customFieldList",
            product(
                &x("productNumber", 1001),
                &format!("{}{custom_fields}", x("articleNumber", 100001)),
            ),
        ),
        (
            "updateProduct-wrong-custom-field-type",
            product(
                &x("productNumber", 1001),
                &format!(
                    "{}{}",
                    x("articleNumber", 100001),
                    x(
                        "customFieldList",
                        x(
                            "customField",
                            format!("{}{}", x("fieldName", "Houdbaarheid"), x("strValue", "lang"))
                        )
                    )
                ),
            ),
        ),
        (
            "updateProduct-articleDiscountGroup",
            product(
                &x("productNumber", 1001),
                &format!("{}{}", x("articleNumber", 100001), x("articleDiscountGroupNumber", 1)),
            ),
        ),
        (
            "updateProduct-unknown-article-discount-group",
            product(
                &x("productNumber", 1001),
                &format!("{}{}", x("articleNumber", 100001), x("articleDiscountGroupNumber", 99)),
            ),
        ),
        (
            "getProducts-priceGroupList",
            x(
                "getProducts",
                x(
                    "request",
                    format!("{}{}", x("articleNumbers", 100001), x("pluNumbers", "")),
                ),
            ),
        ),
        ("updateProduct-missing", product(&x("productNumber", 5), &article)),
        ("getStock", x("getStock", stock_request(""))),
        (
            "getStockHistory",
            x(
                "getStockHistory",
                x(
                    "request",
                    format!("{}{}", x("branchNumber", 1), x("sinceStockIdLimit", 20)),
                ),
            ),
        ),
        (
            "updateStock",
            x(
                "updateStock",
                x(
                    "request",
                    format!(
                        "{}{}{}",
                        x("branchNumber", 1),
                        x("articleNumber", 100001),
                        x("amountChanged", 2)
                    ),
                ),
            ),
        ),
        (
            "setStock-refused",
            x(
                "setStock",
                x(
                    "request",
                    format!(
                        "{}{}{}",
                        x("branchNumber", 1),
                        x("articleNumber", 990001),
                        x("amount", 2)
                    ),
                ),
            ),
        ),
        ("getTurnoverGroups", x("getTurnoverGroups", x("request", ""))),
        ("getVatGroupList", "<ns1:getVatGroupList/>".to_owned()),
        ("getPriceGroupList", "<ns1:getPriceGroupList/>".to_owned()),
        ("getCustomFieldLists", "<ns1:getCustomFieldLists/>".to_owned()),
        ("getPaymentMethods", "<ns1:getPaymentMethods/>".to_owned()),
        ("getDeliveryMethods", "<ns1:getDeliveryMethods/>".to_owned()),
        ("getBranches", "<ns1:getBranches/>".to_owned()),
        ("getEmployees", x("getEmployees", x("request", ""))),
        ("createOrder", x("createOrder", order("SCHEMA-1"))),
        ("createOrder-exists", x("createOrder", order("SCHEMA-1"))),
        ("createOrder-failed", x("createOrder", order(""))),
        ("createOrderV2", x("createOrderV2", x("request", order("SCHEMA-V2")))),
        (
            "createOrderV2-failed",
            x("createOrderV2", x("request", order("SCHEMA-V2"))),
        ),
        ("createOrderV3", v3("schema-key", "SCHEMA-2")),
        ("createOrderV3-replay", v3("schema-key", "SCHEMA-2")),
        ("createOrderV3-exists", v3("schema-key-2", "SCHEMA-2")),
    ];
    let mut names_seen = std::collections::HashSet::new();
    for (label, request) in &calls {
        let answer = mplus.call(request).await;
        assert_eq!(answer.status, 200, "{label}: {}", answer.text);
        if *label == "getRelations-every-field" {
            // The sample holds every field just written, so their shape and order are validated too.
            for element in [
                "birthDate",
                "priceGroupNumber",
                "discountPercentage",
                "paymentWithinDays",
                "vatNumber",
                "commerceNumber",
                "bankAccountNumber",
                "contactList",
                "relationArticleDiscountId",
                "articleDiscountGroupNumber",
                "priceExcl",
                "companyName",
            ] {
                assert!(
                    answer.text.contains(&format!("<ns1:{element}>")),
                    "{element}: {}",
                    answer.text
                );
            }
        }
        if let Some(expected) = match *label {
            "deliverOrderV2" | "deliverOrderV2-rest" => Some("DELIVER-ORDER-V2-RESULT-OK"),
            "deliverOrderV2-again" => Some("DELIVER-ORDER-V2-RESULT-ALREADY-DELIVERED"),
            "deliverOrderV2-too-much" | "deliverOrderV2-unknown-line" | "deliverOrderV2-missing" => {
                Some("DELIVER-ORDER-V2-RESULT-FAILED")
            }
            _ => None,
        } {
            assert_eq!(
                answer.ok().text_of("result"),
                Some(expected),
                "{label}: {}",
                answer.text
            );
        }
        if *label == "getArticleGroups-nested" {
            // The sample holds the sub-group with its products, so their shape is validated too.
            for element in ["<ns1:groupNumber>92</ns1:groupNumber>", "<ns1:number>1002</ns1:number>"] {
                assert!(answer.text.contains(element), "{element}: {}", answer.text);
            }
        }
        if *label == "getProposal" {
            // The sample holds the proposal just saved, with its own id and a line priced excl. VAT.
            for element in [
                "<ns1:extProposalId>SCHEMA-P-2</ns1:extProposalId>",
                "<ns1:priceExcl>1000</ns1:priceExcl>",
                "<ns1:reference>Offerte schema</ns1:reference>",
            ] {
                assert!(answer.text.contains(element), "{element}: {}", answer.text);
            }
        }
        if *label == "getProducts-priceGroupList" {
            // The sample holds the prices just written, so their shape is validated too.
            assert!(
                answer.text.contains("<ns1:minimumAmount>10</ns1:minimumAmount>"),
                "{}",
                answer.text
            );
            // The article discount group with its name, in the WSDL's place (after stockArticle).
            assert!(
                answer.text.contains(
                    "</ns1:stockArticle><ns1:articleDiscountGroupNumber>1</ns1:articleDiscountGroupNumber>\
<ns1:articleDiscountGroupName>Kleding</ns1:articleDiscountGroupName>"
                ),
                "{}",
                answer.text
            );
            // And the custom field values, in the WSDL's places (customFieldList before priceGroupList).
            assert!(
                answer.text.contains(
                    "<ns1:customFieldList><ns1:customField><ns1:fieldName>Merk</ns1:fieldName>\
<ns1:dataType>DATA-TYPE-STRING</ns1:dataType><ns1:strValue>Schema &amp; co</ns1:strValue></ns1:customField>"
                ) && answer.text.contains(
                    "<ns1:intValue>30</ns1:intValue></ns1:customField></ns1:customFieldList><ns1:priceGroupList>"
                ),
                "{}",
                answer.text
            );
        }
        if *label == "updateProduct-unknown-article-discount-group" {
            assert!(
                answer.text.contains("UPDATE-PRODUCT-RESULT-FAILED")
                    && answer.text.contains("Article discount group 99 does not exist"),
                "{}",
                answer.text
            );
        }
        if *label == "updateProduct-wrong-custom-field-type" {
            assert!(
                answer.text.contains("UPDATE-PRODUCT-RESULT-FAILED") && answer.text.contains("Houdbaarheid"),
                "{}",
                answer.text
            );
        }
        if *label == "getCustomFieldLists" {
            assert!(
                answer.text.contains("<ns1:fieldName>Klantkaart</ns1:fieldName>"),
                "{}",
                answer.text
            );
        }
        samples.add(&format!("{label}-request"), request);
        samples.add(&format!("{label}-response"), &body_of(&answer.text));
        names_seen.insert(request[5..].split(['>', '/']).next().unwrap().to_owned());
    }
    // Every implemented operation is covered.
    for operation in koppel_sandbox::mplus::operation_names() {
        assert!(names_seen.contains(operation), "{operation} is not validated");
    }
    samples.validate(&schema);
}

#[test]
fn the_extracted_schema_rejects_what_it_should() {
    if !xmllint_available() {
        eprintln!("skipped: xmllint not found; install libxml2-utils (apt-get install libxml2-utils) to run this test");
        return;
    }
    let mut samples = Samples::new("invalid");
    let schema = samples.dir.join("mplusqapi.xsd");
    std::fs::write(&schema, extract_schema(koppel_sandbox::mplus::WSDL)).expect("schema written");
    samples.add(
        "wrong-order",
        "<ns1:GetOrderResponse><ns1:order/><ns1:result>GET-ORDER-RESULT-OK</ns1:result></ns1:GetOrderResponse>",
    );
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .args(&samples.files)
        .output()
        .expect("xmllint runs");
    assert!(!output.status.success(), "a wrongly ordered response must not validate");
}

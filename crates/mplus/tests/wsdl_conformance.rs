//! Every SOAP request the client produces, and every sample response it parses, validates against the XML
//! Schema in the official MplusQapi WSDL (v67.1.3), checked with `xmllint`. The responses come from a
//! stand-in server, so this does not depend on our own simulator.

mod common;

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use common::*;
use koppel_mplus::model::{
    Address, ArticleGroup, FinancialGroupSource, FinancialGroupType, NewLine, NewOrder, NewPayment, OrderType,
    Relation, RelationArticleDiscount, RelationArticleDiscountList, StockChange, VatMethod, YearNumber,
};
use koppel_mplus::{
    ArticleWrite, ArticleWriteList, BusinessOutcome, CustomField, CustomFieldList, CustomFieldType, DocumentFilter,
    MplusClient, MplusConfig, MplusError, PriceGroupWrite, PriceGroupWriteList, ProductFilter, ProductWrite,
    ProposalWrite, SavedProposal, add_products_to_article_group_request, delete_products_from_article_group_request,
    deliver_order_v2_request, new_article_group_request, save_proposal_request, update_article_group_request,
    update_product_request, update_relation_request,
};
use rust_decimal::Decimal;

const NS: &str = r#"xmlns="urn:mplusqapi""#;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

const ORDER: &str = "<orderId>6f1c2c1e-0000-4000-8000-000000000001</orderId><extOrderId>WEB-1001</extOrderId>\
<syncMarker>41</syncMarker><orderType>ORDER-TYPE-SALES-ORDER</orderType><entryBranchNumber>1</entryBranchNumber>\
<employeeNumber>999999</employeeNumber><relationNumber>1001</relationNumber><relationName>Jansen BV</relationName>\
<deliveryAddress><name>Anna Jansen</name><address>Damrak 12 A</address><zipcode>1012 LG</zipcode><city>Amsterdam</city><country>NL</country></deliveryAddress>\
<financialDate><day>29</day><mon>11</mon><year>2026</year></financialDate><reference>WEB-1001</reference>\
<totalInclAmount>4239</totalInclAmount><totalExclAmount>3503</totalExclAmount><vatMethod>VAT-METHOD-INCLUSIVE</vatMethod>\
<vatGroupList><vatGroup><vatCode>2</vatCode><vatPercentage>2100</vatPercentage><exclAmount>3503</exclAmount><vatAmount>736</vatAmount></vatGroup></vatGroupList>\
<orderNumber><year>2026</year><number>17</number></orderNumber>\
<lineList><line><lineId>l1</lineId><articleNumber>100012</articleNumber><data><quantity>125</quantity><decimalPlaces>2</decimalPlaces>\
<price>1995</price><turnoverGroup>10</turnoverGroup><vatCode>2</vatCode><vatPercentage>21</vatPercentage><totalInclAmount>2494</totalInclAmount></data></line>\
<line><articleNumber>100013</articleNumber><data><quantity>1</quantity><price>1745</price></data></line></lineList>\
<paymentList><payment><method>PIN</method><amount>4239</amount></payment></paymentList>";

const RECEIPT: &str = "<receiptId>r-1</receiptId><syncMarker>6</syncMarker>\
<receiptNumber><branchNumber>1</branchNumber><workplaceNumber>2</workplaceNumber><year>2026</year><number>88</number></receiptNumber>\
<receiptType>RECEIPT-TYPE-RECEIPT</receiptType><employeeNumber>101</employeeNumber><employeeName>Sanne</employeeName>\
<entryTimestamp><sec>1</sec><min>2</min><hour>13</hour><day>29</day><mon>11</mon><year>2026</year><isdst>false</isdst><timezone>0</timezone></entryTimestamp>\
<financialDate><day>29</day><mon>11</mon><year>2026</year></financialDate><financialBranchNumber>1</financialBranchNumber>\
<workplaceNumber>2</workplaceNumber><totalInclAmount>1090</totalInclAmount><totalExclAmount>1000</totalExclAmount>\
<vatMethod>VAT-METHOD-INCLUSIVE</vatMethod><paidAmount>1090</paidAmount><state>RECEIPT-STATE-PAID</state>\
<lineList><line><articleNumber>100013</articleNumber><data><quantity>2</quantity><price>545</price><vatPercentage>9</vatPercentage><totalInclAmount>1090</totalInclAmount></data></line></lineList>\
<paymentList><payment><method>CONTANT</method><amount>1090</amount></payment></paymentList>";

const FINANCIAL_GROUPS: &str = "<financialGroupList><financialGroup><financialGroupType>FINANCIAL-GROUP-TYPE-TURNOVER</financialGroupType>\
<financialGroupSource>FINANCIAL-GROUP-SOURCE-RECEIPT</financialGroupSource><financialGroupNumber>30</financialGroupNumber>\
<financialGroupName>Boeken</financialGroupName><accountNumber>8020</accountNumber><branchNumber>1</branchNumber><extBranchId>BR01</extBranchId>\
<workplaceNumbers>1</workplaceNumbers><workplaceNumbers>2</workplaceNumbers>\
<fromFinancialDate><day>29</day><mon>11</mon><year>2026</year></fromFinancialDate><throughFinancialDate><day>29</day><mon>11</mon><year>2026</year></throughFinancialDate>\
<financialPeriodClosed>true</financialPeriodClosed><inclAmount>1090</inclAmount><exclAmount>1000</exclAmount>\
<vatGroupList><vatGroup><branchNumber>1</branchNumber><countryIso3>NLD</countryIso3><vatCode>2</vatCode><vatPercentage>9</vatPercentage><exclAmount>1000</exclAmount><vatAmount>90</vatAmount><accountNumber>1501</accountNumber></vatGroup></vatGroupList></financialGroup>\
<financialGroup><financialGroupType>FINANCIAL-GROUP-TYPE-PAYMENT</financialGroupType><financialGroupSource>FINANCIAL-GROUP-SOURCE-RECEIPT</financialGroupSource>\
<financialGroupId>CONTANT</financialGroupId><financialGroupName>Contant</financialGroupName><accountNumber>1000</accountNumber><branchNumber>1</branchNumber>\
<fromFinancialDate><day>29</day><mon>11</mon><year>2026</year></fromFinancialDate><throughFinancialDate><day>29</day><mon>11</mon><year>2026</year></throughFinancialDate>\
<inclAmount>1090</inclAmount></financialGroup></financialGroupList>";

/// An article's prices for two price groups, the second a volume break from 10 items.
const PRICE_GROUPS: &str = "<priceGroupList><priceGroup><priceGroupNumber>1</priceGroupNumber><priceIncl>1795</priceIncl>\
<priceExcl>1483</priceExcl><minimumAmount>0</minimumAmount></priceGroup><priceGroup><priceGroupNumber>2</priceGroupNumber>\
<description>Groothandel</description><priceIncl>1595</priceIncl><priceExcl>1318</priceExcl><discountPercentage>20</discountPercentage>\
<minimumAmount>10</minimumAmount></priceGroup></priceGroupList>";

/// An article's custom field values: a decimal, a date, and a multi-select the client does not model.
const CUSTOM_FIELDS: &str = "<customFieldList><customField><fieldName>Gewicht</fieldName><dataType>DATA-TYPE-DECIMAL</dataType>\
<intValue>1250</intValue><decimalPlaces>3</decimalPlaces></customField><customField><fieldName>Sinds</fieldName>\
<dataType>DATA-TYPE-DATE</dataType><dateValue><day>1</day><mon>3</mon><year>2026</year></dateValue></customField>\
<customField><fieldName>Allergenen</fieldName><dataType>DATA-TYPE-MULTISELECTINT</dataType><multiSelectInt>2</multiSelectInt>\
<multiSelectInt>5</multiSelectInt></customField></customFieldList>";

/// A relation's own terms: a price for article 100012 from 10 items, and 15% off discount group 4.
const ARTICLE_DISCOUNTS: &str = "<relationArticleDiscountList><relationArticleDiscount>\
<relationArticleDiscountId>7</relationArticleDiscountId><relationNumber>1001</relationNumber><articleNumber>100012</articleNumber>\
<minimumAmount>10</minimumAmount><minimumAmountDecimalPlaces>0</minimumAmountDecimalPlaces><priceIncl>1795</priceIncl>\
<priceExcl>1483</priceExcl></relationArticleDiscount><relationArticleDiscount><relationArticleDiscountId>8</relationArticleDiscountId>\
<relationNumber>1001</relationNumber><articleDiscountGroupNumber>4</articleDiscountGroupNumber><minimumAmount>0</minimumAmount>\
<discountPercentage>15</discountPercentage></relationArticleDiscount></relationArticleDiscountList>";

fn fixtures() -> Vec<(&'static str, String)> {
    vec![
        (
            "getFinancialJournal",
            format!(
                "<GetFinancialJournalResponse {NS}>{FINANCIAL_GROUPS}<financialPeriodClosed>true</financialPeriodClosed></GetFinancialJournalResponse>"
            ),
        ),
        (
            "getFinancialJournalByCashCount",
            format!("<GetFinancialJournalResponse {NS}><financialGroupList/></GetFinancialJournalResponse>"),
        ),
        (
            "getReceipts",
            format!(
                "<GetReceiptsResponse {NS}><receiptList><receipt>{RECEIPT}</receipt></receiptList></GetReceiptsResponse>"
            ),
        ),
        (
            "getReceiptsByCashCount",
            format!(
                "<GetReceiptsByCashCountResponse {NS}><result>GET-RECEIPTS-BY-CASH-COUNT-RESULT-OK</result><receiptList><receipt>{RECEIPT}</receipt></receiptList></GetReceiptsByCashCountResponse>"
            ),
        ),
        (
            "getApiVersion",
            format!(
                "<getApiVersionResponse {NS}><majorNumber>67</majorNumber><minorNumber>1</minorNumber><revisionNumber>3</revisionNumber><serviceHostname>kassa</serviceHostname><inDebugMode>false</inDebugMode></getApiVersionResponse>"
            ),
        ),
        (
            "getCurrentSyncMarkers",
            format!(
                "<getCurrentSyncMarkersResponse {NS}><articleSyncMarker>10</articleSyncMarker><articleGroupSyncMarker>3</articleGroupSyncMarker><relationSyncMarker>20</relationSyncMarker><employeeSyncMarker>2</employeeSyncMarker><invoiceSyncMarker>5</invoiceSyncMarker><receiptSyncMarker>6</receiptSyncMarker><orderSyncMarker>41</orderSyncMarker><proposalSyncMarker>4</proposalSyncMarker><stockId>77</stockId></getCurrentSyncMarkersResponse>"
            ),
        ),
        (
            "getOrders",
            format!("<GetOrdersResponse {NS}><orderList><order>{ORDER}</order></orderList></GetOrdersResponse>"),
        ),
        (
            "getOrder",
            format!(
                "<GetOrderResponse {NS}><result>GET-ORDER-RESULT-OK</result><order>{ORDER}</order></GetOrderResponse>"
            ),
        ),
        (
            "findOrder",
            format!("<GetOrderResponse {NS}><result>GET-ORDER-RESULT-NOT-FOUND</result></GetOrderResponse>"),
        ),
        (
            "getInvoices",
            format!(
                "<GetInvoicesResponse {NS}><invoiceList><invoice><invoiceId>inv-1</invoiceId><orderIds><id>6f1c2c1e-0000-4000-8000-000000000001</id></orderIds><syncMarker>5</syncMarker><invoiceNumber><year>2026</year><number>3</number></invoiceNumber><invoiceType>INVOICE-TYPE-INVOICE</invoiceType><relationNumber>1001</relationNumber><financialDate><day>1</day><mon>12</mon><year>2026</year></financialDate><totalInclAmount>4239</totalInclAmount><vatMethod>VAT-METHOD-INCLUSIVE</vatMethod><paidAmount>4239</paidAmount><state>INVOICE-STATE-PAID</state><lineList><line><articleNumber>100012</articleNumber><data><quantity>2</quantity><decimalPlaces>0</decimalPlaces><price>1995</price></data></line></lineList></invoice></invoiceList></GetInvoicesResponse>"
            ),
        ),
        (
            "getProposals",
            format!(
                "<GetProposalsResponse {NS}><proposalList><proposal><proposalId>p-1</proposalId><syncMarker>4</syncMarker><relationNumber>1001</relationNumber><totalInclAmount>1000</totalInclAmount><state>PROPOSAL-STATE-OUTSTANDING</state></proposal></proposalList></GetProposalsResponse>"
            ),
        ),
        (
            "getProposal",
            format!(
                "<GetProposalResponse {NS}><result>GET-PROPOSAL-RESULT-OK</result><proposal><proposalId>p-2</proposalId>\
<extProposalId>30260001</extProposalId><syncMarker>5</syncMarker><proposalNumber><year>2026</year><number>12</number></proposalNumber>\
<relationNumber>1001</relationNumber><reference>OFF-1</reference><totalInclAmount>4239</totalInclAmount><totalExclAmount>3503</totalExclAmount>\
<vatMethod>VAT-METHOD-INCLUSIVE</vatMethod><changeCounter>2</changeCounter><state>PROPOSAL-STATE-OUTSTANDING</state>\
<lineList><line><articleNumber>100012</articleNumber><text>Trui</text><data><quantity>125</quantity><decimalPlaces>2</decimalPlaces>\
<price>1995</price><priceExcl>1649</priceExcl></data></line></lineList></proposal></GetProposalResponse>"
            ),
        ),
        (
            "saveProposal",
            format!(
                "<SaveProposalResponse {NS}><result>SAVE-PROPOSAL-RESULT-OK</result><info><proposalId>p-2</proposalId>\
<proposalString>2026-000012</proposalString><proposalNumber><year>2026</year><number>12</number></proposalNumber></info>\
<errorMessage></errorMessage></SaveProposalResponse>"
            ),
        ),
        (
            "getRelations",
            format!(
                "<GetRelationsResponse {NS}><relationList><relation><relationNumber>1001</relationNumber><syncMarker>20</syncMarker><name>Anna Jansen</name><address>Damrak 12 A</address><zipcode>1012 LG</zipcode><city>Amsterdam</city><country>NL</country><email>anna@jansen.example</email><birthDate><day>2</day><mon>3</mon><year>1980</year></birthDate><priceGroupNumber>2</priceGroupNumber><discountPercentage>5</discountPercentage><creditLimit>50000</creditLimit>{ARTICLE_DISCOUNTS}<companyName>Jansen BV</companyName></relation></relationList></GetRelationsResponse>"
            ),
        ),
        (
            "getRelation",
            format!(
                "<GetRelationResponse {NS}><result>GET-RELATION-RESULT-OK</result><relation><relationNumber>1001</relationNumber><name>Anna Jansen</name></relation></GetRelationResponse>"
            ),
        ),
        (
            "findRelation",
            format!(
                "<FindRelationResponse {NS}><result>FIND-RELATION-RESULT-OK</result><relation><relationNumber>1001</relationNumber><email>anna@jansen.example</email><relationArticleDiscountList/></relation></FindRelationResponse>"
            ),
        ),
        (
            "createRelation",
            format!(
                "<CreateRelationResponse {NS}><result>CREATE-RELATION-RESULT-OK</result><relationNumber>1002</relationNumber><syncMarker>21</syncMarker><errorMessage></errorMessage></CreateRelationResponse>"
            ),
        ),
        (
            "updateRelation",
            format!(
                "<UpdateRelationResponse {NS}><result>UPDATE-RELATION-RESULT-NOT-FOUND</result><errorMessage>Relation 5 not found</errorMessage></UpdateRelationResponse>"
            ),
        ),
        (
            "getProducts",
            format!(
                "<GetProductsResponse {NS}><productList><product><productNumber>500</productNumber><syncMarker>10</syncMarker><description>T-shirt</description><articleList><article><articleNumber>100012</articleNumber><pluNumber>100012</pluNumber><syncMarker>9</syncMarker><description>T-shirt S</description><size>S</size><barcode>8712345678906</barcode><turnoverGroup>10</turnoverGroup><vatCode>2</vatCode><vatPercentage>21</vatPercentage><purchasePrice>800</purchasePrice><priceIncl>1995</priceIncl><priceExcl>1649</priceExcl><stockArticle>true</stockArticle>{CUSTOM_FIELDS}{PRICE_GROUPS}</article></articleList><groupNumbers>3</groupNumbers></product></productList></GetProductsResponse>"
            ),
        ),
        (
            "updateProduct",
            format!(
                "<UpdateProductResponse {NS}><result>UPDATE-PRODUCT-RESULT-OK</result><existingArticleNumbers>100012</existingArticleNumbers><syncMarker>11</syncMarker><errorMessage></errorMessage></UpdateProductResponse>"
            ),
        ),
        (
            "getArticleGroups",
            format!(
                "<GetArticleGroupsResponse {NS}><articleGroupList><articleGroups><groupNumber>3</groupNumber><syncMarker>3</syncMarker><name>Kleding</name><text>Kleding</text><subGroupList><articleGroups><groupNumber>4</groupNumber><name>Shirts</name><text></text><subGroupList/><sortOrder>1</sortOrder><productNumbers><number>500</number><number>501</number></productNumbers></articleGroups></subGroupList><sortOrder>0</sortOrder><productNumbers/></articleGroups></articleGroupList></GetArticleGroupsResponse>"
            ),
        ),
        (
            "newArticleGroup",
            format!(
                "<NewArticleGroupResponse {NS}><result>NEW-ARTICLE-GROUP-RESULT-OK</result><groupNumber>91</groupNumber></NewArticleGroupResponse>"
            ),
        ),
        (
            "updateArticleGroup",
            format!(
                "<UpdateArticleGroupResponse {NS}><result>SAVE-ARTICLE-GROUP-RESULT-NOT-FOUND</result></UpdateArticleGroupResponse>"
            ),
        ),
        (
            "addProductsToArticleGroup",
            format!(
                "<AddProductsToArticleGroupResponse {NS}><result>ADD-PRODUCTS-TO-ARTICLE-GROUP-RESULT-OK</result></AddProductsToArticleGroupResponse>"
            ),
        ),
        (
            "deleteProductsFromArticleGroup",
            format!(
                "<DeleteProductsFromArticleGroupResponse {NS}><result>DELETE-PRODUCTS-FROM-ARTICLE-GROUP-RESULT-FAILED</result></DeleteProductsFromArticleGroupResponse>"
            ),
        ),
        (
            "getStock",
            format!(
                "<GetStockResponse {NS}><articleStocks><branchNumber>1</branchNumber><articleNumber>100012</articleNumber><stockId>77</stockId><amountFree>1250</amountFree><decimalPlacesFree>2</decimalPlacesFree><amountReserved>3</amountReserved><amountIncoming>0</amountIncoming><isDayStockArticle>false</isDayStockArticle></articleStocks></GetStockResponse>"
            ),
        ),
        (
            "getStockHistory",
            format!(
                "<GetStockHistoryResponse {NS}><articleStockHistory><stockId>77</stockId><timestamp><sec>5</sec><min>4</min><hour>3</hour><day>29</day><mon>11</mon><year>2026</year><isdst>false</isdst><timezone>60</timezone></timestamp><branchNumber>1</branchNumber><articleNumber>100012</articleNumber><amountChanged>-2</amountChanged><type>STOCK-HISTORY-TYPE-SALES</type></articleStockHistory></GetStockHistoryResponse>"
            ),
        ),
        (
            "updateStock",
            format!(
                "<UpdateStockResponse {NS}><result>UPDATE-STOCK-RESULT-OK</result><stockId>78</stockId></UpdateStockResponse>"
            ),
        ),
        (
            "setStock",
            format!("<SetStockResponse {NS}><result>SET-STOCK-RESULT-NO-STOCK-ARTICLE</result></SetStockResponse>"),
        ),
        (
            "getTurnoverGroups",
            format!(
                "<GetTurnoverGroupsResponse {NS}><turnoverGroupList><turnoverGroup><turnoverGroupType>TURNOVER-GROUP-TYPE-TURNOVER</turnoverGroupType><turnoverGroup>10</turnoverGroup><turnoverGroupName>Kleding</turnoverGroupName><accountNumber>8000</accountNumber><defaultVatCode>2</defaultVatCode></turnoverGroup></turnoverGroupList></GetTurnoverGroupsResponse>"
            ),
        ),
        (
            "getVatGroupList",
            format!(
                "<getVatGroupListResponse {NS}><vatGroup><branchNumber>1</branchNumber><countryIso3>NLD</countryIso3><vatCode>2</vatCode><vatPercentage>2100</vatPercentage><accountNumber>1500</accountNumber></vatGroup></getVatGroupListResponse>"
            ),
        ),
        (
            "getPriceGroupList",
            format!(
                "<getPriceGroupListResponse {NS}><priceGroup><priceGroupNumber>1</priceGroupNumber><description>Horeca</description></priceGroup><priceGroup><priceGroupNumber>2</priceGroupNumber><description>Groothandel</description></priceGroup></getPriceGroupListResponse>"
            ),
        ),
        (
            "getCustomFieldLists",
            format!(
                "<GetCustomFieldListsResponse {NS}><articleCustomFieldList><customField><fieldName>Merk</fieldName><dataType>DATA-TYPE-STRING</dataType><isRequired>true</isRequired></customField></articleCustomFieldList><employeeCustomFieldList/><relationCustomFieldList><customField><fieldName>Klantkaart</fieldName><dataType>DATA-TYPE-STRING</dataType><isRequired>false</isRequired></customField></relationCustomFieldList></GetCustomFieldListsResponse>"
            ),
        ),
        (
            "getPaymentMethods",
            format!(
                "<GetPaymentMethodsResponse {NS}><paymentMethodList><paymentMethod><method>PIN</method><description>Pinnen</description><buttonText>PIN</buttonText><allowNegativeAmount>true</allowNegativeAmount><active>true</active><type>PAYMENT-METHOD-TYPE-EFT</type><accountNumber>1100</accountNumber></paymentMethod></paymentMethodList></GetPaymentMethodsResponse>"
            ),
        ),
        (
            "getDeliveryMethods",
            format!(
                "<GetDeliveryMethodsResponse {NS}><deliveryMethodList><deliveryMethod><deliveryMethod>PostNL</deliveryMethod><description>PostNL pakket</description><buttonText>PostNL</buttonText><enabled>true</enabled></deliveryMethod></deliveryMethodList></GetDeliveryMethodsResponse>"
            ),
        ),
        (
            "getBranches",
            format!(
                "<getBranchesResponse {NS}><branches><branch><branchNumber>1</branchNumber><branchName>Amsterdam</branchName><abbreviation>AMS</abbreviation><workplaces><workplace><workplaceNumber>1</workplaceNumber><workplaceName>Kassa 1</workplaceName><isMobile>false</isMobile></workplace></workplaces><countryCode>528</countryCode><countryIso3>NLD</countryIso3><countryName>Nederland</countryName></branch></branches></getBranchesResponse>"
            ),
        ),
        (
            "getEmployees",
            format!(
                "<GetEmployeesResponse {NS}><employeeList><employee><employeeNumber>999999</employeeNumber><syncMarker>2</syncMarker><name>Superuser</name><active>true</active></employee></employeeList></GetEmployeesResponse>"
            ),
        ),
        (
            "deliverOrderV2",
            format!(
                "<DeliverOrderV2Response {NS}><result>DELIVER-ORDER-V2-RESULT-OK</result><packingSlipId>ps-1</packingSlipId></DeliverOrderV2Response>"
            ),
        ),
        (
            "createOrderV3",
            format!(
                "<CreateOrderV3Response {NS}><idempotencyResult>IDEMPOTENCY-RESULT-REPLAY-RESPONSE</idempotencyResult><result>CREATE-ORDER-RESULT-OK</result><order>{ORDER}</order><info><orderId>6f1c2c1e-0000-4000-8000-000000000001</orderId><orderString>2026-17</orderString></info></CreateOrderV3Response>"
            ),
        ),
    ]
}

#[test]
fn sample_responses_are_valid_against_the_wsdl() {
    if !xmllint_available() {
        return;
    }
    for (operation, element) in fixtures() {
        if let Err(errors) = validate_element(&element) {
            panic!("the {operation} fixture is not valid:\n{errors}");
        }
    }
}

#[tokio::test]
async fn requests_are_valid_and_responses_parse_exactly() {
    let server = canned_server(
        fixtures()
            .into_iter()
            .map(|(operation, element)| (operation, soap_response(&element)))
            .collect::<HashMap<_, _>>(),
    )
    .await;
    let client = MplusClient::builder(MplusConfig::with_endpoint(&server.url, "shop-ident", "shop-secret"))
        .build()
        .unwrap();

    let version = client.test_connection().await.unwrap();
    assert_eq!(version.to_string(), "67.1.3");
    assert_eq!(client.current_sync_markers().await.unwrap().order_sync_marker, 41);

    let filter = DocumentFilter {
        from_financial_date: NaiveDate::from_ymd_opt(2026, 11, 1),
        branch_numbers: vec![1, 2],
        order_types: vec![OrderType::SalesOrder],
        include_lines: Some(true),
        ..DocumentFilter::default()
    };
    let orders = client.get_orders(&filter, 41, 50).await.unwrap();
    let order = &orders[0];
    assert_eq!(order.total_incl_amount, Some(dec("42.39")));
    assert_eq!(order.financial_date, NaiveDate::from_ymd_opt(2026, 11, 29));
    assert_eq!(order.vat_method, Some(VatMethod::Inclusive));
    assert_eq!(order.vat_group_list[0].vat_amount, Some(dec("7.36")));
    assert_eq!(order.line_list.len(), 2);
    assert_eq!(order.line_list[0].quantity, dec("1.25"));
    assert_eq!(order.line_list[0].price, Some(dec("19.95")));
    assert_eq!(
        order.line_list[1].quantity,
        dec("1"),
        "absent decimalPlaces means whole units"
    );
    assert_eq!(order.payment_list[0].amount, dec("42.39"));
    assert_eq!(
        order.delivery_address.as_ref().unwrap().city.as_deref(),
        Some("Amsterdam")
    );

    assert!(
        client
            .get_order("6f1c2c1e-0000-4000-8000-000000000001")
            .await
            .unwrap()
            .is_some()
    );
    assert!(client.find_order("WEB-404").await.unwrap().is_none());

    let by_id = DocumentFilter {
        receipt_ids: vec!["r-1".into()],
        ..filter.clone()
    };
    let receipts = client.get_receipts(&by_id, 6, 50).await.unwrap();
    assert_eq!(receipts[0].total_incl_amount, Some(dec("10.90")));
    assert_eq!(receipts[0].receipt_number.unwrap().number, 88);
    assert_eq!(receipts[0].line_list[0].quantity, dec("2"));
    assert!(receipts[0].is_finished_sale() && receipts[0].relation_number.is_none());
    let day = client.get_receipts_by_cash_count("cc-1").await.unwrap().unwrap();
    assert_eq!(day[0].payment_list[0].amount, dec("10.90"));

    let day = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let journal = client.get_financial_journal(day, day).await.unwrap();
    assert_eq!(journal.period_closed, Some(true));
    let turnover = &journal.groups[0];
    assert_eq!(
        (turnover.group_type.clone(), turnover.source.clone()),
        (FinancialGroupType::Turnover, FinancialGroupSource::Receipt)
    );
    assert_eq!(
        (turnover.number, turnover.name.as_str(), turnover.account_number),
        (Some(30), "Boeken", 8020)
    );
    assert_eq!(
        (turnover.branch_number, turnover.ext_branch_id.as_deref()),
        (Some(1), Some("BR01"))
    );
    assert_eq!(turnover.workplace_numbers, [1, 2]);
    assert_eq!(
        (turnover.from_date, turnover.through_date, turnover.period_closed),
        (Some(day), Some(day), Some(true))
    );
    assert_eq!(
        (turnover.incl_amount, turnover.excl_amount),
        (Some(dec("10.90")), Some(dec("10.00")))
    );
    let vat = &turnover.vat_groups[0];
    assert_eq!(
        (vat.vat_code, vat.vat_percentage, vat.account_number),
        (2, 9, Some(1501))
    );
    assert_eq!(
        (vat.excl_amount, vat.vat_amount),
        (Some(dec("10.00")), Some(dec("0.90")))
    );
    let cash = &journal.groups[1];
    assert_eq!(cash.group_type, FinancialGroupType::Payment);
    assert_eq!(
        (cash.id.as_deref(), cash.account_number, cash.incl_amount),
        (Some("CONTANT"), 1000, Some(dec("10.90")))
    );
    assert!(cash.vat_groups.is_empty() && cash.workplace_numbers.is_empty() && cash.number.is_none());
    let empty = client.get_financial_journal_by_cash_count("cc-1").await.unwrap();
    assert_eq!((empty.groups.len(), empty.period_closed), (0, None));

    let invoices = client.get_invoices(&filter, 1, 10).await.unwrap();
    assert_eq!(invoices[0].order_ids, ["6f1c2c1e-0000-4000-8000-000000000001"]);
    assert_eq!(invoices[0].paid_amount, Some(dec("42.39")));
    assert_eq!(invoices[0].line_list[0].quantity, dec("2"));
    assert_eq!(
        client.get_proposals(&DocumentFilter::default(), 1, 10).await.unwrap()[0].total_incl_amount,
        Some(dec("10"))
    );

    let proposal = client.get_proposal("p-2").await.unwrap().unwrap();
    assert_eq!(
        (proposal.ext_proposal_id.as_deref(), proposal.change_counter),
        (Some("30260001"), Some(2))
    );
    assert_eq!(proposal.proposal_number, Some(YearNumber { year: 2026, number: 12 }));
    assert_eq!(
        (proposal.line_list[0].quantity, proposal.line_list[0].price_excl),
        (dec("1.25"), Some(dec("16.49")))
    );
    let saved = client.save_proposal(&proposal_write()).await.unwrap();
    assert_eq!(
        saved,
        SavedProposal {
            proposal_id: "p-2".into(),
            proposal_number: Some(YearNumber { year: 2026, number: 12 }),
        }
    );

    let relations = client.get_relations(&[], 1, 100).await.unwrap();
    assert_eq!(relations[0].credit_limit, Some(dec("500")));
    assert_eq!(relations[0].birth_date, NaiveDate::from_ymd_opt(1980, 3, 2));
    assert_eq!(
        (relations[0].price_group_number, relations[0].discount_percentage),
        (Some(2), Some(5))
    );
    assert_eq!(
        relations[0].relation_article_discount_list,
        Some(RelationArticleDiscountList {
            relation_article_discount: article_discounts(true)
        })
    );
    let one = client.get_relation(1001).await.unwrap().unwrap();
    assert_eq!(one.relation_number, Some(1001));
    assert_eq!(one.relation_article_discount_list, None, "an absent list is None");
    let pattern = Relation {
        email: Some("anna@jansen.example".into()),
        ..Relation::default()
    };
    let found = client.find_relation(&pattern).await.unwrap().unwrap();
    assert_eq!(
        found.relation_article_discount_list,
        Some(RelationArticleDiscountList::default()),
        "an empty list is an empty list"
    );
    let new_relation = Relation {
        name: Some("Piet de Vries".into()),
        company_name: Some("De Vries & Zn".into()),
        address: Some("Kerkstraat 1".into()),
        email: Some("piet@devries.example".into()),
        birth_date: NaiveDate::from_ymd_opt(1975, 5, 6),
        credit_limit: Some(dec("250.50")),
        default_vat_method: Some(VatMethod::Inclusive),
        ..Relation::default()
    };
    assert_eq!(
        client.create_relation(&new_relation).await.unwrap().relation_number,
        1002
    );
    let missing = client
        .update_relation(&Relation {
            relation_number: Some(5),
            ..relation_terms_update()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(missing, MplusError::Business { outcome: BusinessOutcome::NotFound, ref message, .. } if message.as_deref() == Some("Relation 5 not found"))
    );

    let products = client
        .get_products(
            &ProductFilter {
                only_active: Some(true),
                ..ProductFilter::default()
            },
            1,
            100,
        )
        .await
        .unwrap();
    let article = &products[0].article_list[0];
    assert_eq!(
        (article.price_incl, article.purchase_price),
        (Some(dec("19.95")), Some(dec("8")))
    );
    assert_eq!(products[0].group_numbers, [3]);
    let volume_break = &article.price_group_list[1];
    assert_eq!(article.price_group_list.len(), 2);
    assert_eq!(
        (
            volume_break.price_group_number,
            volume_break.description.as_deref(),
            volume_break.price_incl,
            volume_break.price_excl,
            volume_break.discount_percentage,
            volume_break.minimum_amount
        ),
        (
            2,
            Some("Groothandel"),
            Some(dec("15.95")),
            Some(dec("13.18")),
            Some(20),
            Some(10)
        )
    );
    let custom: Vec<_> = article
        .custom_field_list
        .iter()
        .map(|f| (f.field_name.as_str(), f.data_type, f.decimal_value(), f.date_value))
        .collect();
    assert_eq!(
        custom,
        [
            ("Gewicht", Some(CustomFieldType::Decimal), Some(dec("1.250")), None),
            (
                "Sinds",
                Some(CustomFieldType::Date),
                None,
                NaiveDate::from_ymd_opt(2026, 3, 1)
            ),
            ("Allergenen", Some(CustomFieldType::MultiSelectInt), None, None),
        ]
    );
    let custom_fields = client.get_custom_field_lists().await.unwrap();
    assert_eq!(
        (
            custom_fields.article[0].field_name.as_str(),
            custom_fields.article[0].data_type,
            custom_fields.article[0].is_required,
            custom_fields.employee.len(),
            custom_fields.relation[0].field_name.as_str(),
        ),
        ("Merk", Some(CustomFieldType::String), Some(true), 0, "Klantkaart")
    );
    let price_groups = client.get_price_groups().await.unwrap();
    assert_eq!(
        price_groups
            .iter()
            .map(|g| (g.price_group_number, g.description.as_deref(), g.price_incl))
            .collect::<Vec<_>>(),
        [(1, Some("Horeca"), None), (2, Some("Groothandel"), None)]
    );
    let marker = client.update_product(&price_group_update()).await.unwrap();
    assert_eq!(marker, Some(11));
    let groups = client.get_article_groups(1, 100).await.unwrap();
    assert_eq!(groups[0].sub_group_list[0].name.as_deref(), Some("Shirts"));
    assert_eq!(groups[0].sub_group_list[0].product_numbers, [500, 501]);
    assert!(groups[0].product_numbers.is_empty());
    assert_eq!(ArticleGroup::find(&groups, 4).map(|g| g.group_number), Some(4));
    assert_eq!(client.new_article_group(3, "Truien", "Warme truien").await.unwrap(), 91);
    let missing = client.update_article_group(7, Some("Jassen"), None).await.unwrap_err();
    assert!(
        matches!(missing, MplusError::Business { outcome: BusinessOutcome::NotFound, ref result, message: None, .. } if result == "SAVE-ARTICLE-GROUP-RESULT-NOT-FOUND"),
        "{missing:?}"
    );
    client.add_products_to_article_group(91, &[500, 501]).await.unwrap();
    let refused = client.delete_products_from_article_group(91, &[500]).await.unwrap_err();
    assert_eq!(refused.business_outcome(), Some(BusinessOutcome::Failed));

    let stock = client.get_stock(1, &[100012], None).await.unwrap();
    assert_eq!(
        (stock[0].amount_free, stock[0].amount_reserved),
        (dec("12.5"), dec("3"))
    );
    let history = client.get_stock_history(1, &[], 70, 100).await.unwrap();
    assert_eq!(history[0].amount_changed, dec("-2"));
    assert_eq!(history[0].timestamp.unwrap().to_string(), "2026-11-29 03:04:05");
    let change = StockChange {
        branch_number: 1,
        article_number: 100012,
        amount: dec("-1.5"),
        employee_number: Some(999999),
        reference: Some("AFAS 41".into()),
    };
    assert_eq!(client.update_stock(&change).await.unwrap(), Some(78));
    let not_stocked = client.set_stock(&change).await.unwrap_err();
    assert_eq!(not_stocked.business_outcome(), Some(BusinessOutcome::Failed));

    assert_eq!(
        client.get_turnover_groups(true).await.unwrap()[0].account_number,
        Some(8000)
    );
    assert_eq!(client.get_vat_groups().await.unwrap()[0].vat_code, 2);
    assert_eq!(client.get_payment_methods().await.unwrap()[0].method, "PIN");
    let delivery = client.get_delivery_methods().await.unwrap();
    assert_eq!(
        (delivery[0].delivery_method.as_str(), delivery[0].enabled),
        ("PostNL", Some(true))
    );
    assert_eq!(
        client.get_branches().await.unwrap()[0].workplaces[0].workplace_number,
        1
    );
    assert_eq!(
        client.get_employees(&[], 1, 10).await.unwrap()[0].employee_number,
        Some(999999)
    );

    let new_order = NewOrder {
        ext_order_id: "WEB-1001".into(),
        order_type: Some(OrderType::SalesOrder),
        entry_branch_number: Some(1),
        employee_number: Some(999999),
        relation_number: Some(1001),
        delivery_address: Some(Address {
            name: Some("Anna Jansen".into()),
            address: Some("Damrak 12 A".into()),
            ..Address::default()
        }),
        financial_date: NaiveDate::from_ymd_opt(2026, 11, 29),
        workplace_number: Some(1),
        reference: Some("WEB-1001".into()),
        vat_method: Some(VatMethod::Inclusive),
        lines: vec![
            NewLine {
                article_number: 100012,
                quantity: dec("1.25"),
                price: Some(dec("19.95")),
                ..NewLine::default()
            },
            NewLine {
                article_number: 100013,
                text: Some("Gift wrap <red> & gold".into()),
                quantity: dec("1"),
                price: Some(dec("17.45")),
                ..NewLine::default()
            },
        ],
        ..NewOrder::default()
    };
    let payment = NewPayment {
        method: "PIN".into(),
        amount: dec("42.39"),
        description: None,
        external_reference: Some("psp-1".into()),
    };
    let created = client
        .create_order(&new_order, "koppel-WEB-1001", &[payment])
        .await
        .unwrap();
    assert!(created.replayed);
    assert_eq!(created.order_string.as_deref(), Some("2026-17"));

    let delivered = client
        .deliver_order_lines(
            "6f1c2c1e-0000-4000-8000-000000000001",
            &[("l1".to_owned(), dec("0.750")), ("l2".to_owned(), dec("1"))],
        )
        .await
        .unwrap();
    assert!(delivered);

    // Every request went to the endpoint with the credentials as query parameters, and validates.
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), fixtures().len(), "one call per operation");
    let checked = xmllint_available();
    for (action, target, body) in &requests {
        assert_eq!(target, "/?ident=shop-ident&secret=shop-secret");
        assert!(!body.contains("shop-secret"));
        let element = body_element(body);
        assert!(
            element.starts_with(&format!("<{action} xmlns=\"urn:mplusqapi\"")),
            "{element}"
        );
        if checked && let Err(errors) = validate_element(element) {
            panic!("the {action} request is not valid:\n{errors}\n{element}");
        }
    }
    let create = requests.iter().find(|(action, ..)| action == "createOrderV3").unwrap();
    assert!(
        create
            .2
            .contains("<quantity>125</quantity><decimalPlaces>2</decimalPlaces><price>1995</price>")
    );
    assert!(create.2.contains("Gift wrap &lt;red&gt; &amp; gold"));
    let delivery = requests.iter().find(|(action, ..)| action == "deliverOrderV2").unwrap();
    assert!(
        delivery.2.contains(
            "<line><lineId>l1</lineId><quantity>75</quantity><decimalPlaces>2</decimalPlaces></line>\
<line><lineId>l2</lineId><quantity>1</quantity><decimalPlaces>0</decimalPlaces></line>"
        ),
        "{}",
        delivery.2
    );
}

#[test]
fn partial_deliveries_follow_the_wsdl_sequence() {
    let request = deliver_order_v2_request(
        "o-1",
        &[("l1".to_owned(), dec("1.125")), ("l2 & co".to_owned(), dec("3"))],
    )
    .unwrap();
    assert!(
        request.contains(
            "<deliverOrderV2 xmlns=\"urn:mplusqapi\"><request><orderDelivery><orderId>o-1</orderId><lineList>\
<line><lineId>l1</lineId><quantity>1125</quantity><decimalPlaces>3</decimalPlaces></line>\
<line><lineId>l2 &amp; co</lineId><quantity>3</quantity><decimalPlaces>0</decimalPlaces></line>\
</lineList></orderDelivery></request></deliverOrderV2>"
        ),
        "{request}"
    );
    let none = deliver_order_v2_request("o-1", &[]).unwrap();
    let too_large = deliver_order_v2_request("o-1", &[("l1".to_owned(), Decimal::MAX)]);
    assert!(matches!(too_large, Err(MplusError::InvalidRequest(_))), "{too_large:?}");
    if !xmllint_available() {
        return;
    }
    for request in [&request, &none] {
        if let Err(errors) = validate_element(body_element(request)) {
            panic!("the deliverOrderV2 request is not valid:\n{errors}\n{request}");
        }
    }
}

/// A proposal replacing p-2's lines: one by weight priced incl. VAT, one priced excl. VAT with its own text.
fn proposal_write() -> ProposalWrite {
    ProposalWrite {
        proposal_id: Some("p-2".into()),
        ext_proposal_id: Some("30260001".into()),
        relation_number: Some(1001),
        financial_date: NaiveDate::from_ymd_opt(2026, 11, 29),
        reference: Some("OFF-1".into()),
        vat_method: Some(VatMethod::Inclusive),
        change_counter: Some(2),
        lines: vec![
            NewLine {
                article_number: 100012,
                quantity: dec("1.25"),
                price: Some(dec("19.95")),
                ..NewLine::default()
            },
            NewLine {
                article_number: 100013,
                text: Some("Trui & sjaal".into()),
                quantity: dec("2"),
                price_excl: Some(dec("14.42")),
                ..NewLine::default()
            },
        ],
        ..ProposalWrite::default()
    }
}

#[test]
fn proposal_writes_follow_the_wsdl_sequence() {
    let request = save_proposal_request(&proposal_write()).unwrap();
    assert!(
        request.contains(
            "<proposal><proposalId>p-2</proposalId><extProposalId>30260001</extProposalId>\
<relationNumber>1001</relationNumber><financialDate><day>29</day><mon>11</mon><year>2026</year></financialDate>\
<reference>OFF-1</reference><vatMethod>VAT-METHOD-INCLUSIVE</vatMethod><changeCounter>2</changeCounter><lineList>"
        ),
        "{request}"
    );
    assert!(
        request.contains("<quantity>125</quantity><decimalPlaces>2</decimalPlaces><price>1995</price>"),
        "{request}"
    );
    assert!(
        request.contains("<text>Trui &amp; sjaal</text><data><quantity>2</quantity><decimalPlaces>0</decimalPlaces><priceExcl>1442</priceExcl>"),
        "{request}"
    );
    let new = save_proposal_request(&ProposalWrite {
        relation_number: Some(1001),
        lines: vec![NewLine {
            article_number: 100012,
            quantity: dec("1"),
            ..NewLine::default()
        }],
        ..ProposalWrite::default()
    })
    .unwrap();
    assert!(
        !new.contains("<proposalId>") && !new.contains("<extProposalId>"),
        "{new}"
    );
    let too_precise = ProposalWrite {
        lines: vec![NewLine {
            price: Some(dec("0.005")),
            ..NewLine::default()
        }],
        ..ProposalWrite::default()
    };
    assert!(matches!(
        save_proposal_request(&too_precise),
        Err(MplusError::InvalidRequest(_))
    ));
    if !xmllint_available() {
        return;
    }
    for request in [&request, &new] {
        if let Err(errors) = validate_element(body_element(request)) {
            panic!("the saveProposal request is not valid:\n{errors}\n{request}");
        }
    }
}

/// An update of article 100012's price-group prices: group 1 by the price incl. VAT, group 2 from 10 items by
/// the price excl. VAT.
fn price_group_update() -> ProductWrite {
    let prices = vec![
        PriceGroupWrite {
            price_group_number: 1,
            price_incl: Some(dec("17.95")),
            ..PriceGroupWrite::default()
        },
        PriceGroupWrite {
            price_group_number: 2,
            price_excl: Some(dec("13.18")),
            minimum_amount: Some(10),
            ..PriceGroupWrite::default()
        },
    ];
    ProductWrite {
        product_number: Some(500),
        article_list: ArticleWriteList {
            article: vec![ArticleWrite {
                article_number: Some(100012),
                price_incl: Some(dec("19.95")),
                price_group_list: Some(PriceGroupWriteList { price_group: prices }),
                ..ArticleWrite::default()
            }],
        },
        ..ProductWrite::default()
    }
}

#[test]
fn price_group_writes_follow_the_wsdl_sequence() {
    let with_prices = update_product_request(&price_group_update()).unwrap();
    assert!(
        with_prices.contains(
            "<priceIncl>1995</priceIncl><priceGroupList><priceGroup><priceGroupNumber>1</priceGroupNumber>\
<priceIncl>1795</priceIncl></priceGroup><priceGroup><priceGroupNumber>2</priceGroupNumber><priceExcl>1318</priceExcl>\
<minimumAmount>10</minimumAmount></priceGroup></priceGroupList></article>"
        ),
        "{with_prices}"
    );
    // An empty list is sent (it removes the prices); no list leaves them, so none is sent.
    let mut product = price_group_update();
    product.article_list.article[0].price_group_list = Some(PriceGroupWriteList::default());
    let emptied = update_product_request(&product).unwrap();
    assert!(
        emptied.contains("<priceGroupList/>") || emptied.contains("<priceGroupList></priceGroupList>"),
        "{emptied}"
    );
    product.article_list.article[0].price_group_list = None;
    let untouched = update_product_request(&product).unwrap();
    assert!(!untouched.contains("priceGroupList"), "{untouched}");
    product.article_list.article[0].price_group_list = Some(PriceGroupWriteList {
        price_group: vec![PriceGroupWrite {
            price_group_number: 1,
            price_incl: Some(dec("0.005")),
            ..PriceGroupWrite::default()
        }],
    });
    assert!(matches!(
        update_product_request(&product),
        Err(MplusError::InvalidRequest(_))
    ));
    if !xmllint_available() {
        return;
    }
    for request in [&with_prices, &emptied, &untouched] {
        if let Err(errors) = validate_element(body_element(request)) {
            panic!("the updateProduct request is not valid:\n{errors}\n{request}");
        }
    }
}

#[test]
fn custom_field_writes_follow_the_wsdl_sequence() {
    let mut product = price_group_update();
    product.article_list.article[0].custom_field_list = Some(CustomFieldList::from(vec![
        CustomField::string("Merk", "Moyee & co"),
        CustomField::int("Houdbaarheid", 365),
        CustomField::decimal("Gewicht", dec("1.250")).unwrap(),
        CustomField::bool("Webshop", false),
        CustomField::date("Sinds", NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
        CustomField::cleared("Kleur"),
    ]));
    let request = update_product_request(&product).unwrap();
    assert!(
        request.contains(
            "<priceIncl>1995</priceIncl><customFieldList><customField><fieldName>Merk</fieldName>\
<strValue>Moyee &amp; co</strValue></customField><customField><fieldName>Houdbaarheid</fieldName><intValue>365</intValue>\
</customField><customField><fieldName>Gewicht</fieldName><intValue>125</intValue><decimalPlaces>2</decimalPlaces>\
</customField><customField><fieldName>Webshop</fieldName><boolValue>false</boolValue></customField><customField>\
<fieldName>Sinds</fieldName><dateValue><day>1</day><mon>3</mon><year>2026</year></dateValue></customField><customField>\
<fieldName>Kleur</fieldName></customField></customFieldList><priceGroupList>"
        ),
        "{request}"
    );
    assert_eq!(
        CustomField::decimal("Gewicht", dec("1.250")).unwrap().decimal_value(),
        Some(dec("1.25"))
    );
    if xmllint_available()
        && let Err(errors) = validate_element(body_element(&request))
    {
        panic!("the updateProduct request is not valid:\n{errors}\n{request}");
    }
}

#[test]
fn article_group_writes_follow_the_wsdl_sequence() {
    let new = new_article_group_request(0, "Kleding & co", "Alles om aan te trekken").unwrap();
    assert!(
        new.contains(
            "<request><parentGroupNumber>0</parentGroupNumber><name>Kleding &amp; co</name>\
<text>Alles om aan te trekken</text></request>"
        ),
        "{new}"
    );
    let renamed = update_article_group_request(91, Some("Truien"), None).unwrap();
    assert!(
        renamed.contains("<request><groupNumber>91</groupNumber><name>Truien</name></request>"),
        "{renamed}"
    );
    let untouched = update_article_group_request(91, None, None).unwrap();
    assert!(
        !untouched.contains("<name>") && !untouched.contains("<text>"),
        "{untouched}"
    );
    let added = add_products_to_article_group_request(91, &[500, 501]).unwrap();
    assert!(
        added.contains(
            "<request><groupNumber>91</groupNumber><productNumbers><number>500</number><number>501</number>\
</productNumbers></request>"
        ),
        "{added}"
    );
    let deleted = delete_products_from_article_group_request(91, &[500]).unwrap();
    assert!(
        deleted.contains("<productNumbers><number>500</number></productNumbers>"),
        "{deleted}"
    );
    let none = delete_products_from_article_group_request(91, &[]).unwrap();
    if !xmllint_available() {
        return;
    }
    for request in [&new, &renamed, &untouched, &added, &deleted, &none] {
        if let Err(errors) = validate_element(body_element(request)) {
            panic!("the request is not valid:\n{errors}\n{request}");
        }
    }
}

/// The article discounts of [`relation_terms_update`]; `answered` adds what MplusKASSA fills in (as in
/// [`ARTICLE_DISCOUNTS`]): the ids, the relation number, the derived price excl. VAT and a minimum amount of 0.
fn article_discounts(answered: bool) -> Vec<RelationArticleDiscount> {
    let filled = |value| answered.then_some(value);
    vec![
        RelationArticleDiscount {
            relation_article_discount_id: filled(7),
            relation_number: filled(1001),
            article_number: Some(100012),
            minimum_amount: Some(10),
            minimum_amount_decimal_places: Some(0),
            price_incl: Some(dec("17.95")),
            price_excl: answered.then(|| dec("14.83")),
            ..RelationArticleDiscount::default()
        },
        RelationArticleDiscount {
            relation_article_discount_id: filled(8),
            relation_number: filled(1001),
            article_discount_group_number: Some(4),
            minimum_amount: filled(0),
            discount_percentage: Some(15),
            ..RelationArticleDiscount::default()
        },
    ]
}

/// An update of relation 1001's price terms: price group 2, 5% off, and its article discounts.
fn relation_terms_update() -> Relation {
    Relation {
        relation_number: Some(1001),
        price_group_number: Some(2),
        discount_percentage: Some(5),
        relation_article_discount_list: Some(RelationArticleDiscountList {
            relation_article_discount: article_discounts(false),
        }),
        ..Relation::default()
    }
}

#[test]
fn relation_terms_follow_the_wsdl_sequence() {
    let with_terms = update_relation_request(&relation_terms_update()).unwrap();
    assert!(
        with_terms.contains(
            "<relationNumber>1001</relationNumber><priceGroupNumber>2</priceGroupNumber>\
<discountPercentage>5</discountPercentage><relationArticleDiscountList><relationArticleDiscount>\
<articleNumber>100012</articleNumber><minimumAmount>10</minimumAmount><minimumAmountDecimalPlaces>0</minimumAmountDecimalPlaces>\
<priceIncl>1795</priceIncl></relationArticleDiscount><relationArticleDiscount><articleDiscountGroupNumber>4</articleDiscountGroupNumber>\
<discountPercentage>15</discountPercentage></relationArticleDiscount></relationArticleDiscountList></relation>"
        ),
        "{with_terms}"
    );
    // The list sits between defaultVatMethod and companyName.
    let mut relation = relation_terms_update();
    relation.default_vat_method = Some(VatMethod::Exclusive);
    relation.company_name = Some("Jansen BV".into());
    let around = update_relation_request(&relation).unwrap();
    let position = |name: &str| around.find(&format!("<{name}>")).unwrap();
    assert!(position("defaultVatMethod") < position("relationArticleDiscountList"));
    assert!(position("relationArticleDiscountList") < position("companyName"));
    // An empty list is sent (it removes the discounts); no list leaves them, so none is sent.
    relation.relation_article_discount_list = Some(RelationArticleDiscountList::default());
    let emptied = update_relation_request(&relation).unwrap();
    assert!(
        emptied.contains("<relationArticleDiscountList/>")
            || emptied.contains("<relationArticleDiscountList></relationArticleDiscountList>"),
        "{emptied}"
    );
    relation.relation_article_discount_list = None;
    let untouched = update_relation_request(&relation).unwrap();
    assert!(!untouched.contains("relationArticleDiscountList"), "{untouched}");
    relation.relation_article_discount_list = Some(RelationArticleDiscountList {
        relation_article_discount: vec![RelationArticleDiscount {
            article_number: Some(100012),
            price_excl: Some(dec("0.005")),
            ..RelationArticleDiscount::default()
        }],
    });
    assert!(matches!(
        update_relation_request(&relation),
        Err(MplusError::InvalidRequest(_))
    ));
    if !xmllint_available() {
        return;
    }
    for request in [&with_terms, &around, &emptied, &untouched] {
        if let Err(errors) = validate_element(body_element(request)) {
            panic!("the updateRelation request is not valid:\n{errors}\n{request}");
        }
    }
}

#[test]
fn amounts_that_cannot_be_sent_exactly_are_refused() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = MplusClient::builder(MplusConfig::with_endpoint("http://127.0.0.1:9/", "i", "s"))
        .build()
        .unwrap();
    let order = NewOrder {
        ext_order_id: "X".into(),
        lines: vec![NewLine {
            article_number: 1,
            quantity: dec("1"),
            price: Some(dec("0.005")),
            ..NewLine::default()
        }],
        ..NewOrder::default()
    };
    let error = runtime.block_on(client.create_order(&order, "k", &[])).unwrap_err();
    assert!(matches!(error, MplusError::InvalidRequest(_)), "{error:?}");
}

#[test]
fn the_schema_check_rejects_what_the_wsdl_forbids() {
    if !xmllint_available() {
        return;
    }
    // Wrong order, and the required (empty) text lists missing.
    let wrong = format!(
        "<getOrders {NS}><request><syncMarkerLimit>1</syncMarkerLimit><syncMarker>1</syncMarker></request></getOrders>"
    );
    assert!(validate_element(&wrong).is_err());
    let unqualified = "<getOrders><request/></getOrders>";
    assert!(validate_element(unqualified).is_err());
}

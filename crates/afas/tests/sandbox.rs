//! The client against the AFAS simulator over real sockets: every operation the flows use, every error
//! class, retries and back-off, the concurrency cap and the query-length split.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use futures::TryStreamExt;
use koppel_afas::rows::{
    Article, BarcodeRow, Debtor, DiscountGroupLine, GetConnectorRow, SalesOrderRow, SalesPrice, SalesQuotationLineRow,
    SalesQuotationRow, StockPerWarehouse, TransactionRow, VatCode, Warehouse,
};
use koppel_afas::update::{SalesDocumentKind, UpdateConnector};
use koppel_afas::{
    AfasClient, AfasError, AfasToken, Environment, Exchange, Filter, GetQuery, MAX_QUERY_STRING_LEN, Operator,
    RetryPolicy,
};
use koppel_sandbox::control::JournalEntry;
use koppel_sandbox::{Sandbox, SandboxConfig};
use rust_decimal::Decimal;
use serde_json::{Value, json};

async fn sandbox() -> Sandbox {
    Sandbox::start_local(SandboxConfig::default()).await.unwrap()
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    }
}

fn client(sandbox: &Sandbox) -> AfasClient {
    AfasClient::builder(
        Environment::with_base_url(&sandbox.afas_url()),
        AfasToken::new(&sandbox.config.afas_token_xml()),
    )
    .retry(fast_retries())
    .timeout(Duration::from_secs(10))
    .build()
    .unwrap()
}

async fn control(sandbox: &Sandbox, path: &str, body: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/_sandbox/{path}", sandbox.afas_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
}

async fn journal(sandbox: &Sandbox) -> Vec<JournalEntry> {
    reqwest::get(format!("{}/_sandbox/journal", sandbox.afas_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn clear_journal(sandbox: &Sandbox) {
    reqwest::Client::new()
        .delete(format!("{}/_sandbox/journal", sandbox.afas_url()))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn connection_test_reports_missing_get_connectors() {
    let sandbox = sandbox().await;
    let report = client(&sandbox)
        .test_connection(&["Profit_Debtor", "Profit_Article", "Koppel_DoesNotExist"])
        .await
        .unwrap();
    let standard = client(&sandbox)
        .test_connection(&koppel_afas::rows::STANDARD_GET_CONNECTORS)
        .await
        .unwrap();
    assert!(standard.is_complete(), "{standard:?}");
    assert!(!report.profit_version.is_empty());
    assert_eq!(report.available, ["Profit_Debtor", "Profit_Article"]);
    assert_eq!(report.missing, ["Koppel_DoesNotExist"]);
}

#[tokio::test]
async fn reads_page_with_a_sort_order_and_collect_everything() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let all: Vec<Debtor> = client.get_all(Debtor::query()).await.unwrap();
    assert!(all.len() > 5, "seeded debtors: {}", all.len());
    clear_journal(&sandbox).await;
    let paged: Vec<Debtor> = client.get_all(Debtor::query().page_size(5)).await.unwrap();
    assert_eq!(paged, all, "paging returns every row once, in order");
    let requests = journal(&sandbox).await;
    assert_eq!(requests.len(), all.len() / 5 + 1);
    assert!(requests.iter().all(|r| r.path.contains("orderbyfieldids=DebtorId")));

    let pages: Vec<Vec<Article>> = client
        .get_pages(Article::query().page_size(7))
        .try_collect()
        .await
        .unwrap();
    assert!(pages.len() > 1 && pages[..pages.len() - 1].iter().all(|p| p.len() == 7));
    for rows in [
        client.get_all::<Warehouse>(Warehouse::query()).await.unwrap().len(),
        client.get_all::<VatCode>(VatCode::query()).await.unwrap().len(),
        client
            .get_all::<StockPerWarehouse>(StockPerWarehouse::query())
            .await
            .unwrap()
            .len(),
    ] {
        assert!(rows > 0);
    }
}

#[tokio::test]
async fn filters_select_rows() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let some: Vec<Debtor> = client
        .get_all(Debtor::query().filter(Filter::any_of("DebtorId", ["10001", "10003"])))
        .await
        .unwrap();
    assert_eq!(
        some.iter().map(|d| d.debtor_id.as_str()).collect::<Vec<_>>(),
        ["10001", "10003"]
    );
    let later: Vec<Debtor> = client
        .get_all(Debtor::query().filter(Filter::new("DebtorId", Operator::GreaterOrEqual, "10010")))
        .await
        .unwrap();
    assert!(later.iter().all(|d| d.debtor_id.as_str() >= "10010"));
    let separators: Vec<Debtor> = client
        .get_all(Debtor::query().filter(Filter::new("Email", Operator::Equal, "a;b,c@x.example")))
        .await
        .expect("values with separators travel as filterjson");
    assert!(separators.is_empty());
    let unknown_field = client
        .get_all::<Debtor>(Debtor::query().filter(Filter::new("NoSuchField", Operator::Equal, "x")))
        .await
        .unwrap_err();
    assert!(matches!(unknown_field, AfasError::Rejected { .. }), "{unknown_field:?}");
}

#[tokio::test]
async fn dimension_articles_read_their_kinds_and_barcodes_by_item() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let articles: Vec<Article> = client
        .get_by_keys(&Article::query(), Article::KEY, &["1000", "1030"])
        .await
        .unwrap();
    let kinds: Vec<(Option<&str>, Option<&str>)> = articles
        .iter()
        .map(|a| (a.stock_dim_id1.as_deref(), a.stock_dim_id2.as_deref()))
        .collect();
    assert_eq!(kinds, [(None, None), (Some("KLEUR"), Some("MATEN"))]);

    let barcodes: Vec<BarcodeRow> = client
        .get_by_keys(&BarcodeRow::query(), BarcodeRow::KEY, &["1000", "1030"])
        .await
        .unwrap();
    let read: Vec<(&str, &str, Option<&str>, Option<&str>)> = barcodes
        .iter()
        .map(|row| {
            (
                row.item_code.as_str(),
                row.barcode.as_deref().unwrap(),
                row.stock_dim_code1.as_deref(),
                row.stock_dim_code2.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("1000", "8712345000004", None, None),
            ("1030", "8712345000301", None, None),
            ("1030", "8712345100001", Some("ROOD"), Some("M")),
            ("1030", "8712345100018", Some("ROOD"), Some("L")),
            ("1030", "8712345100025", Some("NAVY"), Some("M")),
            ("1030", "8712345100032", Some("NAVY"), Some("L")),
        ]
    );
    assert!(barcodes.iter().all(|row| row.unit.as_deref() == Some("stk")));

    // A combination added in Profit shows up at the next read.
    control(
        &sandbox,
        "article-dimensions",
        json!({"itemCode": "1030", "combinations": [
            {"dimension1": "ROOD", "dimension2": "XL", "barcode": "8712345100049"}]}),
    )
    .await;
    let barcodes: Vec<BarcodeRow> = client
        .get_by_keys(&BarcodeRow::query(), BarcodeRow::KEY, &["1030"])
        .await
        .unwrap();
    assert_eq!(barcodes.len(), 2);
    assert_eq!(barcodes[1].stock_dim_code2.as_deref(), Some("XL"));
}

#[tokio::test]
async fn discount_groups_are_read_per_line_and_debtors_name_theirs() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let debtors: Vec<Debtor> = client
        .get_by_keys(&Debtor::query(), Debtor::KEY, &["10001", "10003", "10005"])
        .await
        .unwrap();
    let groups: Vec<(&str, Option<&str>)> = debtors
        .iter()
        .map(|d| (d.debtor_id.as_str(), d.discount_group.as_deref()))
        .collect();
    assert_eq!(
        groups,
        [("10001", Some("HOR")), ("10003", None), ("10005", Some("GROOT"))]
    );

    let lines: Vec<DiscountGroupLine> = client.get_all(DiscountGroupLine::query()).await.unwrap();
    let read: Vec<(&str, Option<&str>, &str, Decimal)> = lines
        .iter()
        .map(|line| {
            (
                line.discount_group.as_str(),
                line.description.as_deref(),
                line.article_group.as_deref().unwrap(),
                line.discount_percentage.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("GROOT", Some("Groothandel"), "100", dec("15")),
            ("GROOT", Some("Groothandel"), "300", dec("7")),
            ("HOR", Some("Horeca"), "100", dec("10")),
            ("HOR", Some("Horeca"), "200", dec("5")),
        ]
    );
    assert!(lines.iter().all(|line| line.end_date.is_none()));
    assert_eq!(lines[0].start_date.unwrap().to_string(), "2026-01-01 00:00:00");

    // A group changed in Profit: its lines replaced, found by the debtor's group code.
    control(
        &sandbox,
        "discount-groups",
        json!({"code": "HOR", "endDate": "2026-12-31",
            "lines": [{"articleGroup": "300", "percentage": "12.5"}]}),
    )
    .await;
    let lines: Vec<DiscountGroupLine> = client
        .get_by_keys(&DiscountGroupLine::query(), DiscountGroupLine::KEY, &["HOR"])
        .await
        .unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].article_group.as_deref(), Some("300"));
    assert_eq!(lines[0].discount_percentage, Some(dec("12.5")));
    assert_eq!(lines[0].description.as_deref(), Some("Horeca"), "the description stays");
    assert_eq!(lines[0].end_date.unwrap().to_string(), "2026-12-31 00:00:00");
}

#[tokio::test]
async fn many_key_look_ups_are_split_below_the_query_limit() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let keys: Vec<String> = (9_000..9_700)
        .map(|n| n.to_string())
        .chain(["10001".into(), "10002".into()])
        .collect();
    let chunks = client
        .split_by_query_length(&Debtor::query(), "DebtorId", &keys)
        .unwrap();
    assert!(chunks.len() > 1, "700 keys need several requests");
    clear_journal(&sandbox).await;
    let found: Vec<Debtor> = client.get_by_keys(&Debtor::query(), "DebtorId", &keys).await.unwrap();
    assert_eq!(
        found.iter().map(|d| d.debtor_id.as_str()).collect::<Vec<_>>(),
        ["10001", "10002"]
    );
    let requests = journal(&sandbox).await;
    assert_eq!(requests.len(), chunks.len());
    for request in &requests {
        let query = request.path.split_once('?').unwrap().1;
        assert!(query.len() <= MAX_QUERY_STRING_LEN, "{} characters", query.len());
        assert_eq!(request.status, 200);
    }
}

#[tokio::test]
async fn debtors_orders_invoices_and_quotations_are_written() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let org = client
        .insert(&organisation_debtor("Koppel Test BV", "inkoop@koppel-test.example"))
        .await
        .unwrap();
    let org_debtor = org.key("DbId").expect("DbId returned").to_owned();
    let per = client.insert(&person_debtor("anna@koppel-test.example")).await.unwrap();
    assert!(per.key("DbId").is_some());

    let mut update = organisation_debtor("Koppel Test BV", "inkoop@koppel-test.example");
    update.debtor.debtor_id = Some(org_debtor.clone());
    update.debtor.payment_condition = Some("30".into());
    client.update(&update).await.unwrap();

    for (kind, reference) in [
        (SalesDocumentKind::Order, "MPLUS-ORDER-1"),
        (SalesDocumentKind::DirectInvoice, "MPLUS-INVOICE-1"),
        (SalesDocumentKind::Quotation, "MPLUS-QUOTE-1"),
    ] {
        let result = client
            .insert(&sales_document(kind, &org_debtor, "1000", reference))
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert!(result.key("OrNu").is_some(), "{kind:?}: {result:?}");
    }
    let orders: Vec<SalesOrderRow> = client
        .get_all(SalesOrderRow::query().filter(Filter::new("CustomerReference", Operator::Equal, "MPLUS-ORDER-1")))
        .await
        .unwrap();
    assert_eq!(orders.len(), 1, "the order is found back by its reference");
    assert_eq!(orders[0].debtor_id.as_deref(), Some(org_debtor.as_str()));
}

#[tokio::test]
async fn seeded_quotations_are_read_by_modification_time_with_their_lines() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let quotations: Vec<SalesQuotationRow> = client
        .get_all(GetQuery::new(
            SalesQuotationRow::CONNECTOR,
            ["ModifiedDate", SalesQuotationRow::KEY],
        ))
        .await
        .unwrap();
    let summary: Vec<_> = quotations
        .iter()
        .map(|q| {
            (
                q.quotation_number.as_str(),
                q.debtor_id.as_deref(),
                q.customer_reference.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("30260001", Some("10001"), Some("OFFERTE-10001")),
            ("30260002", Some("10004"), Some("OFFERTE-10004")),
        ]
    );
    assert_eq!(quotations[0].status.as_deref(), Some("Open"));
    assert_eq!(quotations[0].modified.unwrap().to_string(), "2026-01-05 09:00:00");
    assert!(quotations[1].modified > quotations[0].modified);
    assert_eq!(quotations[1].quotation_date.unwrap().to_string(), "2026-01-12 00:00:00");

    // Changed since the first one: only the second.
    let since = Filter::new("ModifiedDate", Operator::Greater, "2026-01-05T09:00:00");
    let changed: Vec<SalesQuotationRow> = client.get_all(SalesQuotationRow::query().filter(since)).await.unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].quotation_number, "30260002");

    let lines: Vec<SalesQuotationLineRow> = client
        .get_by_keys(
            &SalesQuotationLineRow::query(),
            SalesQuotationLineRow::KEY,
            &["30260002".to_owned()],
        )
        .await
        .unwrap();
    let read: Vec<_> = lines
        .iter()
        .map(|l| (l.sequence, l.item_code.as_deref(), l.quantity, l.price_per_unit))
        .collect();
    let dec = |text: &str| Some(text.parse::<Decimal>().unwrap());
    assert_eq!(
        read,
        [
            (Some(1), Some("1001"), dec("1"), dec("79.95")),
            (Some(2), Some("1006"), dec("3"), dec("24.95")),
            (Some(3), Some("1014"), dec("2"), dec("24.95")),
        ],
        "prices as posted, else the article's"
    );
    assert_eq!(lines[1].description.as_deref(), Some("Sjaal S"));
    assert_eq!(lines[1].vat_code.as_deref(), Some("1"));
    assert_eq!(lines[0].modified, quotations[1].modified);
    let all: Vec<SalesQuotationLineRow> = client.get_all(SalesQuotationLineRow::query()).await.unwrap();
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn articles_stock_and_prices_are_written() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let inserted = client.insert(&article("KOPPEL-1")).await.unwrap();
    assert_eq!(inserted.key("ItCd"), Some("KOPPEL-1"));
    let mut changed = article("KOPPEL-1");
    changed.description = Some("Renamed".into());
    client.update(&changed).await.unwrap();
    let rows: Vec<Article> = client
        .get_by_keys(&Article::query(), Article::KEY, &["KOPPEL-1"])
        .await
        .unwrap();
    assert_eq!(rows[0].description.as_deref(), Some("Renamed"));

    client.insert(&stock_mutation("KOPPEL-1", dec("5"))).await.unwrap();
    client.insert(&sales_price("1000")).await.unwrap();
    let duplicate = client.insert(&article("KOPPEL-1")).await.unwrap_err();
    assert!(matches!(duplicate, AfasError::Rejected { .. }), "{duplicate:?}");
    client.delete("FbItemArticle", "ItCd", "KOPPEL-1").await.unwrap();
}

#[tokio::test]
async fn sales_prices_are_read_as_typed_rows_with_their_volume_breaks() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let query = GetQuery::new(SalesPrice::CONNECTOR, [SalesPrice::KEY, "Quantity"])
        .filter(Filter::new("Level", Operator::Equal, "GRO").and("Volume", Operator::Equal, true));
    let rows: Vec<SalesPrice> = client
        .get_by_keys(&query, SalesPrice::KEY, &["1000", "1003"])
        .await
        .unwrap();
    let scale: Vec<(&str, Decimal, Decimal)> = rows
        .iter()
        .map(|row| (row.item.as_str(), row.quantity.unwrap(), row.net_price.unwrap()))
        .collect();
    assert_eq!(
        scale,
        [
            ("1000", dec("1"), dec("15.96")),
            ("1000", dec("6"), dec("14.96")),
            ("1000", dec("24"), dec("13.97")),
            ("1003", dec("1"), dec("79.96")),
        ]
    );
    let row = &rows[0];
    assert_eq!((row.level.as_deref(), row.debtor.as_deref()), (Some("GRO"), None));
    assert_eq!(
        (row.currency.as_deref(), row.unit.as_deref()),
        (Some("EUR"), Some("stk"))
    );
    assert_eq!(row.volume, Some(true));
    assert!(row.date.as_deref().is_some_and(|date| date.ends_with("T00:00:00Z")));
    assert_eq!(
        (row.gross_price, row.discount),
        (Some(dec("15.96")), Some(Decimal::ZERO))
    );
}

#[tokio::test]
async fn a_financial_entry_is_booked_and_found_by_voucher_number() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let first = client.insert(&financial_entry("MPLUS-20261203-1")).await.unwrap();
    assert_eq!(first.key("EnNo"), Some("1"));
    assert_eq!(first.key("UnId"), Some("1"));
    let second = client.insert(&financial_entry("MPLUS-20261203-2")).await.unwrap();
    assert_eq!(second.key("EnNo"), Some("2"));

    // The look-up before posting: several voucher numbers OR-ed, unknown ones simply absent.
    let vouchers = ["MPLUS-20261203-1", "MPLUS-20261203-2", "MPLUS-20261204-1"];
    let rows: Vec<TransactionRow> = client
        .get_by_keys(&TransactionRow::query(), "VoucherNo", &vouchers)
        .await
        .unwrap();
    assert_eq!(rows.len(), 12, "six lines per entry");
    let booked: std::collections::BTreeSet<(i64, Option<String>)> = rows
        .iter()
        .map(|row| (row.entry_number, row.voucher_number.clone()))
        .collect();
    assert_eq!(
        booked.into_iter().collect::<Vec<_>>(),
        [(1, Some(vouchers[0].to_owned())), (2, Some(vouchers[1].to_owned()))]
    );
    let pin = &rows[0];
    assert_eq!(
        (pin.account.as_deref(), pin.debit, pin.credit),
        (Some("1010"), Some(dec("121")), Some(dec("0")))
    );
    assert_eq!(pin.journal.as_deref(), Some("90"));

    // Out of balance by a cent: a permanent rejection, nothing booked.
    let mut unbalanced = financial_entry("MPLUS-20261205-1");
    unbalanced.lines[0].debit = dec("121.01");
    let error = client.insert(&unbalanced).await.unwrap_err();
    let AfasError::Rejected { external_message, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(external_message.contains("not in balance"), "{external_message}");
    assert!(!error.is_retryable());
    let none: Vec<TransactionRow> = client
        .get_by_keys(&TransactionRow::query(), "VoucherNo", &["MPLUS-20261205-1"])
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn validation_errors_are_permanent_rejections() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    clear_journal(&sandbox).await;
    let error = client
        .insert(&sales_document(SalesDocumentKind::Order, "99999999", "1000", "X"))
        .await
        .unwrap_err();
    let AfasError::Rejected {
        external_message,
        log_reference,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert!(!external_message.is_empty() && !log_reference.is_empty());
    assert!(!error.is_retryable());
    assert_eq!(journal(&sandbox).await.len(), 1, "a rejection is not retried");
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_a_foreign_ip_is_blocked() {
    let sandbox = sandbox().await;
    let wrong = AfasClient::builder(
        Environment::with_base_url(&sandbox.afas_url()),
        AfasToken::new(&"0".repeat(64)),
    )
    .build()
    .unwrap();
    let error = wrong.test_connection(&[]).await.unwrap_err();
    assert!(matches!(error, AfasError::Unauthorized), "{error:?}");

    control(&sandbox, "ip-allow-list", json!({"allow": ["10.1.2.3"]})).await;
    let error = client(&sandbox).test_connection(&[]).await.unwrap_err();
    assert!(matches!(error, AfasError::IpBlocked), "{error:?}");
}

#[tokio::test]
async fn maintenance_is_waited_out_for_retry_after() {
    let sandbox = sandbox().await;
    control(
        &sandbox,
        "faults",
        json!({"operation": "FbSales", "kind": "unavailable", "retry_after": 1, "times": 1}),
    )
    .await;
    clear_journal(&sandbox).await;
    let started = Instant::now();
    client(&sandbox)
        .insert(&sales_document(SalesDocumentKind::Order, "10001", "1000", "MAINT"))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited retry_after");
    let statuses: Vec<u16> = journal(&sandbox).await.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 201]);
}

#[tokio::test]
async fn a_long_maintenance_window_is_returned_to_the_caller() {
    let sandbox = sandbox().await;
    control(
        &sandbox,
        "faults",
        json!({"operation": "Profit_Debtor", "kind": "unavailable", "retry_after": 7200}),
    )
    .await;
    let error = client(&sandbox).get_all::<Debtor>(Debtor::query()).await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7200)));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_locked_record_is_retried_until_it_succeeds() {
    let sandbox = sandbox().await;
    control(
        &sandbox,
        "faults",
        json!({"operation": "FbSales", "kind": "locked", "times": 2}),
    )
    .await;
    clear_journal(&sandbox).await;
    client(&sandbox)
        .insert(&sales_document(SalesDocumentKind::Order, "10001", "1000", "LOCKED"))
        .await
        .unwrap();
    let statuses: Vec<u16> = journal(&sandbox).await.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 500, 201]);
}

#[tokio::test]
async fn bare_5xx_and_dropped_connections_are_transient() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    // A read is retried: two 502s, then the answer.
    control(
        &sandbox,
        "faults",
        json!({"operation": "Profit_Debtor", "kind": "status", "status": 502, "times": 2}),
    )
    .await;
    clear_journal(&sandbox).await;
    client.get_all::<Debtor>(Debtor::query()).await.unwrap();
    assert_eq!(journal(&sandbox).await.len(), 3);

    // A write that may have reached AFAS is not resent: the caller looks it up first.
    control(
        &sandbox,
        "faults",
        json!({"operation": "FbSales", "kind": "status", "status": 502, "times": 1}),
    )
    .await;
    clear_journal(&sandbox).await;
    let error = client
        .insert(&sales_document(SalesDocumentKind::Order, "10001", "1000", "BARE"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, AfasError::Transient { .. }) && error.may_have_been_processed(),
        "{error:?}"
    );
    assert_eq!(journal(&sandbox).await.len(), 1);

    control(
        &sandbox,
        "faults",
        json!({"operation": "Profit_Article", "kind": "drop"}),
    )
    .await;
    let error = client.get_all::<Article>(Article::query()).await.unwrap_err();
    assert!(matches!(error, AfasError::Transient { .. }), "{error:?}");
}

#[tokio::test]
async fn a_redirect_is_reported_not_followed() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    // Followed, the POST would come back as a GET to the other address (here the simulator itself).
    let moved = format!("{}/connectors/FbSales", sandbox.afas_url());
    control(
        &sandbox,
        "faults",
        json!({"operation": "FbSales", "kind": "redirect", "status": 302, "location": format!("{moved}?moved=1"), "times": 1}),
    )
    .await;
    clear_journal(&sandbox).await;
    let error = client
        .insert(&sales_document(SalesDocumentKind::Order, "10001", "1000", "MOVED"))
        .await
        .unwrap_err();
    let AfasError::Redirected { status, location } = &error else {
        panic!("{error:?}");
    };
    assert_eq!((*status, location), (302, &moved), "reported without the query string");
    assert!(!error.is_retryable() && !error.may_have_been_processed(), "{error:?}");
    let seen = journal(&sandbox).await;
    assert_eq!(seen.len(), 1, "one POST, nothing sent after it: {seen:?}");
    assert_eq!(seen[0].method, "POST");
}

#[tokio::test]
async fn slow_answers_time_out_as_transient() {
    let sandbox = sandbox().await;
    control(
        &sandbox,
        "faults",
        json!({"operation": "Profit_Debtor", "kind": "slow", "ms": 2000}),
    )
    .await;
    let client = AfasClient::builder(
        Environment::with_base_url(&sandbox.afas_url()),
        AfasToken::new(&sandbox.config.afas_token_data),
    )
    .timeout(Duration::from_millis(300))
    .retry(RetryPolicy::never())
    .build()
    .unwrap();
    let error = client.get_all::<Debtor>(Debtor::query()).await.unwrap_err();
    assert!(matches!(error, AfasError::Transient { .. }), "{error:?}");
}

#[tokio::test]
async fn too_large_and_not_found_are_told_apart() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    control(
        &sandbox,
        "faults",
        json!({"operation": "FbItemArticle", "kind": "status", "status": 413, "times": 1}),
    )
    .await;
    let error = client.insert(&article("BIG")).await.unwrap_err();
    assert!(matches!(error, AfasError::TooLarge), "{error:?}");
    let too_long =
        GetQuery::new("Profit_Debtor", ["DebtorId"]).filter(Filter::new("DebtorId", Operator::Equal, "x".repeat(2100)));
    let error = client.get_all::<Debtor>(too_long).await.unwrap_err();
    assert!(
        matches!(error, AfasError::InvalidRequest(_)),
        "refused before sending: {error:?}"
    );
}

#[tokio::test]
async fn at_most_eight_requests_are_in_flight_per_environment() {
    let sandbox = sandbox().await;
    control(&sandbox, "concurrency-limit", json!({"enabled": true})).await;
    control(
        &sandbox,
        "faults",
        json!({"operation": "Profit_Debtor", "kind": "slow", "ms": 150}),
    )
    .await;
    clear_journal(&sandbox).await;
    // Two clients of the same environment share the cap.
    let first = Arc::new(client(&sandbox));
    let second = Arc::new(client(&sandbox));
    let started = Instant::now();
    let reads = (0..30).map(|i| {
        let client = if i % 2 == 0 { first.clone() } else { second.clone() };
        tokio::spawn(async move { client.get_page::<Debtor>(&Debtor::query(), 0).await })
    });
    for read in futures::future::join_all(reads).await {
        read.unwrap().unwrap();
    }
    // 30 requests of 150 ms, 8 at a time: at least 4 rounds.
    assert!(
        started.elapsed() >= Duration::from_millis(550),
        "{:?}",
        started.elapsed()
    );
    let requests = journal(&sandbox).await;
    assert_eq!(requests.len(), 30, "no request was refused and retried");
    assert!(requests.iter().all(|r| r.status == 200));
}

#[tokio::test]
async fn the_exchange_hook_sees_every_attempt_without_the_token() {
    let sandbox = sandbox().await;
    let seen: Arc<Mutex<Vec<Exchange>>> = Arc::default();
    let sink = seen.clone();
    let client = AfasClient::builder(
        Environment::with_base_url(&sandbox.afas_url()),
        AfasToken::new(&sandbox.config.afas_token_data),
    )
    .retry(fast_retries())
    .exchange_hook(Arc::new(move |exchange: &Exchange| {
        sink.lock().unwrap().push(exchange.clone())
    }))
    .build()
    .unwrap();
    control(
        &sandbox,
        "faults",
        json!({"operation": "FbSales", "kind": "locked", "times": 1}),
    )
    .await;
    let order = sales_document(SalesDocumentKind::Order, "10001", "1000", "HOOK");
    client.insert(&order).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[0].attempt, seen[0].status, seen[0].error.as_deref()),
        (1, Some(500), Some("locked"))
    );
    assert_eq!((seen[1].attempt, seen[1].status), (2, Some(201)));
    assert_eq!(
        seen[1].request_body.as_deref(),
        Some(order.body_text().unwrap().as_str())
    );
    assert!(seen[1].response_body.as_deref().unwrap().contains("OrNu"));
    let token = &sandbox.config.afas_token_data;
    for exchange in seen.iter() {
        let text = format!("{exchange:?}");
        assert!(!text.contains(token.as_str()) && !text.contains("AfasToken"), "{text}");
    }
}

#[test]
fn every_call_is_counted_by_outcome_and_timed() {
    let recorder = SeenMetrics::default();
    metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let sandbox = sandbox().await;
            let client = client(&sandbox);
            client.get_page::<Debtor>(&Debtor::query(), 0).await.unwrap();
            let _ = client
                .insert(&sales_document(SalesDocumentKind::Order, "99999999", "1000", "M"))
                .await;
        });
    });
    let seen = recorder.0.lock().unwrap().clone();
    assert!(
        seen.contains(
            &"counter koppel_client_requests_total system=afas,operation=Profit_Debtor,outcome=ok".to_owned()
        ),
        "{seen:#?}"
    );
    assert!(
        seen.contains(
            &"counter koppel_client_requests_total system=afas,operation=FbSales,outcome=rejected".to_owned()
        ),
        "{seen:#?}"
    );
    assert!(
        seen.contains(&"histogram koppel_client_request_duration_seconds system=afas,operation=FbSales".to_owned()),
        "{seen:#?}"
    );
}

#[tokio::test]
async fn clients_with_the_same_settings_share_their_connections() {
    let sandbox = sandbox().await;
    // Timeouts no other test uses: only this test's clients share an HTTP client.
    let read = |timeout: u64| {
        let client = AfasClient::builder(
            Environment::with_base_url(&sandbox.afas_url()),
            AfasToken::new(&sandbox.config.afas_token_xml()),
        )
        .timeout(Duration::from_secs(timeout))
        .build()
        .unwrap();
        async move { client.get_page::<Warehouse>(&Warehouse::query(), 0).await.unwrap() }
    };
    read(31).await;
    read(31).await;
    assert_eq!(
        sandbox.afas_connections(),
        1,
        "the second client (the first one dropped) connected again"
    );
    read(32).await;
    assert_eq!(sandbox.afas_connections(), 2, "other settings, another HTTP client");
}

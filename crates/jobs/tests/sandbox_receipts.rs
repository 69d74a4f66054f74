//! The receipts flow with the real adapters against the sandbox, over real sockets: every finished till
//! receipt of the seeded shop lands in AFAS exactly once, as a direct invoice or a sales order as
//! `receipt_target` says, with each line's VAT code at the rate the till charged and the total to the cent;
//! parked, partly paid receipts and cash movements are skipped; a second run books nothing.

mod sandbox_support;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use koppel_core::FlowKind;
use koppel_sandbox::afas::seed::CASH_SALES_DEBTOR;
use koppel_sandbox::mplus::model::ReceiptState;
use koppel_sync::ports::Outcome;
use koppel_sync::settings::{FlowSettings, ReceiptTarget};
use koppel_testkit::FakeJournal;
use rust_decimal::Decimal;
use sandbox_support::{
    System, World, body, failures, receipt_reference, received_line_amount, settings, with_articles,
};
use serde_json::{Value, json};

/// The AFAS VAT codes of the sandbox's administration and their percentages.
async fn vat_percentages(world: &World) -> HashMap<String, Decimal> {
    world
        .rows("Profit_VAT_code", "VatCode")
        .await
        .into_iter()
        .map(|row| {
            let percentage = Decimal::try_from(row["VatPerc"].as_f64().unwrap()).unwrap().normalize();
            (row["VatCode"].as_str().unwrap().to_owned(), percentage)
        })
        .collect()
}

async fn books_every_finished_receipt_once(target: ReceiptTarget) {
    let (connector, lines_object) = match target {
        ReceiptTarget::DirectInvoice => ("FbDirectInvoice", "FbDirectInvoiceLines"),
        ReceiptTarget::SalesOrder => ("FbSales", "FbSalesLines"),
    };
    let world = World::start(200).await;
    with_articles(&world).await;
    world.clear_journal(System::Afas).await;
    let settings = FlowSettings {
        receipt_target: target,
        ..settings()
    };
    let journal = FakeJournal::default();
    let report = world.run(FlowKind::Receipts, &settings, &journal).await.unwrap();
    let expected = world.expected_receipts();
    let seeded = world.shop().receipts.len();
    assert!(expected.len() > 60 && expected.len() < seeded, "{target:?}");
    let failures = failures(&journal);
    assert_eq!(failures, Vec::new(), "{target:?}");
    assert_eq!(report.counts.created as usize, expected.len(), "{target:?}: {report:?}");
    assert_eq!(report.counts.skipped as usize, seeded - expected.len(), "{target:?}");
    assert!(journal.entries().iter().all(|e| e.entity == "receipt"));
    // Read back from AFAS after the run: every booked receipt, each as the till has it.
    assert_eq!(journal.sale_checks().len(), expected.len(), "{target:?}");
    assert_eq!(journal.sale_warnings(), Default::default(), "{target:?}");
    assert_eq!(report.differing, 0, "{target:?}");
    let skipped = journal.entries().into_iter().filter(|e| e.outcome == Outcome::Skipped);
    for entry in skipped {
        assert!(entry.reason.unwrap().contains("not a finished sale"), "{target:?}");
    }

    // Each finished receipt once in AFAS, nothing else.
    let booked = world.booked_references().await;
    assert!(booked.values().all(|count| *count == 1), "{target:?}: {booked:?}");
    let wanted: BTreeSet<String> = expected.iter().map(receipt_reference).collect();
    assert_eq!(booked.keys().cloned().collect::<BTreeSet<_>>(), wanted, "{target:?}");

    // Each as the chosen document, every line at the VAT rate the till charged, adding up to the cent.
    let vat = vat_percentages(&world).await;
    let received: BTreeMap<String, Value> = world
        .afas_writes(Some(connector))
        .await
        .into_iter()
        .filter(|entry| entry.status == 201)
        .map(|entry| {
            let body = body(&entry);
            let reference = body[connector]["Element"]["Fields"]["RfCs"]
                .as_str()
                .unwrap()
                .to_owned();
            (reference, body)
        })
        .collect();
    assert_eq!(
        received.len(),
        expected.len(),
        "{target:?}: one {connector} per receipt"
    );
    let mut anonymous = 0;
    for receipt in &expected {
        let reference = receipt_reference(receipt);
        let document = &received[&reference][connector]["Element"];
        let lines = document["Objects"][0][lines_object]["Element"].as_array().unwrap();
        let booked: Decimal = lines.iter().map(received_line_amount).sum();
        assert_eq!(booked, Decimal::new(receipt.totals().incl, 2), "{reference}");
        let articles: Vec<&Value> = lines.iter().filter(|l| l["Fields"]["VaIt"] == "2").collect();
        assert_eq!(
            articles.len(),
            receipt.lines.len(),
            "{reference}: one line per till line"
        );
        for (sent, till) in articles.iter().zip(&receipt.lines) {
            assert_eq!(sent["Fields"]["ItCd"], till.article_number.to_string(), "{reference}");
            let code = sent["Fields"]["VaRc"]
                .as_str()
                .unwrap_or_else(|| panic!("{reference}: no VAT code"));
            assert_eq!(vat[code], Decimal::from(till.vat_percentage), "{reference}: {code}");
        }
        if receipt.relation.is_none() {
            anonymous += 1;
            assert_eq!(
                document["Fields"]["DbId"], CASH_SALES_DEBTOR,
                "{reference}: the default debtor"
            );
        }
    }
    assert!(anonymous > 0, "anonymous counter sales are among them");

    // Nothing new: a second run writes nothing.
    world.clear_journal(System::Afas).await;
    let again = world.run(FlowKind::Receipts, &settings, &journal).await.unwrap();
    assert_eq!(again.counts.created + again.counts.failed, 0, "{target:?}: {again:?}");
    assert!(
        world.afas_writes(None).await.is_empty(),
        "{target:?}: a second run wrote to AFAS"
    );
}

#[tokio::test]
async fn every_finished_receipt_lands_once_as_a_direct_invoice() {
    books_every_finished_receipt_once(ReceiptTarget::DirectInvoice).await;
}

#[tokio::test]
async fn every_finished_receipt_lands_once_as_a_sales_order() {
    books_every_finished_receipt_once(ReceiptTarget::SalesOrder).await;
}

/// The receipts flow keeps its own cursor: the orders flow's run, before or after, neither moves it nor books
/// a receipt, and the receipts flow books no order.
#[tokio::test]
async fn orders_and_receipts_each_book_their_own() {
    let world = World::start(60).await;
    with_articles(&world).await;
    let orders = FakeJournal::default();
    let receipts = FakeJournal::default();
    world.run(FlowKind::Orders, &settings(), &orders).await.unwrap();
    world.run(FlowKind::Receipts, &settings(), &receipts).await.unwrap();
    let booked = world.booked_references().await;
    let (rcp, ord): (Vec<&String>, Vec<&String>) = booked.keys().partition(|r| r.starts_with("RCP-"));
    assert_eq!(rcp.len(), world.expected_receipts().len());
    assert_eq!(ord.len(), world.expected_orders().len());
    assert!(booked.values().all(|count| *count == 1));
    assert!(orders.entries().iter().all(|e| e.entity == "order"));
    assert!(receipts.entries().iter().all(|e| e.entity == "receipt"));
}

/// A parked receipt is skipped; once it is paid at the till it moves to a new sync marker and the next run books
/// it, once.
#[tokio::test]
async fn a_parked_receipt_is_booked_by_the_first_run_after_it_is_paid() {
    let world = World::start(200).await;
    with_articles(&world).await;
    let journal = FakeJournal::default();
    world.run(FlowKind::Receipts, &settings(), &journal).await.unwrap();
    let parked = world
        .shop()
        .receipts
        .into_iter()
        .find(|r| r.state == ReceiptState::Outstanding)
        .expect("the seed parks some receipts");
    let reference = receipt_reference(&parked);
    assert!(!world.booked_references().await.contains_key(&reference));
    let skipped = journal.entries_for(&parked.receipt_id);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].outcome, Outcome::Skipped);

    world
        .post_control(System::Mplus, "receipt-paid", json!({"receiptId": parked.receipt_id}))
        .await;
    world.clear_journal(System::Afas).await;
    let next = world.run(FlowKind::Receipts, &settings(), &journal).await.unwrap();
    assert_eq!((next.counts.created, next.counts.failed), (1, 0), "{next:?}");
    assert_eq!(world.booked_references().await.get(&reference), Some(&1));
    let sent = world.afas_writes(Some("FbDirectInvoice")).await;
    let lines = &body(&sent[0])["FbDirectInvoice"]["Element"]["Objects"][0]["FbDirectInvoiceLines"]["Element"];
    let booked: Decimal = lines.as_array().unwrap().iter().map(received_line_amount).sum();
    assert_eq!(booked, Decimal::new(parked.totals().incl, 2));

    world.clear_journal(System::Afas).await;
    let again = world.run(FlowKind::Receipts, &settings(), &journal).await.unwrap();
    assert_eq!(again.counts.created, 0, "{again:?}");
    assert!(world.afas_writes(None).await.is_empty());
}

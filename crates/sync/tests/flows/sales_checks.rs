//! Reading booked sales back from AFAS: every booked sale is checked once, in batches; a difference from the
//! till becomes a warning on the record and is counted on the run; a run that stopped before checking leaves
//! its sales to the next run; a failed read-back never fails a run whose records are booked.

use std::time::Duration;

use koppel_core::FlowKind;
use koppel_sync::model::SourceDocumentKind;

use super::*;
use koppel_testkit::{FakeJournal, FakePos, FaultKind, Op};

const ORDERS: FlowKind = FlowKind::Orders;

/// Anonymous till sales in the Netherlands (VAT code `NL-HOOG`).
fn dutch_sale(index: i64) -> SourceOrder {
    SourceOrder {
        vat_country: Some("NL".into()),
        ..order(index, None)
    }
}

fn paid_orders(count: i64) -> FakePos {
    FakePos::with_orders((1..=count).map(dutch_sale).collect())
}

#[tokio::test]
async fn every_booked_sale_is_read_back_once_in_one_batch_and_matches_the_till() {
    let (pos, erp, journal) = (paid_orders(30), erp(), FakeJournal::default());
    let report = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 30);
    assert_eq!(report.differing, 0);
    assert_eq!(erp.switchboard.calls(Op::BookedTotals), 1, "30 sales, one read-back");
    let checks = journal.sale_checks();
    assert_eq!(checks.len(), 30, "every booked sale is checked");
    for check in checks.values() {
        let booked = check.booked.expect("AFAS has it");
        assert_eq!(booked.total_incl, dec("25.00"));
        assert_eq!(
            booked.vat,
            Some(dec("4.34")),
            "25.00 incl. 21%: 4.34 VAT, as the till says"
        );
        assert_eq!(check.warning, None);
    }
    // Nothing new: the next run reads nothing back.
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(erp.switchboard.calls(Op::BookedTotals), 1);
}

#[tokio::test]
async fn a_difference_is_a_warning_on_the_record_and_counted_on_the_run() {
    let (pos, erp, journal) = (paid_orders(3), erp(), FakeJournal::default());
    // AFAS's VAT code for 21% books 20% (a wrong VAT code in AFAS): the VAT differs, the total incl. VAT not.
    erp.state.lock().unwrap().vat_rates.insert("NL-HOOG".into(), dec("20"));
    let report = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(
        report.counts.created, 3,
        "the sales are booked: the warning does not fail them"
    );
    assert_eq!(report.differing, 3);
    let warnings = journal.sale_warnings();
    assert_eq!(warnings["o-1"], "booked, VAT differs by €0.17 (AFAS €4.17, till €4.34)");

    // A sale booked without prices incl. VAT on a wrong code differs in its total too.
    let (pos, erp, journal) = (FakePos::default(), super::erp(), FakeJournal::default());
    erp.state.lock().unwrap().vat_rates.insert("NL-HOOG".into(), dec("20"));
    let mut sale = dutch_sale(1);
    sale.vat_method = koppel_sync::model::VatMethod::Excluding;
    sale.total_incl_vat = dec("30.25");
    pos.put_order(sale);
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let warning = &journal.sale_warnings()["o-1"];
    assert!(
        warning.starts_with("booked, total differs by €0.25 (AFAS €30.00, till €30.25); VAT differs"),
        "{warning}"
    );
}

#[tokio::test]
async fn a_sale_afas_no_longer_has_is_a_warning() {
    let (pos, erp, journal) = (paid_orders(30), erp(), FakeJournal::default());
    let mut small_pages = settings();
    small_pages.batch_size = 5;
    journal.cancel_after(4);
    let stopped = run(ORDERS, &small_pages, &pos, &erp, &journal).await.unwrap();
    assert!(stopped.cancelled);
    assert!(stopped.counts.created >= 2, "{stopped:?}");
    assert!(
        journal.sale_checks().is_empty(),
        "the run stopped before it could check"
    );
    journal.recover();
    // Meanwhile someone deletes the first order in AFAS.
    let deleted = erp.state.lock().unwrap().orders.remove(0);
    let report = run(ORDERS, &small_pages, &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.differing, 1, "the next run checks what the stopped one booked");
    assert_eq!(journal.sale_checks().len(), 30);
    let warnings = journal.sale_warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        warnings["o-1"],
        format!("booked as {}, but AFAS no longer has it", deleted.0)
    );
}

#[tokio::test]
async fn a_failed_read_back_leaves_the_sales_for_the_next_run_and_fails_nothing() {
    let (pos, erp, journal) = (paid_orders(5), erp(), FakeJournal::default());
    let fault = FaultKind::Transient {
        retry_after: Some(Duration::from_secs(1)),
    };
    erp.switchboard.fail_times(Op::BookedTotals, fault, 1);
    let report = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 5);
    assert!(journal.sale_checks().is_empty());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(journal.sale_checks().len(), 5);
    assert!(journal.sale_warnings().is_empty());
}

#[tokio::test]
async fn filtered_sales_and_quotations_are_not_held_against_the_books() {
    let pos = paid_orders(2);
    let mut unpaid = order(3, None);
    unpaid.payment_status = koppel_sync::model::PaymentStatus::Unpaid;
    unpaid.payments.clear();
    pos.put_order(unpaid);
    let (erp, journal) = (erp(), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let checked: Vec<String> = journal.sale_checks().into_keys().collect();
    assert_eq!(checked, ["o-1", "o-2"], "the unpaid order is filtered out, not missing");

    let quotes = FakePos::with_orders(vec![SourceOrder {
        kind: SourceDocumentKind::Quotation,
        ..order(1, None)
    }]);
    let mut quotations = settings();
    quotations.order_types = vec![SourceDocumentKind::Quotation];
    quotations.order_target = koppel_sync::model::OrderTarget::Quotation;
    quotations.order_filter = koppel_sync::settings::OrderFilter::Any;
    let (erp, journal) = (super::erp(), FakeJournal::default());
    let report = run(ORDERS, &quotations, &quotes, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 1);
    assert!(journal.sale_checks().is_empty());
    assert_eq!(erp.switchboard.calls(Op::BookedTotals), 0);
}

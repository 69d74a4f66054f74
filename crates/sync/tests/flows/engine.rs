//! The engine's run loop over the fakes: cursors, pages, halting on a connection error, cancellation, retries.

use std::time::Duration;

use koppel_core::FlowKind;

use super::*;
use crate::customer;
use koppel_sync::ports::Outcome;
use koppel_testkit::{FakeJournal, FakePos, FaultKind, Op};

const ORDERS: FlowKind = FlowKind::Orders;

fn small_pages() -> FlowSettings {
    FlowSettings {
        batch_size: 4,
        ..settings()
    }
}

fn ten_orders() -> FakePos {
    FakePos::with_orders((1..=10).map(|i| order(i, None)).collect())
}

#[tokio::test]
async fn a_transient_error_stops_the_run_at_that_record_and_the_next_run_completes_it() {
    let (pos, erp, journal) = (ten_orders(), erp(), FakeJournal::default());
    let retry_after = Some(Duration::from_secs(30));
    erp.switchboard.fail_key(
        Op::CreateOrder,
        "2026-000006",
        FaultKind::Transient { retry_after },
        Some(1),
    );
    let stopped = run(ORDERS, &small_pages(), &pos, &erp, &journal).await;
    assert!(
        matches!(&stopped, Err(RunError::Transient { retry_after: r, .. }) if *r == retry_after),
        "{stopped:?}"
    );
    assert_eq!(
        journal.current_cursor(),
        Some(6),
        "up to, not past, the record that hit it"
    );
    let failed = journal.entries_for("o-6").pop().unwrap();
    assert!(failed.retryable() && failed.outcome == Outcome::Failed);
    // The window spans pages: orders 1 to 8 were sent together, more followed as answers came, and all of
    // them but 6 are booked and journaled although 6 stopped the run.
    let booked = erp.snapshot().orders.len();
    assert!(booked >= 7, "{booked} booked");
    let created = journal
        .entries()
        .iter()
        .filter(|e| e.outcome == Outcome::Created)
        .count();
    assert_eq!(created, booked, "every booked order is journaled");
    assert_eq!(journal.entries_for("o-8").pop().unwrap().outcome, Outcome::Created);

    let report = run(ORDERS, &small_pages(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(erp.snapshot().orders.len(), 10);
    assert_eq!(
        report.counts.created as usize,
        10 - booked,
        "6 (the retry) and those never sent"
    );
    let again = journal.entries_for("o-7").pop().unwrap();
    assert_eq!(
        (again.outcome, again.reason.as_deref()),
        (Outcome::Skipped, Some("unchanged")),
        "met again from the cursor, known by the id map"
    );
    assert_eq!(
        pos.switchboard.calls(Op::Order),
        1,
        "the pending retry is fetched fresh"
    );
    assert_eq!(journal.entries_for("o-6").len(), 2, "the journal shows the retry");
    assert_eq!(journal.current_cursor(), Some(11));
}

#[tokio::test]
async fn a_transient_error_in_a_look_up_moves_nothing() {
    let (pos, erp, journal) = (ten_orders(), erp(), FakeJournal::default());
    erp.switchboard
        .fail_times(Op::ExistingOrders, FaultKind::Transient { retry_after: None }, 1);
    assert!(matches!(
        run(ORDERS, &small_pages(), &pos, &erp, &journal).await,
        Err(RunError::Transient { .. })
    ));
    assert_eq!(journal.current_cursor(), None);
    assert!(journal.entries().is_empty());
    run(ORDERS, &small_pages(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(erp.snapshot().orders.len(), 10);
}

#[tokio::test]
async fn a_permanent_error_fails_only_that_record() {
    let (pos, erp, journal) = (ten_orders(), erp(), FakeJournal::default());
    erp.switchboard
        .fail_key(Op::CreateOrder, "2026-000003", FaultKind::Permanent, None);
    let report = run(ORDERS, &small_pages(), &pos, &erp, &journal).await.unwrap();
    assert_eq!((report.counts.created, report.counts.failed), (9, 1));
    let failed = journal.entries_for("o-3").pop().unwrap();
    assert!(!failed.retryable());
    assert!(failed.reason.unwrap().contains("injected fault"));
    assert_eq!(journal.current_cursor(), Some(11));
}

#[tokio::test]
async fn unauthorized_stops_the_run_for_an_alert() {
    let window = koppel_sync::flows::orders::SEND_WINDOW;
    let pos = FakePos::with_orders((1..=window as i64 + 10).map(|i| order(i, None)).collect());
    let (erp, journal) = (erp(), FakeJournal::default());
    erp.switchboard.fail(Op::CreateOrder, FaultKind::Unauthorized);
    let stopped = run(ORDERS, &small_pages(), &pos, &erp, &journal).await;
    assert!(matches!(stopped, Err(RunError::Unauthorized { .. })));
    // What was in flight when the refusal came is concluded; nothing is sent after it.
    let concluded = journal.entries().len();
    assert!((1..=window).contains(&concluded), "{concluded} sales concluded");
    assert_eq!(erp.switchboard.calls(Op::CreateOrder), concluded);
    assert_eq!(journal.current_cursor(), Some(1));
}

#[tokio::test]
async fn a_source_outage_is_transient() {
    let (pos, erp, journal) = (ten_orders(), erp(), FakeJournal::default());
    pos.switchboard.fail_times(
        Op::OrdersSince,
        FaultKind::Transient {
            retry_after: Some(Duration::from_secs(5)),
        },
        1,
    );
    assert!(matches!(
        run(ORDERS, &small_pages(), &pos, &erp, &journal).await,
        Err(RunError::Transient { .. })
    ));
}

#[tokio::test]
async fn a_cancelled_run_stops_before_its_next_sale_and_the_next_run_goes_on() {
    let pos = FakePos::with_orders((1..=30).map(|i| order(i, None)).collect());
    let (erp, journal) = (erp(), FakeJournal::default());
    journal.cancel_after(4);
    let report = run(ORDERS, &small_pages(), &pos, &erp, &journal).await.unwrap();
    assert!(report.cancelled);
    // What was in flight is concluded; the cursor stops at the first sale not sent.
    let sent = report.counts.created;
    assert!((4..30).contains(&sent), "{sent} sent");
    assert_eq!(journal.current_cursor(), Some(sent as i64 + 1));
    journal.recover();
    let report = run(ORDERS, &small_pages(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 30 - sent);
    assert_eq!(erp.snapshot().orders.len(), 30);
}

/// The next page is planned while this one is sent; a customer and an article that both pages have are new
/// in AFAS, so only this page may create them and the next must take them over from its plan.
#[tokio::test]
async fn a_debtor_and_an_article_new_on_one_page_are_created_once_when_the_next_page_has_them_too() {
    let returning = || customer(Some("nieuw@klant.nl"), None, "NL");
    let orders = (1..=8)
        .map(|i| {
            let mut order = order(i, (i % 4 == 2).then(returning));
            order.lines[0].sku = if i % 4 == 3 { "NEW-1".into() } else { "1001".into() };
            order
        })
        .collect();
    let (pos, erp, journal) = (FakePos::with_orders(orders), erp(), FakeJournal::default());
    let settings = FlowSettings {
        create_missing_articles: true,
        ..small_pages()
    };
    let debtors_before = erp.snapshot().debtors.len();
    let report = run(ORDERS, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 8);
    let after = erp.snapshot();
    assert_eq!(after.debtors.len(), debtors_before + 1, "one debtor for both pages");
    let debtor_of = |number: &str| {
        after
            .orders
            .iter()
            .find(|(_, o)| o.reference == number)
            .unwrap()
            .1
            .debtor_id
            .clone()
    };
    assert_eq!(debtor_of("2026-000002"), debtor_of("2026-000006"));
    assert!(after.articles.contains_key("NEW-1"));
    assert_eq!(erp.switchboard.calls(Op::CreateDebtor), 1);
    assert_eq!(
        erp.switchboard.calls(Op::CreateArticle),
        1,
        "the article is created by the first page only"
    );
}

#[tokio::test]
async fn progress_is_reported() {
    let (pos, erp, journal) = (ten_orders(), erp(), FakeJournal::default());
    run(ORDERS, &small_pages(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(journal.last_progress(), Some((10, 10)));
}

#[tokio::test]
async fn a_dry_run_plans_the_first_page_without_writing() {
    let (pos, erp) = (ten_orders(), erp());
    let planned = koppel_sync::dry_run(ORDERS, &small_pages(), &pos, &erp).await.unwrap();
    assert_eq!(planned.len(), 4);
    assert!(
        planned
            .iter()
            .all(|p| p.outcome == Outcome::Created && p.writes.len() == 1)
    );
    assert_eq!(planned[0].writes[0].request.to_value()["reference"], "2026-000001");
    assert_eq!(erp.write_calls(), 0);
    assert!(erp.snapshot().orders.is_empty());
}

#[test]
fn a_run_can_be_spawned_on_a_multi_threaded_runtime() {
    fn assert_send<F: std::future::Future + Send>(_: F) {}
    let (pos, erp, journal, settings) = (ten_orders(), erp(), FakeJournal::default(), settings());
    assert_send(koppel_sync::run_flow(ORDERS, &settings, &pos, &erp, &journal));
    let ids = ["1001".to_owned()];
    assert_send(koppel_sync::retry_records(
        FlowKind::Stock,
        &settings,
        &pos,
        &erp,
        &journal,
        &ids,
    ));
    assert_send(koppel_sync::dry_run(FlowKind::Products, &settings, &pos, &erp));
}

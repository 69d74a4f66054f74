//! An orders run over the fakes: what it books once, in which order, with how many calls, what it skips and
//! why, how it heals after a crash, and what a booked order carries.

use std::collections::BTreeMap;

use koppel_core::FlowKind;

use super::*;
use koppel_sync::model::{DebtorParty, OrderTarget, SalesLineKind, SourceShipping};
use koppel_sync::ports::Outcome;
use koppel_sync::settings::OrderFilter;
use koppel_testkit::{FakeErp, FakeJournal, FakePos, FaultKind, Op, generated_order};

const ORDERS: FlowKind = FlowKind::Orders;

fn references(erp: &FakeErp) -> Vec<String> {
    erp.snapshot()
        .orders
        .into_iter()
        .map(|(_, order)| order.reference)
        .collect()
}

/// References booked more than once.
fn duplicates(erp: &FakeErp) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for reference in references(erp) {
        *counts.entry(reference).or_default() += 1;
    }
    counts.into_iter().filter(|(_, n)| *n > 1).map(|(r, _)| r).collect()
}

fn paid_references(orders: &[SourceOrder]) -> Vec<String> {
    let mut paid: Vec<String> = orders
        .iter()
        .filter(|o| o.payment_status == PaymentStatus::Paid && !o.cancelled)
        .map(|o| o.number.clone())
        .collect();
    paid.sort();
    paid
}

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}

#[tokio::test]
async fn two_hundred_generated_orders_book_exactly_the_paid_ones_once_and_a_second_run_writes_nothing() {
    let orders: Vec<SourceOrder> = (0..200).map(|i| generated_order(7, i)).collect();
    let (pos, erp, journal) = (FakePos::with_orders(orders.clone()), erp(), FakeJournal::default());
    let report = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(sorted(references(&erp)), paid_references(&orders));
    assert_eq!(report.counts.created as usize, paid_references(&orders).len());
    assert_eq!(
        report.counts.failed,
        0,
        "{:?}",
        journal
            .entries()
            .iter()
            .filter(|e| e.outcome == Outcome::Failed)
            .collect::<Vec<_>>()
    );
    assert_eq!(report.total_seen, 200);
    assert_eq!(report.cursor, Some(201));

    erp.switchboard.reset_calls();
    let again = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(again.total_seen, 0);
    assert_eq!(erp.write_calls(), 0);
    assert!(duplicates(&erp).is_empty());
}

#[tokio::test]
async fn answers_that_come_out_of_order_are_journaled_in_page_order() {
    let orders: Vec<SourceOrder> = (0..200).map(|i| generated_order(11, i)).collect();
    let (pos, erp, journal) = (FakePos::with_orders(orders.clone()), erp(), FakeJournal::default());
    let report = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let mut by_marker = orders.clone();
    by_marker.sort_by_key(|order| order.sync_marker);
    let page_order: Vec<String> = by_marker.iter().map(|order| order.id.clone()).collect();
    let journaled: Vec<String> = journal.entries().into_iter().map(|entry| entry.source_id).collect();
    assert_eq!(journaled, page_order);
    // The fake's answers did come back in another order than the orders were sent (else this proves nothing).
    let answered = references(&erp);
    let sent: Vec<String> = by_marker
        .iter()
        .map(|order| order.number.clone())
        .filter(|number| answered.contains(number))
        .collect();
    assert_eq!(sent.len(), answered.len());
    assert_ne!(answered, sent);
    assert_eq!(sorted(answered), paid_references(&orders));
    assert_eq!(report.cursor, Some(201));
}

#[tokio::test]
async fn rereading_booked_orders_skips_them_without_any_target_call() {
    let orders: Vec<SourceOrder> = (0..50).map(|i| generated_order(3, i)).collect();
    let (pos, erp, journal) = (FakePos::with_orders(orders), erp(), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let booked = erp.snapshot().orders.len();
    journal.set_cursor_for_test(0);
    erp.switchboard.reset_calls();
    let again = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(again.counts.created, 0);
    assert_eq!(
        erp.switchboard.all_calls().len(),
        0,
        "{:?}",
        erp.switchboard.all_calls()
    );
    assert_eq!(erp.snapshot().orders.len(), booked);
}

#[tokio::test]
async fn one_batched_look_up_per_kind_per_page() {
    let orders: Vec<SourceOrder> = (1..=100)
        .map(|i| order(i, Some(customer(Some(&format!("k{i}@example.nl")), None, "NL"))))
        .collect();
    let (pos, erp, journal) = (FakePos::with_orders(orders), erp(), FakeJournal::default());
    let report = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 100);
    assert_eq!(erp.switchboard.calls(Op::ExistingOrders), 1);
    assert_eq!(erp.switchboard.calls(Op::DebtorsByEmail), 1);
    assert_eq!(erp.switchboard.calls(Op::ArticlesByCode), 1);
    assert_eq!(erp.switchboard.calls(Op::CreateOrder), 100);
    assert_eq!(
        pos.switchboard.calls(Op::OrdersSince),
        2,
        "one full page, then an empty one"
    );
}

#[tokio::test]
async fn a_worker_killed_at_a_random_record_then_run_again_books_everything_once() {
    let orders: Vec<SourceOrder> = (0..120).map(|i| generated_order(11, i)).collect();
    for crash_at in [0, 1, 17, 50, 99, 119] {
        let (pos, erp, journal) = (FakePos::with_orders(orders.clone()), erp(), FakeJournal::default());
        journal.crash_after(crash_at);
        let crashed = run(ORDERS, &settings(), &pos, &erp, &journal).await;
        assert!(
            matches!(crashed, Err(RunError::Journal(_))),
            "crash at {crash_at}: {crashed:?}"
        );
        journal.recover();
        run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
        assert!(duplicates(&erp).is_empty(), "crash at {crash_at}");
        assert_eq!(
            sorted(references(&erp)),
            paid_references(&orders),
            "crash at {crash_at}"
        );
    }
}

#[tokio::test]
async fn an_order_sent_but_not_journaled_heals_from_afas_without_a_second_send() {
    let (pos, erp, journal) = (
        FakePos::with_orders(vec![order(1, None)]),
        erp(),
        FakeJournal::default(),
    );
    journal.crash_after(0);
    assert!(run(ORDERS, &settings(), &pos, &erp, &journal).await.is_err());
    journal.recover();
    let report = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.skipped, 1);
    let entry = journal.entries_for("o-1").pop().unwrap();
    let number = erp.snapshot().orders[0].0.clone();
    assert_eq!(entry.reason.unwrap(), format!("already in AFAS as order {number}"));
    assert_eq!(journal.id_map_entry("o-1").unwrap().target_id, number);
    assert_eq!(erp.switchboard.calls(Op::CreateOrder), 1);
}

#[tokio::test]
async fn a_missing_article_fails_the_order_with_a_reason_and_nothing_is_written() {
    let mut sale = order(1, Some(customer(Some("new@x.nl"), None, "NL")));
    sale.lines[0].sku = "9999".into();
    let (pos, erp, journal) = (FakePos::with_orders(vec![sale]), erp(), FakeJournal::default());
    let report = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.failed, 1);
    let reason = journal.entries_for("o-1").pop().unwrap().reason.unwrap();
    assert!(
        reason.contains("9999") && reason.contains("create_missing_articles"),
        "{reason}"
    );
    assert_eq!(
        erp.write_calls(),
        0,
        "no debtor is created for an order that cannot be booked"
    );
}

#[tokio::test]
async fn with_create_missing_articles_the_article_is_created_first() {
    let mut sale = order(1, None);
    sale.lines[0].sku = "9999".into();
    let settings = FlowSettings {
        create_missing_articles: true,
        ..settings()
    };
    let (pos, erp, journal) = (FakePos::with_orders(vec![sale]), erp(), FakeJournal::default());
    let report = run(ORDERS, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 1);
    assert!(erp.snapshot().articles.contains_key("9999"));
    let operations: Vec<String> = journal.entries_for("o-1")[0]
        .exchanges
        .iter()
        .map(|e| e.operation.clone())
        .collect();
    assert_eq!(operations, vec!["POST FbItemArticle", "POST FbSales"]);
}

#[tokio::test]
async fn an_existing_debtor_is_updated_only_when_it_changed() {
    let erp = erp();
    let same =
        koppel_sync::flows::debtors::default_debtor_draft(&customer(Some("jan@jansen.nl"), None, "NL"), &settings());
    erp.add_debtor("20001", same);
    erp.add_debtor("20002", debtor("piet@x.nl", "Oude Naam"));
    let orders = vec![
        order(1, Some(customer(Some("Jan@Jansen.nl"), None, "NL"))),
        order(2, Some(customer(Some("piet@x.nl"), None, "NL"))),
    ];
    let (pos, journal) = (FakePos::with_orders(orders), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(erp.switchboard.calls(Op::UpdateDebtor), 1);
    assert_eq!(erp.switchboard.calls(Op::CreateDebtor), 0);
    let booked = erp.snapshot().orders;
    assert_eq!(
        (booked[0].1.debtor_id.as_str(), booked[1].1.debtor_id.as_str()),
        ("20001", "20002")
    );
    assert!(matches!(&erp.snapshot().debtors["20002"].party, DebtorParty::Person(p) if p.last_name == "Jansen"));
}

#[tokio::test]
async fn two_orders_of_one_new_customer_in_a_page_create_one_debtor() {
    let orders = vec![
        order(1, Some(customer(Some("twice@x.nl"), None, "NL"))),
        order(2, Some(customer(Some("twice@x.nl"), None, "NL"))),
    ];
    let (pos, erp, journal) = (FakePos::with_orders(orders), erp(), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(erp.switchboard.calls(Op::CreateDebtor), 1);
    assert_eq!(erp.switchboard.calls(Op::UpdateDebtor), 0);
}

/// Sixty sales over pages of 7 from twenty new customers, each buying three times: the third time from another
/// address (an update after the create), and every sale with a new article of its customer.
fn a_first_sync() -> (FakePos, FlowSettings) {
    let orders = (1..=60)
        .map(|index| {
            let who = (index - 1) % 20;
            let mut customer = customer(Some(&format!("klant{who}@winkel.nl")), None, "NL");
            if index > 40 {
                customer.address.as_mut().unwrap().street_line = "Dorpsstraat 3".into();
            }
            let mut sale = order(index, Some(customer));
            sale.lines[0].sku = format!("NIEUW-{who}");
            sale
        })
        .collect();
    let settings = FlowSettings {
        batch_size: 7,
        create_missing_articles: true,
        ..settings()
    };
    (FakePos::with_orders(orders), settings)
}

#[tokio::test]
async fn a_first_sync_writes_new_debtors_and_articles_together_each_once() {
    let (pos, settings) = a_first_sync();
    let (erp, journal) = (erp(), FakeJournal::default());
    let report = run(ORDERS, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 60);
    // Each key written once, and the change after the create sent as one update after it.
    assert_eq!(erp.switchboard.calls(Op::CreateDebtor), 20);
    assert_eq!(erp.switchboard.calls(Op::UpdateDebtor), 20);
    assert_eq!(erp.switchboard.calls(Op::CreateArticle), 20);
    // Not one at a time, as when a sale's writes held up the sales behind it.
    assert!(erp.switchboard.peak_in_flight(Op::CreateDebtor) > 1);
    assert!(erp.switchboard.peak_in_flight(Op::CreateArticle) > 1);
    let state = erp.snapshot();
    for (_, booked) in &state.orders {
        let index: usize = booked.reference.trim_start_matches("2026-").parse().unwrap();
        let debtor = &state.debtors[&booked.debtor_id];
        assert_eq!(
            debtor.email.as_deref(),
            Some(format!("klant{}@winkel.nl", (index - 1) % 20).as_str())
        );
        assert_eq!(
            debtor.address.as_ref().unwrap().street,
            "Dorpsstraat",
            "the last sale's address won"
        );
    }
    // The sale that started a write shows it; a sale that shared it does not show it again.
    let first = journal.entries_for("o-1").pop().unwrap();
    let operations: Vec<&str> = first.exchanges.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(
        operations,
        ["POST FbItemArticle", "POST KnSalesRelation", "POST FbSales"]
    );
}

#[tokio::test]
async fn a_failed_debtor_write_fails_the_sales_that_need_it_and_the_next_sale_tries_again() {
    let (pos, settings) = a_first_sync();
    let (erp, journal) = (erp(), FakeJournal::default());
    erp.switchboard
        .fail_key(Op::CreateDebtor, "klant3@winkel.nl", FaultKind::Permanent, Some(1));
    let report = run(ORDERS, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!((report.counts.created, report.counts.failed), (59, 1));
    let failed = journal.entries_for("o-4").pop().unwrap();
    assert!(failed.reason.unwrap().contains("injected fault"));
    assert_eq!(
        erp.switchboard.calls(Op::CreateDebtor),
        21,
        "the customer's next sale created it"
    );
    assert_eq!(
        erp.snapshot()
            .debtors
            .values()
            .filter(|d| d.email.as_deref() == Some("klant3@winkel.nl"))
            .count(),
        1
    );
}

#[tokio::test]
async fn the_order_filter_and_document_types_choose_what_is_sent() {
    let mut unpaid_delivered = order(1, None);
    unpaid_delivered.payment_status = PaymentStatus::Unpaid;
    unpaid_delivered.delivered = true;
    let mut completed = order(2, None);
    completed.payment_status = PaymentStatus::PartlyPaid;
    completed.completed = true;
    let mut cancelled = order(3, None);
    cancelled.cancelled = true;
    let mut invoice = order(4, None);
    invoice.kind = SourceDocumentKind::Invoice;
    let all = vec![unpaid_delivered, completed, cancelled, invoice, order(5, None)];
    let cases = [
        (OrderFilter::Paid, vec!["2026-000005"]),
        (OrderFilter::Any, vec!["2026-000001", "2026-000002", "2026-000005"]),
        (OrderFilter::Delivered, vec!["2026-000001"]),
        (OrderFilter::Completed, vec!["2026-000002"]),
    ];
    for (filter, expected) in cases {
        let (pos, erp, journal) = (FakePos::with_orders(all.clone()), erp(), FakeJournal::default());
        run(
            ORDERS,
            &FlowSettings {
                order_filter: filter,
                ..settings()
            },
            &pos,
            &erp,
            &journal,
        )
        .await
        .unwrap();
        assert_eq!(sorted(references(&erp)), expected, "{filter:?}");
    }
    let settings = FlowSettings {
        order_types: vec![SourceDocumentKind::Invoice],
        order_target: OrderTarget::DirectInvoice,
        ..settings()
    };
    let (pos, erp, journal) = (FakePos::with_orders(all), erp(), FakeJournal::default());
    run(ORDERS, &settings, &pos, &erp, &journal).await.unwrap();
    let booked = erp.snapshot().orders;
    assert_eq!(booked.len(), 1);
    assert_eq!(
        (booked[0].1.reference.as_str(), booked[0].1.target),
        ("2026-000004", OrderTarget::DirectInvoice)
    );
}

#[tokio::test]
async fn a_skipped_order_says_why() {
    let mut unpaid = order(1, None);
    unpaid.payment_status = PaymentStatus::Unpaid;
    let (pos, erp, journal) = (FakePos::with_orders(vec![unpaid]), erp(), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let entry = journal.entries_for("o-1").pop().unwrap();
    assert_eq!(
        (entry.outcome, entry.reason.as_deref()),
        (Outcome::Skipped, Some("not fully paid (order filter: paid)"))
    );
    assert_eq!(entry.search_keys, vec!["2026-000001".to_owned(), "1001".to_owned()]);
}

#[tokio::test]
async fn header_carries_administration_warehouse_methods_shipping_and_vat_method() {
    let mut sale = order(1, Some(customer(Some("a@b.nl"), None, "NL")));
    sale.shipping = Some(SourceShipping {
        cost: dec("4.95"),
        vat_percentage: dec("21"),
    });
    sale.delivery_method = Some("postnl".into());
    sale.payments = vec![
        SourcePayment {
            method: "CASH".into(),
            amount: dec("5.00"),
        },
        SourcePayment {
            method: "PIN".into(),
            amount: dec("24.95"),
        },
    ];
    sale.total_incl_vat = dec("29.95");
    sale.vat_method = VatMethod::Including;
    let (pos, erp, journal) = (FakePos::with_orders(vec![sale]), erp(), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let booked = erp.snapshot().orders.remove(0).1;
    assert_eq!(booked.administration.as_deref(), Some("1"));
    assert_eq!(booked.warehouse.as_deref(), Some("01"));
    assert_eq!(
        booked.payment_method.as_deref(),
        Some("02"),
        "the largest payment (PIN)"
    );
    assert_eq!(booked.shipping_method.as_deref(), Some("PNL"));
    assert!(booked.prices_include_vat);
    assert_eq!(booked.reference, "2026-000001");
    let shipping = booked.lines.last().unwrap();
    assert_eq!(
        (shipping.kind, shipping.item_code.as_str(), shipping.unit_price),
        (SalesLineKind::Cost, "VERZEND", dec("4.95"))
    );
    assert_eq!(booked.delivery_address.unwrap().house_number.as_deref(), Some("12"));
}

#[tokio::test]
async fn shipping_costs_without_a_cost_item_fail_naming_the_setting() {
    let mut sale = order(1, None);
    sale.shipping = Some(SourceShipping {
        cost: dec("4.95"),
        vat_percentage: dec("21"),
    });
    sale.total_incl_vat += dec("4.95");
    let settings = FlowSettings {
        shipping_cost_item: None,
        ..settings()
    };
    let (pos, erp, journal) = (FakePos::with_orders(vec![sale]), erp(), FakeJournal::default());
    run(ORDERS, &settings, &pos, &erp, &journal).await.unwrap();
    assert!(
        journal.entries_for("o-1")[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("shipping_cost_item")
    );
}

#[tokio::test]
async fn cash_rounding_becomes_an_explicit_rounding_line() {
    let mut sale = order(1, None);
    sale.lines = vec![line("1001", "1", "9.99", "21")];
    sale.total_incl_vat = dec("10.00");
    let (pos, erp, journal) = (FakePos::with_orders(vec![sale]), erp(), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let booked = erp.snapshot().orders.remove(0).1;
    let rounding = booked.lines.last().unwrap();
    assert_eq!(
        (rounding.item_code.as_str(), rounding.unit_price),
        ("AFRONDING", dec("0.01"))
    );
    assert_eq!(koppel_sync::money::afas_order_amount(&booked.lines), dec("10.00"));
}

#[tokio::test]
async fn a_retried_record_is_fetched_fresh_and_journaled_as_a_new_attempt() {
    let (pos, erp, journal) = (
        FakePos::with_orders(vec![order(1, None)]),
        erp(),
        FakeJournal::default(),
    );
    erp.switchboard
        .fail_times(Op::CreateOrder, koppel_testkit::FaultKind::Permanent, 1);
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(journal.entries_for("o-1")[0].outcome, Outcome::Failed);
    let report = koppel_sync::engine::retry_records(ORDERS, &settings(), &pos, &erp, &journal, &["o-1".to_owned()])
        .await
        .unwrap();
    assert_eq!(report.counts.created, 1);
    assert_eq!(pos.switchboard.calls(Op::Order), 1);
    let attempts: Vec<Outcome> = journal.entries_for("o-1").iter().map(|e| e.outcome).collect();
    assert_eq!(attempts, vec![Outcome::Failed, Outcome::Created]);
}

#[tokio::test]
async fn a_booked_order_cancelled_later_still_says_it_is_in_afas() {
    let (pos, erp, journal) = (
        FakePos::with_orders(vec![order(1, None)]),
        erp(),
        FakeJournal::default(),
    );
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let mut cancelled = order(1, None);
    cancelled.cancelled = true;
    cancelled.sync_marker = 2;
    pos.put_order(cancelled);
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let reason = journal.entries_for("o-1").pop().unwrap().reason.unwrap();
    assert!(
        reason.starts_with("already in AFAS as order") && reason.contains("not sent"),
        "{reason}"
    );
    assert_eq!(erp.write_calls(), 1);
}

use std::collections::BTreeMap;

use koppel_core::FlowKind;

use super::*;
use crate::model::{DebtorParty, OrderTarget, SalesLineKind, SourceShipping};
use crate::ports::{FailureClass, Outcome};
use crate::settings::OrderFilter;
use crate::testing::{FakeErp, FakeJournal, FakePos, Op, generated_order};

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
async fn a_company_becomes_an_organisation_with_the_person_as_contact_and_a_person_a_person_debtor() {
    let orders = vec![
        order(
            1,
            Some(customer(Some("inkoop@bakker.nl"), Some("Bakkerij Jansen BV"), "NL")),
        ),
        order(2, Some(customer(Some("jan@jansen.nl"), None, "NL"))),
    ];
    let (pos, erp, journal) = (FakePos::with_orders(orders), erp(), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let debtors = erp.snapshot().debtors;
    let company = debtors
        .values()
        .find(|d| d.email.as_deref() == Some("inkoop@bakker.nl"))
        .unwrap();
    let DebtorParty::Organisation { name, contact } = &company.party else {
        panic!("{company:?}")
    };
    assert_eq!(name, "Bakkerij Jansen BV");
    assert_eq!(contact.as_ref().unwrap().last_name, "Jansen");
    let person = debtors
        .values()
        .find(|d| d.email.as_deref() == Some("jan@jansen.nl"))
        .unwrap();
    assert!(matches!(&person.party, DebtorParty::Person(p) if p.first_name.as_deref() == Some("Jan")));
    let address = person.address.as_ref().unwrap();
    assert_eq!(
        (
            address.street.as_str(),
            address.house_number.as_deref(),
            address.house_number_addition.as_deref()
        ),
        ("Kerkstraat", Some("12"), Some("a"))
    );
    assert_eq!(
        (
            person.ledger_account.as_deref(),
            person.payment_terms.as_deref(),
            person.currency.as_deref()
        ),
        (Some("1300"), Some("14"), Some("EUR"))
    );
}

#[tokio::test]
async fn no_e_mail_or_an_anonymous_sale_goes_to_the_default_debtor() {
    let orders = vec![
        order(1, None),
        order(2, Some(customer(None, None, "NL"))),
        order(3, Some(customer(Some("  "), None, "NL"))),
    ];
    let (pos, erp, journal) = (FakePos::with_orders(orders), erp(), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let booked = erp.snapshot().orders;
    assert_eq!(booked.len(), 3);
    assert!(booked.iter().all(|(_, o)| o.debtor_id == DEFAULT_DEBTOR));
    assert_eq!(erp.switchboard.calls(Op::CreateDebtor), 0);
}

#[tokio::test]
async fn a_business_without_e_mail_gets_its_own_debtor_matched_by_vat_number() {
    let business = |index| {
        let mut customer = customer(None, Some("Bakker BV"), "BE");
        customer.vat_number = Some("be 0123.456.789".into());
        order(index, Some(customer))
    };
    let (pos, erp, journal) = (
        FakePos::with_orders(vec![business(1), business(2)]),
        erp(),
        FakeJournal::default(),
    );
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let snapshot = erp.snapshot();
    let created: Vec<_> = snapshot
        .debtors
        .iter()
        .filter(|(id, _)| *id != DEFAULT_DEBTOR)
        .collect();
    assert_eq!(created.len(), 1, "one debtor for both sales: {created:?}");
    let (debtor_id, debtor) = created[0];
    assert_eq!(
        (debtor.email.as_deref(), debtor.vat_number.as_deref()),
        (None, Some("BE0123456789"))
    );
    assert!(snapshot.orders.iter().all(|(_, o)| &o.debtor_id == debtor_id));

    // A later run finds it by its VAT number instead of creating another.
    let (pos, journal) = (FakePos::with_orders(vec![business(3)]), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(erp.switchboard.calls(Op::CreateDebtor), 1);
    assert_eq!(erp.snapshot().orders.len(), 3);
}

#[tokio::test]
async fn without_a_default_debtor_an_anonymous_sale_fails_naming_the_setting() {
    let settings = FlowSettings {
        company: CompanySettings {
            default_debtor: None,
            ..settings().company
        },
        ..settings()
    };
    let (pos, erp, journal) = (
        FakePos::with_orders(vec![
            order(1, None),
            order(2, Some(customer(Some("a@b.nl"), None, "NL"))),
        ]),
        erp(),
        FakeJournal::default(),
    );
    let report = run(ORDERS, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!((report.counts.created, report.counts.failed), (1, 1));
    let failed = journal.entries_for("o-1").pop().unwrap();
    assert!(failed.reason.unwrap().contains("default_debtor"));
    assert_eq!(
        failed.failure,
        Some(FailureClass::Setting),
        "retried once the setting is there"
    );
}

#[tokio::test]
async fn vat_code_and_revenue_account_follow_the_country_and_the_rate() {
    let mut nl = order(1, Some(customer(Some("nl@x.nl"), None, "Nederland")));
    nl.lines.push(line("1002", "1", "3.00", "9"));
    nl.total_incl_vat = nl.lines.iter().map(|l| l.line_total).sum();
    let be = order(2, Some(customer(Some("be@x.be"), None, "BE")));
    let (pos, erp, journal) = (FakePos::with_orders(vec![nl, be]), erp(), FakeJournal::default());
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let booked = erp.snapshot().orders;
    let ledger = |i: usize| -> Vec<(Option<String>, Option<String>)> {
        booked[i]
            .1
            .lines
            .iter()
            .map(|l| (l.vat_code.clone(), l.revenue_account.clone()))
            .collect()
    };
    assert_eq!(
        ledger(0),
        vec![
            (Some("NL-HOOG".into()), Some("8000".into())),
            (Some("NL-LAAG".into()), Some("8000".into()))
        ]
    );
    assert_eq!(ledger(1), vec![(Some("BE-21".into()), Some("8100".into()))]);
    let be_debtor = erp
        .snapshot()
        .debtors
        .into_values()
        .find(|d| d.email.as_deref() == Some("be@x.be"))
        .unwrap();
    assert_eq!(
        (be_debtor.vat_code.as_deref(), be_debtor.revenue_account.as_deref()),
        (Some("BE-21"), Some("8100"))
    );
}

/// A business sale with VAT reverse-charged by a Dutch till, to a customer in `country`.
fn reverse_charged(index: i64, email: &str, country: &str) -> SourceOrder {
    let mut sale = order(index, Some(customer(Some(email), Some("Klant BV"), country)));
    sale.vat_method = VatMethod::Excluding;
    sale.vat_shifted = true;
    sale.vat_country = Some("NL".into());
    sale.lines = vec![line("1001", "2", "10.00", "0")];
    sale.total_incl_vat = dec("20.00");
    sale.payments[0].amount = sale.total_incl_vat;
    sale
}

#[tokio::test]
async fn the_tills_vat_country_and_reverse_charge_choose_the_vat_code() {
    // Dutch VAT charged at the till on a delivery to Belgium: the Dutch code, not the Belgian.
    let mut dutch_vat_to_belgium = order(1, Some(customer(Some("be@x.be"), None, "BE")));
    dutch_vat_to_belgium.vat_country = Some("NL".into());
    let orders = vec![
        dutch_vat_to_belgium,
        reverse_charged(2, "a@x.be", "BE"),
        reverse_charged(3, "b@x.nl", "NL"),
        reverse_charged(4, "c@x.ch", "CH"),
    ];
    let mut settings = settings();
    settings.company.vat_code_by_country.table.extend([
        ("intra_eu".to_owned(), "ICP".to_owned()),
        ("reverse_charge".to_owned(), "VERLEGD".to_owned()),
        ("export".to_owned(), "EXPORT".to_owned()),
    ]);
    settings
        .company
        .revenue_account_by_country
        .table
        .insert("intra_eu".into(), "8400".into());
    let (pos, erp, journal) = (FakePos::with_orders(orders.clone()), erp(), FakeJournal::default());
    let report = run(ORDERS, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 4, "{:?}", journal.entries());
    let ledger: BTreeMap<String, (Option<String>, Option<String>)> = erp
        .snapshot()
        .orders
        .into_iter()
        .map(|(_, o)| {
            (
                o.reference.clone(),
                (o.lines[0].vat_code.clone(), o.lines[0].revenue_account.clone()),
            )
        })
        .collect();
    let expected = |code: &str, account: &str| (Some(code.to_owned()), Some(account.to_owned()));
    assert_eq!(ledger["2026-000001"], expected("NL-HOOG", "8000"));
    assert_eq!(ledger["2026-000002"], expected("ICP", "8400"));
    assert_eq!(ledger["2026-000003"], expected("VERLEGD", "8000"));
    assert_eq!(
        ledger["2026-000004"],
        (Some("EXPORT".to_owned()), None),
        "no revenue row for exports or Switzerland: AFAS's own account applies"
    );

    // Without the rows a reverse-charged sale fails, naming the row; a forced or default code is no
    // reverse-charge code. Charged sales are booked as before.
    let mut without_rows = super::settings();
    without_rows.company.vat_code_by_country.default = Some("NL-HOOG".into());
    let (pos, erp, journal) = (FakePos::with_orders(orders), super::erp(), FakeJournal::default());
    let report = run(ORDERS, &without_rows, &pos, &erp, &journal).await.unwrap();
    assert_eq!((report.counts.created, report.counts.failed), (1, 3));
    let failed = journal.entries_for("o-2").pop().unwrap();
    assert_eq!(failed.failure, Some(FailureClass::Setting));
    let reason = failed.reason.unwrap();
    assert!(
        reason.contains("`intra_eu`") && reason.contains("reverse-charged"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_reverse_charged_sale_without_the_tills_vat_country_fails_as_master_data() {
    let mut sale = reverse_charged(1, "a@x.be", "BE");
    sale.vat_country = None;
    let (pos, erp, journal) = (FakePos::with_orders(vec![sale]), erp(), FakeJournal::default());
    let report = run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.failed, 1);
    let failed = journal.entries_for("o-1").pop().unwrap();
    assert_eq!(failed.failure, Some(FailureClass::MasterData));
    assert!(failed.reason.unwrap().contains("vatCountryIso3"));
    assert!(erp.snapshot().orders.is_empty());
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
    let same = crate::flows::debtors::default_debtor_draft(&customer(Some("jan@jansen.nl"), None, "NL"), &settings());
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
    assert_eq!(crate::money::afas_order_amount(&booked.lines), dec("10.00"));
}

#[tokio::test]
async fn a_retried_record_is_fetched_fresh_and_journaled_as_a_new_attempt() {
    let (pos, erp, journal) = (
        FakePos::with_orders(vec![order(1, None)]),
        erp(),
        FakeJournal::default(),
    );
    erp.switchboard
        .fail_times(Op::CreateOrder, crate::testing::FaultKind::Permanent, 1);
    run(ORDERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(journal.entries_for("o-1")[0].outcome, Outcome::Failed);
    let report = crate::engine::retry_records(ORDERS, &settings(), &pos, &erp, &journal, &["o-1".to_owned()])
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

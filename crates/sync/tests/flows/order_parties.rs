//! Who an orders run books a sale on (organisation, person, the default debtor) and with which VAT code and
//! revenue account (the country, the rate, the till's reverse charge).

use std::collections::BTreeMap;

use koppel_core::FlowKind;

use super::*;
use koppel_sync::model::DebtorParty;
use koppel_sync::ports::FailureClass;
use koppel_testkit::{FakeJournal, FakePos, Op};

const ORDERS: FlowKind = FlowKind::Orders;

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

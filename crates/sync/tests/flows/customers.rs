//! A customers run over the fakes: which relations become AFAS debtors, matched, updated or skipped, and why.

use koppel_core::FlowKind;

use super::*;
use koppel_sync::flows::debtors::display_name;
use koppel_sync::model::DebtorParty;
use koppel_sync::ports::Outcome;
use koppel_testkit::{FakeJournal, FakePos, Op};

const CUSTOMERS: FlowKind = FlowKind::Customers;

fn relation(number: i64, email: Option<&str>, company: Option<&str>, country: &str) -> SourceCustomer {
    SourceCustomer {
        relation_number: Some(number.to_string()),
        sync_marker: Some(number),
        ..customer(email, company, country)
    }
}

fn pos(customers: Vec<SourceCustomer>) -> FakePos {
    let pos = FakePos::default();
    *pos.customers.lock().unwrap() = customers;
    pos
}

#[tokio::test]
async fn relations_become_organisation_or_person_debtors_with_country_settings() {
    let pos = pos(vec![
        relation(1, Some("bv@x.nl"), Some("Jansen BV"), "NL"),
        relation(2, Some("p@x.be"), None, "BE"),
    ]);
    let (erp, journal) = (erp(), FakeJournal::default());
    let report = run(CUSTOMERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 2);
    let debtors = erp.snapshot().debtors;
    let company = debtors
        .values()
        .find(|d| d.email.as_deref() == Some("bv@x.nl"))
        .unwrap();
    assert!(matches!(company.party, DebtorParty::Organisation { .. }));
    assert_eq!(
        (company.vat_code.as_deref(), company.revenue_account.as_deref()),
        (Some("NL-HOOG"), Some("8000"))
    );
    let person = debtors.values().find(|d| d.email.as_deref() == Some("p@x.be")).unwrap();
    assert!(matches!(person.party, DebtorParty::Person(_)));
    assert_eq!(
        (person.vat_code.as_deref(), person.revenue_account.as_deref()),
        (Some("BE-21"), Some("8100"))
    );
    assert_eq!(journal.current_cursor(), Some(3));
}

#[tokio::test]
async fn a_relation_without_e_mail_is_skipped_with_a_reason() {
    let pos = pos(vec![relation(1, None, None, "NL")]);
    let (erp, journal) = (erp(), FakeJournal::default());
    run(CUSTOMERS, &settings(), &pos, &erp, &journal).await.unwrap();
    let entry = journal.entries_for("1").pop().unwrap();
    assert_eq!(entry.outcome, Outcome::Skipped);
    assert!(entry.reason.unwrap().contains("e-mail"));
    assert_eq!(erp.write_calls(), 0);
}

#[tokio::test]
async fn matched_by_e_mail_updated_when_changed_and_left_when_not() {
    let erp = erp();
    erp.add_debtor("30001", debtor("old@x.nl", "Anders"));
    let unchanged = relation(2, Some("same@x.nl"), None, "NL");
    let draft = koppel_sync::flows::debtors::default_debtor_draft(&unchanged, &settings());
    erp.add_debtor("30002", draft);
    let pos = pos(vec![relation(1, Some("OLD@x.nl"), None, "NL"), unchanged]);
    let journal = FakeJournal::default();
    let report = run(CUSTOMERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(
        (report.counts.updated, report.counts.skipped, report.counts.created),
        (1, 1, 0)
    );
    assert_eq!(journal.id_map_entry("1").unwrap().target_id, "30001");
    assert_eq!(journal.id_map_entry("2").unwrap().target_id, "30002");
}

/// A debtor the accountant keeps in AFAS: terms and accounts of their own, a VAT number, an address.
fn accountants_debtor(email: &str) -> koppel_sync::model::DebtorDraft {
    koppel_sync::model::DebtorDraft {
        payment_terms: Some("30".into()),
        ledger_account: Some("1600".into()),
        revenue_account: Some("8400".into()),
        vat_duty: Some("2".into()),
        currency: Some("USD".into()),
        vat_number: Some("NL001234567B01".into()),
        ..debtor(email, "Anders")
    }
}

#[tokio::test]
async fn an_update_sends_only_what_koppel_owns_and_keeps_the_accountants_values() {
    let erp = erp();
    erp.add_debtor("30001", accountants_debtor("jan@x.nl"));
    let pos = pos(vec![relation(1, Some("jan@x.nl"), None, "NL")]);
    let journal = FakeJournal::default();
    let report = run(CUSTOMERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.updated, 1, "{report:?}");
    let sent = journal
        .entries()
        .pop()
        .unwrap()
        .exchanges
        .pop()
        .unwrap()
        .request
        .to_value();
    for field in [
        "payment_terms",
        "ledger_account",
        "revenue_account",
        "vat_duty",
        "currency",
        "vat_code",
    ] {
        assert!(sent[field].is_null(), "an update sent {field}: {sent}");
    }
    let held = erp.snapshot().debtors["30001"].clone();
    assert_eq!(display_name(&held.party), "Jan Jansen", "the name is Koppel's");
    assert_eq!(
        held.address.as_ref().unwrap().street,
        "Kerkstraat",
        "the address is Koppel's"
    );
    assert_eq!(held.phone.as_deref(), Some("0201234567"));
    assert_eq!(
        (
            held.payment_terms.as_deref(),
            held.ledger_account.as_deref(),
            held.revenue_account.as_deref()
        ),
        (Some("30"), Some("1600"), Some("8400")),
        "the accountant's terms and accounts stay"
    );
    assert_eq!(
        (held.vat_duty.as_deref(), held.currency.as_deref()),
        (Some("2"), Some("USD"))
    );
    assert_eq!(
        held.vat_number.as_deref(),
        Some("NL001234567B01"),
        "not blanked: MplusKASSA has none"
    );

    // The setting says otherwise: updates also send the accounting fields of the settings.
    let erp = super::erp();
    erp.add_debtor("30001", accountants_debtor("jan@x.nl"));
    let mut terms_too = settings();
    terms_too.company.update_debtor_terms = true;
    let journal = FakeJournal::default();
    run(CUSTOMERS, &terms_too, &pos, &erp, &journal).await.unwrap();
    let held = erp.snapshot().debtors["30001"].clone();
    assert_eq!(held.payment_terms, terms_too.company.payment_terms);
    assert_eq!(held.ledger_account, terms_too.company.debtor_ledger_account);
}

#[tokio::test]
async fn an_unchanged_relation_read_again_makes_no_call() {
    let pos = pos(vec![
        relation(1, Some("a@x.nl"), None, "NL"),
        relation(2, Some("b@x.nl"), Some("B BV"), "DE"),
    ]);
    let (erp, journal) = (erp(), FakeJournal::default());
    run(CUSTOMERS, &settings(), &pos, &erp, &journal).await.unwrap();
    journal.set_cursor_for_test(0);
    erp.switchboard.reset_calls();
    let report = run(CUSTOMERS, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.skipped, 2);
    assert!(
        erp.switchboard.all_calls().is_empty(),
        "{:?}",
        erp.switchboard.all_calls()
    );
    assert_eq!(erp.switchboard.calls(Op::DebtorsByEmail), 0);
}

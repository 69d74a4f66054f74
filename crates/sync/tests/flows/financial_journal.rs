//! A financial journal run over the fakes: closed till days booked once per branch, what changed days and
//! empty days do, the daily summary by VAT rate.

use chrono::NaiveDate;
use koppel_core::FlowKind;

use super::*;
use koppel_sync::flows::financial_journal::day_number;
use koppel_sync::ledger::{FinancialEntryDraft, LedgerGroupKind};
use koppel_sync::ports::{FailureClass, Outcome};
use koppel_testkit::{FaultKind, Op, till_day};

const JOURNAL: FlowKind = FlowKind::FinancialJournal;

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
}

/// A till with closed days 1 December (branches 1 and 2) and 2 December (branch 1), and 3 December still open.
fn till() -> FakePos {
    let pos = FakePos::default();
    let mut first = till_day(date(1), "1");
    first.groups.extend(till_day(date(1), "2").groups);
    pos.put_day(first);
    pos.put_day(till_day(date(2), "1"));
    let mut today = till_day(date(3), "1");
    today.closed = false;
    pos.put_day(today);
    pos
}

fn entries(erp: &FakeErp) -> Vec<FinancialEntryDraft> {
    erp.snapshot()
        .financial_entries
        .into_iter()
        .map(|(_, entry)| entry)
        .collect()
}

/// `(account, debit, credit, vat code)` of each line, as strings.
fn lines(entry: &FinancialEntryDraft) -> Vec<(String, String, String, Option<String>)> {
    entry
        .lines
        .iter()
        .map(|l| {
            (
                l.account.clone(),
                l.debit.to_string(),
                l.credit.to_string(),
                l.vat_code.clone(),
            )
        })
        .collect()
}

fn line(account: &str, debit: &str, credit: &str, vat: Option<&str>) -> (String, String, String, Option<String>) {
    (account.into(), debit.into(), credit.into(), vat.map(Into::into))
}

#[tokio::test]
async fn each_closed_day_is_booked_once_per_branch_balanced_and_the_open_day_waits() {
    let (pos, erp, journal) = (till(), erp(), FakeJournal::default());
    let report = run(JOURNAL, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 3, "two branches on the 1st, one on the 2nd");
    assert_eq!(
        report.cursor,
        Some(day_number(date(3))),
        "the open day is where the cursor waits"
    );

    let booked = entries(&erp);
    let vouchers: Vec<&str> = booked.iter().map(|e| e.voucher.as_str()).collect();
    assert_eq!(vouchers, ["MPLUS-20261201-1", "MPLUS-20261201-2", "MPLUS-20261202-1"]);
    let entry = &booked[0];
    assert_eq!((entry.journal.as_str(), entry.date), ("90", date(1)));
    assert_eq!(entry.administration.as_deref(), Some("1"));
    assert_eq!(
        lines(entry),
        [
            line("8000", "0", "100.00", Some("NL-HOOG")),
            line("1500", "0", "21.00", Some("NL-HOOG")),
            line("8020", "0", "50.00", Some("NL-LAAG")),
            line("1501", "0", "4.50", Some("NL-LAAG")),
            line("1010", "150.00", "0", None),
            line("1000", "25.50", "0", None),
        ],
        "revenue per VAT code with its code, the VAT on the till's VAT account, payments on the debit side"
    );
    assert_eq!(entry.debit_total(), entry.credit_total());
    assert_eq!(entry.debit_total(), dec("175.50"));
    let journaled = journal.entries_for("2026-12-01/2");
    assert_eq!(journaled[0].outcome, Outcome::Created);
    assert!(
        journaled[0].search_keys.contains(&"01-12-2026".to_owned()),
        "found by the date as shops write it"
    );

    let again = run(JOURNAL, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(again.counts.total(), 0, "the open day is not booked");
    let mut closed = till_day(date(3), "1");
    closed.closed = true;
    pos.put_day(closed);
    let later = run(JOURNAL, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(later.counts.created, 1, "once closed, the day is booked");
    assert_eq!(
        erp.switchboard.calls(Op::PostFinancialEntry),
        4,
        "each branch day exactly once"
    );
}

#[tokio::test]
async fn a_day_booked_but_not_journaled_is_found_by_its_voucher_and_not_booked_again() {
    let (pos, erp) = (till(), erp());
    run(JOURNAL, &settings(), &pos, &erp, &FakeJournal::default())
        .await
        .unwrap();
    // The worker died after AFAS booked the days and before the journal kept them: a journal that knows nothing.
    erp.switchboard.reset_calls();
    let forgotten = FakeJournal::default();
    let report = run(JOURNAL, &settings(), &pos, &erp, &forgotten).await.unwrap();
    assert_eq!((report.counts.created, report.counts.skipped), (0, 3));
    assert_eq!(erp.switchboard.calls(Op::PostFinancialEntry), 0);
    let entry = &forgotten.entries_for("2026-12-02/1")[0];
    assert!(
        entry.reason.as_deref().unwrap().contains("voucher MPLUS-20261202-1"),
        "{entry:?}"
    );
    assert!(entry.target_id.is_some(), "the id map learns the entry");
    assert_eq!(
        erp.switchboard.calls(Op::ExistingFinancialEntries),
        2,
        "one look-up per day read, for all its branches"
    );
}

#[tokio::test]
async fn a_day_that_does_not_balance_fails_naming_the_setting_and_books_the_difference_once_it_is_set() {
    let (pos, erp, journal) = (FakePos::default(), erp(), FakeJournal::default());
    let mut day = till_day(date(1), "1");
    // Cash counted 50 cents short.
    let cash = day.groups.iter_mut().find(|g| g.name == "Contant").unwrap();
    cash.incl = dec("25.00");
    pos.put_day(day);
    let mut settings = settings();
    let report = run(JOURNAL, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.failed, 1);
    let failed = &journal.entries_for("2026-12-01/1")[0];
    assert_eq!(failed.failure, Some(FailureClass::Setting));
    let reason = failed.reason.as_deref().unwrap();
    assert!(
        reason.contains("debit 175.00, credit 175.50") && reason.contains("journal_difference_account"),
        "{reason}"
    );
    assert!(entries(&erp).is_empty(), "nothing unbalanced reaches AFAS");

    settings.journal_difference_account = Some("8900".into());
    let retried = run(JOURNAL, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(retried.counts.created, 1, "the failed day is retried by the next run");
    let entry = &entries(&erp)[0];
    assert_eq!(
        entry.lines.last().map(|l| (l.account.as_str(), l.debit)),
        Some(("8900", dec("0.50")))
    );
    assert_eq!(entry.lines.last().unwrap().description, "Kasverschil");
    assert_eq!(entry.debit_total(), entry.credit_total());
}

#[tokio::test]
async fn without_a_vat_code_for_the_rate_the_day_fails_and_nothing_is_booked() {
    let (pos, erp, journal) = (FakePos::default(), erp(), FakeJournal::default());
    pos.put_day(till_day(date(1), "1"));
    let mut settings = settings();
    settings.company.vat_code_by_country = map(&[("BE", "BE-21")]);
    let report = run(JOURNAL, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.failed, 1);
    let reason = journal.entries_for("2026-12-01/1")[0].reason.clone().unwrap();
    assert!(
        reason.contains("`vat_code_by_country` has no AFAS VAT code for NL 21%"),
        "{reason}"
    );
    assert!(entries(&erp).is_empty());
}

#[tokio::test]
async fn a_refund_day_books_its_negative_revenue_on_the_debit_side() {
    let (pos, erp, journal) = (FakePos::default(), erp(), FakeJournal::default());
    let mut day = till_day(date(1), "1");
    for group in &mut day.groups {
        group.incl = -group.incl;
        for vat in &mut group.vat {
            (vat.excl, vat.vat) = (-vat.excl, -vat.vat);
        }
    }
    pos.put_day(day);
    run(JOURNAL, &settings(), &pos, &erp, &journal).await.unwrap();
    let entry = &entries(&erp)[0];
    assert_eq!(lines(entry)[0], line("8000", "100.00", "0", Some("NL-HOOG")));
    assert_eq!(lines(entry)[4], line("1010", "0", "150.00", None));
    assert_eq!(entry.debit_total(), entry.credit_total());
}

#[tokio::test]
async fn a_group_koppel_does_not_book_fails_the_day_naming_it() {
    let (pos, erp, journal) = (FakePos::default(), erp(), FakeJournal::default());
    let mut day = till_day(date(1), "1");
    day.groups[3].kind = LedgerGroupKind::Other("REFUNDABLE-DEPOSIT".into());
    pos.put_day(day);
    run(JOURNAL, &settings(), &pos, &erp, &journal).await.unwrap();
    let entry = &journal.entries_for("2026-12-01/1")[0];
    assert_eq!(entry.failure, Some(FailureClass::Permanent));
    assert!(
        entry
            .reason
            .as_deref()
            .unwrap()
            .contains("REFUNDABLE-DEPOSIT group (Contant")
    );
    assert!(entries(&erp).is_empty());
}

#[tokio::test]
async fn a_connection_failure_stops_the_run_at_that_day_and_the_next_run_books_it() {
    let (pos, erp, journal) = (till(), erp(), FakeJournal::default());
    erp.switchboard.fail_key(
        Op::PostFinancialEntry,
        "MPLUS-20261202-1",
        FaultKind::Transient { retry_after: None },
        Some(1),
    );
    let error = run(JOURNAL, &settings(), &pos, &erp, &journal).await.unwrap_err();
    assert!(matches!(error, RunError::Transient { .. }), "{error:?}");
    assert_eq!(
        journal.current_cursor(),
        Some(day_number(date(2))),
        "not past the day that failed"
    );
    let report = run(JOURNAL, &settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 1);
    let vouchers: Vec<String> = entries(&erp).into_iter().map(|e| e.voucher).collect();
    assert_eq!(vouchers, ["MPLUS-20261201-1", "MPLUS-20261201-2", "MPLUS-20261202-1"]);
}

#[tokio::test]
async fn changed_figures_of_a_booked_day_fail_it_instead_of_booking_it_twice() {
    let (pos, erp, journal) = (till(), erp(), FakeJournal::default());
    run(JOURNAL, &settings(), &pos, &erp, &journal).await.unwrap();
    let mut changed = till_day(date(2), "1");
    changed.groups[2].incl = dec("149.00");
    changed.groups[3].incl = dec("26.50");
    pos.put_day(changed);
    let report =
        koppel_sync::engine::retry_records(JOURNAL, &settings(), &pos, &erp, &journal, &["2026-12-02/1".to_owned()])
            .await
            .unwrap();
    assert_eq!(report.counts.failed, 1);
    let entry = journal.entries_for("2026-12-02/1").pop().unwrap();
    assert!(entry.reason.unwrap().contains("changed after Koppel booked it"));
    assert_eq!(erp.switchboard.calls(Op::PostFinancialEntry), 3);
}

#[tokio::test]
async fn the_first_run_needs_a_start_day() {
    let (pos, erp, journal) = (till(), erp(), FakeJournal::default());
    let mut settings = settings();
    settings.journal_start_date = None;
    let error = run(JOURNAL, &settings, &pos, &erp, &journal).await.unwrap_err();
    assert!(error.to_string().contains("journal_start_date"), "{error}");
    settings.journal_start_date = Some(date(2));
    let report = run(JOURNAL, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(
        report.counts.created, 1,
        "the days before the start are the tenant's own"
    );
}

#[tokio::test]
async fn the_dry_run_shows_the_first_days_entries_and_books_nothing() {
    let (pos, erp) = (FakePos::default(), erp());
    pos.put_day(till_day(date(2), "1"));
    let planned = koppel_sync::dry_run(JOURNAL, &settings(), &pos, &erp).await.unwrap();
    assert_eq!(planned.len(), 1, "the empty 1 December is passed over");
    assert_eq!(planned[0].writes[0].operation, "financial entry MPLUS-20261202-1");
    assert_eq!(
        planned[0].writes[0].request.to_value()["lines"]
            .as_array()
            .map(Vec::len),
        Some(6)
    );
    assert_eq!(erp.write_calls(), 0);
}

#[tokio::test]
async fn per_vat_rate_the_day_is_one_revenue_and_one_vat_line_per_rate_on_the_countrys_revenue_account() {
    let (pos, erp, journal) = (FakePos::default(), erp(), FakeJournal::default());
    let mut day = till_day(date(1), "1");
    let mut shoes = day.groups[0].clone();
    shoes.name = "Schoenen".into();
    shoes.account = "8010".into();
    shoes.incl = dec("60.50");
    (shoes.vat[0].excl, shoes.vat[0].vat) = (dec("50.00"), dec("10.50"));
    day.groups.insert(2, shoes);
    day.groups[3].incl += dec("60.50");
    pos.put_day(day);
    let mut settings = settings();
    settings.journal_revenue = koppel_sync::settings::JournalRevenue::VatRates;
    run(JOURNAL, &settings, &pos, &erp, &journal).await.unwrap();
    let entry = &entries(&erp)[0];
    assert_eq!(
        lines(entry),
        [
            line("8000", "0", "150.00", Some("NL-HOOG")),
            line("1500", "0", "31.50", Some("NL-HOOG")),
            line("8000", "0", "50.00", Some("NL-LAAG")),
            line("1501", "0", "4.50", Some("NL-LAAG")),
            line("1010", "210.50", "0", None),
            line("1000", "25.50", "0", None),
        ],
        "clothing and shoes at 21% are one line, on the revenue account of NL"
    );
    assert_eq!(entry.lines[0].description, "Omzet 21%");
    assert_eq!(entry.debit_total(), entry.credit_total());

    settings.company.revenue_account_by_country = map(&[("BE", "8100")]);
    let (erp, journal) = (super::erp(), FakeJournal::default());
    run(JOURNAL, &settings, &pos, &erp, &journal).await.unwrap();
    let reason = journal.entries()[0].reason.clone().unwrap();
    assert!(
        reason.contains("`revenue_account_by_country` has no revenue account for NL 21%"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_day_with_turnover_but_no_payments_is_never_booked_even_with_a_difference_account() {
    let (pos, erp, journal) = (FakePos::default(), erp(), FakeJournal::default());
    let mut day = till_day(date(1), "1");
    day.groups.retain(|g| g.kind == LedgerGroupKind::Turnover);
    pos.put_day(day);
    let mut settings = settings();
    settings.journal_difference_account = Some("8900".into());
    run(JOURNAL, &settings, &pos, &erp, &journal).await.unwrap();
    let entry = &journal.entries_for("2026-12-01/1")[0];
    assert_eq!(entry.failure, Some(FailureClass::Permanent));
    assert!(entry.reason.as_deref().unwrap().contains("no payments"));
    assert!(entries(&erp).is_empty());
}

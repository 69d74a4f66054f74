//! The financial journal flow with the real adapters against the sandbox, over real sockets: every closed till
//! day of the seeded shop lands in AFAS once per branch as a balanced financial entry (`FiEntries`) whose
//! revenue and VAT per VAT code are MplusKASSA's to the cent; the open day waits; a second run, and a run that
//! lost its journal, book nothing.

mod sandbox_support;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use koppel_core::FlowKind;
use koppel_mplus::model::{FinancialGroupSource, FinancialGroupType};
use koppel_sync::settings::FlowSettings;
use koppel_testkit::FakeJournal;
use rust_decimal::Decimal;
use sandbox_support::{System, World, body, failures, settings};
use serde_json::Value;

fn journal_settings(start: NaiveDate) -> FlowSettings {
    FlowSettings {
        journal_code: Some("90".into()),
        journal_start_date: Some(start),
        ..settings()
    }
}

fn amount(value: &Value) -> Decimal {
    match value {
        Value::Number(number) => number.to_string().parse().unwrap(),
        Value::String(text) => text.parse().unwrap(),
        _ => Decimal::ZERO,
    }
}

/// The financial entries AFAS accepted, by voucher number: each line's (account, debit, credit, VAT code).
async fn booked_entries(world: &World) -> BTreeMap<String, Vec<(String, Decimal, Decimal, Option<String>)>> {
    let mut entries = BTreeMap::new();
    for write in world.afas_writes(Some("FiEntries")).await {
        assert_eq!(write.status, 201, "{write:?}");
        let body = body(&write);
        let lines = body["FiEntryPar"]["Element"]["Objects"][0]["FiEntries"]["Element"]
            .as_array()
            .unwrap()
            .iter()
            .map(|line| {
                let fields = &line["Fields"];
                (
                    fields["AcNr"].as_str().unwrap().to_owned(),
                    amount(&fields["AmDe"]),
                    amount(&fields["AmCr"]),
                    fields["VaId"].as_str().map(str::to_owned),
                )
            })
            .collect::<Vec<_>>();
        let voucher = body["FiEntryPar"]["Element"]["Objects"][0]["FiEntries"]["Element"][0]["Fields"]["BpNr"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            entries.insert(voucher.clone(), lines).is_none(),
            "{voucher} booked twice"
        );
    }
    entries
}

#[tokio::test]
async fn every_closed_day_is_booked_once_per_branch_with_the_tills_turnover_to_the_cent() {
    let world = World::start(200).await;
    let shop = world.shop();
    let first = shop.receipts.iter().map(|r| r.financial_date).min().unwrap();
    let last = shop.receipts.iter().map(|r| r.financial_date).max().unwrap();
    let today = chrono::Utc::now().date_naive();
    assert!(
        last < today,
        "the seeded receipts lie in the past, so their days are closed"
    );
    let settings = journal_settings(first);
    world.clear_journal(System::Afas).await;

    let journal = FakeJournal::default();
    let report = world
        .run(FlowKind::FinancialJournal, &settings, &journal)
        .await
        .unwrap();
    let failures = failures(&journal);
    assert_eq!(failures, Vec::new());
    assert!(report.counts.created >= 10, "{report:?}");
    assert!(journal.entries().iter().all(|e| e.entity == "financial_day"));

    // What MplusKASSA's journal says, read through the client: per day and branch the turnover incl. VAT.
    let mplus = world.mplus.get_financial_journal(first, last).await.unwrap();
    let mut turnover: BTreeMap<String, Decimal> = BTreeMap::new();
    for group in &mplus.groups {
        if group.source != FinancialGroupSource::Receipt || group.group_type != FinancialGroupType::Turnover {
            continue;
        }
        let day = group.from_date.unwrap().format("%Y%m%d");
        let voucher = format!("MPLUS-{day}-{}", group.branch_number.unwrap());
        *turnover.entry(voucher).or_default() += group.incl_amount.unwrap();
    }
    let entries = booked_entries(&world).await;
    let days_with_groups: BTreeSet<String> = mplus
        .groups
        .iter()
        .filter(|g| g.source == FinancialGroupSource::Receipt)
        .map(|g| {
            format!(
                "MPLUS-{}-{}",
                g.from_date.unwrap().format("%Y%m%d"),
                g.branch_number.unwrap()
            )
        })
        .collect();
    assert_eq!(
        entries.keys().cloned().collect::<BTreeSet<_>>(),
        days_with_groups,
        "one entry per branch day"
    );
    assert_eq!(report.counts.created as usize, entries.len());
    for (voucher, lines) in &entries {
        let debit: Decimal = lines.iter().map(|l| l.1).sum();
        let credit: Decimal = lines.iter().map(|l| l.2).sum();
        assert_eq!(debit, credit, "{voucher} balances");
        // Revenue and VAT are the lines with a VAT code; payments and cash have none.
        let with_vat: Decimal = lines.iter().filter(|l| l.3.is_some()).map(|l| l.2 - l.1).sum();
        let till = turnover.get(voucher).copied().unwrap_or_default();
        assert_eq!(with_vat, till, "{voucher}: revenue and VAT are the till's turnover");
        assert!(
            lines
                .iter()
                .filter(|l| l.3.is_some())
                .all(|l| l.3.as_deref().unwrap().len() <= 3),
            "VaId fits Profit's VAT code"
        );
    }

    // Nothing twice: the next run finds the days booked (the open day waits), and so does a run whose
    // journal was lost after AFAS booked them (the voucher look-up).
    let again = world
        .run(FlowKind::FinancialJournal, &settings, &journal)
        .await
        .unwrap();
    assert_eq!(again.counts.created, 0, "{again:?}");
    let forgotten = FakeJournal::default();
    let lost = world
        .run(FlowKind::FinancialJournal, &settings, &forgotten)
        .await
        .unwrap();
    assert_eq!(lost.counts.created, 0, "{lost:?}");
    assert_eq!(lost.counts.skipped as usize, entries.len());
    assert_eq!(booked_entries(&world).await.len(), entries.len(), "no second FiEntries");
}

#[tokio::test]
async fn a_voucher_already_in_afas_is_not_booked_again_and_an_unknown_journal_fails_every_day_with_afas_reason() {
    let world = World::start(120).await;
    let first = world.shop().receipts.iter().map(|r| r.financial_date).min().unwrap();
    let mut settings = journal_settings(first);
    settings.journal_code = Some("99".into());
    let journal = FakeJournal::default();
    let report = world
        .run(FlowKind::FinancialJournal, &settings, &journal)
        .await
        .unwrap();
    assert!(report.counts.failed > 0 && report.counts.created == 0, "{report:?}");
    let reason = journal.entries()[0].reason.clone().unwrap();
    assert!(reason.contains("99"), "AFAS's refusal names the journal: {reason}");

    // Corrected, the failed days are retried by the next run and booked once.
    settings.journal_code = Some("90".into());
    let retried = world
        .run(FlowKind::FinancialJournal, &settings, &journal)
        .await
        .unwrap();
    assert_eq!(retried.counts.created, report.counts.failed, "{retried:?}");
    assert_eq!(retried.counts.failed, 0);
}

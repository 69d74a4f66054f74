//! The quotations flow towards the till (`quotations_direction` = `afas_to_mplus`) with the real adapters
//! against both simulators, over real sockets: AFAS's quotations become MplusKASSA proposals for their debtors'
//! relations (read back with MplusKASSA's own `getProposals`), a second run writes nothing, a change in AFAS
//! replaces the proposal, a run that lost its journal entries (as after a crash between the write and the
//! journal) makes no copy, and switching the direction back neither books Koppel's proposals in AFAS nor sends
//! the quotations it booked there back to the till.

mod sandbox_support;

use std::collections::BTreeMap;

use koppel_core::FlowKind;
use koppel_mplus::DocumentFilter;
use koppel_mplus::model::{Proposal, VatMethod};
use koppel_sync::flows::proposals::FROM_THE_TILL;
use koppel_sync::settings::{FlowSettings, QuotationsDirection};
use koppel_testkit::FakeJournal;
use rust_decimal::Decimal;
use sandbox_support::{System, World, failures, settings, with_articles};
use serde_json::json;

/// The seeded AFAS quotations (see the sandbox's seed).
const QUOTATIONS: [&str; 2] = ["30260001", "30260002"];

fn to_till() -> FlowSettings {
    FlowSettings {
        quotations_direction: QuotationsDirection::AfasToMplus,
        ..settings()
    }
}

/// The till's proposals that carry an `extProposalId`, by it (each a list, so a copy would show).
async fn till_proposals(world: &World) -> BTreeMap<String, Vec<Proposal>> {
    let filter = DocumentFilter {
        include_lines: Some(true),
        ..DocumentFilter::default()
    };
    let mut found: BTreeMap<String, Vec<Proposal>> = BTreeMap::new();
    for proposal in world.mplus.get_proposals(&filter, 0, 10_000).await.unwrap() {
        if let Some(ext) = proposal.ext_proposal_id.clone() {
            found.entry(ext).or_default().push(proposal);
        }
    }
    found
}

/// The till's relation linked to an AFAS debtor.
async fn relation_of(world: &World, debtor: &str) -> i64 {
    let relations = world.mplus.get_relations(&[], 0, 100_000).await.unwrap();
    relations
        .into_iter()
        .find(|r| r.ext_relation_id.as_deref() == Some(debtor))
        .and_then(|r| r.relation_number)
        .expect("the debtors flow linked the debtor's relation")
}

#[tokio::test]
async fn afas_quotations_become_till_proposals_once_and_follow_changes_without_ping_pong() {
    let world = World::start(20).await;
    with_articles(&world).await;
    // The quotations' articles and debtors reach the till first, as the flows run together do.
    for flow in [FlowKind::Articles, FlowKind::Debtors] {
        let first = FakeJournal::default();
        let report = world.run(flow, &settings(), &first).await.expect("the master data run");
        assert_eq!(report.counts.failed, 0, "{flow}: {:?}", failures(&first));
    }

    let journal = FakeJournal::default();
    let report = world
        .run(FlowKind::Quotations, &to_till(), &journal)
        .await
        .expect("the quotations run");
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));
    assert_eq!((report.counts.created, report.counts.failed), (2, 0), "{report:?}");
    let proposals = till_proposals(&world).await;
    assert_eq!(proposals.keys().map(String::as_str).collect::<Vec<_>>(), QUOTATIONS);
    let first = &proposals["30260001"][0];
    assert_eq!(first.relation_number, Some(relation_of(&world, "10001").await));
    assert_eq!(first.reference.as_deref(), Some("OFFERTE-10001"));
    assert_eq!(
        first.vat_method,
        Some(VatMethod::Exclusive),
        "AFAS's quotation prices are excl. VAT"
    );
    let lines: Vec<(i64, Decimal, Option<Decimal>)> = first
        .line_list
        .iter()
        .map(|line| (line.article_number, line.quantity, line.price_excl.or(line.price)))
        .collect();
    assert_eq!(
        lines,
        [
            (1000, Decimal::TWO, Some(Decimal::new(1995, 2))),
            (1003, Decimal::ONE, Some(Decimal::new(8996, 2))),
        ]
    );
    assert_eq!(
        proposals["30260002"][0].relation_number,
        Some(relation_of(&world, "10004").await)
    );

    // Again: nothing changed, nothing written.
    world.clear_journal(System::Mplus).await;
    let again = world.run(FlowKind::Quotations, &to_till(), &journal).await.unwrap();
    assert_eq!(
        (again.counts.created, again.counts.updated, again.counts.failed),
        (0, 0, 0)
    );
    assert_eq!(world.till_calls("saveProposal").await, 0);

    // A change in AFAS replaces the proposal (the same one: its id and number stay).
    let change = json!({"FbSalesQuotation": {"Element": {"Fields": {"OrNu": "30260002", "RfCs": "OFFERTE-10004-B"}}}});
    world.write_afas(reqwest::Method::PUT, "FbSalesQuotation", change).await;
    let changed = world.run(FlowKind::Quotations, &to_till(), &journal).await.unwrap();
    assert_eq!((changed.counts.updated, changed.counts.failed), (1, 0), "{changed:?}");
    let proposals = till_proposals(&world).await;
    let second = &proposals["30260002"];
    assert_eq!(second.len(), 1, "replaced, not copied");
    assert_eq!(second[0].reference.as_deref(), Some("OFFERTE-10004-B"));

    // Entries lost (as after a crash between the write and the journal): the till refuses a second proposal
    // with the quotation's number, and the run links to the one there.
    let lost = FakeJournal::default();
    let resumed = world.run(FlowKind::Quotations, &to_till(), &lost).await.unwrap();
    assert_eq!(
        (resumed.counts.created, resumed.counts.failed),
        (0, 0),
        "{:?}",
        failures(&lost)
    );
    let proposals = till_proposals(&world).await;
    assert!(proposals.values().all(|copies| copies.len() == 1), "{proposals:?}");
    let linked: Vec<Option<String>> = lost.entries().into_iter().map(|e| e.target_id).collect();
    assert!(linked.iter().all(Option::is_some), "{linked:?}");

    // The other way (with the same journal, from the start): the till's proposals are booked in AFAS, but not
    // the two Koppel made from AFAS quotations.
    journal.set_cursor_for_test(0);
    let back = world.run(FlowKind::Quotations, &settings(), &journal).await.unwrap();
    assert_eq!(back.counts.failed, 0, "{:?}", failures(&journal));
    let made: Vec<String> = proposals.values().filter_map(|p| p[0].proposal_id.clone()).collect();
    for id in &made {
        let entries = journal.entries_for(id);
        assert_eq!(entries.len(), 1, "{id}: {entries:?}");
        assert!(entries[0].target_id.is_none(), "not booked in AFAS: {entries:?}");
    }
    assert!(back.counts.created > 0, "the till's own proposals are booked");

    // And towards the till again: the quotations booked from the till's proposals are not sent back.
    journal.set_cursor_for_test(0);
    world.clear_journal(System::Mplus).await;
    let forth = world.run(FlowKind::Quotations, &to_till(), &journal).await.unwrap();
    assert_eq!(
        (forth.counts.created, forth.counts.updated, forth.counts.failed),
        (0, 0, 0)
    );
    assert_eq!(world.till_calls("saveProposal").await, 0);
    let skipped = journal
        .entries()
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some(FROM_THE_TILL))
        .count();
    assert_eq!(
        skipped as u64, back.counts.created,
        "each quotation booked from the till is left out"
    );
}

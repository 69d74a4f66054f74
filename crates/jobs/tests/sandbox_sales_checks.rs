//! Reading booked sales back from the AFAS simulator over real sockets: after booking a seeded shop every sale's
//! `InvoiceTotal` and `VAT` in `Profit_Salesorders` equal the till's, read in a few batched calls; a wrong VAT
//! code (a difference deliberately injected) becomes a warning on each record it touches.

mod sandbox_support;

use koppel_core::FlowKind;
use koppel_sync::ports::Outcome;
use koppel_testkit::FakeJournal;
use sandbox_support::{System, World, settings, with_articles};

/// GetConnector calls to `Profit_Salesorders` that read orders back by number.
async fn read_backs(world: &World) -> usize {
    let calls = world.journal(System::Afas).await;
    calls
        .iter()
        .filter(|call| {
            call.operation.as_deref() == Some("Profit_Salesorders") && call.path.contains("filterfieldids=OrderNumber")
        })
        .count()
}

#[tokio::test]
async fn every_booked_sale_reads_back_as_the_till_has_it() {
    let world = World::start_seeded(11, 200).await;
    with_articles(&world).await;
    world.clear_journal(System::Afas).await;
    let journal = FakeJournal::default();
    let report = world.run(FlowKind::Orders, &settings(), &journal).await.unwrap();
    let booked: Vec<String> = journal
        .entries()
        .into_iter()
        .filter(|entry| entry.outcome == Outcome::Created)
        .map(|entry| entry.source_id)
        .collect();
    assert_eq!(booked.len(), world.expected_orders().len());
    let checks = journal.sale_checks();
    assert_eq!(checks.len(), booked.len(), "every booked sale is read back");
    let warnings = journal.sale_warnings();
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(report.differing, 0);
    for check in checks.values() {
        let booked = check.booked.expect("AFAS has every booked sale");
        assert!(booked.vat.is_some(), "Profit_Salesorders shows the VAT");
    }
    let calls = read_backs(&world).await;
    assert!(
        calls == 1,
        "{} sales read back in {calls} calls (one range of order numbers)",
        booked.len()
    );
}

#[tokio::test]
async fn a_wrong_vat_code_is_a_warning_on_every_sale_it_touches() {
    let world = World::start_seeded(11, 60).await;
    with_articles(&world).await;
    let mut wrong = settings();
    // The 21% rate mapped to AFAS's 9% code: AFAS books less VAT than the till charged.
    let vat = &mut wrong.company.vat_code_by_country.table;
    vat.insert("NL:21".into(), "2".into());
    let journal = FakeJournal::default();
    let report = world.run(FlowKind::Orders, &wrong, &journal).await.unwrap();
    let warnings = journal.sale_warnings();
    assert!(!warnings.is_empty());
    assert_eq!(report.differing, warnings.len() as u64);
    for warning in warnings.values() {
        assert!(warning.starts_with("booked, "), "{warning}");
        assert!(warning.contains("VAT differs by €"), "{warning}");
    }
    assert!(
        journal
            .entries()
            .iter()
            .filter(|entry| warnings.contains_key(&entry.source_id))
            .all(|entry| entry.outcome == Outcome::Created),
        "a warning never fails the booking"
    );
}

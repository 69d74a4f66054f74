//! The order_status flow (AFAS → MplusKASSA) with the real adapters against both simulators, over real sockets:
//! the orders flow books the till's paid orders in AFAS; an AFAS sales order delivered there is delivered at the
//! till (read back with MplusKASSA's own `getOrder`), orders AFAS has not delivered stay open, and a second run
//! writes nothing.

mod sandbox_support;

use koppel_core::FlowKind;
use koppel_testkit::FakeJournal;
use sandbox_support::{System, World, failures, settings, with_articles};
use serde_json::json;

#[tokio::test]
async fn an_order_afas_delivered_is_delivered_at_the_till_once() {
    let world = World::start(60).await;
    with_articles(&world).await;
    // One journal for both flows: the order_status flow reads the orders flow's id map.
    let journal = FakeJournal::default();
    world
        .run(FlowKind::Orders, &settings(), &journal)
        .await
        .expect("the orders run");
    let booked: Vec<(String, String)> = journal
        .entries()
        .into_iter()
        .filter_map(|entry| Some((entry.source_id, entry.target_id?)))
        .collect();
    let mplus = world.mplus.clone();
    let state = |id: String| {
        let mplus = mplus.clone();
        async move {
            let order = mplus.get_order(&id).await.unwrap().unwrap();
            order.delivery_state.unwrap_or_default()
        }
    };
    // Two orders the till has not delivered yet (some seeded orders were delivered at the till already).
    let mut open = Vec::new();
    for (id, number) in booked {
        if !state(id.clone()).await.ends_with("-COMPLETE") {
            open.push((id, number));
        }
    }
    assert!(open.len() >= 2, "the orders flow booked open orders: {open:?}");
    let (delivered_id, delivered_number) = open[0].clone();
    let (open_id, _) = open[1].clone();

    world
        .post_control(
            System::Afas,
            "sales-order-status",
            json!({"orderNumber": delivered_number, "status": "Geleverd"}),
        )
        .await;
    world.clear_journal(System::Mplus).await;
    let report = world
        .run(FlowKind::OrderStatus, &settings(), &journal)
        .await
        .expect("the order_status run");
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));
    assert_eq!((report.counts.updated, report.counts.failed), (1, 0));
    assert!(
        state(delivered_id.clone()).await.ends_with("-COMPLETE"),
        "delivered at the till"
    );
    assert!(
        !state(open_id).await.ends_with("-COMPLETE"),
        "an order AFAS did not deliver stays open"
    );
    let delivers = |entries: Vec<koppel_sandbox::control::JournalEntry>| {
        entries
            .into_iter()
            .filter(|entry| entry.operation.as_deref() == Some("deliverOrder"))
            .count()
    };
    assert_eq!(delivers(world.journal(System::Mplus).await), 1);

    world.clear_journal(System::Mplus).await;
    let again = world
        .run(FlowKind::OrderStatus, &settings(), &journal)
        .await
        .expect("the second run");
    assert_eq!((again.counts.updated, again.counts.failed), (0, 0));
    assert_eq!(
        delivers(world.journal(System::Mplus).await),
        0,
        "the second run writes nothing"
    );
}

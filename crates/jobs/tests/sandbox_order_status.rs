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

#[tokio::test]
async fn a_partial_delivery_in_afas_delivers_those_lines_at_the_till_and_the_rest_follows() {
    let world = World::start(60).await;
    with_articles(&world).await;
    let journal = FakeJournal::default();
    world
        .run(FlowKind::Orders, &settings(), &journal)
        .await
        .expect("the orders run");
    // An open order of the till with a line of more than one piece, as Koppel booked it in AFAS.
    let mut chosen = None;
    for entry in journal.entries() {
        let Some(number) = entry.target_id.clone() else {
            continue;
        };
        let order = world.mplus.get_order(&entry.source_id).await.unwrap().unwrap();
        let open = !order.delivery_state.clone().unwrap_or_default().ends_with("-COMPLETE");
        if open
            && order
                .line_list
                .iter()
                .all(|l| l.delivered_quantity.unwrap_or_default().is_zero())
        {
            chosen = Some((entry.source_id.clone(), number, order));
            break;
        }
    }
    let (order_id, number, order) = chosen.expect("an open order the orders flow booked");
    let lines = world.rows("Profit_SalesorderLines", "OrderNumber").await;
    let afas_lines: Vec<&serde_json::Value> = lines.iter().filter(|l| l["OrderNumber"] == number.as_str()).collect();
    let first = afas_lines.first().expect("the AFAS order's lines");
    let (seq, code) = (
        first["SeqNo"].as_i64().unwrap(),
        first["ItemCodeId"].as_str().unwrap().to_owned(),
    );
    let till_line = order
        .line_list
        .iter()
        .find(|l| l.article_number.to_string() == code)
        .expect("the till line of the first AFAS line")
        .clone();

    // AFAS delivers one piece of that line.
    world
        .post_control(
            System::Afas,
            "sales-order-status",
            json!({"orderNumber": number, "status": "Gedeeltelijk geleverd", "delivered": [{"seqNo": seq, "quantity": 1}]}),
        )
        .await;
    world.clear_journal(System::Mplus).await;
    let report = world.run(FlowKind::OrderStatus, &settings(), &journal).await.unwrap();
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));
    assert_eq!(report.counts.updated, 1, "{report:?}");
    let after = world.mplus.get_order(&order_id).await.unwrap().unwrap();
    let line = after.line_list.iter().find(|l| l.line_id == till_line.line_id).unwrap();
    assert_eq!(line.delivered_quantity, Some(rust_decimal::Decimal::ONE));
    let others_open = after
        .line_list
        .iter()
        .filter(|l| l.line_id != till_line.line_id)
        .all(|l| l.delivered_quantity.unwrap_or_default().is_zero());
    assert!(others_open, "only that line went out: {:?}", after.line_list);

    // Nothing new in AFAS: nothing is sent; then AFAS delivers it all, and so does the till.
    let again = world.run(FlowKind::OrderStatus, &settings(), &journal).await.unwrap();
    assert_eq!((again.counts.updated, again.counts.failed), (0, 0));
    world
        .post_control(
            System::Afas,
            "sales-order-status",
            json!({"orderNumber": number, "status": "Geleverd"}),
        )
        .await;
    let whole = world.run(FlowKind::OrderStatus, &settings(), &journal).await.unwrap();
    assert_eq!((whole.counts.updated, whole.counts.failed), (1, 0));
    let done = world.mplus.get_order(&order_id).await.unwrap().unwrap();
    assert!(done.delivery_state.unwrap_or_default().ends_with("-COMPLETE"));
}

//! Partial deliveries (`deliverOrderV2`) of a seeded open order: a part of one line, read back with `getOrder`,
//! then the rest; refusals (too much, an unknown line, nothing) deliver nothing at all.

use super::*;
use koppel_mplus::model::Order;

const PARTIAL: &str = "ORDER-DELIVERY-STATE-PARTIAL";
const COMPLETE: &str = "ORDER-DELIVERY-STATE-COMPLETE";

fn line_of<'a>(order: &'a Order, line_id: &str) -> &'a koppel_mplus::model::Line {
    order
        .line_list
        .iter()
        .find(|l| l.line_id.as_deref() == Some(line_id))
        .expect("the line")
}

/// A `…-FAILED` refusal whose message names `line_id`.
fn assert_refused(error: MplusError, line_id: &str) {
    match error {
        MplusError::Business {
            operation: "deliverOrderV2",
            outcome: BusinessOutcome::Failed,
            ref result,
            message: Some(ref message),
        } if result == "DELIVER-ORDER-V2-RESULT-FAILED" => {
            assert!(message.contains(line_id), "{message}")
        }
        other => panic!("expected a refusal naming {line_id}: {other:?}"),
    }
}

#[tokio::test]
async fn an_order_is_delivered_line_by_line_exactly() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let filter = DocumentFilter {
        include_lines: Some(true),
        ..DocumentFilter::default()
    };
    let orders = client.get_orders(&filter, 1, 500).await.unwrap();
    let part = dec("0.125");
    // An open order with a line of loose tea (a quantity with decimal places) of more than 125 g.
    let (order, line_id) = orders
        .iter()
        .filter(|o| {
            o.delivery_state.as_deref() == Some("ORDER-DELIVERY-STATE-NOTHING")
                && o.cancel_state.as_deref() == Some("ORDER-CANCEL-STATE-NOTHING")
        })
        .find_map(|o| {
            let line = o
                .line_list
                .iter()
                .find(|l| l.quantity > part && l.quantity.fract() != Decimal::ZERO)?;
            Some((o, line.line_id.clone().expect("lines have ids")))
        })
        .expect("an open seeded order with a fractional line over 125 g");
    let id = order.order_id.as_str();
    let quantity = line_of(order, &line_id).quantity;
    assert_eq!(line_of(order, &line_id).delivered_quantity, Some(Decimal::ZERO));

    // A part of the line: 125 g.
    assert!(
        client
            .deliver_order_lines(id, &[(line_id.clone(), part)])
            .await
            .unwrap()
    );
    let partial = client.get_order(id).await.unwrap().unwrap();
    assert_eq!(line_of(&partial, &line_id).delivered_quantity, Some(part));
    assert_eq!(partial.delivery_state.as_deref(), Some(PARTIAL));
    assert_eq!(partial.change_counter, order.change_counter.map(|c| c + 1));
    assert!(
        partial.sync_marker > order.sync_marker,
        "the change moves the order's sync marker"
    );
    let changed = client
        .get_orders(&filter, partial.sync_marker.unwrap(), 10)
        .await
        .unwrap();
    assert_eq!(changed[0].order_id, id, "getOrders shows the change");

    // Refusals change nothing, not even the lines of the request that were fine.
    let open = quantity - part;
    let too_much = client
        .deliver_order_lines(id, &[(line_id.clone(), open + dec("0.001"))])
        .await
        .unwrap_err();
    assert_refused(too_much, &line_id);
    let unknown = client
        .deliver_order_lines(id, &[(line_id.clone(), open), ("no-such-line".to_owned(), dec("1"))])
        .await
        .unwrap_err();
    assert_refused(unknown, "no-such-line");
    let nothing = client
        .deliver_order_lines(id, &[(line_id.clone(), Decimal::ZERO)])
        .await
        .unwrap_err();
    assert_refused(nothing, &line_id);
    assert_eq!(client.get_order(id).await.unwrap().unwrap(), partial);

    // The rest: what is open of every line (a returned line's amount counts as its size).
    let rest: Vec<(String, Decimal)> = partial
        .line_list
        .iter()
        .map(|l| {
            let open = l.quantity - l.delivered_quantity.unwrap_or_default() - l.cancelled_quantity.unwrap_or_default();
            (l.line_id.clone().unwrap(), open.abs())
        })
        .filter(|(_, open)| !open.is_zero())
        .collect();
    assert!(rest.iter().any(|(l, open)| *l == line_id && *open == quantity - part));
    assert!(client.deliver_order_lines(id, &rest).await.unwrap());
    let complete = client.get_order(id).await.unwrap().unwrap();
    assert_eq!(complete.delivery_state.as_deref(), Some(COMPLETE));
    for line in &complete.line_list {
        assert_eq!(line.delivered_quantity, Some(line.quantity), "{line:?}");
    }
    assert_eq!(line_of(&complete, &line_id).delivered_quantity, Some(quantity));

    // Asking again: already delivered, nothing changes.
    assert!(
        !client
            .deliver_order_lines(id, &[(line_id.clone(), dec("1"))])
            .await
            .unwrap()
    );
    assert_eq!(client.get_order(id).await.unwrap().unwrap(), complete);
}

#[tokio::test]
async fn deliveries_of_unknown_orders_are_refused() {
    let sandbox = sandbox().await;
    let error = client(&sandbox)
        .deliver_order_lines("00000000-0000-0000-0000-000000000000", &[("l1".to_owned(), dec("1"))])
        .await
        .unwrap_err();
    assert!(
        matches!(error, MplusError::Business { ref result, .. } if result == "DELIVER-ORDER-V2-RESULT-FAILED"),
        "{error:?}"
    );
}

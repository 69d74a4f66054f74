//! Orders arriving and changing in the shop (the controls): new orders generated like seeded ones, and an order
//! paid, delivered or cancelled as if it happened at the till.

use super::create::{move_line_stock, place};
use crate::mplus::model::{Order, Payment, PaymentMethodType, Progress};
use crate::mplus::seed::OrderState;
use crate::mplus::state::{Store, now};
use crate::mplus::stock::StockChangeKind;

/// Summary of an order for the controls' JSON answers.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    pub order_id: String,
    pub ext_order_id: Option<String>,
    pub sync_marker: i64,
    pub order_type: &'static str,
    pub total_incl_amount: i64,
    pub paid_amount: i64,
    pub fully_paid: bool,
}

impl From<&Order> for OrderSummary {
    fn from(order: &Order) -> Self {
        Self {
            order_id: order.order_id.clone(),
            ext_order_id: order.ext_order_id.clone(),
            sync_marker: order.sync_marker,
            order_type: order.order_type.wire(),
            total_incl_amount: order.totals().incl,
            paid_amount: order.paid_amount(),
            fully_paid: order.is_fully_paid(),
        }
    }
}

/// New orders arriving (controls): generated like seeded ones, stored with fresh sync markers.
pub fn add_orders(store: &mut Store, count: usize, state: Option<OrderState>) -> Vec<OrderSummary> {
    (0..count)
        .map(|_| {
            let index = store.orders.take_index();
            let order = store.shop.new_order(index, state, now());
            OrderSummary::from(&place(store, order))
        })
        .collect()
}

/// Moves an existing order to a state (controls), as if paid, delivered or cancelled in the shop.
pub fn set_order_state(store: &mut Store, order_id: &str, state: OrderState) -> Option<OrderSummary> {
    let mut order = store.orders.by_id(&store.shop, order_id)?;
    let total = order.totals().incl;
    let settle = |order: &mut Order| {
        let open = total - order.paid_amount();
        if open > 0 {
            let method = &store.shop.payment_methods[1];
            order.payments.push(Payment::with_method(method, open, now().date()));
        }
    };
    let deliver = |order: &mut Order| {
        order.delivery_state = Progress::Complete;
        for line in &mut order.lines {
            line.delivered_quantity = line.quantity;
        }
    };
    match state {
        OrderState::Paid => settle(&mut order),
        OrderState::Delivered => {
            settle(&mut order);
            deliver(&mut order);
        }
        OrderState::DeliveredUnpaid => deliver(&mut order),
        OrderState::PartlyPaid | OrderState::Unpaid => {
            order.payments.clear();
            if state == OrderState::PartlyPaid {
                settle(&mut order);
                if let Some(payment) = order.payments.last_mut() {
                    payment.amount = (payment.amount / 2).max(1);
                    payment.kind = PaymentMethodType::Deposit;
                }
            }
        }
        OrderState::Cancelled => {
            order.cancel_state = Progress::Complete;
            for line in &mut order.lines {
                line.cancelled_quantity = line.quantity;
            }
        }
    }
    order.payment_method = order.payments.first().map(|p| p.method.clone());
    order.change_counter += 1;
    let order = store.orders.save(order, &mut store.markers.order);
    // Delivering ships the reserved goods; cancelling releases them.
    let ships = matches!(state, OrderState::Delivered | OrderState::DeliveredUnpaid);
    if (ships || state == OrderState::Cancelled) && store.orders.reserving.remove(&order.order_id) {
        let change: fn(i64) -> StockChangeKind = if ships {
            StockChangeKind::Ship
        } else {
            |q| StockChangeKind::Reserve(-q)
        };
        // Less what partial deliveries (`deliverOrderV2`) shipped already.
        let shipped = store.orders.shipped.remove(&order.order_id).unwrap_or_default();
        let left: Vec<(usize, i64)> = order
            .lines
            .iter()
            .map(|line| line.quantity - shipped.get(&line.line_id).copied().unwrap_or(0))
            .enumerate()
            .collect();
        move_line_stock(store, &order, &left, change);
    }
    Some(OrderSummary::from(&order))
}

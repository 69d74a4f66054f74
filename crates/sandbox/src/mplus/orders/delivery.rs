//! `deliverOrderV2`: partial deliveries, a quantity per order line.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::create::move_line_stock;
use crate::mplus::model::{Line, Progress};
use crate::mplus::soap::SoapFault;
use crate::mplus::state::Store;
use crate::mplus::stock::StockChangeKind;
use crate::mplus::xml::Element;

const OK: &str = "DELIVER-ORDER-V2-RESULT-OK";
const ALREADY_DELIVERED: &str = "DELIVER-ORDER-V2-RESULT-ALREADY-DELIVERED";
const FAILED: &str = "DELIVER-ORDER-V2-RESULT-FAILED";

/// The sign of a line's quantities: −1 on a line of returned goods (a negative quantity), else 1.
fn direction(line: &Line) -> i64 {
    if line.quantity < 0 { -1 } else { 1 }
}

/// What of a line is still to be delivered (in the line's own decimal places; of a returned line, what is
/// still to come back): `quantity − delivered − cancelled`, as an amount of the line (never below 0).
fn open_quantity(line: &Line) -> i64 {
    ((line.quantity - line.delivered_quantity - line.cancelled_quantity) * direction(line)).max(0)
}

/// A quantity as text (`quantity` with `places` decimals), for messages.
fn quantity_text(quantity: i64, places: u32) -> String {
    Decimal::try_new(quantity, places).map_or_else(|_| quantity.to_string(), |q| q.to_string())
}

/// A requested `quantity`/`decimalPlaces` in a line's decimal places, exactly; `None` when the line cannot hold
/// it (more decimals than the line has, or out of range).
fn in_line_places(quantity: i64, decimal_places: i64, line_places: u32) -> Option<i64> {
    let requested = Decimal::try_new(quantity, u32::try_from(decimal_places).ok()?).ok()?;
    let scaled = requested.checked_mul(Decimal::from(10_i64.checked_pow(line_places)?))?;
    if scaled.fract() != Decimal::ZERO {
        return None;
    }
    i64::try_from(scaled).ok()
}

/// The quantities a request delivers, by line position (amounts of the line, so positive); `Err` names the
/// first line refused.
fn requested_quantities(lines: &[Line], list: &Element) -> Result<Result<HashMap<usize, i64>, String>, SoapFault> {
    let mut wanted: HashMap<usize, i64> = HashMap::new();
    for requested in list.children_named("line") {
        let line_id = requested
            .text_of("lineId")
            .ok_or_else(|| SoapFault::missing("lineId"))?;
        let quantity = requested
            .number_of("quantity")
            .ok_or_else(|| SoapFault::missing("quantity"))?;
        let places = requested.number_of("decimalPlaces").unwrap_or(0);
        let Some(position) = lines.iter().position(|l| l.line_id == line_id) else {
            return Ok(Err(format!("Line {line_id} is not a line of the order")));
        };
        let line = &lines[position];
        if quantity <= 0 {
            return Ok(Err(format!(
                "Line {line_id}: quantity {} must be more than 0",
                quantity_text(quantity, u32::try_from(places).unwrap_or(0))
            )));
        }
        let Some(scaled) = in_line_places(quantity, places, line.decimal_places) else {
            return Ok(Err(format!(
                "Line {line_id}: quantity {quantity} with {places} decimal places does not fit the line's {}",
                line.decimal_places
            )));
        };
        let total = wanted.entry(position).or_insert(0);
        *total = total.saturating_add(scaled);
        let open = open_quantity(line);
        if *total > open {
            return Ok(Err(format!(
                "Line {line_id}: {} is more than the {} still open",
                quantity_text(*total, line.decimal_places),
                quantity_text(open, line.decimal_places)
            )));
        }
    }
    if wanted.is_empty() {
        return Ok(Err("No lines to deliver".to_owned()));
    }
    Ok(Ok(wanted))
}

/// `deliverOrderV2`: delivers the given quantity of each named line (`quantity` with `decimalPlaces`, exact),
/// adding to its delivered quantity (on a line of returned goods, a negative line, the quantity is what comes
/// back); the order's delivery state becomes PARTIAL, or COMPLETE once nothing is open. All or nothing: an
/// unknown line, a quantity of 0 or less, or more than a line has open answers `…-FAILED` naming the line and
/// changes nothing. `…-ALREADY-DELIVERED` for an order with nothing open, `…-FAILED` for an unknown or
/// cancelled one. Delivering ships the reserved stock of what is delivered.
pub fn deliver_order_v2(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let delivery = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?
        .child("orderDelivery")
        .ok_or_else(|| SoapFault::missing("orderDelivery"))?;
    let id = delivery
        .text_of("orderId")
        .ok_or_else(|| SoapFault::missing("orderId"))?;
    let list = delivery
        .child("lineList")
        .ok_or_else(|| SoapFault::missing("lineList"))?;
    let answer = |result: &str, message: &str| {
        Ok(Element::new("DeliverOrderV2Response")
            .with_leaf("result", result)
            .with_opt("errorMessage", (!message.is_empty()).then_some(message)))
    };
    let Some(mut order) = store.orders.by_id(&store.shop, id) else {
        return answer(FAILED, &format!("Order {id} not found"));
    };
    if order.cancel_state == Progress::Complete {
        return answer(FAILED, &format!("Order {id} is cancelled"));
    }
    if order.delivery_state == Progress::Complete || order.lines.iter().all(|l| open_quantity(l) == 0) {
        return answer(ALREADY_DELIVERED, "");
    }
    let wanted = match requested_quantities(&order.lines, list)? {
        Ok(wanted) => wanted,
        Err(message) => return answer(FAILED, &message),
    };
    // Delivered quantities carry the line's sign (a returned line's delivered quantity is negative too).
    let mut delivered: Vec<(usize, i64)> = wanted
        .iter()
        .map(|(&position, &quantity)| (position, quantity * direction(&order.lines[position])))
        .collect();
    delivered.sort_unstable();
    for &(position, quantity) in &delivered {
        order.lines[position].delivered_quantity += quantity;
    }
    order.delivery_state = if order.lines.iter().all(|l| open_quantity(l) == 0) {
        Progress::Complete
    } else {
        Progress::Partial
    };
    order.change_counter += 1;
    let order = store.orders.save(order, &mut store.markers.order);
    // An order placed after seeding holds its stock reserved: what is delivered now leaves the shop.
    if store.orders.reserving.contains(&order.order_id) {
        move_line_stock(store, &order, &delivered, StockChangeKind::Ship);
        if order.delivery_state == Progress::Complete {
            store.orders.reserving.remove(&order.order_id);
            store.orders.shipped.remove(&order.order_id);
        } else {
            let shipped = store.orders.shipped.entry(order.order_id.clone()).or_default();
            for &(position, quantity) in &delivered {
                *shipped.entry(order.lines[position].line_id.clone()).or_insert(0) += quantity;
            }
        }
    }
    answer(OK, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_quantities_are_put_in_the_line_places_exactly() {
        assert_eq!(in_line_places(3, 0, 0), Some(3));
        assert_eq!(in_line_places(3, 0, 3), Some(3000));
        assert_eq!(in_line_places(125, 2, 3), Some(1250));
        assert_eq!(in_line_places(1000, 3, 0), Some(1));
        assert_eq!(in_line_places(1500, 3, 0), None);
        assert_eq!(in_line_places(1250, 3, 2), Some(125));
        assert_eq!(in_line_places(1234, 3, 2), None, "more decimals than the line holds");
        assert_eq!(in_line_places(5, 1, 0), None);
        assert_eq!(in_line_places(1, -1, 0), None);
        assert_eq!(in_line_places(i64::MAX, 0, 3), None, "out of range");
        assert_eq!(quantity_text(1250, 3), "1.250");
    }
}

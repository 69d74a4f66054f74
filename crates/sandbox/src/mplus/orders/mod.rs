//! Orders, invoices and proposals: `getOrders`, `getOrder`, `findOrder`, `getInvoices`, `createOrder`,
//! `createOrderV2`, `createOrderV3`, `deliverOrder`, `deliverOrderV2` (module `delivery`), and the proposals'
//! operations (module `proposals`).
//!
//! Seeded orders are not stored: the book maps each sync marker to either a seeded index (generated on
//! demand) or a stored order (created, or changed since seeding). Lookups by `orderId` and `extOrderId` decode
//! the seeded ids, so nothing grows with the number of seeded orders except the marker index.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::model::{Invoice, Order, OrderType, Proposal, parse_date};
use super::seed::Shop;
use super::soap::SoapFault;
use super::state::Store;
use super::sync::{Page, next};
use super::xml::Element;

mod arrivals;
mod create;
mod delivery;
mod proposals;

pub use arrivals::{OrderSummary, add_orders, set_order_state};
pub use create::{create_order, create_order_v2, create_order_v3};
pub use delivery::deliver_order_v2;
pub use proposals::{get_proposal, get_proposals, save_proposal};

/// Where the order at a sync marker lives.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Seeded(u64),
    Stored(usize),
}

#[derive(Debug)]
pub struct OrderBook {
    by_marker: BTreeMap<i64, Slot>,
    stored: Vec<Order>,
    stored_by_id: HashMap<String, usize>,
    stored_by_ext: HashMap<String, usize>,
    invoices: BTreeMap<i64, Invoice>,
    proposals: BTreeMap<i64, Proposal>,
    /// `createOrderV3` responses by idempotency key, replayed for a repeated key.
    replays: HashMap<String, Element>,
    /// Orders placed after seeding whose stock is still reserved (until delivered or cancelled).
    reserving: HashSet<String>,
    /// Of those, the pieces partial deliveries (`deliverOrderV2`) shipped already, by order and line id.
    shipped: HashMap<String, HashMap<String, i64>>,
    /// Index (random stream and order number) of the next order made after seeding.
    next_index: u64,
}

impl OrderBook {
    pub fn new(shop: &Shop) -> Self {
        Self {
            by_marker: (0..shop.order_count())
                .map(|i| (i as i64 + 1, Slot::Seeded(i)))
                .collect(),
            stored: Vec::new(),
            stored_by_id: HashMap::new(),
            stored_by_ext: HashMap::new(),
            invoices: shop.invoices.iter().map(|i| (i.sync_marker, i.clone())).collect(),
            proposals: shop.proposals.iter().map(|p| (p.sync_marker, p.clone())).collect(),
            replays: HashMap::new(),
            reserving: HashSet::new(),
            shipped: HashMap::new(),
            next_index: shop.order_count(),
        }
    }

    pub fn high_invoice_marker(&self) -> i64 {
        self.invoices.keys().next_back().copied().unwrap_or(0)
    }

    fn resolve(&self, shop: &Shop, slot: Slot) -> Order {
        match slot {
            Slot::Seeded(index) => shop.order(index),
            Slot::Stored(position) => self.stored[position].clone(),
        }
    }

    pub fn by_id(&self, shop: &Shop, order_id: &str) -> Option<Order> {
        if let Some(&position) = self.stored_by_id.get(order_id) {
            return Some(self.stored[position].clone());
        }
        shop.order_index_of_id(order_id).map(|index| shop.order(index))
    }

    pub fn by_ext_id(&self, shop: &Shop, ext_order_id: &str) -> Option<Order> {
        if let Some(&position) = self.stored_by_ext.get(ext_order_id) {
            return Some(self.stored[position].clone());
        }
        let index = shop.order_index_of_ext_id(ext_order_id)?;
        // A seeded order that was changed since lives in the stored orders under its id.
        Some(
            self.by_id(shop, &shop.order_id(index))
                .unwrap_or_else(|| shop.order(index)),
        )
    }

    /// Stores a new or changed order under the next order sync marker.
    pub fn save(&mut self, mut order: Order, counter: &mut i64) -> Order {
        self.by_marker.remove(&order.sync_marker);
        order.sync_marker = next(counter);
        let position = match self.stored_by_id.get(&order.order_id) {
            Some(&position) => {
                self.stored[position] = order.clone();
                position
            }
            None => {
                self.stored.push(order.clone());
                self.stored.len() - 1
            }
        };
        self.stored_by_id.insert(order.order_id.clone(), position);
        if let Some(ext) = &order.ext_order_id {
            self.stored_by_ext.insert(ext.clone(), position);
        }
        self.by_marker.insert(order.sync_marker, Slot::Stored(position));
        order
    }

    fn take_index(&mut self) -> u64 {
        self.next_index += 1;
        self.next_index - 1
    }

    fn add_invoice(&mut self, order: &Order, counter: &mut i64) -> String {
        let invoice_id = uuid::Uuid::new_v4().to_string();
        let marker = next(counter);
        self.invoices.insert(
            marker,
            Invoice {
                invoice_id: invoice_id.clone(),
                invoice_number: (chrono::Datelike::year(&order.financial_date), marker),
                sync_marker: marker,
                due_date: order.financial_date + chrono::Duration::days(14),
                order: order.clone(),
            },
        );
        invoice_id
    }
}

/// The `getOrders`/`getInvoices`/`getProposals` filters the sandbox honours.
struct OrderFilter {
    types: Vec<OrderType>,
    branches: Vec<i64>,
    employees: Vec<i64>,
    relations: Vec<i64>,
    articles: Vec<i64>,
    /// `orderNumbers` (getOrders only): (year, number) pairs.
    numbers: Vec<(i64, i64)>,
    from: Option<NaiveDate>,
    through: Option<NaiveDate>,
}

impl OrderFilter {
    fn read(request: &Element) -> Result<Self, SoapFault> {
        let types = match request.child("orderTypeList") {
            Some(list) => list
                .children_named("orderType")
                .map(|t| {
                    OrderType::from_wire(t.text.trim())
                        .ok_or_else(|| SoapFault::client(format!("Unknown orderType '{}'", t.text.trim())))
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => OrderType::DEFAULT_FILTER.to_vec(),
        };
        Ok(Self {
            types,
            branches: request.numbers_of("branchNumbers"),
            employees: request.numbers_of("employeeNumbers"),
            relations: request.numbers_of("relationNumbers"),
            articles: request.numbers_of("articleNumbers"),
            numbers: request
                .children_named("orderNumbers")
                .filter_map(|n| Some((n.number_of("year")?, n.number_of("number")?)))
                .collect(),
            from: request.child("fromFinancialDate").and_then(parse_date),
            through: request.child("throughFinancialDate").and_then(parse_date),
        })
    }

    fn keeps(&self, order: &Order) -> bool {
        let listed = |list: &[i64], value: i64| list.is_empty() || list.contains(&value);
        (self.types.is_empty() || self.types.contains(&order.order_type))
            && listed(&self.branches, i64::from(order.entry_branch))
            && listed(&self.employees, order.employee_number)
            && listed(&self.relations, order.relation_number)
            && (self.articles.is_empty() || order.lines.iter().any(|l| self.articles.contains(&l.article_number)))
            && (self.numbers.is_empty()
                || self
                    .numbers
                    .contains(&(i64::from(order.order_number.0), order.order_number.1)))
            && self.from.is_none_or(|from| order.financial_date >= from)
            && self.through.is_none_or(|through| order.financial_date <= through)
    }
}

pub fn get_orders(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let page = Page::from_marker(Some(request));
    let filter = OrderFilter::read(request)?;
    // Lines make the answer much larger; like the real service the sandbox leaves them out unless asked.
    let include_lines = request.flag_of("includeLineList").unwrap_or(false);
    let ids: Vec<&str> = request.children_named("orderIds").map(|c| c.text.trim()).collect();
    let book = &store.orders;
    let orders: Vec<Order> = if ids.is_empty() {
        book.by_marker
            .range(page.from..)
            .map(|(_, slot)| book.resolve(&store.shop, *slot))
            .filter(|order| filter.keeps(order))
            .take(page.limit)
            .collect()
    } else {
        let mut found: Vec<Order> = ids
            .iter()
            .filter_map(|id| book.by_id(&store.shop, id))
            .filter(|order| order.sync_marker >= page.from && filter.keeps(order))
            .collect();
        found.sort_by_key(|order| order.sync_marker);
        found.truncate(page.limit);
        found
    };
    Ok(Element::new("GetOrdersResponse")
        .with(Element::new("orderList").with_all(orders.iter().map(|o| o.to_xml(include_lines)))))
}

fn get_order_response(order: Option<Order>) -> Element {
    let response = Element::new("GetOrderResponse");
    match order {
        Some(order) => response
            .with_leaf("result", "GET-ORDER-RESULT-OK")
            .with(order.to_xml(true)),
        None => response.with_leaf("result", "GET-ORDER-RESULT-NOT-FOUND"),
    }
}

pub fn get_order(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let id = operation
        .text_of("orderId")
        .ok_or_else(|| SoapFault::missing("orderId"))?;
    Ok(get_order_response(store.orders.by_id(&store.shop, id)))
}

/// `deliverOrder`: delivers every open quantity of the order (as a delivery in the back office does, shipping
/// its reserved stock); `…-ALREADY-DELIVERED` for an order delivered before, `…-FAILED` for an unknown or
/// cancelled one. Payment is not touched.
pub fn deliver_order(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let id = request
        .text_of("orderId")
        .ok_or_else(|| SoapFault::missing("orderId"))?;
    let answer = |result: &str, message: &str| {
        Ok(Element::new("DeliverOrderResponse")
            .with_leaf("result", result)
            .with_leaf("errorMessage", message))
    };
    let Some(order) = store.orders.by_id(&store.shop, id) else {
        return answer("DELIVER-ORDER-RESULT-FAILED", &format!("Order {id} not found"));
    };
    if order.cancel_state == crate::mplus::model::Progress::Complete {
        return answer("DELIVER-ORDER-RESULT-FAILED", &format!("Order {id} is cancelled"));
    }
    if order.delivery_state == crate::mplus::model::Progress::Complete {
        return answer("DELIVER-ORDER-RESULT-ALREADY-DELIVERED", "");
    }
    set_order_state(store, id, crate::mplus::seed::OrderState::DeliveredUnpaid);
    answer("DELIVER-ORDER-RESULT-OK", "")
}

/// `findOrder` looks an order up by `extOrderId` and answers with a `GetOrderResponse`.
pub fn find_order(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let ext = operation
        .text_of("extOrderId")
        .ok_or_else(|| SoapFault::missing("extOrderId"))?;
    Ok(get_order_response(store.orders.by_ext_id(&store.shop, ext)))
}

pub fn get_invoices(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let page = Page::from_marker(Some(request));
    let filter = OrderFilter {
        types: Vec::new(),
        ..OrderFilter::read(request)?
    };
    let include_lines = request.flag_of("includeLineList").unwrap_or(false);
    let ids: Vec<&str> = request.children_named("invoiceIds").map(|c| c.text.trim()).collect();
    let invoices = page.select(&store.orders.invoices, |invoice| {
        filter.keeps(&invoice.order) && (ids.is_empty() || ids.contains(&invoice.invoice_id.as_str()))
    });
    Ok(Element::new("GetInvoicesResponse")
        .with(Element::new("invoiceList").with_all(invoices.iter().map(|i| i.to_xml(include_lines)))))
}

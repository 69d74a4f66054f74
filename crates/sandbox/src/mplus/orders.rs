//! Orders, invoices and proposals: `getOrders`, `getOrder`, `findOrder`, `getInvoices`, `getProposals`,
//! `createOrder`, `createOrderV2`, `createOrderV3`.
//!
//! Seeded orders are not stored: the book maps each sync marker to either a seeded index (generated on
//! demand) or a stored order (created, or changed since seeding). Lookups by `orderId` and `extOrderId` decode
//! the seeded ids, so nothing grows with the number of seeded orders except the marker index.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::model::{
    Address, Invoice, Line, Order, OrderType, Payment, PaymentMethodType, Progress, Proposal, StockHistoryType,
    VatMethod, incl_from_excl, parse_date,
};
use super::seed::{OrderState, Shop, VAT_ZERO, vat_percentage};
use super::soap::SoapFault;
use super::state::{Store, now};
use super::stock::{StockChangeKind, StockMutation};
use super::sync::{Page, next};
use super::xml::Element;

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

pub fn get_proposals(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let page = Page::from_marker(Some(request));
    let filter = OrderFilter {
        types: Vec::new(),
        ..OrderFilter::read(request)?
    };
    let include_lines = request.flag_of("includeLineList").unwrap_or(false);
    let proposals = page.select(&store.orders.proposals, |proposal| filter.keeps(&proposal.order));
    Ok(Element::new("GetProposalsResponse")
        .with(Element::new("proposalList").with_all(proposals.iter().map(|p| p.to_xml(include_lines)))))
}

/// A business refusal of `createOrder*`: the result value and its message.
struct Refusal {
    result: &'static str,
    message: String,
    existing_order_id: Option<String>,
}

fn failed(message: impl Into<String>) -> Refusal {
    Refusal {
        result: "CREATE-ORDER-RESULT-FAILED",
        message: message.into(),
        existing_order_id: None,
    }
}

/// Reads the payments of a request (`paymentList/payment`), which must use the shop's payment methods.
fn read_payments(store: &Store, list: Option<&Element>, date: NaiveDate) -> Result<Vec<Payment>, Refusal> {
    list.iter()
        .flat_map(|l| l.children_named("payment"))
        .map(|element| {
            let code = element.text_of("method").unwrap_or_default();
            let method = store
                .shop
                .payment_methods
                .iter()
                .find(|m| m.code.eq_ignore_ascii_case(code))
                .ok_or_else(|| failed(format!("Unknown payment method '{code}'")))?;
            let amount = element
                .number_of("amount")
                .ok_or_else(|| failed("A payment needs an amount"))?;
            Ok(Payment::with_method(method, amount, date))
        })
        .collect()
}

/// Checks and completes an order sent to `createOrder*`, the way the real service does: an unused
/// `extOrderId`, an existing relation and employee, a workplace for a non-default branch, existing articles.
fn read_order(store: &mut Store, element: &Element) -> Result<Order, Refusal> {
    let ext = element
        .text_of("extOrderId")
        .filter(|e| !e.is_empty())
        .ok_or_else(|| failed("extOrderId is required"))?;
    if let Some(existing) = store.orders.by_ext_id(&store.shop, ext) {
        return Err(Refusal {
            result: "CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS",
            message: format!("An order with extOrderId '{ext}' already exists"),
            existing_order_id: Some(existing.order_id),
        });
    }
    let relation_number = element
        .number_of("relationNumber")
        .filter(|&n| n > 0)
        .ok_or_else(|| failed("An order needs a relation (relationNumber)"))?;
    let relation = store
        .relations
        .get(relation_number)
        .cloned()
        .ok_or_else(|| failed(format!("Relation {relation_number} not found")))?;
    let employee_number = element
        .number_of("employeeNumber")
        .ok_or_else(|| failed("employeeNumber is required"))?;
    let employee = store
        .shop
        .employees
        .iter()
        .find(|e| e.number == employee_number)
        .ok_or_else(|| failed(format!("Employee {employee_number} not found")))?;
    let branch_number = element.number_of("entryBranchNumber").unwrap_or(1) as i32;
    let branch = store
        .shop
        .branches
        .iter()
        .find(|b| b.number == branch_number)
        .ok_or_else(|| failed(format!("Branch {branch_number} not found")))?;
    let workplace = element.number_of("workplaceNumber");
    if branch_number != 1 && workplace.is_none() {
        return Err(failed(format!(
            "Branch {branch_number} is not the default branch: workplaceNumber is required"
        )));
    }
    let order_type = match element.text_of("orderType") {
        Some(value) => OrderType::from_wire(value).ok_or_else(|| failed(format!("Unknown orderType '{value}'")))?,
        None => OrderType::Sales,
    };
    let vat_method = match element.text_of("vatMethod") {
        Some(value) => VatMethod::from_wire(value).ok_or_else(|| failed(format!("Unknown vatMethod '{value}'")))?,
        None => VatMethod::Inclusive,
    };
    let country = branch.country_iso3.clone();
    let mut lines = Vec::new();
    for (sequence, line) in element
        .child("lineList")
        .iter()
        .flat_map(|l| l.children_named("line"))
        .enumerate()
    {
        let number = line
            .number_of("articleNumber")
            .ok_or_else(|| failed("A line needs an articleNumber"))?;
        let article = store
            .catalogue
            .article(number)
            .ok_or_else(|| failed(format!("Article {number} not found")))?;
        let data = line
            .child("data")
            .ok_or_else(|| failed(format!("Line {} has no data", sequence + 1)))?;
        let quantity = data
            .number_of("quantity")
            .ok_or_else(|| failed("A line needs a quantity"))?;
        let decimal_places = data.number_of("decimalPlaces").unwrap_or(0).clamp(0, 9) as u32;
        let shifted = vat_method == VatMethod::Shifted || vat_method == VatMethod::None;
        let vat_code = if shifted { VAT_ZERO } else { article.vat_code };
        let percentage = if shifted {
            0
        } else {
            vat_percentage(&country, article.vat_code)
        };
        let price_incl = match data.number_of("price") {
            Some(price) if vat_method == VatMethod::Exclusive => incl_from_excl(price, percentage),
            Some(price) => price,
            None => article.price_incl,
        };
        let turnover = store
            .shop
            .turnover_groups
            .iter()
            .find(|g| g.number == article.turnover_group);
        let of_article = Line::of_article(
            uuid::Uuid::new_v4().to_string(),
            article,
            turnover,
            vat_code,
            percentage,
        );
        lines.push(Line {
            text: line.text_of("text").map_or(of_article.text.clone(), str::to_owned),
            quantity,
            decimal_places,
            price_incl,
            discount_percentage: data.number_of("discountPercentage").unwrap_or(0).clamp(0, 100) as i32,
            ..of_article
        });
    }
    if lines.is_empty() {
        return Err(failed("An order needs at least one line"));
    }
    let entered_at = now();
    let financial_date = element
        .child("financialDate")
        .and_then(parse_date)
        .unwrap_or(entered_at.date());
    let payments = read_payments(store, element.child("paymentList"), financial_date)?;
    let index = store.orders.take_index();
    let requested_id = element.text_of("orderId").and_then(|id| uuid::Uuid::parse_str(id).ok());
    if let Some(id) = requested_id
        && store.orders.by_id(&store.shop, &id.to_string()).is_some()
    {
        return Err(failed(format!("An order with orderId {id} already exists")));
    }
    Ok(Order {
        order_id: requested_id.unwrap_or_else(uuid::Uuid::new_v4).to_string(),
        ext_order_id: Some(ext.to_owned()),
        sync_marker: 0,
        order_type,
        order_number: (chrono::Datelike::year(&financial_date), index as i64 + 1),
        entry_branch: branch_number,
        workplace: workplace.unwrap_or(1) as i32,
        employee_number,
        employee_name: employee.name.clone(),
        entered_at,
        financial_date,
        relation_number,
        relation_name: relation.name.clone(),
        relation_vat_number: relation.vat_number.clone(),
        invoice_address: Some(
            element
                .child("invoiceAddress")
                .map_or_else(|| Address::of_relation(&relation), Address::from_xml),
        ),
        delivery_address: Some(
            element
                .child("deliveryAddress")
                .map_or_else(|| Address::delivery_of_relation(&relation), Address::from_xml),
        ),
        reference: element.text_of("reference").map(str::to_owned),
        vat_method,
        vat_country_iso3: element
            .text_of("vatCountryIso3")
            .map_or_else(|| country.clone(), str::to_owned),
        delivery_method: element.text_of("deliveryMethod").map(str::to_owned),
        payment_method: payments.first().map(|p| p.method.clone()),
        change_counter: 1,
        delivery_state: Progress::Nothing,
        cancel_state: Progress::Nothing,
        lines,
        payments,
        invoice_ids: Vec::new(),
    })
}

/// Stores a checked order and reserves its stock in the entry branch.
fn place(store: &mut Store, order: Order) -> Order {
    let order = store.orders.save(order, &mut store.markers.order);
    move_stock(store, &order, StockChangeKind::Reserve);
    store.orders.reserving.insert(order.order_id.clone());
    order
}

/// Applies a stock change for every line of an order that holds stock: whole pieces of stock articles
/// (non-stock articles such as shipping and gift cards are refused by the stock book, as expected).
fn move_stock(store: &mut Store, order: &Order, change: fn(i64) -> StockChangeKind) {
    let Store {
        shop,
        markers,
        catalogue,
        stock,
        ..
    } = store;
    for line in order.lines.iter().filter(|l| l.decimal_places == 0) {
        let mutation = StockMutation {
            branch_number: order.entry_branch,
            article_number: line.article_number,
            change: change(line.quantity),
            kind: StockHistoryType::Sales,
            order_id: Some(order.order_id.clone()),
        };
        let _ = stock.change(
            shop,
            catalogue.article(line.article_number),
            mutation,
            &mut markers.stock_id,
        );
    }
}

fn order_info(order_id: &str, order_string: &str) -> Element {
    Element::new("info")
        .with_leaf("orderId", order_id)
        .with_leaf("orderString", order_string)
        .with_leaf("orderQueued", false)
}

fn order_string(order: &Order) -> String {
    format!("{}-{:06}", order.order_number.0, order.order_number.1)
}

/// The answer of `createOrder` (`echo_order` false) or `createOrderV2` (which also returns the order).
fn create_order_answer(store: &mut Store, element: Option<&Element>, response: Element, echo_order: bool) -> Element {
    let Some(element) = element else {
        return response
            .with_leaf("result", "CREATE-ORDER-RESULT-FAILED")
            .with(order_info("", ""))
            .with_leaf("errorMessage", "No order given");
    };
    match read_order(store, element) {
        Ok(order) => {
            let order = place(store, order);
            response
                .with_leaf("result", "CREATE-ORDER-RESULT-OK")
                .with(order_info(&order.order_id, &order_string(&order)))
                .with_leaf("errorMessage", "")
                .with_opt_child(echo_order.then(|| order.to_xml(true)))
        }
        Err(refusal) => response
            .with_leaf("result", refusal.result)
            .with(order_info(refusal.existing_order_id.as_deref().unwrap_or(""), ""))
            .with_leaf("errorMessage", refusal.message),
    }
}

pub fn create_order(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let response = Element::new("CreateOrderResponse");
    Ok(create_order_answer(store, operation.child("order"), response, false))
}

/// Like `createOrder`, with the order inside `request` (the pricing flags are accepted and not applied).
pub fn create_order_v2(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let response = Element::new("CreateOrderV2Response");
    Ok(create_order_answer(store, request.child("order"), response, true))
}

pub fn create_order_v3(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let key = request
        .text_of("idempotencyKey")
        .filter(|k| !k.is_empty())
        .ok_or_else(|| SoapFault::missing("idempotencyKey"))?
        .to_owned();
    if let Some(original) = store.orders.replays.get(&key) {
        let mut replay = original.clone();
        for child in replay.children.iter_mut().filter(|c| c.name == "idempotencyResult") {
            child.text = "IDEMPOTENCY-RESULT-REPLAY-RESPONSE".to_owned();
        }
        return Ok(replay);
    }
    let element = request.child("order").ok_or_else(|| SoapFault::missing("order"))?;
    let response =
        Element::new("CreateOrderV3Response").with_leaf("idempotencyResult", "IDEMPOTENCY-RESULT-ORIGINAL-RESPONSE");
    let response = match read_order(store, element) {
        Ok(mut order) => {
            let prepay = request.flag_of("prepay").unwrap_or(false);
            let payments = match read_payments(store, request.child("paymentList"), order.financial_date) {
                Ok(payments) => payments,
                Err(refusal) => return Ok(v3_refused(response, refusal, &mut store.orders.replays, key)),
            };
            let paid: i64 = order.paid_amount() + payments.iter().map(|p| p.amount).sum::<i64>();
            let total = order.totals().incl;
            let pay_result = if payments.is_empty() {
                None
            } else if paid < total && !prepay {
                Some("PAY-ORDER-RESULT-PAYMENT-INSUFFICIENT")
            } else {
                let deposit = prepay && paid < total;
                order.payments.extend(payments.into_iter().map(|p| Payment {
                    kind: if deposit { PaymentMethodType::Deposit } else { p.kind },
                    ..p
                }));
                Some("PAY-ORDER-RESULT-OK")
            };
            let invoice_id = (pay_result == Some("PAY-ORDER-RESULT-OK") && !prepay && paid >= total)
                .then(|| store.orders.add_invoice(&order, &mut store.markers.invoice));
            order.invoice_ids.extend(invoice_id.clone());
            let order = place(store, order);
            response
                .with_leaf("result", "CREATE-ORDER-RESULT-OK")
                .with(order.to_xml(true))
                .with(order_info(&order.order_id, &order_string(&order)))
                .with_opt("payResult", pay_result)
                .with_opt("invoiceId", invoice_id)
        }
        Err(refusal) => return Ok(v3_refused(response, refusal, &mut store.orders.replays, key)),
    };
    store.orders.replays.insert(key, response.clone());
    Ok(response)
}

fn v3_refused(response: Element, refusal: Refusal, replays: &mut HashMap<String, Element>, key: String) -> Element {
    let response = response
        .with_leaf("result", refusal.result)
        .with_leaf("errorMessage", refusal.message)
        .with(order_info(refusal.existing_order_id.as_deref().unwrap_or(""), ""));
    replays.insert(key, response.clone());
    response
}

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
        move_stock(
            store,
            &order,
            if ships {
                StockChangeKind::Ship
            } else {
                |q| StockChangeKind::Reserve(-q)
            },
        );
    }
    Some(OrderSummary::from(&order))
}

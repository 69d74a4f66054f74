//! Orders placed through the API: `createOrder`, `createOrderV2`, `createOrderV3` (its idempotency replays), the
//! order read from the request as MplusKASSA checks it, and the stock it reserves.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::mplus::model::{
    Address, Line, Order, OrderType, Payment, PaymentMethodType, Progress, StockHistoryType, VatMethod, incl_from_excl,
    parse_date,
};
use crate::mplus::seed::{VAT_ZERO, vat_percentage};
use crate::mplus::soap::SoapFault;
use crate::mplus::state::{Store, now};
use crate::mplus::stock::{StockChangeKind, StockMutation};
use crate::mplus::xml::Element;

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
    let lines = read_lines(store, element.child("lineList"), vat_method, &country).map_err(failed)?;
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
        cash_rounding: 0,
        payments,
        invoice_ids: Vec::new(),
    })
}

/// Reads the lines of a written order or proposal (`lineList/line`): each names an article the shop has, with
/// a quantity and optionally a price (in the document's VAT method's terms; `priceExcl` prices the line excl.
/// VAT), a discount and a text. VAT follows the country and VAT method. The error is the refusal's message.
pub(super) fn read_lines(
    store: &Store,
    list: Option<&Element>,
    vat_method: VatMethod,
    country: &str,
) -> Result<Vec<Line>, String> {
    let mut lines = Vec::new();
    for (sequence, line) in list.iter().flat_map(|l| l.children_named("line")).enumerate() {
        let number = line.number_of("articleNumber").ok_or("A line needs an articleNumber")?;
        let article = store
            .catalogue
            .article(number)
            .ok_or_else(|| format!("Article {number} not found"))?;
        let data = line
            .child("data")
            .ok_or_else(|| format!("Line {} has no data", sequence + 1))?;
        let quantity = data.number_of("quantity").ok_or("A line needs a quantity")?;
        let decimal_places = data.number_of("decimalPlaces").unwrap_or(0).clamp(0, 9) as u32;
        let shifted = vat_method == VatMethod::Shifted || vat_method == VatMethod::None;
        let vat_code = if shifted { VAT_ZERO } else { article.vat_code };
        let percentage = if shifted {
            0
        } else {
            vat_percentage(country, article.vat_code)
        };
        let price_excl = data.number_of("priceExcl");
        let price_incl = match (price_excl, data.number_of("price")) {
            (Some(excl), _) => incl_from_excl(excl, percentage),
            (None, Some(price)) if vat_method == VatMethod::Exclusive => incl_from_excl(price, percentage),
            (None, Some(price)) => price,
            (None, None) => article.price_incl,
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
            price_excl,
            discount_percentage: data.number_of("discountPercentage").unwrap_or(0).clamp(0, 100) as i32,
            ..of_article
        });
    }
    Ok(lines)
}

/// Stores a checked order and reserves its stock in the entry branch.
pub(super) fn place(store: &mut Store, order: Order) -> Order {
    let order = store.orders.save(order, &mut store.markers.order);
    move_stock(store, &order, StockChangeKind::Reserve);
    store.orders.reserving.insert(order.order_id.clone());
    order
}

/// Applies a stock change for every line of an order that holds stock: whole pieces of stock articles
/// (non-stock articles such as shipping and gift cards are refused by the stock book, as expected).
pub(super) fn move_stock(store: &mut Store, order: &Order, change: fn(i64) -> StockChangeKind) {
    let all: Vec<(usize, i64)> = order.lines.iter().map(|l| l.quantity).enumerate().collect();
    move_line_stock(store, order, &all, change);
}

/// [`move_stock`] for some quantities of some lines (by position in the order), such as a partial delivery;
/// lines of fractional quantities and zero quantities are left alone.
pub(super) fn move_line_stock(
    store: &mut Store,
    order: &Order,
    quantities: &[(usize, i64)],
    change: fn(i64) -> StockChangeKind,
) {
    let Store {
        shop,
        markers,
        catalogue,
        stock,
        ..
    } = store;
    for &(position, quantity) in quantities {
        let Some(line) = order
            .lines
            .get(position)
            .filter(|l| l.decimal_places == 0 && quantity != 0)
        else {
            continue;
        };
        let mutation = StockMutation {
            branch_number: order.entry_branch,
            article_number: line.article_number,
            change: change(quantity),
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

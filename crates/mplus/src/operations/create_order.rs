//! Creating an order with its payments (`createOrderV3`), idempotent by key.

use serde::{Deserialize, Serialize};

use super::Request;
use crate::model::{Address, NewLine, NewOrder, NewPayment, Order, OrderCreated, OrderType, VatMethod};
use crate::wire::{MplusDate, to_cents, to_scaled};
use crate::{MplusClient, MplusError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateOrderV3Request<'a> {
    idempotency_key: &'a str,
    order: WireOrder<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prepay: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_list: Option<WirePaymentList<'a>>,
}

/// `Order` in the WSDL's element order, with only the elements a new order carries.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireOrder<'a> {
    order_id: &'a str,
    ext_order_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_type: Option<OrderType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_branch_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    employee_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relation_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery_address: Option<&'a Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_address: Option<&'a Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    financial_date: Option<MplusDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workplace_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_method: Option<VatMethod>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery_method: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery_date: Option<MplusDate>,
    line_list: WireLineList<'a>,
}

#[derive(Serialize)]
pub(super) struct WireLineList<'a> {
    line: Vec<WireLine<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireLine<'a> {
    article_number: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    plu_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    data: WireLineData,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireLineData {
    quantity: i64,
    decimal_places: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_excl: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    turnover_group: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_code: Option<i32>,
}

#[derive(Serialize)]
struct WirePaymentList<'a> {
    payment: Vec<WirePayment<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WirePayment<'a> {
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_reference: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateOrderV3Response {
    #[serde(default)]
    idempotency_result: Option<String>,
    result: String,
    #[serde(default)]
    order: Option<Order>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    info: Option<CreateOrderInfo>,
    #[serde(default)]
    invoice_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateOrderInfo {
    order_id: String,
    #[serde(default)]
    order_string: Option<String>,
}

impl MplusClient {
    /// `createOrderV3`. Sending the same `idempotency_key` again returns the stored answer instead of
    /// creating a second order (`OrderCreated::replayed`). An `ext_order_id` used before gives
    /// [`crate::BusinessOutcome::AlreadyExists`].
    pub async fn create_order(
        &self,
        order: &NewOrder,
        idempotency_key: &str,
        payments: &[NewPayment],
    ) -> Result<OrderCreated, MplusError> {
        let request = CreateOrderV3Request {
            idempotency_key,
            order: wire_order(order)?,
            prepay: None,
            payment_list: if payments.is_empty() {
                None
            } else {
                Some(WirePaymentList {
                    payment: payments
                        .iter()
                        .map(|p| {
                            Ok(WirePayment {
                                method: &p.method,
                                description: p.description.as_deref(),
                                amount: to_cents(p.amount)?,
                                external_reference: p.external_reference.as_deref(),
                            })
                        })
                        .collect::<Result<_, MplusError>>()?,
                })
            },
        };
        let response: CreateOrderV3Response = self.call("createOrderV3", &Request { request }).await?;
        MplusError::check(
            "createOrderV3",
            &response.result,
            "CREATE-ORDER-RESULT-OK",
            response.error_message,
        )?;
        let info = response.info.ok_or(MplusError::Decode {
            operation: "createOrderV3",
            message: "an OK result without info".into(),
        })?;
        Ok(OrderCreated {
            order_id: info.order_id,
            order_string: info.order_string,
            replayed: response.idempotency_result.as_deref() == Some("IDEMPOTENCY-RESULT-REPLAY-RESPONSE"),
            order: response.order,
            invoice_id: response.invoice_id,
        })
    }
}

fn wire_order(order: &NewOrder) -> Result<WireOrder<'_>, MplusError> {
    Ok(WireOrder {
        order_id: order.order_id.as_deref().unwrap_or_default(),
        ext_order_id: &order.ext_order_id,
        order_type: order.order_type,
        entry_branch_number: order.entry_branch_number,
        employee_number: order.employee_number,
        relation_number: order.relation_number,
        delivery_address: order.delivery_address.as_ref(),
        invoice_address: order.invoice_address.as_ref(),
        financial_date: order.financial_date.map(MplusDate::from),
        workplace_number: order.workplace_number,
        reference: order.reference.as_deref(),
        vat_method: order.vat_method,
        delivery_method: order.delivery_method.as_deref(),
        delivery_date: order.delivery_date.map(MplusDate::from),
        line_list: wire_lines(&order.lines)?,
    })
}

/// The `lineList` of an order or proposal: quantities scaled, prices in cents (fractions of a cent refused).
pub(super) fn wire_lines(lines: &[NewLine]) -> Result<WireLineList<'_>, MplusError> {
    let line = lines
        .iter()
        .map(|line| {
            let (quantity, decimal_places) = to_scaled(line.quantity)?;
            Ok(WireLine {
                article_number: line.article_number,
                plu_number: line.plu_number.as_deref(),
                text: line.text.as_deref(),
                data: WireLineData {
                    quantity,
                    decimal_places,
                    price: line.price.map(to_cents).transpose()?,
                    price_excl: line.price_excl.map(to_cents).transpose()?,
                    turnover_group: line.turnover_group,
                    vat_code: line.vat_code,
                },
            })
        })
        .collect::<Result<_, MplusError>>()?;
    Ok(WireLineList { line })
}

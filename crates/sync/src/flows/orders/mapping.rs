//! A sale as an AFAS sales document (all but the debtor): its lines, payment and shipping method, delivery
//! address, and the tenant's field map over them.

use rust_decimal::Decimal;

use super::money::{LineLedger, rounding_lines};
use crate::country::iso2;
use crate::field_map::{line_source, order_source};
use crate::flows::debtors::{billing_country, split_address};
use crate::model::{SalesLineDraft, SalesLineKind, SalesOrderDraft, SourceLine, SourceOrder, VatMethod};
use crate::money::discount_amount_for;
use crate::record::{Failure, mapping_failure};
use crate::settings::{FlowSettings, ValueMap};
use crate::vat::VatBasis;

/// The AFAS document for a sale, all but the debtor (which may need a write to know).
pub fn map_order(order: &SourceOrder, settings: &FlowSettings) -> Result<SalesOrderDraft, Failure> {
    let basis = VatBasis::of(order, order_country(order))?;
    let ledger = |percentage: Decimal| LineLedger::for_rate(settings, &basis, percentage);
    let mut lines: Vec<SalesLineDraft> = order
        .lines
        .iter()
        .map(|line| Ok(article_line(line, ledger(line.vat_percentage)?)))
        .collect::<Result<_, Failure>>()?;
    lines.extend(shipping_line(order, settings, &ledger)?);
    let rounding = rounding_lines(order, settings, &lines, &ledger)?;
    lines.extend(rounding);
    let customer = order.customer.as_ref();
    let delivery = customer.and_then(|c| c.delivery_address.as_ref().or(c.address.as_ref()));
    let mut draft = SalesOrderDraft {
        target: settings.order_target,
        administration: settings.company.administration.clone(),
        debtor_id: String::new(),
        reference: order.number.clone(),
        date: order.date,
        currency: Some(settings.company.currency.clone()),
        warehouse: settings.company.warehouse.clone(),
        payment_method: payment_method(order, &settings.company.payment_method_map),
        shipping_method: settings
            .shipping_method_map
            .resolve(order.delivery_method.as_deref())
            .map(str::to_owned),
        prices_include_vat: order.vat_method == VatMethod::Including,
        delivery_address: delivery.map(split_address),
        delivery_address_id: None,
        lines,
    };
    apply_field_map(order, settings, &mut draft)?;
    Ok(draft)
}

/// The tenant's rules over the default draft: the order's fields, then each article line with its source
/// line as `line` (article lines come first, one per source line; cost lines have no source line).
fn apply_field_map(order: &SourceOrder, settings: &FlowSettings, draft: &mut SalesOrderDraft) -> Result<(), Failure> {
    let map = &settings.field_map;
    if map.is_empty() {
        return Ok(());
    }
    let source = order_source(order);
    map.apply("order", &source, draft).map_err(mapping_failure)?;
    for (line, drafted) in order.lines.iter().zip(draft.lines.iter_mut()) {
        map.apply("line", &line_source(&source, line), drafted)
            .map_err(mapping_failure)?;
    }
    Ok(())
}

/// The customer's country (ISO-2): the delivery address's, else the billing address's (an anonymous sale has
/// none; its VAT codes follow the till's VAT country, see [`VatBasis`]).
fn order_country(order: &SourceOrder) -> Option<String> {
    let customer = order.customer.as_ref()?;
    customer
        .delivery_address
        .as_ref()
        .map(|a| iso2(&a.country))
        .or_else(|| billing_country(customer))
}

/// The payment method of the largest payment, through the mapping table.
fn payment_method(order: &SourceOrder, map: &ValueMap) -> Option<String> {
    let largest = order
        .payments
        .iter()
        .max_by_key(|payment| payment.amount)
        .map(|p| p.method.as_str());
    map.resolve(largest).map(str::to_owned)
}

/// An article line; the discount goes as an amount only when the percentage would miss the cent.
fn article_line(line: &SourceLine, ledger: LineLedger) -> SalesLineDraft {
    SalesLineDraft {
        kind: SalesLineKind::Article,
        item_code: line.sku.clone(),
        description: line.description.clone(),
        quantity: line.quantity,
        unit_price: line.unit_price,
        discount_percentage: line.discount_percentage,
        discount_amount: discount_amount_for(
            line.quantity,
            line.unit_price,
            line.discount_percentage,
            line.line_total,
        ),
        vat_code: ledger.vat_code,
        revenue_account: ledger.revenue_account,
        dimensions: Vec::new(),
    }
}

pub(super) fn cost_line(item_code: String, description: &str, amount: Decimal, ledger: LineLedger) -> SalesLineDraft {
    SalesLineDraft {
        kind: SalesLineKind::Cost,
        item_code,
        description: description.to_owned(),
        quantity: Decimal::ONE,
        unit_price: amount,
        discount_percentage: Decimal::ZERO,
        discount_amount: None,
        vat_code: ledger.vat_code,
        revenue_account: ledger.revenue_account,
        dimensions: Vec::new(),
    }
}

fn shipping_line(
    order: &SourceOrder,
    settings: &FlowSettings,
    ledger: &impl Fn(Decimal) -> Result<LineLedger, Failure>,
) -> Result<Option<SalesLineDraft>, Failure> {
    let Some(shipping) = order.shipping.as_ref().filter(|s| !s.cost.is_zero()) else {
        return Ok(None);
    };
    let item = settings
        .shipping_cost_item
        .clone()
        .ok_or_else(|| Failure::missing_setting("shipping_cost_item", "this sale has shipping costs"))?;
    Ok(Some(cost_line(
        item,
        "Verzendkosten",
        shipping.cost,
        ledger(shipping.vat_percentage)?,
    )))
}

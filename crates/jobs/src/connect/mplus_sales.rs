//! MplusKASSA orders, invoices, proposals (quotations) and till receipts as the engine's [`SourceOrder`].
//!
//! **The reference (`number`, AFAS `RfCs`)** is the document number with its year and a kind prefix:
//! `ORD-2026-000042`, `INV-2026-000007`, `QUO-2026-000003`. MplusKASSA numbers each kind in its own series
//! per year; receipts in a series per branch and workplace (till) too, so a receipt's reference names both:
//! `RCP-2026-1-2-000088` is receipt 88 of 2026 at branch 1, till 2. The year keeps it unique over time and the prefix keeps an invoice from ever being taken for
//! an order with the same number (a flow switched from orders to invoices would otherwise skip real sales as
//! "already in AFAS"). It is stable (MplusKASSA never renumbers), readable for the bookkeeper, has no `,`/`;`
//! (so look-ups stay plain filters), and stays far below `RfCs`'s 100 characters. A document without a number
//! falls back to its id.
//!
//! Money: MplusKASSA's cents and scaled quantities arrive as exact decimals from the client. Prices and line
//! totals are taken in the document's VAT method (incl. VAT for `INCLUSIVE`, excl. VAT otherwise; shifted and
//! no-VAT documents carry 0% lines, where both are equal). Lines of the shipping articles become the
//! shipping cost line; the delivery method is kept whether or not there is one.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use koppel_mplus::model::{
    Address, Invoice, Line, Order, Payment, Proposal, Receipt, VatGroup, VatMethod as MplusVatMethod, YearNumber,
};
use koppel_sync::country::iso2;
use koppel_sync::model::{
    PaymentStatus, SourceCustomer, SourceDocumentKind, SourceLine, SourceOrder, SourcePayment, SourceShipping,
    VatMethod,
};
use rust_decimal::Decimal;

use super::mplus_records::{address, non_empty, split_name};

/// The fields of an order, invoice, proposal or receipt that a sale needs, whichever kind it is.
pub struct Sale<'a> {
    pub kind: SourceDocumentKind,
    pub id: String,
    pub number: Option<YearNumber>,
    /// Receipts only: the (branch, workplace) whose series the number counts in.
    pub till: Option<(i32, i32)>,
    pub sync_marker: i64,
    pub date: Option<NaiveDate>,
    pub relation_number: Option<i64>,
    pub relation_name: Option<&'a str>,
    pub invoice_address: Option<&'a Address>,
    pub delivery_address: Option<&'a Address>,
    pub vat_method: Option<MplusVatMethod>,
    /// The country whose VAT the till charged (ISO-3): the document's `vatCountryIso3`, else its VAT groups'.
    pub vat_country: Option<&'a str>,
    pub lines: &'a [Line],
    pub payments: &'a [Payment],
    pub total_incl: Option<Decimal>,
    pub branch: Option<i32>,
    pub delivered: bool,
    pub completed: bool,
    pub cancelled: bool,
    pub delivery_method: Option<&'a str>,
}

/// MplusKASSA's state enums end in `-COMPLETE` when the whole document reached the state.
fn complete(state: Option<&str>) -> bool {
    state.is_some_and(|state| state.ends_with("STATE-COMPLETE"))
}

impl<'a> Sale<'a> {
    pub fn of_order(order: &'a Order) -> Self {
        Self {
            kind: SourceDocumentKind::Order,
            id: order.order_id.clone(),
            number: order.order_number,
            till: None,
            sync_marker: order.sync_marker.unwrap_or_default(),
            date: order.financial_date.or(order.entry_timestamp.map(|at| at.date())),
            relation_number: order.relation_number,
            relation_name: order.relation_name.as_deref(),
            invoice_address: order.invoice_address.as_ref(),
            delivery_address: order.delivery_address.as_ref(),
            vat_method: order.vat_method,
            vat_country: vat_country(order.vat_country_iso3.as_deref(), &order.vat_group_list),
            lines: &order.line_list,
            payments: &order.payment_list,
            total_incl: order.total_incl_amount,
            branch: order.financial_branch_number.or(order.entry_branch_number),
            delivered: complete(order.delivery_state.as_deref()),
            completed: complete(order.complete_state.as_deref()),
            cancelled: complete(order.cancel_state.as_deref()),
            delivery_method: order.delivery_method.as_deref(),
        }
    }

    pub fn of_invoice(invoice: &'a Invoice) -> Self {
        let state = invoice.state.as_deref().unwrap_or_default();
        Self {
            kind: SourceDocumentKind::Invoice,
            id: invoice.invoice_id.clone().unwrap_or_default(),
            number: invoice.invoice_number,
            till: None,
            sync_marker: invoice.sync_marker.unwrap_or_default(),
            date: invoice.financial_date,
            relation_number: invoice.relation_number,
            relation_name: invoice.relation_name.as_deref(),
            invoice_address: invoice.invoice_address.as_ref(),
            delivery_address: invoice.delivery_address.as_ref(),
            vat_method: invoice.vat_method,
            vat_country: vat_country(invoice.vat_country_iso3.as_deref(), &invoice.vat_group_list),
            lines: &invoice.line_list,
            payments: &invoice.payment_list,
            total_incl: invoice.total_incl_amount,
            branch: invoice.financial_branch_number.or(invoice.entry_branch_number),
            // An invoice is made of delivered goods; it is done once paid or handled.
            delivered: true,
            completed: state.ends_with("-PAID") || state.ends_with("-HANDLED"),
            cancelled: invoice.credited_invoice_id.is_some(),
            delivery_method: None,
        }
    }

    pub fn of_proposal(proposal: &'a Proposal) -> Self {
        let state = proposal.state.as_deref().unwrap_or_default();
        Self {
            kind: SourceDocumentKind::Quotation,
            id: proposal.proposal_id.clone().unwrap_or_default(),
            number: proposal.proposal_number,
            till: None,
            sync_marker: proposal.sync_marker.unwrap_or_default(),
            date: proposal.financial_date,
            relation_number: proposal.relation_number,
            relation_name: proposal.relation_name.as_deref(),
            invoice_address: proposal.invoice_address.as_ref(),
            delivery_address: proposal.delivery_address.as_ref(),
            vat_method: proposal.vat_method,
            vat_country: vat_country(None, &proposal.vat_group_list),
            lines: &proposal.line_list,
            payments: &[],
            total_incl: proposal.total_incl_amount,
            branch: None,
            delivered: false,
            completed: state.ends_with("-ORDER") || state.ends_with("-INVOICE"),
            cancelled: state.ends_with("-CANCELLED"),
            delivery_method: None,
        }
    }

    pub fn of_receipt(receipt: &'a Receipt) -> Self {
        Self {
            kind: SourceDocumentKind::Receipt,
            id: receipt.receipt_id.clone(),
            number: receipt.receipt_number.map(|n| YearNumber {
                year: n.year,
                number: n.number,
            }),
            till: receipt.receipt_number.map(|n| (n.branch_number, n.workplace_number)),
            sync_marker: receipt.sync_marker.unwrap_or_default(),
            date: receipt.financial_date.or(receipt.entry_timestamp.map(|at| at.date())),
            relation_number: receipt.relation_number,
            relation_name: receipt.relation_name.as_deref(),
            invoice_address: None,
            delivery_address: None,
            vat_method: receipt.vat_method,
            vat_country: vat_country(None, &receipt.vat_group_list),
            lines: &receipt.line_list,
            payments: &receipt.payment_list,
            total_incl: receipt.total_incl_amount,
            branch: receipt.financial_branch_number.or(receipt.entry_branch_number),
            // Taken over the counter: delivered at once; booked when finished (paid, not parked).
            delivered: true,
            completed: receipt.is_finished_sale(),
            cancelled: false,
            delivery_method: None,
        }
    }

    /// The engine's sale, with the customer from `relations` (fetched for the whole page).
    pub fn into_source(self, relations: &HashMap<i64, SourceCustomer>, shipping: &BTreeSet<i64>) -> SourceOrder {
        let vat_method = vat_method(self.vat_method);
        let (article_lines, shipping_lines): (Vec<&Line>, Vec<&Line>) = self
            .lines
            .iter()
            .partition(|line| !shipping.contains(&line.article_number));
        let lines: Vec<SourceLine> = article_lines.iter().map(|line| source_line(line, vat_method)).collect();
        let total_incl_vat = self
            .total_incl
            .unwrap_or_else(|| self.lines.iter().filter_map(|line| line.total_incl).sum());
        let paid: Decimal = self.payments.iter().map(|payment| payment.amount).sum();
        SourceOrder {
            id: self.id.clone(),
            number: reference(self.kind, self.number, self.till, &self.id),
            kind: self.kind,
            sync_marker: self.sync_marker,
            date: self.date.unwrap_or_default(),
            payment_status: payment_status(paid, total_incl_vat),
            delivered: self.delivered,
            completed: self.completed,
            cancelled: self.cancelled,
            vat_method,
            vat_country: self.vat_country.map(iso2),
            vat_shifted: self.vat_method == Some(MplusVatMethod::Shifted),
            customer: self.customer(relations),
            lines,
            shipping: shipping_cost(&shipping_lines, vat_method),
            delivery_method: non_empty(self.delivery_method),
            payments: self.payments.iter().map(source_payment).collect(),
            total_incl_vat,
            branch: self.branch.map(|branch| branch.to_string()),
        }
    }

    /// The relation as MplusKASSA has it, delivered where this sale went; without the relation (deleted
    /// since), what the sale's own addresses say.
    fn customer(&self, relations: &HashMap<i64, SourceCustomer>) -> Option<SourceCustomer> {
        let number = self.relation_number.filter(|&number| number > 0)?;
        let mut customer = relations
            .get(&number)
            .cloned()
            .unwrap_or_else(|| self.customer_from_addresses(number));
        let delivery = self.delivery_address.and_then(source_address);
        if delivery.is_some() && delivery != customer.address {
            customer.delivery_address = delivery;
        }
        Some(customer)
    }

    fn customer_from_addresses(&self, number: i64) -> SourceCustomer {
        let billing = self.invoice_address.or(self.delivery_address);
        let company_name = billing.and_then(|a| non_empty(a.company_name.as_deref()));
        let person = billing
            .and_then(|a| a.contact.as_deref().or(a.name.as_deref()))
            .or(self.relation_name);
        let (first_name, last_name) = split_name(person);
        SourceCustomer {
            relation_number: Some(number.to_string()),
            sync_marker: None,
            company_name,
            first_name,
            last_name,
            email: None,
            phone: None,
            address: billing.and_then(source_address),
            delivery_address: None,
            vat_number: None,
        }
    }
}

fn source_address(address_of_sale: &Address) -> Option<koppel_sync::model::SourceAddress> {
    address(
        address_of_sale.address.as_deref(),
        address_of_sale.zipcode.as_deref(),
        address_of_sale.city.as_deref(),
        address_of_sale.country.as_deref(),
    )
}

/// `ORD-2026-000042` (a receipt: `RCP-2026-1-2-000088`, with its branch and till); the id when there is no
/// number.
pub fn reference(kind: SourceDocumentKind, number: Option<YearNumber>, till: Option<(i32, i32)>, id: &str) -> String {
    let prefix = match kind {
        SourceDocumentKind::Order => "ORD",
        SourceDocumentKind::Invoice => "INV",
        SourceDocumentKind::Quotation => "QUO",
        SourceDocumentKind::Receipt => "RCP",
    };
    match (number, till) {
        (Some(YearNumber { year, number }), Some((branch, workplace))) => {
            format!("{prefix}-{year}-{branch}-{workplace}-{number:06}")
        }
        (Some(YearNumber { year, number }), None) => format!("{prefix}-{year}-{number:06}"),
        (None, _) => format!("{prefix}-{id}"),
    }
}

/// The country whose VAT a document charged: its own `vatCountryIso3`, else its VAT groups' (a proposal has
/// only those).
fn vat_country<'a>(document: Option<&'a str>, groups: &'a [VatGroup]) -> Option<&'a str> {
    document
        .or_else(|| groups.iter().find_map(|group| group.country_iso3.as_deref()))
        .filter(|country| !country.trim().is_empty())
}

fn vat_method(method: Option<MplusVatMethod>) -> VatMethod {
    match method {
        Some(MplusVatMethod::Inclusive) | None => VatMethod::Including,
        Some(MplusVatMethod::Exclusive | MplusVatMethod::Shifted | MplusVatMethod::None) => VatMethod::Excluding,
    }
}

fn payment_status(paid: Decimal, total: Decimal) -> PaymentStatus {
    if paid >= total {
        PaymentStatus::Paid
    } else if paid > Decimal::ZERO {
        PaymentStatus::PartlyPaid
    } else {
        PaymentStatus::Unpaid
    }
}

/// Price and total of a line in the document's VAT method.
fn priced(line: &Line, vat_method: VatMethod) -> (Decimal, Decimal) {
    let (price, total) = match vat_method {
        VatMethod::Including => (line.price, line.total_incl),
        VatMethod::Excluding => (line.price_excl.or(line.price), line.total_excl.or(line.total_incl)),
    };
    let price = price.unwrap_or_default();
    // MplusKASSA always sends the total; should it not, it is what the line's price and discount give.
    let total = total.unwrap_or_else(|| {
        let gross = (line.quantity * price).round_dp(2);
        gross - line.discount_amount.unwrap_or_default()
    });
    (price, total)
}

fn source_line(line: &Line, vat_method: VatMethod) -> SourceLine {
    let (unit_price, line_total) = priced(line, vat_method);
    SourceLine {
        sku: line.article_number.to_string(),
        description: non_empty(line.text.as_deref()).unwrap_or_default(),
        quantity: line.quantity,
        unit_price,
        discount_percentage: line.discount_percentage.unwrap_or_default().into(),
        vat_percentage: line.vat_percentage.unwrap_or_default().into(),
        line_total,
    }
}

/// All shipping lines of a sale as one cost (`None` when there are none). The delivery method is the sale's
/// own, kept with or without shipping lines.
fn shipping_cost(lines: &[&Line], vat_method: VatMethod) -> Option<SourceShipping> {
    let first = lines.first()?;
    Some(SourceShipping {
        cost: lines.iter().map(|line| priced(line, vat_method).1).sum(),
        vat_percentage: first.vat_percentage.unwrap_or_default().into(),
    })
}

fn source_payment(payment: &Payment) -> SourcePayment {
    SourcePayment {
        method: payment.method.clone(),
        amount: payment.amount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_carry_kind_year_and_number() {
        let number = Some(YearNumber { year: 2026, number: 42 });
        assert_eq!(
            reference(SourceDocumentKind::Order, number, None, "x"),
            "ORD-2026-000042"
        );
        assert_eq!(
            reference(SourceDocumentKind::Invoice, number, None, "x"),
            "INV-2026-000042"
        );
        assert_eq!(reference(SourceDocumentKind::Quotation, None, None, "abc"), "QUO-abc");
        assert_eq!(
            reference(SourceDocumentKind::Receipt, number, Some((3, 2)), "x"),
            "RCP-2026-3-2-000042"
        );
    }

    #[test]
    fn payment_status_compares_payments_with_the_total() {
        let dec = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(payment_status(dec("10.00"), dec("10.00")), PaymentStatus::Paid);
        assert_eq!(payment_status(dec("4.00"), dec("10.00")), PaymentStatus::PartlyPaid);
        assert_eq!(payment_status(dec("0"), dec("10.00")), PaymentStatus::Unpaid);
    }
}

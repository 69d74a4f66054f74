//! Orders with their lines, payments and VAT totals, and the invoices and proposals that share their shape.

use chrono::{NaiveDate, NaiveDateTime};

use super::{
    Article, InvoiceState, OrderType, PaymentMethod, PaymentMethodType, Progress, ProposalState, Relation,
    TurnoverGroup, VatMethod, date_xml, datetime_xml, excl_from_incl, incl_from_excl, mul_div_round,
};
use crate::mplus::xml::Element;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Address {
    pub name: String,
    pub contact: Option<String>,
    pub address: String,
    pub zipcode: String,
    pub city: String,
    pub country: String,
    pub company_name: Option<String>,
}

impl Address {
    pub fn to_xml(&self, element_name: &str) -> Element {
        Element::new(element_name)
            .with_leaf("name", &self.name)
            .with_opt("contact", self.contact.as_ref())
            .with_leaf("address", &self.address)
            .with_leaf("zipcode", &self.zipcode)
            .with_leaf("city", &self.city)
            .with_leaf("country", &self.country)
            .with_opt("companyName", self.company_name.as_ref())
    }

    /// The invoice address of a relation (the contact person as the name, if any).
    pub fn of_relation(relation: &Relation) -> Self {
        Self {
            name: relation.contact.clone().unwrap_or_else(|| relation.name.clone()),
            contact: relation.contact.clone(),
            address: relation.address.clone().unwrap_or_default(),
            zipcode: relation.zipcode.clone().unwrap_or_default(),
            city: relation.city.clone().unwrap_or_default(),
            country: relation.country.clone().unwrap_or_default(),
            company_name: relation.company_name.clone(),
        }
    }

    /// The delivery address of a relation: its own delivery fields when it has them, else its address.
    pub fn delivery_of_relation(relation: &Relation) -> Self {
        let invoice = Self::of_relation(relation);
        match &relation.delivery_address {
            Some(address) => Self {
                address: address.clone(),
                zipcode: relation.delivery_zipcode.clone().unwrap_or_default(),
                city: relation.delivery_city.clone().unwrap_or_default(),
                country: relation.delivery_country.clone().unwrap_or_default(),
                ..invoice
            },
            None => invoice,
        }
    }

    pub fn from_xml(element: &Element) -> Self {
        let text = |name| element.text_of(name).unwrap_or_default().to_owned();
        let optional = |name| element.text_of(name).filter(|v| !v.is_empty()).map(str::to_owned);
        Self {
            name: text("name"),
            contact: optional("contact"),
            address: text("address"),
            zipcode: text("zipcode"),
            city: text("city"),
            country: text("country"),
            company_name: optional("companyName"),
        }
    }
}

/// An order, invoice or proposal line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub line_id: String,
    pub article_number: i64,
    pub plu: String,
    pub text: String,
    pub quantity: i64,
    pub decimal_places: u32,
    /// Unit price including VAT (cents).
    pub price_incl: i64,
    /// Unit price excluding VAT (cents) on a line of a `VAT-METHOD-EXCLUSIVE` order: the line is then priced
    /// and discounted excl. VAT and its VAT added (`price_incl` only shows it); `None` prices incl. VAT.
    pub price_excl: Option<i64>,
    pub turnover_group: i32,
    pub turnover_group_name: String,
    pub turnover_group_account: i32,
    pub vat_code: i32,
    pub vat_percentage: i32,
    pub discount_percentage: i32,
    /// This line's share of an order discount (cents, in the line's price terms): the till spreads a discount
    /// on the order's total over its lines, so each VAT rate's amount carries its part.
    pub order_discount: i64,
    pub delivered_quantity: i64,
    pub cancelled_quantity: i64,
}

/// The computed amounts of a line. A line priced excl. VAT (`price_excl`) has its excl. amounts exact and its
/// incl. ones derived; otherwise the other way round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineAmounts {
    pub gross_incl: i64,
    pub discount_incl: i64,
    pub discount_excl: i64,
    pub total_incl: i64,
    pub total_excl: i64,
    /// Whether the line is priced excl. VAT (its VAT is then added to its VAT code's excl. total).
    pub prices_excl: bool,
}

impl Line {
    /// One piece of an article at its price, with the given VAT (which depends on the country and VAT method).
    pub fn of_article(
        line_id: String,
        article: &Article,
        turnover: Option<&TurnoverGroup>,
        vat_code: i32,
        vat_percentage: i32,
    ) -> Self {
        Self {
            line_id,
            article_number: article.number,
            plu: article.plu.clone(),
            text: article.description.clone(),
            quantity: 1,
            decimal_places: 0,
            price_incl: article.price_incl,
            price_excl: None,
            turnover_group: article.turnover_group,
            turnover_group_name: turnover.map(|g| g.name.clone()).unwrap_or_default(),
            turnover_group_account: turnover.map(|g| g.account_number).unwrap_or_default(),
            vat_code,
            vat_percentage,
            discount_percentage: 0,
            order_discount: 0,
            delivered_quantity: 0,
            cancelled_quantity: 0,
        }
    }

    /// MplusKASSA's line arithmetic in cents: `round(quantity × price)`, minus the discount
    /// `round(gross × discount% / 100)` and the line's share of an order discount, all half away from zero.
    pub fn amounts(&self) -> LineAmounts {
        let scale = 10_i64.pow(self.decimal_places);
        let discounted = |price: i64| {
            let gross = mul_div_round(price, self.quantity, scale);
            let discount = mul_div_round(gross, i64::from(self.discount_percentage), 100) + self.order_discount;
            (gross, discount, gross - discount)
        };
        match self.price_excl {
            None => {
                let (gross_incl, discount_incl, total_incl) = discounted(self.price_incl);
                LineAmounts {
                    gross_incl,
                    discount_incl,
                    discount_excl: excl_from_incl(discount_incl, self.vat_percentage),
                    total_incl,
                    total_excl: excl_from_incl(total_incl, self.vat_percentage),
                    prices_excl: false,
                }
            }
            Some(price_excl) => {
                let (gross_excl, discount_excl, total_excl) = discounted(price_excl);
                let total_incl = incl_from_excl(total_excl, self.vat_percentage);
                let gross_incl = incl_from_excl(gross_excl, self.vat_percentage);
                LineAmounts {
                    gross_incl,
                    discount_incl: gross_incl - total_incl,
                    discount_excl,
                    total_incl,
                    total_excl,
                    prices_excl: true,
                }
            }
        }
    }

    /// The line's total in its own price terms (incl. VAT, or excl. on a line priced excl. VAT).
    pub fn total_in_price_terms(&self) -> i64 {
        let amounts = self.amounts();
        if amounts.prices_excl {
            amounts.total_excl
        } else {
            amounts.total_incl
        }
    }

    pub fn to_xml(&self) -> Element {
        let amounts = self.amounts();
        let mut data = Element::new("data")
            .with_leaf("quantity", self.quantity)
            .with_leaf("decimalPlaces", self.decimal_places)
            .with_leaf("deliveredQuantity", self.delivered_quantity)
            .with_leaf("deliveredDecimalPlaces", self.decimal_places)
            .with_leaf("cancelledQuantity", self.cancelled_quantity)
            .with_leaf("cancelledDecimalPlaces", self.decimal_places)
            .with_leaf("price", self.price_incl)
            .with_leaf(
                "priceExcl",
                self.price_excl
                    .unwrap_or_else(|| excl_from_incl(self.price_incl, self.vat_percentage)),
            )
            .with_leaf("originalPrice", self.price_incl)
            .with_leaf("turnoverGroup", self.turnover_group)
            .with_leaf("turnoverGroupName", &self.turnover_group_name)
            .with_leaf("turnoverGroupType", "TURNOVER-GROUP-TYPE-TURNOVER")
            .with_leaf("turnoverGroupAccountNumber", self.turnover_group_account)
            .with_leaf("vatCode", self.vat_code)
            .with_leaf("vatPercentage", self.vat_percentage)
            .with_leaf("totalInclAmount", amounts.total_incl)
            .with_leaf("totalExclAmount", amounts.total_excl);
        if self.discount_percentage > 0 || self.order_discount != 0 {
            data = data
                .with_leaf("discountType", "DISCOUNT-TYPE-CUSTOMER-DISCOUNT")
                .with_leaf("discountPercentage", self.discount_percentage)
                .with_leaf("discountAmount", amounts.discount_incl)
                .with_leaf("discountAmountExcl", amounts.discount_excl);
        } else {
            data = data.with_leaf("discountType", "DISCOUNT-TYPE-NONE");
        }
        Element::new("line")
            .with_leaf("lineId", &self.line_id)
            .with_leaf("articleNumber", self.article_number)
            .with_leaf("pluNumber", &self.plu)
            .with_leaf("text", &self.text)
            .with(data)
            .with_leaf("lineType", "LINE-TYPE-NONE")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    pub method: String,
    pub description: String,
    pub amount: i64,
    pub kind: PaymentMethodType,
    pub account_number: i32,
    pub financial_date: NaiveDate,
}

impl Payment {
    /// A payment with one of the shop's payment methods.
    pub fn with_method(method: &PaymentMethod, amount: i64, financial_date: NaiveDate) -> Self {
        Self {
            method: method.code.clone(),
            description: method.description.clone(),
            amount,
            kind: method.kind,
            account_number: method.account_number,
            financial_date,
        }
    }

    pub fn to_xml(&self) -> Element {
        Element::new("payment")
            .with(date_xml("financialDate", self.financial_date))
            .with_leaf("method", &self.method)
            .with_leaf("description", &self.description)
            .with_leaf("amount", self.amount)
            .with_leaf("paymentMethodType", self.kind.wire())
            .with_leaf("accountNumber", self.account_number)
    }
}

/// The VAT totals of a set of lines: per VAT code the amount excluding VAT and the VAT, adding up exactly to
/// the document's total. The VAT is computed **per VAT code over the document** (the Belastingdienst's
/// "totaalbedrag" method, the one UBL invoices use), never summed per line: lines priced incl. VAT have the
/// VAT taken out of their code's total, `round(incl × p / (100 + p))`; lines priced excl. VAT have it added,
/// `round(excl × p / 100)`. A cash payment's rounding to 5 cents is outside the VAT: it is its own 0% group
/// (see docs/sandbox.md "VAT in the orders").
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Totals {
    pub incl: i64,
    pub excl: i64,
    /// (vat code, percentage, excl amount, vat amount)
    pub per_vat_code: Vec<(i32, i32, i64, i64)>,
}

impl Totals {
    pub fn of(lines: &[Line]) -> Self {
        // (vat code, percentage, priced excl. VAT) → the lines' total in those price terms.
        let mut by_code: Vec<((i32, i32, bool), i64)> = Vec::new();
        for line in lines {
            let amounts = line.amounts();
            let key = (line.vat_code, line.vat_percentage, amounts.prices_excl);
            let amount = if amounts.prices_excl {
                amounts.total_excl
            } else {
                amounts.total_incl
            };
            match by_code.iter_mut().find(|(k, _)| *k == key) {
                Some((_, total)) => *total += amount,
                None => by_code.push((key, amount)),
            }
        }
        let mut totals = Totals::default();
        for ((code, percentage, prices_excl), amount) in by_code {
            let (excl, vat) = if prices_excl {
                (amount, mul_div_round(amount, i64::from(percentage), 100))
            } else {
                let vat = mul_div_round(amount, i64::from(percentage), 100 + i64::from(percentage));
                (amount - vat, vat)
            };
            totals.add_group(code, percentage, excl, vat);
        }
        totals.per_vat_code.sort_by_key(|group| group.0);
        totals
    }

    /// The totals with each line's VAT rounded on its own and summed per VAT code: how the seeded till
    /// receipts (and their financial journal, which splits per turnover group) still count. Orders, invoices
    /// and proposals use [`Totals::of`].
    pub fn summed_per_line(lines: &[Line]) -> Self {
        let mut totals = Totals::default();
        for line in lines {
            let amounts = line.amounts();
            totals.add_group(
                line.vat_code,
                line.vat_percentage,
                amounts.total_excl,
                amounts.total_incl - amounts.total_excl,
            );
        }
        totals.per_vat_code.sort_by_key(|group| group.0);
        totals
    }

    /// The totals with a cash payment's rounding (`amount` cents) added to the total as a 0% group
    /// `zero_vat_code`: what the customer pays changes, the VAT per rate does not.
    pub fn with_cash_rounding(mut self, amount: i64, zero_vat_code: i32) -> Self {
        if amount != 0 {
            self.add_group(zero_vat_code, 0, amount, 0);
            self.per_vat_code.sort_by_key(|group| group.0);
        }
        self
    }

    fn add_group(&mut self, code: i32, percentage: i32, excl: i64, vat: i64) {
        self.incl += excl + vat;
        self.excl += excl;
        match self
            .per_vat_code
            .iter_mut()
            .find(|group| group.0 == code && group.1 == percentage)
        {
            Some(group) => {
                group.2 += excl;
                group.3 += vat;
            }
            None => self.per_vat_code.push((code, percentage, excl, vat)),
        }
    }

    pub fn vat_group_list(&self, country_iso3: &str) -> Element {
        Element::new("vatGroupList").with_all(self.per_vat_code.iter().map(|(code, percentage, excl, vat)| {
            Element::new("vatGroup")
                .with_leaf("countryIso3", country_iso3)
                .with_leaf("vatCode", code)
                .with_leaf("vatPercentage", percentage)
                .with_leaf("exclAmount", excl)
                .with_leaf("vatAmount", vat)
        }))
    }
}

/// A sales order (also the shape invoices and proposals are derived from).
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub order_id: String,
    pub ext_order_id: Option<String>,
    pub sync_marker: i64,
    pub order_type: OrderType,
    pub order_number: (i32, i64),
    pub entry_branch: i32,
    pub workplace: i32,
    pub employee_number: i64,
    pub employee_name: String,
    pub entered_at: NaiveDateTime,
    pub financial_date: NaiveDate,
    pub relation_number: i64,
    pub relation_name: String,
    pub relation_vat_number: Option<String>,
    pub invoice_address: Option<Address>,
    pub delivery_address: Option<Address>,
    pub reference: Option<String>,
    pub vat_method: VatMethod,
    pub vat_country_iso3: String,
    pub delivery_method: Option<String>,
    pub payment_method: Option<String>,
    pub change_counter: i32,
    pub delivery_state: Progress,
    pub cancel_state: Progress,
    pub lines: Vec<Line>,
    /// A cash payment's rounding of the total to 5 cents (cents, −2..=2), outside the VAT.
    pub cash_rounding: i64,
    pub payments: Vec<Payment>,
    pub invoice_ids: Vec<String>,
}

/// MplusKASSA's VAT code for 0% (`getVatGroupList`), where a cash rounding is grouped.
pub const ZERO_VAT_CODE: i32 = 3;

impl Order {
    pub fn totals(&self) -> Totals {
        Totals::of(&self.lines).with_cash_rounding(self.cash_rounding, ZERO_VAT_CODE)
    }

    pub fn paid_amount(&self) -> i64 {
        self.payments.iter().map(|p| p.amount).sum()
    }

    /// What the flows filter on by default: paid in full (and not cancelled).
    pub fn is_fully_paid(&self) -> bool {
        self.cancel_state != Progress::Complete && self.paid_amount() >= self.totals().incl
    }

    pub fn complete_state(&self) -> &'static str {
        let paid = self.is_fully_paid();
        match (self.delivery_state, paid) {
            _ if self.cancel_state == Progress::Complete => "ORDER-COMPLETE-STATE-COMPLETE",
            (Progress::Complete, true) => "ORDER-COMPLETE-STATE-COMPLETE",
            (Progress::Nothing, false) if self.paid_amount() == 0 => "ORDER-COMPLETE-STATE-NOTHING",
            (Progress::Partial, _) => "ORDER-COMPLETE-STATE-PARTIAL-DELIVERY-PENDING",
            _ => "ORDER-COMPLETE-STATE-PARTIAL",
        }
    }

    pub fn to_xml(&self, include_lines: bool) -> Element {
        let totals = self.totals();
        let ids =
            |name: &str, values: &[String]| Element::new(name).with_all(values.iter().map(|v| Element::leaf("id", v)));
        Element::new("order")
            .with_leaf("orderId", &self.order_id)
            .with_opt("extOrderId", self.ext_order_id.as_ref())
            .with_opt_child((!self.invoice_ids.is_empty()).then(|| ids("invoiceIds", &self.invoice_ids)))
            .with_leaf("syncMarker", self.sync_marker)
            .with_leaf("orderType", self.order_type.wire())
            .with_leaf("entryBranchNumber", self.entry_branch)
            .with_leaf("employeeNumber", self.employee_number)
            .with_leaf("employeeName", &self.employee_name)
            .with(datetime_xml("entryTimestamp", self.entered_at))
            .with_leaf("relationNumber", self.relation_number)
            .with_leaf("relationName", &self.relation_name)
            .with_opt("relationVatNumber", self.relation_vat_number.as_ref())
            .with_opt_child(self.delivery_address.as_ref().map(|a| a.to_xml("deliveryAddress")))
            .with_opt_child(self.invoice_address.as_ref().map(|a| a.to_xml("invoiceAddress")))
            .with(date_xml("financialDate", self.financial_date))
            .with_leaf("financialBranchNumber", self.entry_branch)
            .with_leaf("workplaceNumber", self.workplace)
            .with_opt("reference", self.reference.as_ref())
            .with_leaf("totalInclAmount", totals.incl)
            .with_leaf("totalExclAmount", totals.excl)
            .with_leaf("vatMethod", self.vat_method.wire())
            .with(totals.vat_group_list(&self.vat_country_iso3))
            .with_opt("deliveryMethod", self.delivery_method.as_ref())
            .with_opt("paymentMethod", self.payment_method.as_ref())
            .with_leaf("changeCounter", self.change_counter)
            .with_leaf("versionNumber", self.change_counter)
            .with_leaf("prepaidAmount", self.paid_amount())
            .with_leaf("fullyPaid", self.is_fully_paid())
            .with_leaf(
                "deliveryState",
                format!("ORDER-DELIVERY-STATE-{}", self.delivery_state.wire()),
            )
            .with_leaf(
                "cancelState",
                format!("ORDER-CANCEL-STATE-{}", self.cancel_state.wire()),
            )
            .with_leaf("completeState", self.complete_state())
            .with(
                Element::new("orderNumber")
                    .with_leaf("year", self.order_number.0)
                    .with_leaf("number", self.order_number.1),
            )
            .with_opt_child(
                include_lines.then(|| Element::new("lineList").with_all(self.lines.iter().map(Line::to_xml))),
            )
            .with(Element::new("paymentList").with_all(self.payments.iter().map(Payment::to_xml)))
            .with_leaf("vatCountryIso3", &self.vat_country_iso3)
    }
}

/// An invoice made from a delivered order.
#[derive(Debug, Clone, PartialEq)]
pub struct Invoice {
    pub invoice_id: String,
    pub invoice_number: (i32, i64),
    pub sync_marker: i64,
    pub order: Order,
    pub due_date: NaiveDate,
}

impl Invoice {
    pub fn state(&self) -> InvoiceState {
        let paid = self.order.paid_amount();
        if paid >= self.order.totals().incl {
            InvoiceState::Paid
        } else if paid > 0 {
            InvoiceState::PartlyPaid
        } else {
            InvoiceState::Outstanding
        }
    }

    pub fn to_xml(&self, include_lines: bool) -> Element {
        let order = &self.order;
        let totals = order.totals();
        Element::new("invoice")
            .with_leaf("invoiceId", &self.invoice_id)
            .with(Element::new("orderIds").with_leaf("id", &order.order_id))
            .with_leaf("syncMarker", self.sync_marker)
            .with(
                Element::new("invoiceNumber")
                    .with_leaf("year", self.invoice_number.0)
                    .with_leaf("number", self.invoice_number.1),
            )
            .with_leaf("invoiceType", "INVOICE-TYPE-INVOICE")
            .with_leaf("employeeNumber", order.employee_number)
            .with_leaf("employeeName", &order.employee_name)
            .with(datetime_xml("entryTimestamp", order.entered_at))
            .with_leaf("relationNumber", order.relation_number)
            .with_leaf("relationName", &order.relation_name)
            .with_opt("relationVatNumber", order.relation_vat_number.as_ref())
            .with_opt_child(order.delivery_address.as_ref().map(|a| a.to_xml("deliveryAddress")))
            .with_opt_child(order.invoice_address.as_ref().map(|a| a.to_xml("invoiceAddress")))
            .with(date_xml("financialDate", order.financial_date))
            .with_leaf("financialBranchNumber", order.entry_branch)
            .with_leaf("workplaceNumber", order.workplace)
            .with_leaf("entryBranchNumber", order.entry_branch)
            .with_opt("reference", order.reference.as_ref())
            .with(date_xml("dueDate", self.due_date))
            .with_leaf("totalInclAmount", totals.incl)
            .with_leaf("totalExclAmount", totals.excl)
            .with_leaf("vatMethod", order.vat_method.wire())
            .with(totals.vat_group_list(&order.vat_country_iso3))
            .with_leaf("changeCounter", 0)
            .with_leaf("paidAmount", order.paid_amount())
            .with_leaf("state", self.state().wire())
            .with_leaf("finalized", true)
            .with_opt_child(
                include_lines.then(|| Element::new("lineList").with_all(order.lines.iter().map(Line::to_xml))),
            )
            .with(Element::new("paymentList").with_all(order.payments.iter().map(Payment::to_xml)))
            .with_leaf("vatCountryIso3", &order.vat_country_iso3)
    }
}

/// A quotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub proposal_id: String,
    /// The writer's own id (`saveProposal`), unique among the proposals; seeded ones have none.
    pub ext_proposal_id: Option<String>,
    pub proposal_number: (i32, i64),
    pub sync_marker: i64,
    pub state: ProposalState,
    pub order: Order,
}

impl Proposal {
    pub fn to_xml(&self, include_lines: bool) -> Element {
        let order = &self.order;
        let totals = order.totals();
        Element::new("proposal")
            .with_leaf("proposalId", &self.proposal_id)
            .with_opt("extProposalId", self.ext_proposal_id.as_ref())
            .with_leaf("syncMarker", self.sync_marker)
            .with(
                Element::new("proposalNumber")
                    .with_leaf("year", self.proposal_number.0)
                    .with_leaf("number", self.proposal_number.1),
            )
            .with_leaf("proposalType", "PROPOSAL-TYPE-PROPOSAL")
            .with_leaf("employeeNumber", order.employee_number)
            .with_leaf("employeeName", &order.employee_name)
            .with(datetime_xml("entryTimestamp", order.entered_at))
            .with_leaf("relationNumber", order.relation_number)
            .with_leaf("relationName", &order.relation_name)
            .with_opt_child(order.invoice_address.as_ref().map(|a| a.to_xml("invoiceAddress")))
            .with(date_xml("financialDate", order.financial_date))
            .with_leaf("financialBranchNumber", order.entry_branch)
            .with_leaf("workplaceNumber", order.workplace)
            .with_leaf("entryBranchNumber", order.entry_branch)
            .with_opt("reference", order.reference.as_ref())
            .with_leaf("totalInclAmount", totals.incl)
            .with_leaf("totalExclAmount", totals.excl)
            .with_leaf("vatMethod", order.vat_method.wire())
            .with(totals.vat_group_list(&order.vat_country_iso3))
            .with_leaf("changeCounter", order.change_counter)
            .with_leaf("state", self.state.wire())
            .with_opt_child(
                include_lines.then(|| Element::new("lineList").with_all(order.lines.iter().map(Line::to_xml))),
            )
    }
}

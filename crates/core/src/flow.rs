//! The flows Koppel runs for a tenant.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowKind {
    /// MplusKASSA orders, invoices or quotations → AFAS sales orders, direct invoices or quotations.
    Orders,
    /// MplusKASSA relations → AFAS debtors.
    Customers,
    /// MplusKASSA articles → AFAS items.
    Products,
    /// MplusKASSA stock → AFAS stock mutations.
    Stock,
    /// MplusKASSA till receipts (counter sales) → AFAS direct invoices or sales orders.
    Receipts,
    /// MplusKASSA quotations (proposals) → AFAS sales quotations (`FbSalesQuotation`), beside the orders flow.
    Quotations,
    /// MplusKASSA's financial journal → one AFAS financial entry (`FiEntries`) per closed day and branch.
    #[serde(rename = "financial_journal")]
    FinancialJournal,
    /// AFAS articles → MplusKASSA articles (the other direction: the back office's assortment and prices to
    /// the till).
    Articles,
    /// AFAS price lists with their volume prices → the price groups of MplusKASSA articles.
    Prices,
    /// AFAS debtors → MplusKASSA relations (the other direction: the back office's customers at the till).
    Debtors,
    /// A debtor's own terms in AFAS (its article prices and line discount) → its MplusKASSA relation's article
    /// discounts and discount percentage.
    Discounts,
    /// AFAS order states → MplusKASSA: an order Koppel booked from the till that AFAS delivered is delivered at
    /// the till too.
    #[serde(rename = "order_status")]
    OrderStatus,
}

impl FlowKind {
    pub const ALL: [FlowKind; 12] = [
        FlowKind::Orders,
        FlowKind::Receipts,
        FlowKind::Quotations,
        FlowKind::FinancialJournal,
        FlowKind::Customers,
        FlowKind::Products,
        FlowKind::Stock,
        FlowKind::Articles,
        FlowKind::Prices,
        FlowKind::Debtors,
        FlowKind::Discounts,
        FlowKind::OrderStatus,
    ];

    /// The order a company's flows run in when they are due together: master data before the sales that refer
    /// to it (an order or receipt needs its articles and debtor), stock last (it counts articles the products
    /// flow made). The financial journal needs nothing of the others. AFAS's articles and debtors reach the
    /// till first, so the products and customers flows read them back in the same round (and find them
    /// unchanged); the prices follow the articles they are on, a debtor's own terms its relation. The order
    /// states come last: they follow the orders they are about.
    pub const RUN_ORDER: [FlowKind; 12] = [
        FlowKind::Articles,
        FlowKind::Prices,
        FlowKind::Debtors,
        FlowKind::Discounts,
        FlowKind::Products,
        FlowKind::Customers,
        FlowKind::Orders,
        FlowKind::Receipts,
        FlowKind::Quotations,
        FlowKind::FinancialJournal,
        FlowKind::Stock,
        FlowKind::OrderStatus,
    ];

    /// The flows before this one in [`FlowKind::RUN_ORDER`]: a run of this flow waits for their runs queued
    /// before it.
    pub fn runs_after(self) -> &'static [FlowKind] {
        let position = Self::RUN_ORDER.iter().position(|f| *f == self).unwrap_or(0);
        &Self::RUN_ORDER[..position]
    }

    /// Which way the flow moves records (the quotations flow's default way: its `quotations_direction` setting
    /// chooses, see `FlowSettings::direction`).
    pub fn direction(self) -> Direction {
        match self {
            FlowKind::Articles | FlowKind::Prices | FlowKind::Debtors | FlowKind::Discounts | FlowKind::OrderStatus => {
                Direction::AfasToMplus
            }
            _ => Direction::MplusToAfas,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Orders => "orders",
            FlowKind::Customers => "customers",
            FlowKind::Products => "products",
            FlowKind::Stock => "stock",
            FlowKind::Receipts => "receipts",
            FlowKind::Quotations => "quotations",
            FlowKind::FinancialJournal => "financial_journal",
            FlowKind::Articles => "articles",
            FlowKind::Prices => "prices",
            FlowKind::Debtors => "debtors",
            FlowKind::Discounts => "discounts",
            FlowKind::OrderStatus => "order_status",
        }
    }

    /// One line for people choosing which flows to switch on.
    pub fn explanation(self) -> &'static str {
        match self {
            FlowKind::Orders => "Books every sale from the till in AFAS once, with the right debtor and articles.",
            FlowKind::Customers => "Creates and updates AFAS debtors from MplusKASSA relations, matched by e-mail.",
            FlowKind::Products => "Creates (and optionally updates) AFAS articles from MplusKASSA articles, by SKU.",
            FlowKind::Stock => "Corrects AFAS stock per warehouse to MplusKASSA's free stock.",
            FlowKind::Receipts => {
                "Books every finished counter sale (till receipt) in AFAS once, as a direct invoice or order."
            }
            FlowKind::Quotations => {
                "Books every MplusKASSA quotation in AFAS once, as a sales quotation; or, as you choose, sends AFAS's \
                 quotations to MplusKASSA as proposals."
            }
            FlowKind::FinancialJournal => {
                "Books each closed till day per branch in AFAS once: turnover and VAT, payments, cash movements."
            }
            FlowKind::Articles => {
                "Creates and updates MplusKASSA articles from AFAS articles, by item code: price, VAT, barcode, texts."
            }
            FlowKind::Prices => {
                "Keeps the price groups of MplusKASSA articles equal to AFAS's price lists, volume prices included."
            }
            FlowKind::Debtors => {
                "Creates and updates MplusKASSA relations from AFAS debtors: name, address, e-mail, phone, VAT number."
            }
            FlowKind::Discounts => {
                "Gives each MplusKASSA relation its AFAS debtor's own article prices and line discount."
            }
            FlowKind::OrderStatus => {
                "Marks a till order delivered in MplusKASSA once AFAS delivered or invoiced the order Koppel booked."
            }
        }
    }
}

/// Which way a flow moves records: the till's sales and master data to the books, or the back office's master
/// data to the till.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    MplusToAfas,
    AfasToMplus,
}

impl Direction {
    /// The system records come from, as people name it.
    pub fn source_system(self) -> &'static str {
        match self {
            Direction::MplusToAfas => "MplusKASSA",
            Direction::AfasToMplus => "AFAS",
        }
    }

    /// The system records are written to, as people name it.
    pub fn target_system(self) -> &'static str {
        match self {
            Direction::MplusToAfas => "AFAS",
            Direction::AfasToMplus => "MplusKASSA",
        }
    }
}

impl fmt::Display for FlowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "unknown flow {0:?}; expected orders, receipts, quotations, financial_journal, customers, products, stock, articles, prices, debtors, discounts or order_status"
)]
pub struct UnknownFlow(pub String);

impl FromStr for FlowKind {
    type Err = UnknownFlow;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FlowKind::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownFlow(s.to_owned()))
    }
}

impl TryFrom<String> for FlowKind {
    type Error = UnknownFlow;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

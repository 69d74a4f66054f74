//! Till receipts: `getReceipts` (by sync marker, with the WSDL's filters) and `getReceiptsByCashCount` (the
//! receipts of one drawer's day). The book is a map by marker; a receipt that changes (a parked one paid, through
//! the controls) moves to the next receipt sync marker, as in the shop.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::model::{Receipt, ReceiptState, ReceiptType, parse_date};
use super::seed::Shop;
use super::soap::SoapFault;
use super::state::Store;
use super::state::now;
use super::sync::{Page, next};
use super::xml::Element;

/// The receipts by sync marker.
#[derive(Debug)]
pub struct ReceiptBook {
    by_marker: BTreeMap<i64, Receipt>,
}

impl ReceiptBook {
    pub fn new(shop: &Shop) -> Self {
        Self {
            by_marker: shop.receipts.iter().map(|r| (r.sync_marker, r.clone())).collect(),
        }
    }

    /// Every receipt, ascending by sync marker.
    pub fn iter(&self) -> impl Iterator<Item = &Receipt> {
        self.by_marker.values()
    }

    pub fn high_marker(&self) -> i64 {
        self.by_marker.keys().next_back().copied().unwrap_or(0)
    }

    /// Pays what is open on a parked or partly paid sale (by pin, today) and moves it to the next receipt sync
    /// marker. `Err` says why not: no such receipt, or not an open sale.
    pub fn pay(&mut self, shop: &Shop, receipt_id: &str, counter: &mut i64) -> Result<Receipt, String> {
        let (&marker, receipt) = self
            .by_marker
            .iter()
            .find(|(_, r)| r.receipt_id == receipt_id)
            .ok_or_else(|| format!("receipt {receipt_id} not found"))?;
        let open = matches!(receipt.state, ReceiptState::Outstanding | ReceiptState::PartlyPaid);
        if receipt.receipt_type != ReceiptType::Receipt || !open {
            return Err(format!("receipt {receipt_id} is not a parked or partly paid sale"));
        }
        let mut receipt = self.by_marker.remove(&marker).expect("found above");
        let due = receipt.totals().incl - receipt.paid_amount();
        receipt.payments.push(shop.payment("PIN", due, now().date()));
        receipt.state = ReceiptState::Paid;
        receipt.sync_marker = next(counter);
        self.by_marker.insert(receipt.sync_marker, receipt.clone());
        Ok(receipt)
    }
}

/// The `GetReceiptsRequest` filters the sandbox honours.
struct ReceiptFilter {
    branches: Vec<i64>,
    employees: Vec<i64>,
    relations: Vec<i64>,
    articles: Vec<i64>,
    ids: Vec<String>,
    from: Option<NaiveDate>,
    through: Option<NaiveDate>,
}

impl ReceiptFilter {
    fn read(request: &Element) -> Self {
        Self {
            branches: request.numbers_of("branchNumbers"),
            employees: request.numbers_of("employeeNumbers"),
            relations: request.numbers_of("relationNumbers"),
            articles: request.numbers_of("articleNumbers"),
            ids: request
                .children_named("receiptIds")
                .map(|c| c.text.trim().to_owned())
                .collect(),
            from: request.child("fromFinancialDate").and_then(parse_date),
            through: request.child("throughFinancialDate").and_then(parse_date),
        }
    }

    fn keeps(&self, receipt: &Receipt) -> bool {
        let listed = |list: &[i64], value: i64| list.is_empty() || list.contains(&value);
        listed(&self.branches, i64::from(receipt.branch))
            && listed(&self.employees, receipt.employee_number)
            && (self.relations.is_empty()
                || receipt
                    .relation
                    .as_ref()
                    .is_some_and(|(number, _)| self.relations.contains(number)))
            && (self.articles.is_empty() || receipt.lines.iter().any(|l| self.articles.contains(&l.article_number)))
            && (self.ids.is_empty() || self.ids.contains(&receipt.receipt_id))
            && self.from.is_none_or(|from| receipt.financial_date >= from)
            && self.through.is_none_or(|through| receipt.financial_date <= through)
    }
}

pub fn get_receipts(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let page = Page::from_marker(Some(request));
    let filter = ReceiptFilter::read(request);
    // Like orders, lines only when asked for.
    let include_lines = request.flag_of("includeLineList").unwrap_or(false);
    let receipts = page.select(&store.receipts.by_marker, |receipt| filter.keeps(receipt));
    Ok(Element::new("GetReceiptsResponse")
        .with(Element::new("receiptList").with_all(receipts.iter().map(|r| r.to_xml(include_lines)))))
}

/// The receipts of one cash count, with their lines; NOT-FOUND for an id that is no cash count of the shop
/// (or one without receipts).
pub fn get_receipts_by_cash_count(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let id = operation
        .child("request")
        .and_then(|request| request.text_of("cashCountId"))
        .ok_or_else(|| SoapFault::missing("cashCountId"))?
        .trim();
    let receipts: Vec<&Receipt> = store
        .receipts
        .by_marker
        .values()
        .filter(|receipt| receipt.cash_count_id == id)
        .collect();
    let result = if receipts.is_empty() {
        "GET-RECEIPTS-BY-CASH-COUNT-RESULT-NOT-FOUND"
    } else {
        "GET-RECEIPTS-BY-CASH-COUNT-RESULT-OK"
    };
    Ok(Element::new("GetReceiptsByCashCountResponse")
        .with_leaf("result", result)
        .with(Element::new("receiptList").with_all(receipts.iter().map(|r| r.to_xml(true)))))
}

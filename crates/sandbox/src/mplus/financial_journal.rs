//! The till's financial journal (`getFinancialJournal`, `getFinancialJournalByCashCount`): per financial day
//! and branch, the turnover per turnover group (with its VAT per code), the payments per method, the cash
//! movements and what is still open, derived from the receipt book so it always agrees with `getReceipts`.
//!
//! Per day and branch the groups balance to the cent:
//! turnover incl + cash inflow == payments + cash outflow + suspense.
//! The suspense (the "Op rekening" payment method's account) holds what a partly paid receipt still owes on
//! its day, and releases it (negative) on the day a later payment settles it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::model::{PaymentMethodType, Receipt, ReceiptState, ReceiptType, date_xml, parse_date};
use super::seed::Shop;
use super::soap::SoapFault;
use super::state::{Store, now};
use super::xml::Element;

/// The sandbox's own ledger accounts for cash put into and taken out of the drawer (MplusKASSA lets the
/// shop choose them; the seed has no such setting).
const CASH_INFLOW: (&str, i32) = ("Kassa ingave", 1100);
const CASH_OUTFLOW: (&str, i32) = ("Kassa uitgave", 1110);

/// What a group is; the order of the variants is the order of the groups within a day and branch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// By turnover group number.
    Turnover(i32),
    /// By payment method code.
    Payment(String),
    Suspense,
    CashInflow,
    CashOutflow,
}

impl Kind {
    fn wire(&self) -> &'static str {
        match self {
            Kind::Turnover(_) => "FINANCIAL-GROUP-TYPE-TURNOVER",
            Kind::Payment(_) => "FINANCIAL-GROUP-TYPE-PAYMENT",
            Kind::Suspense => "FINANCIAL-GROUP-TYPE-SUSPENSE-ACCOUNT",
            Kind::CashInflow => "FINANCIAL-GROUP-TYPE-CASH-INFLOW",
            Kind::CashOutflow => "FINANCIAL-GROUP-TYPE-CASH-OUTFLOW",
        }
    }
}

/// One group's totals (cents).
#[derive(Debug, Clone, Default)]
struct Group {
    name: String,
    account_number: i32,
    incl: i64,
    excl: i64,
    /// (country, VAT code) → (percentage, excl, VAT).
    vat: BTreeMap<(String, i32), (i32, i64, i64)>,
    workplaces: BTreeSet<i32>,
}

impl Group {
    fn add(&mut self, incl: i64, excl: i64, workplace: i32) {
        self.incl += incl;
        self.excl += excl;
        self.workplaces.insert(workplace);
    }
}

/// The groups of a journal, by (financial day, branch, kind).
#[derive(Debug, Default)]
struct Journal {
    groups: BTreeMap<(NaiveDate, i32, Kind), Group>,
}

impl Journal {
    fn group(&mut self, day: NaiveDate, branch: i32, kind: Kind, name: &str, account_number: i32) -> &mut Group {
        self.groups.entry((day, branch, kind)).or_insert_with(|| Group {
            name: name.to_owned(),
            account_number,
            ..Group::default()
        })
    }

    /// Adds one receipt: what it books on its own financial day, and its payments on theirs. Parked receipts
    /// are not in the journal until they are (partly) paid.
    fn add(&mut self, shop: &Shop, receipt: &Receipt, days: &impl Fn(NaiveDate) -> bool) {
        if matches!(
            receipt.state,
            ReceiptState::Outstanding | ReceiptState::OutstandingCredit
        ) {
            return;
        }
        let (day, branch, workplace) = (receipt.financial_date, receipt.branch, receipt.workplace);
        // What the receipt charges on its day, to be met by payments (a credit receipt's lines are negative).
        let mut charged = 0;
        if days(day) {
            match receipt.receipt_type {
                ReceiptType::CashInflow | ReceiptType::CashOutflow => {
                    // A cash movement has no lines: its amount is its (cash) payment, positive in, negative out.
                    charged = receipt.paid_amount();
                    let (kind, (name, account), amount) = if receipt.receipt_type == ReceiptType::CashInflow {
                        (Kind::CashInflow, CASH_INFLOW, charged)
                    } else {
                        (Kind::CashOutflow, CASH_OUTFLOW, -charged)
                    };
                    self.group(day, branch, kind, name, account)
                        .add(amount, amount, workplace);
                }
                _ => {
                    for line in &receipt.lines {
                        let amounts = line.amounts();
                        charged += amounts.total_incl;
                        let kind = Kind::Turnover(line.turnover_group);
                        let group = self.group(
                            day,
                            branch,
                            kind,
                            &line.turnover_group_name,
                            line.turnover_group_account,
                        );
                        group.add(amounts.total_incl, amounts.total_excl, workplace);
                        let vat = group
                            .vat
                            .entry((receipt.vat_country_iso3.clone(), line.vat_code))
                            .or_insert((line.vat_percentage, 0, 0));
                        vat.1 += amounts.total_excl;
                        vat.2 += amounts.total_incl - amounts.total_excl;
                    }
                }
            }
        }
        let mut paid_that_day = 0;
        for payment in receipt.payments.iter().filter(|p| days(p.financial_date)) {
            let kind = Kind::Payment(payment.method.clone());
            let group = self.group(
                payment.financial_date,
                branch,
                kind,
                &payment.description,
                payment.account_number,
            );
            group.add(payment.amount, payment.amount, workplace);
            if payment.financial_date == day {
                paid_that_day += payment.amount;
            } else {
                // A later payment settles what was left open on the receipt's day.
                self.suspense(shop, payment.financial_date, branch, workplace, -payment.amount);
            }
        }
        if days(day) && charged != paid_that_day {
            self.suspense(shop, day, branch, workplace, charged - paid_that_day);
        }
    }

    fn suspense(&mut self, shop: &Shop, day: NaiveDate, branch: i32, workplace: i32, amount: i64) {
        let method = shop
            .payment_methods
            .iter()
            .find(|m| m.kind == PaymentMethodType::Suspense)
            .expect("the shop has a suspense payment method");
        self.group(day, branch, Kind::Suspense, &method.description, method.account_number)
            .add(amount, amount, workplace);
    }

    fn to_xml(&self, shop: &Shop, today: NaiveDate) -> impl Iterator<Item = Element> {
        self.groups
            .iter()
            // A suspense that nets to zero on a day is no group.
            .filter(|((_, _, kind), group)| *kind != Kind::Suspense || group.incl != 0)
            .map(move |((day, branch, kind), group)| {
                let (number, id) = match kind {
                    Kind::Turnover(number) => (Some(*number), None),
                    Kind::Payment(code) => (None, Some(code.as_str())),
                    _ => (None, None),
                };
                let vat = Element::new("vatGroupList").with_all(group.vat.iter().map(
                    |((country, code), (percentage, excl, vat))| {
                        let account = shop
                            .vat_groups
                            .iter()
                            .find(|g| g.country_iso3 == *country && g.vat_code == *code)
                            .map(|g| g.account_number);
                        Element::new("vatGroup")
                            .with_leaf("branchNumber", branch)
                            .with_leaf("countryIso3", country)
                            .with_leaf("vatCode", code)
                            .with_leaf("vatPercentage", percentage)
                            .with_leaf("exclAmount", excl)
                            .with_leaf("vatAmount", vat)
                            .with_opt("accountNumber", account)
                    },
                ));
                let ext_branch_id = shop.branches.iter().find(|b| b.number == *branch).map(|b| b.ext_id());
                Element::new("financialGroup")
                    .with_leaf("financialGroupType", kind.wire())
                    .with_leaf("financialGroupSource", "FINANCIAL-GROUP-SOURCE-RECEIPT")
                    .with_opt("financialGroupNumber", number)
                    .with_opt("financialGroupId", id)
                    .with_leaf("financialGroupName", &group.name)
                    .with_leaf("accountNumber", group.account_number)
                    .with_leaf("branchNumber", branch)
                    .with_opt("extBranchId", ext_branch_id)
                    .with_all(group.workplaces.iter().map(|w| Element::leaf("workplaceNumbers", w)))
                    .with(date_xml("fromFinancialDate", *day))
                    .with(date_xml("throughFinancialDate", *day))
                    .with_leaf("financialPeriodClosed", *day < today)
                    .with_leaf("inclAmount", group.incl)
                    .with_leaf("exclAmount", group.excl)
                    .with_opt_child((!group.vat.is_empty()).then_some(vat))
            })
    }
}

/// A day is closed once it is over on the shop's clock; today's journal is still open.
fn response(shop: &Shop, journal: &Journal, closed: bool, today: NaiveDate) -> Element {
    Element::new("GetFinancialJournalResponse")
        .with(Element::new("financialGroupList").with_all(journal.to_xml(shop, today)))
        .with_leaf("financialPeriodClosed", closed)
}

/// `getFinancialJournal`: every branch, the financial days `from` through `through`.
pub fn get_financial_journal(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let date = |name: &str| {
        request
            .child(name)
            .and_then(parse_date)
            .ok_or_else(|| SoapFault::missing(name))
    };
    let (from, through) = (date("fromFinancialDate")?, date("throughFinancialDate")?);
    let days = |day: NaiveDate| from <= day && day <= through;
    let mut journal = Journal::default();
    for receipt in store.receipts.iter() {
        journal.add(&store.shop, receipt, &days);
    }
    let today = now().date();
    Ok(response(&store.shop, &journal, through < today, today))
}

/// `getFinancialJournalByCashCount`: the journal of one drawer's day (the receipts of that cash count). An id
/// that is no cash count of the shop answers an empty journal, as the WSDL has no result code for it.
pub fn get_financial_journal_by_cash_count(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let id = operation
        .child("request")
        .and_then(|request| request.text_of("cashCountId"))
        .ok_or_else(|| SoapFault::missing("cashCountId"))?
        .trim();
    let day = store.shop.cash_count_of_id(id).map(|(_, _, day)| day);
    let days = |date: NaiveDate| Some(date) == day;
    let mut journal = Journal::default();
    for receipt in store.receipts.iter().filter(|r| r.cash_count_id == id) {
        journal.add(&store.shop, receipt, &days);
    }
    let today = now().date();
    Ok(response(&store.shop, &journal, day.is_some_and(|d| d < today), today))
}

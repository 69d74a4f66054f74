//! Till receipts: counter sales at the physical branches (never the webshop), each a pure function of
//! (seed, index) like the orders, generated eagerly because they are few (half the number of orders, 20 to
//! 5,000). Lines carry the branch's VAT as the orders' lines do; payments add up to the cent (pin, cash,
//! sometimes part by gift card). Most are paid; some are parked (outstanding) or partly paid, and some are
//! cash movements without lines. One in four names a relation; the others are anonymous.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rand::RngExt;
use rand::seq::IndexedRandom;

use super::catalog::WEBSHOP_BRANCH;
use super::orders::{derived_id, index_of_derived_id, seed_horizon};
use super::{Shop, rng_for};
use crate::mplus::model::{Receipt, ReceiptState, ReceiptType, VatMethod};

const RECEIPT_DOMAIN: u64 = 4;
const RECEIPT_ID_SALT: u64 = 0x0e0e_1e1e_0000;
const CASH_COUNT_ID_SALT: u64 = 0x0cc0_c0c0_0000;
/// Receipt line ids are derived like order line ids, from an index no order reaches.
const RECEIPT_LINE_INDEX: u64 = 1 << 40;

/// The seeded receipts lie within this many days before the seed's horizon.
const RECEIPT_DAYS: i64 = 120;

/// The first financial day the seeded till can have a receipt on (the demo's financial journal starts there).
pub fn first_receipt_day() -> NaiveDate {
    (seed_horizon() - Duration::days(RECEIPT_DAYS)).date()
}

/// How many receipts a shop with `orders` orders has.
pub fn receipt_count(orders: u64) -> u64 {
    (orders / 2).clamp(20, 5_000)
}

impl Shop {
    /// The id of the cash count (one per branch, workplace and financial day) that closes a drawer's day.
    pub fn cash_count_id(&self, branch: i32, workplace: i32, date: NaiveDate) -> String {
        let day = u64::try_from(date.num_days_from_ce()).unwrap_or_default();
        let key =
            day * 1_000 + u64::try_from(branch).unwrap_or_default() * 10 + u64::try_from(workplace).unwrap_or_default();
        derived_id(self.salted(CASH_COUNT_ID_SALT), key)
    }

    /// The (branch, workplace, financial day) of a cash count id, if it is one of this shop's.
    pub fn cash_count_of_id(&self, id: &str) -> Option<(i32, i32, NaiveDate)> {
        let key = index_of_derived_id(self.salted(CASH_COUNT_ID_SALT), id)?;
        let date = NaiveDate::from_num_days_from_ce_opt(i32::try_from(key / 1_000).ok()?)?;
        Some((((key % 1_000) / 10) as i32, (key % 10) as i32, date))
    }

    /// The seeded receipts, ascending by sync marker (from 1) and time.
    pub(super) fn seeded_receipts(&self) -> Vec<Receipt> {
        let count = receipt_count(self.order_count());
        let span = (count as i64 * 3_600).min(RECEIPT_DAYS * 86_400);
        let slot = (span / count as i64).max(1);
        let start = seed_horizon() - Duration::seconds(span);
        let mut numbers: HashMap<(i32, i32, i32), i64> = HashMap::new();
        (0..count)
            .map(|index| {
                let mut rng = rng_for(self.seed, RECEIPT_DOMAIN, index);
                let at = start + Duration::seconds(slot * index as i64 + rng.random_range(0..slot));
                let mut receipt = self.receipt(&mut rng, index, at);
                let number = numbers
                    .entry((receipt.branch, receipt.workplace, receipt.financial_date.year()))
                    .or_default();
                *number += 1;
                receipt.receipt_number = *number;
                receipt
            })
            .collect()
    }

    fn receipt(&self, rng: &mut rand_chacha::ChaCha8Rng, index: u64, entered_at: NaiveDateTime) -> Receipt {
        let branches: Vec<_> = self.branches.iter().filter(|b| b.number != WEBSHOP_BRANCH).collect();
        let branch = *branches.choose(rng).expect("the shop has branches");
        let workplace = rng.random_range(1..=branch.workplaces.len() as i32);
        let employees: Vec<_> = self.employees.iter().filter(|e| e.active).collect();
        let employee = *employees.choose(rng).expect("the shop has employees");
        let (receipt_type, state) = match rng.random_range(0..100) {
            0..86 => (ReceiptType::Receipt, ReceiptState::Paid),
            86..91 => (ReceiptType::Receipt, ReceiptState::Outstanding),
            91..94 => (ReceiptType::Receipt, ReceiptState::PartlyPaid),
            94..97 => (ReceiptType::CashInflow, ReceiptState::Handled),
            _ => (ReceiptType::CashOutflow, ReceiptState::Handled),
        };
        let relation = rng
            .random_ratio(1, 4)
            .then(|| self.relations.choose(rng).expect("the shop has relations"))
            .map(|r| (r.number, r.name.clone()));
        let financial_date = entered_at.date();
        let payment = |code: &str, amount: i64| self.payment(code, amount, financial_date);
        let mut lines = Vec::new();
        let mut payments = Vec::new();
        if receipt_type == ReceiptType::Receipt {
            lines = self.order_lines(
                rng,
                RECEIPT_LINE_INDEX + index,
                &branch.country_iso3,
                false,
                false,
                false,
            );
            let total: i64 = lines.iter().map(|l| l.amounts().total_incl).sum();
            let main = *["PIN", "PIN", "CONTANT"].choose(rng).expect("methods");
            payments = match state {
                ReceiptState::Paid if total > 2_000 && rng.random_ratio(1, 6) => {
                    vec![payment("CADEAUBON", 1_000), payment(main, total - 1_000)]
                }
                ReceiptState::Paid => vec![payment(main, total)],
                ReceiptState::PartlyPaid => vec![payment(main, (total / 2).max(1))],
                _ => Vec::new(),
            };
        } else {
            let amount = rng.random_range(10..200) * 500;
            let signed = if receipt_type == ReceiptType::CashInflow {
                amount
            } else {
                -amount
            };
            payments.push(payment("CONTANT", signed));
        }
        Receipt {
            receipt_id: derived_id(self.salted(RECEIPT_ID_SALT), index),
            sync_marker: index as i64 + 1,
            receipt_number: 0,
            receipt_type,
            state,
            branch: branch.number,
            workplace,
            employee_number: employee.number,
            employee_name: employee.name.clone(),
            entered_at,
            financial_date,
            relation,
            vat_method: VatMethod::Inclusive,
            vat_country_iso3: branch.country_iso3.clone(),
            lines,
            payments,
            cash_count_id: self.cash_count_id(branch.number, workplace, financial_date),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::generate;
    use super::*;

    #[test]
    fn receipts_are_deterministic_numbered_and_add_up() {
        let (a, b) = (generate(7, 200), generate(7, 200));
        assert_eq!(a.receipts, b.receipts);
        assert_ne!(generate(8, 200).receipts, a.receipts);
        assert_eq!(a.receipts.len() as u64, receipt_count(200));
        let paid: Vec<_> = a
            .receipts
            .iter()
            .filter(|r| r.receipt_type == ReceiptType::Receipt && r.state == ReceiptState::Paid)
            .collect();
        assert!(paid.len() > 60, "most receipts are paid sales");
        assert!(paid.iter().any(|r| r.relation.is_some()) && paid.iter().any(|r| r.relation.is_none()));
        for receipt in &paid {
            assert_eq!(receipt.paid_amount(), receipt.totals().incl, "{}", receipt.receipt_id);
            assert_ne!(receipt.branch, WEBSHOP_BRANCH);
        }
        assert!(a.receipts.iter().any(|r| r.state == ReceiptState::Outstanding));
        assert!(a.receipts.iter().any(|r| r.receipt_type == ReceiptType::CashOutflow));
        let mut seen = std::collections::HashSet::new();
        for receipt in &a.receipts {
            let key = (
                receipt.branch,
                receipt.workplace,
                receipt.financial_date.year(),
                receipt.receipt_number,
            );
            assert!(seen.insert(key), "receipt numbers are unique per workplace and year");
            assert_eq!(
                a.cash_count_of_id(&receipt.cash_count_id),
                Some((receipt.branch, receipt.workplace, receipt.financial_date))
            );
        }
        let markers: Vec<i64> = a.receipts.iter().map(|r| r.sync_marker).collect();
        assert!(markers.windows(2).all(|w| w[0] < w[1]) && markers[0] == 1);
    }
}

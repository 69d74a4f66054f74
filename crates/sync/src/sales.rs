//! A booked sale held against the till: the till's totals (what the accountant reconciles the books with), what
//! AFAS booked when read back, and the check between the two, which never lets a difference pass silently.
//!
//! The till's VAT per rate is computed as the till prints it on the receipt: per rate over the sale's lines and
//! shipping (VAT taken out of the rate's total incl. VAT, or added to the total excl. VAT), rounded half away
//! from zero. A reverse-charged sale has no VAT. AFAS's `Profit_Salesorders` shows a booked order's total incl.
//! VAT (`InvoiceTotal`) and its VAT in total (`VAT`), so the check compares the total and the VAT sum.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{SourceOrder, VatMethod};
use crate::money::round_cents;

/// The till's side of a sale: its number, day, total incl. VAT and VAT per rate (`"21"` → amount).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillTotals {
    pub number: String,
    pub date: NaiveDate,
    pub total_incl: Decimal,
    pub vat_by_rate: BTreeMap<String, Decimal>,
}

impl TillTotals {
    pub fn of(order: &SourceOrder) -> Self {
        let mut by_rate: BTreeMap<Decimal, Decimal> = BTreeMap::new();
        if !order.vat_shifted {
            for line in &order.lines {
                *by_rate.entry(line.vat_percentage).or_default() += line.line_total;
            }
            if let Some(shipping) = &order.shipping {
                *by_rate.entry(shipping.vat_percentage).or_default() += shipping.cost;
            }
        }
        let vat_by_rate = by_rate
            .into_iter()
            .filter(|(rate, _)| !rate.is_zero())
            .map(|(rate, amount)| {
                let vat = match order.vat_method {
                    VatMethod::Including => amount * rate / (Decimal::ONE_HUNDRED + rate),
                    VatMethod::Excluding => amount * rate / Decimal::ONE_HUNDRED,
                };
                (rate.normalize().to_string(), round_cents(vat))
            })
            .collect();
        Self {
            number: order.number.clone(),
            date: order.date,
            total_incl: order.total_incl_vat,
            vat_by_rate,
        }
    }

    pub fn vat(&self) -> Decimal {
        self.vat_by_rate.values().sum()
    }

    /// The totals as the store keeps them: the day as `YYYY-MM-DD`, exact decimals as text, the VAT as JSON.
    pub fn from_stored(number: String, date: &str, total_incl: &str, vat_by_rate: &str) -> Result<Self, String> {
        Ok(Self {
            number,
            date: date.parse().map_err(|e| format!("a stored sale's day {date:?}: {e}"))?,
            total_incl: total_incl
                .parse()
                .map_err(|e| format!("a stored sale's total {total_incl:?}: {e}"))?,
            vat_by_rate: serde_json::from_str(vat_by_rate).map_err(|e| format!("a stored sale's VAT: {e}"))?,
        })
    }
}

/// What AFAS holds of a booked sale: its total incl. VAT and, where the GetConnector shows it, its VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedTotals {
    pub total_incl: Decimal,
    pub vat: Option<Decimal>,
}

/// A sale booked (or found) in AFAS whose totals have not been read back yet.
#[derive(Debug, Clone, PartialEq)]
pub struct UncheckedSale {
    pub source_id: String,
    /// The AFAS document number.
    pub target_id: String,
    pub till: TillTotals,
}

/// The outcome of reading one sale back: what AFAS holds (`None`: AFAS no longer has it) and, when the two
/// differ, a warning in plain words.
#[derive(Debug, Clone, PartialEq)]
pub struct SaleCheck {
    pub source_id: String,
    pub booked: Option<BookedTotals>,
    pub warning: Option<String>,
}

impl SaleCheck {
    /// Compares what AFAS booked under `target_id` with the till.
    pub fn of(sale: &UncheckedSale, booked: Option<BookedTotals>) -> Self {
        let warning = match booked {
            None => Some(format!("booked as {}, but AFAS no longer has it", sale.target_id)),
            Some(booked) => {
                let mut differences = Vec::new();
                let total = booked.total_incl - sale.till.total_incl;
                if !total.is_zero() {
                    differences.push(format!(
                        "total differs by {} (AFAS {}, till {})",
                        euro(total.abs()),
                        euro(booked.total_incl),
                        euro(sale.till.total_incl)
                    ));
                }
                if let Some(vat) = booked.vat.filter(|vat| *vat != sale.till.vat()) {
                    differences.push(format!(
                        "VAT differs by {} (AFAS {}, till {})",
                        euro((vat - sale.till.vat()).abs()),
                        euro(vat),
                        euro(sale.till.vat())
                    ));
                }
                (!differences.is_empty()).then(|| format!("booked, {}", differences.join("; ")))
            }
        };
        Self {
            source_id: sale.source_id.clone(),
            booked,
            warning,
        }
    }
}

/// A sale as the reconciliation sees it: the till's side and the last read-back of AFAS's.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldSale {
    pub till: TillTotals,
    /// The AFAS document number; `None` when booking it failed.
    pub target_id: Option<String>,
    /// Whether AFAS has been read back since it was booked.
    pub checked: bool,
    /// What AFAS held when read back (`None`: not read back yet, or AFAS no longer has it).
    pub booked: Option<BookedTotals>,
    pub warning: Option<String>,
}

/// One day of the till held against the books (`GET /api/v1/reconciliation`). Money is exact (JSON strings).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReconciledDay {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Sales the till made that day which Koppel books (filtered-out ones, e.g. unpaid, are not counted).
    pub till_orders: u64,
    #[schema(value_type = String)]
    pub till_total_incl: Decimal,
    /// VAT rate (`"21"`) → VAT, as the till computes it per rate.
    #[schema(value_type = BTreeMap<String, String>)]
    pub till_vat_by_rate: BTreeMap<String, Decimal>,
    /// Sales AFAS holds, as read back.
    pub booked_orders: u64,
    #[schema(value_type = String)]
    pub booked_total_incl: Decimal,
    /// AFAS's VAT by rate: `Profit_Salesorders` shows an order's VAT in total, so a sale with one rate adds its
    /// VAT under that rate and a sale with several under `"mixed"`.
    #[schema(value_type = BTreeMap<String, String>)]
    pub booked_vat_by_rate: BTreeMap<String, Decimal>,
    /// `booked_total_incl − till_total_incl`: zero when the books hold the day's till to the cent.
    #[schema(value_type = String)]
    pub difference: Decimal,
    /// Till numbers of sales AFAS does not hold (booking failed, or deleted in AFAS since).
    pub missing: Vec<String>,
    /// Till numbers of sales AFAS holds with another total or VAT.
    pub differing: Vec<String>,
    /// Till numbers of sales booked but not read back yet (their run's check is still to come).
    pub unchecked: Vec<String>,
}

/// Every day from `from` to `to` (both included) with its sales, days without sales included.
pub fn reconcile(from: NaiveDate, to: NaiveDate, sales: &[HeldSale]) -> Vec<ReconciledDay> {
    let mut days: BTreeMap<NaiveDate, ReconciledDay> = from
        .iter_days()
        .take_while(|day| *day <= to)
        .map(|date| (date, ReconciledDay::empty(date)))
        .collect();
    for sale in sales {
        let Some(day) = days.get_mut(&sale.till.date) else {
            continue;
        };
        let number = sale.till.number.clone();
        day.till_orders += 1;
        day.till_total_incl += sale.till.total_incl;
        for (rate, vat) in &sale.till.vat_by_rate {
            *day.till_vat_by_rate.entry(rate.clone()).or_default() += vat;
        }
        match (&sale.target_id, sale.checked, sale.booked) {
            (None, _, _) | (Some(_), true, None) => day.missing.push(number),
            (Some(_), false, _) => day.unchecked.push(number),
            (Some(_), true, Some(booked)) => {
                day.booked_orders += 1;
                day.booked_total_incl += booked.total_incl;
                if let Some(vat) = booked.vat {
                    let rates: Vec<&String> = sale.till.vat_by_rate.keys().collect();
                    let rate = match rates.as_slice() {
                        [] => "0".to_owned(),
                        [one] => (*one).clone(),
                        _ => "mixed".to_owned(),
                    };
                    *day.booked_vat_by_rate.entry(rate).or_default() += vat;
                }
                if sale.warning.is_some() {
                    day.differing.push(number);
                }
            }
        }
    }
    days.into_values()
        .map(|mut day| {
            day.difference = day.booked_total_incl - day.till_total_incl;
            day
        })
        .collect()
}

impl ReconciledDay {
    fn empty(date: NaiveDate) -> Self {
        Self {
            date,
            till_orders: 0,
            till_total_incl: Decimal::ZERO,
            till_vat_by_rate: BTreeMap::new(),
            booked_orders: 0,
            booked_total_incl: Decimal::ZERO,
            booked_vat_by_rate: BTreeMap::new(),
            difference: Decimal::ZERO,
            missing: Vec::new(),
            differing: Vec::new(),
            unchecked: Vec::new(),
        }
    }
}

/// `€0.01`, `-€1.50`: an amount in a warning (the pages show money the Dutch way; a warning is plain text that
/// also lands in exports and alerts).
fn euro(amount: Decimal) -> String {
    let sign = if amount.is_sign_negative() { "-" } else { "" };
    format!("{sign}€{:.2}", amount.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn till(total: &str, vat: &str) -> UncheckedSale {
        UncheckedSale {
            source_id: "o-1".into(),
            target_id: "5001".into(),
            till: TillTotals {
                number: "2026-000001".into(),
                date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
                total_incl: total.parse().unwrap(),
                vat_by_rate: BTreeMap::from([("21".into(), vat.parse().unwrap())]),
            },
        }
    }

    fn booked(total: &str, vat: Option<&str>) -> Option<BookedTotals> {
        Some(BookedTotals {
            total_incl: total.parse().unwrap(),
            vat: vat.map(|v| v.parse().unwrap()),
        })
    }

    fn held(number: &str, day: u32, total: &str, target: Option<&str>, booked: Option<&str>) -> HeldSale {
        HeldSale {
            till: TillTotals {
                number: number.into(),
                date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
                total_incl: total.parse().unwrap(),
                vat_by_rate: BTreeMap::from([("21".into(), "1.00".parse().unwrap())]),
            },
            target_id: target.map(Into::into),
            checked: booked.is_some() || target == Some("gone"),
            booked: booked.map(|b| BookedTotals {
                total_incl: b.parse().unwrap(),
                vat: Some("1.00".parse().unwrap()),
            }),
            warning: booked.filter(|b| *b != total).map(|_| "booked, total differs".into()),
        }
    }

    #[test]
    fn a_day_sums_the_till_and_the_books_and_names_what_differs() {
        let sales = [
            held("A1", 2, "10.00", Some("5001"), Some("10.00")),
            held("A2", 2, "20.00", Some("5002"), Some("19.99")),
            held("A3", 2, "5.00", None, None),
            held("A4", 2, "7.00", Some("gone"), None),
            held("A5", 3, "1.00", Some("5005"), None),
            held("B1", 9, "1.00", Some("5009"), Some("1.00")),
        ];
        let from = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let days = reconcile(from, NaiveDate::from_ymd_opt(2026, 11, 4).unwrap(), &sales);
        assert_eq!(days.len(), 3, "every day of the range, also without sales");
        let second = &days[0];
        assert_eq!(second.till_orders, 4);
        assert_eq!(second.till_total_incl.to_string(), "42.00");
        assert_eq!(second.till_vat_by_rate["21"].to_string(), "4.00");
        assert_eq!(second.booked_orders, 2);
        assert_eq!(second.booked_total_incl.to_string(), "29.99");
        assert_eq!(second.booked_vat_by_rate["21"].to_string(), "2.00");
        assert_eq!(second.difference.to_string(), "-12.01");
        assert_eq!(second.missing, ["A3", "A4"]);
        assert_eq!(second.differing, ["A2"]);
        assert_eq!(days[1].unchecked, ["A5"]);
        assert_eq!(days[2].till_orders, 0);
        assert!(days[2].difference.is_zero());
    }

    #[test]
    fn equal_totals_pass_and_a_cent_is_a_warning() {
        let sale = till("455.46", "79.05");
        assert_eq!(SaleCheck::of(&sale, booked("455.46", Some("79.05"))).warning, None);
        assert_eq!(SaleCheck::of(&sale, booked("455.46", None)).warning, None);
        assert_eq!(
            SaleCheck::of(&sale, booked("455.45", Some("79.05"))).warning.unwrap(),
            "booked, total differs by €0.01 (AFAS €455.45, till €455.46)"
        );
        assert_eq!(
            SaleCheck::of(&sale, booked("455.46", Some("79.06"))).warning.unwrap(),
            "booked, VAT differs by €0.01 (AFAS €79.06, till €79.05)"
        );
        assert_eq!(
            SaleCheck::of(&sale, None).warning.unwrap(),
            "booked as 5001, but AFAS no longer has it"
        );
    }
}

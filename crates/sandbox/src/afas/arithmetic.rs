//! AFAS's arithmetic for a sales document, in exact decimals: what a line books and how the document's VAT and
//! totals come out (see docs/sandbox.md "AFAS's arithmetic" for the sources).

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};

use super::fields::{decimal, flag, text};
use super::store::{Fields, SalesDocument, Store};

/// The amounts of one document line, exact, in the document's price terms (incl. VAT when the header says
/// `InVa`). A line books `round2(QuUn × Upri − discount)`, the discount being `ARDc` or `PRDc`% of the gross.
pub struct LineAmounts {
    pub quantity: Decimal,
    pub price: Decimal,
    pub gross: Decimal,
    pub discount: Decimal,
    /// What the line books: `round2(gross − discount)`.
    pub amount: Decimal,
    pub percentage: Decimal,
    pub vat_code: Option<String>,
    pub prices_include_vat: bool,
}

impl LineAmounts {
    /// The line's amount excluding VAT, as a line row shows it (the document's VAT is computed per VAT code over
    /// the whole document, see [`DocumentTotals`]).
    pub fn excl_vat(&self) -> Decimal {
        if self.prices_include_vat {
            cents(self.amount * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + self.percentage))
        } else {
            self.amount
        }
    }
}

pub fn line_amounts(store: &Store, document: &SalesDocument, line: &Fields) -> LineAmounts {
    let quantity = decimal(line, "QuUn").unwrap_or_default();
    let article = text(line, "ItCd").and_then(|code| store.articles.get(code));
    let price = decimal(line, "Upri")
        .or_else(|| article.and_then(|a| decimal(&a.fields, "SaPrice")))
        .unwrap_or_default();
    let vat_code = text(line, "VaRc")
        .or_else(|| article.and_then(|a| text(&a.fields, "VaRc")))
        .map(str::to_owned);
    let percentage = vat_code
        .as_ref()
        .and_then(|code| store.reference.vat_codes.get(code))
        .map_or(Decimal::ZERO, |vat| vat.percentage);
    let gross = quantity * price;
    let discount = decimal(line, "ARDc")
        .unwrap_or_else(|| gross * decimal(line, "PRDc").unwrap_or_default() / Decimal::ONE_HUNDRED);
    LineAmounts {
        quantity,
        price,
        gross: cents(gross),
        discount: cents(discount),
        amount: cents(gross - discount),
        percentage,
        vat_code,
        prices_include_vat: flag(&document.fields, "InVa"),
    }
}

/// A document's totals as the sandbox's AFAS computes them: VAT per VAT code over the document's lines of that
/// code, rounded half up to the cent (the Belastingdienst's "totaalbedrag" method, the one UBL e-invoices use),
/// never per line. With prices incl. VAT (`InVa`) the lines' amounts are the total incl. VAT of their code and
/// the VAT is taken out of it, so the invoice total is exactly what the lines add up to; otherwise the VAT is
/// added to the lines' total excl. VAT. See docs/sandbox.md "AFAS's arithmetic".
pub struct DocumentTotals {
    /// `TotalAmount`: excl. VAT.
    pub excl: Decimal,
    /// `VAT`.
    pub vat: Decimal,
}

impl DocumentTotals {
    pub fn of(amounts: &[LineAmounts]) -> Self {
        let mut by_code: BTreeMap<(String, Decimal, bool), Decimal> = BTreeMap::new();
        for line in amounts {
            let key = (
                line.vat_code.clone().unwrap_or_default(),
                line.percentage,
                line.prices_include_vat,
            );
            *by_code.entry(key).or_default() += line.amount;
        }
        let (mut excl, mut vat) = (Decimal::ZERO, Decimal::ZERO);
        for ((_, percentage, includes_vat), amount) in by_code {
            let code_vat = if includes_vat {
                cents(amount * percentage / (Decimal::ONE_HUNDRED + percentage))
            } else {
                cents(amount * percentage / Decimal::ONE_HUNDRED)
            };
            excl += if includes_vat { amount - code_vat } else { amount };
            vat += code_vat;
        }
        Self { excl, vat }
    }

    /// `InvoiceTotal`: incl. VAT.
    pub fn incl(&self) -> Decimal {
        self.excl + self.vat
    }
}

/// Rounded half up (away from zero) to the cent, as the Belastingdienst prescribes for VAT amounts.
pub(super) fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

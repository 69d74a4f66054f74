//! How a sale's VAT is declared: charged at the till under one country's rates, or reverse-charged to a
//! business customer (MplusKASSA's `VAT-METHOD-SHIFTED`) as domestic reverse charge, an intra-EU supply or an
//! export. The basis decides which row of `vat_code_by_country` gives a line's AFAS VAT code.

use crate::country::in_eu;
use crate::model::SourceOrder;
use crate::record::Failure;

/// How a sale's VAT is declared, which decides its VAT codes: charged at the till under one country's rates,
/// or reverse-charged (shifted) to a business customer.
pub enum VatBasis {
    /// Charged under this country's rates (ISO-2): the country MplusKASSA says it charged, else the customer's
    /// delivery country; `None` when neither is known (the tables' default applies).
    Charged(Option<String>),
    /// Reverse-charged: no VAT on the lines, and a VAT code of its own that says why.
    Shifted { case: ShiftedVat, customer_country: String },
}

/// The three ways a business sale without VAT is declared, each its own row in `vat_code_by_country`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftedVat {
    /// To a business in the shop's own country: domestic reverse charge ("btw verlegd").
    Domestic,
    /// To a business in another EU member state: intra-EU supply ("levering binnen de EU", ICP).
    IntraEu,
    /// To a customer outside the EU: export.
    Export,
}

impl ShiftedVat {
    /// The row of `vat_code_by_country` (and, optionally, `revenue_account_by_country`) for this case.
    pub const ALL: [ShiftedVat; 3] = [ShiftedVat::Domestic, ShiftedVat::IntraEu, ShiftedVat::Export];

    pub const fn key(self) -> &'static str {
        match self {
            ShiftedVat::Domestic => "reverse_charge",
            ShiftedVat::IntraEu => "intra_eu",
            ShiftedVat::Export => "export",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            ShiftedVat::Domestic => "domestic reverse charge",
            ShiftedVat::IntraEu => "an intra-EU supply",
            ShiftedVat::Export => "an export outside the EU",
        }
    }
}

impl VatBasis {
    /// The basis of a sale; a reverse-charged sale whose countries are unknown fails (its VAT code cannot be
    /// chosen, and a wrong one is booked as if it were right).
    pub(crate) fn of(order: &SourceOrder, customer_country: Option<String>) -> Result<Self, Failure> {
        if !order.vat_shifted {
            return Ok(VatBasis::Charged(order.vat_country.clone().or(customer_country)));
        }
        let Some(customer_country) = customer_country else {
            return Err(Failure::master_data(
                "this sale's VAT is reverse-charged, but the customer has no address with a country in MplusKASSA, \
                 so Koppel cannot tell an intra-EU supply from domestic reverse charge or an export",
            ));
        };
        let Some(vat_country) = order.vat_country.as_deref() else {
            return Err(Failure::master_data(
                "this sale's VAT is reverse-charged, but MplusKASSA does not say which country's VAT applies \
                 (vatCountryIso3), so Koppel cannot tell an intra-EU supply from domestic reverse charge",
            ));
        };
        let case = if customer_country == vat_country {
            ShiftedVat::Domestic
        } else if in_eu(&customer_country) {
            ShiftedVat::IntraEu
        } else {
            ShiftedVat::Export
        };
        Ok(VatBasis::Shifted { case, customer_country })
    }
}

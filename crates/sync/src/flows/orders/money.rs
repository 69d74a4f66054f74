//! The order's money rules: VAT code and revenue account per VAT rate and country, and the rounding lines
//! for whatever the lines miss of MplusKASSA's total (on the VAT codes that keep each rate's VAT the till's).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::mapping::cost_line;
use crate::model::{SalesLineDraft, SourceOrder, VatMethod};
use crate::money::{RatedLine, afas_document_incl, afas_line_amount, round_cents};
use crate::record::Failure;
use crate::settings::FlowSettings;
use crate::vat::VatBasis;

pub(crate) fn percentage_key(percentage: Decimal) -> String {
    percentage.normalize().to_string()
}

/// VAT code and revenue account for one VAT rate of a sale.
pub(crate) struct LineLedger {
    pub(crate) vat_code: Option<String>,
    pub(crate) revenue_account: Option<String>,
}

impl LineLedger {
    /// A charged rate looks up `NL:21`, then `NL`, then the default; a reverse-charged sale only its own row
    /// (`intra_eu`, `reverse_charge`, `export`): a forced value or a default is not a reverse-charge code, so
    /// without the row the sale fails, naming it.
    pub(crate) fn for_rate(settings: &FlowSettings, basis: &VatBasis, percentage: Decimal) -> Result<Self, Failure> {
        let company = &settings.company;
        match basis {
            VatBasis::Charged(country) => {
                let rate_key = country
                    .as_deref()
                    .map(|c| format!("{c}:{}", percentage_key(percentage)));
                let candidates = [rate_key.as_deref(), country.as_deref()];
                Ok(Self {
                    vat_code: company
                        .vat_code_by_country
                        .resolve_first(&candidates)
                        .map(str::to_owned),
                    revenue_account: company
                        .revenue_account_by_country
                        .resolve_first(&candidates)
                        .map(str::to_owned),
                })
            }
            VatBasis::Shifted { case, customer_country } => {
                let vat_code = company.vat_code_by_country.lookup(case.key()).ok_or_else(|| {
                    Failure::setting(format!(
                        "setting `vat_code_by_country` has no row `{}`: this sale's VAT is reverse-charged ({}), \
                         and only that row's AFAS VAT code books it correctly",
                        case.key(),
                        case.describe()
                    ))
                })?;
                Ok(Self {
                    vat_code: Some(vat_code.to_owned()),
                    revenue_account: company
                        .revenue_account_by_country
                        .resolve_first(&[Some(case.key()), Some(customer_country)])
                        .map(str::to_owned),
                })
            }
        }
    }
}

/// A cash payment is rounded to 5 cents, so it moves the total at most this much; a larger difference is an
/// order-level discount or charge.
const CASH_ROUNDING_LIMIT: Decimal = Decimal::from_parts(2, 0, 0, false, 2);

/// The VAT percentage of each drafted line, in the order `map_order` drafts them: one per source line, then
/// the shipping line when there is one.
fn rated<'a>(order: &SourceOrder, lines: &'a [SalesLineDraft]) -> Vec<RatedLine<'a>> {
    let shipping = order
        .shipping
        .as_ref()
        .filter(|s| !s.cost.is_zero())
        .map(|s| s.vat_percentage);
    let rates = order.lines.iter().map(|l| l.vat_percentage).chain(shipping);
    lines.iter().zip(rates).collect()
}

/// Cost lines for whatever AFAS's total incl. VAT would miss of MplusKASSA's (`totalInclAmount`), so that
/// both the total and the VAT per rate come out as the till's:
///
/// - a difference of at most 2 cents is a cash payment's rounding to 5 cents, outside the VAT: one line on
///   the 0% row (`NL:0`; a reverse-charged sale's own code), so no rate's VAT moves;
/// - a larger one is a discount or charge on the order's total: split over the VAT rates in proportion to
///   each rate's total incl. VAT (the last rate taking what rounding leaves), each part on its rate's code,
///   so each rate's base and VAT shrink as the till's do; a cent AFAS's per-code VAT then still misses goes
///   on the 0% row.
pub(super) fn rounding_lines(
    order: &SourceOrder,
    settings: &FlowSettings,
    lines: &[SalesLineDraft],
    ledger: &impl Fn(Decimal) -> Result<LineLedger, Failure>,
) -> Result<Vec<SalesLineDraft>, Failure> {
    let includes_vat = order.vat_method == VatMethod::Including;
    let booked = afas_document_incl(&rated(order, lines), includes_vat);
    let difference = order.total_incl_vat - booked;
    if difference.is_zero() {
        return Ok(Vec::new());
    }
    let item = settings.rounding_cost_item.clone().ok_or_else(|| {
        Failure::missing_setting(
            "rounding_cost_item",
            &format!("the lines differ {difference} from MplusKASSA's total"),
        )
    })?;
    let mut extra: Vec<(SalesLineDraft, Decimal)> = Vec::new();
    if difference.abs() > CASH_ROUNDING_LIMIT {
        let mut per_rate: BTreeMap<Decimal, Decimal> = BTreeMap::new();
        for (line, percentage) in rated(order, lines) {
            let amount = afas_line_amount(line);
            let incl = if includes_vat {
                amount
            } else {
                amount * (Decimal::ONE_HUNDRED + percentage) / Decimal::ONE_HUNDRED
            };
            *per_rate.entry(percentage.normalize()).or_default() += incl;
        }
        let base: Decimal = per_rate.values().sum();
        if !base.is_zero() {
            let mut left = difference;
            let count = per_rate.len();
            for (n, (percentage, total)) in per_rate.into_iter().enumerate() {
                let share = if n + 1 == count {
                    left
                } else {
                    round_cents(difference * total / base)
                };
                left -= share;
                let amount = if includes_vat {
                    share
                } else {
                    round_cents(share * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + percentage))
                };
                if !amount.is_zero() {
                    extra.push((
                        cost_line(item.clone(), "Afrondingsverschil", amount, ledger(percentage)?),
                        percentage,
                    ));
                }
            }
        }
    }
    let mut all: Vec<RatedLine<'_>> = rated(order, lines);
    all.extend(extra.iter().map(|(line, percentage)| (line, *percentage)));
    let remainder = order.total_incl_vat - afas_document_incl(&all, includes_vat);
    let mut out: Vec<SalesLineDraft> = extra.into_iter().map(|(line, _)| line).collect();
    if !remainder.is_zero() {
        out.push(cost_line(item, "Afrondingsverschil", remainder, ledger(Decimal::ZERO)?));
    }
    Ok(out)
}

//! The order's money rules: VAT code and revenue account per VAT rate and country, and the rounding line
//! for whatever the lines miss of MplusKASSA's total.

use rust_decimal::Decimal;

use super::mapping::cost_line;
use crate::model::{SalesLineDraft, SourceOrder, VatMethod};
use crate::money::afas_order_amount;
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

/// What MplusKASSA says the lines add up to, in the order's price terms.
fn source_total(order: &SourceOrder) -> Decimal {
    match order.vat_method {
        VatMethod::Including => order.total_incl_vat,
        // Without a total excl. VAT in the source, the lines and shipping are the total.
        VatMethod::Excluding => {
            order.lines.iter().map(|l| l.line_total).sum::<Decimal>()
                + order.shipping.as_ref().map_or(Decimal::ZERO, |s| s.cost)
        }
    }
}

/// A cost line for whatever the lines miss of MplusKASSA's total (cash rounding, an order discount).
pub(super) fn rounding_line(
    order: &SourceOrder,
    settings: &FlowSettings,
    lines: &[SalesLineDraft],
    ledger: &impl Fn(Decimal) -> Result<LineLedger, Failure>,
) -> Result<Option<SalesLineDraft>, Failure> {
    let difference = source_total(order) - afas_order_amount(lines);
    if difference.is_zero() {
        return Ok(None);
    }
    let item = settings.rounding_cost_item.clone().ok_or_else(|| {
        Failure::missing_setting(
            "rounding_cost_item",
            &format!("the lines differ {difference} from MplusKASSA's total"),
        )
    })?;
    let highest_rate = order.lines.iter().map(|l| l.vat_percentage).max().unwrap_or_default();
    Ok(Some(cost_line(
        item,
        "Afrondingsverschil",
        difference,
        ledger(highest_rate)?,
    )))
}

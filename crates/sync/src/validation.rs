//! Settings that cannot work, whatever else is set: a value of the wrong shape, or choices that contradict
//! each other. Refused where settings are saved (the wizard, the settings pages, `PUT /api/v1/settings` and
//! `PUT /api/v1/flows/{flow}`), and found again by the preflight in settings stored before a rule existed.
//!
//! Settings that are merely missing are not refused here: they may be filled in later, and the preflight
//! ([`crate::requirements`]) stops a flow that needs them from being switched on.

use crate::model::SourceDocumentKind;
use crate::requirements::SettingProblem;
use crate::settings::{CompanySettings, FlowSettings, OrderFilter, VariantMode};

impl CompanySettings {
    /// What cannot work in the company-wide settings; empty when nothing.
    pub fn validate(&self) -> Vec<SettingProblem> {
        [administration(self), currency(self), stock_branch(self)]
            .into_iter()
            .flatten()
            .collect()
    }
}

impl FlowSettings {
    /// What cannot work in these settings (the company-wide part and the flow's own); empty when nothing.
    pub fn validate(&self) -> Vec<SettingProblem> {
        let mut problems = self.company.validate();
        problems.extend(order_types(self));
        problems.extend(order_filter(self));
        problems
    }
}

/// What `variant_mode: dimensions` is refused with: the products flow wrote every variant over one AFAS article
/// (the product number) without dimension codes, so stock and sales of the variants could not be told apart.
const DIMENSIONS_WITHDRAWN: &str = "`dimensions` is no longer supported: Koppel cannot book AFAS dimension \
     articles (it cannot create their dimension codes), so each variant must be its own article; set \
     `separate_articles` (PUT /api/v1/settings {\"variant_mode\": \"separate_articles\"})";

/// The withdrawn variant mode, in stored settings: the preflight refuses the flows that shape item codes.
pub(crate) fn variant_mode(company: &CompanySettings) -> Option<SettingProblem> {
    (company.variant_mode == VariantMode::Dimensions).then(|| SettingProblem::new("variant_mode", DIMENSIONS_WITHDRAWN))
}

/// Values a settings document may no longer set (the API refuses them where it names them; stored settings
/// that still hold one load, and the preflight refuses the flows they affect).
pub fn withdrawn_values(document: &serde_json::Value) -> Vec<SettingProblem> {
    let dimensions = document.get("variant_mode").and_then(serde_json::Value::as_str) == Some("dimensions");
    dimensions
        .then(|| SettingProblem::new("variant_mode", DIMENSIONS_WITHDRAWN))
        .into_iter()
        .collect()
}

/// A setting's value, when it has one that is not blank.
pub(crate) fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub(crate) fn is_number(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c.is_ascii_digit())
}

/// AFAS filters administrations by number, so a name never matches.
pub(crate) fn administration(company: &CompanySettings) -> Option<SettingProblem> {
    let administration = given(&company.administration).filter(|a| !is_number(a))?;
    Some(SettingProblem::new(
        "administration",
        format!("must be the AFAS administration's number, not {administration:?}"),
    ))
}

/// AFAS's currency field takes an ISO code.
fn currency(company: &CompanySettings) -> Option<SettingProblem> {
    let code = company.currency.as_str();
    (code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase())).then(|| {
        SettingProblem::new(
            "currency",
            format!("must be a three-letter currency code such as EUR, not {code:?}"),
        )
    })
}

/// MplusKASSA names branches by number.
pub(crate) fn stock_branch(company: &CompanySettings) -> Option<SettingProblem> {
    let branch = given(&company.stock_branch).filter(|b| !is_number(b))?;
    Some(SettingProblem::new(
        "stock_branch",
        format!("must be a MplusKASSA branch number, not {branch:?}"),
    ))
}

fn plural(kind: SourceDocumentKind) -> &'static str {
    match kind {
        SourceDocumentKind::Order => "orders",
        SourceDocumentKind::Invoice => "invoices",
        SourceDocumentKind::Quotation => "quotations",
        SourceDocumentKind::Receipt => "receipts",
    }
}

/// Exactly one document type: MplusKASSA counts orders, invoices and quotations with separate sync markers,
/// and a flow reads with one cursor, so a second type would have records skipped or read forever.
pub(crate) fn order_types(settings: &FlowSettings) -> Option<SettingProblem> {
    if settings.order_types.contains(&SourceDocumentKind::Receipt) {
        return Some(SettingProblem::new(
            "order_types",
            "till receipts are booked by the `receipts` flow; choose order, invoice or quotation here",
        ));
    }
    let mut kinds: Vec<SourceDocumentKind> = Vec::new();
    for kind in &settings.order_types {
        if !kinds.contains(kind) {
            kinds.push(*kind);
        }
    }
    let message = match kinds.as_slice() {
        [] => "choose one document type to read: order, invoice or quotation".to_owned(),
        [_] if settings.order_types.len() == 1 => return None,
        [kind] => format!("list {} once", plural(*kind)),
        several => {
            let names: Vec<&str> = several.iter().map(|k| plural(*k)).collect();
            format!(
                "{} cannot be read together: MplusKASSA counts each document type with its own sync marker \
                 and a flow reads with one cursor; choose one",
                names.join(" and ")
            )
        }
    };
    Some(SettingProblem::new("order_types", message))
}

/// MplusKASSA quotations carry no payments and are never delivered, so a filter on either sends none.
pub(crate) fn order_filter(settings: &FlowSettings) -> Option<SettingProblem> {
    let quotations = settings.order_types.contains(&SourceDocumentKind::Quotation);
    let filter = match settings.order_filter {
        OrderFilter::Paid => "paid",
        OrderFilter::Delivered => "delivered",
        OrderFilter::Any | OrderFilter::Completed => return None,
    };
    quotations.then(|| {
        SettingProblem::new(
            "order_filter",
            format!(
                "`{filter}` sends no quotations: MplusKASSA quotations are never paid or delivered; choose \
                 `any` or `completed` (accepted quotations)"
            ),
        )
    })
}

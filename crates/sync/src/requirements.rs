//! What each flow needs of its settings, checked when the flow is switched on and when a run starts (the
//! preflight), so that a gap fails once with a clear message instead of failing every record the same way.
//!
//! Two pure answers over [`FlowSettings`]: the settings a flow cannot work without or whose value cannot work
//! ([`problems`]), and the codes the settings name in AFAS ([`afas_references`]), which the caller checks
//! against the live administration. Settings only some records need (the shipping and rounding cost items,
//! a VAT code for a rare country) are left to those records' own failures.

use std::collections::BTreeSet;
use std::fmt;

use koppel_core::FlowKind;

use crate::model::SourceDocumentKind;
use crate::settings::{FlowSettings, ValueMap};
use crate::validation::{self, given, is_number};

/// Why the stock flow needs a warehouse (also the reason its records give when it is missing).
pub(crate) const WAREHOUSE_FOR_STOCK: &str = "stock is written per AFAS warehouse";

/// One setting that stops a flow: its JSON name and, in plain words, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingProblem {
    pub setting: &'static str,
    pub message: String,
}

impl SettingProblem {
    pub fn new(setting: &'static str, message: impl Into<String>) -> Self {
        Self {
            setting,
            message: message.into(),
        }
    }

    fn missing(setting: &'static str, why: &str) -> Self {
        Self::new(setting, format!("not set: {why}"))
    }
}

impl fmt::Display for SettingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.setting, self.message)
    }
}

/// An AFAS list a setting's code must be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AfasList {
    Administrations,
    Warehouses,
    Debtors,
    PaymentConditions,
    PaymentMethods,
    VatCodes,
    /// Journals (`Profit_Journals`).
    Journals,
    /// Ledger accounts (`Profit_Accounts`).
    LedgerAccounts,
}

/// A code a setting names in AFAS.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AfasReference {
    pub setting: &'static str,
    pub list: AfasList,
    pub code: String,
}

fn require(problems: &mut Vec<SettingProblem>, setting: &'static str, value: &Option<String>, why: &str) {
    if given(value).is_none() {
        problems.push(SettingProblem::missing(setting, why));
    }
}

/// The settings `flow` cannot work with: missing, or with a value that cannot work. Empty when it can run.
pub fn problems(flow: FlowKind, settings: &FlowSettings) -> Vec<SettingProblem> {
    let mut problems = Vec::new();
    let company = &settings.company;
    if flow != FlowKind::Customers {
        problems.extend(validation::variant_mode(company));
    }
    match flow {
        // Towards the till a quotation needs its debtor's relation and its articles there, no AFAS setting.
        FlowKind::Quotations if settings.quotations_to_till(flow) => {}
        FlowKind::Orders | FlowKind::Receipts | FlowKind::Quotations => {
            require(
                &mut problems,
                "administration",
                &company.administration,
                "sales are booked in this AFAS administration",
            );
            problems.extend(validation::administration(company));
            require(
                &mut problems,
                "default_debtor",
                &company.default_debtor,
                "sales without a customer e-mail address (anonymous till sales) are booked on this debtor",
            );
            if flow == FlowKind::Orders {
                problems.extend(validation::order_types(settings));
                problems.extend(validation::order_filter(settings));
            }
            if company.vat_code_by_country.is_empty() {
                problems.push(SettingProblem::missing(
                    "vat_code_by_country",
                    "every order line needs the AFAS VAT code for its country and VAT rate (without one AFAS \
                     would take the article's VAT group and book a different VAT amount)",
                ));
            }
            if settings.create_missing_articles && company.article_group_map.resolve(None).is_none() {
                problems.push(SettingProblem::new(
                    "article_group_map",
                    "articles created for orders (`create_missing_articles` is on) need an AFAS article group: \
                     set one value for all or a fallback",
                ));
            }
        }
        FlowKind::FinancialJournal => {
            require(
                &mut problems,
                "administration",
                &company.administration,
                "the days are booked in this AFAS administration",
            );
            problems.extend(validation::administration(company));
            require(
                &mut problems,
                "journal_code",
                &settings.journal_code,
                "the days are booked in this AFAS journal",
            );
            if settings.journal_start_date.is_none() {
                problems.push(SettingProblem::missing(
                    "journal_start_date",
                    "Koppel books the till's days from this day on (the days before it are yours to have booked)",
                ));
            }
            if company.vat_code_by_country.is_empty() {
                problems.push(SettingProblem::missing(
                    "vat_code_by_country",
                    "each day's revenue is booked with the AFAS VAT code of its country and VAT rate",
                ));
            }
        }
        FlowKind::Customers | FlowKind::Debtors | FlowKind::Discounts | FlowKind::OrderStatus => {}
        FlowKind::Products => {
            if company.article_group_map.is_empty() {
                problems.push(SettingProblem::missing(
                    "article_group_map",
                    "every AFAS article needs an article group",
                ));
            }
        }
        FlowKind::Stock => {
            if settings.manage_stock {
                require(&mut problems, "warehouse", &company.warehouse, WAREHOUSE_FOR_STOCK);
            }
            problems.extend(validation::stock_branch(company));
        }
        FlowKind::Prices => match crate::pricing::mapped_lists(&settings.company.price_list_map) {
            Ok(lists) if lists.is_empty() => problems.push(SettingProblem::missing(
                "price_list_map",
                "the flow sends the AFAS price lists this maps, each to its MplusKASSA price group",
            )),
            Ok(_) => {}
            Err(problem) => problems.push(SettingProblem::new("price_list_map", problem)),
        },
        FlowKind::Articles => {
            if company.vat_group_map.table.is_empty() {
                problems.push(SettingProblem::missing(
                    "vat_group_map",
                    "the VAT of each article at the till is the percentage whose row gives its AFAS VAT group",
                ));
            }
            if settings.turnover_group_map.is_empty() {
                problems.push(SettingProblem::missing(
                    "turnover_group_map",
                    "every new MplusKASSA article needs a turnover group",
                ));
            }
            if settings
                .turnover_group_map
                .targets()
                .any(|group| !is_number(group.trim()))
            {
                problems.push(SettingProblem::new(
                    "turnover_group_map",
                    "MplusKASSA turnover groups are numbers",
                ));
            }
        }
    }
    problems
}

/// Pairs of flows that book the same sales, so at most one of them may be on: the till's counter sales one by
/// one (receipts) or as one entry per day (the financial journal, whose turnover is those receipts').
const EXCLUSIVE: [(FlowKind, FlowKind); 1] = [(FlowKind::Receipts, FlowKind::FinancialJournal)];

/// Why `flow` cannot be on together with the flows in `on` (the company's other flows that are on, or chosen
/// with it): it would book the same sales twice.
pub fn conflict(flow: FlowKind, on: &[FlowKind]) -> Option<SettingProblem> {
    let other = EXCLUSIVE.iter().find_map(|&(a, b)| match flow {
        f if f == a && on.contains(&b) => Some(b),
        f if f == b && on.contains(&a) => Some(a),
        _ => None,
    })?;
    Some(SettingProblem::new(
        "enabled",
        format!(
            "the {other} flow is on, and it books the same counter sales: the till's turnover would be booked              twice. Switch one of them off (receipts books each sale, financial_journal one entry per day)"
        ),
    ))
}

/// Why `flow`'s `settings` cannot work beside the other flows that are on (with their settings): the products
/// flow writes the till's prices to AFAS and the articles flow AFAS's prices to the till, so they must read
/// AFAS's prices the same way (with or without VAT), or each would change the other's prices back and forth.
pub fn disagreement(
    flow: FlowKind,
    settings: &FlowSettings,
    others_on: &[(FlowKind, FlowSettings)],
) -> Option<SettingProblem> {
    quotations_twice(flow, settings, others_on).or_else(|| prices_read_apart(flow, settings, others_on))
}

/// The quotations flow and an orders flow that reads quotations (`order_types`) would book each quotation twice.
fn quotations_twice(
    flow: FlowKind,
    settings: &FlowSettings,
    others_on: &[(FlowKind, FlowSettings)],
) -> Option<SettingProblem> {
    let orders_read_quotations = |s: &FlowSettings| s.order_types.contains(&SourceDocumentKind::Quotation);
    let clash = match flow {
        // Towards the till the quotations flow books nothing in AFAS.
        FlowKind::Quotations if settings.quotations_to_till(flow) => false,
        FlowKind::Quotations => others_on
            .iter()
            .any(|(other, theirs)| *other == FlowKind::Orders && orders_read_quotations(theirs)),
        FlowKind::Orders => {
            orders_read_quotations(settings)
                && others_on
                    .iter()
                    .any(|(other, theirs)| *other == FlowKind::Quotations && !theirs.quotations_to_till(*other))
        }
        _ => false,
    };
    clash.then(|| {
        SettingProblem::new(
            "order_types",
            "the orders flow reads quotations and the quotations flow is on: each quotation would be booked \
             twice. Let the quotations flow book them, and the orders flow orders or invoices",
        )
    })
}

/// The products flow writes the till's prices to AFAS and the articles flow AFAS's prices to the till.
fn prices_read_apart(
    flow: FlowKind,
    settings: &FlowSettings,
    others_on: &[(FlowKind, FlowSettings)],
) -> Option<SettingProblem> {
    let pair = [FlowKind::Products, FlowKind::Articles];
    if !pair.contains(&flow) {
        return None;
    }
    let (other, theirs) = others_on.iter().find(|(other, theirs)| {
        *other != flow
            && pair.contains(other)
            && theirs.article_prices_include_vat != settings.article_prices_include_vat
    })?;
    let says = |include: bool| if include { "include VAT" } else { "exclude VAT" };
    Some(SettingProblem::new(
        "article_prices_include_vat",
        format!(
            "the {other} flow is on and says AFAS's sales prices {}; this flow says they {}. Both directions must \
             read AFAS's prices the same way, or each would change the other's prices back and forth",
            says(theirs.article_prices_include_vat),
            says(settings.article_prices_include_vat),
        ),
    ))
}

/// The codes `flow`'s settings name in AFAS, each once per setting, in a stable order.
pub fn afas_references(flow: FlowKind, settings: &FlowSettings) -> Vec<AfasReference> {
    if settings.quotations_to_till(flow) {
        return Vec::new();
    }
    let mut references = BTreeSet::new();
    let mut one = |setting: &'static str, list: AfasList, value: &Option<String>| {
        if let Some(code) = given(value) {
            references.insert(AfasReference {
                setting,
                list,
                code: code.to_owned(),
            });
        }
    };
    match flow {
        FlowKind::Orders | FlowKind::Receipts | FlowKind::Quotations => {
            // A non-number is already a problem; AFAS's numeric filter would refuse it.
            let administration = settings.company.administration.clone().filter(|a| is_number(a.trim()));
            one("administration", AfasList::Administrations, &administration);
            one("warehouse", AfasList::Warehouses, &settings.company.warehouse);
            one("default_debtor", AfasList::Debtors, &settings.company.default_debtor);
            one(
                "payment_terms",
                AfasList::PaymentConditions,
                &settings.company.payment_terms,
            );
        }
        FlowKind::Customers => one(
            "payment_terms",
            AfasList::PaymentConditions,
            &settings.company.payment_terms,
        ),
        FlowKind::Products
        | FlowKind::Articles
        | FlowKind::Prices
        | FlowKind::Debtors
        | FlowKind::Discounts
        | FlowKind::OrderStatus => {}
        FlowKind::Stock => {
            if settings.manage_stock {
                one("warehouse", AfasList::Warehouses, &settings.company.warehouse);
            }
        }
        FlowKind::FinancialJournal => {
            let administration = settings.company.administration.clone().filter(|a| is_number(a.trim()));
            one("administration", AfasList::Administrations, &administration);
            one("journal_code", AfasList::Journals, &settings.journal_code);
            one(
                "journal_difference_account",
                AfasList::LedgerAccounts,
                &settings.journal_difference_account,
            );
            for account in settings.journal_accounts.values() {
                one("journal_accounts", AfasList::LedgerAccounts, &Some(account.clone()));
            }
        }
    }
    let mut maps: Vec<(&'static str, AfasList, &ValueMap)> = Vec::new();
    match flow {
        FlowKind::Orders | FlowKind::Receipts | FlowKind::Quotations => {
            maps.push((
                "payment_method_map",
                AfasList::PaymentMethods,
                &settings.company.payment_method_map,
            ));
            maps.push((
                "vat_code_by_country",
                AfasList::VatCodes,
                &settings.company.vat_code_by_country,
            ));
            if settings.create_missing_articles {
                maps.push(("vat_group_map", AfasList::VatCodes, &settings.company.vat_group_map));
            }
        }
        FlowKind::Products | FlowKind::Articles => {
            maps.push(("vat_group_map", AfasList::VatCodes, &settings.company.vat_group_map))
        }
        FlowKind::FinancialJournal => maps.push((
            "vat_code_by_country",
            AfasList::VatCodes,
            &settings.company.vat_code_by_country,
        )),
        FlowKind::Customers
        | FlowKind::Stock
        | FlowKind::Prices
        | FlowKind::Debtors
        | FlowKind::Discounts
        | FlowKind::OrderStatus => {}
    }
    for (setting, list, map) in maps {
        for code in map.targets() {
            one(setting, list, &Some(code.to_owned()));
        }
    }
    references.into_iter().collect()
}

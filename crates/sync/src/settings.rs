//! A flow's settings, as the tenant chose them (wizard, settings pages, `PUT /api/v1/settings` and
//! `PUT /api/v1/flows/{flow}`): the company-wide part ([`CompanySettings`], stored once per company and shared
//! by every flow) and the flow's own part, read together as one flat [`FlowSettings`] document. Every field
//! has a default so a partial JSON document is valid; a setting a record needs but lacks fails that record
//! with a reason that names the setting.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use koppel_core::{Direction, FlowKind};

use crate::field_map::FieldMap;
use crate::model::{OrderTarget, SourceDocumentKind};

/// A value chosen per source value: either one forced value for everything, or a table with a fallback.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ValueMap {
    /// When set, used for every record, whatever the table says.
    pub forced: Option<String>,
    /// Source value → target value (keys compared case-insensitively).
    pub table: BTreeMap<String, String>,
    /// Used when the table has no entry.
    pub default: Option<String>,
}

impl ValueMap {
    pub fn forced(value: impl Into<String>) -> Self {
        Self {
            forced: Some(value.into()),
            ..Self::default()
        }
    }

    /// The target value for `source`, if the map gives one.
    pub fn resolve(&self, source: Option<&str>) -> Option<&str> {
        if let Some(forced) = &self.forced {
            return Some(forced);
        }
        source.and_then(|key| self.lookup(key)).or(self.default.as_deref())
    }

    /// Like [`ValueMap::resolve`], trying the table with each candidate in turn before the default.
    pub fn resolve_first(&self, candidates: &[Option<&str>]) -> Option<&str> {
        if let Some(forced) = &self.forced {
            return Some(forced);
        }
        candidates
            .iter()
            .flatten()
            .find_map(|key| self.lookup(key))
            .or(self.default.as_deref())
    }

    /// The table's row for `key` only (case-insensitive): neither the forced value nor the default.
    pub fn lookup(&self, key: &str) -> Option<&str> {
        self.table
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.forced.is_none() && self.table.is_empty() && self.default.is_none()
    }

    /// The target for AFAS article group `group` as a MplusKASSA number (`what` names it: "turnover group");
    /// `None` when the map gives none, `Err` naming `setting` when it gives something else than a number.
    pub fn article_group_number(&self, setting: &str, what: &str, group: Option<&str>) -> Result<Option<i32>, String> {
        let Some(value) = self.resolve(group) else {
            return Ok(None);
        };
        value.trim().parse().map(Some).map_err(|_| {
            format!(
                "`{setting}` gives {value:?} for AFAS article group {:?}: a MplusKASSA {what} is a number",
                group.unwrap_or("")
            )
        })
    }

    /// Every target value the map can give: the forced value, the table's values and the fallback.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.forced
            .iter()
            .chain(self.table.values())
            .chain(self.default.iter())
            .map(String::as_str)
    }
}

/// Which way the quotations flow moves quotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuotationsDirection {
    /// MplusKASSA proposals → AFAS sales quotations (`FbSalesQuotation`).
    #[default]
    MplusToAfas,
    /// AFAS quotations → MplusKASSA proposals (`saveProposal`).
    AfasToMplus,
}

impl QuotationsDirection {
    pub fn direction(self) -> Direction {
        match self {
            QuotationsDirection::MplusToAfas => Direction::MplusToAfas,
            QuotationsDirection::AfasToMplus => Direction::AfasToMplus,
        }
    }
}

/// Which sales are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderFilter {
    /// Only fully paid sales (the default).
    #[default]
    Paid,
    /// Every sale that is not cancelled.
    Any,
    Delivered,
    Completed,
}

/// Receipts flow: what AFAS document a till receipt becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptTarget {
    /// `FbDirectInvoice` (the default): a counter sale is paid at once.
    #[default]
    DirectInvoice,
    /// `FbSales`.
    SalesOrder,
}

impl From<ReceiptTarget> for OrderTarget {
    fn from(target: ReceiptTarget) -> Self {
        match target {
            ReceiptTarget::DirectInvoice => OrderTarget::DirectInvoice,
            ReceiptTarget::SalesOrder => OrderTarget::SalesOrder,
        }
    }
}

/// Financial journal flow: how a day's revenue is split over the entry's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JournalRevenue {
    /// One revenue line per turnover group and VAT rate, on the turnover group's MplusKASSA account (the default).
    #[default]
    TurnoverGroups,
    /// One revenue line per VAT rate (a daily summary per branch and VAT rate), on `revenue_account_by_country`'s
    /// account for the country and rate.
    VatRates,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockCalculation {
    /// On hand minus sales reservations (the default).
    #[default]
    Free,
    OnHand,
    FreePlusIncoming,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VariantMode {
    /// Each variant becomes its own AFAS article (the default).
    #[default]
    SeparateArticles,
    /// Withdrawn: variants as AFAS dimension articles. Koppel wrote every variant over one article without
    /// its dimensions, and cannot create AFAS's dimension codes (no UpdateConnector for them). Kept so that
    /// stored settings naming it still load; the API refuses it and the preflight refuses the products, orders
    /// and stock flows while it is set (`koppel_sync::validation`).
    Dimensions,
}

/// Which articles the products flow sends.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ProductFilter {
    pub webshop_only: bool,
    pub active_only: bool,
    /// Only articles in these MplusKASSA article groups (all when empty).
    pub groups: Vec<String>,
}

/// Articles flow: which AFAS articles are read, as GetConnector filters (checked against the connector's
/// metainfo by the preflight).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AfasArticleFilter {
    /// The GetConnector read instead of `Profit_Article` (one the tenant made with the same field names, e.g.
    /// with its free fields added).
    pub connector: Option<String>,
    /// Only articles in these AFAS article groups (`ArtGroup`; all when empty).
    pub groups: Vec<String>,
    /// Only articles whose field has this value, e.g. a free field `U7E1F0A2B_Webshop` = `true`.
    pub field_equals: BTreeMap<String, String>,
}

impl AfasArticleFilter {
    /// The GetConnector the flow reads.
    pub fn connector(&self) -> &str {
        self.connector
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or("Profit_Article")
    }
}

/// The company-wide settings: facts about the company's AFAS administration and till, and choices more than
/// one flow reads. A company has them once (its `company_settings` row) and every flow uses them, so two flows
/// can never disagree on, say, the warehouse or the VAT codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CompanySettings {
    /// AFAS administration (`Unit`) orders are booked in.
    pub administration: Option<String>,
    /// Debtor ledger (collective) account `ColA` for new debtors.
    pub debtor_ledger_account: Option<String>,
    /// Payment terms `PaCd` for new debtors.
    pub payment_terms: Option<String>,
    /// AFAS debtor id for sales without a customer e-mail (anonymous till sales).
    pub default_debtor: Option<String>,
    /// Currency code, e.g. `EUR`.
    pub currency: String,
    /// VAT duty `VaDu` for new debtors.
    pub vat_duty: Option<String>,
    /// AFAS warehouse for orders and stock.
    pub warehouse: Option<String>,
    /// MplusKASSA branch whose stock is sent.
    pub stock_branch: Option<String>,
    /// MplusKASSA payment method → AFAS payment method.
    pub payment_method_map: ValueMap,
    /// Country (ISO code, or `NL:21` for one rate) → AFAS VAT code; the rows `intra_eu`, `reverse_charge` and
    /// `export` give the codes of reverse-charged sales (MplusKASSA `VAT-METHOD-SHIFTED`), which never fall
    /// back to the forced value or the default.
    pub vat_code_by_country: ValueMap,
    /// Country (ISO code) → AFAS revenue account.
    pub revenue_account_by_country: ValueMap,
    /// MplusKASSA article/turnover group → AFAS article group `Grp` (articles the products flow writes and
    /// those the orders flow creates).
    pub article_group_map: ValueMap,
    /// MplusKASSA VAT percentage (e.g. `21`, `9`, `0`) → AFAS VAT rate group `VaRc` of an article.
    pub vat_group_map: ValueMap,
    /// AFAS price list (a customer group's prices, e.g. `HOR`) → MplusKASSA price group number
    /// (`getPriceGroupList`), one row per list: the prices flow sends the mapped lists' prices to those groups.
    pub price_list_map: ValueMap,
    /// AFAS article group (`ArtGroup`) → MplusKASSA article discount group number (made in MplusKASSA's back
    /// office: its API cannot list or create one). The articles flow puts each article in its group's discount
    /// group; the discounts flow gives a debtor's AFAS discount group (`DsGr`) as the relation's discount per
    /// discount group. Empty: Koppel leaves discount groups alone.
    pub discount_group_map: ValueMap,
    /// AFAS requires numeric item codes.
    pub numeric_item_codes: bool,
    /// How variants become AFAS articles: `separate_articles`, each variant its own article by its SKU (the
    /// only mode; `dimensions` is withdrawn and refused).
    pub variant_mode: VariantMode,
    /// Updates of existing debtors (customers and orders flows) also send the accounting fields these
    /// settings set on new debtors: payment terms `PaCd`, debtor ledger `ColA`, revenue (contra) account
    /// `ToAc`, VAT duty `VaDu` and currency `CuId`. Off (the default), an update sends only what Koppel owns
    /// (name, address, e-mail, phone, VAT number) and AFAS keeps what the accountant set there.
    pub update_debtor_terms: bool,
}

impl Default for CompanySettings {
    fn default() -> Self {
        Self {
            administration: None,
            debtor_ledger_account: None,
            payment_terms: None,
            default_debtor: None,
            currency: "EUR".to_owned(),
            vat_duty: None,
            warehouse: None,
            stock_branch: None,
            payment_method_map: ValueMap::default(),
            vat_code_by_country: ValueMap::default(),
            revenue_account_by_country: ValueMap::default(),
            article_group_map: ValueMap::default(),
            vat_group_map: ValueMap::default(),
            price_list_map: ValueMap::default(),
            discount_group_map: ValueMap::default(),
            numeric_item_codes: false,
            variant_mode: VariantMode::SeparateArticles,
            update_debtor_terms: false,
        }
    }
}

impl CompanySettings {
    /// The JSON names of the company-wide fields (the keys they have in a flow's flat settings document).
    pub fn field_names() -> Vec<String> {
        match serde_json::to_value(Self::default()) {
            Ok(serde_json::Value::Object(fields)) => fields.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }
}

/// All settings a flow reads, as one flat document (`PUT /api/v1/flows/{flow}`): the company-wide part, shared
/// by every flow, and the flow's own part. Flows read the fields they need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct FlowSettings {
    /// The company-wide settings, flattened into the document.
    #[serde(flatten)]
    pub company: CompanySettings,
    /// Which sales are sent (default: fully paid).
    pub order_filter: OrderFilter,
    /// Which MplusKASSA document type is read (exactly one; default: orders).
    pub order_types: Vec<SourceDocumentKind>,
    /// What AFAS document a sale becomes (default: sales order `FbSales`).
    pub order_target: OrderTarget,
    /// Receipts flow: what AFAS document a finished till receipt becomes (default: direct invoice
    /// `FbDirectInvoice`).
    pub receipt_target: ReceiptTarget,
    /// MplusKASSA shipping method → AFAS delivery method.
    pub shipping_method_map: ValueMap,
    /// AFAS item code of the cost line shipping costs are booked on.
    pub shipping_cost_item: Option<String>,
    /// MplusKASSA article numbers that stand for shipping costs: their order lines become the shipping cost
    /// line instead of article lines.
    pub shipping_articles: Vec<String>,
    /// AFAS item code of the cost line that books an order-level difference (cash rounding to 5 cents, an
    /// order discount) so the AFAS order adds up to MplusKASSA's total to the cent.
    pub rounding_cost_item: Option<String>,
    /// Create an article that an order needs but AFAS lacks (otherwise the order fails with a reason).
    pub create_missing_articles: bool,
    /// Products flow: also update existing AFAS articles (off: only create new ones). Articles flow: also
    /// update the texts and turnover group of existing MplusKASSA articles (off: only price, VAT, barcode and
    /// whether it is active change).
    pub update_product_info: bool,
    /// Products flow: send the sales price incl. VAT (the default, as the till shows it) or excl. VAT.
    /// Articles flow: AFAS's sales price includes VAT (sent as `priceIncl`) or not (`priceExcl`).
    pub article_prices_include_vat: bool,
    pub product_filter: ProductFilter,
    /// Articles flow: which AFAS articles are read.
    pub afas_article_filter: AfasArticleFilter,
    /// Articles flow: each AFAS article group becomes a MplusKASSA article group (made once, named after the
    /// AFAS code and found again by its text; renaming it at the till is fine), and each article's product is
    /// in its group (moved out of the group of its former AFAS group).
    pub article_groups_to_till: bool,
    /// Articles flow: AFAS free field (e.g. `U7E1F0A2B_Merk`, a field of the article GetConnector) → the
    /// MplusKASSA article custom field (`getCustomFieldLists`) it fills. Empty: custom fields are left alone.
    pub custom_field_map: BTreeMap<String, String>,
    /// Articles flow: the AFAS dimension kind (`StockDimId1`/`StockDimId2` of a dimension item, e.g. `MATEN`)
    /// whose codes are the till's sizes; the item's other dimension goes in the till's colour.
    pub variant_size_dimension: String,
    /// Articles flow: AFAS article group → MplusKASSA turnover group number (the default for the rest). A new
    /// MplusKASSA article needs one.
    pub turnover_group_map: ValueMap,
    /// Quotations flow: which way quotations go — MplusKASSA proposals to AFAS sales quotations (the default)
    /// or AFAS quotations to MplusKASSA proposals. One way at a time: a quotation is worked on where it was
    /// made, and with both ways on, an edit on either side would overwrite the other's.
    pub quotations_direction: QuotationsDirection,
    /// Stock flow: how MplusKASSA stock is counted.
    pub stock_calculation: StockCalculation,
    /// Stock flow: whether AFAS manages stock at all (off: the flow writes nothing).
    pub manage_stock: bool,
    /// Records fetched per page.
    pub batch_size: u32,
    /// The tenant's field-mapping rules: per target field a source (default, source path or constant) and
    /// transforms; fields without a rule keep the flow's default mapping.
    pub field_map: FieldMap,
    /// Financial journal flow: the AFAS journal (`JoCo`, e.g. a memorial or cash journal) the days are booked in.
    pub journal_code: Option<String>,
    /// Financial journal flow: the first financial day to book (the days before it are the tenant's own). Read
    /// on the first run only; from then on the flow goes on from the last day it booked.
    #[schema(value_type = Option<String>, format = Date)]
    pub journal_start_date: Option<NaiveDate>,
    /// Financial journal flow: MplusKASSA ledger account → AFAS ledger account, for the accounts AFAS numbers
    /// differently. An account without a row is booked on the same number in AFAS.
    pub journal_accounts: BTreeMap<String, String>,
    /// Financial journal flow: the AFAS ledger account a day's difference between debit and credit is booked on
    /// (e.g. cash differences). Without it, a day that does not balance fails.
    pub journal_difference_account: Option<String>,
    /// Financial journal flow: revenue per turnover group (the default) or one line per VAT rate.
    pub journal_revenue: JournalRevenue,
}

impl Default for FlowSettings {
    fn default() -> Self {
        Self {
            company: CompanySettings::default(),
            order_filter: OrderFilter::Paid,
            order_types: vec![SourceDocumentKind::Order],
            order_target: OrderTarget::SalesOrder,
            receipt_target: ReceiptTarget::DirectInvoice,
            shipping_method_map: ValueMap::default(),
            shipping_cost_item: None,
            shipping_articles: Vec::new(),
            rounding_cost_item: None,
            create_missing_articles: false,
            update_product_info: false,
            article_prices_include_vat: true,
            product_filter: ProductFilter::default(),
            afas_article_filter: AfasArticleFilter::default(),
            article_groups_to_till: false,
            turnover_group_map: ValueMap::default(),
            custom_field_map: BTreeMap::new(),
            variant_size_dimension: "MATEN".to_owned(),
            quotations_direction: QuotationsDirection::MplusToAfas,
            stock_calculation: StockCalculation::Free,
            manage_stock: true,
            batch_size: 100,
            field_map: FieldMap::default(),
            journal_code: None,
            journal_start_date: None,
            journal_accounts: BTreeMap::new(),
            journal_difference_account: None,
            journal_revenue: JournalRevenue::TurnoverGroups,
        }
    }
}

impl FlowSettings {
    /// A flow's settings from the company's and the flow's own stored document. Company-wide fields that the
    /// flow's document still carries (written before they moved to the company) are ignored; a document that
    /// does not parse gives the defaults.
    pub fn from_parts(company: CompanySettings, own: &serde_json::Value) -> Self {
        let mut settings: Self = serde_json::from_value(own.clone()).unwrap_or_default();
        settings.company = company;
        settings
    }

    /// The settings a run of `flow` works with. The receipts and quotations flows run the orders flow's
    /// pipeline on till receipts (booked as `receipt_target` says) or on quotations (booked as AFAS sales
    /// quotations), never on orders whatever `order_types` says; every other setting (mappings, debtors,
    /// rounding, …) means what it means for orders. Other flows use the settings as they are.
    pub fn for_flow(&self, flow: FlowKind) -> FlowSettings {
        let mut settings = self.clone();
        match flow {
            FlowKind::Receipts => {
                settings.order_types = vec![SourceDocumentKind::Receipt];
                settings.order_target = self.receipt_target.into();
            }
            // Quotations are neither paid nor delivered: every one is booked, as an AFAS sales quotation.
            FlowKind::Quotations => {
                settings.order_types = vec![SourceDocumentKind::Quotation];
                settings.order_target = OrderTarget::Quotation;
                settings.order_filter = OrderFilter::Any;
            }
            _ => {}
        }
        settings
    }

    /// Which way `flow` moves records with these settings: its own way, but the quotations flow's is a setting.
    pub fn direction(&self, flow: FlowKind) -> Direction {
        match flow {
            FlowKind::Quotations => self.quotations_direction.direction(),
            _ => flow.direction(),
        }
    }

    /// Whether a run of `flow` reads AFAS's quotations for the till.
    pub fn quotations_to_till(&self, flow: FlowKind) -> bool {
        flow == FlowKind::Quotations && self.quotations_direction == QuotationsDirection::AfasToMplus
    }

    /// The flow's own part, as its row stores it: the flat document without the company-wide fields.
    pub fn own_document(&self) -> serde_json::Value {
        let mut document = serde_json::to_value(self).unwrap_or_default();
        if let Some(fields) = document.as_object_mut() {
            for name in CompanySettings::field_names() {
                fields.remove(&name);
            }
        }
        document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_document_takes_defaults() {
        let settings: FlowSettings = serde_json::from_str(r#"{"administration":"1","order_filter":"any"}"#).unwrap();
        assert_eq!(settings.company.administration.as_deref(), Some("1"));
        assert_eq!(settings.order_filter, OrderFilter::Any);
        assert_eq!(settings.company.currency, "EUR");
        assert_eq!(settings.order_types, vec![SourceDocumentKind::Order]);
        assert!(settings.manage_stock && !settings.update_product_info);
    }

    #[test]
    fn the_flat_document_splits_into_the_company_part_and_the_flows_own() {
        let mut settings = FlowSettings::default();
        settings.company.warehouse = Some("01".into());
        settings.stock_calculation = StockCalculation::OnHand;
        let flat = serde_json::to_value(&settings).unwrap();
        assert_eq!(flat["warehouse"], "01", "company fields sit at the top level");
        assert_eq!(serde_json::from_value::<FlowSettings>(flat).unwrap(), settings);

        let own = settings.own_document();
        assert!(own.get("warehouse").is_none() && own.get("currency").is_none());
        assert_eq!(own["stock_calculation"], "on_hand");
        let company = CompanySettings {
            warehouse: Some("02".into()),
            ..CompanySettings::default()
        };
        let combined = FlowSettings::from_parts(company.clone(), &own);
        assert_eq!(combined.company, company);
        assert_eq!(combined.stock_calculation, StockCalculation::OnHand);
        // A flow row from before the company settings: its copies of company fields are ignored.
        let old = serde_json::json!({"warehouse": "99", "manage_stock": false});
        let combined = FlowSettings::from_parts(company.clone(), &old);
        assert_eq!(combined.company.warehouse.as_deref(), Some("02"));
        assert!(!combined.manage_stock);
    }

    #[test]
    fn the_receipts_flow_reads_receipts_and_books_them_as_receipt_target_says() {
        let mut settings = FlowSettings::default();
        assert_eq!(
            settings.receipt_target,
            ReceiptTarget::DirectInvoice,
            "a counter sale is paid at once"
        );
        settings.order_types = vec![SourceDocumentKind::Invoice];
        let receipts = settings.for_flow(FlowKind::Receipts);
        assert_eq!(receipts.order_types, [SourceDocumentKind::Receipt]);
        assert_eq!(receipts.order_target, OrderTarget::DirectInvoice);
        settings.receipt_target = ReceiptTarget::SalesOrder;
        assert_eq!(
            settings.for_flow(FlowKind::Receipts).order_target,
            OrderTarget::SalesOrder
        );
        assert_eq!(
            settings.for_flow(FlowKind::Orders),
            settings,
            "other flows keep their settings"
        );
        let parsed: FlowSettings = serde_json::from_str(r#"{"receipt_target":"sales_order"}"#).unwrap();
        assert_eq!(parsed.receipt_target, ReceiptTarget::SalesOrder);
    }

    #[test]
    fn value_maps_force_or_look_up_with_a_fallback() {
        let mut map = ValueMap::default();
        map.table.insert("PIN".into(), "02".into());
        map.default = Some("01".into());
        assert_eq!(map.resolve(Some("pin")), Some("02"));
        assert_eq!(map.resolve(Some("CASH")), Some("01"));
        assert_eq!(map.resolve(None), Some("01"));
        assert_eq!(ValueMap::forced("99").resolve(Some("PIN")), Some("99"));
        assert_eq!(ValueMap::default().resolve(Some("PIN")), None);
    }
}

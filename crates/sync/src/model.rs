//! The records a flow moves, in domain terms: what the point of sale (source) holds and what the ERP
//! (target) receives. No wire format lives here: the client adapters translate to SOAP and REST.
//! Money and quantities are exact decimals, never floats.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The kind of MplusKASSA document a sale arrives as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceDocumentKind {
    Order,
    Invoice,
    Quotation,
    /// A till receipt (counter sale), read by the receipts flow only.
    Receipt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Unpaid,
    PartlyPaid,
    Paid,
}

/// Whether line prices include VAT (MplusKASSA's `vatMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatMethod {
    Including,
    Excluding,
}

/// A sale from the till: an order, invoice, quotation or receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceOrder {
    /// Stable id in MplusKASSA (`orderId` / `invoiceId` / `proposalId`): the key of the id map.
    pub id: String,
    /// The human-readable number (e.g. `2026-000042`): sent to AFAS as the reference `RfCs`.
    pub number: String,
    pub kind: SourceDocumentKind,
    /// MplusKASSA sync marker: records arrive in ascending marker order.
    pub sync_marker: i64,
    pub date: NaiveDate,
    pub payment_status: PaymentStatus,
    pub delivered: bool,
    pub completed: bool,
    pub cancelled: bool,
    pub vat_method: VatMethod,
    /// The country whose VAT the till charged (ISO-2, from MplusKASSA's `vatCountryIso3`); `None` when the
    /// document does not say. VAT codes follow it, not the delivery country (and an anonymous counter sale,
    /// which has none, gets its codes by it). Left out of the JSON when unknown, so hashes of older records stay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_country: Option<String>,
    /// VAT reverse-charged to a business customer (MplusKASSA's `VAT-METHOD-SHIFTED`): the lines carry 0% and
    /// the VAT code says why (domestic reverse charge, intra-EU supply or export).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vat_shifted: bool,
    /// `None` for an anonymous till sale.
    pub customer: Option<SourceCustomer>,
    pub lines: Vec<SourceLine>,
    pub shipping: Option<SourceShipping>,
    /// MplusKASSA's delivery (shipping) method name or code, mapped through the shipping-method table to the
    /// AFAS transporter (`TrPt`): whether or not the sale has a shipping-cost line.
    #[serde(default)]
    pub delivery_method: Option<String>,
    pub payments: Vec<SourcePayment>,
    /// What the customer pays, VAT included.
    pub total_incl_vat: Decimal,
    pub branch: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceLine {
    /// The article number (SKU) in MplusKASSA; the AFAS item code `ItCd`.
    pub sku: String,
    pub description: String,
    pub quantity: Decimal,
    /// Per unit, including or excluding VAT as the order's [`VatMethod`] says, before discount.
    pub unit_price: Decimal,
    /// Line discount as a percentage of the line amount (0 when none).
    pub discount_percentage: Decimal,
    pub vat_percentage: Decimal,
    /// The line total after discount, in the order's VAT method, as MplusKASSA computed it.
    pub line_total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceShipping {
    /// In the order's VAT method.
    pub cost: Decimal,
    pub vat_percentage: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcePayment {
    /// MplusKASSA payment method code (e.g. `CASH`, `PIN`, `IDEAL`).
    pub method: String,
    pub amount: Decimal,
}

/// A relation in MplusKASSA (a customer), as found on an order or in the relation list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceCustomer {
    /// MplusKASSA relation number; `None` when only embedded in an order.
    pub relation_number: Option<String>,
    /// Sync marker when read from the relation list (the customers flow's cursor).
    pub sync_marker: Option<i64>,
    pub company_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<SourceAddress>,
    pub delivery_address: Option<SourceAddress>,
    pub vat_number: Option<String>,
}

/// An address as MplusKASSA keeps it: street and house number in one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceAddress {
    /// e.g. `Kerkstraat 12a`, `Laan van Meerdervoort 1024-B`, `Rue de la Loi 16 bus 3`.
    pub street_line: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2 where MplusKASSA gives it (e.g. `NL`, `BE`); free text otherwise.
    pub country: String,
}

/// A sellable article in MplusKASSA (a product has one article, or several variants).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceArticle {
    /// Sync marker of the product it belongs to (the products flow's cursor).
    pub sync_marker: i64,
    pub product_number: String,
    /// The article number (SKU).
    pub sku: String,
    pub title: String,
    pub short_description: Option<String>,
    pub long_description: Option<String>,
    pub price_incl_vat: Decimal,
    pub price_excl_vat: Decimal,
    pub vat_percentage: Decimal,
    pub ean: Option<String>,
    pub turnover_group: Option<String>,
    pub article_group: Option<String>,
    /// The AFAS article group that a group of its product stands for, when the articles flow made that group
    /// (`article_groups_to_till`): the article's own group in AFAS, whatever `article_group_map` says.
    #[serde(default)]
    pub afas_article_group: Option<String>,
    pub unit: Option<String>,
    pub active: bool,
    pub webshop: bool,
    /// Size/colour of a variant; `None` for a simple article.
    pub variant: Option<VariantAttributes>,
    /// `extArticleId`: set by the articles flow on what it made of an AFAS dimension item
    /// ([`crate::catalogue::DimensionId`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantAttributes {
    pub size: Option<String>,
    pub colour: Option<String>,
}

/// Stock of one article in one branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockLevel {
    pub sku: String,
    pub on_hand: Decimal,
    /// Held for open sales orders.
    pub reserved: Decimal,
    /// Expected from open purchase orders.
    pub incoming: Decimal,
}

// ---- what the target receives -----------------------------------------------------------------------

/// An address split the way AFAS wants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Address {
    pub street: String,
    pub house_number: Option<String>,
    pub house_number_addition: Option<String>,
    pub postcode: String,
    pub city: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    pub first_name: Option<String>,
    pub last_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DebtorParty {
    /// `KnSalesRelationOrg` with the person as contact.
    Organisation { name: String, contact: Option<PersonName> },
    /// `KnSalesRelationPer`.
    Person(PersonName),
}

/// A debtor to create or update in AFAS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorDraft {
    pub party: DebtorParty,
    /// Trimmed, lower case; `None` for a business known by its VAT number only.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    /// `ColA`, the debtor ledger (collective) account.
    pub ledger_account: Option<String>,
    /// `PaCd`.
    pub payment_terms: Option<String>,
    /// `CuId`, e.g. `EUR`.
    pub currency: Option<String>,
    /// `VaDu`, the VAT duty.
    pub vat_duty: Option<String>,
    /// The VAT code for the debtor's country.
    pub vat_code: Option<String>,
    /// The revenue account for the debtor's country.
    pub revenue_account: Option<String>,
    /// Upper case without spaces, dots or dashes (`NL123456789B01`): the form debtors are matched by.
    pub vat_number: Option<String>,
}

impl DebtorDraft {
    /// The key this debtor is matched by in AFAS (see [`debtor_key`]).
    pub fn key(&self) -> Option<String> {
        debtor_key(self.email.as_deref(), self.vat_number.as_deref())
    }
}

/// A debtor as AFAS has it (found by e-mail or VAT number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorRecord {
    pub debtor_id: String,
    pub email: Option<String>,
    #[serde(default)]
    pub vat_number: Option<String>,
    pub name: String,
    pub is_organisation: bool,
    pub address: Option<Address>,
    pub phone: Option<String>,
}

impl DebtorRecord {
    /// The key this debtor is found by (see [`debtor_key`]).
    pub fn key(&self) -> Option<String> {
        debtor_key(self.email.as_deref(), self.vat_number.as_deref())
    }
}

/// Prefix of a [`debtor_key`] that is a VAT number (an e-mail address cannot start with it).
pub const VAT_KEY_PREFIX: &str = "vat:";

/// The key a customer is matched to an AFAS debtor by: the e-mail address in lower case; for a business
/// without one, `vat:` and its VAT number in [`vat_number_form`]; `None` when there is neither (the sale goes to
/// the default debtor).
pub fn debtor_key(email: Option<&str>, vat_number: Option<&str>) -> Option<String> {
    let email = email.map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty());
    email.or_else(|| {
        vat_number
            .and_then(vat_number_form)
            .map(|vat| format!("{VAT_KEY_PREFIX}{vat}"))
    })
}

/// A VAT number as Koppel sends and matches it: upper case without spaces, dots or dashes
/// (`nl 8123.45.678.b01` → `NL812345678B01`); `None` when nothing is left.
pub fn vat_number_form(vat_number: &str) -> Option<String> {
    let form: String = vat_number
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-'))
        .flat_map(char::to_uppercase)
        .collect();
    (!form.is_empty()).then_some(form)
}

/// What AFAS document a sale becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderTarget {
    /// `FbSales`.
    SalesOrder,
    /// `FbDirectInvoice`.
    DirectInvoice,
    /// `FbSalesQuotation`.
    Quotation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SalesLineKind {
    /// An article (`VaIt` 2): the item code must exist in AFAS.
    Article,
    /// A cost line such as shipping costs.
    Cost,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesLineDraft {
    pub kind: SalesLineKind,
    pub item_code: String,
    pub description: String,
    pub quantity: Decimal,
    /// Per unit, before discount; incl. or excl. VAT as [`SalesOrderDraft::prices_include_vat`] says.
    pub unit_price: Decimal,
    pub discount_percentage: Decimal,
    /// `ARDc`, the line discount as an amount; when set it wins over the percentage. Set only when the
    /// percentage would not reproduce MplusKASSA's line total to the cent (see `money`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Decimal>,
    pub vat_code: Option<String>,
    pub revenue_account: Option<String>,
    /// `StL1`, `StL2`: the dimension codes of a combination of an AFAS dimension item (the till sold one of
    /// the articles the articles flow made of it); empty for other lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<String>,
}

/// A sale to book in AFAS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesOrderDraft {
    pub target: OrderTarget,
    /// `Unit`, the administration.
    pub administration: Option<String>,
    pub debtor_id: String,
    /// `RfCs`: the MplusKASSA order number, by which a second send is recognised.
    pub reference: String,
    pub date: NaiveDate,
    pub currency: Option<String>,
    pub warehouse: Option<String>,
    pub payment_method: Option<String>,
    pub shipping_method: Option<String>,
    pub prices_include_vat: bool,
    /// Where the sale goes: the delivery address, else the billing address (`ExAd`, one readable line).
    pub delivery_address: Option<Address>,
    /// `DlAd`: the debtor's delivery address (an AFAS contact number) when the sale goes elsewhere than the
    /// debtor's own address; set once the debtor is known ([`crate::ports::ErpTarget::delivery_address`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_address_id: Option<String>,
    pub lines: Vec<SalesLineDraft>,
}

/// An article as AFAS has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRecord {
    pub item_code: String,
    pub description: String,
}

/// An article to create or update in AFAS (`FbItemArticle`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleDraft {
    pub item_code: String,
    pub description: String,
    pub long_description: Option<String>,
    pub short_description: Option<String>,
    /// `Grp`, the article group.
    pub group: Option<String>,
    /// `BiUn`, the unit.
    pub unit: Option<String>,
    pub price: Decimal,
    pub price_includes_vat: bool,
    pub ean: Option<String>,
    pub vat_group: Option<String>,
}

/// A stock correction in AFAS (`FbStockMutation`): `quantity` is the difference, positive or negative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockMutationDraft {
    pub warehouse: String,
    pub item_code: String,
    pub quantity: Decimal,
    pub date: NaiveDate,
    pub reference: String,
}

//! Typed rows of the standard Profit GetConnectors the flows read. Every field is optional because AFAS
//! sends `null` for empty values and tenants trim their connectors; decimals keep AFAS's exact digits, and
//! date-times are Amsterdam local time (AFAS's trailing `Z` is not UTC and is ignored).

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use crate::GetQuery;
use crate::decimal::option_number;

/// The standard GetConnectors read by the row types below: what [`crate::AfasClient::test_connection`] should
/// find in an App connector for the flows to work.
pub const STANDARD_GET_CONNECTORS: [&str; 6] = [
    Debtor::CONNECTOR,
    Article::CONNECTOR,
    StockPerWarehouse::CONNECTOR,
    SalesOrderRow::CONNECTOR,
    VatCode::CONNECTOR,
    Warehouse::CONNECTOR,
];

/// A row type of one GetConnector, with the key it is sorted and looked up by.
pub trait GetConnectorRow: serde::de::DeserializeOwned {
    const CONNECTOR: &'static str;
    /// The field for key look-ups and the default sort order. Paging needs a unique order: a row type whose key
    /// is not unique adds the fields that make it so in [`Self::query`].
    const KEY: &'static str;

    /// A query for all rows, sorted by [`Self::KEY`].
    fn query() -> GetQuery {
        GetQuery::new(Self::CONNECTOR, [Self::KEY])
    }
}

/// `Profit_Debtor`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Debtor {
    #[serde(rename = "DebtorId")]
    pub debtor_id: String,
    #[serde(rename = "DebtorName", default)]
    pub name: Option<String>,
    #[serde(rename = "BcCo", default)]
    pub organisation_or_person_code: Option<String>,
    #[serde(rename = "Email", default)]
    pub email: Option<String>,
    #[serde(rename = "AdressLine1", default)]
    pub address_line1: Option<String>,
    #[serde(rename = "AdressLine3", default)]
    pub address_line3: Option<String>,
    #[serde(rename = "AdressLine4", default)]
    pub address_line4: Option<String>,
    /// The country's ISO code.
    #[serde(rename = "CountryId", default)]
    pub country: Option<String>,
    #[serde(rename = "TelNr", default)]
    pub phone: Option<String>,
    #[serde(rename = "VatNr", default)]
    pub vat_number: Option<String>,
    #[serde(rename = "ChOfCommNr", default)]
    pub commerce_number: Option<String>,
    #[serde(rename = "IBAN", default)]
    pub iban: Option<String>,
    #[serde(rename = "CurrencyId", default)]
    pub currency: Option<String>,
    #[serde(rename = "PayCon", default)]
    pub payment_condition: Option<String>,
    #[serde(rename = "Blocked", default)]
    pub blocked: Option<bool>,
    #[serde(rename = "CreditLimit", default, deserialize_with = "option_number::deserialize")]
    pub credit_limit: Option<Decimal>,
    /// The preferred price list (`PrLs` of the sales relation): its customer group. Not a standard field of
    /// `Profit_Debtor`: the tenant adds it to the GetConnector (absent, the debtor has none).
    #[serde(rename = "PriceList", default)]
    pub price_list: Option<String>,
    /// The line discount % (`PrLi` of the sales relation), added like [`Self::price_list`].
    #[serde(rename = "LineDiscount", default, deserialize_with = "option_number::deserialize")]
    pub line_discount: Option<Decimal>,
    /// The sales discount group (`DsGr` of the sales relation), added like [`Self::price_list`]; its lines are in
    /// `Koppel_DiscountGroups` ([`DiscountGroupLine`]).
    #[serde(rename = "DiscountGroup", default)]
    pub discount_group: Option<String>,
    #[serde(rename = "ModifiedDate", default, deserialize_with = "local_date_time")]
    pub modified: Option<NaiveDateTime>,
}

impl GetConnectorRow for Debtor {
    const CONNECTOR: &'static str = "Profit_Debtor";
    const KEY: &'static str = "DebtorId";
}

/// `Koppel_DiscountGroups`: one line of a sales discount group (a percentage on the articles of an article
/// group). Not a standard Profit GetConnector (Profit publishes none for discount group lines): the one Koppel
/// documents for the customer to import. It lists every line of every group whatever its dates; which are valid
/// on a day is the reader's to decide. Several rows share a group, so rows are looked up by `DiscountGroup` and
/// paged by `DiscountGroup` and `ArtGroup`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DiscountGroupLine {
    /// The group's code (what a debtor's `DsGr` names).
    #[serde(rename = "DiscountGroup")]
    pub discount_group: String,
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    #[serde(rename = "ArtGroup", default)]
    pub article_group: Option<String>,
    #[serde(
        rename = "DiscountPercentage",
        default,
        deserialize_with = "option_number::deserialize"
    )]
    pub discount_percentage: Option<Decimal>,
    #[serde(rename = "StartDate", default, deserialize_with = "local_date_time")]
    pub start_date: Option<NaiveDateTime>,
    /// `None`: open-ended.
    #[serde(rename = "EndDate", default, deserialize_with = "local_date_time")]
    pub end_date: Option<NaiveDateTime>,
}

impl GetConnectorRow for DiscountGroupLine {
    const CONNECTOR: &'static str = "Koppel_DiscountGroups";
    const KEY: &'static str = "DiscountGroup";

    fn query() -> GetQuery {
        GetQuery::new(Self::CONNECTOR, [Self::KEY, "ArtGroup"])
    }
}

/// `Profit_Contacts`: the contact persons of organisations, by organisation code (`BcCo`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ContactRow {
    #[serde(rename = "ContactId", deserialize_with = "text_or_number")]
    pub contact_id: String,
    #[serde(rename = "OrganisationCode", default)]
    pub organisation_code: Option<String>,
    #[serde(rename = "Name", default)]
    pub name: Option<String>,
}

impl GetConnectorRow for ContactRow {
    const CONNECTOR: &'static str = "Profit_Contacts";
    const KEY: &'static str = "ContactId";
}

/// `Profit_Deliveryaddress` ("Addresses at contacts"): one row per delivery address (a contact of kind `AFL`)
/// with its structured address and the debtor it belongs to. The standard connector lists no contact number;
/// the contact id (`ContactId`, the number a sales document's `DlAd` names) must be added to it, as in
/// `Profit_Contacts`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeliveryAddressRow {
    #[serde(rename = "ContactId", deserialize_with = "text_or_number")]
    pub contact_id: String,
    #[serde(rename = "DebiteurID", default)]
    pub debtor_id: Option<String>,
    #[serde(rename = "A_Straat", default)]
    pub street: Option<String>,
    #[serde(rename = "A_Huisnummer", default)]
    pub house_number: Option<i64>,
    #[serde(rename = "A_Toev_Huisnr.", default)]
    pub house_number_addition: Option<String>,
    #[serde(rename = "A_Postcode", default)]
    pub postcode: Option<String>,
    #[serde(rename = "A_Woonplaats", default)]
    pub city: Option<String>,
    /// ISO alpha-2.
    #[serde(rename = "A_Land", default)]
    pub country: Option<String>,
}

impl GetConnectorRow for DeliveryAddressRow {
    const CONNECTOR: &'static str = "Profit_Deliveryaddress";
    const KEY: &'static str = "ContactId";
}

/// A key AFAS sends as a number or as text.
fn text_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => Ok(text),
        serde_json::Value::Number(number) => Ok(number.to_string()),
        other => Err(serde::de::Error::custom(format!("expected a key, got {other}"))),
    }
}

/// `Profit_Article`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Article {
    #[serde(rename = "ItemCode")]
    pub item_code: String,
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    #[serde(rename = "ExtraDescription", default)]
    pub extra_description: Option<String>,
    #[serde(rename = "UnitId", default)]
    pub unit: Option<String>,
    #[serde(rename = "ArtGroup", default)]
    pub article_group: Option<String>,
    #[serde(rename = "Blocked", default)]
    pub blocked: Option<bool>,
    #[serde(rename = "Barcode", default)]
    pub barcode: Option<String>,
    #[serde(rename = "VATGroup", default)]
    pub vat_group: Option<String>,
    /// Whether AFAS tracks stock for the article.
    #[serde(rename = "Stock", default)]
    pub tracks_stock: Option<bool>,
    #[serde(rename = "BitDecimals", default)]
    pub decimals: Option<i64>,
    /// The first dimension kind of a dimension article (`StD1`, e.g. a colour); `None` for a plain article.
    /// Its combinations and their barcodes are in `Profit_Barcode_per_Item` ([`BarcodeRow`]).
    #[serde(rename = "StockDimId1", default)]
    pub stock_dim_id1: Option<String>,
    /// The second dimension kind (`StD2`, e.g. a size), if the article has two.
    #[serde(rename = "StockDimId2", default)]
    pub stock_dim_id2: Option<String>,
    #[serde(rename = "ModifiedDate", default, deserialize_with = "local_date_time")]
    pub modified: Option<NaiveDateTime>,
}

impl GetConnectorRow for Article {
    const CONNECTOR: &'static str = "Profit_Article";
    const KEY: &'static str = "ItemCode";
}

/// A row with all of its fields kept besides the typed ones (`rest` holds every field, the typed ones too):
/// for fields each administration names itself, such as AFAS free fields (`U…`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WithRest<T> {
    #[serde(flatten)]
    pub row: T,
    #[serde(flatten)]
    pub rest: std::collections::BTreeMap<String, serde_json::Value>,
}

impl<T: GetConnectorRow> GetConnectorRow for WithRest<T> {
    const CONNECTOR: &'static str = T::CONNECTOR;
    const KEY: &'static str = T::KEY;

    fn query() -> GetQuery {
        T::query()
    }
}

/// `Profit_Article_Basic`: the price on the basic price list (`Profit_Article` has none).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ArticleBasic {
    #[serde(rename = "ItemCode")]
    pub item_code: String,
    #[serde(rename = "BasicSalesPrice", default, deserialize_with = "option_number::deserialize")]
    pub sales_price: Option<Decimal>,
}

impl GetConnectorRow for ArticleBasic {
    const CONNECTOR: &'static str = "Profit_Article_Basic";
    const KEY: &'static str = "ItemCode";
}

/// `Profit_Barcode_per_Item`: one row per barcode of an article: its own (without dimension codes) and, for a
/// dimension article, one per dimension combination with the codes a sales line names (`StL1`, `StL2`). Several
/// rows share an item, so rows are looked up by `ItemCode` and paged by `ItemCode` and `Barcode`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BarcodeRow {
    #[serde(rename = "ItemCode")]
    pub item_code: String,
    #[serde(rename = "Barcode", default)]
    pub barcode: Option<String>,
    #[serde(rename = "StockDimCode1", default)]
    pub stock_dim_code1: Option<String>,
    #[serde(rename = "StockDimCode2", default)]
    pub stock_dim_code2: Option<String>,
    #[serde(rename = "UnitId", default)]
    pub unit: Option<String>,
}

impl GetConnectorRow for BarcodeRow {
    const CONNECTOR: &'static str = "Profit_Barcode_per_Item";
    const KEY: &'static str = "ItemCode";

    fn query() -> GetQuery {
        GetQuery::new(Self::CONNECTOR, [Self::KEY, "Barcode"])
    }
}

/// `Profit_SalesPrice` ("Price list per debtor"): the prices valid on a reference date. Its first five fields
/// are inputs, filtered on to ask the question: `Date` (the reference date; today without a filter), `Volume`
/// (true: each volume break is a row, `quantity` its lower bound), `Level` (the price list, as Koppel reads
/// "price level"), `Debtor` and `Currency`. Several rows share an item, so page by `Item` and `Quantity`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SalesPrice {
    #[serde(rename = "Debtor", default)]
    pub debtor: Option<String>,
    /// The reference date as AFAS shows it (date-time text, Amsterdam local time).
    #[serde(rename = "Date", default)]
    pub date: Option<String>,
    #[serde(rename = "Currency", default)]
    pub currency: Option<String>,
    #[serde(rename = "Volume", default)]
    pub volume: Option<bool>,
    #[serde(rename = "Level", default)]
    pub level: Option<String>,
    #[serde(rename = "Item")]
    pub item: String,
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    #[serde(rename = "Quantity", default, deserialize_with = "option_number::deserialize")]
    pub quantity: Option<Decimal>,
    #[serde(rename = "Unit", default)]
    pub unit: Option<String>,
    #[serde(rename = "GrossPrice", default, deserialize_with = "option_number::deserialize")]
    pub gross_price: Option<Decimal>,
    #[serde(rename = "Discount", default, deserialize_with = "option_number::deserialize")]
    pub discount: Option<Decimal>,
    #[serde(rename = "Nettoprijs", default, deserialize_with = "option_number::deserialize")]
    pub net_price: Option<Decimal>,
}

impl GetConnectorRow for SalesPrice {
    const CONNECTOR: &'static str = "Profit_SalesPrice";
    const KEY: &'static str = "Item";
}

/// `Profit_Stock_per_Warehouse`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StockPerWarehouse {
    #[serde(rename = "Item_code")]
    pub item_code: String,
    #[serde(rename = "Warehouse", default)]
    pub warehouse: Option<String>,
    #[serde(rename = "In_stock", default, deserialize_with = "option_number::deserialize")]
    pub in_stock: Option<Decimal>,
    #[serde(rename = "Unit", default)]
    pub unit: Option<String>,
    #[serde(rename = "ModifiedDate", default, deserialize_with = "local_date_time")]
    pub modified: Option<NaiveDateTime>,
}

impl GetConnectorRow for StockPerWarehouse {
    const CONNECTOR: &'static str = "Profit_Stock_per_Warehouse";
    const KEY: &'static str = "Item_code";
}

/// `Profit_Salesorders`: used to find orders already sent (by `CustomerReference` = `RfCs`) and to read back
/// what an order booked (`InvoiceTotal` incl. VAT, `VAT`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SalesOrderRow {
    #[serde(rename = "OrderNumber")]
    pub order_number: String,
    #[serde(rename = "Ordersoort", default)]
    pub order_kind: Option<String>,
    #[serde(rename = "Status", default)]
    pub status: Option<String>,
    #[serde(rename = "DebtorId", default)]
    pub debtor_id: Option<String>,
    #[serde(rename = "CustomerReference", default)]
    pub customer_reference: Option<String>,
    #[serde(rename = "TotalAmount", default, deserialize_with = "option_number::deserialize")]
    pub total_amount: Option<Decimal>,
    #[serde(rename = "VAT", default, deserialize_with = "option_number::deserialize")]
    pub vat: Option<Decimal>,
    #[serde(rename = "InvoiceTotal", default, deserialize_with = "option_number::deserialize")]
    pub invoice_total: Option<Decimal>,
    #[serde(rename = "OrderDate", default, deserialize_with = "local_date_time")]
    pub order_date: Option<NaiveDateTime>,
    #[serde(rename = "ModifiedDate", default, deserialize_with = "local_date_time")]
    pub modified: Option<NaiveDateTime>,
}

impl GetConnectorRow for SalesOrderRow {
    const CONNECTOR: &'static str = "Profit_Salesorders";
    const KEY: &'static str = "OrderNumber";
}

/// `Profit_SalesorderLines`: a sales order's lines, with what of each went out (`QuantityDelivered`, a field
/// the tenant adds to the connector: Profit keeps it from the packing slips).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SalesOrderLineRow {
    #[serde(rename = "OrderNumber")]
    pub order_number: String,
    #[serde(rename = "SeqNo", default)]
    pub sequence: Option<i64>,
    #[serde(rename = "ItemCodeId", default)]
    pub item_code: Option<String>,
    #[serde(rename = "Quantity", default, deserialize_with = "option_number::deserialize")]
    pub quantity: Option<Decimal>,
    #[serde(
        rename = "QuantityDelivered",
        default,
        deserialize_with = "option_number::deserialize"
    )]
    pub delivered: Option<Decimal>,
}

/// Looked up by order number (`KEY`), sorted by number and line.
impl GetConnectorRow for SalesOrderLineRow {
    const CONNECTOR: &'static str = "Profit_SalesorderLines";
    const KEY: &'static str = "OrderNumber";

    fn query() -> GetQuery {
        GetQuery::new(Self::CONNECTOR, [Self::KEY, "SeqNo"])
    }
}

/// `Profit_SalesQuotations`: quotations, read by modification time (`ModifiedDate`) and found by number.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SalesQuotationRow {
    #[serde(rename = "QuotationNumber")]
    pub quotation_number: String,
    #[serde(rename = "Status", default)]
    pub status: Option<String>,
    #[serde(rename = "QuotationDate", default, deserialize_with = "local_date_time")]
    pub quotation_date: Option<NaiveDateTime>,
    #[serde(rename = "DebtorId", default)]
    pub debtor_id: Option<String>,
    #[serde(rename = "CustomerReference", default)]
    pub customer_reference: Option<String>,
    /// Whether the lines' prices include VAT (the quotation's `InVa`): a field the tenant adds to the
    /// connector; without it the prices are read as AFAS's default, excl. VAT.
    #[serde(rename = "PricesIncludeVat", default)]
    pub prices_include_vat: Option<bool>,
    #[serde(rename = "ModifiedDate", default, deserialize_with = "local_date_time")]
    pub modified: Option<NaiveDateTime>,
}

impl GetConnectorRow for SalesQuotationRow {
    const CONNECTOR: &'static str = "Profit_SalesQuotations";
    const KEY: &'static str = "QuotationNumber";
}

/// `Profit_SalesQuotationLines`: the lines of the quotations. Profit has no standard GetConnector for them,
/// so the tenant adds this one (fields as listed here). Lines are unique by (`QuotationNumber`, `SeqNo`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SalesQuotationLineRow {
    #[serde(rename = "QuotationNumber")]
    pub quotation_number: String,
    #[serde(rename = "SeqNo", default)]
    pub sequence: Option<i64>,
    #[serde(rename = "ItemCode", default)]
    pub item_code: Option<String>,
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    #[serde(rename = "Quantity", default, deserialize_with = "option_number::deserialize")]
    pub quantity: Option<Decimal>,
    /// The price per unit as the quotation has it (incl. or excl. VAT as the quotation is priced).
    #[serde(rename = "PricePerUnit", default, deserialize_with = "option_number::deserialize")]
    pub price_per_unit: Option<Decimal>,
    #[serde(rename = "VatCode", default)]
    pub vat_code: Option<String>,
    #[serde(rename = "ModifiedDate", default, deserialize_with = "local_date_time")]
    pub modified: Option<NaiveDateTime>,
}

/// Looked up by quotation number (`KEY`); sorted by number and line, so a quotation's lines stay in order.
impl GetConnectorRow for SalesQuotationLineRow {
    const CONNECTOR: &'static str = "Profit_SalesQuotationLines";
    const KEY: &'static str = "QuotationNumber";

    fn query() -> GetQuery {
        GetQuery::new(Self::CONNECTOR, [Self::KEY, "SeqNo"])
    }
}

/// `Profit_VAT_code`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VatCode {
    #[serde(rename = "VatCode")]
    pub code: String,
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    #[serde(rename = "VatPerc", default, deserialize_with = "option_number::deserialize")]
    pub percentage: Option<Decimal>,
    #[serde(rename = "Blocked", default)]
    pub blocked: Option<bool>,
}

impl GetConnectorRow for VatCode {
    const CONNECTOR: &'static str = "Profit_VAT_code";
    const KEY: &'static str = "VatCode";
}

/// `Profit_Warehouses`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Warehouse {
    #[serde(rename = "Warehouse")]
    pub code: String,
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    #[serde(rename = "Blocked", default)]
    pub blocked: Option<bool>,
}

impl GetConnectorRow for Warehouse {
    const CONNECTOR: &'static str = "Profit_Warehouses";
    const KEY: &'static str = "Warehouse";
}

/// `Profit_Transactions`: one row per line of a financial entry; used to find entries already booked by
/// voucher number (`VoucherNo` = `BpNr`). Lines are unique by (`EntryNo`, `SeqNo`), the order to page by.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TransactionRow {
    #[serde(rename = "EntryNo")]
    pub entry_number: i64,
    #[serde(rename = "SeqNo", default)]
    pub sequence: Option<i64>,
    #[serde(rename = "VoucherNo", default)]
    pub voucher_number: Option<String>,
    #[serde(rename = "JournalId", default)]
    pub journal: Option<String>,
    #[serde(rename = "AccountNo", default)]
    pub account: Option<String>,
    #[serde(rename = "AmtDebit", default, deserialize_with = "option_number::deserialize")]
    pub debit: Option<Decimal>,
    #[serde(rename = "AmtCredit", default, deserialize_with = "option_number::deserialize")]
    pub credit: Option<Decimal>,
}

impl TransactionRow {
    pub const CONNECTOR: &'static str = "Profit_Transactions";

    /// A query for all lines, in entry and line order.
    pub fn query() -> GetQuery {
        GetQuery::new(Self::CONNECTOR, ["EntryNo", "SeqNo"])
    }
}

/// AFAS date-times: `2026-11-29T10:15:00Z` (or with fractions), Amsterdam local time despite the `Z`.
fn local_date_time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDateTime>, D::Error> {
    let Some(text) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let local = text.trim().trim_end_matches('Z');
    if local.is_empty() {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| chrono::NaiveDate::parse_from_str(local, "%Y-%m-%d").map(|d| d.and_time(Default::default())))
        .map(Some)
        .map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A JSON value of any shape, a few levels deep: what a GetConnector row's field might hold.
    fn any_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(|f| serde_json::json!(f)),
            "\\PC{0,30}".prop_map(serde_json::Value::from),
            Just(serde_json::json!("2026-13-45T25:61:00Z")),
            Just(serde_json::json!("1e400")),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                prop::collection::btree_map("\\w{1,8}", inner, 0..4)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    /// Rows with every known field set to anything: read or refused with an error, never a panic.
    fn read_every_row(fields: &[(&str, serde_json::Value)]) {
        let row = serde_json::Value::Object(fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect());
        let _ = serde_json::from_value::<Debtor>(row.clone());
        let _ = serde_json::from_value::<Article>(row.clone());
        let _ = serde_json::from_value::<StockPerWarehouse>(row.clone());
        let _ = serde_json::from_value::<SalesOrderRow>(row.clone());
        let _ = serde_json::from_value::<SalesQuotationRow>(row.clone());
        let _ = serde_json::from_value::<SalesQuotationLineRow>(row.clone());
        let _ = serde_json::from_value::<TransactionRow>(row.clone());
        let _ = serde_json::from_value::<SalesPrice>(row.clone());
        let _ = serde_json::from_value::<DeliveryAddressRow>(row.clone());
        let _ = serde_json::from_value::<DiscountGroupLine>(row.clone());
        let _ = serde_json::from_value::<BarcodeRow>(row);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_row_is_read_or_refused_without_a_panic(values in prop::collection::vec(any_json(), 19)) {
            let names = ["DebtorId", "CreditLimit", "ModifiedDate", "Email", "ItemCode", "In_stock", "OrderNumber",
                "EntryNo", "AmtDebit", "VoucherNo", "SeqNo", "CustomerReference", "Item", "Quantity", "Nettoprijs",
                "DiscountGroup", "DiscountPercentage", "StartDate", "EndDate"];
            let fields: Vec<(&str, serde_json::Value)> = names.iter().copied().zip(values).collect();
            read_every_row(&fields);
        }

        #[test]
        fn arbitrary_text_as_a_getconnector_answer_never_panics(text in "\\PC{0,200}") {
            let _ = serde_json::from_str::<Vec<TransactionRow>>(&text);
            let _ = serde_json::from_str::<Vec<Debtor>>(&text);
        }
    }

    #[test]
    fn a_debtor_row_reads_with_exact_amounts_and_local_times() {
        let row: Debtor = serde_json::from_value(serde_json::json!({
            "DebtorId": "10001", "DebtorName": "Jansen BV", "CreditLimit": 2500.1, "Blocked": false,
            "Email": null, "ModifiedDate": "2026-11-29T10:15:00Z", "Unknown": 1
        }))
        .unwrap();
        assert_eq!(row.credit_limit.unwrap().to_string(), "2500.1");
        assert_eq!(row.modified.unwrap().to_string(), "2026-11-29 10:15:00");
        assert_eq!(row.email, None);
    }

    #[test]
    fn a_discount_group_line_reads_its_exact_percentage_and_dates() {
        let row: DiscountGroupLine = serde_json::from_value(serde_json::json!({
            "DiscountGroup": "GROOT", "Description": "Groothandel", "ArtGroup": "300", "DiscountPercentage": 7.5,
            "StartDate": "2026-01-01T00:00:00Z", "EndDate": null
        }))
        .unwrap();
        assert_eq!(row.discount_group, "GROOT");
        assert_eq!(row.description.as_deref(), Some("Groothandel"));
        assert_eq!(row.article_group.as_deref(), Some("300"));
        assert_eq!(row.discount_percentage, Some(Decimal::new(75, 1)));
        assert_eq!(row.start_date.unwrap().to_string(), "2026-01-01 00:00:00");
        assert_eq!(row.end_date, None);
        let debtor: Debtor =
            serde_json::from_value(serde_json::json!({"DebtorId": "10001", "DiscountGroup": "HOR"})).unwrap();
        assert_eq!(debtor.discount_group.as_deref(), Some("HOR"));
        let without: Debtor = serde_json::from_value(serde_json::json!({"DebtorId": "10002"})).unwrap();
        assert_eq!(without.discount_group, None);
    }

    #[test]
    fn barcode_rows_and_articles_read_their_dimensions() {
        let row: BarcodeRow = serde_json::from_value(serde_json::json!({
            "ItemType": "Art", "ItemCode": "1030", "UnitId": "stk", "BarcodeType": "3", "Barcode": "8712345100007",
            "StockDimCode1": "ROOD", "StockDimCode2": "M", "SerialNumber": null, "BatchNumber": null,
            "DebtorId": null, "CreditorId": null
        }))
        .unwrap();
        assert_eq!(row.item_code, "1030");
        assert_eq!(row.barcode.as_deref(), Some("8712345100007"));
        assert_eq!(
            (row.stock_dim_code1.as_deref(), row.stock_dim_code2.as_deref()),
            (Some("ROOD"), Some("M"))
        );
        assert_eq!(row.unit.as_deref(), Some("stk"));
        let own: BarcodeRow =
            serde_json::from_value(serde_json::json!({"ItemCode": "1030", "Barcode": "1", "StockDimCode1": null}))
                .unwrap();
        assert_eq!((own.stock_dim_code1, own.stock_dim_code2), (None, None));
        let article: Article = serde_json::from_value(serde_json::json!({
            "ItemCode": "1030", "StockDimId1": "KLEUR", "StockDimId2": "MATEN"
        }))
        .unwrap();
        assert_eq!(article.stock_dim_id1.as_deref(), Some("KLEUR"));
        assert_eq!(article.stock_dim_id2.as_deref(), Some("MATEN"));
        let plain: Article = serde_json::from_value(serde_json::json!({"ItemCode": "1000"})).unwrap();
        assert_eq!((plain.stock_dim_id1, plain.stock_dim_id2), (None, None));
    }

    #[test]
    fn a_sales_price_row_reads_its_inputs_and_exact_prices() {
        let row: SalesPrice = serde_json::from_value(serde_json::json!({
            "Debtor": null, "Date": "2026-12-05T00:00:00Z", "Currency": "EUR", "Volume": true, "Level": "HOR",
            "Item": "1003", "Description": "Sneaker wit S", "Quantity": 6.0, "Unit": "stk", "GrossPrice": 89.96,
            "Discount": 15.0, "Nettoprijs": 74.96
        }))
        .unwrap();
        assert_eq!(row.item, "1003");
        assert_eq!((row.level.as_deref(), row.debtor), (Some("HOR"), None));
        assert_eq!(row.date.as_deref(), Some("2026-12-05T00:00:00Z"));
        assert_eq!(row.quantity, Some(Decimal::from(6)));
        assert_eq!(row.gross_price.unwrap().to_string(), "89.96");
        assert_eq!(row.discount, Some(Decimal::from(15)));
        assert_eq!(row.net_price.unwrap().to_string(), "74.96");
    }
}

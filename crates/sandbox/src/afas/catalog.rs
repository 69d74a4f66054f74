//! The GetConnectors the simulator offers and their fields (what `metainfo/get/{name}` describes). The field
//! ids are listed in the `get_connectors` module.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::table::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataType {
    String,
    Int,
    Decimal,
    Boolean,
    Date,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDef {
    pub id: String,
    pub data_type: DataType,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub length: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectorDef {
    pub id: String,
    #[serde(default)]
    pub description: String,
    pub fields: Vec<FieldDef>,
}

impl ConnectorDef {
    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|field| field.id == id)
    }
}

/// A GetConnector configured through `/_sandbox/get-connectors`: either fixed rows, or a view on a standard
/// connector (`source`) whose fields may be renamed (`FieldDef.id` ← `source_fields[i]`).
#[derive(Debug, Clone)]
pub struct CustomConnector {
    pub def: ConnectorDef,
    pub source: Option<String>,
    /// For a view: the source field of each of `def.fields`, in the same order.
    pub source_fields: Vec<String>,
    /// For fixed rows: the rows.
    pub rows: Vec<Row>,
}

/// Where a standard connector's rows come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backing {
    /// A materialised table (see `views`), with equality indexes on these fields.
    Table(&'static [&'static str]),
    /// Computed per request from the stored sales prices: `Profit_SalesPrice`'s rows depend on its filter
    /// inputs (reference date, volume display), so they cannot be kept materialised.
    SalesPrices,
}

use Backing::{SalesPrices, Table};
use DataType::{Boolean as B, Date as D, Decimal as N, Int as I, String as S};

/// (connector id, description, fields as (id, type, length), backing).
type BuiltIn = (
    &'static str,
    &'static str,
    &'static [(&'static str, DataType, u32)],
    Backing,
);

const BUILT_INS: &[BuiltIn] = &[
    (
        "Profit_Administrations",
        "Administrations",
        &[("AdminId", I, 0), ("AdminNm", S, 80), ("AdminCd", S, 10)],
        Table(&[]),
    ),
    (
        "Profit_Warehouses",
        "Warehouses",
        &[
            ("Warehouse", S, 15),
            ("Description", S, 50),
            ("UnitIdFin", I, 0),
            ("Blocked", B, 0),
        ],
        Table(&[]),
    ),
    (
        "Profit_VAT_code",
        "VAT codes",
        &[
            ("VatCode", S, 4),
            ("Description", S, 50),
            ("AccountNr", S, 16),
            ("VatPerc", N, 0),
            ("VatDuty", S, 3),
            ("Blocked", B, 0),
            ("VatMethod", S, 20),
            ("VatType", S, 20),
        ],
        Table(&[]),
    ),
    (
        "Profit_PaymentConditions",
        "Payment conditions",
        &[("PaymentCondition", S, 5), ("Description", S, 50), ("Days", I, 0)],
        Table(&[]),
    ),
    (
        "Profit_PaymentMethods",
        "Payment methods",
        &[("PaymentMethod", S, 5), ("Description", S, 50)],
        Table(&[]),
    ),
    (
        "Profit_Debtor",
        "Debtors",
        &[
            ("DebtorId", S, 16),
            ("DebtorName", S, 255),
            ("BcCo", S, 15),
            ("SearchName", S, 10),
            ("AdressLine1", S, 255),
            ("AdressLine3", S, 255),
            ("AdressLine4", S, 255),
            ("CountryId", S, 3),
            ("TelNr", S, 20),
            ("Email", S, 255),
            ("IBAN", S, 40),
            ("VatNr", S, 20),
            ("ChOfCommNr", S, 30),
            ("CollectAccount", S, 16),
            ("PayCon", S, 5),
            ("VatDuty", S, 3),
            ("Blocked", B, 0),
            ("CreditLimit", N, 0),
            ("CurrencyId", S, 3),
            ("AutoPayment", B, 0),
            ("PriceList", S, 5),
            ("LineDiscount", N, 0),
            ("DiscountGroup", S, 5),
            ("CreateDate", D, 0),
            ("ModifiedDate", D, 0),
        ],
        Table(&["DebtorId", "BcCo", "Email", "VatNr"]),
    ),
    (
        "Profit_Contacts",
        "Contacts of organisations",
        &[
            ("ContactId", S, 40),
            ("OrganisationCode", S, 15),
            ("PersonCode", S, 15),
            ("Name", S, 255),
            ("Function", S, 255),
            ("Email", S, 255),
            ("TelNr", S, 20),
        ],
        Table(&["OrganisationCode", "Email"]),
    ),
    (
        "Profit_Deliveryaddress",
        "Addresses at contacts (all)",
        &[
            ("ContactId", I, 0),
            ("OrgId", S, 15),
            ("Bedrijf", S, 255),
            ("Tel", S, 20),
            ("Mail", S, 255),
            ("Is_debiteur", B, 0),
            ("Adrestype_code", S, 10),
            ("A_Straat", S, 60),
            ("A_Huisnummer", I, 0),
            ("A_Toev_Huisnr.", S, 30),
            ("A_Postcode", S, 15),
            ("A_Woonplaats", S, 50),
            ("A_Land", S, 3),
            ("DebiteurID", S, 16),
            ("Gewijzigd_op", D, 0),
        ],
        Table(&["DebiteurID", "OrgId"]),
    ),
    (
        "Profit_Article",
        "Articles",
        &[
            ("ItemCode", S, 40),
            ("Description", S, 100),
            ("ExtraDescription", S, 255),
            ("UnitId", S, 15),
            ("Factor", N, 0),
            ("ArtGroup", S, 15),
            ("Blocked", B, 0),
            ("Barcode", S, 30),
            ("VATGroup", S, 4),
            ("ItemSortCode", S, 10),
            ("ItemTypeCode", S, 10),
            ("Stock", B, 0),
            ("BitDecimals", I, 0),
            ("PriceGroup", S, 10),
            ("StockCode", S, 10),
            ("StockDimId1", S, 10),
            ("StockDimId2", S, 10),
            ("SalesPrice", N, 0),
            ("CreateDate", D, 0),
            ("ModifiedDate", D, 0),
            // Free fields of the sandbox's administration (`seed::WEBSHOP_FIELD`, `seed::BRAND_FIELD`).
            ("U7E1F0A2B_Webshop", B, 0),
            ("U7E1F0A2C_Merk", S, 40),
        ],
        Table(&["ItemCode", "Barcode"]),
    ),
    (
        "Profit_Barcode_per_Item",
        "Barcode per item",
        &[
            ("ItemType", S, 10),
            ("ItemCode", S, 40),
            ("UnitId", S, 15),
            ("BarcodeType", S, 20),
            ("Barcode", S, 30),
            ("StockDimCode1", S, 10),
            ("StockDimCode2", S, 10),
            ("SerialNumber", S, 100),
            ("BatchNumber", S, 40),
            ("DebtorId", S, 16),
            ("CreditorId", S, 16),
        ],
        Table(&["ItemCode", "Barcode"]),
    ),
    (
        "Profit_Article_Basic",
        "Articles (basic)",
        &[
            ("ItemCode", S, 40),
            ("Description", S, 100),
            ("UnitId", S, 15),
            ("ArtGroup", S, 15),
            ("Blocked", B, 0),
            ("VATgroup", S, 4),
            ("BasicSalesPrice", N, 0),
            ("StockActual", N, 0),
            ("CreateDate", D, 0),
            ("DateModified", D, 0),
        ],
        Table(&["ItemCode"]),
    ),
    (
        "Profit_Stock_per_Warehouse",
        "Stock per warehouse",
        &[
            ("Item_code", S, 40),
            ("Warehouse", S, 15),
            ("Basisartikeltype_code", S, 10),
            ("In_stock", N, 0),
            ("Unit", S, 15),
            ("Stock_level_code", S, 10),
            ("ModifiedDate", D, 0),
        ],
        Table(&["Item_code", "Warehouse"]),
    ),
    (
        "Profit_Salesorders",
        "Sales orders",
        &[
            ("OrderNumber", S, 12),
            ("Ordersoort", S, 30),
            ("Status", S, 30),
            ("OrderDate", D, 0),
            ("DebtorId", S, 16),
            ("CurrencyId", S, 3),
            ("CustomerReference", S, 100),
            ("Warehouse", S, 15),
            ("Gross", N, 0),
            ("Discount", N, 0),
            ("TotalAmount", N, 0),
            ("VAT", N, 0),
            ("Quantity", N, 0),
            ("InvoiceTotal", N, 0),
            ("InvoiceNumber", S, 12),
            ("CreateDate", D, 0),
            ("ModifiedDate", D, 0),
        ],
        Table(&["OrderNumber", "CustomerReference", "DebtorId"]),
    ),
    (
        "Profit_SalesorderLines",
        "Sales order lines",
        &[
            ("OrderNumber", S, 12),
            ("SeqNo", I, 0),
            ("LineGuid", S, 40),
            ("ItemTypeCode", S, 10),
            ("ItemCodeId", S, 40),
            ("Description", S, 255),
            ("UnitId", S, 15),
            ("Quantity", N, 0),
            ("PricePerUnit", N, 0),
            ("AmtRowDiscount", N, 0),
            ("PriceNet", N, 0),
            ("AmtTotal", N, 0),
            ("VatCode", S, 4),
            ("Warehouse", S, 15),
            // What of the line went out (packing slips): a field the tenant adds to the connector.
            ("QuantityDelivered", N, 0),
            ("CreateDate", D, 0),
            ("ModifiedDate", D, 0),
        ],
        Table(&["OrderNumber", "ItemCodeId"]),
    ),
    (
        "Profit_SalesQuotations",
        "Sales quotations",
        &[
            ("QuotationNumber", S, 12),
            ("Status", S, 30),
            ("QuotationDate", D, 0),
            ("DebtorId", S, 16),
            ("CurrencyId", S, 3),
            ("CustomerReference", S, 100),
            ("PricesIncludeVat", B, 0),
            ("TotalAmount", N, 0),
            ("VAT", N, 0),
            ("CreateDate", D, 0),
            ("ModifiedDate", D, 0),
        ],
        Table(&["QuotationNumber", "CustomerReference"]),
    ),
    (
        "Profit_SalesQuotationLines",
        "Sales quotation lines",
        &[
            ("QuotationNumber", S, 12),
            ("SeqNo", I, 0),
            ("ItemCode", S, 40),
            ("Description", S, 255),
            ("Quantity", N, 0),
            ("PricePerUnit", N, 0),
            ("VatCode", S, 4),
            ("ModifiedDate", D, 0),
        ],
        Table(&["QuotationNumber", "ItemCode"]),
    ),
    (
        "Profit_SalesPrice",
        "Price list per debtor",
        &[
            ("Debtor", S, 16),
            ("Date", D, 0),
            ("Currency", S, 3),
            ("Volume", B, 0),
            ("Level", S, 5),
            ("Item", S, 40),
            ("Description", S, 100),
            ("Quantity", N, 0),
            ("Unit", S, 15),
            ("GrossPrice", N, 0),
            ("Discount", N, 0),
            ("Nettoprijs", N, 0),
        ],
        SalesPrices,
    ),
    (
        "Profit_Transactions",
        "Financial entries, one row per entry line",
        &[
            ("UnitId", I, 0),
            ("EntryNo", I, 0),
            ("SeqNo", I, 0),
            ("Year", I, 0),
            ("Period", I, 0),
            ("JournalId", S, 6),
            ("AccountNo", S, 16),
            ("AmtDebit", N, 0),
            ("AmtCredit", N, 0),
            ("EntryDate", D, 0),
            ("InvoiceId", S, 12),
            ("VoucherDate", D, 0),
            ("VoucherNo", S, 32),
            ("VatCode", S, 3),
            ("VatAmt", N, 0),
            ("Description", S, 255),
            ("Created", D, 0),
            ("Modified", D, 0),
        ],
        Table(&["VoucherNo", "EntryNo", "AccountNo"]),
    ),
    (
        "Profit_Journals",
        "Journals",
        &[
            ("UnitId", I, 0),
            ("JournalId", S, 6),
            ("Description", S, 50),
            ("JournalType", S, 20),
            ("Blocked", B, 0),
        ],
        Table(&[]),
    ),
    (
        "Profit_Accounts",
        "Ledger accounts",
        &[
            ("Account", S, 16),
            ("Description", S, 50),
            ("Type", S, 20),
            ("Sort", S, 20),
            ("Blocked", B, 0),
            ("CollectAccount", B, 0),
            ("CollectAccountType", S, 20),
            ("Feature", S, 20),
            ("CollectOn", S, 20),
            ("VatAllowed", B, 0),
            ("VatCode", S, 3),
            ("Budget", S, 20),
            ("ToProject", S, 20),
            ("DimAx1", S, 20),
            ("DimAx2", S, 20),
            ("DimAx3", S, 20),
            ("DimAx4", S, 20),
            ("DimAx5", S, 20),
        ],
        Table(&[]),
    ),
    (
        // Not a standard connector: the one Koppel documents for the customer to import (Profit publishes no
        // GetConnector for discount group lines). One row per line of a sales discount group.
        "Koppel_DiscountGroups",
        "Discount groups (sales), one row per line",
        &[
            ("DiscountGroup", S, 5),
            ("Description", S, 50),
            ("ArtGroup", S, 15),
            ("DiscountPercentage", N, 0),
            ("StartDate", D, 0),
            ("EndDate", D, 0),
        ],
        Table(&["DiscountGroup", "ArtGroup"]),
    ),
];

/// The standard GetConnectors' definitions, with where their rows come from.
static BUILT_IN_DEFS: LazyLock<Vec<(ConnectorDef, Backing)>> = LazyLock::new(|| {
    BUILT_INS
        .iter()
        .map(|(id, description, fields, backing)| {
            let def = ConnectorDef {
                id: (*id).to_owned(),
                description: (*description).to_owned(),
                fields: fields
                    .iter()
                    .map(|(field, data_type, length)| FieldDef {
                        id: (*field).to_owned(),
                        data_type: *data_type,
                        label: (*field).to_owned(),
                        length: *length,
                    })
                    .collect(),
            };
            (def, *backing)
        })
        .collect()
});

pub(crate) fn built_in_connectors() -> &'static [(ConnectorDef, Backing)] {
    &BUILT_IN_DEFS
}

pub(crate) fn built_in(id: &str) -> Option<&'static ConnectorDef> {
    BUILT_IN_DEFS.iter().map(|(def, _)| def).find(|def| def.id == id)
}

pub(crate) fn backing(id: &str) -> Option<Backing> {
    BUILT_IN_DEFS
        .iter()
        .find(|(def, _)| def.id == id)
        .map(|(_, backing)| *backing)
}

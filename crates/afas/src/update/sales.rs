//! Sales documents: orders (`FbSales` + `FbSalesLines`), direct invoices (`FbDirectInvoice` +
//! `FbDirectInvoiceLines`) and quotations (`FbSalesQuotation` + `FbSalesQuotationLines`). The three share their
//! header and line shape; only the connector and line object names differ.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;

use super::{ElementBuilder, UpdateConnector, wire};

/// Which sales connector a document goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalesDocumentKind {
    Order,
    DirectInvoice,
    Quotation,
}

impl SalesDocumentKind {
    pub fn connector(self) -> &'static str {
        match self {
            Self::Order => "FbSales",
            Self::DirectInvoice => "FbDirectInvoice",
            Self::Quotation => "FbSalesQuotation",
        }
    }

    fn lines_object(self) -> &'static str {
        match self {
            Self::Order => "FbSalesLines",
            Self::DirectInvoice => "FbDirectInvoiceLines",
            Self::Quotation => "FbSalesQuotationLines",
        }
    }

    /// Whether the connector's header has a transporter (`TrPt`): `FbDirectInvoice` has none in the official
    /// schema (a direct invoice is not shipped), and AFAS refuses a field its connector lacks.
    pub fn has_transporter(self) -> bool {
        !matches!(self, Self::DirectInvoice)
    }

    /// The field AFAS returns the document number in.
    pub fn number_field(self) -> &'static str {
        "OrNu"
    }
}

/// An order, direct invoice or quotation with its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesDocument {
    pub kind: SalesDocumentKind,
    pub header: SalesHeader,
    pub lines: Vec<SalesLine>,
}

impl UpdateConnector for SalesDocument {
    fn connector(&self) -> &'static str {
        self.kind.connector()
    }

    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        let lines = self
            .lines
            .iter()
            .map(|line| ElementBuilder::new(line).build())
            .collect::<Result<_, _>>()?;
        // Each connector gets only the header fields its own schema has.
        let header = match self.kind.has_transporter() {
            true => std::borrow::Cow::Borrowed(&self.header),
            false => std::borrow::Cow::Owned(SalesHeader {
                transporter: None,
                ..self.header.clone()
            }),
        };
        ElementBuilder::new(header.as_ref())
            .object(self.kind.lines_object(), lines)
            .build()
    }
}

/// Header fields common to `FbSales`, `FbDirectInvoice` and `FbSalesQuotation`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SalesHeader {
    /// Document number: empty on insert (AFAS assigns it), required on update.
    #[serde(rename = "OrNu", skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(rename = "OrDa", skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// The debtor (sales relation); required on insert.
    #[serde(rename = "DbId")]
    pub debtor_id: String,
    #[serde(rename = "FaTo", skip_serializing_if = "Option::is_none")]
    pub invoice_to: Option<String>,
    #[serde(rename = "DaDe", skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<NaiveDate>,
    #[serde(rename = "CuId", skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(
        rename = "Rate",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub exchange_rate: Option<Decimal>,
    /// The external reference (e.g. the MplusKASSA order); the key for finding a document already sent.
    #[serde(rename = "RfCs", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(rename = "VaDu", skip_serializing_if = "Option::is_none")]
    pub vat_duty: Option<String>,
    /// Whether the line prices include VAT.
    #[serde(rename = "InVa", skip_serializing_if = "Option::is_none")]
    pub prices_include_vat: Option<bool>,
    #[serde(rename = "PaCd", skip_serializing_if = "Option::is_none")]
    pub payment_condition: Option<String>,
    #[serde(rename = "PaTp", skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// The administration.
    #[serde(rename = "Unit", skip_serializing_if = "Option::is_none")]
    pub administration: Option<i64>,
    #[serde(rename = "War", skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
    /// The transporter (shipping method).
    #[serde(rename = "TrPt", skip_serializing_if = "Option::is_none")]
    pub transporter: Option<String>,
    #[serde(rename = "CrOr", skip_serializing_if = "Option::is_none")]
    pub credit: Option<bool>,
    #[serde(
        rename = "InPc",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub invoice_discount_percentage: Option<Decimal>,
    #[serde(rename = "PrId", skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(rename = "VeId", skip_serializing_if = "Option::is_none")]
    pub sales_representative: Option<String>,
    #[serde(rename = "DlAd", skip_serializing_if = "Option::is_none")]
    pub delivery_address_id: Option<i64>,
    #[serde(rename = "ExAd", skip_serializing_if = "Option::is_none")]
    pub delivery_address_note: Option<String>,
    #[serde(rename = "CoId", skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
}

/// AFAS's line item types (`VaIt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ItemType {
    #[serde(rename = "1")]
    WorkType,
    #[serde(rename = "2")]
    Article,
    #[serde(rename = "3")]
    Text,
    #[serde(rename = "4")]
    Subtotal,
    #[serde(rename = "5")]
    Surcharge,
    #[serde(rename = "6")]
    Costs,
    #[serde(rename = "7")]
    Composition,
    #[serde(rename = "8")]
    Course,
    #[serde(rename = "10")]
    ProductionIndicator,
    #[serde(rename = "11")]
    Dough,
    #[serde(rename = "14")]
    DimensionTotal,
}

/// Whether discounts are allowed on a line or price (`VaAD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DiscountAllowed {
    #[serde(rename = "0")]
    All,
    #[serde(rename = "1")]
    LineDiscountOnly,
    #[serde(rename = "2")]
    InvoiceDiscountOnly,
    #[serde(rename = "3")]
    None,
}

/// A line of a sales document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SalesLine {
    #[serde(rename = "VaIt")]
    pub item_type: ItemType,
    #[serde(rename = "ItCd")]
    pub item_code: String,
    #[serde(rename = "Ds", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// VAT rate group.
    #[serde(rename = "VaRc", skip_serializing_if = "Option::is_none")]
    pub vat_group: Option<String>,
    /// The unit, e.g. `stk`.
    #[serde(rename = "BiUn")]
    pub unit: String,
    /// Number of units.
    #[serde(rename = "QuUn", with = "wire::decimal")]
    pub quantity: Decimal,
    #[serde(rename = "PrLi", skip_serializing_if = "Option::is_none")]
    pub price_list: Option<String>,
    #[serde(rename = "War", skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
    #[serde(
        rename = "Upri",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub unit_price: Option<Decimal>,
    #[serde(
        rename = "CoPr",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub cost_price: Option<Decimal>,
    #[serde(rename = "VaAD", skip_serializing_if = "Option::is_none")]
    pub discount_allowed: Option<DiscountAllowed>,
    #[serde(
        rename = "PRDc",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub discount_percentage: Option<Decimal>,
    #[serde(
        rename = "ARDc",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub discount_amount: Option<Decimal>,
    /// Set when the discount above was entered by hand (so AFAS keeps it).
    #[serde(rename = "MaAD", skip_serializing_if = "Option::is_none")]
    pub manual_discount: Option<bool>,
    /// A GUID identifying the line, `{xxxxxxxx-...}` or plain.
    #[serde(rename = "GuLi", skip_serializing_if = "Option::is_none")]
    pub line_guid: Option<String>,
    #[serde(rename = "StL1", skip_serializing_if = "Option::is_none")]
    pub dimension1: Option<String>,
    #[serde(rename = "StL2", skip_serializing_if = "Option::is_none")]
    pub dimension2: Option<String>,
}

impl SalesLine {
    /// An article line with a price; the other fields are left to AFAS's defaults.
    pub fn article(item_code: &str, unit: &str, quantity: Decimal, unit_price: Option<Decimal>) -> Self {
        Self {
            item_type: ItemType::Article,
            item_code: item_code.to_owned(),
            description: None,
            vat_group: None,
            unit: unit.to_owned(),
            quantity,
            price_list: None,
            warehouse: None,
            unit_price,
            cost_price: None,
            discount_allowed: None,
            discount_percentage: None,
            discount_amount: None,
            manual_discount: None,
            line_guid: None,
            dimension1: None,
            dimension2: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn an_order_is_the_documented_fbsales_tree() {
        let order = SalesDocument {
            kind: SalesDocumentKind::Order,
            header: SalesHeader {
                debtor_id: "10001".into(),
                date: NaiveDate::from_ymd_opt(2026, 11, 29),
                reference: Some("MPLUS-1".into()),
                ..SalesHeader::default()
            },
            lines: vec![SalesLine::article(
                "1006",
                "stk",
                Decimal::from_str("1.5").unwrap(),
                Some(Decimal::from_str("261.72").unwrap()),
            )],
        };
        let body = order.body().unwrap();
        // Compared as JSON values: key order depends on serde_json features elsewhere in the build.
        let expected: serde_json::Value = serde_json::from_str(r#"{"FbSales":{"Element":{"Fields":{"DbId":"10001","OrDa":"2026-11-29","RfCs":"MPLUS-1"},"Objects":[{"FbSalesLines":{"Element":[{"Fields":{"BiUn":"stk","ItCd":"1006","QuUn":1.5,"Upri":261.72,"VaIt":"2"}}]}}]}}}"#).unwrap();
        assert_eq!(body, expected);
        let text = body.to_string();
        assert!(
            text.contains(r#""QuUn":1.5"#) && text.contains(r#""Upri":261.72"#),
            "exact decimals: {text}"
        );
    }
}

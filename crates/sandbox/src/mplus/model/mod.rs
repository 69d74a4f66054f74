//! The shop's records as MplusKASSA models them, and how each is written on the wire (element names and
//! nesting from the WSDL; [`super::schema`] puts the children in sequence order afterwards).
//!
//! Money is in cents, quantities are an integer plus `decimalPlaces`, dates are `{day, mon, year}` structs.

mod catalogue;
mod custom_field;
mod order;
mod receipt;
mod reference;
mod relation;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::xml::Element;

pub use catalogue::{Article, ArticleGroup, GroupPrice, Product};
pub use custom_field::{CustomFieldDefinition, CustomFieldValue, StoredCustomField};
pub use order::{Address, Invoice, Line, LineAmounts, Order, Payment, Proposal, Totals, ZERO_VAT_CODE};
pub use receipt::Receipt;
pub use reference::{
    ArticleDiscountGroup, Branch, DeliveryMethod, Employee, PaymentMethod, PriceGroup, TurnoverGroup, VatGroup,
};
pub use relation::{ArticleDiscount, DiscountTarget, DiscountTerms, RELATION_TEXT_FIELDS, Relation};

/// `SoapMplusDate`.
pub fn date_xml(name: &str, date: NaiveDate) -> Element {
    Element::new(name)
        .with_leaf("day", date.day())
        .with_leaf("mon", date.month())
        .with_leaf("year", date.year())
}

/// `SoapMplusDateTime`, in the backend's Europe/Amsterdam wall-clock time. `timezone` is sent as 0: the
/// field's unit is not documented, and clients should not depend on it.
pub fn datetime_xml(name: &str, at: NaiveDateTime) -> Element {
    Element::new(name)
        .with_leaf("sec", at.second())
        .with_leaf("min", at.minute())
        .with_leaf("hour", at.hour())
        .with_leaf("day", at.day())
        .with_leaf("mon", at.month())
        .with_leaf("year", at.year())
        .with_leaf("isdst", is_eu_summer_time(at))
        .with_leaf("timezone", 0)
}

/// EU summer time: from the last Sunday of March to the last Sunday of October (approximated at midnight).
pub fn is_eu_summer_time(at: NaiveDateTime) -> bool {
    let last_sunday = |month: u32| {
        let mut day = NaiveDate::from_ymd_opt(at.year(), month, 31).expect("March and October have 31 days");
        while day.weekday() != chrono::Weekday::Sun {
            day = day.pred_opt().expect("date in range");
        }
        day
    };
    let date = at.date();
    date >= last_sunday(3) && date < last_sunday(10)
}

/// Reads a `SoapMplusDate` struct.
pub fn parse_date(element: &Element) -> Option<NaiveDate> {
    let field = |name| element.text_of(name)?.parse::<i32>().ok();
    NaiveDate::from_ymd_opt(
        field("year")?,
        u32::try_from(field("mon")?).ok()?,
        u32::try_from(field("day")?).ok()?,
    )
}

/// Defines an enum with its wire values (upper case, hyphenated, as in the WSDL).
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn wire(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
            pub fn from_wire(value: &str) -> Option<Self> {
                match value { $($wire => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

wire_enum!(OrderType {
    Sales => "ORDER-TYPE-SALES-ORDER",
    RepeatSales => "ORDER-TYPE-REPEAT-SALES-ORDER",
    ExternalSales => "ORDER-TYPE-EXTERNAL-SALES-ORDER",
    Table => "ORDER-TYPE-TABLE-ORDER",
    Cafeteria => "ORDER-TYPE-CAFETERIA-ORDER",
});

impl OrderType {
    /// What `getOrders` returns when the request has no `orderTypeList`.
    pub const DEFAULT_FILTER: &'static [OrderType] =
        &[OrderType::Sales, OrderType::RepeatSales, OrderType::ExternalSales];
}

wire_enum!(VatMethod {
    Inclusive => "VAT-METHOD-INCLUSIVE",
    Exclusive => "VAT-METHOD-EXCLUSIVE",
    Shifted => "VAT-METHOD-SHIFTED",
    None => "VAT-METHOD-NONE",
});

wire_enum!(
    /// The three order state fields share one shape: NOTHING, PARTIAL or COMPLETE.
    Progress {
        Nothing => "NOTHING",
        Partial => "PARTIAL",
        Complete => "COMPLETE",
    }
);

wire_enum!(InvoiceState {
    Outstanding => "INVOICE-STATE-OUTSTANDING",
    PartlyPaid => "INVOICE-STATE-PARTLY-PAID",
    Paid => "INVOICE-STATE-PAID",
});

wire_enum!(ReceiptType {
    Receipt => "RECEIPT-TYPE-RECEIPT",
    CreditReceipt => "RECEIPT-TYPE-CREDIT-RECEIPT",
    CashInflow => "RECEIPT-TYPE-CASH-INFLOW",
    CashOutflow => "RECEIPT-TYPE-CASH-OUTFLOW",
    PaymentMethodTransfer => "RECEIPT-TYPE-PAYMENT-METHOD-TRANSFER",
});

wire_enum!(ReceiptState {
    Outstanding => "RECEIPT-STATE-OUTSTANDING",
    PartlyPaid => "RECEIPT-STATE-PARTLY-PAID",
    Paid => "RECEIPT-STATE-PAID",
    Handled => "RECEIPT-STATE-HANDLED",
    OutstandingCredit => "RECEIPT-STATE-OUTSTANDING-CREDIT",
});

wire_enum!(ProposalState {
    Outstanding => "PROPOSAL-STATE-OUTSTANDING",
    Order => "PROPOSAL-STATE-ORDER",
    Cancelled => "PROPOSAL-STATE-CANCELLED",
});

wire_enum!(PaymentMethodType {
    Payment => "PAYMENT-METHOD-TYPE-PAYMENT",
    Eft => "PAYMENT-METHOD-TYPE-EFT",
    Suspense => "PAYMENT-METHOD-TYPE-SUSPENSE",
    Deposit => "PAYMENT-METHOD-TYPE-DEPOSIT",
});

wire_enum!(
    /// `DataType`: what a custom field holds, and so which value element carries it.
    DataType {
        String => "DATA-TYPE-STRING",
        Int => "DATA-TYPE-INT",
        Decimal => "DATA-TYPE-DECIMAL",
        Bool => "DATA-TYPE-BOOL",
        Date => "DATA-TYPE-DATE",
        DateTime => "DATA-TYPE-DATETIME",
        Array => "DATA-TYPE-ARRAY",
        MultiSelectInt => "DATA-TYPE-MULTISELECTINT",
        Unknown => "DATA-TYPE-UNKNOWN",
        TextArray => "DATA-TYPE-TEXT-ARRAY",
    }
);

wire_enum!(StockHistoryType {
    Api => "STOCK-HISTORY-TYPE-API",
    Correction => "STOCK-HISTORY-TYPE-CORRECTION",
    Delivery => "STOCK-HISTORY-TYPE-DELIVERY",
    Sales => "STOCK-HISTORY-TYPE-SALES",
});

/// `amount * numerator / denominator`, rounded half away from zero (money rounding).
pub fn mul_div_round(amount: i64, numerator: i64, denominator: i64) -> i64 {
    let product = i128::from(amount) * i128::from(numerator);
    let denominator = i128::from(denominator);
    let rounded = (product.abs() * 2 + denominator) / (denominator * 2);
    (rounded * product.signum()) as i64
}

/// The price excluding VAT for a price including it.
pub fn excl_from_incl(incl: i64, vat_percentage: i32) -> i64 {
    mul_div_round(incl, 100, 100 + i64::from(vat_percentage))
}

/// The price including VAT for a price excluding it.
pub fn incl_from_excl(excl: i64, vat_percentage: i32) -> i64 {
    mul_div_round(excl, 100 + i64::from(vat_percentage), 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_rounds_half_away_from_zero() {
        assert_eq!(excl_from_incl(1210, 21), 1000);
        assert_eq!(excl_from_incl(995, 21), 822);
        assert_eq!(mul_div_round(-5, 1, 2), -3);
        assert_eq!(mul_div_round(5, 1, 2), 3);
        assert_eq!(incl_from_excl(1000, 9), 1090);
    }
}

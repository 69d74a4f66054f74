//! The till's financial journal (`getFinancialJournal`): per financial day and branch, the turnover per
//! turnover group (with its VAT per code), the payments per method, cash put in or taken out, and what is
//! still open, each with its ledger account. Amounts are exact euros (cents on the wire).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::orders::VatGroup;
use crate::wire;

/// An enum of wire values that reads a value it does not know as `Other(text)` (newer MplusKASSA versions
/// add values), and writes the wire value back.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($variant,)+
            /// A value this version of Koppel does not know, as sent.
            Other(String),
        }

        impl $name {
            /// The wire value.
            pub fn wire(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(text) => text,
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match text.trim() {
                    $($wire => $name::$variant,)+
                    _ => $name::Other(text),
                }
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.wire().to_owned()
            }
        }
    };
}

open_enum!(
    /// `FinancialGroupType`.
    FinancialGroupType {
        Turnover => "FINANCIAL-GROUP-TYPE-TURNOVER",
        Payment => "FINANCIAL-GROUP-TYPE-PAYMENT",
        SuspenseAccount => "FINANCIAL-GROUP-TYPE-SUSPENSE-ACCOUNT",
        CashInflow => "FINANCIAL-GROUP-TYPE-CASH-INFLOW",
        CashOutflow => "FINANCIAL-GROUP-TYPE-CASH-OUTFLOW",
        Bpe => "FINANCIAL-GROUP-TYPE-BPE",
        RefundableDeposit => "FINANCIAL-GROUP-TYPE-REFUNDABLE-DEPOSIT",
    }
);

open_enum!(
    /// `FinancialGroupSource`: which documents a group summarises.
    FinancialGroupSource {
        Invoice => "FINANCIAL-GROUP-SOURCE-INVOICE",
        Receipt => "FINANCIAL-GROUP-SOURCE-RECEIPT",
        Order => "FINANCIAL-GROUP-SOURCE-ORDER",
    }
);

/// A journal: its groups, and whether the whole period is closed (absent when MplusKASSA does not say).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FinancialJournal {
    pub groups: Vec<FinancialGroup>,
    pub period_closed: Option<bool>,
}

/// `FinancialGroup`: one line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "RawFinancialGroup")]
pub struct FinancialGroup {
    pub group_type: FinancialGroupType,
    pub source: FinancialGroupSource,
    /// The turnover group number, for a turnover group.
    pub number: Option<i64>,
    /// The payment method code, for a payment group.
    pub id: Option<String>,
    pub name: String,
    /// The ledger account.
    pub account_number: i32,
    pub branch_number: Option<i32>,
    pub ext_branch_id: Option<String>,
    pub workplace_numbers: Vec<i32>,
    pub from_date: Option<NaiveDate>,
    pub through_date: Option<NaiveDate>,
    pub period_closed: Option<bool>,
    pub incl_amount: Option<Decimal>,
    pub excl_amount: Option<Decimal>,
    /// VAT per code (turnover groups), each with the VAT account.
    pub vat_groups: Vec<VatGroup>,
}

/// The wire shape, element names as in the WSDL.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFinancialGroup {
    financial_group_type: FinancialGroupType,
    financial_group_source: FinancialGroupSource,
    #[serde(default)]
    financial_group_number: Option<i64>,
    #[serde(default)]
    financial_group_id: Option<String>,
    #[serde(default)]
    financial_group_name: String,
    account_number: i32,
    #[serde(default)]
    branch_number: Option<i32>,
    #[serde(default)]
    ext_branch_id: Option<String>,
    #[serde(default)]
    workplace_numbers: Vec<i32>,
    #[serde(default, with = "wire::option_date")]
    from_financial_date: Option<NaiveDate>,
    #[serde(default, with = "wire::option_date")]
    through_financial_date: Option<NaiveDate>,
    #[serde(default)]
    financial_period_closed: Option<bool>,
    #[serde(default, with = "wire::option_cents")]
    incl_amount: Option<Decimal>,
    #[serde(default, with = "wire::option_cents")]
    excl_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "wire::list")]
    vat_group_list: Vec<VatGroup>,
}

impl From<RawFinancialGroup> for FinancialGroup {
    fn from(raw: RawFinancialGroup) -> Self {
        Self {
            group_type: raw.financial_group_type,
            source: raw.financial_group_source,
            number: raw.financial_group_number,
            id: raw.financial_group_id,
            name: raw.financial_group_name,
            account_number: raw.account_number,
            branch_number: raw.branch_number,
            ext_branch_id: raw.ext_branch_id,
            workplace_numbers: raw.workplace_numbers,
            from_date: raw.from_financial_date,
            through_date: raw.through_financial_date,
            period_closed: raw.financial_period_closed,
            incl_amount: raw.incl_amount,
            excl_amount: raw.excl_amount,
            vat_groups: raw.vat_group_list,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_group_types_and_sources_read_as_other_and_write_back() {
        let known: FinancialGroupType = "FINANCIAL-GROUP-TYPE-CASH-INFLOW".to_owned().into();
        assert_eq!(known, FinancialGroupType::CashInflow);
        let new: FinancialGroupType = "FINANCIAL-GROUP-TYPE-TIP".to_owned().into();
        assert_eq!(new, FinancialGroupType::Other("FINANCIAL-GROUP-TYPE-TIP".into()));
        assert_eq!(serde_json::to_value(&new).unwrap(), "FINANCIAL-GROUP-TYPE-TIP");
        let source: FinancialGroupSource = "FINANCIAL-GROUP-SOURCE-ORDER".to_owned().into();
        assert_eq!(String::from(source), "FINANCIAL-GROUP-SOURCE-ORDER");
    }

    #[test]
    fn a_group_of_a_type_this_version_does_not_know_still_reads() {
        let xml = "<financialGroup><financialGroupType>FINANCIAL-GROUP-TYPE-TIP</financialGroupType>\
            <financialGroupSource>FINANCIAL-GROUP-SOURCE-RECEIPT</financialGroupSource>\
            <financialGroupName>Fooi</financialGroupName><accountNumber>1600</accountNumber>\
            <inclAmount>-250</inclAmount></financialGroup>";
        let group: FinancialGroup = crate::xml_de::from_str(xml).unwrap();
        assert_eq!(
            group.group_type,
            FinancialGroupType::Other("FINANCIAL-GROUP-TYPE-TIP".into())
        );
        assert_eq!(group.incl_amount, Some(Decimal::new(-250, 2)));
        assert_eq!((group.account_number, group.name.as_str()), (1600, "Fooi"));
        let stored = serde_json::to_value(&group).unwrap();
        assert_eq!(stored["groupType"], "FINANCIAL-GROUP-TYPE-TIP");
        assert_eq!(stored["inclAmount"], "-2.50");
    }
}

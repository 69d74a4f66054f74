//! The quotations flow's other direction: a quotation as AFAS has it ([`ErpQuotation`], `Profit_SalesQuotations`
//! with its `Profit_SalesQuotationLines`), the proposal the till keeps of it ([`TillProposal`]), and what the
//! flow sends to the till ([`ProposalDraft`], written with `saveProposal`).
//!
//! A proposal carries the AFAS quotation number as its `extProposalId`: MplusKASSA refuses a second proposal
//! with the same one, which is what keeps a retried or resumed run from making a copy.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalogue::article_number;

/// A quotation as AFAS has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpQuotation {
    /// `QuotationNumber`.
    pub quotation_number: String,
    /// `DebtorId`.
    pub debtor_id: Option<String>,
    /// `QuotationDate`.
    pub date: Option<NaiveDate>,
    /// `CustomerReference`.
    pub reference: Option<String>,
    /// `Status` ("Open", …).
    pub status: Option<String>,
    /// `PricesIncludeVat` (the quotation's `InVa`); AFAS's default, and a connector without the field, is
    /// excl. VAT.
    pub prices_include_vat: bool,
    /// In the quotation's order (`SeqNo`).
    pub lines: Vec<ErpQuotationLine>,
    /// `ModifiedDate`, in Profit's local time.
    pub modified: NaiveDateTime,
}

/// One line of an AFAS quotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpQuotationLine {
    /// `ItemCode`.
    pub item_code: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `Quantity`.
    pub quantity: Decimal,
    /// `PricePerUnit`, incl. or excl. VAT as the quotation says.
    pub price: Option<Decimal>,
}

impl ErpQuotation {
    /// The quotation's place in the flow's cursor: its modification time in whole seconds.
    pub fn sync_marker(&self) -> i64 {
        self.modified.and_utc().timestamp()
    }
}

/// A proposal as the till has it (`getProposal`): enough to replace it safely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillProposal {
    pub proposal_id: String,
    /// Sent back with a replacement, so a proposal changed at the till since is not overwritten unseen.
    pub change_counter: Option<i32>,
    /// Still open (`PROPOSAL-STATE-OUTSTANDING`): one turned into an order or invoice, or cancelled, is the
    /// till's and is not replaced.
    pub outstanding: bool,
}

/// The proposal the flow sends for an AFAS quotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalDraft {
    /// The AFAS quotation number (`extProposalId`).
    pub ext_proposal_id: String,
    /// The debtor's relation at the till.
    pub relation_number: i64,
    pub financial_date: Option<NaiveDate>,
    pub reference: Option<String>,
    pub prices_include_vat: bool,
    pub lines: Vec<ProposalLineDraft>,
}

/// One line of a proposal for the till.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalLineDraft {
    pub article_number: i64,
    pub text: Option<String>,
    pub quantity: Decimal,
    /// Left out: the till's price of the article.
    pub price: Option<Decimal>,
}

/// The proposal for `quotation`, for the relation `relation_number`; an error names what the till cannot take.
pub fn proposal_draft(quotation: &ErpQuotation, relation_number: i64) -> Result<ProposalDraft, String> {
    let number = &quotation.quotation_number;
    let lines = quotation
        .lines
        .iter()
        .filter(|line| line.item_code.as_deref().is_some_and(|code| !code.trim().is_empty()))
        .map(|line| {
            let code = line.item_code.as_deref().unwrap_or_default();
            let article_number =
                article_number(code).map_err(|why| format!("quotation {number}, article {code}: {why}"))?;
            Ok(ProposalLineDraft {
                article_number,
                text: line
                    .description
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
                quantity: line.quantity,
                price: line.price,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if lines.is_empty() {
        return Err(format!(
            "quotation {number} has no article lines, and a MplusKASSA proposal needs one"
        ));
    }
    Ok(ProposalDraft {
        ext_proposal_id: number.clone(),
        relation_number,
        financial_date: quotation.date,
        reference: quotation
            .reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        prices_include_vat: quotation.prices_include_vat,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotation(lines: Vec<ErpQuotationLine>) -> ErpQuotation {
        ErpQuotation {
            quotation_number: "30260001".into(),
            debtor_id: Some("10001".into()),
            date: NaiveDate::from_ymd_opt(2026, 12, 1),
            reference: Some(" OFFERTE-10001 ".into()),
            status: Some("Open".into()),
            prices_include_vat: false,
            lines,
            modified: NaiveDateTime::default(),
        }
    }

    fn line(code: Option<&str>, price: Option<Decimal>) -> ErpQuotationLine {
        ErpQuotationLine {
            item_code: code.map(str::to_owned),
            description: Some("Koffiebonen".into()),
            quantity: Decimal::TWO,
            price,
        }
    }

    #[test]
    fn a_quotation_becomes_a_proposal_with_its_number_as_the_guard() {
        let price = Decimal::new(1995, 2);
        let draft = proposal_draft(&quotation(vec![line(Some("1000"), Some(price)), line(None, None)]), 7).unwrap();
        assert_eq!(draft.ext_proposal_id, "30260001");
        assert_eq!(draft.relation_number, 7);
        assert_eq!(draft.reference.as_deref(), Some("OFFERTE-10001"));
        assert_eq!(draft.lines.len(), 1, "a text line without an article is left out");
        assert_eq!(
            (draft.lines[0].article_number, draft.lines[0].price),
            (1000, Some(price))
        );
    }

    #[test]
    fn codes_the_till_cannot_hold_and_empty_quotations_are_refused() {
        let error = proposal_draft(&quotation(vec![line(Some("KOFFIE-1"), None)]), 7).unwrap_err();
        assert!(error.contains("KOFFIE-1"), "{error}");
        let error = proposal_draft(&quotation(vec![line(None, None)]), 7).unwrap_err();
        assert!(error.contains("no article lines"), "{error}");
    }
}

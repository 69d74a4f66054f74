//! Writing and reading one proposal (quotation): `saveProposal` and `getProposal`. Proposals are listed by
//! sync marker with [`MplusClient::get_proposals`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::create_order::{WireLineList, wire_lines};
use crate::model::{NewLine, Proposal, VatMethod, YearNumber};
use crate::wire::MplusDate;
use crate::{MplusClient, MplusError};

/// A proposal to create (no `proposal_id`) or to replace (`proposal_id` set: its lines become `lines`, the
/// header fields given replace the stored ones).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProposalWrite {
    pub proposal_id: Option<String>,
    /// The source's id for the proposal (e.g. the quotation number it comes from). MplusKASSA refuses a second
    /// proposal with the same one ([`crate::BusinessOutcome::AlreadyExists`]): the guard against a copy.
    pub ext_proposal_id: Option<String>,
    /// Left out, MplusKASSA books it on its superuser (999999).
    pub employee_number: Option<i64>,
    /// Required for a new proposal.
    pub relation_number: Option<i64>,
    pub financial_date: Option<NaiveDate>,
    pub reference: Option<String>,
    /// How the lines' `price` is meant; left out, prices include VAT.
    pub vat_method: Option<VatMethod>,
    /// The `changeCounter` the proposal had when read: MplusKASSA refuses to replace a proposal changed since
    /// (`SAVE-PROPOSAL-RESULT-PROPOSAL-HAS-CHANGED`). Left out, it is not checked.
    pub change_counter: Option<i32>,
    /// At least one line; a line's price left out is the article's.
    pub lines: Vec<NewLine>,
}

/// What `saveProposal` answered.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedProposal {
    pub proposal_id: String,
    pub proposal_number: Option<YearNumber>,
}

/// `Proposal` in the WSDL's element order, with the elements a writer sets.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireProposal<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    proposal_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ext_proposal_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    employee_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relation_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    financial_date: Option<MplusDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_method: Option<VatMethod>,
    #[serde(skip_serializing_if = "Option::is_none")]
    change_counter: Option<i32>,
    line_list: WireLineList<'a>,
}

#[derive(Serialize)]
struct ProposalArgument<'a> {
    proposal: WireProposal<'a>,
}

impl<'a> ProposalArgument<'a> {
    fn of(proposal: &'a ProposalWrite) -> Result<Self, MplusError> {
        Ok(Self {
            proposal: WireProposal {
                proposal_id: proposal.proposal_id.as_deref(),
                ext_proposal_id: proposal.ext_proposal_id.as_deref(),
                employee_number: proposal.employee_number,
                relation_number: proposal.relation_number,
                financial_date: proposal.financial_date.map(MplusDate::from),
                reference: proposal.reference.as_deref(),
                vat_method: proposal.vat_method,
                change_counter: proposal.change_counter,
                line_list: wire_lines(&proposal.lines)?,
            },
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SaveProposalResponse {
    result: String,
    #[serde(default)]
    info: Option<SaveProposalInfo>,
    #[serde(default)]
    error_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SaveProposalInfo {
    proposal_id: String,
    #[serde(default)]
    proposal_number: Option<YearNumber>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProposalId<'a> {
    proposal_id: &'a str,
}

#[derive(Deserialize)]
struct GetProposalResponse {
    result: String,
    #[serde(default)]
    proposal: Option<Proposal>,
}

/// The SOAP request `saveProposal` sends for `proposal` (for previews: built and checked, not sent).
pub fn save_proposal_request(proposal: &ProposalWrite) -> Result<String, MplusError> {
    crate::soap::envelope("saveProposal", &ProposalArgument::of(proposal)?)
}

impl MplusClient {
    /// `saveProposal`: creates the proposal, or replaces the one `proposal_id` names. An `ext_proposal_id`
    /// another proposal has gives [`crate::BusinessOutcome::AlreadyExists`] and changes nothing; an unknown
    /// `proposal_id` gives `NotFound`.
    pub async fn save_proposal(&self, proposal: &ProposalWrite) -> Result<SavedProposal, MplusError> {
        let response: SaveProposalResponse = self.call("saveProposal", &ProposalArgument::of(proposal)?).await?;
        MplusError::check(
            "saveProposal",
            &response.result,
            "SAVE-PROPOSAL-RESULT-OK",
            response.error_message,
        )?;
        let info = response.info.ok_or(MplusError::Decode {
            operation: "saveProposal",
            message: "an OK result without info".into(),
        })?;
        Ok(SavedProposal {
            proposal_id: info.proposal_id,
            proposal_number: info.proposal_number,
        })
    }

    /// `getProposal` by MplusKASSA's proposal id, with its lines; `None` when it does not exist.
    pub async fn get_proposal(&self, proposal_id: &str) -> Result<Option<Proposal>, MplusError> {
        let response: GetProposalResponse = self.call("getProposal", &ProposalId { proposal_id }).await?;
        super::found(
            "getProposal",
            response.result,
            "GET-PROPOSAL-RESULT-OK",
            response.proposal,
        )
    }
}

//! The till's proposals as the quotations flow writes them towards MplusKASSA: a [`ProposalDraft`] to a
//! `saveProposal` request, a `Proposal` read back to the engine's [`TillProposal`], and the look-up that finds
//! the proposal an earlier, interrupted run made (by its `extProposalId`, among its relation's proposals:
//! `getProposals` filters by relation, not by external id).

use futures::TryStreamExt;
use koppel_mplus::model::{NewLine, Proposal, VatMethod};
use koppel_mplus::{DocumentFilter, MplusClient, MplusError, ProposalWrite};
use koppel_sync::proposals::{ProposalDraft, TillProposal};

/// MplusKASSA's state of an open proposal.
const OUTSTANDING: &str = "PROPOSAL-STATE-OUTSTANDING";

/// Proposals per `getProposals` page while looking for one.
const PAGE: u32 = 100;

/// The `saveProposal` request: a new proposal, or (`current`) a replacement of that one, sent with the change
/// counter it was read with.
pub fn proposal_write(draft: &ProposalDraft, current: Option<&TillProposal>) -> ProposalWrite {
    ProposalWrite {
        proposal_id: current.map(|c| c.proposal_id.clone()),
        ext_proposal_id: Some(draft.ext_proposal_id.clone()),
        employee_number: None,
        relation_number: Some(draft.relation_number),
        financial_date: draft.financial_date,
        reference: draft.reference.clone(),
        vat_method: Some(match draft.prices_include_vat {
            true => VatMethod::Inclusive,
            false => VatMethod::Exclusive,
        }),
        change_counter: current.and_then(|c| c.change_counter),
        lines: draft
            .lines
            .iter()
            .map(|line| NewLine {
                article_number: line.article_number,
                plu_number: None,
                text: line.text.clone(),
                quantity: line.quantity,
                price: line.price,
                price_excl: None,
                turnover_group: None,
                vat_code: None,
            })
            .collect(),
    }
}

pub fn till_proposal(proposal: Proposal) -> Option<TillProposal> {
    Some(TillProposal {
        proposal_id: proposal.proposal_id?,
        change_counter: proposal.change_counter,
        outstanding: proposal.state.as_deref().is_none_or(|state| state == OUTSTANDING),
    })
}

/// The id of the relation's proposal with this `extProposalId`, if there is one.
pub async fn find_by_ext_id(
    client: &MplusClient,
    relation_number: i64,
    ext_proposal_id: &str,
) -> Result<Option<String>, MplusError> {
    let filter = DocumentFilter {
        relation_numbers: vec![relation_number],
        include_lines: Some(false),
        ..DocumentFilter::default()
    };
    let mut pages = std::pin::pin!(client.proposal_pages(filter, 0, PAGE));
    while let Some(page) = pages.try_next().await? {
        if let Some(found) = page
            .items
            .into_iter()
            .find(|p| p.ext_proposal_id.as_deref() == Some(ext_proposal_id))
        {
            return Ok(found.proposal_id);
        }
    }
    Ok(None)
}

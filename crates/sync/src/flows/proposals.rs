//! Quotations towards the till: the quotations flow with `quotations_direction` = `afas_to_mplus` sends AFAS
//! quotations (`Profit_SalesQuotations` and their lines) to MplusKASSA as proposals (`saveProposal`), see
//! [`crate::proposals`]. The cursor is AFAS's modification time, read like the articles flow's.
//!
//! A quotation's customer is its debtor's relation at the till: the one the customers flow made the debtor
//! from, else the one whose `extRelationId` is the debtor id (the debtors flow's). A quotation changed in AFAS
//! replaces its proposal's lines while the proposal is still open at the till; one the till turned into an
//! order or invoice, or cancelled, is the till's and stays as it is.
//!
//! **No ping-pong.** A quotation this flow booked in AFAS from a till proposal (the other direction, chosen
//! before) is not sent back to the till.
//!
//! **Exactly once.** The proposal carries the quotation number as `extProposalId`, and MplusKASSA refuses a
//! second proposal with it: a run that crashed after creating one meets the quotation again (its cursor did not
//! move), is told the proposal exists, and links to it.

use std::collections::HashMap;

use koppel_core::FlowKind;

use super::{UNCHANGED, seen_last_run};
use crate::engine::{Run, RunError};
use crate::ports::{Creation, ErpTarget, IdMapEntry, Journal, Outcome, PosSource};
use crate::proposals::{ErpQuotation, ProposalDraft, proposal_draft};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash};

/// The journal's entity of the flow's records (as in the other direction: a quotation either way).
pub const ENTITY: &str = "quotation";

/// Why a quotation is not sent to the till: it came from there.
pub const FROM_THE_TILL: &str = "Koppel booked this quotation in AFAS from a MplusKASSA proposal";

/// Why an AFAS change is not carried over: the till's proposal moved on.
const NOT_OPEN: &str =
    "MplusKASSA's proposal is no longer open (made into an order or invoice, or cancelled), so it stays as it is";

pub(crate) async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    quotations: Vec<ErpQuotation>,
) -> Result<(), RunError> {
    let quotations: Vec<ErpQuotation> = quotations
        .into_iter()
        .filter(|q| !run.already_handled(&q.quotation_number))
        .collect();
    if quotations.is_empty() {
        return Ok(());
    }
    let numbers: Vec<String> = quotations.iter().map(|q| q.quotation_number.clone()).collect();
    let from_till = run.journal.sources_of_targets(FlowKind::Quotations, &numbers).await?;
    let known = run.journal.id_map(&numbers).await?;
    let mut debtors: Vec<String> = quotations.iter().filter_map(|q| q.debtor_id.clone()).collect();
    debtors.sort_unstable();
    debtors.dedup();
    let mut relations = Relations {
        made_by_customers_flow: run.journal.sources_of_targets(FlowKind::Customers, &debtors).await?,
        found: HashMap::new(),
    };
    let resumed_at = run.report.cursor;
    for quotation in &quotations {
        if run.should_stop_before(Some(quotation.sync_marker())).await? {
            return Ok(());
        }
        let mut trail = Trail::default();
        let result = if from_till.contains_key(&quotation.quotation_number) {
            Ok(Verdict::skipped(FROM_THE_TILL))
        } else {
            let linked = known.get(&quotation.quotation_number);
            sync_quotation(run.source, &mut relations, quotation, linked, &mut trail).await
        };
        if seen_last_run(resumed_at, quotation.sync_marker(), &result) {
            continue;
        }
        run.conclude(meta(quotation), result, trail).await?;
    }
    Ok(())
}

fn meta(quotation: &ErpQuotation) -> RecordMeta {
    RecordMeta::new(ENTITY, quotation.quotation_number.clone(), quotation)
        .keys([
            Some(quotation.quotation_number.clone()),
            quotation.debtor_id.clone(),
            quotation.reference.clone(),
        ])
        .at_marker(Some(quotation.sync_marker()))
}

/// The till's relations of a page's debtors, each looked up once.
struct Relations {
    /// Debtor id → relation number, for the debtors the customers flow made from the till's relations.
    made_by_customers_flow: HashMap<String, String>,
    /// Debtor id → the relation with it as `extRelationId`, once asked.
    found: HashMap<String, Option<i64>>,
}

impl Relations {
    async fn of<S: PosSource>(&mut self, till: &S, debtor_id: &str) -> Result<Option<i64>, Failure> {
        if let Some(number) = self.made_by_customers_flow.get(debtor_id).and_then(|n| n.parse().ok()) {
            return Ok(Some(number));
        }
        if let Some(found) = self.found.get(debtor_id) {
            return Ok(*found);
        }
        let found = till
            .find_till_relation(debtor_id, None)
            .await
            .map_err(Failure::from_connector)?
            .map(|relation| relation.relation_number);
        self.found.insert(debtor_id.to_owned(), found);
        Ok(found)
    }
}

async fn sync_quotation<S: PosSource>(
    till: &S,
    relations: &mut Relations,
    quotation: &ErpQuotation,
    linked: Option<&IdMapEntry>,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    let number = &quotation.quotation_number;
    let Some(debtor) = quotation.debtor_id.as_deref().filter(|d| !d.trim().is_empty()) else {
        return Err(Failure::master_data(format!("AFAS quotation {number} has no debtor")));
    };
    let Some(relation) = relations.of(till, debtor.trim()).await? else {
        return Err(Failure::master_data(format!(
            "AFAS debtor {debtor} has no relation at MplusKASSA yet: the debtors flow makes it (switch it on, or \
             run it first), and this quotation is retried"
        )));
    };
    let draft = proposal_draft(quotation, relation).map_err(Failure::master_data)?;
    let hash = content_hash(&draft);
    let proposal_id = match linked {
        Some(entry) if entry.content_hash == hash => {
            return Ok(Verdict::skipped_existing(UNCHANGED, entry.target_id.clone(), hash));
        }
        Some(entry) => entry.target_id.clone(),
        None => match trail.write(till.create_till_proposal(&draft).await)? {
            Creation::Created(id) => return Ok(Verdict::written(Outcome::Created, id, hash)),
            // Made by a run that stopped before journaling it: brought up to date below.
            Creation::Found(id) => id,
        },
    };
    replace(till, &proposal_id, &draft, hash, trail).await
}

/// Brings the till's proposal `proposal_id` up to the draft, while it is still open there.
async fn replace<S: PosSource>(
    till: &S,
    proposal_id: &str,
    draft: &ProposalDraft,
    hash: String,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    let current = till.till_proposal(proposal_id).await.map_err(Failure::from_connector)?;
    let Some(current) = current else {
        // Deleted at the till: its quotation is made again, as if new.
        let id = trail.write(till.create_till_proposal(draft).await)?.into_key();
        return Ok(Verdict::written(Outcome::Created, id, hash));
    };
    if !current.outstanding {
        return Ok(Verdict::skipped_existing(NOT_OPEN, current.proposal_id, hash));
    }
    trail.write(till.replace_till_proposal(&current, draft).await)?;
    Ok(Verdict::written(Outcome::Updated, current.proposal_id, hash))
}

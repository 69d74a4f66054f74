//! Order status: AFAS's delivered sales orders → the till's orders. An order Koppel booked from the till (the
//! orders flow's id map links the AFAS order number to the MplusKASSA order) that AFAS delivered or invoiced
//! ([`crate::deliveries::DELIVERED_STATES`]) is delivered at the till with `deliverOrder`; one AFAS delivered
//! in part ([`crate::deliveries::PARTLY_DELIVERED`]) has the lines that went out delivered as far as AFAS's
//! (`deliverOrderV2`, [`crate::deliveries::deliveries_due`]). The cursor is AFAS's modification time, read like
//! the articles flow's; only sales orders of which something went out are read.
//!
//! AFAS orders Koppel did not book (typed in AFAS, or another source's) have no till order and are left out
//! without an entry. An order the id map says this flow delivered is not asked again; delivering twice would
//! change nothing anyway (`…-ALREADY-DELIVERED`), and a partial delivery delivers only what the till's lines
//! have not delivered yet, so a crash between the write and the journal is harmless.

use koppel_core::FlowKind;

use super::{UNCHANGED, seen_last_run};
use crate::deliveries::{ErpOrderState, deliveries_due};
use crate::engine::{Run, RunError};
use crate::ports::{ErpTarget, Journal, Outcome, PosSource};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash};

/// The journal's entity of the flow's records.
pub const ENTITY: &str = "delivery";

pub(crate) async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    states: Vec<ErpOrderState>,
) -> Result<(), RunError> {
    let states: Vec<ErpOrderState> = states
        .into_iter()
        .filter(|s| !run.already_handled(&s.order_number))
        .collect();
    if states.is_empty() {
        return Ok(());
    }
    let numbers: Vec<String> = states.iter().map(|s| s.order_number.clone()).collect();
    let booked = run.journal.sources_of_targets(FlowKind::Orders, &numbers).await?;
    let delivered_before = run.journal.id_map(&numbers).await?;
    let resumed_at = run.report.cursor;
    for state in &states {
        let Some(order_id) = booked.get(&state.order_number) else {
            continue;
        };
        if run.should_stop_before(Some(state.sync_marker())).await? {
            return Ok(());
        }
        let mut trail = Trail::default();
        let result = match delivered_before.get(&state.order_number) {
            // Delivered by an earlier run: not asked again.
            Some(entry) if entry.content_hash == delivered_hash(state, order_id) => Ok(Verdict::skipped_existing(
                UNCHANGED,
                order_id.clone(),
                entry.content_hash.clone(),
            )),
            _ => deliver(run.source, state, order_id, &mut trail).await,
        };
        if seen_last_run(resumed_at, state.sync_marker(), &result) {
            continue;
        }
        run.conclude(meta(state, order_id), result, trail).await?;
    }
    Ok(())
}

fn meta(state: &ErpOrderState, order_id: &str) -> RecordMeta {
    RecordMeta::new(ENTITY, state.order_number.clone(), state)
        .keys([
            Some(state.order_number.clone()),
            state.reference.clone(),
            Some(order_id.to_owned()),
        ])
        .at_marker(Some(state.sync_marker()))
}

/// The content hash of a delivered order (and of a partial delivery, with what of each line went out): the
/// id map remembers it, so a later run does not ask again.
fn delivered_hash(state: &ErpOrderState, order_id: &str) -> String {
    match state.partly_delivered() {
        true => content_hash(&(order_id, &state.lines)),
        false => content_hash(&(order_id, "delivered")),
    }
}

async fn deliver<S: PosSource>(
    till: &S,
    state: &ErpOrderState,
    order_id: &str,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    let hash = delivered_hash(state, order_id);
    if state.partly_delivered() {
        return deliver_lines(till, state, order_id, hash, trail).await;
    }
    if !state.delivered() {
        return Ok(Verdict::skipped(format!(
            "AFAS says {:?}: not delivered yet",
            state.status
        )));
    }
    match trail.write(till.deliver_till_order(order_id).await)? {
        true => Ok(Verdict::written(Outcome::Updated, order_id.to_owned(), hash)),
        false => Ok(Verdict::skipped_existing(UNCHANGED, order_id.to_owned(), hash)),
    }
}

/// A partial delivery: the lines AFAS delivered beyond the till's, delivered at the till.
async fn deliver_lines<S: PosSource>(
    till: &S,
    state: &ErpOrderState,
    order_id: &str,
    hash: String,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    let lines = till.till_order_lines(order_id).await.map_err(Failure::from_connector)?;
    let Some(lines) = lines else {
        return Ok(Verdict::skipped("MplusKASSA no longer has the order"));
    };
    let due = deliveries_due(&state.lines, &lines);
    if due.is_empty() {
        return Ok(Verdict::skipped_existing(UNCHANGED, order_id.to_owned(), hash));
    }
    match trail.write(till.deliver_till_order_lines(order_id, &due).await)? {
        true => Ok(Verdict::written(Outcome::Updated, order_id.to_owned(), hash)),
        false => Ok(Verdict::skipped_existing(UNCHANGED, order_id.to_owned(), hash)),
    }
}

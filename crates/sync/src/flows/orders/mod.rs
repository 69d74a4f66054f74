//! Orders: MplusKASSA orders, invoices or quotations → AFAS `FbSales`, `FbDirectInvoice` or `FbSalesQuotation`.
//!
//! Per sale: the filter (state and document type) → already booked? (id map, then `RfCs` in AFAS: never
//! sent twice, also after a crash between sending and journaling) → map (a missing setting fails here,
//! before any write) → every article exists, or is created when `create_missing_articles` is on → the
//! debtor by e-mail (created, updated when changed, or the default debtor) → the order.
//!
//! VAT code and revenue account come from the per-country maps, keyed by the delivery country (billing when
//! there is none): a table key `NL:9` picks the code for one rate, a plain `NL` is the country's fallback.
//!
//! The pipeline across pages is in [`pipeline`], a page's batched look-ups in [`plan`], one sale up to its
//! order in [`prepare`], the AFAS draft in [`mapping`] and its money rules in [`money`].

mod mapping;
mod money;
mod pipeline;
mod plan;
mod prepare;
mod writes;

use std::collections::BTreeSet;

use crate::engine::{Run, RunError};
use crate::model::{OrderTarget, SourceOrder};
use crate::ports::{ErpTarget, Journal, PosSource};
use crate::record::{RecordMeta, Trail, Verdict};
use crate::sales::SaleCheck;
use crate::settings::FlowSettings;

/// Sales read back per run at most (the rest wait for the next run), and documents per GetConnector call.
const CHECKS_PER_RUN: usize = 5_000;
const CHECK_BATCH: usize = 250;

pub use mapping::map_order;
pub(crate) use money::{LineLedger, percentage_key};
pub use pipeline::SEND_WINDOW;
pub(crate) use pipeline::{Feed, run_pages};
pub use prepare::selected;

/// Fetches the pending retries fresh and runs them as one page (outside the cursor).
pub(crate) async fn retry<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    ids: &[String],
) -> Result<(), RunError> {
    let mut found = Vec::new();
    for id in ids {
        match fetch_fresh(run.source, run.settings, id).await? {
            Some(order) => found.push(order),
            None => {
                let meta = RecordMeta::new(super::entity(run.flow), id.clone(), &serde_json::Value::Null);
                run.conclude(meta, Ok(Verdict::skipped(super::GONE)), Trail::default())
                    .await?;
            }
        }
    }
    run_pages(run, Feed::Once(found)).await
}

/// Reads back what AFAS booked for the sales not checked yet (this run's, and any an earlier run booked but
/// stopped before checking), a batch of documents per call, and journals every difference from the till as a
/// warning on its record. A connection error leaves the rest for the next run; it does not fail this one,
/// whose records are all booked.
pub(crate) async fn check_bookings<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
) -> Result<(), RunError> {
    let document = run.settings.order_target;
    if document == OrderTarget::Quotation {
        return Ok(());
    }
    let sales = run.journal.unchecked_sales(CHECKS_PER_RUN).await?;
    for batch in sales.chunks(CHECK_BATCH) {
        let numbers: Vec<String> = batch
            .iter()
            .map(|sale| sale.target_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let booked = match run.target.booked_totals(document, &numbers).await {
            Ok(booked) => booked,
            Err(error) => {
                tracing::warn!(%error, "reading booked totals back from AFAS failed; the next run checks them");
                return Ok(());
            }
        };
        let checks: Vec<SaleCheck> = batch
            .iter()
            .map(|sale| SaleCheck::of(sale, booked.get(&sale.target_id).copied()))
            .collect();
        run.report.differing += checks.iter().filter(|check| check.warning.is_some()).count() as u64;
        run.journal.record_sale_checks(checks).await?;
    }
    Ok(())
}

/// The document in whichever selected type has it.
async fn fetch_fresh<S: PosSource>(
    source: &S,
    settings: &FlowSettings,
    id: &str,
) -> Result<Option<SourceOrder>, RunError> {
    for kind in &settings.order_types {
        if let Some(order) = source.order(*kind, id).await? {
            return Ok(Some(order));
        }
    }
    Ok(None)
}

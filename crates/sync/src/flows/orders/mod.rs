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

use crate::engine::{Run, RunError};
use crate::model::SourceOrder;
use crate::ports::{ErpTarget, Journal, PosSource};
use crate::record::{RecordMeta, Trail, Verdict};
use crate::settings::FlowSettings;

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

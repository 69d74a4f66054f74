//! Stock: MplusKASSA stock → AFAS stock mutations (`FbStockMutation`) in `settings.warehouse`.
//!
//! Each run compares the full MplusKASSA list (there is no sync-marker cursor for stock) with AFAS's current
//! stock, one batched look-up per page, and writes only the differences, so a second run writes nothing.
//! It always compares against AFAS rather than skipping SKUs whose MplusKASSA figure is unchanged: AFAS stock
//! also moves by itself (deliveries of booked orders), and only the comparison sees that.

use std::collections::HashMap;

use chrono::Utc;
use rust_decimal::Decimal;

use crate::catalogue::DimensionId;
use crate::engine::{Run, RunError};
use crate::model::{StockLevel, StockMutationDraft};
use crate::ports::{ErpTarget, Journal, Outcome, PosSource};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash};
use crate::requirements::WAREHOUSE_FOR_STOCK;
use crate::settings::{FlowSettings, StockCalculation};

/// The reference AFAS shows on the mutations this flow writes.
const REFERENCE: &str = "Koppel: voorraad MplusKASSA";

pub(crate) async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    levels: Vec<StockLevel>,
) -> Result<(), RunError> {
    let (settings, target) = (run.settings, run.target);
    let skus: Vec<String> = levels.iter().map(|level| level.sku.clone()).collect();
    let dimensions = match settings.manage_stock && !skus.is_empty() {
        true => run.source.till_dimension_ids(&skus).await?,
        false => HashMap::new(),
    };
    let current = match (&settings.company.warehouse, settings.manage_stock) {
        (Some(warehouse), true) if !levels.is_empty() => {
            let plain: Vec<String> = skus.into_iter().filter(|sku| !dimensions.contains_key(sku)).collect();
            target.stock_levels(warehouse, &plain).await?
        }
        _ => HashMap::new(),
    };
    for level in &levels {
        if run.should_stop_before(None).await? {
            return Ok(());
        }
        let mut trail = Trail::default();
        let result = match dimensions.get(&level.sku) {
            Some(id) => Ok(Verdict::skipped(dimension_reason(id))),
            None => sync_level(settings, target, &current, level, &mut trail).await,
        };
        let meta = RecordMeta::new("stock", level.sku.clone(), level).keys([Some(level.sku.clone())]);
        run.conclude(meta, result, trail).await?;
    }
    Ok(())
}

/// Why what the articles flow made of an AFAS dimension item sends no stock: AFAS keeps a dimension item's
/// stock per combination, which this flow does not write yet.
fn dimension_reason(id: &DimensionId) -> String {
    match id.codes.is_empty() {
        true => format!("{} (not sold)", id.describe()),
        false => format!("{}: stock per combination is not sent to AFAS yet", id.describe()),
    }
}

/// The quantity AFAS should show, per the stock calculation setting.
pub fn wanted(level: &StockLevel, calculation: StockCalculation) -> Decimal {
    let free = level.on_hand - level.reserved;
    match calculation {
        StockCalculation::Free => free,
        StockCalculation::OnHand => level.on_hand,
        StockCalculation::FreePlusIncoming => free + level.incoming,
    }
}

async fn sync_level<T: ErpTarget>(
    settings: &FlowSettings,
    target: &T,
    current: &HashMap<String, Decimal>,
    level: &StockLevel,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    if !settings.manage_stock {
        return Ok(Verdict::skipped("stock is not managed in AFAS (manage_stock is off)"));
    }
    let warehouse = settings
        .company
        .warehouse
        .clone()
        .ok_or_else(|| Failure::missing_setting("warehouse", WAREHOUSE_FOR_STOCK))?;
    let wanted = wanted(level, settings.stock_calculation);
    let in_afas = current.get(&level.sku).copied().unwrap_or_default();
    let difference = (wanted - in_afas).normalize();
    if difference.is_zero() {
        return Ok(Verdict::skipped(format!(
            "AFAS stock is already {}",
            wanted.normalize()
        )));
    }
    let mutation = StockMutationDraft {
        warehouse: warehouse.clone(),
        item_code: level.sku.clone(),
        quantity: difference,
        date: Utc::now().date_naive(),
        reference: REFERENCE.to_owned(),
    };
    trail.write(target.post_stock_mutation(&mutation).await)?;
    Ok(Verdict::written(
        Outcome::Updated,
        level.sku.clone(),
        content_hash(&(warehouse, &level.sku, wanted)),
    ))
}

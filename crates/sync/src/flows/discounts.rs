//! Discounts: each AFAS debtor's own terms (its article prices, line discount and discount group) → the article
//! discounts and discount percentage of its MplusKASSA relation ([`crate::terms`]). One record per debtor (by debtor id; the
//! journal's target id is the relation number).
//!
//! **A full comparison, no cursor**, as the prices flow: `Profit_SalesPrice` answers the prices valid on a day
//! and has no modification time, so every run reads the debtors' terms and the till's linked relations whole
//! and writes only the relations that differ. A second run writes nothing; a crash halfway needs nothing undone
//! (a write sets the relation's terms to what AFAS says) and the next run finishes the rest. A debtor whose
//! relation the till does not have yet is left for the debtors flow, which runs first. A linked relation whose
//! debtor AFAS no longer gives prices of its own loses the article prices Koppel keeps on it.

use std::collections::{BTreeMap, HashMap};

use super::UNCHANGED;
use crate::catalogue::article_number;
use crate::engine::{Run, RunError};
use crate::ports::{ErpTarget, Journal, Outcome, PosSource};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash};
use crate::settings::FlowSettings;
use crate::terms::{self, ErpDebtorTerms, TillDiscountEntry, TillRelationTerms};

/// The journal's entity of the flow's records.
pub const ENTITY: &str = "debtor_terms";

/// Why a retried debtor is left alone when neither side has terms for it any more.
const NO_TERMS: &str = "AFAS no longer gives this debtor prices or a discount of its own, and its MplusKASSA \
                        relation has none from Koppel";

/// A run: every debtor with terms in AFAS, or whose linked relation has article prices at the till (`debtors`
/// narrows it to these debtor ids: a retry). `max_pages` limits a dry run.
pub(crate) async fn run<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    debtors: Option<&[String]>,
    max_pages: Option<usize>,
) -> Result<(), RunError> {
    let discount_groups = !run.settings.company.discount_group_map.is_empty();
    let (afas, till) = futures::try_join!(
        run.target.erp_debtor_terms(debtors, discount_groups),
        run.source.till_relation_terms(debtors),
    )?;
    let mut records: BTreeMap<String, ErpDebtorTerms> = afas
        .into_iter()
        .map(|terms| (terms.debtor_id.trim().to_owned(), terms))
        .collect();
    let till: HashMap<String, TillRelationTerms> = till
        .into_iter()
        .map(|relation| (relation.debtor_id.trim().to_owned(), relation))
        .collect();
    let owned = terms::owned_groups(&run.settings.company.discount_group_map);
    for (debtor_id, relation) in &till {
        let koppels = |entry: &TillDiscountEntry| entry.is_article_price() || entry.is_owned_group_discount(&owned);
        if relation.entries.iter().any(koppels) {
            records.entry(debtor_id.clone()).or_insert_with(|| ErpDebtorTerms {
                debtor_id: debtor_id.clone(),
                line_discount: None,
                prices: Vec::new(),
                group_discounts: Vec::new(),
            });
        }
    }
    if let Some(debtors) = debtors {
        records.retain(|id, _| debtors.iter().any(|d| d.trim() == id));
        for gone in debtors.iter().filter(|d| !records.contains_key(d.trim())) {
            let meta = RecordMeta::new(ENTITY, gone.clone(), &serde_json::Value::Null);
            run.conclude(meta, Ok(Verdict::skipped(NO_TERMS)), Trail::default())
                .await?;
        }
    }
    run.report.total_seen += records.len() as u64;
    let records: Vec<ErpDebtorTerms> = records.into_values().collect();
    // The priced AFAS dimension items' combinations at the till, which sell at the item's prices: one call.
    let mut priced: Vec<i64> = records
        .iter()
        .flat_map(|terms| &terms.prices)
        .filter_map(|price| article_number(&price.item_code).ok())
        .collect();
    priced.sort_unstable();
    priced.dedup();
    let combinations = match priced.is_empty() {
        true => HashMap::new(),
        false => run.source.till_combinations(&priced).await?,
    };
    let known = Known {
        relations: &till,
        combinations: &combinations,
    };
    for page in records.chunks(run.page_size()).take(max_pages.unwrap_or(usize::MAX)) {
        let outcome = run_page(run, page, known).await;
        run.flushed(outcome).await?;
        if run.report.cancelled {
            break;
        }
    }
    Ok(())
}

/// What the run knows of the till: the linked relations by debtor id, and the combinations of priced
/// dimension items.
#[derive(Clone, Copy)]
struct Known<'r> {
    relations: &'r HashMap<String, TillRelationTerms>,
    combinations: &'r HashMap<i64, Vec<i64>>,
}

async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    page: &[ErpDebtorTerms],
    till: Known<'_>,
) -> Result<(), RunError> {
    for terms in page {
        if run.should_stop_before(None).await? {
            return Ok(());
        }
        let mut trail = Trail::default();
        let result = sync_terms(run.source, run.settings, till, terms, &mut trail).await;
        let meta = RecordMeta::new(ENTITY, terms.debtor_id.clone(), terms).keys([Some(terms.debtor_id.clone())]);
        run.conclude(meta, result, trail).await?;
    }
    Ok(())
}

async fn sync_terms<S: PosSource>(
    source: &S,
    settings: &FlowSettings,
    till: Known<'_>,
    terms: &ErpDebtorTerms,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    let Some(current) = till.relations.get(terms.debtor_id.trim()) else {
        return Ok(Verdict::skipped(format!(
            "MplusKASSA has no relation linked to AFAS debtor {}: the debtors flow makes it, and the next run gives \
             it its terms",
            terms.debtor_id
        )));
    };
    let draft = terms::draft(
        terms,
        settings.article_prices_include_vat,
        &settings.company.discount_group_map,
        till.combinations,
    )
    .map_err(Failure::master_data)?;
    let hash = content_hash(&draft);
    let target_id = current.relation_number.to_string();
    if !draft.differs_from(current) {
        return Ok(Verdict::skipped_existing(UNCHANGED, target_id, hash));
    }
    trail.write(source.update_till_terms(current, &draft).await)?;
    Ok(Verdict::written(Outcome::Updated, target_id, hash))
}

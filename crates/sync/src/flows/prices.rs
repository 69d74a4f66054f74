//! Prices: AFAS price lists, volume prices included → the price groups of MplusKASSA articles
//! ([`crate::pricing`]). One record per article (by item code = article number).
//!
//! **A full comparison, no cursor.** `Profit_SalesPrice` answers the prices valid on a reference date and has
//! no modification time, and a price that starts or ends today changes nothing AFAS would report as changed;
//! so every run reads the mapped price lists whole (valid today) and the till's price groups, and writes only
//! the articles whose mapped groups differ, like the stock flow. A second run writes nothing; a crash halfway
//! leaves nothing to undo (a write sets the article's list to what AFAS says, so doing it again changes
//! nothing), and the next run finishes the rest.
//!
//! **What the till has decides**, as in the articles flow: a price set by hand at the till in a mapped group is
//! put back to AFAS's; the till's other price groups are never touched. An article AFAS no longer prices on a
//! mapped list loses that group's prices at the till. An article the till does not have is left for the
//! articles flow, which runs first.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::UNCHANGED;
use crate::catalogue::article_number;
use crate::engine::{Run, RunError};
use crate::ports::FailureClass::Permanent;
use crate::ports::{ConnectorError, ErpTarget, Journal, Outcome, PosSource};
use crate::pricing::{self, ErpListPrice, TillArticlePrices};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash};

/// The journal's entity of the flow's records.
pub const ENTITY: &str = "article_prices";

/// Why a retried article is left alone when neither side prices it in the mapped lists and groups any more.
const NOT_PRICED: &str = "AFAS no longer prices it on the mapped price lists, and MplusKASSA has no price for it in \
                          their price groups";

/// One article's record: its item code and AFAS's prices for it on the mapped lists.
struct ArticlePrices {
    item_code: String,
    prices: Vec<ErpListPrice>,
}

/// A run: every article with prices on a mapped list, or with prices in a mapped group at the till (`items`
/// narrows it to these item codes: a retry). `max_pages` limits a dry run.
pub(crate) async fn run<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    items: Option<&[String]>,
    max_pages: Option<usize>,
) -> Result<(), RunError> {
    let lists = pricing::mapped_lists(&run.settings.company.price_list_map).map_err(ConnectorError::setting)?;
    if lists.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = lists.iter().map(|(list, _)| list.clone()).collect();
    let numbers: Option<Vec<i64>> = items.map(|items| items.iter().filter_map(|i| article_number(i).ok()).collect());
    let (afas, till, till_groups) = futures::try_join!(
        run.target.erp_list_prices(&names, items),
        run.source.till_article_prices(numbers.as_deref()),
        run.source.till_price_groups(),
    )?;
    if let Some((list, group)) = lists
        .iter()
        .find(|(_, group)| !till_groups.iter().any(|(g, _)| g == group))
    {
        return Err(ConnectorError::setting(format!(
            "`price_list_map` sends AFAS price list {list} to MplusKASSA price group {group}, which MplusKASSA does \
             not have: price groups are made in MplusKASSA's back office (its API cannot create them)"
        ))
        .into());
    }
    let groups: HashSet<i32> = lists.iter().map(|(_, group)| *group).collect();
    let mut records: BTreeMap<String, Vec<ErpListPrice>> = BTreeMap::new();
    for price in afas {
        records
            .entry(price.item_code.trim().to_owned())
            .or_default()
            .push(price);
    }
    for article in till
        .iter()
        .filter(|a| a.prices.iter().any(|p| groups.contains(&p.price_group)))
    {
        records.entry(article.article_number.to_string()).or_default();
    }
    let mut gone = Vec::new();
    if let Some(items) = items {
        records.retain(|code, _| items.iter().any(|item| item.trim() == code));
        gone.extend(items.iter().filter(|item| !records.contains_key(item.trim())));
    }
    let till: HashMap<i64, TillArticlePrices> = till.into_iter().map(|a| (a.article_number, a)).collect();
    run.report.total_seen += records.len() as u64;
    let records: Vec<ArticlePrices> = records
        .into_iter()
        .map(|(item_code, prices)| ArticlePrices { item_code, prices })
        .collect();
    for item in gone {
        let meta = RecordMeta::new(ENTITY, item.clone(), &serde_json::Value::Null);
        run.conclude(meta, Ok(Verdict::skipped(NOT_PRICED)), Trail::default())
            .await?;
    }
    for page in records.chunks(run.page_size()).take(max_pages.unwrap_or(usize::MAX)) {
        let outcome = run_page(run, page, &lists, &till).await;
        run.flushed(outcome).await?;
        if run.report.cancelled {
            break;
        }
    }
    Ok(())
}

async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    page: &[ArticlePrices],
    lists: &[(String, i32)],
    till: &HashMap<i64, TillArticlePrices>,
) -> Result<(), RunError> {
    for record in page {
        if run.should_stop_before(None).await? {
            return Ok(());
        }
        let mut trail = Trail::default();
        let include_vat = run.settings.article_prices_include_vat;
        let result = sync_prices(run.source, lists, include_vat, till, record, &mut trail).await;
        let meta =
            RecordMeta::new(ENTITY, record.item_code.clone(), &record.prices).keys([Some(record.item_code.clone())]);
        run.conclude(meta, result, trail).await?;
    }
    Ok(())
}

async fn sync_prices<S: PosSource>(
    source: &S,
    lists: &[(String, i32)],
    price_includes_vat: bool,
    till: &HashMap<i64, TillArticlePrices>,
    record: &ArticlePrices,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    let number = article_number(&record.item_code).map_err(|reason| Failure::Record(Permanent, reason))?;
    let Some(current) = till.get(&number) else {
        return Ok(Verdict::skipped(format!(
            "MplusKASSA has no article {number}: the articles flow (or MplusKASSA's back office) creates it, and the \
             next run gives it its prices"
        )));
    };
    let draft = pricing::draft(number, &record.prices, lists, price_includes_vat).map_err(Failure::master_data)?;
    let hash = content_hash(&draft);
    let target_id = number.to_string();
    if !draft.differs_from(current) {
        return Ok(Verdict::skipped_existing(UNCHANGED, target_id, hash));
    }
    trail.write(source.update_till_prices(current, &draft).await)?;
    Ok(Verdict::written(Outcome::Updated, target_id, hash))
}

//! AFAS's articles for the till (the articles flow's source): `Profit_Article` (or the tenant's connector with
//! its field names) changed since the cursor, sorted by modification time and item code, with each page's
//! sales prices from `Profit_Article_Basic` (`BasicSalesPrice`: `Profit_Article` has no price) in one more
//! call.
//!
//! A page never splits one second of changes: when it is full, the rest of its last second is read too, so
//! the engine's "one past the last second" cursor misses nothing.

use std::collections::{HashMap, HashSet};

use koppel_afas::rows::{Article, ArticleBasic, GetConnectorRow};
use koppel_afas::{AfasClient, AfasError, Filter, GetQuery, Operator};
use koppel_sync::catalogue::{ErpArticle, modified_since};
use koppel_sync::settings::AfasArticleFilter;
use rust_decimal::Decimal;

/// Rows per look-up page for the prices.
const PRICE_PAGE: u32 = 1_000;

/// AFAS's date-time filter value (Profit's local time, as it reports `ModifiedDate`).
fn afas_time(marker: i64) -> String {
    modified_since(marker).format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The filter's own conditions: the article groups, the fields with a value.
fn selection(filter: &AfasArticleFilter) -> Filter {
    let groups: Vec<&str> = filter
        .groups
        .iter()
        .map(|g| g.trim())
        .filter(|g| !g.is_empty())
        .collect();
    let mut selection = match groups.is_empty() {
        true => Filter::default(),
        false => Filter::any_of("ArtGroup", groups),
    };
    for (field, value) in &filter.field_equals {
        selection = selection.and(field.trim(), Operator::Equal, value.trim());
    }
    selection
}

fn query(filter: &AfasArticleFilter, condition: Filter, page_size: u32) -> GetQuery {
    GetQuery::new(filter.connector(), ["ModifiedDate", Article::KEY])
        .filter(condition.and_filter(&selection(filter)))
        .page_size(page_size)
}

/// The articles changed at or after `from`, oldest first, at least `limit` when there are, whole seconds.
pub async fn articles_since(
    client: &AfasClient,
    filter: &AfasArticleFilter,
    from: i64,
    limit: usize,
) -> Result<Vec<ErpArticle>, AfasError> {
    let take = u32::try_from(limit.max(1)).unwrap_or(u32::MAX);
    let since = Filter::new("ModifiedDate", Operator::GreaterOrEqual, afas_time(from));
    let mut rows: Vec<Article> = client.get_page(&query(filter, since, take), 0).await?.rows;
    let last_second = rows.last().and_then(|row| row.modified);
    if let Some(second) = last_second.filter(|_| rows.len() >= limit) {
        let seen: HashSet<String> = rows.iter().map(|row| row.item_code.clone()).collect();
        let same_second = Filter::new("ModifiedDate", Operator::Equal, second.format("%Y-%m-%dT%H:%M:%S"));
        let rest: Vec<Article> = client.get_all(query(filter, same_second, PRICE_PAGE)).await?;
        rows.extend(rest.into_iter().filter(|row| !seen.contains(&row.item_code)));
    }
    with_prices(client, rows, from).await
}

/// One article by item code, if the filter selects it.
pub async fn article(
    client: &AfasClient,
    filter: &AfasArticleFilter,
    item_code: &str,
) -> Result<Option<ErpArticle>, AfasError> {
    let by_code = Filter::new(Article::KEY, Operator::Equal, item_code.trim());
    let rows: Vec<Article> = client.get_page(&query(filter, by_code, 2), 0).await?.rows;
    Ok(with_prices(client, rows, 0).await?.into_iter().next())
}

/// The rows as the engine's articles, with their basic sales prices (one call for the page).
async fn with_prices(client: &AfasClient, rows: Vec<Article>, from: i64) -> Result<Vec<ErpArticle>, AfasError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let codes: Vec<&str> = rows.iter().map(|row| row.item_code.as_str()).collect();
    let prices_query = ArticleBasic::query().page_size(PRICE_PAGE);
    let prices: HashMap<String, Option<Decimal>> = client
        .get_by_keys::<ArticleBasic, _>(&prices_query, ArticleBasic::KEY, &codes)
        .await?
        .into_iter()
        .map(|row| (row.item_code, row.sales_price))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| ErpArticle {
            sales_price: prices.get(&row.item_code).copied().flatten(),
            description: row.description.unwrap_or_default(),
            extra_description: row.extra_description.filter(|t| !t.trim().is_empty()),
            unit: row.unit,
            article_group: row.article_group,
            blocked: row.blocked.unwrap_or(false),
            barcode: row.barcode.filter(|b| !b.trim().is_empty()),
            vat_group: row.vat_group,
            // A row without a modification time counts as changed at the cursor.
            modified: row.modified.unwrap_or_else(|| modified_since(from)),
            item_code: row.item_code,
        })
        .collect())
}

//! AFAS's articles for the till (the articles flow's source): `Profit_Article` (or the tenant's connector with
//! its field names) changed since the cursor ([`super::afas_changes`]), with each page's sales prices from
//! `Profit_Article_Basic` (`BasicSalesPrice`: `Profit_Article` has no price) in one more call, and a dimension
//! item's combinations from `Profit_Barcode_per_Item` (one more call, for a page that has such items).

use std::collections::HashMap;

use koppel_afas::rows::{Article, ArticleBasic, BarcodeRow, GetConnectorRow, WithRest};
use koppel_afas::{AfasClient, AfasError, Filter, Operator};
use koppel_sync::catalogue::{ErpArticle, ErpVariant, modified_since};
use koppel_sync::custom_fields::is_free_field;
use koppel_sync::settings::AfasArticleFilter;
use rust_decimal::Decimal;

use super::afas_changes;

/// Rows per look-up page for the prices and barcodes.
const PRICE_PAGE: u32 = 1_000;

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

/// The articles changed at or after `from`, oldest first, at least `limit` when there are, whole seconds.
pub async fn articles_since(
    client: &AfasClient,
    filter: &AfasArticleFilter,
    from: i64,
    limit: usize,
) -> Result<Vec<ErpArticle>, AfasError> {
    let rows = afas_changes::changed_since(client, filter.connector(), &selection(filter), from, limit).await?;
    with_prices(client, rows, from).await
}

/// One article by item code, if the filter selects it.
pub async fn article(
    client: &AfasClient,
    filter: &AfasArticleFilter,
    item_code: &str,
) -> Result<Option<ErpArticle>, AfasError> {
    let row: Option<WithRest<Article>> =
        afas_changes::one(client, filter.connector(), &selection(filter), item_code).await?;
    Ok(with_prices(client, row.into_iter().collect(), 0)
        .await?
        .into_iter()
        .next())
}

/// The rows as the engine's articles, with their free fields and basic sales prices (one call for the page).
async fn with_prices(
    client: &AfasClient,
    rows: Vec<WithRest<Article>>,
    from: i64,
) -> Result<Vec<ErpArticle>, AfasError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let codes: Vec<&str> = rows.iter().map(|row| row.row.item_code.as_str()).collect();
    let prices_query = ArticleBasic::query().page_size(PRICE_PAGE);
    let prices: HashMap<String, Option<Decimal>> = client
        .get_by_keys::<ArticleBasic, _>(&prices_query, ArticleBasic::KEY, &codes)
        .await?
        .into_iter()
        .map(|row| (row.item_code, row.sales_price))
        .collect();
    let kinds = |row: &Article| -> Vec<String> {
        [&row.stock_dim_id1, &row.stock_dim_id2]
            .into_iter()
            .map_while(|kind| {
                kind.as_deref()
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
            })
            .collect()
    };
    let dimension_items: Vec<&str> = rows
        .iter()
        .filter(|row| !kinds(&row.row).is_empty())
        .map(|row| row.row.item_code.as_str())
        .collect();
    let mut variants = combinations(client, &dimension_items).await?;
    Ok(rows
        .into_iter()
        .map(|WithRest { row, rest }| ErpArticle {
            free_fields: rest.into_iter().filter(|(name, _)| is_free_field(name)).collect(),
            dimension_kinds: kinds(&row),
            variants: variants.remove(&row.item_code).unwrap_or_default(),
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

/// The combinations of these dimension items, by item code, in AFAS's order: each barcode row with dimension
/// codes is one (a combination with two barcodes keeps its first).
async fn combinations(client: &AfasClient, items: &[&str]) -> Result<HashMap<String, Vec<ErpVariant>>, AfasError> {
    let mut found: HashMap<String, Vec<ErpVariant>> = HashMap::new();
    if items.is_empty() {
        return Ok(found);
    }
    let query = BarcodeRow::query().page_size(PRICE_PAGE);
    for row in client
        .get_by_keys::<BarcodeRow, _>(&query, BarcodeRow::KEY, items)
        .await?
    {
        let codes: Vec<String> = [row.stock_dim_code1, row.stock_dim_code2]
            .into_iter()
            .map_while(|code| code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()))
            .collect();
        if codes.is_empty() {
            continue;
        }
        let variants = found.entry(row.item_code).or_default();
        if !variants.iter().any(|v| v.codes == codes) {
            variants.push(ErpVariant {
                codes,
                barcode: row.barcode.filter(|b| !b.trim().is_empty()),
            });
        }
    }
    Ok(found)
}

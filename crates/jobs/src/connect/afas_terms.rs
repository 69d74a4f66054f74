//! AFAS's debtor terms for the till (the discounts flow's source): each debtor's own prices valid today
//! (`Profit_SalesPrice` rows with a `Debtor`, `Volume` on) and its line discount % (`LineDiscount`, the sales
//! relation's `PrLi`, a field the tenant adds to `Profit_Debtor`: without it, discounts are left to the till) and,
//! with `discount_group_map`, its discount group (`DiscountGroup`, the sales relation's `DsGr`, a field the
//! tenant adds too) with the group's lines valid today from `Koppel_DiscountGroups` (the GetConnector Koppel's
//! documentation gives the company to import: AFAS publishes none for discount groups).

use std::collections::BTreeMap;

use koppel_afas::rows::{Debtor, DiscountGroupLine, GetConnectorRow, SalesPrice};
use koppel_afas::{AfasClient, AfasError, Filter, GetQuery, Operator};
use koppel_sync::terms::{ErpDebtorPrice, ErpDebtorTerms, ErpGroupDiscount};

/// Rows per page.
const PAGE: u32 = 1_000;
/// `Profit_Debtor`'s field with the line discount.
const LINE_DISCOUNT: &str = "LineDiscount";
/// `Profit_Debtor`'s field with the discount group.
pub const DISCOUNT_GROUP: &str = "DiscountGroup";

/// Every debtor's terms, or those of `debtors`; a debtor with neither prices nor a discount is left out.
pub async fn debtor_terms(
    client: &AfasClient,
    debtors: Option<&[String]>,
    discount_groups: bool,
) -> Result<Vec<ErpDebtorTerms>, AfasError> {
    let prices = GetQuery::new(SalesPrice::CONNECTOR, ["Debtor", SalesPrice::KEY, "Quantity"])
        .filter(Filter::new("Debtor", Operator::NotEmpty, "").and("Volume", Operator::Equal, true))
        .page_size(PAGE);
    let prices: Vec<SalesPrice> = match debtors {
        Some(debtors) => client.get_by_keys(&prices, "Debtor", debtors).await?,
        None => client.get_all(prices).await?,
    };
    let mut terms: BTreeMap<String, ErpDebtorTerms> = BTreeMap::new();
    for row in prices {
        let (Some(debtor), Some(price)) = (row.debtor.clone(), row.net_price.or(row.gross_price)) else {
            continue;
        };
        entry(&mut terms, debtor.trim()).prices.push(ErpDebtorPrice {
            item_code: row.item.trim().to_owned(),
            quantity: row.quantity.unwrap_or(rust_decimal::Decimal::ONE),
            price,
        });
    }
    let fields = client
        .get_connector_fields(Debtor::CONNECTOR)
        .await?
        .unwrap_or_default();
    let has = |field: &str| fields.iter().any(|f| f == field);
    let with_groups = discount_groups && has(DISCOUNT_GROUP);
    // The debtors with a line discount or (asked for) a discount group: one query, the fields OR-ed.
    let asked = [(LINE_DISCOUNT, has(LINE_DISCOUNT)), (DISCOUNT_GROUP, with_groups)];
    let filter = asked
        .into_iter()
        .filter(|(_, asked)| *asked)
        .map(|(field, _)| Filter::new(field, Operator::NotEmpty, ""))
        .reduce(Filter::or);
    if let Some(filter) = filter {
        let wanted = |row: &Debtor| row.line_discount.is_some() || row.discount_group.is_some();
        let query = GetQuery::new(Debtor::CONNECTOR, [Debtor::KEY])
            .filter(filter)
            .page_size(PAGE);
        let rows: Vec<Debtor> = match debtors {
            Some(debtors) => client.get_by_keys(&query, Debtor::KEY, debtors).await?,
            None => client.get_all(query).await?,
        };
        let groups: Vec<String> = rows
            .iter()
            .filter_map(|row| row.discount_group.as_deref().filter(|_| with_groups))
            .map(|group| group.trim().to_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let lines = group_lines(client, &groups).await?;
        for row in rows.into_iter().filter(wanted) {
            let terms = entry(&mut terms, row.debtor_id.trim());
            terms.line_discount = row.line_discount;
            if let Some(group) = row.discount_group.filter(|_| with_groups) {
                terms.group_discounts = lines.get(group.trim()).cloned().unwrap_or_default();
            }
        }
    }
    Ok(terms.into_values().collect())
}

fn entry<'t>(terms: &'t mut BTreeMap<String, ErpDebtorTerms>, debtor_id: &str) -> &'t mut ErpDebtorTerms {
    terms.entry(debtor_id.to_owned()).or_insert_with(|| ErpDebtorTerms {
        debtor_id: debtor_id.to_owned(),
        line_discount: None,
        prices: Vec::new(),
        group_discounts: Vec::new(),
    })
}

/// The lines of these discount groups valid today, by group code.
async fn group_lines(
    client: &AfasClient,
    groups: &[String],
) -> Result<BTreeMap<String, Vec<ErpGroupDiscount>>, AfasError> {
    let mut found: BTreeMap<String, Vec<ErpGroupDiscount>> = BTreeMap::new();
    if groups.is_empty() {
        return Ok(found);
    }
    let today = chrono::Local::now().date_naive();
    let query = DiscountGroupLine::query().page_size(PAGE);
    for line in client
        .get_by_keys::<DiscountGroupLine, _>(&query, DiscountGroupLine::KEY, groups)
        .await?
    {
        let started = line.start_date.is_none_or(|start| start.date() <= today);
        let open = line.end_date.is_none_or(|end| end.date() >= today);
        let (Some(article_group), Some(percentage)) = (line.article_group, line.discount_percentage) else {
            continue;
        };
        if started && open {
            let group = line.discount_group.trim().to_owned();
            found.entry(group.clone()).or_default().push(ErpGroupDiscount {
                discount_group: group,
                article_group: article_group.trim().to_owned(),
                percentage,
            });
        }
    }
    Ok(found)
}

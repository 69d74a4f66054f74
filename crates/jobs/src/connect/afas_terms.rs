//! AFAS's debtor terms for the till (the discounts flow's source): each debtor's own prices valid today
//! (`Profit_SalesPrice` rows with a `Debtor`, `Volume` on) and its line discount % (`LineDiscount`, the sales
//! relation's `PrLi`, a field the tenant adds to `Profit_Debtor`: without it, discounts are left to the till).

use std::collections::BTreeMap;

use koppel_afas::rows::{Debtor, GetConnectorRow, SalesPrice};
use koppel_afas::{AfasClient, AfasError, Filter, GetQuery, Operator};
use koppel_sync::terms::{ErpDebtorPrice, ErpDebtorTerms};

/// Rows per page.
const PAGE: u32 = 1_000;
/// `Profit_Debtor`'s field with the line discount.
const LINE_DISCOUNT: &str = "LineDiscount";

/// Every debtor's terms, or those of `debtors`; a debtor with neither prices nor a discount is left out.
pub async fn debtor_terms(client: &AfasClient, debtors: Option<&[String]>) -> Result<Vec<ErpDebtorTerms>, AfasError> {
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
    let has_discounts = client
        .get_connector_fields(Debtor::CONNECTOR)
        .await?
        .is_some_and(|fields| fields.iter().any(|f| f == LINE_DISCOUNT));
    if has_discounts {
        let discounts = GetQuery::new(Debtor::CONNECTOR, [Debtor::KEY])
            .filter(Filter::new(LINE_DISCOUNT, Operator::NotEmpty, ""))
            .page_size(PAGE);
        let rows: Vec<Debtor> = match debtors {
            Some(debtors) => client.get_by_keys(&discounts, Debtor::KEY, debtors).await?,
            None => client.get_all(discounts).await?,
        };
        for row in rows {
            entry(&mut terms, row.debtor_id.trim()).line_discount = row.line_discount;
        }
    }
    Ok(terms.into_values().collect())
}

fn entry<'t>(terms: &'t mut BTreeMap<String, ErpDebtorTerms>, debtor_id: &str) -> &'t mut ErpDebtorTerms {
    terms.entry(debtor_id.to_owned()).or_insert_with(|| ErpDebtorTerms {
        debtor_id: debtor_id.to_owned(),
        line_discount: None,
        prices: Vec::new(),
    })
}

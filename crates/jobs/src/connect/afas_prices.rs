//! AFAS's price lists for the till (the prices flow's source): `Profit_SalesPrice` with `Level` = each mapped
//! price list and `Volume` on (every quantity break its own row), sorted by item and quantity. No reference
//! date is sent: Profit then answers the prices valid today, by its own (Dutch) calendar.

use koppel_afas::rows::{GetConnectorRow, SalesPrice};
use koppel_afas::{AfasClient, AfasError, Filter, GetQuery, Operator};
use koppel_sync::pricing::ErpListPrice;

/// Rows per page: a price list holds a row per article and break.
const PAGE: u32 = 1_000;

/// The prices valid today on `lists`, for every article or only `items`.
pub async fn list_prices(
    client: &AfasClient,
    lists: &[String],
    items: Option<&[String]>,
) -> Result<Vec<ErpListPrice>, AfasError> {
    let mut prices = Vec::new();
    for list in lists {
        let query = GetQuery::new(SalesPrice::CONNECTOR, [SalesPrice::KEY, "Quantity"])
            .filter(Filter::new("Level", Operator::Equal, list.trim()).and("Volume", Operator::Equal, true))
            .page_size(PAGE);
        let rows: Vec<SalesPrice> = match items {
            Some(items) => client.get_by_keys(&query, SalesPrice::KEY, items).await?,
            None => client.get_all(query).await?,
        };
        prices.extend(rows.into_iter().filter_map(|row| list_price(row, list)));
    }
    Ok(prices)
}

/// A row as the engine's price: the net price (after a promotion's discount), else the gross price; a row
/// without either has no price to send.
fn list_price(row: SalesPrice, list: &str) -> Option<ErpListPrice> {
    let price = row.net_price.or(row.gross_price)?;
    Some(ErpListPrice {
        item_code: row.item.trim().to_owned(),
        price_list: row
            .level
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| list.to_owned()),
        quantity: row.quantity.unwrap_or(rust_decimal::Decimal::ONE),
        price,
    })
}

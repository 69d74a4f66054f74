//! What AFAS changed since a cursor, for the flows towards the till: a GetConnector read sorted by
//! `ModifiedDate` and the row's key, from the cursor's second on (Profit's local time, as it reports it).
//!
//! A page never splits one second of changes: when it is full, the rest of its last second is read too, so
//! the engine's "one past the last second" cursor misses nothing.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use koppel_afas::rows::{Article, Debtor, GetConnectorRow, SalesOrderRow, SalesQuotationRow, WithRest};
use koppel_afas::{AfasClient, AfasError, Filter, GetQuery, Operator};
use koppel_sync::catalogue::modified_since;
use serde::de::DeserializeOwned;

/// Rows per page when the rest of a second is read.
const REST_PAGE: u32 = 1_000;

/// A GetConnector row that names its key and when it last changed.
pub trait ChangedRow: GetConnectorRow + DeserializeOwned {
    fn key(&self) -> &str;
    fn modified(&self) -> Option<NaiveDateTime>;
}

impl ChangedRow for Article {
    fn key(&self) -> &str {
        &self.item_code
    }
    fn modified(&self) -> Option<NaiveDateTime> {
        self.modified
    }
}

/// An article with its free fields (the articles flow's custom fields).
impl ChangedRow for WithRest<Article> {
    fn key(&self) -> &str {
        &self.row.item_code
    }
    fn modified(&self) -> Option<NaiveDateTime> {
        self.row.modified
    }
}

impl ChangedRow for Debtor {
    fn key(&self) -> &str {
        &self.debtor_id
    }
    fn modified(&self) -> Option<NaiveDateTime> {
        self.modified
    }
}

impl ChangedRow for SalesOrderRow {
    fn key(&self) -> &str {
        &self.order_number
    }
    fn modified(&self) -> Option<NaiveDateTime> {
        self.modified
    }
}

impl ChangedRow for SalesQuotationRow {
    fn key(&self) -> &str {
        &self.quotation_number
    }
    fn modified(&self) -> Option<NaiveDateTime> {
        self.modified
    }
}

/// AFAS's date-time filter value.
fn afas_time(moment: NaiveDateTime) -> String {
    moment.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn query<T: ChangedRow>(connector: &str, condition: Filter, selection: &Filter, page_size: u32) -> GetQuery {
    GetQuery::new(connector, ["ModifiedDate", T::KEY])
        .filter(condition.and_filter(selection))
        .page_size(page_size)
}

/// The rows of `connector` that `selection` selects and that changed at or after `from` (seconds), oldest
/// first: at least `limit` when there are, whole seconds.
pub async fn changed_since<T: ChangedRow>(
    client: &AfasClient,
    connector: &str,
    selection: &Filter,
    from: i64,
    limit: usize,
) -> Result<Vec<T>, AfasError> {
    let take = u32::try_from(limit.max(1)).unwrap_or(u32::MAX);
    let since = Filter::new(
        "ModifiedDate",
        Operator::GreaterOrEqual,
        afas_time(modified_since(from)),
    );
    let mut rows: Vec<T> = client
        .get_page(&query::<T>(connector, since, selection, take), 0)
        .await?
        .rows;
    let last_second = rows.last().and_then(ChangedRow::modified);
    if let Some(second) = last_second.filter(|_| rows.len() >= limit) {
        let seen: HashSet<String> = rows.iter().map(|row| row.key().to_owned()).collect();
        let same_second = Filter::new("ModifiedDate", Operator::Equal, afas_time(second));
        let rest: Vec<T> = client
            .get_all(query::<T>(connector, same_second, selection, REST_PAGE))
            .await?;
        rows.extend(rest.into_iter().filter(|row| !seen.contains(row.key())));
    }
    Ok(rows)
}

/// One row by key, if `selection` selects it.
pub async fn one<T: ChangedRow>(
    client: &AfasClient,
    connector: &str,
    selection: &Filter,
    key: &str,
) -> Result<Option<T>, AfasError> {
    let by_key = Filter::new(T::KEY, Operator::Equal, key.trim());
    let rows: Vec<T> = client
        .get_page(&query::<T>(connector, by_key, selection, 2), 0)
        .await?
        .rows;
    Ok(rows.into_iter().next())
}

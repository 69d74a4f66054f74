//! GetConnector reads: always sorted and paged (AFAS does not guarantee an order between pages otherwise),
//! as a stream of pages or collected, and look-ups of many keys split so no query string passes AFAS's limit.

use futures::{Stream, TryStreamExt, stream};
use reqwest::{Method, Url};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::transport::Call;
use crate::{AfasClient, AfasError, Filter};

/// AFAS answers 404 to a query string longer than this.
pub const MAX_QUERY_STRING_LEN: usize = 2049;

/// Rows per page unless set otherwise (AFAS's own default take).
const DEFAULT_PAGE_SIZE: u32 = 100;

/// The widest `skip` we budget for when checking the query length, so later pages never pass the limit.
const WIDEST_SKIP: u32 = 999_999_999;

/// What to read from one GetConnector.
#[derive(Debug, Clone)]
pub struct GetQuery {
    connector: String,
    order_by: Vec<String>,
    filter: Filter,
    page_size: u32,
}

impl GetQuery {
    /// A read of `connector` sorted by `order_by` (field ids; prefix `-` for descending). Sorting is required:
    /// without it AFAS may return rows twice or never across pages.
    pub fn new<S: AsRef<str>>(connector: &str, order_by: impl IntoIterator<Item = S>) -> Self {
        let order_by: Vec<String> = order_by.into_iter().map(|s| s.as_ref().to_owned()).collect();
        assert!(!order_by.is_empty(), "a GetConnector read needs a sort order");
        Self {
            connector: connector.to_owned(),
            order_by,
            filter: Filter::default(),
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

    /// Only rows matching `filter` (AND-ed with any filter set before).
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = self.filter.and_filter(&filter);
        self
    }

    /// Rows per request (at least 1).
    pub fn page_size(mut self, take: u32) -> Self {
        self.page_size = take.max(1);
        self
    }

    pub fn connector(&self) -> &str {
        &self.connector
    }

    fn url(&self, base: &Url, skip: u32) -> Url {
        let mut url = base.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("skip", &skip.to_string())
                .append_pair("take", &self.page_size.to_string())
                .append_pair("orderbyfieldids", &self.order_by.join(","));
            for (name, value) in self.filter.query_pairs() {
                query.append_pair(name, &value);
            }
        }
        url
    }

    /// Whether every page of this read stays within [`MAX_QUERY_STRING_LEN`].
    fn fits(&self, base: &Url) -> bool {
        self.url(base, WIDEST_SKIP).query().map_or(0, str::len) <= MAX_QUERY_STRING_LEN
    }
}

/// One page as AFAS returns it.
#[derive(Debug, Clone, Deserialize)]
pub struct GetPage<T> {
    pub skip: i64,
    pub take: i64,
    pub rows: Vec<T>,
}

impl AfasClient {
    /// One page of rows starting at `skip`.
    pub async fn get_page<T: DeserializeOwned>(&self, query: &GetQuery, skip: u32) -> Result<GetPage<T>, AfasError> {
        let base = self.transport.url(&format!("connectors/{}", query.connector))?;
        if !query.fits(&base) {
            return Err(AfasError::InvalidRequest(format!(
                "the query string for {} would pass {MAX_QUERY_STRING_LEN} characters",
                query.connector
            )));
        }
        let reply = self
            .transport
            .execute(Call {
                operation: &query.connector,
                method: Method::GET,
                url: query.url(&base, skip),
                body: None,
            })
            .await?;
        serde_json::from_str(&reply.body).map_err(|e| AfasError::Unexpected {
            status: reply.status,
            message: format!("cannot read {} rows: {e}", query.connector),
        })
    }

    /// All pages in order, fetched one after the other as the stream is polled. A short page ends it.
    pub fn get_pages<'a, T: DeserializeOwned + 'a>(
        &'a self,
        query: GetQuery,
    ) -> impl Stream<Item = Result<Vec<T>, AfasError>> + 'a {
        stream::try_unfold(Some(0u32), move |next| {
            let query = query.clone();
            async move {
                let Some(skip) = next else { return Ok(None) };
                let page: GetPage<T> = self.get_page(&query, skip).await?;
                let full = page.rows.len() >= query.page_size as usize;
                let next = full.then(|| skip + query.page_size);
                Ok(Some((page.rows, next)))
            }
        })
        .try_filter(|rows| futures::future::ready(!rows.is_empty()))
    }

    /// Every row of the query.
    pub async fn get_all<T: DeserializeOwned>(&self, query: GetQuery) -> Result<Vec<T>, AfasError> {
        let pages: Vec<Vec<T>> = self.get_pages(query).try_collect().await?;
        Ok(pages.into_iter().flatten().collect())
    }

    /// Rows whose `field` equals any of `keys` (and that match the query's own filter), in as few requests as
    /// the query-string limit allows. Each chunk is sorted by the query's order; chunks follow key order.
    pub async fn get_by_keys<T, K>(&self, query: &GetQuery, field: &str, keys: &[K]) -> Result<Vec<T>, AfasError>
    where
        T: DeserializeOwned,
        K: ToString,
    {
        let chunks = self.split_by_query_length(query, field, keys)?;
        // The chunks are independent: asked together (the client's cap on concurrent requests still holds),
        // a long key list costs one round trip instead of one per chunk.
        let answers = futures::future::try_join_all(chunks.into_iter().map(|chunk| self.get_all::<T>(chunk))).await?;
        Ok(answers.into_iter().flatten().collect())
    }

    /// The key look-up as separate queries that each fit the query-string limit.
    pub fn split_by_query_length<K: ToString>(
        &self,
        query: &GetQuery,
        field: &str,
        keys: &[K],
    ) -> Result<Vec<GetQuery>, AfasError> {
        let base = self.transport.url(&format!("connectors/{}", query.connector))?;
        let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
        let with_keys = |chunk: &[String]| {
            let mut chunked = query.clone();
            chunked.filter = Filter::any_of(field, chunk).and_filter(&query.filter);
            chunked
        };
        let mut queries = Vec::new();
        let mut start = 0;
        while start < keys.len() {
            if !with_keys(&keys[start..=start]).fits(&base) {
                return Err(AfasError::InvalidRequest(format!(
                    "the key {:?} alone makes the query string for {} too long",
                    keys[start], query.connector
                )));
            }
            // Grow the chunk while it fits: a doubling search, then a binary search for the exact end.
            let (mut fits, mut step) = (start + 1, 1);
            while fits + step <= keys.len() && with_keys(&keys[start..fits + step]).fits(&base) {
                fits += step;
                step *= 2;
            }
            let mut too_long = (fits + step).min(keys.len() + 1);
            while too_long - fits > 1 {
                let middle = (fits + too_long) / 2;
                if with_keys(&keys[start..middle]).fits(&base) {
                    fits = middle;
                } else {
                    too_long = middle;
                }
            }
            queries.push(with_keys(&keys[start..fits]));
            start = fits;
        }
        Ok(queries)
    }
}

/// Pages of a stream flattened into rows, for callers that want to process rows one by one.
pub fn flatten_pages<T>(
    pages: impl Stream<Item = Result<Vec<T>, AfasError>>,
) -> impl Stream<Item = Result<T, AfasError>> {
    pages
        .map_ok(|rows| stream::iter(rows.into_iter().map(Ok)))
        .try_flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_url_carries_skip_take_and_sort() {
        let base = Url::parse("http://h/ProfitRestServices/connectors/Profit_Debtor").unwrap();
        let query = GetQuery::new("Profit_Debtor", ["DebtorId", "-ModifiedDate"]).page_size(50);
        assert_eq!(
            query.url(&base, 100).query().unwrap(),
            "skip=100&take=50&orderbyfieldids=DebtorId%2C-ModifiedDate"
        );
    }
}

//! The activity log: search over the journal with filters and keyset pagination, one entry with its payloads,
//! the previous sync of the same record.
//!
//! Free text is split on white space; every word must occur, case-insensitively, in the entry's searchable
//! keys (order number, e-mail, SKU, customer name) or its error text. All through indexes:
//!
//! * SQLite: the FTS5 table `journal_fts` indexes words (split at punctuation, case and accents folded). A
//!   search word is a phrase of its parts whose last part may be a prefix: `ann@shop.nl`, `shop.nl`,
//!   `2026-00`, `sku-12`, `timeo` all match, `hop.nl` and `shop.n` do not.
//! * PostgreSQL: the same words in a `tsvector` column (migration 0008: split at the same characters,
//!   lower-cased; accents are not folded) with a GIN index, searched with the same phrases and prefixes.
//!
//! The plan is chosen per query, because the best one depends on how common the words are. A rare
//! key (an e-mail address, an order number) matches few entries: those are looked up through the word index
//! and sorted. A common word ("timeout" in a month of failures) matches many: then the tenant's entries are
//! walked newest first through the time index, testing each row against the set of matches, which stops
//! after one page. On SQLite a bounded count in the FTS index ([`common_word_threshold`]) tells which case
//! applies; on PostgreSQL the newest entries are tried first and the index only when they fill no page.
//!
//! Results are newest first, ordered by `(created_at_ms, id)`; a page ends with an opaque [`Cursor`] that
//! continues strictly after its last entry, so concurrent inserts never cause duplicates or gaps.

use std::sync::atomic::{AtomicI64, Ordering};

use koppel_core::FlowKind;
use uuid::Uuid;

use crate::db::on_pool;
use crate::journal::{EntrySummary, SUMMARY_COLUMNS as ENTRY_COLUMNS};
use crate::{Db, Result, TenantScope};

/// The outcomes an entry can have.
pub const OUTCOMES: [&str; 4] = ["created", "updated", "skipped", "failed"];

/// At most this many entries per page.
pub const MAX_PAGE: u32 = 1000;

/// Words beyond this many are ignored (a pasted paragraph should not build a huge query).
const MAX_WORDS: usize = 8;

/// SQLite: from this many matching entries (all tenants) on, a search walks the time index instead of looking
/// the matches up (see the module documentation). Both plans give the same results.
static COMMON_WORD_THRESHOLD: AtomicI64 = AtomicI64::new(5_000);

pub fn common_word_threshold() -> i64 {
    COMMON_WORD_THRESHOLD.load(Ordering::Relaxed)
}

/// Changes [`common_word_threshold`] for the whole process (tests use it to exercise both plans).
pub fn set_common_word_threshold(matches: i64) {
    COMMON_WORD_THRESHOLD.store(matches.max(1), Ordering::Relaxed);
}

/// What to look for. Empty / `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    /// Free text: every word must occur in the keys or the error text.
    pub text: String,
    pub flow: Option<FlowKind>,
    /// One of [`OUTCOMES`]; anything else matches nothing.
    pub outcome: Option<String>,
    /// The source entity type (`order`, `invoice`, `customer`, `article`, `stock`, ...).
    pub entity: Option<String>,
    /// Entries at or after this time (unix ms).
    pub from_ms: Option<i64>,
    /// Entries strictly before this time (unix ms).
    pub until_ms: Option<i64>,
}

/// Where a page ends: the `(created_at_ms, id)` of its last entry. Opaque to clients (hex text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at_ms: i64,
    pub id: Uuid,
}

impl Cursor {
    pub fn after(entry: &EntrySummary) -> Self {
        Self {
            at_ms: entry.created_at_ms,
            id: entry.id,
        }
    }

    pub fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(24);
        bytes.extend_from_slice(&self.at_ms.to_be_bytes());
        bytes.extend_from_slice(self.id.as_bytes());
        hex::encode(bytes)
    }

    /// `None` for anything [`Cursor::encode`] did not make.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        if bytes.len() != 24 {
            return None;
        }
        let at_ms = i64::from_be_bytes(bytes[..8].try_into().ok()?);
        let id = Uuid::from_slice(&bytes[8..]).ok()?;
        Some(Self { at_ms, id })
    }
}

/// One page of results, and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone)]
pub struct Page {
    pub entries: Vec<EntrySummary>,
    pub next: Option<Cursor>,
}

/// An entry with its payloads. The payloads are `None` once retention removed them (they are kept for a
/// shorter time than the entry).
#[derive(Debug, Clone)]
pub struct EntryDetail {
    pub entry: EntrySummary,
    /// What came from the source (JSON text).
    pub source_payload: Option<String>,
    /// `[{operation, request, status, response}]` (JSON text): what was sent and what the target answered.
    pub exchanges: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    entry: EntrySummary,
    source_payload: Option<String>,
    exchanges: Option<String>,
}

impl From<DetailRow> for EntryDetail {
    fn from(row: DetailRow) -> Self {
        Self {
            entry: row.entry,
            source_payload: row.source_payload,
            exchanges: row.exchanges,
        }
    }
}

/// A bind value of a query built at run time.
#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    Int(i64),
    Uuid(Uuid),
}

/// SQL text with `$n` placeholders and the values they stand for.
#[derive(Debug, Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Adds a value and returns its placeholder.
    fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }
}

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Text(text) => query.bind(text.as_str()),
                Arg::Int(number) => query.bind(*number),
                Arg::Uuid(id) => query.bind(*id),
            };
        }
        query
    }};
}

/// The words of a free-text query: white-space separated, quotes dropped, at most [`MAX_WORDS`]. Words
/// without a letter or digit are dropped (punctuation alone is not indexed).
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|word| word.replace('"', ""))
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .take(MAX_WORDS)
        .collect()
}

/// How the free text is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// SQLite, rare words: look the matches up in the FTS index, then sort them.
    SqliteLookup,
    /// SQLite, common words (or none): walk the tenant's entries newest first, testing each row.
    SqliteWalk,
    /// PostgreSQL without words: the tenant's entries newest first.
    PostgresAll,
    /// PostgreSQL, tried first: the newest [`recent_window`] entries that pass the other filters, tested
    /// for the words. Enough when the words are common; when it fills no page, see [`search`].
    PostgresRecent,
    /// PostgreSQL: the same over ten times as many entries, for words too frequent for the index to be cheap
    /// but too rare to fill a page from the first window.
    PostgresRecentWide,
    /// PostgreSQL: every match from the GIN index (all tenants; rare words), then this tenant's, sorted.
    PostgresLookup,
}

/// The parts of a text as both word indexes see them: its runs of letters and digits.
fn parts(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
}

/// PostgreSQL's longest lexeme, in bytes, and highest word position.
const MAX_LEXEME_BYTES: usize = 2_047;
const MAX_POSITION: usize = 16_383;

/// PostgreSQL: the `tsvector` (in its text form) of an entry's searchable keys and error text: every part,
/// lower-cased, at its position, so that [`tsquery_expression`]'s phrases match. Both sides are made here,
/// so they agree by construction; the database only parses the result. Parts are letters and digits only,
/// so none needs escaping.
pub(crate) fn tsvector_literal(search_keys: &str, reason: Option<&str>) -> String {
    let mut literal = String::with_capacity(search_keys.len() * 2);
    let words = parts(search_keys).chain(reason.into_iter().flat_map(parts));
    for (position, part) in words
        .map(str::to_lowercase)
        .filter(|p| p.len() <= MAX_LEXEME_BYTES)
        .enumerate()
    {
        if !literal.is_empty() {
            literal.push(' ');
        }
        literal.push('\'');
        literal.push_str(&part);
        literal.push_str("':");
        literal.push_str(&(position + 1).min(MAX_POSITION).to_string());
    }
    literal
}

/// A search word as the indexes see it: its parts (split at every character that is not a letter or digit),
/// and whether the last part matches as a prefix. A prefix on a common last part ("com" of an e-mail address)
/// would merge the lists of every word starting with it, so only a lone part of two characters or more, or a
/// number, is a prefix: `timeout`, `timeo`, `2026-00`, `sku-12` are prefixes, `ann@shop.nl` and `shop.nl` are
/// exact.
struct SearchWord<'a> {
    parts: Vec<&'a str>,
    prefix: bool,
}

impl<'a> SearchWord<'a> {
    fn new(word: &'a str) -> Self {
        let parts: Vec<&str> = parts(word).collect();
        let prefix = match parts.as_slice() {
            [only] => only.chars().count() > 1,
            [.., last] => last.chars().all(|c| c.is_ascii_digit()),
            [] => false,
        };
        Self { parts, prefix }
    }
}

/// An FTS5 query, all words required; each word a phrase (FTS5 splits it into the same parts as the text).
fn fts_expression(words: &[String]) -> String {
    words
        .iter()
        .map(|word| {
            let prefix = if SearchWord::new(word).prefix { "*" } else { "" };
            format!("\"{}\"{prefix}", word.replace('"', "\"\""))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The same query for PostgreSQL's `tsvector` (migration 0008 splits the text at the same characters): each
/// word a phrase of its parts (`<->`), all words required (`&`). Parts are letters and digits only, so they
/// need no quoting beyond the quotes themselves.
fn tsquery_expression(words: &[String]) -> String {
    words
        .iter()
        .map(|word| {
            let word = SearchWord::new(word);
            let last = word.parts.len().saturating_sub(1);
            let parts: Vec<String> = word
                .parts
                .iter()
                .enumerate()
                .map(|(i, part)| {
                    let prefix = if i == last && word.prefix { ":*" } else { "" };
                    let mut part = part.to_lowercase();
                    // Longer parts are not indexed; cut, the word cannot fail the query's syntax.
                    part.truncate(part.floor_char_boundary(MAX_LEXEME_BYTES));
                    format!("'{part}'{prefix}")
                })
                .collect();
            format!("({})", parts.join(" <-> "))
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// PostgreSQL: from this many matches in the first window, a word counts as middling (see [`search`]).
const FEW_MATCHES: usize = 5;

/// PostgreSQL: entries [`Plan::PostgresRecent`] tests before it turns to the word index (twice SQLite's
/// threshold, so the tests that lower the threshold exercise the fallback too).
fn recent_window() -> i64 {
    common_word_threshold() * 2
}

/// Picks the first plan for this filter. On SQLite a bounded count of the matches (all tenants) in the FTS
/// index decides, as SQLite keeps no statistics for FTS5. On PostgreSQL a count costs too much for a word of
/// middling frequency (a sequential scan to find the threshold's worth), and the planner's own estimate for a
/// prefix (`2026-0067`) is a guess that once sent a search for one order number through every entry of the
/// tenant: so the recent entries are tried first and the index only when they fill no page (see [`search`]).
async fn choose_plan(db: &Db, filter: &ActivityFilter) -> Result<Plan> {
    let all = words(&filter.text);
    let pool = match db {
        Db::Postgres(_) if all.is_empty() => return Ok(Plan::PostgresAll),
        Db::Postgres(_) => return Ok(Plan::PostgresRecent),
        Db::Sqlite(_) if all.is_empty() => return Ok(Plan::SqliteWalk),
        Db::Sqlite(pool) => pool,
    };
    let threshold = common_word_threshold();
    let (matches,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM (SELECT rowid FROM journal_fts WHERE journal_fts MATCH $1 LIMIT $2)")
            .bind(fts_expression(&all))
            .bind(threshold)
            .fetch_one(pool)
            .await?;
    Ok(if matches < threshold {
        Plan::SqliteLookup
    } else {
        Plan::SqliteWalk
    })
}

/// The WHERE clause (from `FROM journal j` on) for a filter and a cursor.
fn where_clause(plan: Plan, scope: &TenantScope, filter: &ActivityFilter, after: Option<&Cursor>) -> Sql {
    let mut sql = Sql::default();
    let tenant = sql.arg(Arg::Uuid(scope.tenant_id().0));
    let all = words(&filter.text);
    let mut conditions = Vec::new();
    // The word condition, for plans that test it beside the other filters.
    let mut text = None;
    let mut from = "journal j".to_owned();
    match plan {
        Plan::SqliteLookup => {
            // The unary + keeps the planner off the tenant's indexes, so it drives from the FTS matches.
            conditions.push(format!("+j.tenant_id = {tenant}"));
            let p = sql.arg(Arg::Text(fts_expression(&all)));
            conditions.push(format!(
                "j.rowid IN (SELECT rowid FROM journal_fts WHERE journal_fts MATCH {p})"
            ));
        }
        Plan::SqliteWalk => {
            conditions.push(format!("j.tenant_id = {tenant}"));
            if !all.is_empty() {
                // The matches are read once into a set (with a Bloom filter) that each walked row is checked
                // against; a correlated FTS lookup per row would re-read the word lists every time.
                let p = sql.arg(Arg::Text(fts_expression(&all)));
                conditions.push(format!(
                    "j.rowid IN (SELECT rowid FROM journal_fts WHERE journal_fts MATCH {p})"
                ));
            }
        }
        Plan::PostgresAll => conditions.push(format!("j.tenant_id = {tenant}")),
        Plan::PostgresRecent | Plan::PostgresRecentWide => {
            conditions.push(format!("j.tenant_id = {tenant}"));
            let p = sql.arg(Arg::Text(tsquery_expression(&all)));
            text = Some(format!("j.search_tsv @@ {p}::tsquery"));
        }
        Plan::PostgresLookup => {
            // OFFSET 0 keeps the matches a subquery of their own (the planner may not pull it up into the
            // ordered, limited query, nor combine it with the tenant's index): it is planned alone, through
            // the GIN index; the tenant and the other filters apply to its rows.
            let p = sql.arg(Arg::Text(tsquery_expression(&all)));
            from = format!("(SELECT * FROM journal WHERE search_tsv @@ {p}::tsquery OFFSET 0) j");
            conditions.push(format!("j.tenant_id = {tenant}"));
        }
    }
    if let Some(flow) = filter.flow {
        let p = sql.arg(Arg::Text(flow.as_str().to_owned()));
        conditions.push(format!("j.flow = {p}"));
    }
    if let Some(outcome) = filter.outcome.as_deref().filter(|o| !o.is_empty()) {
        let p = sql.arg(Arg::Text(outcome.to_owned()));
        conditions.push(format!("j.outcome = {p}"));
    }
    if let Some(entity) = filter.entity.as_deref().filter(|e| !e.is_empty()) {
        let p = sql.arg(Arg::Text(entity.to_owned()));
        conditions.push(format!("j.entity = {p}"));
    }
    if let Some(from) = filter.from_ms {
        let p = sql.arg(Arg::Int(from));
        conditions.push(format!("j.created_at_ms >= {p}"));
    }
    if let Some(until) = filter.until_ms {
        let p = sql.arg(Arg::Int(until));
        conditions.push(format!("j.created_at_ms < {p}"));
    }
    if let Some(cursor) = after {
        let at = sql.arg(Arg::Int(cursor.at_ms));
        let id = sql.arg(Arg::Uuid(cursor.id));
        conditions.push(format!("(j.created_at_ms, j.id) < ({at}, {id})"));
    }
    if let Some(text) = text {
        // The window: the newest entries that pass every other filter, then the words.
        let scale = if plan == Plan::PostgresRecentWide { 10 } else { 1 };
        let window = sql.arg(Arg::Int(recent_window() * scale));
        from = format!(
            "(SELECT * FROM journal j WHERE {} ORDER BY j.created_at_ms DESC, j.id DESC LIMIT {window}) j",
            conditions.join(" AND ")
        );
        conditions = vec![text];
    }
    sql.text = format!("FROM {from} WHERE {}", conditions.join(" AND "));
    sql
}

fn search_sql(plan: Plan, scope: &TenantScope, filter: &ActivityFilter, after: Option<&Cursor>, limit: u32) -> Sql {
    let mut sql = where_clause(plan, scope, filter, after);
    let limit = sql.arg(Arg::Int(i64::from(limit)));
    sql.text = format!(
        "SELECT {ENTRY_COLUMNS} {} ORDER BY j.created_at_ms DESC, j.id DESC LIMIT {limit}",
        sql.text
    );
    sql
}

/// One page of the tenant's entries matching `filter`, newest first, continuing after `after`.
pub async fn search(
    db: &Db,
    scope: &TenantScope,
    filter: &ActivityFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<Page> {
    let limit = limit.clamp(1, MAX_PAGE);
    if filter
        .outcome
        .as_deref()
        .is_some_and(|o| !o.is_empty() && !OUTCOMES.contains(&o))
    {
        return Ok(Page {
            entries: Vec::new(),
            next: None,
        });
    }
    // One more than asked tells whether a next page exists.
    let plan = choose_plan(db, filter).await?;
    let run = |plan| {
        let sql = search_sql(plan, scope, filter, after, limit + 1);
        async move {
            on_pool!(db, pool => {
                let query = sqlx::query_as::<_, EntrySummary>(sqlx::AssertSqlSafe(sql.text.clone()));
                bind_all!(query, &sql.args).fetch_all(pool).await
            })
        }
    };
    let mut entries = run(plan).await?;
    // The recent entries did not fill the page. Hardly any match: the words are rare, and the index finds
    // them all at once. Some do: the words are middling, too many matches for the index to be cheap, so a
    // ten times wider window first.
    if plan == Plan::PostgresRecent && entries.len() <= limit as usize {
        if entries.len() >= FEW_MATCHES {
            entries = run(Plan::PostgresRecentWide).await?;
        }
        if entries.len() <= limit as usize {
            entries = run(Plan::PostgresLookup).await?;
        }
    }
    let next = if entries.len() > limit as usize {
        entries.truncate(limit as usize);
        entries.last().map(Cursor::after)
    } else {
        None
    };
    Ok(Page { entries, next })
}

/// The query plan of [`search`] for this filter (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL), one
/// line per step: for checking that searches use the indexes.
pub async fn explain_search(db: &Db, scope: &TenantScope, filter: &ActivityFilter, limit: u32) -> Result<Vec<String>> {
    let plan = choose_plan(db, filter).await?;
    let sql = search_sql(plan, scope, filter, None, limit);
    Ok(match db {
        Db::Sqlite(pool) => {
            let text = format!("EXPLAIN QUERY PLAN {}", sql.text);
            let query = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(text));
            bind_all!(query, &sql.args)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|(_, _, _, detail)| detail)
                .collect()
        }
        Db::Postgres(pool) => {
            let text = format!("EXPLAIN {}", sql.text);
            let query = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(text));
            bind_all!(query, &sql.args)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|(line,)| line)
                .collect()
        }
    })
}

/// Refreshes the planner's statistics of the journal after a bulk load (PostgreSQL's autovacuum gets there
/// later by itself; SQLite plans these queries from the schema alone, so there it does nothing).
pub async fn analyze(db: &Db) -> Result<()> {
    if let Db::Postgres(pool) = db {
        sqlx::query("ANALYZE journal").execute(pool).await?;
    }
    Ok(())
}

fn detail_sql(condition: &str, order: &str) -> String {
    format!(
        "SELECT {ENTRY_COLUMNS}, p.source_payload, p.exchanges FROM journal j
         LEFT JOIN journal_payloads p ON p.entry_id = j.id AND p.tenant_id = j.tenant_id
         WHERE {condition} {order}"
    )
}

/// One entry of the tenant with its payloads; `None` for an unknown id or another tenant's entry.
pub async fn entry(db: &Db, scope: &TenantScope, id: Uuid) -> Result<Option<EntryDetail>> {
    let sql = detail_sql("j.id = $1 AND j.tenant_id = $2", "");
    let row = on_pool!(db, pool => sqlx::query_as::<_, DetailRow>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(scope.tenant_id().0)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(EntryDetail::from))
}

/// The entry journaled for the same record (flow and source id) just before `of`: the previous sync.
pub async fn previous(db: &Db, scope: &TenantScope, of: &EntrySummary) -> Result<Option<EntryDetail>> {
    let sql = detail_sql(
        "j.tenant_id = $1 AND j.flow = $2 AND j.source_id = $3 AND (j.created_at_ms, j.id) < ($4, $5)",
        "ORDER BY j.created_at_ms DESC, j.id DESC LIMIT 1",
    );
    let row = on_pool!(db, pool => sqlx::query_as::<_, DetailRow>(sqlx::AssertSqlSafe(sql))
        .bind(scope.tenant_id().0)
        .bind(of.flow.as_str())
        .bind(of.source_id.as_str())
        .bind(of.created_at_ms)
        .bind(of.id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(EntryDetail::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor {
            at_ms: 1_764_000_000_123,
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("zz"), None);
        assert_eq!(Cursor::decode(&"ab".repeat(23)), None);
    }

    #[test]
    fn tsvector_literal_has_every_part_lower_cased_at_its_position() {
        assert_eq!(
            tsvector_literal("2026-0001 Ann@Shop.NL  SKU-7", Some("Time-out: Ünknown")),
            "'2026':1 '0001':2 'ann':3 'shop':4 'nl':5 'sku':6 '7':7 'time':8 'out':9 'ünknown':10"
        );
        assert_eq!(tsvector_literal("", None), "");
        let long = "x".repeat(MAX_LEXEME_BYTES + 1);
        assert_eq!(tsvector_literal(&format!("a {long} b"), None), "'a':1 'b':2");
    }

    #[test]
    fn words_drop_quotes_and_lone_punctuation() {
        assert_eq!(
            words(" \"ann@shop.nl\"  2026-0001 - x "),
            vec!["ann@shop.nl", "2026-0001", "x"]
        );
        let all = words("ann@shop.nl 2026-0 x say\"s");
        assert_eq!(
            fts_expression(&all),
            "\"ann@shop.nl\" AND \"2026-0\"* AND \"x\" AND \"says\"*"
        );
        assert_eq!(
            tsquery_expression(&all),
            "('ann' <-> 'shop' <-> 'nl') & ('2026' <-> '0':*) & ('x') & ('says':*)"
        );
    }
}

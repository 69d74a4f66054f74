//! The journal (activity log): one entry per record per run, payloads kept apart from the searchable
//! columns, plus the id map that makes every write idempotent.

use std::collections::HashMap;

use koppel_core::FlowKind;
use uuid::Uuid;

use crate::db::{BeginWrite, on_pool};
use crate::runs::RunId;
use crate::sales::NewSale;
use crate::{Db, Result, TenantScope};

/// An entry to write. Payloads are JSON text; secrets are removed before they get here.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub run_id: RunId,
    pub flow: FlowKind,
    pub entity: &'a str,
    pub source_id: &'a str,
    pub target_id: Option<&'a str>,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
    /// Whether the flow's next runs retry it by themselves (failures of any class but `permanent`).
    pub retryable: bool,
    /// Why it failed: `setting`, `master_data`, `transient` or `permanent`; `None` when it did not.
    pub failure_class: Option<&'a str>,
    /// Order number, e-mail, SKU, customer name: what people search by, space-separated.
    pub search_keys: &'a str,
    pub source_payload: &'a str,
    pub exchanges: &'a str,
    pub content_hash: Option<&'a str>,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdMapRow {
    pub target_id: Option<String>,
    pub content_hash: Option<String>,
    pub retry_pending: bool,
}

/// Writes the entry, its payloads and the id map in one transaction: a record is journaled completely or
/// not at all.
pub async fn record(db: &Db, scope: &TenantScope, entry: &NewEntry<'_>) -> Result<Uuid> {
    let ids = record_all(db, scope, std::slice::from_ref(entry), IdMap::Update).await?;
    Ok(ids[0])
}

/// Whether a write of entries also updates the id map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdMap {
    /// A run's entries: the id map learns target ids and content hashes, and which records await a retry.
    Update,
    /// Bulk loads (`koppel bench logs`): entries only; `content_hash` is ignored.
    Leave,
}

/// Writes entries (a run's batch of records, or a bulk load) in one transaction: each with its payloads and,
/// with [`IdMap::Update`], its id-map row. All of them or none. Returns the new ids, in order.
pub async fn record_all(db: &Db, scope: &TenantScope, entries: &[NewEntry<'_>], id_map: IdMap) -> Result<Vec<Uuid>> {
    write(db, scope, entries, id_map, &[]).await
}

/// A run's entries with the sales among them ([`crate::sales`]): entries, id map and sales in one
/// transaction, so no booked sale is ever journaled without its till totals.
pub async fn record_with_sales(
    db: &Db,
    scope: &TenantScope,
    entries: &[NewEntry<'_>],
    sales: &[NewSale<'_>],
) -> Result<Vec<Uuid>> {
    write(db, scope, entries, IdMap::Update, sales).await
}

async fn write(
    db: &Db,
    scope: &TenantScope,
    entries: &[NewEntry<'_>],
    id_map: IdMap,
    sales: &[NewSale<'_>],
) -> Result<Vec<Uuid>> {
    let tenant = scope.tenant_id().0;
    let ids: Vec<Uuid> = entries.iter().map(|_| Uuid::now_v7()).collect();
    let sqlite = db.backend() == crate::Backend::Sqlite;
    let distinct: std::collections::HashSet<&str> = entries.iter().map(|e| e.source_id).collect();
    // One upsert may not touch a row twice (PostgreSQL refuses): a batch that names a record twice maps
    // one row per statement, in order. 7 parameters a row, within both backends' caps.
    // 11 parameters a row, within both backends' caps.
    let id_map_rows = if distinct.len() == entries.len() { 2_000 } else { 1 };
    // Read before the transaction: only the flow's one active run (or a person skipping) writes a record's row.
    let failed: Vec<&NewEntry<'_>> = entries.iter().filter(|e| e.outcome == "failed").collect();
    let earlier = match id_map {
        IdMap::Update => crate::retries::failures_in_a_row(db, tenant, &failed).await?,
        IdMap::Leave => HashMap::new(),
    };
    on_pool!(db, pool => {
        let mut tx = pool.begin_write().await?;
        BulkInsert::entries(&mut *tx, tenant, entries, &ids).await?;
        if id_map == IdMap::Update {
            for (chunk, chunk_ids) in entries.chunks(id_map_rows).zip(ids.chunks(id_map_rows)) {
                // A failure keeps what an earlier success mapped (its hash is not written, so COALESCE keeps
                // the old one) and only schedules the record's retry.
                let sql = format!(
                    "INSERT INTO id_map (tenant_id, flow, source_id, target_id, content_hash, retry_pending,
                       updated_at_ms, failure_class, attempts, retry_at_ms, last_entry_id) VALUES {}
                     ON CONFLICT (tenant_id, flow, source_id) DO UPDATE SET
                       target_id = COALESCE(excluded.target_id, id_map.target_id),
                       content_hash = COALESCE(excluded.content_hash, id_map.content_hash),
                       retry_pending = excluded.retry_pending,
                       updated_at_ms = excluded.updated_at_ms,
                       failure_class = excluded.failure_class,
                       attempts = excluded.attempts,
                       retry_at_ms = excluded.retry_at_ms,
                       last_entry_id = excluded.last_entry_id",
                    values_rows(sqlite, chunk.len(), 11)
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
                for (entry, id) in chunk.iter().zip(chunk_ids) {
                    let schedule = crate::retries::Schedule::after(entry, &earlier);
                    query = query
                        .bind(tenant)
                        .bind(entry.flow.as_str())
                        .bind(entry.source_id)
                        .bind(entry.target_id)
                        .bind(if schedule.failed { None } else { entry.content_hash })
                        .bind(schedule.retry_pending)
                        .bind(entry.at_ms)
                        .bind(entry.failure_class.filter(|_| schedule.failed))
                        .bind(schedule.attempts)
                        .bind(schedule.retry_at_ms)
                        .bind(*id);
                }
                query.execute(&mut *tx).await?;
            }
        }
        // As for the id map: a batch that names a sale twice writes one row per statement, in order.
        let distinct_sales: std::collections::HashSet<&str> = sales.iter().map(|s| s.source_id).collect();
        let sale_rows = if distinct_sales.len() == sales.len() { crate::sales::ROWS_PER_STATEMENT } else { 1 };
        for chunk in sales.chunks(sale_rows) {
            let sql = crate::sales::upsert_sql(sqlite, chunk.len());
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for sale in chunk {
                let entry = &entries[sale.entry];
                query = query
                    .bind(tenant)
                    .bind(entry.flow.as_str())
                    .bind(sale.source_id)
                    .bind(sale.number)
                    .bind(sale.date.format("%Y-%m-%d").to_string())
                    .bind(&sale.till_total_incl)
                    .bind(&sale.till_vat)
                    .bind(sale.target_id)
                    .bind(ids[sale.entry])
                    .bind(entry.at_ms);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<_, crate::StoreError>(())
    })?;
    Ok(ids)
}

/// How a backend writes many journal rows and their payloads at once, inside the caller's transaction.
trait BulkInsert {
    fn entries(
        &mut self,
        tenant: Uuid,
        entries: &[NewEntry<'_>],
        ids: &[Uuid],
    ) -> impl std::future::Future<Output = Result<()>> + Send;
}

/// SQLite: multi-row `VALUES`, as many rows per statement as its cap of 32,766 bind parameters allows (13 a
/// journal row). The FTS index follows by trigger.
impl BulkInsert for sqlx::SqliteConnection {
    async fn entries(&mut self, tenant: Uuid, entries: &[NewEntry<'_>], ids: &[Uuid]) -> Result<()> {
        const ROWS: usize = 2_000;
        for (chunk, chunk_ids) in entries.chunks(ROWS).zip(ids.chunks(ROWS)) {
            let sql = format!(
                "INSERT INTO journal (id, tenant_id, run_id, flow, entity, source_id, target_id, outcome, reason,
                   retryable, search_keys, created_at_ms, failure_class) VALUES {}",
                values_rows(true, chunk.len(), 13)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for (entry, id) in chunk.iter().zip(chunk_ids) {
                query = query
                    .bind(*id)
                    .bind(tenant)
                    .bind(entry.run_id.0)
                    .bind(entry.flow.as_str())
                    .bind(entry.entity)
                    .bind(entry.source_id)
                    .bind(entry.target_id)
                    .bind(entry.outcome)
                    .bind(entry.reason)
                    .bind(entry.retryable)
                    .bind(entry.search_keys)
                    .bind(entry.at_ms)
                    .bind(entry.failure_class);
            }
            query.execute(&mut *self).await?;

            let sql = format!(
                "INSERT INTO journal_payloads (entry_id, tenant_id, source_payload, exchanges) VALUES {}",
                values_rows(true, chunk.len(), 4)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for (entry, id) in chunk.iter().zip(chunk_ids) {
                query = query
                    .bind(*id)
                    .bind(tenant)
                    .bind(entry.source_payload)
                    .bind(entry.exchanges);
            }
            query.execute(&mut *self).await?;
        }
        Ok(())
    }
}

/// PostgreSQL: one statement per table, whatever the number of rows, each column bound as one array and
/// unnested. The statement text never changes, so it is prepared once per connection; a multi-row `VALUES`
/// of 60,000 parameters was parsed and planned anew for every batch. The word index's `tsvector` is built
/// here ([`crate::activity::tsvector_literal`]), not by a generated column, which cost a third of the insert.
impl BulkInsert for sqlx::PgConnection {
    async fn entries<'e>(&mut self, tenant: Uuid, entries: &[NewEntry<'e>], ids: &[Uuid]) -> Result<()> {
        let column = |get: fn(&NewEntry<'e>) -> &'e str| entries.iter().map(get).collect::<Vec<_>>();
        let optional = |get: fn(&NewEntry<'e>) -> Option<&'e str>| entries.iter().map(get).collect::<Vec<_>>();
        let words: Vec<String> = entries
            .iter()
            .map(|e| crate::activity::tsvector_literal(e.search_keys, e.reason))
            .collect();
        sqlx::query(
            "INSERT INTO journal (id, tenant_id, run_id, flow, entity, source_id, target_id, outcome, reason,
               retryable, search_keys, created_at_ms, search_tsv, failure_class)
             SELECT id, $2, run_id, flow, entity, source_id, target_id, outcome, reason, retryable, search_keys,
               created_at_ms, search_tsv::tsvector, failure_class
             FROM UNNEST($1::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
               $9::text[], $10::bool[], $11::text[], $12::int8[], $13::text[], $14::text[])
               AS t(id, run_id, flow, entity, source_id, target_id, outcome, reason, retryable, search_keys,
                 created_at_ms, search_tsv, failure_class)",
        )
        .bind(ids)
        .bind(tenant)
        .bind(entries.iter().map(|e| e.run_id.0).collect::<Vec<_>>())
        .bind(column(|e| e.flow.as_str()))
        .bind(column(|e| e.entity))
        .bind(column(|e| e.source_id))
        .bind(optional(|e| e.target_id))
        .bind(column(|e| e.outcome))
        .bind(optional(|e| e.reason))
        .bind(entries.iter().map(|e| e.retryable).collect::<Vec<_>>())
        .bind(column(|e| e.search_keys))
        .bind(entries.iter().map(|e| e.at_ms).collect::<Vec<_>>())
        .bind(&words)
        .bind(optional(|e| e.failure_class))
        .execute(&mut *self)
        .await?;
        sqlx::query(
            "INSERT INTO journal_payloads (entry_id, tenant_id, source_payload, exchanges)
             SELECT entry_id, $2, source_payload, exchanges
             FROM UNNEST($1::uuid[], $3::text[], $4::text[]) AS t(entry_id, source_payload, exchanges)",
        )
        .bind(ids)
        .bind(tenant)
        .bind(column(|e| e.source_payload))
        .bind(column(|e| e.exchanges))
        .execute(&mut *self)
        .await?;
        Ok(())
    }
}

/// `($1, $2, ...), ($n, ...)` for `rows` rows of `columns` values. SQLite gets anonymous `?` placeholders: its
/// driver resolves numbered ones by name, which costs time quadratic in their number (three quarters of the
/// insert time with 4,800 parameters per statement).
///
/// A statement made with it has as many rows as its batch, so each size is another statement: they run with
/// `persistent(false)`. Kept in the connections' statement caches (100 per connection), thousands of compiled
/// multi-row statements made a process grow by some 25 MB a run, for good.
pub(crate) fn values_rows(sqlite: bool, rows: usize, columns: usize) -> String {
    let row = |first: usize| {
        let placeholders: Vec<String> = (first + 1..=first + columns)
            .map(|n| if sqlite { "?".to_owned() } else { format!("${n}") })
            .collect();
        format!("({})", placeholders.join(", "))
    };
    (0..rows).map(|i| row(i * columns)).collect::<Vec<_>>().join(", ")
}

#[derive(sqlx::FromRow)]
struct IdMapSqlRow {
    source_id: String,
    target_id: Option<String>,
    content_hash: Option<String>,
    retry_pending: bool,
}

/// The id-map column a look-up goes by.
#[derive(Clone, Copy)]
enum IdMapKey {
    Source,
    Target,
}

/// The id-map rows of `flow` whose source (or target) id is one of `keys`, asked in chunks: both backends cap
/// the number of bind parameters.
async fn id_map_rows(
    db: &Db,
    scope: &TenantScope,
    flow: FlowKind,
    key: IdMapKey,
    keys: &[String],
) -> Result<Vec<IdMapSqlRow>> {
    let column = match key {
        IdMapKey::Source => "source_id",
        IdMapKey::Target => "target_id",
    };
    let mut found = Vec::new();
    for chunk in keys.chunks(500) {
        let placeholders: Vec<String> = (3..3 + chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT source_id, target_id, content_hash, retry_pending FROM id_map
             WHERE tenant_id = $1 AND flow = $2 AND {column} IN ({})",
            placeholders.join(", ")
        );
        let rows = on_pool!(db, pool => {
            let mut query = sqlx::query_as::<_, IdMapSqlRow>(sqlx::AssertSqlSafe(sql.clone()))
                .persistent(false)
                .bind(scope.tenant_id().0)
                .bind(flow.as_str());
            for id in chunk {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}

/// The id-map rows of these source ids (absent ids were never journaled).
pub async fn id_map(
    db: &Db,
    scope: &TenantScope,
    flow: FlowKind,
    source_ids: &[String],
) -> Result<HashMap<String, IdMapRow>> {
    let rows = id_map_rows(db, scope, flow, IdMapKey::Source, source_ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let entry = IdMapRow {
                target_id: row.target_id,
                content_hash: row.content_hash,
                retry_pending: row.retry_pending,
            };
            (row.source_id, entry)
        })
        .collect())
}

/// Which source ids the id map of `flow` gives these target ids, target id → source id (an AFAS order number
/// → the MplusKASSA order the orders flow booked as it). Absent targets were never written by the flow.
pub async fn sources_of_targets(
    db: &Db,
    scope: &TenantScope,
    flow: FlowKind,
    target_ids: &[String],
) -> Result<HashMap<String, String>> {
    let rows = id_map_rows(db, scope, flow, IdMapKey::Target, target_ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| Some((row.target_id?, row.source_id)))
        .collect())
}

/// Source ids whose last attempt failed retryably, whether their retry is due yet or not
/// ([`crate::retries::due`] says which are).
pub async fn pending_retries(db: &Db, scope: &TenantScope, flow: FlowKind, limit: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT source_id FROM id_map WHERE tenant_id = $1 AND flow = $2 AND retry_pending = TRUE
         ORDER BY updated_at_ms LIMIT $3",
    )
    .bind(scope.tenant_id().0)
    .bind(flow.as_str())
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A journal entry as lists show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntrySummary {
    pub id: Uuid,
    pub run_id: Uuid,
    pub flow: String,
    pub entity: String,
    pub source_id: String,
    pub target_id: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
    pub retryable: bool,
    pub search_keys: String,
    pub created_at_ms: i64,
    /// Why it failed (`setting`, `master_data`, `transient`, `permanent`); `None` when it did not, or for
    /// entries written before failures had classes.
    pub failure_class: Option<String>,
}

/// How many records of a run ended failed: their latest entry in the run is a failure (a record that failed
/// and then went through in a later attempt of the same run does not count).
pub async fn failed_in_run(db: &Db, scope: &TenantScope, run_id: RunId) -> Result<i64> {
    let (count,): (i64,) = on_pool!(db, pool => sqlx::query_as(
        "SELECT COUNT(DISTINCT j.source_id) FROM journal j
         WHERE j.tenant_id = $1 AND j.run_id = $2 AND j.outcome = 'failed'
           AND NOT EXISTS (SELECT 1 FROM journal later WHERE later.run_id = j.run_id AND later.source_id = j.source_id
                           AND later.id > j.id)",
    )
    .bind(scope.tenant_id().0)
    .bind(run_id.0)
    .fetch_one(pool)
    .await)?;
    Ok(count)
}

/// The columns of [`EntrySummary`], for queries of the journal aliased `j`.
pub const SUMMARY_COLUMNS: &str = "j.id, j.run_id, j.flow, j.entity, j.source_id, j.target_id, j.outcome, j.reason, \
                                   j.retryable, j.search_keys, j.created_at_ms, j.failure_class";

/// The entries of one run, in order.
pub async fn entries_of_run(db: &Db, scope: &TenantScope, run_id: RunId) -> Result<Vec<EntrySummary>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM journal j WHERE j.tenant_id = $1 AND j.run_id = $2
         ORDER BY j.created_at_ms, j.id"
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, EntrySummary>(sql)
    .bind(scope.tenant_id().0)
    .bind(run_id.0)
    .fetch_all(pool)
    .await)?)
}

/// Payloads of one entry: (source payload, exchanges), both JSON text.
pub async fn payloads(db: &Db, scope: &TenantScope, entry_id: Uuid) -> Result<Option<(String, String)>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, (String, String)>(
        "SELECT source_payload, exchanges FROM journal_payloads WHERE entry_id = $1 AND tenant_id = $2",
    )
    .bind(entry_id)
    .bind(scope.tenant_id().0)
    .fetch_optional(pool)
    .await)?)
}

/// One entry's summary; `None` when it does not exist or belongs to another tenant.
pub async fn entry(db: &Db, scope: &TenantScope, entry_id: Uuid) -> Result<Option<EntrySummary>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM journal j WHERE j.tenant_id = $1 AND j.id = $2"
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, EntrySummary>(sql)
    .bind(scope.tenant_id().0)
    .bind(entry_id)
    .fetch_optional(pool)
    .await)?)
}

/// Stops retrying a record: its next run will not try it again (a "skip" decided by a person).
pub async fn clear_retry(db: &Db, scope: &TenantScope, flow: FlowKind, source_id: &str) -> Result<()> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE id_map SET retry_pending = FALSE, retry_at_ms = NULL
         WHERE tenant_id = $1 AND flow = $2 AND source_id = $3",
    )
    .bind(scope.tenant_id().0)
    .bind(flow.as_str())
    .bind(source_id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

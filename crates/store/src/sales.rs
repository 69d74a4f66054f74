//! Sales held against the books: each till sale a flow books (or finds in AFAS, or fails to book) with the
//! till's totals, written with its journal entry ([`crate::journal::record_with_sales`]); what AFAS booked once
//! read back, with any difference as a warning; and the rows of a date range for the reconciliation.
//! Amounts are exact decimals kept as text: the store never does arithmetic on money.

use chrono::NaiveDate;
use koppel_core::FlowKind;
use uuid::Uuid;

use crate::db::{BeginWrite, on_pool};
use crate::runs::RunId;
use crate::{Db, Result, StoreError, TenantScope};

/// A sale as its journal entry writes it (see [`crate::journal::record_with_sales`]).
#[derive(Debug, Clone)]
pub struct NewSale<'a> {
    /// Which of the batch's entries it belongs to (its id links the reconciliation to the record).
    pub entry: usize,
    pub source_id: &'a str,
    /// The till's number.
    pub number: &'a str,
    pub date: NaiveDate,
    pub till_total_incl: String,
    /// JSON: VAT rate → amount.
    pub till_vat: String,
    /// The AFAS document number, once booked or found.
    pub target_id: Option<&'a str>,
}

/// A booked sale not read back from AFAS yet.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UncheckedRow {
    pub source_id: String,
    pub target_id: String,
    pub number: String,
    pub sale_date: String,
    pub till_total_incl: String,
    pub till_vat: String,
}

/// What reading one sale back found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRow {
    pub source_id: String,
    /// `None`: AFAS no longer has it.
    pub booked_total_incl: Option<String>,
    pub booked_vat: Option<String>,
    pub warning: Option<String>,
}

/// A sale as the reconciliation and the record page show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SaleRow {
    pub flow: String,
    pub source_id: String,
    pub number: String,
    pub sale_date: String,
    pub till_total_incl: String,
    pub till_vat: String,
    pub target_id: Option<String>,
    pub entry_id: Option<Uuid>,
    pub booked_total_incl: Option<String>,
    pub booked_vat: Option<String>,
    pub warning: Option<String>,
    pub checked_at_ms: Option<i64>,
}

/// Parameters a row of [`write`].
const COLUMNS: usize = 10;

/// Writes a batch's sales inside the journal's transaction. A sale whose total or AFAS number changed (booked
/// again, found in AFAS after a crash, changed on the till) loses its earlier read-back, so it is checked again.
pub(crate) fn upsert_sql(sqlite: bool, rows: usize) -> String {
    let same = "sales.till_total_incl = excluded.till_total_incl
                AND sales.target_id IS NOT DISTINCT FROM COALESCE(excluded.target_id, sales.target_id)";
    format!(
        "INSERT INTO sales (tenant_id, flow, source_id, number, sale_date, till_total_incl, till_vat, target_id,
           entry_id, updated_at_ms) VALUES {}
         ON CONFLICT (tenant_id, flow, source_id) DO UPDATE SET
           number = excluded.number,
           sale_date = excluded.sale_date,
           booked_total_incl = CASE WHEN {same} THEN sales.booked_total_incl END,
           booked_vat = CASE WHEN {same} THEN sales.booked_vat END,
           warning = CASE WHEN {same} THEN sales.warning END,
           checked_at_ms = CASE WHEN {same} THEN sales.checked_at_ms END,
           checked_run_id = CASE WHEN {same} THEN sales.checked_run_id END,
           till_total_incl = excluded.till_total_incl,
           till_vat = excluded.till_vat,
           target_id = COALESCE(excluded.target_id, sales.target_id),
           entry_id = excluded.entry_id,
           updated_at_ms = excluded.updated_at_ms",
        crate::journal::values_rows(sqlite, rows, COLUMNS)
    )
}

/// Rows per upsert statement: within both backends' bind-parameter caps.
pub(crate) const ROWS_PER_STATEMENT: usize = 1_000;

/// Booked sales of a flow whose totals were not read back yet, oldest first, at most `limit`.
pub async fn unchecked(db: &Db, scope: &TenantScope, flow: FlowKind, limit: usize) -> Result<Vec<UncheckedRow>> {
    let rows = on_pool!(db, pool => sqlx::query_as::<_, UncheckedRow>(
        "SELECT source_id, target_id, number, sale_date, till_total_incl, till_vat FROM sales
         WHERE tenant_id = $1 AND flow = $2 AND checked_at_ms IS NULL AND target_id IS NOT NULL
         ORDER BY updated_at_ms, source_id LIMIT $3",
    )
    .bind(scope.tenant_id().0)
    .bind(flow.as_str())
    .bind(limit as i64)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// Writes what reading sales back found, in one transaction, as checked by `run`.
pub async fn record_checks(
    db: &Db,
    scope: &TenantScope,
    flow: FlowKind,
    run: RunId,
    checks: &[CheckRow],
    at_ms: i64,
) -> Result<()> {
    let tenant = scope.tenant_id().0;
    on_pool!(db, pool => {
        let mut tx = pool.begin_write().await?;
        for check in checks {
            sqlx::query(
                "UPDATE sales SET booked_total_incl = $1, booked_vat = $2, warning = $3, checked_at_ms = $4,
                   checked_run_id = $5
                 WHERE tenant_id = $6 AND flow = $7 AND source_id = $8",
            )
            .bind(check.booked_total_incl.as_deref())
            .bind(check.booked_vat.as_deref())
            .bind(check.warning.as_deref())
            .bind(at_ms)
            .bind(run.0)
            .bind(tenant)
            .bind(flow.as_str())
            .bind(&check.source_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

const SALE_COLUMNS: &str = "flow, source_id, number, sale_date, till_total_incl, till_vat, target_id, entry_id,
    booked_total_incl, booked_vat, warning, checked_at_ms";

/// The company's sales dated `from` to `to` (both included, the till's own calendar days), by day and number.
pub async fn in_days(db: &Db, scope: &TenantScope, from: NaiveDate, to: NaiveDate) -> Result<Vec<SaleRow>> {
    let sql = format!(
        "SELECT {SALE_COLUMNS} FROM sales WHERE tenant_id = $1 AND sale_date >= $2 AND sale_date <= $3
         ORDER BY sale_date, number, flow"
    );
    let rows = on_pool!(db, pool => sqlx::query_as::<_, SaleRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(scope.tenant_id().0)
        .bind(from.format("%Y-%m-%d").to_string())
        .bind(to.format("%Y-%m-%d").to_string())
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// One record's sale, for its page (its warning, what AFAS booked).
pub async fn of_record(db: &Db, scope: &TenantScope, flow: FlowKind, source_id: &str) -> Result<Option<SaleRow>> {
    let sql = format!("SELECT {SALE_COLUMNS} FROM sales WHERE tenant_id = $1 AND flow = $2 AND source_id = $3");
    let row = on_pool!(db, pool => sqlx::query_as::<_, SaleRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(scope.tenant_id().0)
        .bind(flow.as_str())
        .bind(source_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// How many sales `run` read back with a difference from the till.
pub async fn differing_in_run(db: &Db, scope: &TenantScope, run: RunId) -> Result<i64> {
    let (count,): (i64,) = on_pool!(db, pool => sqlx::query_as(
        "SELECT COUNT(*) FROM sales WHERE tenant_id = $1 AND checked_run_id = $2 AND warning IS NOT NULL",
    )
    .bind(scope.tenant_id().0)
    .bind(run.0)
    .fetch_one(pool)
    .await)?;
    Ok(count)
}

/// Makes the booked sales dated `from` to `to` wait for a new read-back; returns the flows they belong to.
pub async fn uncheck_days(db: &Db, scope: &TenantScope, from: NaiveDate, to: NaiveDate) -> Result<Vec<String>> {
    let tenant = scope.tenant_id().0;
    let (from, to) = (from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string());
    on_pool!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let flows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT flow FROM sales
             WHERE tenant_id = $1 AND sale_date >= $2 AND sale_date <= $3 AND target_id IS NOT NULL ORDER BY flow",
        )
        .bind(tenant)
        .bind(&from)
        .bind(&to)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE sales SET checked_at_ms = NULL
             WHERE tenant_id = $1 AND sale_date >= $2 AND sale_date <= $3 AND target_id IS NOT NULL",
        )
        .bind(tenant)
        .bind(&from)
        .bind(&to)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok::<_, StoreError>(flows.into_iter().map(|(flow,)| flow).collect())
    })
}

//! `koppel bench logs`: fills a journal with N realistic entries for a few tenants (batched inserts, as a sync
//! writes them), then times the searches people run in the activity log: an e-mail address, an order number,
//! an error word, and failures in a date range. Prints a report, then one JSON object on the last line:
//! `{"entries": N, "p50_ms": .., "p95_ms": .., "inserts_per_s": ..}`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use koppel_core::{Email, FlowKind};
use koppel_store::activity::{self, ActivityFilter};
use koppel_store::journal::{self, NewEntry};
use koppel_store::runs::{self, RunId, RunStatus};
use koppel_store::{Backend, Db, TenantScope, accounts, tenants};

#[derive(Debug, clap::Args)]
pub struct BenchLogsArgs {
    /// Entries to generate (default: 1,000,000 on SQLite, 10,000,000 on PostgreSQL).
    #[arg(long)]
    pub entries: Option<u64>,
    /// Database to fill (default: a temporary SQLite file, removed afterwards). Use an empty database: the
    /// benchmark adds its own tenants and leaves them there.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Tenants to spread the entries over.
    #[arg(long, default_value_t = 5)]
    pub tenants: u32,
    /// Entries per transaction.
    #[arg(long, default_value_t = 5_000)]
    pub batch: usize,
    /// Times each kind of query runs (after one warm-up round).
    #[arg(long, default_value_t = 50)]
    pub repeat: usize,
}

/// A small deterministic generator (splitmix64): the same data on every run, no dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const FIRST: [&str; 16] = [
    "ann", "piet", "sanne", "daan", "emma", "lucas", "julia", "sem", "tess", "noah", "lotte", "finn", "eva", "bram",
    "fleur", "jesse",
];
const LAST: [&str; 16] = [
    "devries",
    "jansen",
    "bakker",
    "visser",
    "smit",
    "meijer",
    "mulder",
    "bos",
    "vos",
    "peters",
    "hendriks",
    "dekker",
    "brouwer",
    "dijkstra",
    "kok",
    "vermeulen",
];
const DOMAINS: [&str; 6] = [
    "gmail.com",
    "hotmail.nl",
    "ziggo.nl",
    "kpnmail.nl",
    "outlook.com",
    "winkel.nl",
];
const ERRORS: [&str; 8] = [
    "AFAS answered 500: timeout while booking the sales order",
    "Debtor unknown in AFAS: create the customer first",
    "Article blocked in AFAS for sales",
    "MplusKASSA connection refused, retrying on the next run",
    "Validation failed: VAT code missing on an order line",
    "AFAS answered 429: too many requests",
    "Warehouse unknown in AFAS",
    "Price list not found for this debtor",
];
const ERROR_WORDS: [&str; 4] = ["timeout", "unknown", "blocked", "refused"];
/// Customers per tenant: an e-mail address recurs on a handful of entries, as real customers do.
const CUSTOMERS: u64 = 200_000;

/// What one generated entry is made of (owned; [`NewEntry`] borrows from it).
struct Generated {
    flow: FlowKind,
    entity: &'static str,
    source_id: String,
    target_id: Option<String>,
    outcome: &'static str,
    reason: Option<&'static str>,
    keys: String,
    payload: String,
    exchanges: String,
    at_ms: i64,
}

/// Something to search for later: a key that exists, in the tenant that has it.
struct Sample {
    tenant: usize,
    email: String,
    order_number: String,
}

fn generate(random: &mut Random, seq: u64, at_ms: i64) -> (Generated, Option<(String, String)>) {
    let customer = random.below(CUSTOMERS);
    let first = FIRST[(customer % 16) as usize];
    let last = LAST[((customer / 16) % 16) as usize];
    let email = format!("{first}.{last}{}@{}", customer / 256, DOMAINS[(customer % 6) as usize]);
    let name = format!("{first} {last}");
    let sku = format!("SKU-{:05}", random.below(40_000));
    let roll = random.below(100);
    let (outcome, reason) = match roll {
        0..=3 => ("failed", Some(ERRORS[random.below(ERRORS.len() as u64) as usize])),
        4..=23 => ("skipped", Some("unchanged since the last sync")),
        24..=53 => ("created", None),
        _ => ("updated", None),
    };
    let kind = random.below(100);
    let (flow, entity, source_id, keys, sample) = if kind < 50 {
        let number = format!("2026-{seq:08}");
        let sku2 = format!("SKU-{:05}", random.below(40_000));
        let keys = format!("{number} {email} {sku} {sku2} {name}");
        let entity = if kind < 45 { "order" } else { "invoice" };
        (
            FlowKind::Orders,
            entity,
            format!("{seq}"),
            keys,
            Some((email.clone(), number)),
        )
    } else if kind < 65 {
        let keys = format!("C{customer} {email} {name}");
        (FlowKind::Customers, "customer", format!("C{customer}"), keys, None)
    } else if kind < 85 {
        (FlowKind::Products, "article", sku.clone(), sku.clone(), None)
    } else {
        (FlowKind::Stock, "stock", sku.clone(), sku.clone(), None)
    };
    let payload = format!(
        r#"{{"id":"{source_id}","kind":"{entity}","customer":{{"name":"{name}","email":"{email}"}},"lines":[{{"sku":"{sku}","quantity":{},"price":"{}.95"}}],"total":"{}.50","changed":{at_ms}}}"#,
        1 + random.below(5),
        random.below(200),
        random.below(1000)
    );
    let target_id = (outcome != "failed").then(|| format!("{}", 100_000 + seq));
    let status = if outcome == "failed" { 500 } else { 201 };
    let exchanges = format!(
        r#"[{{"operation":"POST FbSales","request":{{"FbSales":{{"Element":{{"Fields":{{"DbId":"{customer}","OrNu":"{source_id}","ItCd":"{sku}"}}}}}}}},"status":{status},"response":{{"results":{{"FbSales":{{"OrNu":"{}"}}}}}}}}]"#,
        target_id.as_deref().unwrap_or("")
    );
    (
        Generated {
            flow,
            entity,
            source_id,
            target_id,
            outcome,
            reason,
            keys,
            payload,
            exchanges,
            at_ms,
        },
        sample,
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

pub async fn run(args: BenchLogsArgs) -> anyhow::Result<()> {
    let mut temporary: Option<PathBuf> = None;
    let url = match &args.database_url {
        Some(url) => url.clone(),
        None => {
            let dir = std::env::temp_dir().join(format!("koppel-bench-logs-{}", std::process::id()));
            std::fs::create_dir_all(&dir).context("temporary folder for the benchmark database")?;
            let url = format!("sqlite://{}/bench.db", dir.display());
            temporary = Some(dir);
            url
        }
    };
    let result = bench(&args, &url).await;
    if let Some(dir) = temporary {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

async fn bench(args: &BenchLogsArgs, url: &str) -> anyhow::Result<()> {
    let db = Db::connect_and_migrate(url)
        .await
        .context("connecting to the benchmark database")?;
    let backend = db.backend();
    let total = args.entries.unwrap_or(match backend {
        Backend::Sqlite => 1_000_000,
        Backend::Postgres => 10_000_000,
    });
    let tenant_count = args.tenants.max(1) as usize;
    let batch = args.batch.clamp(1, 100_000);
    println!("koppel bench logs: {total} entries, {tenant_count} tenants, {backend:?}, batches of {batch}");

    // Tenants, each a company with an owner.
    let now = koppel_store::now();
    let stamp = now.timestamp_millis();
    let mut scopes: Vec<TenantScope> = Vec::new();
    for t in 0..tenant_count {
        let email = Email::parse(&format!("bench-{stamp}-{t}@koppel.test")).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let signup = accounts::sign_up(&db, &email, "not-a-password-hash", &format!("Bench shop {t}"), now).await?;
        let scope = tenants::resolve_scope(&db, signup.user_id, signup.tenant_id)
            .await?
            .context("the new tenant")?;
        scopes.push(scope);
    }

    // A year of history, oldest first, as a journal grows.
    let span_ms: i64 = 365 * 24 * 3_600_000;
    let start_ms = stamp - span_ms;
    let step = span_ms as f64 / total.max(1) as f64;
    let mut random = Random(0x6B6F_7070_656C);
    let mut samples: Vec<Sample> = Vec::new();
    let mut written: u64 = 0;
    let mut insert_time = Duration::ZERO;
    let started = Instant::now();
    let mut last_report = Instant::now();
    let mut batch_number: u64 = 0;
    while written < total {
        let size = batch.min((total - written) as usize);
        let tenant = (batch_number % tenant_count as u64) as usize;
        let scope = &scopes[tenant];
        // One run per batch and flow: what a sync of this many records journals.
        let mut run_ids: Vec<(FlowKind, RunId)> = Vec::new();
        for flow in FlowKind::ALL {
            let run = runs::create(&db, scope, flow, "bench", stamp).await?;
            runs::finish(&db, scope, run, RunStatus::Succeeded, &Default::default(), None, stamp).await?;
            run_ids.push((flow, run));
        }
        let generated: Vec<Generated> = (0..size as u64)
            .map(|i| {
                let seq = written + i;
                let at = start_ms + (seq as f64 * step) as i64;
                let (entry, sample) = generate(&mut random, seq, at);
                if let Some((email, order_number)) = sample
                    && random.below(total.max(1000) / 1000) == 0
                    && samples.len() < 5_000
                {
                    samples.push(Sample {
                        tenant,
                        email,
                        order_number,
                    });
                }
                entry
            })
            .collect();
        let entries: Vec<NewEntry> = generated
            .iter()
            .map(|g| NewEntry {
                run_id: run_ids
                    .iter()
                    .find(|(f, _)| *f == g.flow)
                    .map(|(_, r)| *r)
                    .expect("a run per flow"),
                flow: g.flow,
                entity: g.entity,
                source_id: &g.source_id,
                target_id: g.target_id.as_deref(),
                outcome: g.outcome,
                reason: g.reason,
                retryable: g.outcome == "failed",
                failure_class: (g.outcome == "failed").then_some("transient"),
                search_keys: &g.keys,
                source_payload: &g.payload,
                exchanges: &g.exchanges,
                content_hash: None,
                at_ms: g.at_ms,
            })
            .collect();
        let timer = Instant::now();
        journal::record_all(&db, scope, &entries, journal::IdMap::Leave).await?;
        insert_time += timer.elapsed();
        written += size as u64;
        batch_number += 1;
        if last_report.elapsed() > Duration::from_secs(10) || written == total {
            eprintln!(
                "  {written} / {total} entries ({:.0}/s inserting, {:.0}s so far)",
                written as f64 / insert_time.as_secs_f64(),
                started.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
    }
    let inserts_per_s = written as f64 / insert_time.as_secs_f64().max(1e-9);
    println!(
        "inserted {written} entries in {:.1}s of insert time ({:.1}s with generation): {inserts_per_s:.0} entries/s",
        insert_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    activity::analyze(&db).await?;
    anyhow::ensure!(!samples.is_empty(), "too few entries to sample search keys from");

    // The searches, each against the tenant that has the key.
    let week_ms = 7 * 24 * 3_600_000;
    let kinds = ["e-mail", "order number", "error word", "failed in a week"];
    let query = |kind: usize, i: usize| -> (usize, ActivityFilter) {
        let sample = &samples[(i * 7919 + kind * 104_729) % samples.len()];
        match kind {
            0 => (
                sample.tenant,
                ActivityFilter {
                    text: sample.email.clone(),
                    ..Default::default()
                },
            ),
            1 => (
                sample.tenant,
                ActivityFilter {
                    text: sample.order_number.clone(),
                    ..Default::default()
                },
            ),
            2 => (
                i % tenant_count,
                ActivityFilter {
                    text: ERROR_WORDS[i % ERROR_WORDS.len()].to_owned(),
                    ..Default::default()
                },
            ),
            _ => {
                let from = start_ms + ((i as i64 * 15_485_863) % (span_ms - week_ms));
                (
                    i % tenant_count,
                    ActivityFilter {
                        outcome: Some("failed".to_owned()),
                        from_ms: Some(from),
                        until_ms: Some(from + week_ms),
                        ..Default::default()
                    },
                )
            }
        }
    };
    println!("\nquery plans:");
    for (kind, name) in kinds.iter().enumerate() {
        let (tenant, filter) = query(kind, 0);
        let plan = activity::explain_search(&db, &scopes[tenant], &filter, 50).await?;
        println!("  {name}:");
        for line in plan {
            println!("    {line}");
        }
    }
    // Warm-up: one round, not timed.
    for kind in 0..kinds.len() {
        let (tenant, filter) = query(kind, 1);
        activity::search(&db, &scopes[tenant], &filter, None, 50).await?;
    }
    let mut all: Vec<f64> = Vec::new();
    println!("\nsearch latency, first page of 50, {} runs each:", args.repeat);
    for (kind, name) in kinds.iter().enumerate() {
        let mut times = Vec::with_capacity(args.repeat);
        let mut hits = 0usize;
        for i in 0..args.repeat {
            let (tenant, filter) = query(kind, i + 2);
            let timer = Instant::now();
            let page = activity::search(&db, &scopes[tenant], &filter, None, 50).await?;
            times.push(ms(timer.elapsed()));
            hits += page.entries.len();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "  {name:<17} p50 {:>8.2} ms   p95 {:>8.2} ms   max {:>8.2} ms   ({:.1} results per query)",
            percentile(&times, 50.0),
            percentile(&times, 95.0),
            times.last().copied().unwrap_or(0.0),
            hits as f64 / args.repeat.max(1) as f64
        );
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    let (p50, p95) = (percentile(&all, 50.0), percentile(&all, 95.0));
    println!("  {:<17} p50 {p50:>8.2} ms   p95 {p95:>8.2} ms", "all");
    db.close().await;
    println!(
        "{{\"entries\": {written}, \"p50_ms\": {p50:.3}, \"p95_ms\": {p95:.3}, \"inserts_per_s\": {:.0}}}",
        inserts_per_s
    );
    Ok(())
}

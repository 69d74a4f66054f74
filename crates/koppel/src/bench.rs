//! `koppel bench sync`: the orders flow end to end with the real adapters, clients (creating under the
//! company's claims, as a worker does) and a store journal on a temporary SQLite database, against the
//! in-process sandbox at a fixed latency per call.
//!
//! Two scenarios, both by default: `first-sync`, a shop's first run, with no debtor or article of the shop in
//! AFAS (the run creates them, `create_missing_articles` on); `steady`, with AFAS prepared first (customers and
//! products flows, at no latency) so debtors and articles exist. Then the orders run is measured. It prints orders per second, orders per CPU second, AFAS calls per order,
//! MplusKASSA calls per 100 orders, peak memory (VmHWM, the simulators included), and the ratio of the wall
//! time to the floor: the time the run's calls alone take at that latency with at most 8 in flight
//! (`latency × ⌈calls / 8⌉`; undefined at 0 ms). It measures `--runs` times (3 by default), each on fresh
//! simulators and a fresh database, prints each run, and ends with one JSON object of each figure's median:
//! on a shared 2-core machine one run's CPU figures vary by up to ±25%.
//!
//! CPU time is measured for the process (`getrusage`) and, apart, for the simulators: they run on their own
//! runtime whose threads are named `sandbox`, so their share can be read from `/proc/self/task/*/schedstat`.
//! Both to the microsecond or better: a 1,000-order run takes about a fifth of a CPU second.
//! `orders_per_cpu_s` counts Koppel's CPU time (the process minus the simulators: the sync engine, both
//! clients, the journal), which is what a real deployment spends, the real MplusKASSA and AFAS doing their
//! part elsewhere; `orders_per_process_cpu_s` counts the whole process, simulators included.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use koppel_afas::{AfasClient, AfasToken, Environment, MAX_CONCURRENT_REQUESTS};
use koppel_core::{Email, FlowKind};
use koppel_jobs::connect::{AfasTarget, CreateOnce, MplusSource, afas_hook, mplus_hook};
use koppel_jobs::journal::StoreJournal;
use koppel_mplus::{MplusClient, MplusConfig};
use koppel_sandbox::{Sandbox, SandboxConfig};
use koppel_store::runs::RunStatus;
use koppel_store::{Db, TenantScope, accounts, tenants};
use koppel_sync::engine::{RunReport, run_flow};
use koppel_sync::settings::{CompanySettings, FlowSettings, ValueMap};
use serde_json::{Value, json};

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub command: BenchCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// The orders flow against the in-process sandbox: throughput, calls per order, memory, floor ratio.
    Sync(SyncArgs),
    /// The orders flow as a user runs it: a `koppel serve` process configured and run through its API.
    Serve(crate::bench_serve::ServeBenchArgs),
    /// The activity log: insert rate and search latency over N generated journal entries.
    Logs(crate::bench_logs::BenchLogsArgs),
}

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// MplusKASSA orders to generate (1 to 100,000).
    #[arg(long, default_value_t = 1_000)]
    pub orders: usize,
    /// Latency the simulators add to every call, in milliseconds.
    #[arg(long, default_value_t = 20)]
    pub latency_ms: u64,
    /// Seed of the generated shop.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Records per page (the flows' `batch_size` setting; 100 by default, as for a new tenant).
    #[arg(long, default_value_t = FlowSettings::default().batch_size)]
    pub batch_size: u32,
    /// Times to measure, each on fresh simulators and a fresh database; the figures are the medians.
    #[arg(long, default_value_t = 3)]
    pub runs: u32,
    /// The scenario to measure; both by default.
    #[arg(long, value_enum)]
    pub scenario: Option<Scenario>,
}

/// What AFAS holds before the measured run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// Nothing of the shop: the run creates every customer's debtor and every article it sells.
    FirstSync,
    /// The shop's debtors and articles exist (customers and products flows ran first).
    Steady,
}

impl Scenario {
    /// The one asked for, or both.
    pub(crate) fn chosen(asked: Option<Scenario>) -> Vec<Scenario> {
        match asked {
            Some(scenario) => vec![scenario],
            None => vec![Scenario::FirstSync, Scenario::Steady],
        }
    }

    pub(crate) fn names(scenarios: &[Scenario]) -> String {
        scenarios.iter().map(|s| s.name()).collect::<Vec<_>>().join(" and ")
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::FirstSync => "first-sync",
            Scenario::Steady => "steady",
        }
    }
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    match args.command {
        // On a runtime worker, as `koppel worker` runs a flow: on the thread that blocks on `main`, every answer
        // the HTTP connections (themselves tasks on the workers) hand over would cost a thread wake-up.
        BenchCommand::Sync(args) => tokio::spawn(sync(args)).await?,
        BenchCommand::Serve(args) => crate::bench_serve::run(args).await,
        BenchCommand::Logs(args) => crate::bench_logs::run(args).await,
    }
}

/// Calls made per system, counted as the clients report them.
#[derive(Default)]
struct CallCounts {
    afas: AtomicU64,
    mplus: AtomicU64,
    /// AFAS calls by method and connector (`POST FbSales`), to see where the calls per order go.
    afas_by_operation: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

impl CallCounts {
    fn read(&self) -> (u64, u64) {
        (self.afas.load(Ordering::Relaxed), self.mplus.load(Ordering::Relaxed))
    }

    fn afas_by_operation(&self) -> std::collections::BTreeMap<String, u64> {
        std::mem::take(&mut *self.afas_by_operation.lock().expect("call counts lock"))
    }
}

/// The measured figures.
struct Figures {
    /// Orders read from MplusKASSA (every figure "per order" counts these).
    orders: u64,
    /// Of those, booked in AFAS (the paid ones).
    booked: u64,
    wall: Duration,
    /// The whole process.
    cpu: Duration,
    /// Of which the simulators' threads.
    sandbox_cpu: Duration,
    afas_calls: u64,
    mplus_calls: u64,
    latency: Duration,
    peak_rss_mb: f64,
}

impl Figures {
    /// The necessary calls alone at this latency, at most 8 in flight; `None` without latency.
    fn floor(&self) -> Option<Duration> {
        let calls = self.afas_calls + self.mplus_calls;
        let rounds = calls.div_ceil(MAX_CONCURRENT_REQUESTS as u64) as u32;
        (!self.latency.is_zero()).then(|| self.latency * rounds)
    }

    fn json(&self) -> serde_json::Value {
        let per = |count: u64, unit: f64| if unit > 0.0 { count as f64 / unit } else { 0.0 };
        let floor_ratio = self.floor().map(|floor| self.wall.as_secs_f64() / floor.as_secs_f64());
        json!({
            "orders_per_s": round2(per(self.orders, self.wall.as_secs_f64())),
            "orders_per_cpu_s": round2(per(self.orders, self.cpu.saturating_sub(self.sandbox_cpu).as_secs_f64())),
            "orders_per_process_cpu_s": round2(per(self.orders, self.cpu.as_secs_f64())),
            "afas_calls_per_order": round2(per(self.afas_calls, self.orders as f64)),
            "afas_calls_per_booked_order": round2(per(self.afas_calls, self.booked as f64)),
            "mplus_calls_per_100_orders": round2(per(self.mplus_calls * 100, self.orders as f64)),
            "peak_rss_mb": round2(self.peak_rss_mb),
            "floor_ratio": floor_ratio.map(round2),
        })
    }
}

pub(crate) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

async fn sync(args: SyncArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=100_000).contains(&args.orders),
        "--orders must be between 1 and 100,000"
    );
    anyhow::ensure!((1..=25).contains(&args.runs), "--runs must be between 1 and 25");
    let header = format!(
        "koppel bench sync: {} orders, {} ms per call, seed {}, {} run(s) of",
        args.orders, args.latency_ms, args.seed, args.runs
    );
    by_scenario(&header, args.scenario, async |scenarios, simulators| {
        measure_scenarios(&args, scenarios, simulators).await
    })
    .await
}

/// Prints `header` with the scenarios asked for (both by default), measures them with the simulators on one
/// runtime of their own for every run (threads that a runtime left behind while shutting down would take their
/// CPU time out of the simulators' count and put it into Koppel's), and prints the JSON line of the figures by
/// scenario.
pub(crate) async fn by_scenario(
    header: &str,
    asked: Option<Scenario>,
    measure: impl AsyncFnOnce(&[Scenario], &tokio::runtime::Runtime) -> anyhow::Result<serde_json::Map<String, Value>>,
) -> anyhow::Result<()> {
    let scenarios = Scenario::chosen(asked);
    println!("{header} {}", Scenario::names(&scenarios));
    let simulators = simulators_runtime()?;
    let measured = measure(&scenarios, &simulators).await;
    // Dropped from a task, the runtime would panic, hiding a failed run's error.
    simulators.shutdown_background();
    println!("{}", Value::Object(measured?));
    Ok(())
}

/// Each scenario's figures: the medians of its runs.
async fn measure_scenarios(
    args: &SyncArgs,
    scenarios: &[Scenario],
    simulators: &tokio::runtime::Runtime,
) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    let mut figures = serde_json::Map::new();
    for &scenario in scenarios {
        let mut runs = Vec::new();
        for run in 1..=args.runs {
            println!("{}: run {run} of {}", scenario.name(), args.runs);
            let dir = std::env::temp_dir().join(format!("koppel-bench-sync-{}-{run}", std::process::id()));
            std::fs::create_dir_all(&dir).context("temporary folder for the benchmark database")?;
            let result = bench(args, scenario, &dir, simulators).await;
            let _ = std::fs::remove_dir_all(&dir);
            let figures = result?;
            print_run(&figures);
            runs.push(figures.json());
        }
        let medians = median(&runs);
        println!(
            "{}, median of {} run(s): {} orders per CPU second, wall / floor {}, {} AFAS calls per booked order",
            scenario.name(),
            args.runs,
            medians["orders_per_cpu_s"],
            medians["floor_ratio"],
            medians["afas_calls_per_booked_order"]
        );
        figures.insert(scenario.name().to_owned(), medians);
    }
    Ok(figures)
}

/// One measurement on fresh simulators.
async fn bench(
    args: &SyncArgs,
    scenario: Scenario,
    dir: &Path,
    simulators: &tokio::runtime::Runtime,
) -> anyhow::Result<Figures> {
    let config = SandboxConfig {
        seed: args.seed,
        orders: args.orders,
        ..SandboxConfig::default()
    };
    let sandbox = simulators
        .spawn(Sandbox::start_local(config))
        .await?
        .context("starting the sandbox")?;
    reset_peak_rss();
    let result = measure(args, scenario, dir, &sandbox).await;
    drop(sandbox);
    result
}

/// The simulators' own runtime, its threads named [`SANDBOX_THREAD`]: the benchmark's waiting never slows their
/// answers, and their CPU time can be told apart.
pub(crate) fn simulators_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(SANDBOX_THREAD)
        .enable_all()
        .build()
        .context("the simulators' runtime")
}

/// Each figure's median over the runs (`null` where a run has none, e.g. the floor at 0 ms).
pub(crate) fn median(runs: &[serde_json::Value]) -> serde_json::Value {
    let Some(serde_json::Value::Object(first)) = runs.first() else {
        return serde_json::Value::Null;
    };
    let medians = first.keys().map(|key| {
        let mut values: Vec<f64> = runs.iter().filter_map(|run| run[key].as_f64()).collect();
        values.sort_by(f64::total_cmp);
        let middle = values.len() / 2;
        let median = match values.len() {
            0 => None,
            n if n % 2 == 1 => Some(values[middle]),
            _ => Some((values[middle - 1] + values[middle]) / 2.0),
        };
        (key.clone(), json!(median.map(round2)))
    });
    serde_json::Value::Object(medians.collect())
}

/// Name of the simulators' threads, or its beginning (what `/proc/self/task/*/comm` shows).
const SANDBOX_THREAD: &str = "sandbox";

async fn measure(args: &SyncArgs, scenario: Scenario, dir: &Path, sandbox: &Sandbox) -> anyhow::Result<Figures> {
    let db = Db::connect_and_migrate(&format!("sqlite://{}/bench.db", dir.display())).await?;
    let scope = tenant(&db).await?;
    let counts = Arc::new(CallCounts::default());
    let mut settings = settings(args.batch_size);
    let source = mplus_source(sandbox, &counts, &settings)?;
    let afas = Arc::new(afas_client(sandbox, &counts)?);

    match scenario {
        Scenario::FirstSync => settings.create_missing_articles = true,
        Scenario::Steady => {
            for flow in [FlowKind::Customers, FlowKind::Products] {
                let report = run_once(&db, &scope, flow, &settings, &source, &afas).await?;
                println!("  prepared AFAS: {flow} {:?}", report.counts);
            }
        }
    }
    set_latency(sandbox, args.latency_ms).await?;
    counts.afas_by_operation();
    let (afas_before, mplus_before) = counts.read();
    let (cpu_before, sandbox_cpu_before) = (process_cpu()?, sandbox_cpu());
    let started = Instant::now();
    let report = run_once(&db, &scope, FlowKind::Orders, &settings, &source, &afas).await?;
    let wall = started.elapsed();
    let cpu = process_cpu()?.saturating_sub(cpu_before);
    let sandbox_cpu = sandbox_cpu().saturating_sub(sandbox_cpu_before);
    let (afas_after, mplus_after) = counts.read();
    println!("  orders run: {:?} in {wall:.2?}", report.counts);
    let by_operation: Vec<String> = counts
        .afas_by_operation()
        .into_iter()
        .map(|(operation, calls)| format!("{operation} {calls}"))
        .collect();
    println!("  AFAS calls: {}", by_operation.join(", "));

    let figures = Figures {
        orders: report.total_seen,
        booked: report.counts.created,
        wall,
        cpu,
        sandbox_cpu,
        afas_calls: afas_after - afas_before,
        mplus_calls: mplus_after - mplus_before,
        latency: Duration::from_millis(args.latency_ms),
        peak_rss_mb: peak_rss_mb()?,
    };
    Ok(figures)
}

fn print_run(figures: &Figures) {
    let json = figures.json();
    println!("  orders per second:            {}", json["orders_per_s"]);
    println!(
        "  orders per CPU second:        {} (Koppel: {:.2?} CPU; with the simulators' {:.2?}: {} per CPU second)",
        json["orders_per_cpu_s"],
        figures.cpu.saturating_sub(figures.sandbox_cpu),
        figures.sandbox_cpu,
        json["orders_per_process_cpu_s"]
    );
    println!(
        "  AFAS calls per order:         {} ({:.3} per booked order; {} of {} orders were paid and booked)",
        json["afas_calls_per_order"],
        figures.afas_calls as f64 / figures.booked.max(1) as f64,
        figures.booked,
        figures.orders
    );
    println!("  MplusKASSA calls per 100:     {}", json["mplus_calls_per_100_orders"]);
    println!("  peak memory (MB):             {}", json["peak_rss_mb"]);
    match figures.floor() {
        Some(floor) => println!(
            "  wall / floor:                 {} ({:.2?} / {floor:.2?}, {} + {} calls)",
            json["floor_ratio"], figures.wall, figures.afas_calls, figures.mplus_calls
        ),
        None => println!("  wall / floor:                 undefined at 0 ms latency"),
    }
}

/// One run of one flow with a store journal, recorded as a run like the job queue records it.
async fn run_once(
    db: &Db,
    scope: &TenantScope,
    flow: FlowKind,
    settings: &FlowSettings,
    source: &MplusSource,
    afas: &Arc<AfasClient>,
) -> anyhow::Result<RunReport> {
    let now = || koppel_store::now().timestamp_millis();
    let journal = StoreJournal::start_run(db.clone(), scope.clone(), flow, "bench").await?;
    let claims = CreateOnce::new(db.clone(), scope.clone()).under_lease(&journal.lease().owner);
    let target = AfasTarget::new(afas.clone()).with_claims(claims);
    let report = run_flow(flow, settings, source, &target, &journal)
        .await
        .with_context(|| format!("the {flow} run stopped"))?;
    let counts = journal.counts();
    let failed = koppel_store::journal::failed_in_run(db, scope, journal.lease().run).await?;
    let status = RunStatus::of_completed(&counts, failed);
    journal.lease().finish(db, scope, status, &counts, None, now()).await?;
    Ok(report)
}

async fn tenant(db: &Db) -> anyhow::Result<TenantScope> {
    let email = Email::parse("bench@koppel.test").map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let signup = accounts::sign_up(db, &email, "bench", "Bench shop", koppel_store::now()).await?;
    tenants::resolve_scope(db, signup.user_id, signup.tenant_id)
        .await?
        .context("the bench tenant")
}

fn afas_client(sandbox: &Sandbox, counts: &Arc<CallCounts>) -> anyhow::Result<AfasClient> {
    let (inner, counts) = (afas_hook(), counts.clone());
    let hook = move |exchange: &koppel_afas::Exchange| {
        counts.afas.fetch_add(1, Ordering::Relaxed);
        let operation = format!("{} {}", exchange.method, exchange.operation);
        *counts
            .afas_by_operation
            .lock()
            .expect("call counts lock")
            .entry(operation)
            .or_default() += 1;
        inner.on_exchange(exchange);
    };
    let token = AfasToken::new(&sandbox.config.afas_token_xml());
    Ok(
        AfasClient::builder(Environment::with_base_url(&sandbox.afas_url()), token)
            .exchange_hook(Arc::new(hook))
            .build()?,
    )
}

fn mplus_source(sandbox: &Sandbox, counts: &Arc<CallCounts>, settings: &FlowSettings) -> anyhow::Result<MplusSource> {
    let (inner, counts) = (mplus_hook(), counts.clone());
    let hook = move |exchange: &koppel_mplus::Exchange| {
        counts.mplus.fetch_add(1, Ordering::Relaxed);
        inner.on_exchange(exchange);
    };
    let config = MplusConfig::with_endpoint(
        &sandbox.mplus_url(),
        &sandbox.config.mplus_ident,
        &sandbox.config.mplus_secret,
    );
    let client = MplusClient::builder(config).exchange_hook(Arc::new(hook)).build()?;
    Ok(MplusSource::for_settings(Arc::new(client), settings))
}

async fn set_latency(sandbox: &Sandbox, ms: u64) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let mplus = sandbox.mplus_url();
    for base in [sandbox.afas_url(), mplus.trim_end_matches('/').to_owned()] {
        http.post(format!("{base}/_sandbox/latency"))
            .json(&json!({ "ms": ms }))
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}

/// The settings of a configured shop for the sandbox's AFAS administration.
fn settings(batch_size: u32) -> FlowSettings {
    let table = |pairs: &[(&str, &str)]| ValueMap {
        table: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..ValueMap::default()
    };
    let fallback = |value: &str| ValueMap {
        default: Some(value.to_owned()),
        ..ValueMap::default()
    };
    FlowSettings {
        company: CompanySettings {
            administration: Some("1".into()),
            debtor_ledger_account: Some("1300".into()),
            payment_terms: Some("14".into()),
            default_debtor: Some(koppel_sandbox::afas::seed::CASH_SALES_DEBTOR.into()),
            vat_duty: Some("1".into()),
            warehouse: Some(koppel_sandbox::afas::seed::MAIN_WAREHOUSE.into()),
            payment_method_map: table(&[("PIN", "PIN"), ("CONTANT", "K"), ("IDEAL", "IDL"), ("BANCONTACT", "B")]),
            vat_code_by_country: table(&[
                ("NL", "1"),
                ("BE", "B21"),
                ("DE", "1"),
                ("reverse_charge", "3"),
                ("intra_eu", "4"),
                ("export", "5"),
            ]),
            revenue_account_by_country: table(&[("NL", "8000"), ("BE", "8100"), ("DE", "8200")]),
            article_group_map: fallback("900"),
            vat_group_map: table(&[("21", "1"), ("9", "2"), ("0", "0")]),
            ..CompanySettings::default()
        },
        shipping_cost_item: Some("VERZEND".into()),
        shipping_articles: vec![koppel_sandbox::mplus::seed::SHIPPING_ARTICLE.to_string()],
        rounding_cost_item: Some("AFRONDING".into()),
        batch_size,
        ..FlowSettings::default()
    }
}

/// User + system CPU time of the whole process, to the microsecond (`getrusage`; `/proc/self/stat` counts in
/// ticks of 10 ms, a twentieth of a 1,000-order run's CPU time).
fn process_cpu() -> anyhow::Result<Duration> {
    // SAFETY: getrusage only writes the struct it is given, which is plain old data.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        anyhow::ensure!(libc::getrusage(libc::RUSAGE_SELF, &mut usage) == 0, "getrusage failed");
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1_000);
    Ok(time(usage.ru_utime) + time(usage.ru_stime))
}

/// CPU time of the simulators' threads (zero where `/proc/self/task` cannot be read), to the nanosecond: the
/// first field of each thread's `schedstat`.
fn sandbox_cpu() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|name| name.starts_with(SANDBOX_THREAD))
        })
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .map(Duration::from_nanos)
        .sum()
}

/// Starts the peak resident memory over, so each run reports its own (writing 5 to `clear_refs` resets VmHWM).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory (VmHWM) in MB.
fn peak_rss_mb() -> anyhow::Result<f64> {
    let status = std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let kb = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .context("VmHWM in /proc/self/status")?;
    Ok(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_figure_is_its_own_median() {
        let runs = [
            json!({"orders_per_cpu_s": 4100.0, "floor_ratio": null, "peak_rss_mb": 64.0}),
            json!({"orders_per_cpu_s": 3500.0, "floor_ratio": null, "peak_rss_mb": 61.0}),
            json!({"orders_per_cpu_s": 4700.0, "floor_ratio": null, "peak_rss_mb": 66.5}),
        ];
        assert_eq!(
            median(&runs),
            json!({"orders_per_cpu_s": 4100.0, "floor_ratio": null, "peak_rss_mb": 64.0})
        );
        assert_eq!(
            median(&runs[..2]),
            json!({"orders_per_cpu_s": 3800.0, "floor_ratio": null, "peak_rss_mb": 62.5})
        );
        assert_eq!(median(&[]), serde_json::Value::Null);
    }
}

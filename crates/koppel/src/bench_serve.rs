//! `koppel bench serve`: the orders flow as a user runs it. A `koppel serve` process (web, API and worker in
//! one, on a SQLite file, as the quick start runs it) is configured through its API like a new company and runs
//! the flow on `POST /api/v1/flows/orders/runs`, against the sandbox in this process at a fixed latency per
//! call. Koppel's figures are the child process's own (`/proc/<pid>`), the simulators' work left out.
//!
//! Each scenario gets one process; each of its `--runs` is a new company in it, on a sandbox reset to the same
//! seed, so the figures are medians of like runs and the memory after each run shows whether the process grows
//! over repeated runs. A run's wall time is the run's own, from queued to finished (`queued_at`,
//! `finished_at`), so it includes the wait in the queue, which is reported apart.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use koppel_afas::MAX_CONCURRENT_REQUESTS;
use koppel_sandbox::{Sandbox, SandboxConfig};
use koppel_store::Db;
use serde_json::{Value, json};

use crate::bench::{Scenario, by_scenario, median, round2};

#[derive(Debug, clap::Args)]
pub struct ServeBenchArgs {
    /// MplusKASSA orders in the sandbox's shop (10 to 100,000).
    #[arg(long, default_value_t = 2_000)]
    pub orders: usize,
    /// Latency the simulators add to every call, in milliseconds.
    #[arg(long, default_value_t = 20)]
    pub latency_ms: u64,
    /// Seed of the generated shop.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Runs per scenario, each for a new company in the same `koppel serve` process; the figures are medians.
    #[arg(long, default_value_t = 3)]
    pub runs: u32,
    /// The scenario to measure; both by default.
    #[arg(long, value_enum)]
    pub scenario: Option<Scenario>,
}

/// How often the run's state is asked for: each question costs the process a little CPU, counted in its figures.
const POLL: Duration = Duration::from_millis(200);
const PASSWORD: &str = "bench horse battery staple";

pub async fn run(args: ServeBenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (10..=100_000).contains(&args.orders),
        "--orders must be between 10 and 100,000"
    );
    anyhow::ensure!((1..=25).contains(&args.runs), "--runs must be between 1 and 25");
    let header = format!(
        "koppel bench serve: {} orders, {} ms per call, seed {}, {} run(s) of",
        args.orders, args.latency_ms, args.seed, args.runs
    );
    by_scenario(&header, args.scenario, async |scenarios, simulators| {
        measure_scenarios(&args, scenarios, simulators).await
    })
    .await
}

async fn measure_scenarios(
    args: &ServeBenchArgs,
    scenarios: &[Scenario],
    simulators: &tokio::runtime::Runtime,
) -> anyhow::Result<serde_json::Map<String, Value>> {
    let mut figures = serde_json::Map::new();
    for &scenario in scenarios {
        let config = SandboxConfig {
            seed: args.seed,
            orders: args.orders,
            ..SandboxConfig::default()
        };
        let sandbox = simulators
            .spawn(Sandbox::start_local(config))
            .await?
            .context("starting the sandbox")?;
        let dir = std::env::temp_dir().join(format!("koppel-bench-serve-{}-{}", std::process::id(), scenario.name()));
        std::fs::create_dir_all(&dir).context("temporary folder for the benchmark database")?;
        let result = measure_scenario(args, scenario, &sandbox, &dir).await;
        let _ = std::fs::remove_dir_all(&dir);
        let runs = result?;
        let medians = median(&runs);
        println!(
            "{}, median of {} run(s): {} orders per Koppel CPU second, wall / floor {}, {} AFAS calls per booked \
             order, {} ms in the queue, peak {} MB",
            scenario.name(),
            runs.len(),
            medians["orders_per_cpu_s"],
            medians["floor_ratio"],
            medians["afas_calls_per_booked_order"],
            medians["queue_wait_ms"],
            medians["peak_rss_mb"],
        );
        figures.insert(scenario.name().to_owned(), medians);
    }
    Ok(figures)
}

/// One `koppel serve` process, `--runs` companies in it.
async fn measure_scenario(
    args: &ServeBenchArgs,
    scenario: Scenario,
    sandbox: &Sandbox,
    dir: &Path,
) -> anyhow::Result<Vec<Value>> {
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let mut child = KoppelServe::start(dir, port)?;
    let http = reqwest::Client::new();
    wait_until_answering(&http, &base, &mut child).await?;
    println!(
        "  {}: koppel serve (pid {}) ready, {:.1} MB",
        scenario.name(),
        child.pid(),
        child.memory()?.0
    );
    let database = Db::connect(&database_url(dir)).await?;
    let mut runs = Vec::new();
    for run in 1..=args.runs {
        reset_sandbox(&http, sandbox, args).await?;
        let company = Company::sign_up(&http, &base, &database, run).await?;
        company.connect(sandbox, scenario).await?;
        if scenario == Scenario::Steady {
            for flow in ["customers", "products"] {
                let finished = company.run_flow(flow).await?;
                println!("  prepared AFAS: {flow} {}", finished["counts"]);
            }
        }
        set_latency(&http, sandbox, args.latency_ms).await?;
        let (afas_before, mplus_before) = (sandbox.afas_requests(), sandbox.mplus_requests());
        let cpu_before = child.cpu()?;
        let finished = company.run_flow("orders").await?;
        let cpu = child.cpu()?.saturating_sub(cpu_before);
        let (afas_calls, mplus_calls) = (
            sandbox.afas_requests() - afas_before,
            sandbox.mplus_requests() - mplus_before,
        );
        set_latency(&http, sandbox, 0).await?;
        let (rss_after, peak) = child.memory()?;
        let figures = RunFigures {
            orders: finished["total"].as_u64().unwrap_or_default(),
            booked: finished["counts"]["created"].as_u64().unwrap_or_default(),
            failed: finished["counts"]["failed"].as_u64().unwrap_or_default(),
            wall: between(&finished, "queued_at", "finished_at")?,
            queue_wait: between(&finished, "queued_at", "started_at")?,
            cpu,
            afas_calls: afas_calls as u64,
            mplus_calls: mplus_calls as u64,
            latency: Duration::from_millis(args.latency_ms),
            peak_rss_mb: peak,
            rss_after_mb: rss_after,
        };
        figures.print(run);
        runs.push(figures.json());
    }
    child.stop();
    Ok(runs)
}

struct RunFigures {
    orders: u64,
    booked: u64,
    failed: u64,
    wall: Duration,
    queue_wait: Duration,
    cpu: Duration,
    afas_calls: u64,
    mplus_calls: u64,
    latency: Duration,
    peak_rss_mb: f64,
    rss_after_mb: f64,
}

impl RunFigures {
    /// The necessary calls alone at this latency, at most 8 in flight; `None` without latency.
    fn floor(&self) -> Option<Duration> {
        let rounds = (self.afas_calls + self.mplus_calls).div_ceil(MAX_CONCURRENT_REQUESTS as u64) as u32;
        (!self.latency.is_zero()).then(|| self.latency * rounds)
    }

    fn json(&self) -> Value {
        let per = |count: u64, unit: f64| if unit > 0.0 { count as f64 / unit } else { 0.0 };
        let floor_ratio = self.floor().map(|floor| self.wall.as_secs_f64() / floor.as_secs_f64());
        json!({
            "orders_per_s": round2(per(self.orders, self.wall.as_secs_f64())),
            "orders_per_cpu_s": round2(per(self.orders, self.cpu.as_secs_f64())),
            "afas_calls_per_order": round2(per(self.afas_calls, self.orders as f64)),
            "afas_calls_per_booked_order": round2(per(self.afas_calls, self.booked as f64)),
            "floor_ratio": floor_ratio.map(round2),
            "queue_wait_ms": self.queue_wait.as_millis() as u64,
            "peak_rss_mb": round2(self.peak_rss_mb),
            "rss_after_mb": round2(self.rss_after_mb),
        })
    }

    fn print(&self, run: u32) {
        let json = self.json();
        println!(
            "  run {run}: {} orders read, {} booked, {} failed in {:.2?} (of which {:.0?} queued), Koppel {:.2?} CPU",
            self.orders, self.booked, self.failed, self.wall, self.queue_wait, self.cpu
        );
        println!(
            "    {} orders per CPU second; {} AFAS calls ({} per booked order), {} MplusKASSA calls; wall / floor {}",
            json["orders_per_cpu_s"],
            self.afas_calls,
            json["afas_calls_per_booked_order"],
            self.mplus_calls,
            json["floor_ratio"]
        );
        println!(
            "    memory: peak {:.1} MB, {:.1} MB after the run",
            self.peak_rss_mb, self.rss_after_mb
        );
    }
}

/// The `koppel serve` child: this binary, on a SQLite file in `dir`, its demo sandbox off.
struct KoppelServe(Child);

impl KoppelServe {
    fn start(dir: &Path, port: u16) -> anyhow::Result<Self> {
        let log = std::fs::File::create(dir.join("serve.log")).context("the child's log file")?;
        let child = Command::new(std::env::current_exe().context("this program's path")?)
            .arg("serve")
            .env("KOPPEL_DATA_DIR", dir)
            .env("DATABASE_URL", database_url(dir))
            .env("KOPPEL_SECRET_KEY", hex::encode(rand::random::<[u8; 32]>()))
            .env("KOPPEL_LISTEN", format!("127.0.0.1:{port}"))
            .env("KOPPEL_DEMO_SANDBOX", "false")
            .env("KOPPEL_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting koppel serve")?;
        Ok(Self(child))
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }

    /// User and system CPU time so far (`/proc/<pid>/stat`, in clock ticks).
    fn cpu(&self) -> anyhow::Result<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).context("the child's stat")?;
        // The fields after the command name (which may hold spaces) start with the state, field 3.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks = |index: usize| {
            fields
                .get(index)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or_default()
        };
        // utime and stime are fields 14 and 15: 11 and 12 after the state.
        // SAFETY: sysconf only reads a configuration value.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Ok(Duration::from_nanos(
            (ticks(11) + ticks(12)) * 1_000_000_000 / per_second,
        ))
    }

    /// Resident memory now and at its peak (`VmRSS`, `VmHWM`), in MB.
    fn memory(&self) -> anyhow::Result<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).context("the child's status")?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                .map(|kb| kb / 1024.0)
                .unwrap_or_default()
        };
        Ok((field("VmRSS:"), field("VmHWM:")))
    }

    fn stop(&mut self) {
        // SAFETY: kill only sends a signal to the child this benchmark started.
        unsafe { libc::kill(self.pid() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for KoppelServe {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            self.stop();
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("a free port")?;
    Ok(listener.local_addr()?.port())
}

async fn wait_until_answering(http: &reqwest::Client, base: &str, child: &mut KoppelServe) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if http.get(format!("{base}/api/v1/me")).send().await.is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.0.try_wait() {
            anyhow::bail!("koppel serve stopped ({status}); see its log");
        }
        anyhow::ensure!(Instant::now() < deadline, "koppel serve did not answer within a minute");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Both simulators back to the seed's shop, so each run's company books the same orders.
async fn reset_sandbox(http: &reqwest::Client, sandbox: &Sandbox, args: &ServeBenchArgs) -> anyhow::Result<()> {
    let body = json!({"seed": args.seed, "orders": args.orders});
    for url in [
        format!("{}/_sandbox/reset", sandbox.afas_url()),
        format!("{}_sandbox/reset", sandbox.mplus_url()),
    ] {
        http.post(url).json(&body).send().await?.error_for_status()?;
    }
    Ok(())
}

async fn set_latency(http: &reqwest::Client, sandbox: &Sandbox, ms: u64) -> anyhow::Result<()> {
    for url in [
        format!("{}/_sandbox/latency", sandbox.afas_url()),
        format!("{}_sandbox/latency", sandbox.mplus_url()),
    ] {
        http.post(url)
            .json(&json!({"ms": ms}))
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}

/// A company signed up through the API, and its session.
struct Company {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Company {
    /// Signs up as a person would: the signup, then the link mailed to the address (read from the outbox of
    /// `koppel serve`'s database, `database`).
    async fn sign_up(http: &reqwest::Client, base: &str, database: &Db, run: u32) -> anyhow::Result<Self> {
        let email = format!("bench-{run}-{}@koppel.test", hex::encode(rand::random::<[u8; 8]>()));
        let company = json!({"email": email, "password": PASSWORD, "company": format!("Bench shop {run}")});
        let signup = http.post(format!("{base}/api/v1/signup")).json(&company).send().await?;
        anyhow::ensure!(signup.status() == 202, "signup: {}", signup.text().await?);
        let link = koppel_store::test_support::signup_token(database, &email)
            .await?
            .context("the signup's link in the outbox")?;
        let session: Value = http
            .post(format!("{base}/api/v1/signup/confirm"))
            .json(&json!({"token": link, "password": PASSWORD}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = session["token"].as_str().context("a session token")?.to_owned();
        Ok(Self {
            http: http.clone(),
            base: base.to_owned(),
            token,
        })
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        anyhow::ensure!(status.is_success(), "{path}: {status} {text}");
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Both connections, and the sandbox preset's settings with every flow on (once a year: the benchmark
    /// starts its runs itself); the first sync creates the articles it sells.
    async fn connect(&self, sandbox: &Sandbox, scenario: Scenario) -> anyhow::Result<()> {
        let config = &sandbox.config;
        let mplus = json!({"url": sandbox.mplus_url(), "ident": config.mplus_ident, "secret": config.mplus_secret});
        self.send(reqwest::Method::PUT, "/api/v1/connections/mplus", Some(mplus))
            .await?;
        let afas = json!({"environment": "12345", "environment_type": "test", "token": config.afas_token_xml(),
                          "url": sandbox.afas_url()});
        self.send(reqwest::Method::PUT, "/api/v1/connections/afas", Some(afas))
            .await?;
        let mut settings = koppel_web::sandbox_settings("1", Some("14"), Some("PIN"));
        settings.create_missing_articles = scenario == Scenario::FirstSync;
        let flows: &[&str] = match scenario {
            Scenario::FirstSync => &["orders"],
            Scenario::Steady => &["customers", "products", "orders"],
        };
        for flow in flows {
            let body = json!({"enabled": true, "schedule": "0 0 3 1 1 *", "settings": settings});
            self.send(reqwest::Method::PUT, &format!("/api/v1/flows/{flow}"), Some(body))
                .await?;
        }
        Ok(())
    }

    /// Starts a run of the flow and waits for its end; the run as the API shows it.
    async fn run_flow(&self, flow: &str) -> anyhow::Result<Value> {
        let started = self
            .send(reqwest::Method::POST, &format!("/api/v1/flows/{flow}/runs"), None)
            .await?;
        let run_id = started["run_id"].as_str().context("a run id")?.to_owned();
        let deadline = Instant::now() + Duration::from_secs(3_600);
        loop {
            tokio::time::sleep(POLL).await;
            let run = self
                .send(reqwest::Method::GET, &format!("/api/v1/runs/{run_id}"), None)
                .await?;
            match run["status"].as_str().unwrap_or_default() {
                "queued" | "running" => {}
                "succeeded" | "succeeded_with_failures" => return Ok(run),
                status => anyhow::bail!("the {flow} run ended {status}: {}", run["error"]),
            }
            anyhow::ensure!(Instant::now() < deadline, "the {flow} run took over an hour");
        }
    }
}

/// The time between two of a run's timestamps.
fn between(run: &Value, from: &str, to: &str) -> anyhow::Result<Duration> {
    let at = |field: &str| -> anyhow::Result<DateTime<Utc>> {
        let text = run[field].as_str().with_context(|| format!("the run's {field}"))?;
        Ok(text.parse()?)
    };
    Ok((at(to)? - at(from)?).to_std().unwrap_or_default())
}

/// The SQLite file of the measured `koppel serve`.
fn database_url(dir: &Path) -> String {
    format!("sqlite://{}/koppel.db", dir.display())
}

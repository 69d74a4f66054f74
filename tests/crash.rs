//! Crash safety, proven by killing real processes: the `koppel` binary runs a tenant's orders flow against a
//! `koppel sandbox` with 2,000 orders and 20 ms latency, and is killed with SIGKILL at random points of the
//! run, again and again, and started again at once (as systemd, Docker or a deploy does). At the end every
//! fully paid MplusKASSA order is in AFAS exactly once (counted in the simulator, not in Koppel's tables), no
//! run is left running, and the flow takes new runs.
//!
//! Runs on SQLite, or on PostgreSQL when `KOPPEL_TEST_DATABASE_URL` is set; there also with two
//! `koppel worker` processes beside a web-only `koppel serve`, killing the worker that holds the run. The
//! financial journal flow gets the same treatment: every closed till day once in AFAS; and the articles flow
//! (the other direction): every AFAS article once in the till.

mod support;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use koppel_sandbox::mplus::model::OrderType;
use rand::RngExt;
use support::{Api, Process, SECRET_KEY, SandboxUrls, booked_in_afas, free_port, koppel};

const ORDERS: usize = 2_000;
/// How many times the process is stopped (`KOPPEL_E2E_KILLS` overrides it, e.g. to measure a few takeovers
/// under the production lease).
fn kills() -> usize {
    std::env::var("KOPPEL_E2E_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// A short lease, so each takeover takes seconds, not the production minute (`KOPPEL_E2E_LEASE_SECONDS`
/// overrides it: with 60, the default, the printed takeover times are the production ones).
fn lease_seconds() -> String {
    std::env::var("KOPPEL_E2E_LEASE_SECONDS").unwrap_or_else(|_| "2".to_owned())
}

/// The references of the seeded orders the orders flow books: fully paid, of the types it reads.
fn expected_references() -> Vec<String> {
    let shop = koppel_sandbox::mplus::seed::generate(42, ORDERS);
    shop.fully_paid_order_indices()
        .map(|index| shop.order(index))
        .filter(|order| OrderType::DEFAULT_FILTER.contains(&order.order_type))
        .map(|order| format!("ORD-{}-{:06}", order.order_number.0, order.order_number.1))
        .collect()
}

async fn set_latency(sandbox: &SandboxUrls, ms: u64) {
    for base in [&sandbox.afas_root, &sandbox.mplus] {
        let response = support::http()
            .post(format!("{base}/_sandbox/latency"))
            .json(&serde_json::json!({"ms": ms}))
            .send()
            .await
            .expect("latency control");
        assert!(response.status().is_success());
    }
}

/// `koppel sandbox` with `orders` orders and `latency_ms` on every call.
async fn sandbox(orders: usize, latency_ms: u64) -> (Process, SandboxUrls) {
    let (process, urls) = support::start_sandbox(orders);
    set_latency(&urls, latency_ms).await;
    (process, urls)
}

/// How the Koppel processes of a test are started: one data folder, one database (SQLite in the folder, or a
/// fresh PostgreSQL database when `KOPPEL_TEST_DATABASE_URL` is set) and one port, whatever is killed.
struct Setup {
    dir: tempfile::TempDir,
    database_url: String,
    /// The PostgreSQL database, dropped with the setup; `None` on SQLite.
    database: Option<koppel_store::test_support::TestDatabase>,
    port: u16,
}

impl Setup {
    async fn new() -> Self {
        let dir = support::data_dir();
        let (database_url, database) = support::database_url(dir.path()).await;
        Self {
            dir,
            database_url,
            database,
            port: free_port(),
        }
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = koppel(args);
        command
            .env("KOPPEL_DATA_DIR", self.dir.path())
            .env("DATABASE_URL", &self.database_url)
            .env("KOPPEL_SECRET_KEY", SECRET_KEY)
            .env("KOPPEL_RUN_LEASE_SECONDS", lease_seconds())
            .env("KOPPEL_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("KOPPEL_DEMO_SANDBOX", "false");
        command
    }

    fn serve(&self, with_worker: bool) -> Process {
        let mut command = self.command(&["serve"]);
        command.env("KOPPEL_RUN_WORKER", with_worker.to_string());
        let mut process = Process::start("koppel serve", command);
        process.wait_for_line("Koppel is running", Duration::from_secs(60));
        process
    }

    fn worker(&self, name: &str) -> Process {
        let mut process = Process::start(name, self.command(&["worker"]));
        process.wait_for_line("worker started", Duration::from_secs(60));
        process
    }
}

/// Waits until a process holds the run in a newer attempt than `attempts` (after a kill: it was taken over),
/// or the run has ended; its state.
async fn wait_held(api: &Api, run_id: &str, attempts: i64, timeout: Duration) -> serde_json::Value {
    let deadline = Instant::now() + timeout;
    loop {
        let run = api.run(run_id).await;
        let ended = run["status"] != "queued" && run["status"] != "running";
        if ended || (run["status"] == "running" && run["attempts"].as_i64().unwrap_or(0) > attempts) {
            return run;
        }
        assert!(
            Instant::now() < deadline,
            "run {run_id} was not taken over within {timeout:?}: {run}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts (or finds) the flow's run and waits until a process holds it in a new attempt; returns the run.
async fn held_run(api: &Api, flow: &str, last: &mut (String, i64)) -> serde_json::Value {
    let (_, run_id) = api.start_run(flow).await;
    let attempts = if run_id == last.0 { last.1 } else { 0 };
    let run = wait_held(api, &run_id, attempts, Duration::from_secs(120)).await;
    *last = (run_id, run["attempts"].as_i64().unwrap_or(0));
    run
}

/// Ends the test: no run left running, a new run accepted and finished, every paid order once in AFAS.
async fn check_the_books(
    api: &Api,
    sandbox: &SandboxUrls,
    takeovers_seen: i64,
    seeded_emails: &BTreeMap<String, usize>,
) {
    let (_, last) = api.start_run("orders").await;
    let last = api.wait_finished(&last, Duration::from_secs(600)).await;
    assert!(
        matches!(
            last["status"].as_str(),
            Some("succeeded" | "succeeded_with_failures" | "failed")
        ),
        "{last}"
    );
    let (status, fresh) = api.start_run("orders").await;
    assert_eq!(status, 202, "the flow takes new runs");
    let fresh = api.wait_finished(&fresh, Duration::from_secs(300)).await;
    assert_eq!(fresh["status"], "succeeded", "nothing is left to book: {fresh}");
    assert!(
        takeovers_seen > 0,
        "no run was ever taken over: the kills missed the runs"
    );

    let booked = booked_in_afas(sandbox).await;
    let expected = expected_references();
    let twice: Vec<_> = booked.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "orders booked more than once: {twice:?}");
    let missing: Vec<_> = expected.iter().filter(|r| !booked.contains_key(*r)).collect();
    assert!(
        missing.is_empty(),
        "{} paid orders never reached AFAS: {missing:?}",
        missing.len()
    );
    assert_eq!(booked.len(), expected.len(), "AFAS holds only the paid orders");

    // The first sync created its customers' debtors and delivery addresses while being killed: each once (the
    // seeded administration has some e-mail addresses twice; those stay as they were).
    let created_twice: Vec<_> = debtor_emails(sandbox)
        .await
        .into_iter()
        .filter(|(email, count)| *count > seeded_emails.get(email).copied().unwrap_or(0).max(1))
        .collect();
    assert!(
        created_twice.is_empty(),
        "debtors created more than once: {created_twice:?}"
    );
    let addresses = afas_rows(sandbox, "Profit_Deliveryaddress").await;
    let keys = addresses.iter().map(|row| {
        let fields = [
            "DebiteurID",
            "A_Straat",
            "A_Huisnummer",
            "A_Toev_Huisnr.",
            "A_Postcode",
            "A_Woonplaats",
        ];
        fields.map(|field| row[field].to_string().to_lowercase()).join("|")
    });
    let twice: Vec<_> = counted(keys).into_iter().filter(|(_, count)| *count > 1).collect();
    assert!(twice.is_empty(), "delivery addresses added more than once: {twice:?}");

    // The reconciliation after all those kills: each booked sale held against the till once, read back, equal.
    let reconciliation = api.get("/api/v1/reconciliation?from=2025-11-27&to=2026-11-27").await;
    let days = reconciliation["days"].as_array().expect("days");
    let mut sales = 0;
    for day in days {
        sales += day["till_orders"].as_u64().unwrap();
        for list in ["missing", "differing", "unchecked"] {
            assert_eq!(day[list], serde_json::json!([]), "{list} on {}: {day}", day["date"]);
        }
        // Exact decimal text: zero is digits 0 (and a point) only, whatever its scale or sign.
        let difference = day["difference"].as_str().unwrap();
        assert!(
            difference.trim_start_matches('-').chars().all(|c| c == '0' || c == '.'),
            "{day}"
        );
    }
    assert_eq!(
        sales as usize,
        expected.len(),
        "every booked sale on the reconciliation once"
    );
}

/// Every row of an AFAS GetConnector in the simulator.
async fn afas_rows(sandbox: &SandboxUrls, connector: &str) -> Vec<serde_json::Value> {
    let rows: serde_json::Value = sandbox
        .afas_get(&format!("{connector}?skip=-1&take=-1"))
        .await
        .json()
        .await
        .expect("rows");
    rows["rows"].as_array().expect("rows").clone()
}

/// How often each key occurs.
fn counted(keys: impl Iterator<Item = String>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_default() += 1;
    }
    counts
}

/// How many debtors AFAS holds per e-mail address.
async fn debtor_emails(sandbox: &SandboxUrls) -> BTreeMap<String, usize> {
    let debtors = afas_rows(sandbox, "Profit_Debtor").await;
    counted(
        debtors
            .iter()
            .filter_map(|row| row["Email"].as_str())
            .map(str::to_lowercase),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_books_every_paid_order_once() {
    let (_sandbox, urls) = sandbox(ORDERS, 20).await;
    let setup = Setup::new().await;
    let mut serve = setup.serve(true);
    let api = Api::sign_up(&setup.base_url(), &setup.database_url).await;
    api.connect_to(&urls).await;
    let seeded_emails = debtor_emails(&urls).await;

    let mut rng = rand::rng();
    let (mut takeovers, mut last) = (0, (String::new(), 0));
    for kill in 0..kills() {
        let run = held_run(&api, "orders", &mut last).await;
        takeovers = takeovers.max(run["takeovers"].as_i64().unwrap_or(0));
        let delay = Duration::from_millis(rng.random_range(100..2_500));
        tokio::time::sleep(delay).await;
        if kill % 4 == 3 {
            // A graceful stop (SIGTERM) hands the run back at once: no takeover is needed.
            let before = api.run(&last.0).await;
            eprintln!(
                "stop {kill}: SIGTERM {delay:?} into attempt {} of run {}",
                last.1, last.0
            );
            assert!(serve.terminate(Duration::from_secs(30)).success(), "{}", serve.output());
            let handed_back = serve.output().contains("run handed back to the queue");
            serve = setup.serve(true);
            let after = wait_held(&api, &last.0, last.1, Duration::from_secs(120)).await;
            let ended = !matches!(after["status"].as_str(), Some("queued" | "running"));
            assert!(handed_back || ended, "a running run is handed back on SIGTERM: {after}");
            assert_eq!(
                after["takeovers"], before["takeovers"],
                "handed back, not taken over: {after}"
            );
            continue;
        }
        eprintln!(
            "kill {kill}: SIGKILL {delay:?} into attempt {} of run {}",
            last.1, last.0
        );
        serve.kill();
        let killed_at = Instant::now();
        serve = setup.serve(true);
        let after = wait_held(&api, &last.0, last.1, Duration::from_secs(600)).await;
        if after["status"] == "running" {
            eprintln!(
                "takeover: run {} held again {:.1?} after the kill",
                last.0,
                killed_at.elapsed()
            );
        }
    }
    check_the_books(&api, &urls, takeovers, &seeded_emails).await;
    assert!(serve.terminate(Duration::from_secs(30)).success(), "{}", serve.output());
}

/// Two workers on one PostgreSQL database beside a web-only process; the worker holding the run is killed.
#[tokio::test(flavor = "multi_thread")]
async fn two_workers_on_postgres_take_over_from_each_other() {
    let setup = Setup::new().await;
    if setup.database.is_none() {
        eprintln!("skipped: two worker processes need PostgreSQL (set KOPPEL_TEST_DATABASE_URL)");
        return;
    }
    let (_sandbox, urls) = sandbox(ORDERS, 20).await;
    let _serve = setup.serve(false);
    let api = Api::sign_up(&setup.base_url(), &setup.database_url).await;
    api.connect_to(&urls).await;
    let seeded_emails = debtor_emails(&urls).await;
    let db = koppel_store::Db::connect(&setup.database_url)
        .await
        .expect("the test's database");

    let mut workers = vec![setup.worker("worker a"), setup.worker("worker b")];
    let mut rng = rand::rng();
    let (mut takeovers, mut last) = (0, (String::new(), 0));
    for kill in 0..kills() {
        let run = held_run(&api, "orders", &mut last).await;
        takeovers = takeovers.max(run["takeovers"].as_i64().unwrap_or(0));
        let run_id = last.0.clone();
        tokio::time::sleep(Duration::from_millis(rng.random_range(100..2_500))).await;
        // The holder's lease names its process id.
        let owner: Option<(Option<String>,)> = match &db {
            koppel_store::Db::Postgres(pool) => {
                sqlx::query_as("SELECT lease_owner FROM runs WHERE id = $1::uuid AND status = 'running'")
                    .bind(&run_id)
                    .fetch_optional(pool)
                    .await
                    .expect("the run's holder")
            }
            koppel_store::Db::Sqlite(_) => unreachable!("PostgreSQL only"),
        };
        let holder_pid = owner
            .and_then(|(owner,)| owner)
            .and_then(|owner| owner.split('-').next()?.parse::<u32>().ok());
        let victim = workers
            .iter()
            .position(|w| Some(w.pid()) == holder_pid)
            .unwrap_or(kill % 2);
        eprintln!("kill {kill}: {} (holder {holder_pid:?})", workers[victim].name);
        workers[victim].kill();
        workers[victim] = setup.worker(if victim == 0 { "worker a" } else { "worker b" });
    }
    check_the_books(&api, &urls, takeovers, &seeded_emails).await;
    for worker in &mut workers {
        assert!(
            worker.terminate(Duration::from_secs(30)).success(),
            "{}",
            worker.output()
        );
    }
}

/// Switches `flow` on with the sandbox preset's settings (and a schedule that never comes: runs are started by
/// the test).
async fn switch_on(api: &Api, flow: &str, own: &serde_json::Value) {
    let mut settings = serde_json::to_value(koppel_web::sandbox_settings("1", Some("14"), Some("PIN"))).unwrap();
    if let (Some(settings), Some(own)) = (settings.as_object_mut(), own.as_object()) {
        settings.extend(own.clone());
    }
    let body = serde_json::json!({"enabled": true, "schedule": "0 0 3 1 1 *", "settings": settings});
    let (status, answer) = api
        .send(reqwest::Method::PUT, &format!("/api/v1/flows/{flow}"), Some(body))
        .await;
    assert_eq!(status, 200, "{flow} settings: {answer}");
}

/// Signs a company up in a `koppel serve` (with its worker), runs each of the flows `first` to the end,
/// switches `flow` on with the sandbox preset's settings (and its own settings `own`), and up to `kills` times kills the process with
/// SIGKILL at a random point (`delays` ms) of the run's attempt and starts it again at once, waiting each time
/// until the run is taken over. Returns the company's API, the process running now, the most takeovers a run
/// counted, and the last run's id.
async fn kill_during_runs(
    setup: &Setup,
    urls: &SandboxUrls,
    (first, flow, own): (&[&str], &str, serde_json::Value),
    kills: usize,
    delays: std::ops::Range<u64>,
) -> (Api, Process, i64, String) {
    let mut serve = setup.serve(true);
    let api = Api::sign_up(&setup.base_url(), &setup.database_url).await;
    api.connect_to(urls).await;
    for before in first {
        switch_on(&api, before, &serde_json::json!({})).await;
        let (_, run) = api.start_run(before).await;
        let run = api.wait_finished(&run, Duration::from_secs(300)).await;
        assert_eq!(run["status"], "succeeded", "{before}: {run}");
    }
    switch_on(&api, flow, &own).await;
    let mut rng = rand::rng();
    let (mut takeovers, mut last) = (0, (String::new(), 0));
    for kill in 0..self::kills().min(kills) {
        let run = held_run(&api, flow, &mut last).await;
        takeovers = takeovers.max(run["takeovers"].as_i64().unwrap_or(0));
        if run["status"] != "running" {
            break;
        }
        let delay = Duration::from_millis(rng.random_range(delays.clone()));
        tokio::time::sleep(delay).await;
        eprintln!(
            "kill {kill}: SIGKILL {delay:?} into attempt {} of run {}",
            last.1, last.0
        );
        serve.kill();
        serve = setup.serve(true);
        wait_held(&api, &last.0, last.1, Duration::from_secs(600)).await;
    }
    (api, serve, takeovers, last.0)
}

/// The financial journal under SIGKILL: the flow books the seeded till's closed days (one AFAS financial entry
/// per day and branch, with 20 ms latency on every call), the process is killed at random points and started
/// again; at the end every branch day MplusKASSA's journal has is in AFAS under exactly one entry.
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_books_every_closed_till_day_once() {
    let (_sandbox, urls) = sandbox(ORDERS, 20).await;
    let setup = Setup::new().await;
    let (api, mut serve, takeovers, _) = kill_during_runs(
        &setup,
        &urls,
        (&[], "financial_journal", serde_json::json!({})),
        8,
        100..2_500,
    )
    .await;
    let (_, run) = api.start_run("financial_journal").await;
    let run = api.wait_finished(&run, Duration::from_secs(600)).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let (status, fresh) = api.start_run("financial_journal").await;
    assert_eq!(status, 202, "the flow takes new runs");
    let fresh = api.wait_finished(&fresh, Duration::from_secs(300)).await;
    assert_eq!(
        (fresh["status"].as_str(), fresh["counts"]["created"].as_i64()),
        (Some("succeeded"), Some(0)),
        "{fresh}"
    );
    assert!(takeovers > 0, "no run was ever taken over: the kills missed the runs");

    // What MplusKASSA's journal holds (read with the client), and what AFAS booked (read from the simulator).
    let credentials = koppel_jobs::credentials::MplusCredentials {
        url: urls.mplus.clone(),
        ident: "koppel-sandbox".into(),
        secret: "sandbox-secret".into(),
    };
    let mplus = koppel_jobs::connect::mplus_client(&credentials, &Default::default()).unwrap();
    let yesterday = koppel_store::now().date_naive().pred_opt().unwrap();
    let first = koppel_sandbox::mplus::seed::first_receipt_day();
    let journal = mplus.get_financial_journal(first, yesterday).await.unwrap();
    let expected: std::collections::BTreeSet<String> = journal
        .groups
        .iter()
        .filter(|g| g.source == koppel_mplus::model::FinancialGroupSource::Receipt)
        .map(|g| {
            format!(
                "MPLUS-{}-{}",
                g.from_date.unwrap().format("%Y%m%d"),
                g.branch_number.unwrap()
            )
        })
        .collect();
    let rows: serde_json::Value = urls
        .afas_get("Profit_Transactions?skip=-1&take=-1")
        .await
        .json()
        .await
        .unwrap();
    let mut entries: std::collections::BTreeMap<String, std::collections::BTreeSet<i64>> = Default::default();
    for row in rows["rows"].as_array().unwrap() {
        let voucher = row["VoucherNo"].as_str().unwrap().to_owned();
        entries
            .entry(voucher)
            .or_default()
            .insert(row["EntryNo"].as_i64().unwrap());
    }
    let twice: Vec<_> = entries.iter().filter(|(_, numbers)| numbers.len() > 1).collect();
    assert!(twice.is_empty(), "days booked more than once: {twice:?}");
    let booked: std::collections::BTreeSet<String> = entries.into_keys().collect();
    assert!(expected.len() > 100, "{} branch days", expected.len());
    assert_eq!(booked, expected, "every closed branch day once, nothing else");
    assert!(serve.terminate(Duration::from_secs(30)).success(), "{}", serve.output());
}

/// The articles flow (AFAS → MplusKASSA) under SIGKILL: with 150 ms latency on every call the seeded AFAS
/// articles take seconds to reach the till, the process is killed at random points and started again; at the
/// end every AFAS article is in MplusKASSA exactly once (one product per article number, read with the till's
/// own `getProducts`), with AFAS's price, the dimension item's combinations each once, and a new run writes
/// nothing.
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_gives_the_till_every_afas_article_once() {
    let (_sandbox, urls) = sandbox(10, 150).await;
    let setup = Setup::new().await;
    let (api, mut serve, _, last) =
        kill_during_runs(&setup, &urls, (&[], "articles", serde_json::json!({})), 5, 200..3_000).await;
    // It ends: done, or given up after dying four times in a row before booking anything (its earlier attempts'
    // articles stay made; the next run goes on from there, which the checks below prove).
    let run = api.wait_finished(&last, Duration::from_secs(300)).await;
    assert!(run["status"] == "succeeded" || run["status"] == "failed", "{run}");
    set_latency(&urls, 0).await;
    let (_, finish) = api.start_run("articles").await;
    let finish = api.wait_finished(&finish, Duration::from_secs(300)).await;
    assert_eq!(finish["status"], "succeeded", "{finish}");
    assert_eq!(finish["counts"]["failed"], 0, "{finish}");
    let (_, fresh) = api.start_run("articles").await;
    let fresh = api.wait_finished(&fresh, Duration::from_secs(300)).await;
    assert_eq!(
        (fresh["counts"]["created"].as_i64(), fresh["counts"]["updated"].as_i64()),
        (Some(0), Some(0)),
        "a run after the crashes writes nothing: {fresh}"
    );

    // What AFAS has (read from the simulator) and what the till has (read with the MplusKASSA client).
    let articles = afas_rows(&urls, "Profit_Article_Basic").await;
    let expected: BTreeMap<i64, String> = articles
        .iter()
        .map(|row| {
            let code = row["ItemCode"].as_str().unwrap();
            (
                code.parse().unwrap(),
                format!("{:.2}", row["BasicSalesPrice"].as_f64().unwrap()),
            )
        })
        .collect();
    assert!(expected.len() >= 30, "{} AFAS articles", expected.len());
    let credentials = koppel_jobs::credentials::MplusCredentials {
        url: urls.mplus.clone(),
        ident: "koppel-sandbox".into(),
        secret: "sandbox-secret".into(),
    };
    let mplus = koppel_jobs::connect::mplus_client(&credentials, &Default::default()).unwrap();
    let numbers: Vec<i64> = expected.keys().copied().collect();
    let filter = koppel_mplus::ProductFilter {
        article_numbers: numbers.clone(),
        ..Default::default()
    };
    let products = mplus.get_products(&filter, 0, 100_000).await.unwrap();
    let mut till: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for article in products.iter().flat_map(|p| &p.article_list) {
        let number = article.article_number.unwrap();
        if numbers.contains(&number) {
            let price = format!("{:.2}", article.price_incl.unwrap());
            till.entry(number).or_default().push(price);
        }
    }
    let twice: Vec<_> = till.iter().filter(|(_, copies)| copies.len() > 1).collect();
    assert!(twice.is_empty(), "articles in the till more than once: {twice:?}");
    let till: BTreeMap<i64, String> = till.into_iter().map(|(n, mut copies)| (n, copies.remove(0))).collect();
    assert_eq!(till, expected, "every AFAS article once in the till, at AFAS's price");
    // The seeded dimension item: one product, each combination's article once, found by its `extArticleId`.
    let whole = koppel_mplus::ProductFilter {
        article_numbers: vec![1030],
        whole_products: true,
        ..Default::default()
    };
    let products = mplus.get_products(&whole, 0, 1_000).await.unwrap();
    assert_eq!(products.len(), 1, "the dimension item is one product");
    let mut ext_ids: Vec<String> = products[0]
        .article_list
        .iter()
        .filter_map(|a| a.ext_article_id.clone())
        .collect();
    ext_ids.sort();
    assert_eq!(
        ext_ids,
        ["1030;", "1030;NAVY;L", "1030;NAVY;M", "1030;ROOD;L", "1030;ROOD;M"],
        "each combination once"
    );
    assert!(serve.terminate(Duration::from_secs(30)).success(), "{}", serve.output());
}

/// The prices flow (AFAS price lists → the till's price groups) under SIGKILL: after the articles flow made the
/// seeded AFAS articles at the till, the prices run (150 ms latency on every call) is killed at random points and
/// started again; at the end every article's mapped price groups at the till equal AFAS's price
/// lists of today (volume breaks included), the till's other groups are untouched, and a new run writes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_leaves_the_tills_price_groups_equal_to_afas() {
    let (_sandbox, urls) = sandbox(10, 150).await;
    let setup = Setup::new().await;
    let (api, mut serve, takeovers, last) = kill_during_runs(
        &setup,
        &urls,
        (&["articles"], "prices", serde_json::json!({})),
        4,
        100..2_000,
    )
    .await;
    assert!(takeovers > 0, "no run was ever taken over: the kills missed the runs");
    let run = api.wait_finished(&last, Duration::from_secs(300)).await;
    assert!(run["status"] == "succeeded" || run["status"] == "failed", "{run}");
    let (_, finish) = api.start_run("prices").await;
    let finish = api.wait_finished(&finish, Duration::from_secs(300)).await;
    assert_eq!(
        (finish["status"].as_str(), finish["counts"]["failed"].as_i64()),
        (Some("succeeded"), Some(0)),
        "{finish}"
    );
    let (_, fresh) = api.start_run("prices").await;
    let fresh = api.wait_finished(&fresh, Duration::from_secs(300)).await;
    assert_eq!(
        fresh["counts"]["updated"].as_i64(),
        Some(0),
        "a run after the crashes writes nothing: {fresh}"
    );

    // What AFAS's lists hold today (read from the simulator) and what the till has (its own getProducts).
    let mut expected: BTreeMap<(i64, i32, i32), String> = BTreeMap::new();
    for (list, group) in [("HOR", 1), ("GRO", 2)] {
        let path = format!(
            "Profit_SalesPrice?filterfieldids=Level,Volume&filtervalues={list},true&operatortypes=1,1&skip=-1&take=-1"
        );
        let rows: serde_json::Value = urls.afas_get(&path).await.json().await.unwrap();
        for row in rows["rows"].as_array().unwrap() {
            let quantity = row["Quantity"].as_f64().unwrap() as i32;
            let number = row["Item"].as_str().unwrap().parse().unwrap();
            let minimum = if quantity <= 1 { 0 } else { quantity };
            expected.insert(
                (number, group, minimum),
                format!("{:.2}", row["Nettoprijs"].as_f64().unwrap()),
            );
        }
    }
    assert!(expected.len() >= 20, "{} AFAS list prices", expected.len());
    let credentials = koppel_jobs::credentials::MplusCredentials {
        url: urls.mplus.clone(),
        ident: "koppel-sandbox".into(),
        secret: "sandbox-secret".into(),
    };
    let mplus = koppel_jobs::connect::mplus_client(&credentials, &Default::default()).unwrap();
    let products = mplus.get_products(&Default::default(), 0, 100_000).await.unwrap();
    let till: BTreeMap<(i64, i32, i32), String> = products
        .iter()
        .flat_map(|p| &p.article_list)
        .flat_map(|article| {
            article.price_group_list.iter().map(move |group| {
                let key = (
                    article.article_number.unwrap(),
                    group.price_group_number,
                    group.minimum_amount.unwrap_or_default(),
                );
                (key, format!("{:.2}", group.price_incl.unwrap()))
            })
        })
        .collect();
    assert_eq!(till, expected, "the till's price groups are AFAS's price lists");
    assert!(serve.terminate(Duration::from_secs(30)).success(), "{}", serve.output());
}

/// The discounts flow (a debtor's own terms → its relation) under SIGKILL: after the articles and debtors flows
/// made the seeded articles and relations at the till, the discounts run (250 ms latency on every call) is
/// killed at random points and started again; at the end every debtor's own prices are its relation's article
/// discounts, and a new run writes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_leaves_each_relation_with_its_debtors_own_prices() {
    // A discounts run makes few calls (two debtors have prices of their own): 250 ms each, and kills early in
    // the attempt, so they land inside it.
    let (_sandbox, urls) = sandbox(10, 250).await;
    let setup = Setup::new().await;
    let (api, mut serve, takeovers, last) = kill_during_runs(
        &setup,
        &urls,
        (&["articles", "debtors"], "discounts", serde_json::json!({})),
        3,
        50..700,
    )
    .await;
    let run = api.wait_finished(&last, Duration::from_secs(300)).await;
    assert!(run["status"] == "succeeded" || run["status"] == "failed", "{run}");
    let (_, finish) = api.start_run("discounts").await;
    let finish = api.wait_finished(&finish, Duration::from_secs(300)).await;
    assert_eq!(
        (finish["status"].as_str(), finish["counts"]["failed"].as_i64()),
        (Some("succeeded"), Some(0)),
        "{finish}"
    );
    let (_, fresh) = api.start_run("discounts").await;
    let fresh = api.wait_finished(&fresh, Duration::from_secs(300)).await;
    assert_eq!(
        fresh["counts"]["updated"].as_i64(),
        Some(0),
        "a run after the crashes writes nothing: {fresh}"
    );
    assert!(takeovers > 0, "no run was ever taken over: the kills missed the runs");

    // Each debtor's own prices in AFAS (read from the simulator) and its relation's article prices at the till.
    let path = "Profit_SalesPrice?filterfieldids=Debtor,Volume&filtervalues=,true&operatortypes=9,1&skip=-1&take=-1";
    let rows: serde_json::Value = urls.afas_get(path).await.json().await.unwrap();
    let mut expected: BTreeMap<(String, i64), String> = BTreeMap::new();
    for row in rows["rows"].as_array().unwrap() {
        let key = (
            row["Debtor"].as_str().unwrap().to_owned(),
            row["Item"].as_str().unwrap().parse().unwrap(),
        );
        expected.insert(key, format!("{:.2}", row["Nettoprijs"].as_f64().unwrap()));
    }
    assert!(!expected.is_empty(), "the seeded debtors have prices of their own");
    let credentials = koppel_jobs::credentials::MplusCredentials {
        url: urls.mplus.clone(),
        ident: "koppel-sandbox".into(),
        secret: "sandbox-secret".into(),
    };
    let mplus = koppel_jobs::connect::mplus_client(&credentials, &Default::default()).unwrap();
    let mut till: BTreeMap<(String, i64), String> = BTreeMap::new();
    for relation in mplus.get_relations(&[], 0, 100_000).await.unwrap() {
        let Some(debtor) = relation.ext_relation_id.clone() else {
            continue;
        };
        for entry in relation
            .relation_article_discount_list
            .iter()
            .flat_map(|l| &l.relation_article_discount)
        {
            if let (Some(article), Some(price)) = (entry.article_number, entry.price_incl) {
                till.insert((debtor.clone(), article), format!("{price:.2}"));
            }
        }
    }
    assert_eq!(till, expected, "each relation has its debtor's own prices, once");
    assert!(serve.terminate(Duration::from_secs(30)).success(), "{}", serve.output());
}

/// The quotations flow turned towards the till under SIGKILL: twelve more AFAS quotations are made beside the
/// seeded two, the articles and debtors flows make their articles and relations at the till, and the quotations
/// run (250 ms latency on every call) is killed at random points and started again; at the end every AFAS
/// quotation is exactly one MplusKASSA proposal (read with the till's own `getProposals`), and a new run writes
/// nothing.
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_gives_each_afas_quotation_one_proposal() {
    let (_sandbox, urls) = sandbox(10, 0).await;
    for index in 0..12 {
        let debtor = ["10001", "10004"][index % 2];
        let quotation = serde_json::json!({"FbSalesQuotation": {"Element": {
        "Fields": {"DbId": debtor, "RfCs": format!("CRASH-{index}"), "CuId": "EUR"},
        "Objects": [{"FbSalesQuotationLines": {"Element": [
            {"Fields": {"VaIt": "2", "ItCd": "1000", "BiUn": "stk", "QuUn": index + 1}}
        ]}}]}}});
        let response = support::http()
            .post(format!(
                "{}/ProfitRestServices/connectors/FbSalesQuotation",
                urls.afas_root
            ))
            .header("Authorization", urls.afas_authorization())
            .json(&quotation)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    }
    set_latency(&urls, 250).await;
    let setup = Setup::new().await;
    let to_till = serde_json::json!({"quotations_direction": "afas_to_mplus"});
    let (api, mut serve, takeovers, last) = kill_during_runs(
        &setup,
        &urls,
        (&["articles", "debtors"], "quotations", to_till),
        3,
        100..3_000,
    )
    .await;
    let run = api.wait_finished(&last, Duration::from_secs(300)).await;
    assert!(run["status"] == "succeeded" || run["status"] == "failed", "{run}");
    set_latency(&urls, 0).await;
    let (_, finish) = api.start_run("quotations").await;
    let finish = api.wait_finished(&finish, Duration::from_secs(300)).await;
    assert_eq!(
        (finish["status"].as_str(), finish["counts"]["failed"].as_i64()),
        (Some("succeeded"), Some(0)),
        "{finish}"
    );
    let (_, fresh) = api.start_run("quotations").await;
    let fresh = api.wait_finished(&fresh, Duration::from_secs(300)).await;
    assert_eq!(
        (fresh["counts"]["created"].as_i64(), fresh["counts"]["updated"].as_i64()),
        (Some(0), Some(0)),
        "a run after the crashes writes nothing: {fresh}"
    );
    assert!(takeovers > 0, "no run was ever taken over: the kills missed the runs");

    let expected: Vec<String> = afas_rows(&urls, "Profit_SalesQuotations")
        .await
        .iter()
        .map(|row| row["QuotationNumber"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(expected.len(), 14, "the seeded and the made quotations");
    let credentials = koppel_jobs::credentials::MplusCredentials {
        url: urls.mplus.clone(),
        ident: "koppel-sandbox".into(),
        secret: "sandbox-secret".into(),
    };
    let mplus = koppel_jobs::connect::mplus_client(&credentials, &Default::default()).unwrap();
    let proposals = mplus
        .get_proposals(&koppel_mplus::DocumentFilter::default(), 0, 10_000)
        .await
        .unwrap();
    let till = counted(proposals.into_iter().filter_map(|p| p.ext_proposal_id));
    let once: BTreeMap<String, usize> = expected.into_iter().map(|number| (number, 1)).collect();
    assert_eq!(till, once, "each AFAS quotation is one proposal at the till");
    assert!(serve.terminate(Duration::from_secs(30)).success(), "{}", serve.output());
}

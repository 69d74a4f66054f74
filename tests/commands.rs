//! Every command the README shows, run as the README tells a user to run it: the built `koppel` binary, its
//! defaults, a fresh data folder; each must start, answer, and stop on SIGTERM (or finish with success).
//!
//! The tests that use the default ports (8080, 8181, 8182) take turns through one lock, and fail with a clear
//! message when something else on the machine already listens there.

mod support;

use std::time::Duration;

use support::{Process, SECRET_KEY, data_dir, free_port, koppel, port_in_use, run_to_end, wait_until_answering};

/// The default ports are one machine-wide resource.
static DEFAULT_PORTS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn require_free(ports: &[u16]) {
    for port in ports {
        assert!(
            !port_in_use(*port),
            "port {port} is in use on this machine: the README's defaults cannot be tested (stop what listens there)"
        );
    }
}

const STOP: Duration = Duration::from_secs(30);

/// `cargo run`: `koppel` without arguments serves on 127.0.0.1:8080 with SQLite in ./koppel-data and the
/// demo sandbox on 8181/8182.
#[tokio::test(flavor = "multi_thread")]
async fn koppel_without_arguments_serves_on_its_defaults() {
    let _ports = DEFAULT_PORTS.lock().await;
    require_free(&[8080, 8181, 8182]);
    let cwd = data_dir();
    let mut command = koppel(&[]);
    command.current_dir(cwd.path());
    let mut serve = Process::start("koppel", command);
    serve.wait_for_line("Koppel is running at http://127.0.0.1:8080", Duration::from_secs(60));
    assert_eq!(wait_until_answering("http://127.0.0.1:8080/healthz", STOP).await, 200);
    let landing = support::http().get("http://127.0.0.1:8080/").send().await.unwrap();
    assert_eq!(landing.status(), 200);
    assert!(landing.text().await.unwrap().contains("Start free trial"));
    // The demo sandbox answers as AFAS does without a token.
    let afas = support::http()
        .get("http://127.0.0.1:8181/ProfitRestServices/connectors/Profit_Administrations")
        .send()
        .await
        .unwrap();
    assert_eq!(afas.status(), 401);
    assert!(
        cwd.path().join("koppel-data/koppel.db").exists(),
        "SQLite in ./koppel-data"
    );
    assert!(serve.terminate(STOP).success(), "{}", serve.output());
}

/// `cargo run -- sandbox`: both simulators on their default ports, accepting the credentials they print.
#[tokio::test(flavor = "multi_thread")]
async fn sandbox_starts_with_its_defaults() {
    let _ports = DEFAULT_PORTS.lock().await;
    require_free(&[8181, 8182]);
    let mut sandbox = Process::start("koppel sandbox", koppel(&["sandbox"]));
    sandbox.wait_for_line("Ctrl-C stops", Duration::from_secs(60));
    let urls = support::SandboxUrls::from_output(&sandbox.output());
    assert_eq!(urls.afas, "http://127.0.0.1:8181");
    assert_eq!(urls.mplus, "http://127.0.0.1:8182");
    let afas = urls.afas_get("Profit_Administrations").await;
    assert_eq!(afas.status(), 200, "the printed token is accepted");
    assert_mplus_accepts(&urls.mplus, "koppel-sandbox", "sandbox-secret").await;
    assert!(sandbox.terminate(STOP).success(), "{}", sandbox.output());
}

/// Asks the MplusKASSA simulator for its API version with these credentials.
async fn assert_mplus_accepts(url: &str, ident: &str, secret: &str) {
    let envelope = r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:mplusqapi"><SOAP-ENV:Body><ns1:getApiVersion/></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;
    let response = support::http()
        .post(format!("{url}/?ident={ident}&secret={secret}"))
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", "\"urn:mplusqapi#getApiVersion\"")
        .body(envelope)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("majorNumber"), "{body}");
}

/// `koppel sandbox` with every flag the README documents.
#[tokio::test(flavor = "multi_thread")]
async fn sandbox_takes_every_documented_flag() {
    let (afas_port, mplus_port) = (free_port(), free_port());
    let token = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";
    let afas_listen = format!("127.0.0.1:{afas_port}");
    let mplus_listen = format!("127.0.0.1:{mplus_port}");
    let command = koppel(&[
        "sandbox",
        "--afas-listen",
        &afas_listen,
        "--mplus-listen",
        &mplus_listen,
        "--seed",
        "7",
        "--orders",
        "50",
        "--afas-token-data",
        token,
        "--mplus-ident",
        "winkel",
        "--mplus-secret",
        "geheim",
    ]);
    let mut sandbox = Process::start("koppel sandbox", command);
    let seeded = sandbox.wait_for_line("Ctrl-C stops", Duration::from_secs(60));
    assert!(seeded.contains("Seed 7 with 50 orders"), "{seeded}");
    let urls = support::SandboxUrls::from_output(&sandbox.output());
    assert_eq!(urls.afas, format!("http://{afas_listen}"));
    assert!(urls.afas_token.contains(token));
    let afas = urls.afas_get("Profit_Administrations").await;
    assert_eq!(afas.status(), 200);
    assert_mplus_accepts(&urls.mplus, "winkel", "geheim").await;
    assert!(sandbox.terminate(STOP).success(), "{}", sandbox.output());

    // A bad value is refused with a message naming the flag.
    let (status, output) = run_to_end(koppel(&["sandbox", "--afas-token-data", "ABC"]), STOP);
    assert!(!status.success());
    assert!(output.contains("--afas-token-data"), "{output}");
}

/// `koppel backup PATH` as the README shows it, with its defaults: the SQLite database in `./koppel-data`
/// (after `koppel migrate` made it), copied to a new file that opens as a Koppel database; on PostgreSQL (when
/// the suite runs on it) it refuses and points at `pg_dump`.
#[tokio::test(flavor = "multi_thread")]
async fn backup_copies_the_default_sqlite_database_and_refuses_postgres() {
    let cwd = data_dir();
    let in_cwd = |args: &[&str]| {
        let mut command = koppel(args);
        command.current_dir(cwd.path());
        command
    };
    let (status, output) = run_to_end(in_cwd(&["migrate"]), Duration::from_secs(120));
    assert!(status.success(), "{output}");
    let (status, output) = run_to_end(in_cwd(&["backup", "copy.db"]), Duration::from_secs(60));
    assert!(status.success() && output.contains("Backed up"), "{output}");
    let copy = cwd.path().join("copy.db");
    let db = koppel_store::Db::connect(&format!("sqlite://{}", copy.display()))
        .await
        .expect("the copy opens");
    let (status, output) = run_to_end(
        {
            let mut migrate = in_cwd(&["migrate"]);
            migrate.env("DATABASE_URL", format!("sqlite://{}", copy.display()));
            migrate
        },
        Duration::from_secs(120),
    );
    assert!(
        status.success(),
        "the copy is a Koppel database at the current schema: {output}"
    );
    db.close().await;
    let (database_url, _database) = support::database_url(cwd.path()).await;
    if database_url.starts_with("postgres") {
        let mut backup = in_cwd(&["backup", "pg.db"]);
        backup.env("DATABASE_URL", &database_url);
        let (status, output) = run_to_end(backup, Duration::from_secs(60));
        assert!(!status.success() && output.contains("pg_dump"), "{output}");
    }
}

/// `koppel migrate`, then `koppel serve` with `KOPPEL_RUN_WORKER=false` beside a `koppel worker`, on one
/// database (PostgreSQL when the suite runs on it, as `DATABASE_URL=postgres://… cargo run` does).
#[tokio::test(flavor = "multi_thread")]
async fn migrate_then_serve_and_worker_on_one_database() {
    let dir = data_dir();
    let (database_url, _database) = support::database_url(dir.path()).await;
    let with_database = |args: &[&str]| {
        let mut command = koppel(args);
        command
            .env("KOPPEL_DATA_DIR", dir.path())
            .env("DATABASE_URL", &database_url)
            .env("KOPPEL_SECRET_KEY", SECRET_KEY);
        command
    };
    let (status, output) = run_to_end(with_database(&["migrate"]), Duration::from_secs(120));
    assert!(status.success() && output.contains("migrations applied"), "{output}");

    let port = free_port();
    let mut serve = with_database(&["serve"]);
    serve
        .env("KOPPEL_LISTEN", format!("127.0.0.1:{port}"))
        .env("KOPPEL_RUN_WORKER", "false")
        .env("KOPPEL_DEMO_SANDBOX", "false");
    let mut serve = Process::start("koppel serve", serve);
    let mut worker = Process::start("koppel worker", with_database(&["worker"]));
    serve.wait_for_line("Koppel is running", Duration::from_secs(60));
    worker.wait_for_line("worker started", Duration::from_secs(60));
    let base = format!("http://127.0.0.1:{port}");
    assert_eq!(wait_until_answering(&format!("{base}/readyz"), STOP).await, 200);
    // The web process alone serves the API: a new company can sign up.
    let api = support::Api::sign_up(&base, &database_url).await;
    let flows = api.get("/api/v1/flows").await;
    assert_eq!(flows.as_array().map(Vec::len), Some(koppel_core::FlowKind::ALL.len()));
    assert!(worker.terminate(STOP).success(), "{}", worker.output());
    assert!(worker.output().contains("worker stopped"));
    assert!(serve.terminate(STOP).success(), "{}", serve.output());

    // `koppel rotate-key --dry-run` checks every stored value and changes nothing.
    let mut rotate = with_database(&["rotate-key", "--dry-run"]);
    rotate.env("KOPPEL_PREVIOUS_SECRET_KEYS", SECRET_KEY);
    let (status, output) = run_to_end(rotate, Duration::from_secs(60));
    assert!(status.success() && output.contains("would re-encrypt"), "{output}");
}

/// `koppel bench sync --orders 200`: the benchmark runs end to end, both scenarios, and prints their figures.
#[tokio::test(flavor = "multi_thread")]
async fn bench_sync_runs_and_prints_its_figures() {
    let dir = data_dir();
    let mut command = koppel(&["bench", "sync", "--orders", "200"]);
    command.current_dir(dir.path());
    let (status, output) = run_to_end(command, Duration::from_secs(600));
    assert!(status.success(), "{output}");
    assert!(output.contains("AFAS calls per"), "{output}");
    assert!(output.contains("peak memory"), "{output}");
    let last = output.lines().rev().find(|l| l.starts_with('{')).expect("a JSON line");
    let figures: serde_json::Value = serde_json::from_str(last).expect("JSON figures");
    for scenario in ["first-sync", "steady"] {
        assert!(figures[scenario]["floor_ratio"].as_f64().is_some(), "{last}");
        assert!(figures[scenario]["afas_calls_per_order"].as_f64().is_some(), "{last}");
    }
}

/// `koppel bench serve --orders 200 --runs 1 --scenario first-sync`: a `koppel serve` child configured through its
/// API books the sandbox's paid orders, and the benchmark prints that run's figures, the JSON line last.
#[tokio::test(flavor = "multi_thread")]
async fn bench_serve_runs_koppel_serve_and_prints_its_figures() {
    let dir = data_dir();
    let mut command = koppel(&[
        "bench",
        "serve",
        "--orders",
        "200",
        "--runs",
        "1",
        "--scenario",
        "first-sync",
    ]);
    command.current_dir(dir.path());
    let (status, output) = run_to_end(command, Duration::from_secs(600));
    assert!(status.success(), "{output}");
    let last = output.lines().rev().find(|l| l.starts_with('{')).expect("a JSON line");
    let figures: serde_json::Value = serde_json::from_str(last).expect("JSON figures");
    let first_sync = &figures["first-sync"];
    assert!(
        first_sync["afas_calls_per_booked_order"].as_f64().unwrap() >= 1.0,
        "{last}"
    );
    assert!(first_sync["floor_ratio"].as_f64().unwrap() >= 1.0, "{last}");
    assert!(output.contains(" booked, 0 failed"), "{output}");
}

/// `koppel bench logs --entries N`: fills a temporary journal and prints its figures, the JSON line last.
#[tokio::test(flavor = "multi_thread")]
async fn bench_logs_fills_a_journal_and_prints_its_figures() {
    let dir = data_dir();
    let mut command = koppel(&["bench", "logs", "--entries", "20000", "--repeat", "3"]);
    command.current_dir(dir.path());
    let (status, output) = run_to_end(command, Duration::from_secs(600));
    assert!(status.success(), "{output}");
    let last = output.lines().rev().find(|l| l.starts_with('{')).expect("a JSON line");
    let figures: serde_json::Value = serde_json::from_str(last).expect("JSON figures");
    assert_eq!(figures["entries"], 20_000, "{last}");
}

/// `koppel serve --help` lists every variable the README's configuration table names.
#[test]
fn serve_help_lists_the_configuration() {
    let (status, output) = run_to_end(koppel(&["serve", "--help"]), STOP);
    assert!(status.success(), "{output}");
    let readme = include_str!("../README.md");
    let table = readme
        .split("## Configuration")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README's configuration section");
    for variable in table.lines().filter_map(|l| l.strip_prefix("| `")?.split('`').next()) {
        // The sandbox's listen addresses and the egress IP are on `serve`; every row must be.
        assert!(
            output.contains(variable),
            "`koppel serve --help` does not mention {variable}"
        );
    }
}

/// `koppel staff grant EMAIL` / `revoke EMAIL` on the configured database: an address without an account is
/// refused with a clear message; granting makes the account staff; revoking ends it.
#[tokio::test(flavor = "multi_thread")]
async fn staff_grant_and_revoke_on_the_command_line() {
    let dir = data_dir();
    let (database_url, _database) = support::database_url(dir.path()).await;
    let staff = |action: &str, email: &str| {
        let mut command = koppel(&["staff", action, email]);
        command
            .env("KOPPEL_DATA_DIR", dir.path())
            .env("DATABASE_URL", &database_url);
        run_to_end(command, Duration::from_secs(60))
    };
    let (status, output) = staff("grant", "ria@koppel.nl");
    assert!(
        !status.success() && output.contains("no Koppel account uses ria@koppel.nl"),
        "{output}"
    );

    let db = koppel_store::Db::connect_and_migrate(&database_url).await.unwrap();
    let email = koppel_core::Email::parse("ria@koppel.nl").unwrap();
    let signup = koppel_store::accounts::sign_up(&db, &email, "hash", "Operator", koppel_store::now())
        .await
        .unwrap();
    let (status, output) = staff("grant", "ria@koppel.nl");
    assert!(
        status.success() && output.contains("ria@koppel.nl is staff"),
        "{output}"
    );
    assert!(koppel_store::staff::is_staff(&db, signup.user_id).await.unwrap());
    let (status, output) = staff("revoke", "ria@koppel.nl");
    assert!(status.success() && output.contains("no longer staff"), "{output}");
    assert!(!koppel_store::staff::is_staff(&db, signup.user_id).await.unwrap());
}

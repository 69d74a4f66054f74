//! End-to-end in a real browser: Debian's chromium driven through chromedriver (thirtyfour). Where no
//! chromedriver is installed the tests say so and pass without running. On any failure a screenshot is saved
//! under `target/browser-screenshots/<test>.png` (and the page source beside it).
//!
//! Override the binaries with `KOPPEL_CHROMEDRIVER` and `KOPPEL_CHROMIUM`.

mod common;
mod setup_support;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::PASSWORD;
use futures::FutureExt;
use koppel_core::FlowKind;
use koppel_store::TenantScope;
use koppel_store::runs::RunStatus;
use setup_support::SetupApp;
use thirtyfour::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn fail(message: impl Into<String>) -> Box<dyn std::error::Error + Send + Sync> {
    message.into().into()
}

macro_rules! ensure {
    ($cond:expr, $($message:tt)+) => {
        if !$cond {
            return Err(fail(format!($($message)+)));
        }
    };
}

/// chromedriver on a free port with its own headless chromium; stopped when dropped.
struct Browser {
    driver: WebDriver,
    _chromedriver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

fn binary(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

async fn browser(test: &str) -> Option<Browser> {
    let chromedriver = binary("KOPPEL_CHROMEDRIVER", "/usr/bin/chromedriver");
    let chromium = binary("KOPPEL_CHROMIUM", "/usr/bin/chromium");
    if !chromedriver.exists() || !chromium.exists() {
        eprintln!(
            "SKIPPED {test}: no browser ({} or {} missing; apt-get install chromium chromium-driver)",
            chromedriver.display(),
            chromium.display()
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    let status = format!("http://127.0.0.1:{port}/status");
    let deadline = Instant::now() + Duration::from_secs(20);
    while reqwest::get(&status).await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let profile = tempfile::tempdir().unwrap();
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(chromium.to_str().unwrap()).unwrap();
    for arg in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1600",
    ] {
        caps.add_arg(arg).unwrap();
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
        .unwrap();
    let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .expect("start chromium");
    Some(Browser {
        driver,
        _chromedriver: child,
        _profile: profile,
    })
}

fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots")
}

/// Runs a test body; on an error or a panic saves a screenshot and the page source, then fails.
async fn run<F, Fut>(test: &str, body: F)
where
    F: FnOnce(WebDriver) -> Fut,
    Fut: Future<Output = TestResult>,
{
    let Some(browser) = browser(test).await else {
        return;
    };
    let driver = browser.driver.clone();
    let outcome = AssertUnwindSafe(body(browser.driver.clone())).catch_unwind().await;
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(error.to_string()),
        Err(panic) => Some(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".to_owned()),
        ),
    };
    if let Some(message) = failure {
        let dir = screenshot_dir();
        let _ = std::fs::create_dir_all(&dir);
        let shot = dir.join(format!("{test}.png"));
        let _ = driver.screenshot(&shot).await;
        if let Ok(source) = driver.source().await {
            let _ = std::fs::write(dir.join(format!("{test}.html")), source);
        }
        let url = driver.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        let _ = browser.driver.quit().await;
        panic!("{test} failed at {url}: {message}\nscreenshot: {}", shot.display());
    }
    let _ = browser.driver.quit().await;
}

async fn path_of(driver: &WebDriver) -> WebDriverResult<String> {
    Ok(driver.current_url().await?.path().to_owned())
}

/// Waits until an element with this id is on the page (after a submit that re-renders the same URL).
async fn wait_for_element(driver: &WebDriver, id: &str) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if !driver.find_all(By::Id(id)).await?.is_empty() {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "#{id} did not appear");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of the page's notice once the page after a submit shows one (a loaded machine takes a while).
async fn notice_text(driver: &WebDriver) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(notice) = driver.find_all(By::Css(".notice")).await?.into_iter().next() {
            return Ok(notice.text().await?);
        }
        ensure!(Instant::now() < deadline, "no notice on {}", path_of(driver).await?);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for_path(driver: &WebDriver, suffix: &str) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let path = path_of(driver).await?;
        if path.ends_with(suffix) {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "expected a page ending in {suffix}, still at {path}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sign_up(
    driver: &WebDriver,
    app: &SetupApp,
    email: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    driver.goto(app.url("/signup")).await?;
    driver.find(By::Id("company")).await?.send_keys("Browser Shop").await?;
    driver.find(By::Id("email")).await?.send_keys(email).await?;
    driver.find(By::Id("password")).await?.send_keys(PASSWORD).await?;
    driver.find(By::Id("password")).await?.send_keys(Key::Enter).await?;
    wait_for_path(driver, "/signup/sent").await?;
    // The link the address's owner gets by e-mail, then the password chosen at signup.
    driver.goto(app.url(&app.signup_link(email).await)).await?;
    driver.find(By::Id("password")).await?.send_keys(PASSWORD).await?;
    driver.find(By::Id("password")).await?.send_keys(Key::Enter).await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let path = path_of(driver).await?;
        if path.starts_with("/t/") {
            return Ok(path);
        }
        ensure!(
            Instant::now() < deadline,
            "sign-up did not reach the company page: {path}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// From the company's home page: the wizard's first step, where "use the sandbox" connects both apps, up to
/// the choice of flows.
async fn connect_the_sandbox(driver: &WebDriver) -> TestResult {
    driver
        .find(By::LinkText("Connect MplusKASSA and AFAS Profit"))
        .await?
        .click()
        .await?;
    wait_for_path(driver, "/setup/mplus").await?;
    driver.find(By::Id("use-sandbox")).await?.click().await?;
    wait_for_path(driver, "/setup/flows").await
}

/// Presses Tab until the element with `id` has the focus (at most 300 times), with the keyboard only.
async fn tab_to(driver: &WebDriver, id: &str) -> TestResult {
    for _ in 0..300 {
        let active = driver.active_element().await?;
        if active.attr("id").await?.as_deref() == Some(id) {
            return Ok(());
        }
        driver.action_chain().send_keys(Key::Tab).perform().await?;
    }
    Err(fail(format!("Tab never reached #{id}")))
}

async fn press(driver: &WebDriver, key: Key) -> TestResult {
    driver.action_chain().send_keys(key).perform().await?;
    Ok(())
}

fn tenant_scope(home: &str) -> TenantScope {
    TenantScope::for_background_job(home.trim_start_matches("/t/").parse().unwrap())
}

#[tokio::test]
async fn from_signup_through_the_sandbox_wizard_to_orders_in_afas() {
    let app = SetupApp::start(true).await;
    run(
        "from_signup_through_the_sandbox_wizard_to_orders_in_afas",
        |driver| async move {
            let home = sign_up(&driver, &app, "browser@shop.nl").await?;
            driver
                .find(By::LinkText("Connect MplusKASSA and AFAS Profit"))
                .await?
                .click()
                .await?;
            wait_for_path(&driver, "/setup/mplus").await?;
            let current = driver.find(By::Css(r#"[aria-current="step"]"#)).await?.text().await?;
            ensure!(current.contains("Connect MplusKASSA"), "progress shows {current}");

            driver.find(By::Id("use-sandbox")).await?.click().await?;
            wait_for_path(&driver, "/setup/flows").await?;
            let orders = driver.find(By::Css(r#"input[name="flows"][value="orders"]"#)).await?;
            ensure!(orders.is_selected().await?, "the orders flow is chosen");
            for next in ["/setup/general", "/setup/questions", "/setup/mappings", "/setup/review"] {
                driver.find(By::Id("next")).await?.click().await?;
                wait_for_path(&driver, next).await?;
            }
            let summary = driver.find(By::Css("table.summary")).await?.text().await?;
            ensure!(summary.contains("Connected."), "summary: {summary}");

            driver.find(By::Id("dry-run")).await?.click().await?;
            // The dry run reads the sandbox first: wait for its answer rather than read the old page.
            wait_for_element(&driver, "dry-run-heading").await?;
            let plan = driver.find(By::Id("dry-run-heading")).await?.text().await?;
            ensure!(plan.contains("What the first run would send"), "{plan}");
            ensure!(app.afas_orders(&home).await.is_empty(), "the dry run sent something");

            driver.find(By::Id("activate")).await?.click().await?;
            wait_for_path(&driver, "/runs").await?;

            // The first run completes and the orders are in the sandbox's AFAS.
            let scope = tenant_scope(&home);
            let deadline = Instant::now() + Duration::from_secs(90);
            loop {
                let runs = koppel_store::runs::recent(&app.state.db, &scope, FlowKind::Orders, 5).await?;
                if let Some(run) = runs.iter().find(|r| r.status.is_finished()) {
                    ensure!(
                        run.status == RunStatus::Succeeded,
                        "the first run ended {:?}: {:?}",
                        run.status,
                        run.error
                    );
                    ensure!(run.created > 0, "the first run created nothing: {run:?}");
                    break;
                }
                ensure!(Instant::now() < deadline, "the first run did not finish: {runs:?}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            ensure!(!app.afas_orders(&home).await.is_empty(), "no order in AFAS");

            // Every choice can be changed afterwards: switch the orders flow's schedule.
            driver.goto(app.url(&format!("{home}/settings/orders"))).await?;
            let schedule = driver.find(By::Id("schedule")).await?;
            schedule.clear().await?;
            schedule.send_keys("0 */10 * * * *").await?;
            driver.find(By::Id("save")).await?.click().await?;
            let notice = notice_text(&driver).await?;
            ensure!(notice.contains("Saved"), "{notice}");
            let config = koppel_store::flows::get(&app.state.db, &scope, FlowKind::Orders)
                .await?
                .unwrap();
            ensure!(config.schedule == "0 */10 * * * *", "schedule {}", config.schedule);
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn the_wizard_works_with_the_keyboard_alone() {
    let app = SetupApp::start(false).await;
    run("the_wizard_works_with_the_keyboard_alone", |driver| async move {
        let home = sign_up(&driver, &app, "keys@shop.nl").await?;
        driver.goto(app.url(&format!("{home}/setup"))).await?;
        wait_for_path(&driver, "/setup/mplus").await?;
        tab_to(&driver, "use-sandbox").await?;
        press(&driver, Key::Enter).await?;
        wait_for_path(&driver, "/setup/flows").await?;

        // Check a second flow with the space bar.
        for _ in 0..40 {
            let active = driver.active_element().await?;
            if active.attr("value").await?.as_deref() == Some("customers") {
                break;
            }
            press(&driver, Key::Tab).await?;
        }
        press(&driver, Key::Space).await?;
        tab_to(&driver, "next").await?;
        press(&driver, Key::Enter).await?;
        wait_for_path(&driver, "/setup/general").await?;
        let scope = tenant_scope(&home);
        let progress = koppel_store::setup::get(&app.state.db, &scope).await?;
        ensure!(
            progress.chosen_flows.iter().any(|f| f == "customers"),
            "space did not check customers: {:?}",
            progress.chosen_flows
        );

        // Enter in a text field submits the step (the default button is "Save and continue").
        tab_to(&driver, "currency").await?;
        press(&driver, Key::Enter).await?;
        wait_for_path(&driver, "/setup/questions").await?;
        for next in ["/setup/mappings", "/setup/review"] {
            tab_to(&driver, "next").await?;
            press(&driver, Key::Enter).await?;
            wait_for_path(&driver, next).await?;
        }
        // Back is a link, reachable too.
        tab_to(&driver, "activate").await?;
        press(&driver, Key::Enter).await?;
        wait_for_path(&driver, "/runs").await?;
        let orders = koppel_store::flows::get(&app.state.db, &scope, FlowKind::Orders)
            .await?
            .unwrap();
        ensure!(orders.enabled, "activation switched the orders flow on");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_wrong_credential_shows_its_message() {
    let app = SetupApp::start(false).await;
    run("a_wrong_credential_shows_its_message", |driver| async move {
        let home = sign_up(&driver, &app, "wrong@shop.nl").await?;
        driver.goto(app.url(&format!("{home}/setup/mplus"))).await?;
        let addr = app.sandbox.mplus_addr;
        driver
            .find(By::Id("host"))
            .await?
            .send_keys(format!("http://{}", addr.ip()))
            .await?;
        driver
            .find(By::Id("port"))
            .await?
            .send_keys(addr.port().to_string())
            .await?;
        driver
            .find(By::Id("ident"))
            .await?
            .send_keys(app.sandbox.config.mplus_ident.as_str())
            .await?;
        driver.find(By::Id("secret")).await?.send_keys("not-the-secret").await?;
        driver.find(By::Id("next")).await?.click().await?;
        // The connection test runs before the page comes back: wait for it rather than read too early.
        wait_for_element(&driver, "test-result").await?;
        let result = driver.find(By::Id("test-result")).await?.text().await?;
        ensure!(result.contains("Connection failed"), "{result}");
        ensure!(result.contains("refused the ident or secret"), "{result}");
        ensure!(
            path_of(&driver).await?.ends_with("/setup/mplus"),
            "a failed test does not advance"
        );
        let secret = driver
            .find(By::Id("secret"))
            .await?
            .attr("value")
            .await?
            .unwrap_or_default();
        ensure!(secret.is_empty(), "the secret is not rendered back");

        // A field left empty is marked and described.
        driver.goto(app.url(&format!("{home}/setup/afas"))).await?;
        driver.find(By::Id("next")).await?.click().await?;
        // The form re-renders the same URL: wait for the new page rather than read the old one.
        wait_for_element(&driver, "environment-error").await?;
        let environment = driver.find(By::Id("environment")).await?;
        ensure!(
            environment.attr("aria-invalid").await?.as_deref() == Some("true"),
            "environment not marked"
        );
        let error = driver.find(By::Id("environment-error")).await?.text().await?;
        ensure!(error.contains("environment number"), "{error}");
        Ok(())
    })
    .await;
}

/// How often each value of `field` occurs more than once among the rows.
fn repeated(rows: &[serde_json::Value], field: &str) -> Vec<String> {
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for row in rows {
        if let Some(value) = row[field].as_str().filter(|v| !v.is_empty()) {
            *seen.entry(value.to_lowercase()).or_default() += 1;
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(v, n)| format!("{v} ×{n}"))
        .collect()
}

/// The e-mail addresses of the debtors an AFAS journal shows created (201 answers to KnSalesRelation POSTs).
fn created_debtor_emails(journal: &[serde_json::Value]) -> Vec<String> {
    fn emails(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value.as_str()) {
                        ("EmAd", Some(email)) => found.push(email.to_lowercase()),
                        _ => emails(value, found),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| emails(item, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for entry in journal {
        let creates_debtor = entry["method"] == "POST"
            && entry["status"] == 201
            && entry["operation"]
                .as_str()
                .is_some_and(|op| op.starts_with("KnSalesRelation"));
        if creates_debtor {
            let body: serde_json::Value =
                serde_json::from_str(entry["body"].as_str().unwrap_or("null")).unwrap_or_default();
            emails(&body, &mut found);
        }
    }
    found
}

/// A trial shop owner's happy path with every flow but `left_out` (receipts and the financial journal book the
/// same sales, so one of them is left out): sandbox, the flows, dry run, Activate; then the runs list keeps
/// itself current until every first run ended. Returns the company's home path and what the dry run planned per
/// flow: (created, failed).
async fn activate_everything(
    driver: &WebDriver,
    app: &SetupApp,
    email: &str,
    left_out: FlowKind,
) -> Result<(String, Vec<(String, usize, usize)>), Box<dyn std::error::Error + Send + Sync>> {
    let chosen = || FlowKind::ALL.into_iter().filter(move |flow| *flow != left_out);
    let home = sign_up(driver, app, email).await?;
    driver.goto(app.url(&format!("{home}/setup"))).await?;
    wait_for_path(driver, "/setup/mplus").await?;
    driver.find(By::Id("use-sandbox")).await?.click().await?;
    wait_for_path(driver, "/setup/flows").await?;
    for flow in FlowKind::ALL {
        let choice = driver
            .find(By::Css(format!(r#"input[name="flows"][value="{flow}"]"#)))
            .await?;
        if choice.is_selected().await? != (flow != left_out) {
            choice.click().await?;
        }
    }
    for next in ["/setup/general", "/setup/questions", "/setup/mappings", "/setup/review"] {
        driver.find(By::Id("next")).await?.click().await?;
        wait_for_path(driver, next).await?;
    }
    driver.find(By::Id("dry-run")).await?.click().await?;
    wait_for_element(driver, "dry-run-heading").await?;
    let mut planned = Vec::new();
    for flow in chosen() {
        let (mut created, mut failed) = (0, 0);
        for summary in driver.find_all(By::Css("#dry-run-heading ~ details summary")).await? {
            let text = summary.text().await?;
            if text.starts_with(&format!("{flow}:")) {
                created += usize::from(text.contains("— created"));
                failed += usize::from(text.contains("— failed"));
            }
        }
        planned.push((flow.to_string(), created, failed));
    }
    driver.find(By::Id("activate")).await?.click().await?;
    wait_for_path(driver, "/runs").await?;
    // The list updates by itself (no reload here) until no run is queued or running.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let live = driver.find(By::Id("runs-live")).await?.attr("data-live").await?;
        if live.as_deref() == Some("false") {
            break;
        }
        ensure!(Instant::now() < deadline, "runs still going after three minutes");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok((home, planned))
}

#[tokio::test]
async fn two_shops_switch_on_every_flow_at_once_and_each_books_its_own_once() {
    let app = SetupApp::start(true).await;
    let Some(second) = browser("two_shops_switch_on_every_flow_at_once").await else {
        return;
    };
    let other = second.driver.clone();
    run("two_shops_switch_on_every_flow_at_once", |driver| async move {
        let (first, other_shop) = tokio::join!(
            activate_everything(&driver, &app, "first@shop.nl", FlowKind::FinancialJournal),
            activate_everything(&other, &app, "second@shop.nl", FlowKind::Receipts),
        );
        let _ = other.quit().await;
        let companies = [first?, other_shop?];
        ensure!(
            app.shop_of(&companies[0].0).await != app.shop_of(&companies[1].0).await,
            "each company has its own demo shop"
        );
        for (home, planned) in &companies {
            let scope = tenant_scope(home);
            for (flow, planned_created, planned_failed) in planned {
                let flow: FlowKind = flow.parse().unwrap();
                let runs = koppel_store::runs::recent(&app.state.db, &scope, flow, 5).await?;
                // A schedule may fire while the test runs (a later run, which must not fail either); Activate
                // queued exactly one first run.
                ensure!(
                    runs.iter().all(|r| r.failed == 0),
                    "{home} {flow}: a run failed records: {runs:?}"
                );
                let first: Vec<_> = runs.iter().filter(|r| r.trigger_kind == "setup").collect();
                ensure!(first.len() == 1, "{home} {flow}: one first run, got {runs:?}");
                let run = first[0];
                ensure!(
                    run.status == RunStatus::Succeeded && run.failed == 0,
                    "{home} {flow}: the first run ended {:?} with {} failed: {:?}",
                    run.status,
                    run.failed,
                    run.error
                );
                ensure!(*planned_failed == 0, "{home} {flow}: the dry run planned failures");
                // Products and customers fit in the first page the dry run plans: it predicted them exactly.
                if matches!(flow, FlowKind::Products | FlowKind::Customers) {
                    ensure!(
                        run.created as usize == *planned_created,
                        "{home} {flow}: planned {planned_created} created, the run created {}",
                        run.created
                    );
                }
            }
            // The seeded administration has a few debtors sharing an address already; Koppel added none: each
            // debtor it created has an address no other debtor has.
            let debtors = app.afas_rows(home, "Profit_Debtor", "DebtorId").await;
            let twice = repeated(&debtors, "Email");
            let created = created_debtor_emails(&app.afas_journal(home).await);
            ensure!(!created.is_empty(), "{home}: no debtor created");
            for email in &created {
                ensure!(
                    !twice.iter().any(|t| t.starts_with(&format!("{email} "))),
                    "{home}: debtor {email} twice: {twice:?}"
                );
            }
            let articles = app.afas_rows(home, "Profit_Article", "ItemCode").await;
            ensure!(
                repeated(&articles, "ItemCode").is_empty(),
                "{home}: articles twice: {:?}",
                repeated(&articles, "ItemCode")
            );
            // Only this company's orders and quotations are in its AFAS: all booked by its own runs of the
            // orders and quotations flows (the first one, and a scheduled one should a schedule have fired
            // meanwhile, which finds nothing left to book).
            let mut runs = koppel_store::runs::recent(&app.state.db, &scope, FlowKind::Orders, 5).await?;
            runs.extend(koppel_store::runs::recent(&app.state.db, &scope, FlowKind::Quotations, 5).await?);
            let booked = app.afas_orders(home).await.len() as i64;
            let created: i64 = runs.iter().map(|run| run.created).sum();
            ensure!(
                booked > 0 && booked == created,
                "{home}: {booked} in AFAS, runs {runs:?}"
            );
        }
        Ok(())
    })
    .await;
}

/// An onboarding expert with no Koppel account is invited from the Members page, accepts the mailed link by
/// choosing a password, configures the owner's company in the wizard, and loses access the moment the owner
/// removes them.
#[tokio::test]
async fn an_invited_expert_configures_the_wizard_until_the_owner_removes_them() {
    let app = SetupApp::start(false).await;
    run(
        "an_invited_expert_configures_the_wizard_until_the_owner_removes_them",
        |driver| async move {
            let home = sign_up(&driver, &app, "owner@fietsen.nl").await?;
            driver.goto(app.url(&format!("{home}/members"))).await?;
            driver
                .find(By::Id("email"))
                .await?
                .send_keys("expert@partner.nl")
                .await?;
            driver
                .find(By::Css(r#"#role option[value="admin"]"#))
                .await?
                .click()
                .await?;
            driver
                .find(By::XPath("//button[text()='Send invitation']"))
                .await?
                .click()
                .await?;
            let notice = notice_text(&driver).await?;
            ensure!(notice.contains("Invitation sent to expert@partner.nl"), "{notice}");
            let owner_cookie = driver.get_named_cookie("koppel_session").await?;

            // The expert, in this browser now, opens the link from the e-mail and chooses a password.
            driver.delete_all_cookies().await?;
            driver
                .goto(app.url(&app.invitation_link("expert@partner.nl").await))
                .await?;
            let heading = driver.find(By::Css("h1")).await?.text().await?;
            ensure!(heading.contains("Join Browser Shop"), "{heading}");
            driver
                .find(By::Id("password"))
                .await?
                .send_keys("violet lanterns over the harbour")
                .await?;
            let confirm = driver.find(By::Id("confirm_password")).await?;
            confirm.send_keys("violet lanterns over the harbour").await?;
            confirm.send_keys(Key::Enter).await?;
            wait_for_path(&driver, &home).await?;

            // As admin the expert walks the wizard: the sandbox connects both apps.
            connect_the_sandbox(&driver).await?;
            let expert_cookie = driver.get_named_cookie("koppel_session").await?;

            // The owner removes the expert on the Members page.
            driver.delete_all_cookies().await?;
            driver.add_cookie(owner_cookie).await?;
            driver.goto(app.url(&format!("{home}/members"))).await?;
            driver
                .find(By::Css(r#"button[aria-label="Remove expert@partner.nl"]"#))
                .await?
                .click()
                .await?;
            let notice = notice_text(&driver).await?;
            ensure!(notice.contains("expert@partner.nl no longer has access"), "{notice}");

            // The expert's session no longer opens the company.
            driver.delete_all_cookies().await?;
            driver.add_cookie(expert_cookie).await?;
            driver.goto(app.url(&format!("{home}/setup/flows"))).await?;
            let page = driver.find(By::Css("main")).await?.text().await?;
            ensure!(
                page.contains("This page does not exist."),
                "the expert still sees: {page}"
            );
            Ok(())
        },
    )
    .await;
}

/// The flows towards the till in the browser: the wizard's questions include theirs; each one's settings page
/// asks its own and saves (the quotations flow turned towards the till, the articles' custom fields mapped and
/// their size dimension named);
/// the articles and debtors flows' field mapping previews a sandbox record as the request to MplusKASSA.
#[tokio::test]
async fn the_flows_towards_the_till_are_set_up_and_previewed_in_the_browser() {
    let app = SetupApp::start(true).await;
    run(
        "the_flows_towards_the_till_are_set_up_and_previewed_in_the_browser",
        |driver| async move {
            let home = sign_up(&driver, &app, "terug@shop.nl").await?;
            connect_the_sandbox(&driver).await?;
            for next in ["/setup/general", "/setup/questions"] {
                driver.find(By::Id("next")).await?.click().await?;
                wait_for_path(&driver, next).await?;
            }
            for question in [
                r#"input[name="quotations_direction"][value="afas_to_mplus"]"#,
                r#"textarea[name="custom_field_map"]"#,
                r#"input[name="article_groups_to_till"]"#,
            ] {
                ensure!(
                    !driver.find_all(By::Css(question)).await?.is_empty(),
                    "the wizard asks {question}"
                );
            }

            for flow in [
                "articles",
                "prices",
                "debtors",
                "discounts",
                "quotations",
                "order_status",
            ] {
                driver.goto(app.url(&format!("{home}/settings/{flow}"))).await?;
                match flow {
                    "quotations" => {
                        let towards_till = r#"input[name="quotations_direction"][value="afas_to_mplus"]"#;
                        driver.find(By::Css(towards_till)).await?.click().await?;
                    }
                    "articles" => {
                        let map = driver.find(By::Id("custom_field_map")).await?;
                        map.clear().await?;
                        map.send_keys("U7E1F0A2C_Merk = Merk").await?;
                        let sizes = driver.find(By::Id("variant_size_dimension")).await?;
                        ensure!(
                            sizes.value().await?.as_deref() == Some("MATEN"),
                            "the default size dimension"
                        );
                        sizes.clear().await?;
                        sizes.send_keys("MAAT").await?;
                    }
                    _ => {}
                }
                driver.find(By::Id("save")).await?.click().await?;
                let notice = notice_text(&driver).await?;
                ensure!(notice.contains("Saved"), "{flow}: {notice}");
            }
            let scope = tenant_scope(&home);
            let load = |flow| koppel_jobs::settings::load(&app.state.db, &scope, flow);
            let quotations = load(FlowKind::Quotations).await?;
            ensure!(
                quotations.quotations_direction == koppel_sync::settings::QuotationsDirection::AfasToMplus,
                "{:?}",
                quotations.quotations_direction
            );
            let articles = load(FlowKind::Articles).await?;
            let expected = std::collections::BTreeMap::from([("U7E1F0A2C_Merk".to_owned(), "Merk".to_owned())]);
            ensure!(articles.custom_field_map == expected, "{:?}", articles.custom_field_map);
            ensure!(
                articles.variant_size_dimension == "MAAT",
                "{:?}",
                articles.variant_size_dimension
            );

            for flow in ["articles", "debtors"] {
                driver.goto(app.url(&format!("{home}/settings/{flow}/fields"))).await?;
                driver.find(By::Id("preview-saved")).await?.click().await?;
                wait_for_element(&driver, "preview").await?;
                ensure!(
                    driver.find_all(By::Id("preview-error")).await?.is_empty(),
                    "{flow}: {}",
                    driver.find(By::Id("preview")).await?.text().await?
                );
            }
            Ok(())
        },
    )
    .await;
}

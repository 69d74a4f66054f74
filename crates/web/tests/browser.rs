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
            let notice = driver.find(By::Css(".notice")).await?.text().await?;
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

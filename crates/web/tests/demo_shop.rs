//! "Try it with the sandbox" gives each company its own demo shop, over HTTP against a running router with the
//! sandbox over real sockets and the job worker running the flows: two companies' runs book their own orders,
//! and "Reset the demo shop" puts a company's shop back to its seed so its next run books the orders again.

mod common;
mod setup_support;

use std::time::{Duration, Instant};

use base64::Engine;
use common::location;
use koppel_core::FlowKind;
use koppel_jobs::credentials::{self, AfasCredentials, MplusCredentials};
use koppel_store::runs::{self, Run, RunId, RunStatus};
use koppel_store::{TenantScope, audit, flows, journal};
use reqwest::StatusCode;
use serde_json::json;
use setup_support::SetupApp;

fn scope(home: &str) -> TenantScope {
    TenantScope::for_background_job(home.trim_start_matches("/t/").parse().unwrap())
}

/// Signs up a company and chooses "Try it with the sandbox"; its home path.
async fn sandbox_company(app: &SetupApp, client: &reqwest::Client, email: &str) -> String {
    let home = app.sign_up(client, email, "Demo").await;
    let response = app.post_form(client, &format!("{home}/setup/sandbox"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("{home}/setup/flows"));
    home
}

async fn stored(app: &SetupApp, home: &str) -> (MplusCredentials, AfasCredentials) {
    let (db, secrets, scope) = (&app.state.db, &app.state.secrets, scope(home));
    let mplus = credentials::load_mplus(db, secrets, &scope).await.unwrap().unwrap();
    let afas = credentials::load_afas(db, secrets, &scope).await.unwrap().unwrap();
    (mplus, afas)
}

/// "Run now" for the orders flow, waiting until the worker has finished the run.
async fn run_orders(app: &SetupApp, client: &reqwest::Client, home: &str) -> Run {
    let queued = app.post_form(client, &format!("{home}/flows/orders/run"), &[]).await;
    assert_eq!(queued.status(), StatusCode::SEE_OTHER);
    let id: uuid::Uuid = location(&queued).rsplit('/').next().unwrap().parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let run = runs::get(&app.state.db, &scope(home), RunId(id))
            .await
            .unwrap()
            .unwrap();
        if run.status.is_finished() {
            assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
            return run;
        }
        assert!(Instant::now() < deadline, "the run did not finish: {run:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits for the company's orders run started by `trigger` to finish.
async fn wait_for_run(app: &SetupApp, home: &str, trigger: &str) -> Run {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let recent = runs::recent(&app.state.db, &scope(home), FlowKind::Orders, 5)
            .await
            .unwrap();
        if let Some(run) = recent
            .into_iter()
            .find(|run| run.trigger_kind == trigger && run.status.is_finished())
        {
            return run;
        }
        assert!(Instant::now() < deadline, "the {trigger} run did not finish");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The order count of the company's till, from the sandbox's summary of its shop.
async fn till_orders(app: &SetupApp, home: &str) -> i64 {
    let shop = app.shop_of(home).await;
    let summary: serde_json::Value = reqwest::get(format!("{}_sandbox/summary?shop={shop}", app.sandbox.mplus_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    summary["markers"]["order"].as_i64().unwrap()
}

#[tokio::test]
async fn two_companies_each_book_their_own_demo_shop() {
    let app = SetupApp::start(true).await;
    let (first, second) = (app.browser(), app.browser());
    let home_a = sandbox_company(&app, &first, "a@demo.nl").await;
    let home_b = sandbox_company(&app, &second, "b@demo.nl").await;

    // Each company stored credentials of its own shop, neither the sandbox's shared default ones.
    let (mplus_a, afas_a) = stored(&app, &home_a).await;
    let (mplus_b, afas_b) = stored(&app, &home_b).await;
    assert_ne!(mplus_a.secret, mplus_b.secret);
    assert_ne!(afas_a.token, afas_b.token);
    assert_ne!(mplus_a.secret, app.sandbox.config.mplus_secret);
    assert!(!afas_a.token.contains(&app.sandbox.config.afas_token_data));
    assert_ne!(app.shop_of(&home_a).await, app.shop_of(&home_b).await);
    // The shop id is a secret: no page shows it.
    let shop_a = app.shop_of(&home_a).await.to_string();
    for page in ["setup/mplus", "setup/afas", "settings", "settings/audit"] {
        let html = app.get(&first, &format!("{home_a}/{page}")).await.text().await.unwrap();
        assert!(!html.to_lowercase().contains(&shop_a), "{page} shows the shop id");
    }

    // A's run books A's orders; B's first run then books B's own, skipping none as "already in AFAS".
    let run_a = run_orders(&app, &first, &home_a).await;
    assert!(run_a.created > 0, "{run_a:?}");
    let run_b = run_orders(&app, &second, &home_b).await;
    assert!(run_b.created > 0, "{run_b:?}");
    // Read back after the run, the demo shop's books hold every till day to the cent.
    let today = chrono::Utc::now().date_naive();
    let range_from = (today - chrono::Duration::days(365)).to_string();
    let range = format!("from={range_from}&to={today}");
    let today = today.to_string();
    let csv = app
        .get(&first, &format!("{home_a}/reconciliation.csv?{range}"))
        .await
        .text()
        .await
        .unwrap();
    let mut sales = 0;
    for line in csv.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        sales += fields[1].parse::<i64>().unwrap();
        assert_eq!(
            fields[7].parse::<rust_decimal::Decimal>().unwrap(),
            rust_decimal::Decimal::ZERO,
            "{line}"
        );
        assert_eq!(
            &fields[8..],
            ["", "", ""],
            "nothing missing, differing or unchecked: {line}"
        );
    }
    assert_eq!(sales, run_a.created, "every sale booked is on the reconciliation");

    // An accountant changes a booked line's price in AFAS; "Check again with AFAS" reads the books back, and the
    // sale shows as differing, with the warning on its record.
    let (_, afas) = stored(&app, &home_a).await;
    let line = app.afas_rows(&home_a, "Profit_SalesorderLines", "OrderNumber").await[0].clone();
    let environment = koppel_afas::Environment::with_base_url(afas.url.as_deref().unwrap());
    let token = base64::engine::general_purpose::STANDARD.encode(&afas.token);
    let change = json!({"FbSales": {"Element": {
        "Fields": {"OrNu": line["OrderNumber"]},
        "Objects": [{"FbSalesLines": {"Element": [
            {"@GuLi": line["LineGuid"], "Fields": {"@Action": "update", "Upri": line["PricePerUnit"].as_f64().unwrap() + 1.0}}
        ]}}]
    }}});
    let changed = reqwest::Client::new()
        .put(format!("{}/connectors/FbSales", environment.base_url()))
        .header("Authorization", format!("AfasToken {token}"))
        .json(&change)
        .send()
        .await
        .unwrap();
    assert!(changed.status().is_success(), "{:?}", changed.text().await);
    let checked = app
        .post_form(
            &first,
            &format!("{home_a}/reconciliation/check"),
            &[("from", &range_from), ("to", &today)],
        )
        .await;
    assert_eq!(checked.status(), StatusCode::SEE_OTHER);
    let recheck = wait_for_run(&app, &home_a, "reconciliation").await;
    assert_eq!(
        recheck.status,
        RunStatus::Succeeded,
        "a difference warns, it does not fail the run"
    );
    let csv = app
        .get(&first, &format!("{home_a}/reconciliation.csv?{range}"))
        .await
        .text()
        .await
        .unwrap();
    let differing: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(9).unwrap())
        .filter(|d| !d.is_empty())
        .collect();
    assert_eq!(differing.len(), 1, "{csv}");
    let page = app
        .get(&first, &format!("{home_a}/reconciliation?{range}"))
        .await
        .text()
        .await
        .unwrap();
    let link = page
        .find(&format!(">{}</a>", differing[0]))
        .expect("the differing sale is linked");
    let href = &page[..link];
    let href = &href[href.rfind("href=\"").unwrap() + 6..href.len() - 1];
    let record = app.get(&first, href).await.text().await.unwrap();
    assert!(
        record.contains("booked, total differs by €"),
        "the warning on the record"
    );
    let already_booked = journal::entries_of_run(&app.state.db, &scope(&home_b), run_b.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| {
            entry
                .reason
                .as_deref()
                .is_some_and(|r| r.starts_with("already in AFAS"))
        })
        .count();
    assert_eq!(already_booked, 0, "B's orders were not booked by A");
    // Each company's AFAS holds its own runs' orders, each once. (A sale whose answer was lost to a transient
    // stop is found by its reference in the run's next attempt and journaled as already in AFAS, so the AFAS
    // count can exceed `created`; it never exceeds the run's records.)
    for (home, run) in [(&home_a, &run_a), (&home_b, &run_b)] {
        let booked = app.afas_orders(home).await;
        let references: std::collections::BTreeSet<String> = booked
            .iter()
            .filter_map(|entry| {
                let body: serde_json::Value = serde_json::from_str(entry["body"].as_str()?).ok()?;
                body["FbSales"]["Element"]["Fields"]["RfCs"].as_str().map(str::to_owned)
            })
            .collect();
        assert_eq!(references.len(), booked.len(), "{home}: no sale booked twice");
        assert!(
            booked.len() as i64 >= run.created && booked.len() as i64 <= run.created + run.skipped,
            "{home}: {run:?}"
        );
    }
    let shared: Vec<serde_json::Value> = reqwest::get(format!("{}/_sandbox/journal", app.sandbox.afas_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(shared.is_empty(), "the shared default shop saw nothing: {shared:?}");

    // Choosing the sandbox again keeps the company's shop.
    let shop_b = app.shop_of(&home_b).await;
    app.post_form(&second, &format!("{home_b}/setup/sandbox"), &[]).await;
    assert_eq!(app.shop_of(&home_b).await, shop_b);
}

#[tokio::test]
async fn a_reset_restores_the_demo_shop_and_the_next_run_books_it_again() {
    let app = SetupApp::start(true).await;
    let client = app.browser();
    let home = sandbox_company(&app, &client, "reset@demo.nl").await;
    let html = app.get(&client, &home).await.text().await.unwrap();
    assert!(
        html.contains("Your demo shop") && html.contains("Reset the demo shop"),
        "{html}"
    );

    let first = run_orders(&app, &client, &home).await;
    assert!(first.created > 0, "{first:?}");
    let again = run_orders(&app, &client, &home).await;
    assert_eq!(again.created, 0, "nothing new to book: {again:?}");
    // The till moves on: two orders arrive in the company's shop.
    let shop = app.shop_of(&home).await;
    let seeded = till_orders(&app, &home).await;
    let added = reqwest::Client::new()
        .post(format!("{}_sandbox/orders?shop={shop}", app.sandbox.mplus_url()))
        .json(&json!({"count": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
    assert_eq!(till_orders(&app, &home).await, seeded + 2);

    let response = app.post_form(&client, &format!("{home}/sandbox/reset"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("{home}?demo_shop=reset"));
    let html = app.get(&client, &location(&response)).await.text().await.unwrap();
    assert!(html.contains("The demo shop is back as it started."), "{html}");

    // Both simulators are back to the seed, and Koppel forgot what it synced; the activity log is kept.
    assert_eq!(till_orders(&app, &home).await, seeded);
    assert!(app.afas_journal(&home).await.is_empty());
    let scope = scope(&home);
    let orders = flows::get(&app.state.db, &scope, FlowKind::Orders)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(orders.cursor, None);
    assert!(
        !journal::entries_of_run(&app.state.db, &scope, first.id)
            .await
            .unwrap()
            .is_empty()
    );
    let audit = audit::list(&app.state.db, &scope, 10).await.unwrap();
    let entry = audit
        .iter()
        .find(|entry| entry.area == "sandbox")
        .expect("an audit entry");
    assert_eq!(entry.actor, "reset@demo.nl");
    assert!(
        entry.changes[0]
            .after
            .as_str()
            .unwrap()
            .starts_with("reset to its seed; forgot "),
        "{entry:?}"
    );

    // The next run books the seeded orders again, as the first did.
    let rebooked = run_orders(&app, &client, &home).await;
    assert_eq!(rebooked.created, first.created, "{rebooked:?}");
    assert_eq!(app.afas_orders(&home).await.len() as i64, first.created);
}

#[tokio::test]
async fn only_writers_reset_only_a_demo_shop_and_not_during_a_run() {
    let app = SetupApp::start(false).await;
    let owner = app.browser();
    let home = sandbox_company(&app, &owner, "owner@demo.nl").await;

    // A read-only member sees the demo shop but no button, and may not reset it.
    let viewer = app.browser();
    app.read_only_member(&owner, &home, "viewer@demo.nl").await;
    app.log_in(&viewer, "viewer@demo.nl", common::PASSWORD).await;
    let html = app.get(&viewer, &home).await.text().await.unwrap();
    assert!(
        html.contains("Your demo shop") && !html.contains("Reset the demo shop"),
        "{html}"
    );
    let refused = app.post_form(&viewer, &format!("{home}/sandbox/reset"), &[]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // While a run is queued (no worker here), the shop stays as it is.
    let before = app.afas_journal(&home).await.len();
    assert!(before > 0, "the setup asked the shop's AFAS");
    app.post_form(&owner, &format!("{home}/flows/orders/run"), &[]).await;
    let busy = app.post_form(&owner, &format!("{home}/sandbox/reset"), &[]).await;
    assert_eq!(location(&busy), format!("{home}?demo_shop=busy"));
    let html = app.get(&owner, &location(&busy)).await.text().await.unwrap();
    assert!(html.contains("A run is queued or running"), "{html}");
    assert_eq!(app.afas_journal(&home).await.len(), before);

    // A company connected elsewhere has no demo shop to reset.
    let other = app.browser();
    let elsewhere = app.sign_up(&other, "real@demo.nl", "Real").await;
    let html = app.get(&other, &elsewhere).await.text().await.unwrap();
    assert!(!html.contains("Your demo shop"));
    let missing = app.post_form(&other, &format!("{elsewhere}/sandbox/reset"), &[]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

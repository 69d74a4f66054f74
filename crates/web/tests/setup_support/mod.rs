//! For the wizard and browser tests: the app with "try it with the sandbox" pointing at an in-process
//! sandbox, and optionally a job worker running flows through the real clients.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use koppel_jobs::Executor;
use koppel_jobs::connect::ClientConnectors;
use koppel_jobs::credentials;
use koppel_jobs::worker::{self, WorkerOptions};
use koppel_sandbox::{Sandbox, SandboxConfig, ShopId};
use koppel_store::TenantScope;
use koppel_store::test_support::TestDatabase;
use koppel_web::DemoSandbox;

use crate::common::{TestApp, spawn_configured};

/// The test app (see `common`) with the sandbox offered, and optionally a worker.
pub struct SetupApp {
    app: TestApp,
    pub sandbox: Sandbox,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl std::ops::Deref for SetupApp {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl Drop for SetupApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl SetupApp {
    /// The app (with the sandbox offered) and, when `with_worker`, a worker executing queued runs.
    pub async fn start(with_worker: bool) -> Self {
        let sandbox = Sandbox::start_local(SandboxConfig::default()).await.unwrap();
        let database = TestDatabase::create().await.expect("test database");
        let demo = DemoSandbox {
            afas_url: sandbox.afas_url(),
            mplus_url: sandbox.mplus_url(),
            shops: sandbox.shops.clone(),
        };
        let app = spawn_configured(database, |config| config.demo_sandbox = Some(demo)).await;
        let mut tasks = Vec::new();
        let mut stop = None;
        if with_worker {
            let mut executor = Executor::new(
                app.state.db.clone(),
                app.state.queue.clone(),
                ClientConnectors::new(app.state.secrets.clone()),
            );
            executor.base_retry_delay = Duration::from_millis(200);
            let executor = Arc::new(executor);
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            stop = Some(tx);
            let options = WorkerOptions {
                concurrency: 2,
                poll_interval: Duration::from_millis(100),
                tick_interval: Duration::from_millis(500),
            };
            tasks.push(tokio::spawn(async move {
                let _ = worker::run(executor, options, async move {
                    let _ = rx.await;
                })
                .await;
            }));
        }
        Self {
            app,
            sandbox,
            tasks,
            stop,
        }
    }

    /// The demo shop the company at `home` (`/t/{id}`) is connected to, read back from its stored credentials.
    pub async fn shop_of(&self, home: &str) -> ShopId {
        let scope = TenantScope::for_background_job(home.trim_start_matches("/t/").parse().unwrap());
        let mplus = credentials::load_mplus(&self.state.db, &self.state.secrets, &scope)
            .await
            .unwrap()
            .expect("MplusKASSA is connected");
        self.sandbox
            .shops
            .shop_of_mplus(&mplus.ident, &mplus.secret)
            .expect("connected to a company shop")
    }

    /// Every request the AFAS of the company's demo shop received.
    pub async fn afas_journal(&self, home: &str) -> Vec<serde_json::Value> {
        let shop = self.shop_of(home).await;
        reqwest::get(format!("{}/_sandbox/journal?shop={shop}", self.sandbox.afas_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// What the till of the company's demo shop received.
    pub async fn mplus_journal(&self, home: &str) -> Vec<serde_json::Value> {
        let shop = self.shop_of(home).await;
        let base = self.sandbox.mplus_url();
        reqwest::get(format!("{}/_sandbox/journal?shop={shop}", base.trim_end_matches('/')))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The sales documents the AFAS of the company's demo shop created.
    pub async fn afas_orders(&self, home: &str) -> Vec<serde_json::Value> {
        self.afas_journal(home)
            .await
            .into_iter()
            .filter(|entry| {
                entry["status"] == 201
                    && entry["method"] == "POST"
                    && entry["operation"].as_str().is_some_and(|op| op.contains("FbSales"))
            })
            .collect()
    }
}

impl SetupApp {
    /// Every row of a GetConnector in the AFAS of the company's demo shop, read with its stored credentials.
    pub async fn afas_rows(&self, home: &str, connector: &str, key: &str) -> Vec<serde_json::Value> {
        let scope = TenantScope::for_background_job(home.trim_start_matches("/t/").parse().unwrap());
        let afas = credentials::load_afas(&self.state.db, &self.state.secrets, &scope)
            .await
            .unwrap()
            .expect("AFAS is connected");
        let options = koppel_jobs::connect::ClientOptions::default();
        let environment = koppel_jobs::connect::afas_environment(&afas).unwrap();
        let client = koppel_jobs::connect::afas_client(environment, &afas, &options).unwrap();
        client
            .get_all(koppel_afas::GetQuery::new(connector, [key]).page_size(1_000))
            .await
            .expect("AFAS rows")
    }
}

//! For the wizard and browser tests: the app with "try it with the sandbox" pointing at an in-process
//! sandbox, and optionally a job worker running flows through the real clients.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use koppel_jobs::Executor;
use koppel_jobs::connect::ClientConnectors;
use koppel_jobs::worker::{self, WorkerOptions};
use koppel_sandbox::{Sandbox, SandboxConfig};
use koppel_store::test_support::TestDatabase;
use koppel_web::{AppState, DemoSandbox, WebConfig};

pub const PASSWORD: &str = "kassa-bon-wolk-17";
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test-secret";

pub struct SetupApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub sandbox: Sandbox,
    pub database: TestDatabase,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
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
        let db = database.connect().await.expect("connect and migrate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = WebConfig::local(SECRET.to_vec());
        config.base_url = format!("http://{addr}");
        config.demo_sandbox = Some(DemoSandbox {
            afas_url: sandbox.afas_url(),
            afas_token: sandbox.config.afas_token_xml(),
            mplus_url: sandbox.mplus_url(),
            mplus_ident: sandbox.config.mplus_ident.clone(),
            mplus_secret: sandbox.config.mplus_secret.clone(),
        });
        let state = AppState::new(db.clone(), config).await.unwrap();
        let server_state = state.clone();
        let mut tasks = vec![tokio::spawn(async move {
            koppel_web::serve(listener, server_state, std::future::pending())
                .await
                .unwrap();
        })];
        let mut stop = None;
        if with_worker {
            let executor = Arc::new(Executor {
                db: db.clone(),
                queue: state.queue.clone(),
                connectors: ClientConnectors::new(state.secrets.clone()),
                base_retry_delay: Duration::from_millis(200),
            });
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
            addr,
            state,
            sandbox,
            database,
            tasks,
            stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A cookie-keeping client that does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn post_form(&self, client: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        client
            .post(self.url(path))
            .header("Sec-Fetch-Site", "same-origin")
            .header("Origin", format!("http://{}", self.addr))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    /// Signs up through the form; returns the tenant home path (`/t/{id}`).
    pub async fn sign_up(&self, client: &reqwest::Client, email: &str, company: &str) -> String {
        let response = self
            .post_form(
                client,
                "/signup",
                &[("email", email), ("password", PASSWORD), ("company", company)],
            )
            .await;
        assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
        location(&response)
    }

    /// The `FbSales` orders the sandbox's AFAS accepted since start.
    pub async fn afas_orders(&self) -> Vec<serde_json::Value> {
        let journal: Vec<serde_json::Value> = reqwest::get(format!("{}/_sandbox/journal", self.sandbox.afas_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        journal
            .into_iter()
            .filter(|entry| {
                entry["status"] == 201 && entry["operation"].as_str().is_some_and(|op| op.contains("FbSales"))
            })
            .collect()
    }
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

//! The end-to-end harness: the real `koppel` binary started as a user starts it, talked to over HTTP, stopped
//! with SIGTERM or killed with SIGKILL.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The binary Cargo built for these tests.
pub const KOPPEL: &str = env!("CARGO_BIN_EXE_koppel");

/// A fixed master secret for processes that must open each other's sealed credentials.
pub const SECRET_KEY: &str = "e2e-secret-key-0123456789abcdef0123456789abcdef";

/// A free TCP port on the loopback address (bound and released: good enough for a test).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port()
}

/// Whether something already listens on the port.
pub fn port_in_use(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// A running `koppel` process with its output collected (printed when a test fails, to see why).
pub struct Process {
    pub name: String,
    child: Child,
    output: Arc<Mutex<Vec<String>>>,
    /// The threads reading its stdout and stderr: they end when the process has exited and they have read all.
    readers: Vec<std::thread::JoinHandle<()>>,
}

/// A command for the binary with none of the caller's Koppel settings: only what a test gives it.
pub fn koppel(args: &[&str]) -> Command {
    let mut command = Command::new(KOPPEL);
    command.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("KOPPEL_") || key == "DATABASE_URL" {
            command.env_remove(key);
        }
    }
    command.env("KOPPEL_LOG", "info,koppel_jobs=debug");
    command
}

impl Process {
    pub fn start(name: &str, mut command: Command) -> Self {
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null());
        let mut child = command.spawn().unwrap_or_else(|e| panic!("starting {name}: {e}"));
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let output = output.clone();
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    output.lock().unwrap().push(line);
                }
            }));
        }
        Self {
            name: name.to_owned(),
            child,
            output,
            readers,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }

    /// Waits until a line of output contains `text`; returns that line.
    pub fn wait_for_line(&mut self, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.output.lock().unwrap().iter().find(|l| l.contains(text)) {
                return line.clone();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before printing {text:?}:\n{}",
                    self.name,
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} never printed {text:?}:\n{}",
                self.name,
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
    }

    /// SIGTERM, then the exit status (panics if it does not exit within `timeout`).
    pub fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        self.signal(libc::SIGTERM);
        self.wait_exit(timeout)
    }

    /// SIGKILL: the process dies at once, wherever it is.
    pub fn kill(&mut self) {
        self.signal(libc::SIGKILL);
        let _ = self.child.wait();
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for a child") {
                // Everything it printed before it exited is read before the caller looks at it.
                for reader in self.readers.drain(..) {
                    let _ = reader.join();
                }
                return status;
            }
            if Instant::now() > deadline {
                self.signal(libc::SIGKILL);
                panic!("{} did not exit within {timeout:?}:\n{}", self.name, self.output());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.signal(libc::SIGKILL);
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            eprintln!(
                "--- output of {} ---\n{}\n--- end of {} ---",
                self.name,
                self.output(),
                self.name
            );
        }
    }
}

/// Runs a command to its end and returns its exit status and output.
pub fn run_to_end(mut command: Command, timeout: Duration) -> (ExitStatus, String) {
    let mut process = Process::start("command", {
        command.stdin(Stdio::null());
        command
    });
    let status = process.wait_exit(timeout);
    (status, process.output())
}

/// Blocking HTTP for the tests (they drive processes, not a runtime of their own).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// Polls `url` until it answers (any HTTP status) or `timeout` passes.
pub async fn wait_until_answering(url: &str, timeout: Duration) -> reqwest::StatusCode {
    let deadline = Instant::now() + timeout;
    let client = http();
    loop {
        if let Ok(response) = client.get(url).send().await {
            return response.status();
        }
        assert!(Instant::now() < deadline, "{url} did not answer within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The JSON API of a running Koppel, signed in as one company's owner.
pub struct Api {
    pub base: String,
    /// The owner's e-mail address.
    pub email: String,
    pub token: String,
    pub client: reqwest::Client,
}

impl Api {
    /// Signs up a new company as its owner would: the signup, then the link mailed to the address (read from
    /// the outbox of the Koppel's database, `database_url`), which signs in.
    pub async fn sign_up(base: &str, database_url: &str) -> Self {
        let client = http();
        let email = format!("owner-{}@example.nl", uuid::Uuid::new_v4().simple());
        let password = "correct horse battery staple";
        let signup = client
            .post(format!("{base}/api/v1/signup"))
            .json(&json!({"email": email, "password": password, "company": "Fietsenwinkel De Spaak"}))
            .send()
            .await
            .expect("signup");
        assert_eq!(signup.status(), 202, "{}", signup.text().await.unwrap_or_default());
        let database = koppel_store::Db::connect(database_url)
            .await
            .expect("Koppel's database");
        let link = koppel_store::test_support::signup_token(&database, &email)
            .await
            .expect("the outbox")
            .expect("a signup link mailed to the address");
        let confirmed = client
            .post(format!("{base}/api/v1/signup/confirm"))
            .json(&json!({"token": link, "password": password}))
            .send()
            .await
            .expect("confirmation");
        assert_eq!(confirmed.status(), 201);
        let session: Value = confirmed.json().await.expect("a token");
        Self {
            base: base.to_owned(),
            email,
            token: session["token"].as_str().expect("token").to_owned(),
            client,
        }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// Connects the company to a running sandbox and configures the orders flow as the wizard's sandbox
    /// preset does.
    pub async fn connect_to(&self, sandbox: &SandboxUrls) {
        let (status, body) = self
            .send(
                reqwest::Method::PUT,
                "/api/v1/connections/mplus",
                Some(json!({"url": sandbox.mplus, "ident": "koppel-sandbox", "secret": "sandbox-secret"})),
            )
            .await;
        assert!(
            status == 200 && body["ok"] == true,
            "MplusKASSA connection: {status} {body}"
        );
        let (status, body) = self
            .send(
                reqwest::Method::PUT,
                "/api/v1/connections/afas",
                Some(
                    json!({"environment": "12345", "environment_type": "test", "token": sandbox.afas_token,
                            "url": sandbox.afas}),
                ),
            )
            .await;
        assert!(status == 200 && body["ok"] == true, "AFAS connection: {status} {body}");
        let settings = koppel_web::sandbox_settings("1", Some("14"), Some("PIN"));
        let (status, body) = self
            .send(
                reqwest::Method::PUT,
                "/api/v1/flows/orders",
                // Switched on, scheduled once a year: the test starts its runs itself.
                Some(json!({"enabled": true, "schedule": "0 0 3 1 1 *", "settings": settings})),
            )
            .await;
        assert_eq!(status, 200, "orders flow settings: {body}");
    }

    /// Starts a run of the flow, or finds the one already queued or running: its id.
    pub async fn start_run(&self, flow: &str) -> (u16, String) {
        let (status, body) = self
            .send(reqwest::Method::POST, &format!("/api/v1/flows/{flow}/runs"), None)
            .await;
        assert!(status == 202 || status == 409, "starting a run: {status} {body}");
        (status, body["run_id"].as_str().expect("run id").to_owned())
    }

    pub async fn run(&self, run_id: &str) -> Value {
        self.get(&format!("/api/v1/runs/{run_id}")).await
    }

    /// Waits until the run has finished; its last state.
    pub async fn wait_finished(&self, run_id: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let run = self.run(run_id).await;
            let status = run["status"].as_str().unwrap_or_default();
            if !matches!(status, "queued" | "running") {
                return run;
            }
            assert!(
                Instant::now() < deadline,
                "run {run_id} did not finish within {timeout:?}: {run}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// Where a `koppel sandbox` process serves, from what it printed.
#[derive(Debug, Clone)]
pub struct SandboxUrls {
    /// The AFAS simulator's base (what the AFAS connection's `url` takes).
    pub afas: String,
    pub afas_root: String,
    pub afas_token: String,
    pub mplus: String,
}

/// The value after `label` on the line of `output` that has it.
fn printed(output: &str, label: &str) -> String {
    output
        .lines()
        .find_map(|line| line.strip_prefix(label))
        .map(|rest| rest.trim().to_owned())
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{output}"))
}

impl SandboxUrls {
    pub fn from_output(output: &str) -> Self {
        let afas = printed(output, "AFAS Profit simulator:");
        let afas_root = afas
            .trim_end_matches('/')
            .trim_end_matches("/ProfitRestServices")
            .to_owned();
        Self {
            afas: afas_root.clone(),
            afas_root,
            afas_token: printed(output, "  token (XML):"),
            mplus: printed(output, "MplusKASSA simulator:")
                .trim_end_matches('/')
                .to_owned(),
        }
    }

    /// Reads an AFAS GetConnector (`path_and_query` after `/connectors/`) with the sandbox's token.
    pub async fn afas_get(&self, path_and_query: &str) -> reqwest::Response {
        http()
            .get(format!(
                "{}/ProfitRestServices/connectors/{path_and_query}",
                self.afas_root
            ))
            .header("Authorization", self.afas_authorization())
            .send()
            .await
            .expect("the AFAS simulator answers")
    }

    /// The AFAS `Authorization` header for the sandbox's token.
    pub fn afas_authorization(&self) -> String {
        use base64::Engine;
        format!(
            "AfasToken {}",
            base64::engine::general_purpose::STANDARD.encode(&self.afas_token)
        )
    }
}

/// How many times AFAS booked each reference, read from the simulator's own GetConnector.
pub async fn booked_in_afas(sandbox: &SandboxUrls) -> std::collections::BTreeMap<String, usize> {
    let rows: Value = sandbox
        .afas_get("Profit_Salesorders?skip=-1&take=-1")
        .await
        .json()
        .await
        .expect("rows");
    let mut booked = std::collections::BTreeMap::new();
    for row in rows["rows"].as_array().expect("rows") {
        if let Some(reference) = row["CustomerReference"].as_str() {
            *booked.entry(reference.to_owned()).or_default() += 1;
        }
    }
    booked
}

/// `koppel sandbox` on free ports with `orders` orders; waits until it has printed where it listens.
pub fn start_sandbox(orders: usize) -> (Process, SandboxUrls) {
    let mut command = koppel(&[
        "sandbox",
        "--afas-listen",
        "127.0.0.1:0",
        "--mplus-listen",
        "127.0.0.1:0",
    ]);
    command.args(["--orders", &orders.to_string()]);
    let mut process = Process::start("koppel sandbox", command);
    process.wait_for_line("Ctrl-C stops", Duration::from_secs(60));
    let urls = SandboxUrls::from_output(&process.output());
    (process, urls)
}

/// A fresh data folder (removed when dropped).
pub fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary data folder")
}

/// A fresh database for the processes: SQLite in `dir`, or a new PostgreSQL database when
/// `KOPPEL_TEST_DATABASE_URL` is set (as CI does).
pub async fn database_url(dir: &Path) -> (String, Option<koppel_store::test_support::TestDatabase>) {
    match std::env::var(koppel_store::test_support::TEST_DATABASE_URL_VAR) {
        Ok(url) if !url.is_empty() => {
            let database = koppel_store::test_support::TestDatabase::create()
                .await
                .expect("a test database");
            (database.url.clone(), Some(database))
        }
        _ => (format!("sqlite://{}/koppel.db", dir.display()), None),
    }
}

pub fn path_of(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().to_path_buf()
}

/// The first `.eml` message in `folder` (a Koppel's mail folder) that contains `text`, as its text with
/// quoted-printable soft line breaks joined; waits up to a minute for the delivery loop to write it.
pub async fn wait_for_mail(folder: &Path, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = std::fs::read_dir(folder)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "eml"))
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .map(|message| message.replace("=\r\n", "").replace("=\n", ""))
            .find(|message| message.contains(text));
        if let Some(message) = found {
            return message;
        }
        assert!(
            Instant::now() < deadline,
            "no e-mail with {text:?} in {}",
            folder.display()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

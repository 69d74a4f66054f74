//! Test harness: a real router on a real socket (port 0), a real database (SQLite by default, a fresh
//! PostgreSQL database when KOPPEL_TEST_DATABASE_URL is set), and a real HTTP client with a cookie store.

#![allow(dead_code)]

pub mod fakes;

use std::net::SocketAddr;

use koppel_store::test_support::TestDatabase;
use koppel_web::{AppState, RateLimits, WebConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PASSWORD: &str = "kassa-bon-wolk-17";
pub const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test-secret";

pub struct TestApp {
    pub addr: SocketAddr,
    pub database: TestDatabase,
    pub state: AppState,
    pub server: AbortOnDrop,
}

/// Stops the server task when the test app goes away.
pub struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(RateLimits::default()).await
}

pub async fn spawn_app_with(rate_limits: RateLimits) -> TestApp {
    let database = TestDatabase::create().await.expect("test database");
    spawn_on(database, rate_limits).await
}

/// Starts the app on an existing database (a "restart" when the previous app was dropped).
pub async fn spawn_on(database: TestDatabase, rate_limits: RateLimits) -> TestApp {
    spawn_configured(database, |config| config.rate_limits = rate_limits).await
}

/// Starts the app on `database` with the test configuration, adjusted by `configure`.
pub async fn spawn_configured(database: TestDatabase, configure: impl FnOnce(&mut WebConfig)) -> TestApp {
    let db = database.connect().await.expect("connect and migrate");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = WebConfig::local(SECRET.to_vec());
    config.base_url = format!("http://{addr}");
    configure(&mut config);
    let state = AppState::new(db, config).await.unwrap();
    let server_state = state.clone();
    let server = tokio::spawn(async move {
        koppel_web::serve(listener, server_state, std::future::pending())
            .await
            .unwrap();
    });
    TestApp {
        addr,
        database,
        state,
        server: AbortOnDrop(server),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Submits a form as a same-origin browser would.
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

    /// Signs up through the form and confirms with the mailed link, as a person would; returns the tenant home
    /// path the confirmation redirects to (signed in).
    pub async fn sign_up(&self, client: &reqwest::Client, email: &str, company: &str) -> String {
        let response = self
            .post_form(
                client,
                "/signup",
                &[("email", email), ("password", PASSWORD), ("company", company)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{}",
            response.text().await.unwrap()
        );
        assert_eq!(location(&response), "/signup/sent");
        let link = self.signup_link(email).await;
        let response = self.post_form(client, &link, &[("password", PASSWORD)]).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{}",
            response.text().await.unwrap()
        );
        location(&response)
    }

    /// The path of the newest signup link mailed to `email` (`/signup/confirm/{token}`).
    pub async fn signup_link(&self, email: &str) -> String {
        let token = koppel_store::test_support::signup_token(&self.state.db, email)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no signup link mailed to {email}"));
        format!("/signup/confirm/{token}")
    }

    pub async fn log_in(&self, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        self.post_form(client, "/login", &[("email", email), ("password", password)])
            .await
    }

    /// Signs up over the API and confirms with the mailed link's token; returns the confirmation's answer
    /// (`user_id`, `tenant_id`, `trial_ends_at`, `token`).
    pub async fn api_signup(&self, email: &str, company: &str) -> Value {
        let client = reqwest::Client::new();
        let response = client
            .post(self.url("/api/v1/signup"))
            .json(&json!({"email": email, "password": PASSWORD, "company": company}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let link = self.signup_link(email).await;
        let token = link.trim_start_matches("/signup/confirm/");
        let response = client
            .post(self.url("/api/v1/signup/confirm"))
            .json(&json!({"token": token, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    /// Signs up `email` (a company of its own) and makes it a read-only member of the company at `home`: the
    /// signed-in `owner` invites it on the Members page and it accepts the mailed link; returns its API token.
    pub async fn read_only_member(&self, owner: &reqwest::Client, home: &str, email: &str) -> String {
        self.api_signup(email, "Viewer Co").await;
        self.join(owner, home, email, "member").await;
        self.api_token(email, PASSWORD).await
    }

    /// `owner` invites `email` (who has an account with [`PASSWORD`]) to the company at `home` with `role`, and
    /// `email` accepts the mailed invitation.
    pub async fn join(&self, owner: &reqwest::Client, home: &str, email: &str, role: &str) {
        let invited = self
            .post_form(owner, &format!("{home}/members"), &[("email", email), ("role", role)])
            .await;
        assert_eq!(invited.status(), StatusCode::OK, "{}", invited.text().await.unwrap());
        let accepted = self
            .post_form(
                &self.browser(),
                &self.invitation_link(email).await,
                &[("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            accepted.status(),
            StatusCode::SEE_OTHER,
            "{}",
            accepted.text().await.unwrap()
        );
    }

    /// The path of the newest invitation mailed to `email` (`/invitations/{token}`).
    pub async fn invitation_link(&self, email: &str) -> String {
        let token = koppel_store::test_support::mailed_token(&self.state.db, email, "/invitations/")
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no invitation mailed to {email}"));
        format!("/invitations/{token}")
    }

    pub async fn api_token(&self, email: &str, password: &str) -> String {
        let response = reqwest::Client::new()
            .post(self.url("/api/v1/sessions"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }
}

/// A bearer-token JSON call: the status and the body (`Null` when there is none).
pub async fn call(
    method: reqwest::Method,
    app: &TestApp,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

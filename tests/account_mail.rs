//! Account e-mail from the real process, read from its mail folder as a person reads their inbox: a signup's
//! link opens the account and company, and a "forgot password" link sets a new password.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Process, SECRET_KEY, free_port, http, koppel};

/// The token after `path` in a message (hex digits).
fn token_after(message: &str, path: &str) -> String {
    let start = message.find(path).unwrap_or_else(|| panic!("{path} in {message}")) + path.len();
    message[start..].chars().take_while(char::is_ascii_hexdigit).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn signup_and_password_reset_work_through_the_mail_folder() {
    let dir = support::data_dir();
    let port = free_port();
    let mut command = koppel(&["serve"]);
    command
        .env("KOPPEL_DATA_DIR", dir.path())
        .env("KOPPEL_SECRET_KEY", SECRET_KEY)
        .env("KOPPEL_LISTEN", format!("127.0.0.1:{port}"))
        .env("KOPPEL_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("KOPPEL_DEMO_SANDBOX", "false");
    let mut serve = Process::start("koppel serve", command);
    serve.wait_for_line("Koppel is running", Duration::from_secs(60));
    let base = format!("http://127.0.0.1:{port}");
    let mail = dir.path().join("mail");
    let client = http();
    let post = |path: &str, body: Value| client.post(format!("{base}{path}")).json(&body).send();
    let (email, password) = ("wim@fietsen.nl", "correct horse battery staple");

    let signup = post(
        "/api/v1/signup",
        json!({"email": email, "password": password, "company": "Wim's"}),
    );
    assert_eq!(signup.await.unwrap().status(), 202);
    let message = support::wait_for_mail(&mail, "Subject: Confirm your e-mail address").await;
    assert!(message.contains(&format!("To: {email}")), "{message}");
    let link = token_after(&message, &format!("{base}/signup/confirm/"));
    let confirmed = post("/api/v1/signup/confirm", json!({"token": link, "password": password}));
    let confirmed = confirmed.await.unwrap();
    assert_eq!(confirmed.status(), 201);
    let confirmed: Value = confirmed.json().await.unwrap();
    assert!(confirmed["tenant_id"].is_string(), "{confirmed}");

    let asked = post("/api/v1/password-resets", json!({"email": email})).await.unwrap();
    assert_eq!(asked.status(), 202);
    let message = support::wait_for_mail(&mail, "Subject: Reset your Koppel password").await;
    let reset = format!(
        "{base}/password/reset/{}",
        token_after(&message, &format!("{base}/password/reset/"))
    );
    assert_eq!(client.get(&reset).send().await.unwrap().status(), 200);
    let new_password = "violet lanterns over the harbour";
    let saved = client
        .post(&reset)
        .form(&[("new_password", new_password), ("confirm_password", new_password)])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let session = |password: &'static str| post("/api/v1/sessions", json!({"email": email, "password": password}));
    assert_eq!(session(password).await.unwrap().status(), 401);
    assert_eq!(session(new_password).await.unwrap().status(), 201);
    assert!(serve.terminate(Duration::from_secs(30)).success(), "{}", serve.output());
}

//! Alerts reach the owner from the real process: a `koppel serve` whose orders run fails (AFAS refuses every
//! sale) writes the owner's alert e-mail into its mail folder, as it would send it over SMTP.

mod support;

use std::time::Duration;

use support::{Api, Process, SECRET_KEY, free_port, koppel};

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_run_sends_the_owner_an_alert_email() {
    let (_sandbox, urls) = support::start_sandbox(60);
    // AFAS refuses every sale, as it refuses a record it cannot take: every order fails for good.
    let refuse = serde_json::json!({"operation": "FbSales", "method": "POST", "kind": "status", "status": 413});
    let response = support::http()
        .post(format!("{}/_sandbox/faults", urls.afas_root))
        .json(&refuse)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());

    let dir = support::data_dir();
    let port = free_port();
    let mut command = koppel(&["serve"]);
    command
        .env("KOPPEL_DATA_DIR", dir.path())
        .env("KOPPEL_SECRET_KEY", SECRET_KEY)
        .env("KOPPEL_LISTEN", format!("127.0.0.1:{port}"))
        .env("KOPPEL_DEMO_SANDBOX", "false");
    let mut serve = Process::start("koppel serve", command);
    serve.wait_for_line("Koppel is running", Duration::from_secs(60));
    let database_url = format!("sqlite://{}/koppel.db", dir.path().display());
    let api = Api::sign_up(&format!("http://127.0.0.1:{port}"), &database_url).await;
    api.connect_to(&urls).await;

    let (_, run_id) = api.start_run("orders").await;
    let run = api.wait_finished(&run_id, Duration::from_secs(120)).await;
    assert_eq!(run["status"], "failed", "{run}");
    assert!(
        run["error"].as_str().unwrap().starts_with("No record was booked"),
        "{run}"
    );

    // The worker's delivery loop writes the message within its interval (beside the signup's link).
    let mail = dir.path().join("mail");
    let message = support::wait_for_mail(&mail, "Subject: Koppel: the orders flow needs attention").await;
    assert!(message.contains(&format!("To: {}", api.email)), "{message}");
    assert!(
        message.contains("Subject: Koppel: the orders flow needs attention"),
        "{message}"
    );
    assert!(message.contains("The run failed: No record was booked"), "{message}");
    assert!(
        message.contains(&format!("/runs/{run_id}")),
        "the message links the run: {message}"
    );
    assert!(serve.terminate(Duration::from_secs(30)).success(), "{}", serve.output());
}

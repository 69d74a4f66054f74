//! The client's transport against the simulator: faults and transport errors classified, redirects reported
//! and not followed, credentials kept out of every hook, calls counted and timed, connections shared.

use super::*;

#[tokio::test]
async fn faults_and_transport_errors_are_classified() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    fault(
        &sandbox,
        json!({"operation": "getBranches", "kind": "locked", "times": 1}),
    )
    .await;
    let error = client.get_branches().await.unwrap_err();
    assert!(
        matches!(error, MplusError::ServerFault { .. }) && error.is_retryable(),
        "{error:?}"
    );

    fault(
        &sandbox,
        json!({"operation": "getBranches", "kind": "unavailable", "times": 1}),
    )
    .await;
    let error = client.get_branches().await.unwrap_err();
    assert!(
        matches!(error, MplusError::Transport { status: Some(503), .. }),
        "{error:?}"
    );

    fault(
        &sandbox,
        json!({"operation": "getBranches", "kind": "malformed_xml", "times": 1}),
    )
    .await;
    let error = client.get_branches().await.unwrap_err();
    assert!(
        matches!(error, MplusError::Transport { .. }) && error.is_retryable(),
        "{error:?}"
    );

    fault(
        &sandbox,
        json!({"operation": "getBranches", "kind": "drop", "times": 1}),
    )
    .await;
    let error = client.get_branches().await.unwrap_err();
    assert!(matches!(error, MplusError::Transport { .. }), "{error:?}");

    fault(
        &sandbox,
        json!({"operation": "getBranches", "kind": "slow", "ms": 1500, "times": 1}),
    )
    .await;
    let impatient = MplusClient::builder(config(&sandbox))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = impatient.get_branches().await.unwrap_err();
    assert!(matches!(error, MplusError::Transport { status: None, .. }), "{error:?}");
    assert!(!error.to_string().contains(&sandbox.config.mplus_secret), "{error}");

    client.get_branches().await.expect("the faults are used up");
}

#[tokio::test]
async fn a_redirect_is_reported_not_followed_and_keeps_the_credentials_out() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    // A web server in front of the API that keeps the query string would hand the secret back.
    let location = format!(
        "{}moved?ident=x&secret={}",
        sandbox.mplus_url(),
        sandbox.config.mplus_secret
    );
    fault(
        &sandbox,
        json!({"operation": "getBranches", "kind": "redirect", "location": location, "times": 1}),
    )
    .await;
    let before = journal(&sandbox).await.len();
    let error = client.get_branches().await.unwrap_err();
    let MplusError::Redirected { status, location } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        (*status, location.clone()),
        (301, format!("{}moved", sandbox.mplus_url()))
    );
    assert!(!error.is_retryable() && !error.may_have_been_processed(), "{error:?}");
    assert!(!error.to_string().contains(&sandbox.config.mplus_secret), "{error}");
    // The POST only: a followed redirect would have come back as a GET to `moved`.
    let seen = journal(&sandbox).await;
    assert_eq!(seen.len() - before, 1, "{seen:?}");
}

#[tokio::test]
async fn the_exchange_hook_never_sees_the_credentials() {
    let sandbox = sandbox().await;
    let seen: Arc<Mutex<Vec<Exchange>>> = Arc::default();
    let sink = seen.clone();
    let client = MplusClient::builder(config(&sandbox))
        .exchange_hook(Arc::new(move |exchange: &Exchange| {
            sink.lock().unwrap().push(exchange.clone())
        }))
        .build()
        .unwrap();
    client.get_branches().await.unwrap();
    client.find_order("nothing").await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].operation, "getBranches");
    assert_eq!(seen[0].status, Some(200));
    assert!(
        seen[0]
            .response_body
            .as_deref()
            .unwrap()
            .contains("getBranchesResponse")
    );
    assert!(seen[1].request_body.contains("<extOrderId>nothing</extOrderId>"));
    for exchange in seen.iter() {
        let text = format!("{exchange:?}");
        assert!(
            !text.contains(&sandbox.config.mplus_secret) && !text.contains("ident="),
            "{text}"
        );
    }
    let requests = journal(&sandbox).await;
    assert!(
        requests
            .iter()
            .all(|r| r.path.contains("ident=") && r.path.contains("secret="))
    );
}

#[test]
fn every_call_is_counted_by_outcome_and_timed() {
    let recorder = common::SeenMetrics::default();
    metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let sandbox = sandbox().await;
            let client = client(&sandbox);
            client.get_branches().await.unwrap();
            let wrong = MplusClient::builder(MplusConfig::with_endpoint(&sandbox.mplus_url(), "x", "y"))
                .build()
                .unwrap();
            let _ = wrong.get_branches().await;
        });
    });
    let seen = recorder.0.lock().unwrap().clone();
    assert!(
        seen.contains(&"counter koppel_client_requests_total system=mplus,operation=getBranches,outcome=ok".to_owned()),
        "{seen:#?}"
    );
    assert!(
        seen.contains(
            &"counter koppel_client_requests_total system=mplus,operation=getBranches,outcome=client_fault".to_owned()
        ),
        "{seen:#?}"
    );
    assert!(
        seen.contains(
            &"histogram koppel_client_request_duration_seconds system=mplus,operation=getBranches".to_owned()
        ),
        "{seen:#?}"
    );
}

#[tokio::test]
async fn clients_with_the_same_timeouts_share_their_connections() {
    let sandbox = sandbox().await;
    // Timeouts no other test uses: only this test's clients share an HTTP client.
    let call = |timeout: u64| {
        let client = MplusClient::builder(config(&sandbox))
            .timeout(Duration::from_secs(timeout))
            .build()
            .unwrap();
        async move { client.test_connection().await.unwrap() }
    };
    call(31).await;
    call(31).await;
    assert_eq!(
        sandbox.mplus_connections(),
        1,
        "the second client (the first one dropped) connected again"
    );
    call(32).await;
    assert_eq!(sandbox.mplus_connections(), 2, "other timeouts, another HTTP client");
}

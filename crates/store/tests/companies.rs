//! Opening companies: an owner's further companies share their trial, and a burst of creations stops at the
//! hourly limit, also when the requests arrive at the same moment (on SQLite and PostgreSQL).

use chrono::Duration;
use koppel_core::Email;
use koppel_store::tenants::{self, COMPANIES_PER_HOUR};
use koppel_store::test_support::TestDatabase;
use koppel_store::{accounts, now};

#[tokio::test]
async fn concurrent_creations_stop_at_the_limit_and_none_gets_a_new_trial() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let signup = accounts::sign_up(&db, &Email::parse("many@shop.nl").unwrap(), "hash", "One", now())
        .await
        .unwrap();
    let attempts: Vec<_> = (0..10)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move { tenants::create_tenant(&db, signup.user_id, &format!("Shop {n}"), now()).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for attempt in attempts {
        outcomes.push(attempt.await.unwrap().unwrap());
    }
    let created: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(
        created.len(),
        COMPANIES_PER_HOUR - 1,
        "the sign-up's company counts: {outcomes:?}"
    );
    assert!(
        created.iter().all(|t| t.trial_ends_at == signup.trial_ends_at),
        "no new trial"
    );
    let owned = tenants::memberships_of(&db, signup.user_id).await.unwrap();
    assert_eq!(owned.len(), COMPANIES_PER_HOUR);
    // An hour later the user may open more, still without a new trial.
    let later = tenants::create_tenant(&db, signup.user_id, "Later", now() + Duration::minutes(61))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(later.trial_ends_at, signup.trial_ends_at);
}

#[tokio::test]
async fn a_company_opened_after_the_trial_ended_starts_without_one() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let long_ago = now() - Duration::days(30);
    let signup = accounts::sign_up(&db, &Email::parse("late@shop.nl").unwrap(), "hash", "Old", long_ago)
        .await
        .unwrap();
    let second = tenants::create_tenant(&db, signup.user_id, "New", now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.trial_ends_at, signup.trial_ends_at);
    assert!(second.trial_ends_at < now(), "the trial it shares is over");
    // Someone else's first company is a trial of its own.
    let other = accounts::sign_up(&db, &Email::parse("fresh@shop.nl").unwrap(), "hash", "Fresh", now())
        .await
        .unwrap();
    assert!(other.trial_ends_at > now() + Duration::days(13));
}

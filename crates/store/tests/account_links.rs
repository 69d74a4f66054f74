//! The links account mail carries (a signup's, a password reset's): each works until it expires and, for a
//! reset, exactly once even when used twice at the same moment (on SQLite and PostgreSQL).

use koppel_core::Email;
use koppel_store::test_support::TestDatabase;
use koppel_store::{accounts, now, password_resets, signup_requests};

#[tokio::test]
async fn a_signup_request_is_found_until_it_expires_or_is_used() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let email = Email::parse("pia@shop.nl").unwrap();
    signup_requests::insert(&db, "hash-1", &email, "argon2-hash", "Pia's", 1_000, 2_000)
        .await
        .unwrap();
    let found = signup_requests::find_open(&db, "hash-1", 1_999).await.unwrap().unwrap();
    assert_eq!((found.email.as_str(), found.company.as_str()), ("pia@shop.nl", "Pia's"));
    assert!(
        signup_requests::find_open(&db, "hash-1", 2_000)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(signup_requests::find_open(&db, "other", 1_500).await.unwrap().is_none());
    signup_requests::mark_used(&db, "hash-1", 1_500).await.unwrap();
    assert!(
        signup_requests::find_open(&db, "hash-1", 1_600)
            .await
            .unwrap()
            .is_none(),
        "used"
    );
}

#[tokio::test]
async fn a_password_reset_link_is_taken_once_and_not_after_it_expires() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let signup = accounts::sign_up(&db, &Email::parse("rob@shop.nl").unwrap(), "hash", "Rob", now())
        .await
        .unwrap();
    password_resets::insert(&db, "reset-1", signup.user_id, 1_000, 2_000)
        .await
        .unwrap();
    password_resets::insert(&db, "reset-2", signup.user_id, 1_000, 2_000)
        .await
        .unwrap();
    assert!(
        password_resets::take(&db, "reset-2", 2_001).await.unwrap().is_none(),
        "expired"
    );
    assert_eq!(
        password_resets::find_open(&db, "reset-1", 1_500).await.unwrap(),
        Some(signup.user_id)
    );
    let attempts: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { password_resets::take(&db, "reset-1", 1_500).await.unwrap() })
        })
        .collect();
    let mut taken = 0;
    for attempt in attempts {
        taken += usize::from(attempt.await.unwrap().is_some());
    }
    assert_eq!(taken, 1, "one of four uses at the same moment gets the link");
    assert!(
        password_resets::find_open(&db, "reset-1", 1_500)
            .await
            .unwrap()
            .is_none()
    );
}

//! Daily reconciliation through HTTP against a running router, over runs the job executor made on a real
//! database: the till's day against the books (JSON, page, CSV), a sale AFAS refused shows as missing, a price
//! changed in AFAS after booking shows as differing once "Check again with AFAS" has read it back, each linked
//! to its record with the warning on the record's page; another company sees none of it.

mod common;

use std::sync::Arc;

use common::fakes::{Fakes, execute, executor, run_orders, save_orders_flow};
use common::{PASSWORD, spawn_app};
use koppel_core::FlowKind;
use koppel_store::runs::{self, RunStatus};
use koppel_store::tenants;
use koppel_sync::model::{PaymentStatus, SourceOrder, VatMethod};
use koppel_testkit::{FakePos, FaultKind, Op, generated_order, stocked_erp};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::Value;

/// Paid anonymous Dutch till sales with prices incl. VAT at 21% and 9% (the wizard's settings map those two
/// rates), all on 1 November 2026.
fn till_sales(count: usize) -> Vec<SourceOrder> {
    let mapped_rates = |o: &SourceOrder| o.lines.iter().all(|line| !line.vat_percentage.is_zero());
    (0..400)
        .map(|i| generated_order(7, i))
        .filter(|o| o.payment_status == PaymentStatus::Paid && !o.cancelled && o.vat_method == VatMethod::Including)
        .filter(mapped_rates)
        .map(|o| SourceOrder {
            customer: None,
            vat_country: Some("NL".into()),
            ..o
        })
        .take(count)
        .collect()
}

fn dec(value: &Value) -> Decimal {
    value
        .as_str()
        .unwrap_or_else(|| panic!("money as a string: {value}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_day_of_the_till_against_the_books() {
    let app = spawn_app().await;
    let signup = app.api_signup("boekhouder@shop.nl", "Boeken").await;
    let token = app.api_token("boekhouder@shop.nl", PASSWORD).await;
    let db = app.state.db.clone();
    let user_id = signup["user_id"].as_str().unwrap().parse().unwrap();
    let tenant_id: koppel_core::TenantId = signup["tenant_id"].as_str().unwrap().parse().unwrap();
    let scope = tenants::resolve_scope(&db, user_id, tenant_id).await.unwrap().unwrap();
    save_orders_flow(&db, &scope).await;

    let sales = till_sales(6);
    assert_eq!(sales.len(), 6);
    let refused = sales[5].number.clone();
    let erp = stocked_erp();
    erp.switchboard
        .fail_key(Op::CreateOrder, &refused, FaultKind::Permanent, None);
    let fakes = Fakes(Arc::new(FakePos::with_orders(sales.clone())), Arc::new(erp));
    let executor = executor(&db, &fakes).await;
    run_orders(&executor, &db, &scope).await;

    let client = reqwest::Client::new();
    let api = |query: &str| {
        let request = client.get(app.url(&format!("/api/v1/reconciliation{query}")));
        request.bearer_auth(&token).send()
    };
    let body: Value = api("?from=2026-10-31&to=2026-11-01")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let days = body["days"].as_array().unwrap();
    assert_eq!(days.len(), 2, "every day of the range: {body:#}");
    assert_eq!(days[0]["date"], "2026-10-31");
    assert_eq!(days[0]["till_orders"], 0);
    let day = &days[1];
    assert_eq!(day["date"], "2026-11-01");
    assert_eq!(day["till_orders"], 6);
    let till_total: Decimal = sales.iter().map(|s| s.total_incl_vat).sum();
    assert_eq!(dec(&day["till_total_incl"]), till_total);
    assert_eq!(day["booked_orders"], 5);
    assert_eq!(
        dec(&day["booked_total_incl"]),
        till_total - sales[5].total_incl_vat,
        "AFAS holds every booked sale to the cent"
    );
    assert_eq!(dec(&day["difference"]), -sales[5].total_incl_vat);
    assert_eq!(day["missing"], serde_json::json!([refused]));
    assert_eq!(day["differing"], serde_json::json!([]), "{day:#}");
    let till_vat: Decimal = day["till_vat_by_rate"].as_object().unwrap().values().map(dec).sum();
    let booked_vat: Decimal = day["booked_vat_by_rate"].as_object().unwrap().values().map(dec).sum();
    assert!(till_vat > Decimal::ZERO);
    let refused_vat: Decimal = koppel_sync::sales::TillTotals::of(&sales[5]).vat();
    assert_eq!(
        booked_vat,
        till_vat - refused_vat,
        "AFAS's VAT is the till's, the refused sale aside"
    );

    // Someone changes a price in AFAS after booking; "Check again with AFAS" reads the day back.
    let changed = sales[0].number.clone();
    {
        let mut state = fakes.1.state.lock().unwrap();
        let order = state.orders.iter_mut().find(|(_, o)| o.reference == changed).unwrap();
        order.1.lines[0].unit_price += Decimal::new(1, 2);
        order.1.lines[0].discount_amount = None;
        order.1.lines[0].discount_percentage = Decimal::ZERO;
    }
    let browser = app.browser();
    app.log_in(&browser, "boekhouder@shop.nl", PASSWORD).await;
    let checked = app
        .post_form(
            &browser,
            &format!("/t/{tenant_id}/reconciliation/check"),
            &[("from", "2026-11-01"), ("to", "2026-11-01")],
        )
        .await;
    assert_eq!(checked.status(), StatusCode::SEE_OTHER);
    let queued = runs::recent(&db, &scope, FlowKind::Orders, 5).await.unwrap();
    let recheck = queued
        .iter()
        .find(|run| run.trigger_kind == "reconciliation")
        .expect("a run is queued");
    execute(&executor, &scope, recheck.id).await;
    let body: Value = api("?from=2026-11-01&to=2026-11-01")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let day = &body["days"][0];
    assert_eq!(day["differing"], serde_json::json!([changed]));
    assert_ne!(
        dec(&day["difference"]),
        -sales[5].total_incl_vat,
        "the change shows in the difference"
    );

    // The page links the sale to its record, whose page carries the warning; the run counts it.
    let page = app
        .get(
            &browser,
            &format!("/t/{tenant_id}/reconciliation?from=2026-11-01&to=2026-11-01"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("01-11-2026"), "Dutch dates");
    assert!(page.contains("Booked with another total or VAT"));
    let link_start = page
        .find(&format!(">{changed}</a>"))
        .expect("the differing sale is linked");
    let href = &page[..link_start];
    let href = &href[href.rfind("href=\"").unwrap() + 6..href.len() - 1];
    let record = app.get(&browser, href).await.text().await.unwrap();
    assert!(
        record.contains("booked, total differs by €"),
        "the warning on the record"
    );
    let run_page = app
        .get(&browser, &format!("/t/{tenant_id}/runs/{}", recheck.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(run_page.contains("1 booked sale differs from the till"), "{run_page}");
    let run_row = runs::get(&db, &scope, recheck.id).await.unwrap().unwrap();
    assert_eq!(
        run_row.status,
        RunStatus::Succeeded,
        "a difference warns, it does not fail the run"
    );

    // A read-only member sees the reconciliation but cannot make Koppel read AFAS again.
    let home = format!("/t/{tenant_id}");
    app.read_only_member(&browser, &home, "kijker@shop.nl").await;
    let viewer = app.browser();
    app.log_in(&viewer, "kijker@shop.nl", PASSWORD).await;
    let seen = app
        .get(&viewer, &format!("{home}/reconciliation?from=2026-11-01&to=2026-11-01"))
        .await;
    assert_eq!(seen.status(), StatusCode::OK);
    assert!(!seen.text().await.unwrap().contains("Check again with AFAS"));
    let by_viewer = app
        .post_form(
            &viewer,
            &format!("{home}/reconciliation/check"),
            &[("from", "2026-11-01"), ("to", "2026-11-01")],
        )
        .await;
    assert_eq!(by_viewer.status(), StatusCode::FORBIDDEN);

    // CSV: one line per day.
    let csv = app
        .get(
            &browser,
            &format!("/t/{tenant_id}/reconciliation.csv?from=2026-11-01&to=2026-11-01"),
        )
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("2026-11-01,6,"), "{csv}");
    assert!(lines[1].contains(&refused) && lines[1].contains(&changed), "{csv}");

    // Bad input is a clear 400; another company sees none of it.
    let bad = api("?from=01-11-2026").await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad: Value = bad.json().await.unwrap();
    assert!(bad["message"].as_str().unwrap().contains("YYYY-MM-DD"));
    assert_eq!(
        api("?from=2026-11-02&to=2026-11-01").await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    app.api_signup("ander@shop.nl", "Ander").await;
    let other = app.api_token("ander@shop.nl", PASSWORD).await;
    let theirs: Value = client
        .get(app.url("/api/v1/reconciliation?from=2026-11-01&to=2026-11-01"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["days"][0]["till_orders"], 0);
}

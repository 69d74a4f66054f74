//! Till receipts over SOAP: `getReceipts` pages by sync marker and filters, `getReceiptsByCashCount` answers
//! one drawer's day, and the amounts add up to the cent.

mod mplus_support;

use koppel_sandbox::SandboxConfig;
use koppel_sandbox::mplus::seed;
use koppel_sandbox::mplus::xml::Element;
use mplus_support::{Mplus, at, number, x};
use serde_json::json;

async fn receipts(mplus: &Mplus, request: String) -> Vec<Element> {
    let answer = mplus.call(&x("getReceipts", x("request", request))).await;
    at(answer.ok(), "receiptList").children.clone()
}

fn markers(receipts: &[Element]) -> Vec<i64> {
    receipts.iter().map(|r| number(r, "syncMarker")).collect()
}

#[tokio::test]
async fn get_receipts_pages_by_sync_marker_and_filters() {
    let mplus = Mplus::start().await;
    let config = SandboxConfig::default();
    let expected = seed::receipt_count(config.orders as u64) as i64;
    let page = |from: i64, limit: i64| format!("{}{}", x("syncMarker", from), x("syncMarkerLimit", limit));
    assert_eq!(markers(&receipts(&mplus, page(5, 3)).await), [5, 6, 7]);
    let all = receipts(&mplus, page(0, 10_000)).await;
    assert_eq!(markers(&all), (1..=expected).collect::<Vec<_>>());
    assert!(receipts(&mplus, page(expected + 1, 10)).await.is_empty());
    // Lines only when asked for.
    assert!(all.iter().all(|r| r.child("lineList").is_none()));
    let synced = mplus.call("<ns1:getCurrentSyncMarkers/>").await;
    assert_eq!(number(synced.ok(), "receiptSyncMarker"), expected);

    let branch = receipts(&mplus, format!("{}{}", page(0, 10_000), x("branchNumbers", 3))).await;
    assert!(!branch.is_empty() && branch.len() < all.len());
    assert!(branch.iter().all(|r| number(r, "financialBranchNumber") == 3));

    let with_lines = receipts(&mplus, format!("{}{}", page(0, 10_000), x("includeLineList", "true"))).await;
    let mut paid_sales = 0;
    for receipt in &with_lines {
        let lines: i64 = receipt
            .child("lineList")
            .map(|list| {
                list.children
                    .iter()
                    .map(|l| number(at(l, "data"), "totalInclAmount"))
                    .sum()
            })
            .unwrap_or_default();
        assert_eq!(lines, number(receipt, "totalInclAmount"));
        let vat: i64 = at(receipt, "vatGroupList")
            .children
            .iter()
            .map(|g| number(g, "exclAmount") + number(g, "vatAmount"))
            .sum();
        assert_eq!(vat, lines, "VAT groups add up to the total");
        if receipt.text_of("receiptType") == Some("RECEIPT-TYPE-RECEIPT")
            && receipt.text_of("state") == Some("RECEIPT-STATE-PAID")
        {
            paid_sales += 1;
            assert_eq!(number(receipt, "paidAmount"), lines);
            let paid: i64 = at(receipt, "paymentList")
                .children
                .iter()
                .map(|p| number(p, "amount"))
                .sum();
            assert_eq!(paid, lines);
        }
    }
    assert!(paid_sales > expected / 2);
    // Anonymous counter sales and sales to a relation both occur.
    assert!(with_lines.iter().any(|r| r.child("relationNumber").is_none()));
    assert!(with_lines.iter().any(|r| r.child("relationNumber").is_some()));
}

#[tokio::test]
async fn get_receipts_by_cash_count_answers_one_drawers_day() {
    let mplus = Mplus::start().await;
    let config = SandboxConfig::default();
    let shop = seed::generate(config.seed, config.orders);
    let first = &shop.receipts[0];
    let request = |id: &str| x("getReceiptsByCashCount", x("request", x("cashCountId", id)));
    let answer = mplus.call(&request(&first.cash_count_id)).await;
    assert_eq!(
        answer.ok().text_of("result"),
        Some("GET-RECEIPTS-BY-CASH-COUNT-RESULT-OK")
    );
    let found = &at(answer.ok(), "receiptList").children;
    let expected: Vec<&str> = shop
        .receipts
        .iter()
        .filter(|r| {
            r.branch == first.branch && r.workplace == first.workplace && r.financial_date == first.financial_date
        })
        .map(|r| r.receipt_id.as_str())
        .collect();
    let ids: Vec<&str> = found.iter().map(|r| r.text_of("receiptId").unwrap()).collect();
    assert_eq!(ids, expected);
    assert!(
        found
            .iter()
            .all(|r| r.child("lineList").is_some() || r.text_of("receiptType") != Some("RECEIPT-TYPE-RECEIPT"))
    );

    let missing = mplus.call(&request("no-such-cash-count")).await;
    assert_eq!(
        missing.ok().text_of("result"),
        Some("GET-RECEIPTS-BY-CASH-COUNT-RESULT-NOT-FOUND")
    );
}

#[tokio::test]
async fn paying_a_parked_receipt_moves_it_to_a_new_sync_marker() {
    let mplus = Mplus::start().await;
    let config = SandboxConfig::default();
    let shop = seed::generate(config.seed, config.orders);
    let parked = shop
        .receipts
        .iter()
        .find(|r| r.state == koppel_sandbox::mplus::model::ReceiptState::Outstanding)
        .expect("parked receipts");
    let high = shop.receipts.len() as i64;
    let (status, paid) = mplus
        .control("receipt-paid", json!({"receiptId": parked.receipt_id}))
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["syncMarker"], high + 1);
    assert_eq!(paid["state"], "RECEIPT-STATE-PAID");
    let page = format!("{}{}", x("syncMarker", high + 1), x("includeLineList", "true"));
    let moved = receipts(&mplus, page).await;
    assert_eq!(moved.len(), 1);
    assert_eq!(number(&moved[0], "paidAmount"), number(&moved[0], "totalInclAmount"));
    assert!(
        !markers(&receipts(&mplus, x("syncMarkerLimit", 10_000)).await).contains(&parked.sync_marker),
        "its old marker is gone"
    );
    let synced = mplus.call("<ns1:getCurrentSyncMarkers/>").await;
    assert_eq!(number(synced.ok(), "receiptSyncMarker"), high + 1);

    let (status, _) = mplus
        .control("receipt-paid", json!({"receiptId": parked.receipt_id}))
        .await;
    assert_eq!(status, 400, "a paid receipt cannot be paid again");
    let (status, _) = mplus.control("receipt-paid", json!({"receiptId": "nope"})).await;
    assert_eq!(status, 404);
}

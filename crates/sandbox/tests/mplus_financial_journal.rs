//! The financial journal over SOAP agrees with the till receipts (`getReceipts`) to the cent: per financial day
//! and branch the turnover per VAT code is the receipts' VAT totals, the payments per method are the receipts'
//! payments, and turnover + cash in == payments + cash out + suspense.

mod mplus_support;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use koppel_sandbox::mplus::model::parse_date;
use koppel_sandbox::mplus::xml::Element;
use mplus_support::{Mplus, at, number, x};
use serde_json::json;

type Day = (NaiveDate, i64);

fn date(element: &Element, name: &str) -> NaiveDate {
    parse_date(at(element, name)).unwrap_or_else(|| panic!("{name} is a date"))
}

fn date_xml(name: &str, day: NaiveDate) -> String {
    use chrono::Datelike;
    x(
        name,
        format!(
            "{}{}{}",
            x("day", day.day()),
            x("mon", day.month()),
            x("year", day.year())
        ),
    )
}

async fn all_receipts(mplus: &Mplus) -> Vec<Element> {
    let request = format!("{}{}", x("syncMarkerLimit", 100_000), x("includeLineList", "true"));
    let answer = mplus.call(&x("getReceipts", x("request", request))).await;
    at(answer.ok(), "receiptList").children.clone()
}

async fn journal(mplus: &Mplus, from: NaiveDate, through: NaiveDate) -> Element {
    let request = format!(
        "{}{}",
        date_xml("fromFinancialDate", from),
        date_xml("throughFinancialDate", through)
    );
    mplus
        .call(&x("getFinancialJournal", x("request", request)))
        .await
        .ok()
        .clone()
}

fn groups(journal: &Element) -> &[Element] {
    &at(journal, "financialGroupList").children
}

fn list<'a>(element: &'a Element, name: &str) -> &'a [Element] {
    element.child(name).map(|l| l.children.as_slice()).unwrap_or_default()
}

/// Per day and branch: turnover + inflow − payments − outflow − suspense (must be 0).
fn imbalances(groups: &[Element]) -> BTreeMap<Day, i64> {
    let mut sums: BTreeMap<Day, i64> = BTreeMap::new();
    for group in groups {
        let sign = match group.text_of("financialGroupType").unwrap() {
            "FINANCIAL-GROUP-TYPE-TURNOVER" | "FINANCIAL-GROUP-TYPE-CASH-INFLOW" => 1,
            "FINANCIAL-GROUP-TYPE-PAYMENT"
            | "FINANCIAL-GROUP-TYPE-CASH-OUTFLOW"
            | "FINANCIAL-GROUP-TYPE-SUSPENSE-ACCOUNT" => -1,
            other => panic!("unexpected group type {other}"),
        };
        let day = (date(group, "fromFinancialDate"), number(group, "branchNumber"));
        *sums.entry(day).or_default() += sign * number(group, "inclAmount");
    }
    sums
}

fn of_type<'a>(groups: &'a [Element], kind: &'a str) -> impl Iterator<Item = &'a Element> {
    groups
        .iter()
        .filter(move |g| g.text_of("financialGroupType") == Some(kind))
}

#[tokio::test]
async fn the_journal_balances_per_day_and_branch_and_agrees_with_the_receipts() {
    let mplus = Mplus::start().await;
    let receipts = all_receipts(&mplus).await;
    let first = receipts.iter().map(|r| date(r, "financialDate")).min().unwrap();
    let last = receipts.iter().map(|r| date(r, "financialDate")).max().unwrap();
    let answer = journal(&mplus, first, last).await;
    let groups = groups(&answer);
    assert!(!groups.is_empty());
    // The seeded days are in the past: all closed.
    assert_eq!(answer.text_of("financialPeriodClosed"), Some("true"));

    // What the receipts say, per day and branch, leaving out parked ones.
    let mut vat: BTreeMap<(Day, i64), (i64, i64)> = BTreeMap::new();
    let mut turnover: BTreeMap<(Day, i64), i64> = BTreeMap::new();
    let mut payments: BTreeMap<(Day, String), i64> = BTreeMap::new();
    let mut open: BTreeMap<Day, i64> = BTreeMap::new();
    let mut cash: BTreeMap<(Day, String), i64> = BTreeMap::new();
    for receipt in receipts
        .iter()
        .filter(|r| r.text_of("state") != Some("RECEIPT-STATE-OUTSTANDING"))
    {
        let day = (date(receipt, "financialDate"), number(receipt, "financialBranchNumber"));
        for group in list(receipt, "vatGroupList") {
            let sums = vat.entry((day, number(group, "vatCode"))).or_default();
            sums.0 += number(group, "exclAmount");
            sums.1 += number(group, "vatAmount");
        }
        for line in list(receipt, "lineList") {
            let data = at(line, "data");
            *turnover.entry((day, number(data, "turnoverGroup"))).or_default() += number(data, "totalInclAmount");
        }
        for payment in list(receipt, "paymentList") {
            let paid_on = (date(payment, "financialDate"), day.1);
            let method = payment.text_of("method").unwrap().to_owned();
            *payments.entry((paid_on, method)).or_default() += number(payment, "amount");
        }
        match receipt.text_of("receiptType").unwrap() {
            "RECEIPT-TYPE-CASH-INFLOW" => *cash.entry((day, "IN".into())).or_default() += number(receipt, "paidAmount"),
            "RECEIPT-TYPE-CASH-OUTFLOW" => {
                *cash.entry((day, "OUT".into())).or_default() -= number(receipt, "paidAmount")
            }
            _ => {}
        }
        if receipt.text_of("state") == Some("RECEIPT-STATE-PARTLY-PAID") {
            *open.entry(day).or_default() += number(receipt, "totalInclAmount") - number(receipt, "paidAmount");
        }
    }
    assert!(
        !open.is_empty() && !cash.is_empty(),
        "the seed has partly paid receipts and cash movements"
    );

    let shop = seeded_shop();
    let mut journal_vat: BTreeMap<(Day, i64), (i64, i64)> = BTreeMap::new();
    let mut journal_turnover = BTreeMap::new();
    for group in of_type(groups, "FINANCIAL-GROUP-TYPE-TURNOVER") {
        let day = (date(group, "fromFinancialDate"), number(group, "branchNumber"));
        journal_turnover.insert(
            (day, number(group, "financialGroupNumber")),
            number(group, "inclAmount"),
        );
        let mut vat_sum = 0;
        for entry in list(group, "vatGroupList") {
            let sums = journal_vat.entry((day, number(entry, "vatCode"))).or_default();
            sums.0 += number(entry, "exclAmount");
            sums.1 += number(entry, "vatAmount");
            vat_sum += number(entry, "exclAmount") + number(entry, "vatAmount");
            let account = shop
                .vat_groups
                .iter()
                .find(|g| {
                    Some(g.country_iso3.as_str()) == entry.text_of("countryIso3")
                        && i64::from(g.vat_code) == number(entry, "vatCode")
                })
                .map(|g| i64::from(g.account_number));
            assert_eq!(Some(number(entry, "accountNumber")), account, "the VAT group's account");
        }
        assert_eq!(
            vat_sum,
            number(group, "inclAmount"),
            "a turnover group's VAT adds up to its amount"
        );
        assert_eq!(
            number(group, "inclAmount") - number(group, "exclAmount"),
            list(group, "vatGroupList")
                .iter()
                .map(|e| number(e, "vatAmount"))
                .sum::<i64>()
        );
    }
    assert_eq!(
        journal_vat, vat,
        "turnover per VAT code == the receipts' vatGroupList, per day and branch"
    );
    assert_eq!(
        journal_turnover, turnover,
        "turnover per turnover group == the receipts' lines"
    );

    let journal_payments: BTreeMap<(Day, String), i64> = of_type(groups, "FINANCIAL-GROUP-TYPE-PAYMENT")
        .map(|g| {
            let day = (date(g, "fromFinancialDate"), number(g, "branchNumber"));
            (
                (day, g.text_of("financialGroupId").unwrap().to_owned()),
                number(g, "inclAmount"),
            )
        })
        .collect();
    assert_eq!(
        journal_payments, payments,
        "payments per method == the receipts' payments"
    );

    let journal_open: BTreeMap<Day, i64> = of_type(groups, "FINANCIAL-GROUP-TYPE-SUSPENSE-ACCOUNT")
        .map(|g| {
            assert_eq!(number(g, "accountNumber"), 1300);
            (
                (date(g, "fromFinancialDate"), number(g, "branchNumber")),
                number(g, "inclAmount"),
            )
        })
        .collect();
    assert_eq!(
        journal_open, open,
        "the suspense holds what partly paid receipts still owe"
    );

    let mut journal_cash: BTreeMap<(Day, String), i64> = BTreeMap::new();
    for (kind, key) in [
        ("FINANCIAL-GROUP-TYPE-CASH-INFLOW", "IN"),
        ("FINANCIAL-GROUP-TYPE-CASH-OUTFLOW", "OUT"),
    ] {
        for g in of_type(groups, kind) {
            let day = (date(g, "fromFinancialDate"), number(g, "branchNumber"));
            journal_cash.insert((day, key.to_owned()), number(g, "inclAmount"));
        }
    }
    assert_eq!(journal_cash, cash);

    let imbalances = imbalances(groups);
    assert!(imbalances.len() > 10, "many days and branches");
    for (day, imbalance) in imbalances {
        assert_eq!(
            imbalance, 0,
            "turnover + cash in == payments + cash out + suspense on {day:?}"
        );
    }
    for group in groups {
        assert_eq!(date(group, "fromFinancialDate"), date(group, "throughFinancialDate"));
        assert_eq!(
            group.text_of("financialGroupSource"),
            Some("FINANCIAL-GROUP-SOURCE-RECEIPT")
        );
        assert_eq!(group.text_of("financialPeriodClosed"), Some("true"));
        assert!(group.child("workplaceNumbers").is_some());
    }
}

#[tokio::test]
async fn a_later_payment_books_today_releases_the_suspense_and_today_is_open() {
    let mplus = Mplus::start().await;
    let receipts = all_receipts(&mplus).await;
    let partly = receipts
        .iter()
        .find(|r| r.text_of("state") == Some("RECEIPT-STATE-PARTLY-PAID"))
        .expect("the seed has partly paid receipts");
    let due = number(partly, "totalInclAmount") - number(partly, "paidAmount");
    let (status, body) = mplus
        .control(
            "receipt-paid",
            json!({"receiptId": partly.text_of("receiptId").unwrap()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // The sandbox's "today" is Europe/Amsterdam's: UTC's yesterday through tomorrow covers it.
    let today = chrono::Utc::now().date_naive();
    let answer = journal(&mplus, today.pred_opt().unwrap(), today.succ_opt().unwrap()).await;
    assert_eq!(answer.text_of("financialPeriodClosed"), Some("false"));
    let groups = groups(&answer);
    let branch = number(partly, "financialBranchNumber");
    let paid_today: Vec<&Element> = of_type(groups, "FINANCIAL-GROUP-TYPE-PAYMENT")
        .filter(|g| number(g, "branchNumber") == branch && g.text_of("financialGroupId") == Some("PIN"))
        .collect();
    assert_eq!(paid_today.len(), 1);
    assert_eq!(number(paid_today[0], "inclAmount"), due);
    assert_eq!(paid_today[0].text_of("financialPeriodClosed"), Some("false"));
    let released: i64 = of_type(groups, "FINANCIAL-GROUP-TYPE-SUSPENSE-ACCOUNT")
        .filter(|g| number(g, "branchNumber") == branch)
        .map(|g| number(g, "inclAmount"))
        .sum();
    assert_eq!(
        released, -due,
        "the open part leaves the suspense account on the day it is paid"
    );
    assert!(imbalances(groups).values().all(|v| *v == 0));

    // The receipt's own (closed) day still balances: its open part stays in the suspense there.
    let day = date(partly, "financialDate");
    let that_day = journal(&mplus, day, day).await;
    assert_eq!(that_day.text_of("financialPeriodClosed"), Some("true"));
    assert!(
        imbalances(&that_day.child("financialGroupList").unwrap().children)
            .values()
            .all(|v| *v == 0)
    );
}

#[tokio::test]
async fn the_journal_of_a_cash_count_is_that_drawers_day() {
    let mplus = Mplus::start().await;
    let receipts = all_receipts(&mplus).await;
    let shop = seeded_shop();
    let seeded = shop
        .receipts
        .iter()
        .find(|r| r.lines.len() > 1 && r.state == koppel_sandbox::mplus::model::ReceiptState::Paid)
        .unwrap();
    let request = |id: &str| x("getFinancialJournalByCashCount", x("request", x("cashCountId", id)));
    let answer = mplus.call(&request(&seeded.cash_count_id)).await;
    let groups = groups(answer.ok());
    let expected: i64 = receipts
        .iter()
        .filter(|r| {
            shop.receipts.iter().any(|s| {
                s.cash_count_id == seeded.cash_count_id && Some(s.receipt_id.as_str()) == r.text_of("receiptId")
            }) && r.text_of("state") != Some("RECEIPT-STATE-OUTSTANDING")
                && r.text_of("receiptType") == Some("RECEIPT-TYPE-RECEIPT")
        })
        .map(|r| number(r, "totalInclAmount"))
        .sum();
    let turnover: i64 = of_type(groups, "FINANCIAL-GROUP-TYPE-TURNOVER")
        .map(|g| number(g, "inclAmount"))
        .sum();
    assert_eq!(turnover, expected);
    assert!(
        groups
            .iter()
            .all(|g| number(g, "workplaceNumbers") == i64::from(seeded.workplace))
    );
    assert!(imbalances(groups).values().all(|v| *v == 0));
    let missing = mplus.call(&request("no-such-cash-count")).await;
    assert!(groups_empty(missing.ok()));
}

fn seeded_shop() -> koppel_sandbox::mplus::seed::Shop {
    let config = koppel_sandbox::SandboxConfig::default();
    koppel_sandbox::mplus::seed::generate(config.seed, config.orders)
}

fn groups_empty(journal: &Element) -> bool {
    groups(journal).is_empty()
}

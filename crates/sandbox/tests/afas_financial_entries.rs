//! AFAS simulator, financial entries (`FiEntries`, root `FiEntryPar`): a balanced entry is numbered and shows
//! line by line in `Profit_Transactions`; every refused entry (out of balance, unknown journal, unknown or
//! blocked account, unknown VAT code, date outside the period, too many decimals, unknown field) leaves
//! nothing behind; the journals and the chart of accounts are listed.

mod afas_support;

use afas_support::{Afas, expect_created, expect_profit_error};
use serde_json::{Value, json};

fn line(account: &str, debit: f64, credit: f64, vat: Option<&str>) -> Value {
    let mut fields = json!({"EnNo": 1, "VaAs": "1", "AcNr": account, "EnDa": "2026-12-03", "BpDa": "2026-12-03",
                            "BpNr": "MPLUS-20261203-1", "Ds": "Kassa 3 december", "AmDe": debit, "AmCr": credit});
    if let Some(vat) = vat {
        fields["VaId"] = json!(vat);
    }
    json!({"Fields": fields})
}

fn entry(journal: &str, period: u32, lines: Vec<Value>) -> Value {
    json!({"FiEntryPar": {"Element": {
        "Fields": {"Year": 2026, "Peri": period, "UnId": 1, "JoCo": journal},
        "Objects": [{"FiEntries": {"Element": lines}}]
    }}})
}

/// A till's day: pin and cash debited, revenue high and low credited with their VAT.
fn till_day() -> Vec<Value> {
    vec![
        line("1010", 121.0, 0.0, None),
        line("1000", 10.9, 0.0, None),
        line("8000", 0.0, 100.0, Some("1")),
        line("1500", 0.0, 21.0, Some("1")),
        line("8010", 0.0, 10.0, Some("2")),
        line("1510", 0.0, 0.9, Some("2")),
    ]
}

async fn transactions(afas: &Afas) -> Vec<Value> {
    afas.rows("Profit_Transactions", "skip=0&take=100").await
}

#[tokio::test]
async fn a_balanced_entry_is_numbered_and_listed_per_line() {
    let afas = Afas::start().await;
    let body = entry("90", 12, till_day());
    koppel_afas::schema::validate("FiEntries", "POST", &body).expect("the test body is schema-valid");
    let keys = expect_created(afas.post("FiEntries", body).await, "FiEntries").await;
    assert_eq!(keys, json!({"EnNo": "1", "UnId": "1"}));

    let rows = afas
        .rows(
            "Profit_Transactions",
            "filterfieldids=VoucherNo&filtervalues=MPLUS-20261203-1&operatortypes=1",
        )
        .await;
    assert_eq!(rows.len(), 6);
    let first = &rows[0];
    assert_eq!(first["EntryNo"], 1);
    assert_eq!(first["SeqNo"], 1);
    assert_eq!(first["UnitId"], 1);
    assert_eq!(first["Year"], 2026);
    assert_eq!(first["Period"], 12);
    assert_eq!(first["JournalId"], "90");
    assert_eq!(first["AccountNo"], "1010");
    assert_eq!(first["AmtDebit"], 121.0);
    assert_eq!(first["AmtCredit"], 0.0);
    assert_eq!(first["EntryDate"], "2026-12-03T00:00:00Z");
    assert_eq!(first["VoucherDate"], "2026-12-03T00:00:00Z");
    assert_eq!(first["Description"], "Kassa 3 december");
    let vat_line = &rows[3];
    assert_eq!(
        (vat_line["AccountNo"].as_str(), vat_line["VatCode"].as_str()),
        (Some("1500"), Some("1"))
    );
    assert_eq!(vat_line["VatAmt"], 21.0);
    assert_eq!(rows[2]["VatAmt"], 0.0, "a revenue line books no VAT itself");

    // The next entry gets the next number; a voucher number may repeat (no source says Profit refuses it).
    let again = expect_created(afas.post("FiEntries", entry("90", 12, till_day())).await, "FiEntries").await;
    assert_eq!(again["EnNo"], "2");
    assert_eq!(transactions(&afas).await.len(), 12);
}

#[tokio::test]
async fn refused_entries_leave_nothing_behind() {
    let afas = Afas::start().await;
    let unbalanced = {
        let mut lines = till_day();
        lines[0] = line("1010", 121.01, 0.0, None);
        lines
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            entry("90", 12, unbalanced),
            "The journal entry is not in balance. Debit: 131.91, credit: 131.9, difference: 0.01.",
        ),
        (
            entry("55", 12, till_day()),
            "The entered value for 'Journal' does not exist. Value: '55'.",
        ),
        (
            entry(
                "90",
                12,
                vec![line("7777", 1.0, 0.0, None), line("8000", 0.0, 1.0, None)],
            ),
            "The entered value for 'Account number' does not exist. Value: '7777'.",
        ),
        (
            entry(
                "90",
                12,
                vec![line("0999", 1.0, 0.0, None), line("1000", 0.0, 1.0, None)],
            ),
            "Account '0999' is blocked.",
        ),
        (
            entry(
                "90",
                12,
                vec![line("1000", 1.0, 0.0, None), line("8000", 0.0, 1.0, Some("X9"))],
            ),
            "The entered value for 'VAT code' does not exist. Value: 'X9'.",
        ),
        (
            entry("90", 11, till_day()),
            "The entry date '2026-12-03' is not in period 11 of financial year 2026.",
        ),
        (
            entry("90", 13, till_day()),
            "Period 13 does not exist in financial year 2026.",
        ),
        (
            entry(
                "90",
                12,
                vec![line("1000", 1.005, 0.0, None), line("8000", 0.0, 1.005, None)],
            ),
            "The amount 1.005 (AmDe) has more than 2 decimals.",
        ),
    ];
    for (body, message) in cases {
        let refused = expect_profit_error(afas.post("FiEntries", body).await).await;
        assert_eq!(refused, message);
        assert!(transactions(&afas).await.is_empty(), "nothing stored after: {message}");
    }
    // An unknown debtor on a debtor line.
    let mut debtor_line = line("99999", 1.0, 0.0, None);
    debtor_line["Fields"]["VaAs"] = json!("2");
    let refused = expect_profit_error(
        afas.post(
            "FiEntries",
            entry("90", 12, vec![debtor_line, line("8000", 0.0, 1.0, None)]),
        )
        .await,
    )
    .await;
    assert_eq!(
        refused,
        "The entered value for 'Debtor' does not exist. Value: '99999'."
    );

    // The refusals did not use up entry numbers.
    let keys = expect_created(afas.post("FiEntries", entry("90", 12, till_day())).await, "FiEntries").await;
    assert_eq!(keys["EnNo"], "1");
}

#[tokio::test]
async fn a_debtor_line_books_on_an_existing_debtor() {
    let afas = Afas::start().await;
    let mut debtor_line = line("10000", 12.1, 0.0, None);
    debtor_line["Fields"]["VaAs"] = json!("2");
    let body = entry(
        "70",
        12,
        vec![
            debtor_line,
            line("8000", 0.0, 10.0, Some("1")),
            line("1500", 0.0, 2.1, Some("1")),
        ],
    );
    expect_created(afas.post("FiEntries", body).await, "FiEntries").await;
    assert_eq!(transactions(&afas).await.len(), 3);
}

#[tokio::test]
async fn unknown_fields_and_the_wrong_root_are_refused_by_the_schema() {
    let afas = Afas::start().await;
    let mut body = entry("90", 12, till_day());
    body["FiEntryPar"]["Element"]["Objects"][0]["FiEntries"]["Element"][0]["Fields"]["Nonsense"] = json!(1);
    let refused = expect_profit_error(afas.post("FiEntries", body).await).await;
    assert!(
        refused.starts_with("The data sent does not match UpdateConnector 'FiEntries'") && refused.contains("Nonsense"),
        "{refused}"
    );
    // The connector's name is not the root of its body.
    let misnamed = json!({"FiEntries": entry("90", 12, till_day())["FiEntryPar"].clone()});
    let response = afas.post("FiEntries", misnamed).await;
    assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST);
    assert!(transactions(&afas).await.is_empty());
}

#[tokio::test]
async fn journals_and_ledger_accounts_are_listed() {
    let afas = Afas::start().await;
    let journals = afas.rows("Profit_Journals", "skip=0&take=100").await;
    let codes: Vec<&str> = journals.iter().filter_map(|row| row["JournalId"].as_str()).collect();
    assert_eq!(codes, ["10", "20", "70", "90"]);
    assert_eq!(journals[3]["Description"], "Memoriaal");
    let accounts = afas.rows("Profit_Accounts", "skip=0&take=200").await;
    let account = |number: &str| {
        accounts
            .iter()
            .find(|row| row["Account"] == number)
            .cloned()
            .unwrap_or_else(|| panic!("account {number} is listed"))
    };
    for number in [
        "1000", "1010", "1020", "1030", "1040", "1100", "1300", "1310", "1500", "1510", "8000", "8900",
    ] {
        assert_eq!(account(number)["Blocked"], false, "{number}");
    }
    assert_eq!(account("0999")["Blocked"], true);
    assert_eq!(account("8000")["VatCode"], "1");
    // The UpdateConnector's metainfo describes the `FiEntryPar` fields.
    let response = afas.get("/metainfo/update/FiEntries").await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let metainfo: Value = response.json().await.unwrap();
    let mut mandatory: Vec<&str> = metainfo["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|field| field["mandatory"] == true)
        .filter_map(|field| field["fieldId"].as_str())
        .collect();
    // Field order follows serde_json's map order, which other crates' features change: compare sorted.
    mandatory.sort_unstable();
    assert_eq!(mandatory, ["JoCo", "Peri", "Year"]);
    // Every VAT code's account is in the chart, so a VAT line never fails on its account.
    let vat_codes = afas.rows("Profit_VAT_code", "skip=0&take=100").await;
    for vat in vat_codes {
        if let Some(number) = vat["AccountNr"].as_str().filter(|n| !n.is_empty()) {
            account(number);
        }
    }
}

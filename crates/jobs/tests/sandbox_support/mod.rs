//! The sandbox world the adapter tests run in: both simulators over real sockets, the real clients and
//! adapters, wizard-like settings, and helpers to read what the simulators received.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use koppel_afas::{AfasClient, Environment, GetQuery, RetryPolicy};
use koppel_core::FlowKind;
use koppel_jobs::connect::{AfasTarget, ClientOptions, MplusSource, afas_client, mplus_client};
use koppel_jobs::credentials::{self, AfasCredentials, ConnectionTest, MplusCredentials};
use koppel_sandbox::control::JournalEntry;
use koppel_sandbox::mplus::model::{Order, OrderType, Receipt, ReceiptState, ReceiptType};
use koppel_sandbox::mplus::seed::SHIPPING_ARTICLE;
use koppel_sandbox::{Sandbox, SandboxConfig};
use koppel_store::secrets::SecretBox;
use koppel_store::{Db, TenantScope};
use koppel_sync::engine::{RunError, RunReport, run_flow};
use koppel_sync::ports::Journal;
use koppel_sync::settings::{CompanySettings, FlowSettings, ValueMap};
use rust_decimal::Decimal;
use serde_json::{Value, json};

pub const SEED: u64 = 42;
pub const WAREHOUSE: &str = "01";
pub const SHIPPING_ITEM: &str = "VERZEND";

/// Both simulators and the clients that talk to them.
pub struct World {
    pub sandbox: Sandbox,
    pub afas: Arc<AfasClient>,
    pub mplus: Arc<koppel_mplus::MplusClient>,
    pub http: reqwest::Client,
    pub seed: u64,
    pub orders: usize,
}

/// Quick retries and a short timeout, so fault tests take seconds.
pub fn test_options() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_millis(1_500),
        connect_timeout: Duration::from_secs(2),
        afas_retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(2),
        },
    }
}

impl World {
    pub async fn start(orders: usize) -> Self {
        Self::start_seeded(SEED, orders).await
    }

    /// A sandbox whose shop is generated from `seed`.
    pub async fn start_seeded(seed: u64, orders: usize) -> Self {
        let config = SandboxConfig {
            seed,
            orders,
            ..SandboxConfig::default()
        };
        let sandbox = Sandbox::start_local(config).await.expect("sandbox starts");
        let options = test_options();
        let afas_credentials = afas_credentials(&sandbox);
        let afas = afas_client(
            Environment::with_base_url(&sandbox.afas_url()),
            &afas_credentials,
            &options,
        )
        .expect("AFAS client");
        let mplus = mplus_client(&mplus_credentials(&sandbox), &options).expect("MplusKASSA client");
        Self {
            sandbox,
            afas: Arc::new(afas),
            mplus: Arc::new(mplus),
            http: reqwest::Client::new(),
            seed,
            orders,
        }
    }

    pub fn source(&self, settings: &FlowSettings) -> MplusSource {
        MplusSource::for_settings(self.mplus.clone(), settings)
    }

    /// A fresh target, as every run gets one.
    pub fn target(&self, _settings: &FlowSettings) -> AfasTarget {
        AfasTarget::new(self.afas.clone())
    }

    pub async fn run(
        &self,
        flow: FlowKind,
        settings: &FlowSettings,
        journal: &impl Journal,
    ) -> Result<RunReport, RunError> {
        run_flow(flow, settings, &self.source(settings), &self.target(settings), journal).await
    }

    /// Runs the flow again until it ends without a transient stop, as the job queue would (waiting what the
    /// stop asked for); returns every stop met on the way.
    pub async fn run_until_done(
        &self,
        flow: FlowKind,
        settings: &FlowSettings,
        journal: &impl Journal,
    ) -> Vec<RunError> {
        let mut stops = Vec::new();
        for _ in 0..30 {
            match self.run(flow, settings, journal).await {
                Ok(_) => return stops,
                Err(RunError::Transient { message, retry_after }) => {
                    tokio::time::sleep(
                        retry_after
                            .unwrap_or(Duration::from_millis(200))
                            .min(Duration::from_secs(2)),
                    )
                    .await;
                    stops.push(RunError::Transient { message, retry_after });
                }
                Err(other) => panic!("the run failed: {other}"),
            }
        }
        panic!("the flow did not finish in 30 runs: {stops:?}");
    }

    fn control(&self, system: System, path: &str) -> String {
        let base = match system {
            System::Afas => self.sandbox.afas_url(),
            System::Mplus => self.sandbox.mplus_url().trim_end_matches('/').to_owned(),
        };
        format!("{base}/_sandbox/{path}")
    }

    /// What the simulator received since its journal was last cleared.
    pub async fn journal(&self, system: System) -> Vec<JournalEntry> {
        let response = self.http.get(self.control(system, "journal")).send().await.unwrap();
        response.json().await.unwrap()
    }

    pub async fn clear_journal(&self, system: System) {
        self.http.delete(self.control(system, "journal")).send().await.unwrap();
    }

    /// Adds one fault rule (`{"operation": .., "kind": .., "times": ..}`).
    pub async fn fault(&self, system: System, rule: Value) {
        let response = self
            .http
            .post(self.control(system, "faults"))
            .json(&rule)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{rule}");
    }

    pub async fn clear_faults(&self, system: System) {
        self.http.delete(self.control(system, "faults")).send().await.unwrap();
    }

    pub async fn post_control(&self, system: System, path: &str, body: Value) {
        let response = self
            .http
            .post(self.control(system, path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
    }

    /// Sends an UpdateConnector body to AFAS (`POST` inserts, `PUT` updates) as its users' other software would
    /// (201 expected).
    pub async fn write_afas(&self, method: reqwest::Method, connector: &str, body: Value) {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD.encode(self.sandbox.config.afas_token_xml());
        let url = format!("{}/ProfitRestServices/connectors/{connector}", self.sandbox.afas_url());
        let response = self
            .http
            .request(method, url)
            .header("Authorization", format!("AfasToken {token}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            status.is_success(),
            "{connector}: {status} {}",
            response.text().await.unwrap_or_default()
        );
    }

    /// How many calls of `operation` the MplusKASSA simulator received since its journal was cleared.
    pub async fn till_calls(&self, operation: &str) -> usize {
        self.journal(System::Mplus)
            .await
            .into_iter()
            .filter(|entry| entry.operation.as_deref() == Some(operation))
            .count()
    }

    /// Every row of an AFAS GetConnector.
    pub async fn rows(&self, connector: &str, order_by: &str) -> Vec<Value> {
        let query = GetQuery::new(connector, [order_by]).page_size(1_000);
        self.afas.get_all(query).await.expect("AFAS rows")
    }

    /// AFAS's orders by reference (`RfCs`): how many times each reference was booked.
    pub async fn booked_references(&self) -> BTreeMap<String, usize> {
        let mut booked = BTreeMap::new();
        for row in self.rows("Profit_Salesorders", "OrderNumber").await {
            if let Some(reference) = row["CustomerReference"].as_str() {
                *booked.entry(reference.to_owned()).or_default() += 1;
            }
        }
        booked
    }

    /// The writes AFAS received (POST and PUT), optionally of one connector.
    pub async fn afas_writes(&self, connector: Option<&str>) -> Vec<JournalEntry> {
        self.journal(System::Afas)
            .await
            .into_iter()
            .filter(|entry| entry.method != "GET")
            .filter(|entry| connector.is_none_or(|c| entry.operation.as_deref() == Some(c)))
            .collect()
    }

    /// The `FbSales` bodies AFAS accepted, by reference.
    pub async fn received_orders(&self) -> std::collections::HashMap<String, Value> {
        self.afas_writes(Some("FbSales"))
            .await
            .into_iter()
            .filter(|entry| entry.status == 201)
            .map(|entry| {
                let body = body(&entry);
                let reference = body["FbSales"]["Element"]["Fields"]["RfCs"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                (reference, body)
            })
            .collect()
    }

    /// The seeded shop, as generated.
    pub fn shop(&self) -> koppel_sandbox::mplus::seed::Shop {
        koppel_sandbox::mplus::seed::generate(self.seed, self.orders)
    }

    /// The seeded orders the orders flow must book: fully paid, of the types `getOrders` returns by default
    /// (table and cafeteria orders are hospitality tabs, not sales orders).
    pub fn expected_orders(&self) -> Vec<Order> {
        let shop = self.shop();
        shop.fully_paid_order_indices()
            .map(|index| shop.order(index))
            .filter(|order| OrderType::DEFAULT_FILTER.contains(&order.order_type))
            .collect()
    }

    /// The seeded receipts the receipts flow must book: finished sales (paid receipts; not parked, partly
    /// paid or cash movements).
    pub fn expected_receipts(&self) -> Vec<Receipt> {
        self.shop()
            .receipts
            .into_iter()
            .filter(|r| {
                r.receipt_type == ReceiptType::Receipt && matches!(r.state, ReceiptState::Paid | ReceiptState::Handled)
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    Afas,
    Mplus,
}

pub fn afas_credentials(sandbox: &Sandbox) -> AfasCredentials {
    AfasCredentials {
        environment: "12345".into(),
        environment_type: "test".into(),
        token: sandbox.config.afas_token_xml(),
        url: Some(sandbox.afas_url()),
    }
}

pub fn mplus_credentials(sandbox: &Sandbox) -> MplusCredentials {
    MplusCredentials {
        url: sandbox.mplus_url(),
        ident: sandbox.config.mplus_ident.clone(),
        secret: sandbox.config.mplus_secret.clone(),
    }
}

/// A new company (tenant) and its owner's scope.
pub async fn tenant(db: &koppel_store::Db) -> koppel_store::TenantScope {
    let email = koppel_core::Email::parse("shop@example.nl").unwrap();
    let signup = koppel_store::accounts::sign_up(db, &email, "hash", "Shop", koppel_store::now())
        .await
        .unwrap();
    koppel_store::tenants::resolve_scope(db, signup.user_id, signup.tenant_id)
        .await
        .unwrap()
        .unwrap()
}

/// Saves a flow switched on with these settings, as the API and the settings page do (its `updated_at_ms` moves
/// to now).
pub async fn save_flow(db: &Db, scope: &TenantScope, flow: FlowKind, settings: &FlowSettings) {
    let config = koppel_store::flows::FlowConfig {
        flow,
        enabled: true,
        schedule: koppel_store::flows::DEFAULT_SCHEDULE.to_owned(),
        settings: serde_json::Value::Null,
        cursor: None,
        next_run_at_ms: None,
    };
    let now = koppel_store::now().timestamp_millis();
    koppel_jobs::settings::save(db, scope, "test", config, settings, now)
        .await
        .unwrap();
}

/// An executor that opens the tenant's stored connections (to the sandbox) with quick retries.
pub async fn sandbox_executor(
    db: &Db,
    secrets: SecretBox,
) -> koppel_jobs::Executor<koppel_jobs::connect::ClientConnectors> {
    let connectors = koppel_jobs::connect::ClientConnectors::with_options(secrets, test_options());
    let mut executor = koppel_jobs::Executor::new(
        db.clone(),
        koppel_jobs::JobQueue::connect(db).await.unwrap(),
        connectors,
    );
    executor.base_retry_delay = Duration::from_millis(100);
    executor
}

/// Stores both sandbox connections for the tenant, as a passed connection test leaves them.
pub async fn store_credentials(db: &Db, secrets: &SecretBox, scope: &TenantScope, sandbox: &Sandbox) {
    let passed = ConnectionTest {
        ok: true,
        message: String::new(),
        details: json!({}),
    };
    credentials::save_mplus(db, secrets, scope, &mplus_credentials(sandbox), &passed)
        .await
        .unwrap();
    credentials::save_afas(db, secrets, scope, &afas_credentials(sandbox), &passed)
        .await
        .unwrap();
}

/// The reference Koppel gives a seeded order in AFAS.
pub fn reference_of(order: &Order) -> String {
    format!("ORD-{}-{:06}", order.order_number.0, order.order_number.1)
}

/// The reference Koppel gives a seeded receipt in AFAS: year, branch, till and number.
pub fn receipt_reference(receipt: &Receipt) -> String {
    format!(
        "RCP-{}-{}-{}-{:06}",
        chrono::Datelike::year(&receipt.financial_date),
        receipt.branch,
        receipt.workplace,
        receipt.receipt_number
    )
}

fn table(pairs: &[(&str, &str)]) -> ValueMap {
    ValueMap {
        table: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..ValueMap::default()
    }
}

fn fallback(value: &str) -> ValueMap {
    ValueMap {
        default: Some(value.into()),
        ..ValueMap::default()
    }
}

/// The AFAS VAT code (`VaRc`) for a VAT rate, as the sandbox's administration has them.
pub fn vat_code(country: &str, rate: &str) -> &'static str {
    match (country, rate) {
        ("BE", "21") => "B21",
        (_, "21") => "1",
        (_, "9") => "2",
        (_, "6") => "B6",
        _ => "0",
    }
}

/// The AFAS VAT codes of reverse-charged sales, by `vat_code_by_country` row: the sandbox administration's
/// "Btw verlegd", "Levering binnen EU" and "Levering buiten EU".
pub const SHIFTED_VAT_CODES: [(&str, &str); 3] = [("reverse_charge", "3"), ("intra_eu", "4"), ("export", "5")];

pub fn revenue_account(country: &str) -> &'static str {
    match country {
        "BE" => "8100",
        "DE" => "8200",
        _ => "8000",
    }
}

/// Settings a tenant would have after the wizard, for the sandbox's administration.
pub fn settings() -> FlowSettings {
    let mut vat = Vec::new();
    for country in ["NL", "BE", "DE"] {
        for rate in ["21", "9", "6", "0"] {
            vat.push((format!("{country}:{rate}"), vat_code(country, rate).to_owned()));
        }
    }
    for (case, code) in SHIFTED_VAT_CODES {
        vat.push((case.to_owned(), code.to_owned()));
    }
    let vat: Vec<(&str, &str)> = vat.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    FlowSettings {
        company: CompanySettings {
            administration: Some("1".into()),
            debtor_ledger_account: Some("1300".into()),
            payment_terms: Some("14".into()),
            default_debtor: Some(koppel_sandbox::afas::seed::CASH_SALES_DEBTOR.into()),
            vat_duty: Some("1".into()),
            warehouse: Some(WAREHOUSE.into()),
            payment_method_map: table(&[
                ("PIN", "PIN"),
                ("CONTANT", "K"),
                ("IDEAL", "IDL"),
                ("BANCONTACT", "B"),
                ("CADEAUBON", "K"),
            ]),
            vat_code_by_country: table(&vat),
            revenue_account_by_country: table(&[("NL", "8000"), ("BE", "8100"), ("DE", "8200")]),
            article_group_map: fallback("900"),
            vat_group_map: table(&[("21", "1"), ("9", "2"), ("0", "0")]),
            stock_branch: Some("1".into()),
            // The seeded administration's price lists on the seeded till's price groups (the prices flow).
            price_list_map: table(&[("HOR", "1"), ("GRO", "2")]),
            ..CompanySettings::default()
        },
        shipping_cost_item: Some(SHIPPING_ITEM.into()),
        shipping_articles: vec![SHIPPING_ARTICLE.to_string()],
        // The seeded administration's article groups on the seeded till's turnover groups (the articles flow).
        turnover_group_map: fallback("10"),
        // The seeded administration's article groups become till article groups (the articles flow).
        article_groups_to_till: true,
        custom_field_map: [("U7E1F0A2C_Merk", "Merk"), ("U7E1F0A2B_Webshop", "Webshop")]
            .into_iter()
            .map(|(afas, till)| (afas.to_owned(), till.to_owned()))
            .collect(),
        rounding_cost_item: Some("AFRONDING".into()),
        shipping_method_map: table(&[("PostNL", "POSTNL"), ("Afhalen", "AFHALEN")]),
        journal_code: Some("90".into()),
        journal_start_date: Some(koppel_sandbox::mplus::seed::first_receipt_day()),
        ..FlowSettings::default()
    }
}

/// What AFAS books for a line it received, by its own rule: `round(QuUn × Upri − discount, 2)`.
pub fn received_line_amount(line: &Value) -> Decimal {
    let number = |field: &str| {
        line["Fields"][field]
            .as_f64()
            .map(|v| Decimal::try_from(v).unwrap().round_dp(6))
    };
    let gross = number("QuUn").unwrap_or_default() * number("Upri").unwrap_or_default();
    let discount = number("ARDc").unwrap_or_else(|| gross * number("PRDc").unwrap_or_default() / Decimal::ONE_HUNDRED);
    (gross - discount).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// A number of a GetConnector row, exactly (AFAS sends JSON numbers; money is never `f64`).
pub fn exact(value: &Value) -> Decimal {
    value.to_string().trim_matches('"').parse().expect("a number")
}

/// The body of a received write as JSON.
pub fn body(entry: &JournalEntry) -> Value {
    serde_json::from_str(&entry.body).unwrap_or(json!(null))
}

/// Runs the products flow so every MplusKASSA article exists in AFAS.
pub async fn with_articles(world: &World) {
    let journal = koppel_testkit::FakeJournal::default();
    let report = world
        .run(FlowKind::Products, &settings(), &journal)
        .await
        .expect("products run");
    assert_eq!(
        report.counts.failed,
        0,
        "{:?}",
        journal.entries().iter().find(|e| e.reason.is_some())
    );
}

/// The failed records of a run's journal: (source id, reason).
pub fn failures(journal: &koppel_testkit::FakeJournal) -> Vec<(String, Option<String>)> {
    journal
        .entries()
        .into_iter()
        .filter(|e| e.outcome == koppel_sync::ports::Outcome::Failed)
        .map(|e| (e.source_id, e.reason))
        .collect()
}

//! The client against the MplusKASSA simulator over real sockets: every operation the flows use, the
//! sync-marker pager, business results, price groups, a relation's price terms, article groups, proposals,
//! custom fields, and every error class.

mod article_groups;
#[path = "../common/mod.rs"]
mod common;
mod custom_fields;
mod deliveries;
mod operations;
mod price_groups;
mod proposals;
mod relation_terms;
mod transport;

use std::collections::{BTreeMap, HashSet};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use futures::TryStreamExt;
use koppel_mplus::model::{
    FinancialGroupType, NewLine, NewOrder, OrderType, ReceiptState, ReceiptType, Relation, StockChange,
};
use koppel_mplus::{
    BusinessOutcome, DocumentFilter, Exchange, MplusClient, MplusConfig, MplusError, ProductFilter, SyncPage,
};
use koppel_sandbox::control::JournalEntry;
use koppel_sandbox::{Sandbox, SandboxConfig};
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

async fn sandbox() -> Sandbox {
    Sandbox::start_local(SandboxConfig::default()).await.unwrap()
}

fn config(sandbox: &Sandbox) -> MplusConfig {
    MplusConfig::with_endpoint(
        &sandbox.mplus_url(),
        &sandbox.config.mplus_ident,
        &sandbox.config.mplus_secret,
    )
}

fn client(sandbox: &Sandbox) -> MplusClient {
    MplusClient::builder(config(sandbox))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn fault(sandbox: &Sandbox, rule: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}_sandbox/faults", sandbox.mplus_url()))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

async fn journal(sandbox: &Sandbox) -> Vec<JournalEntry> {
    reqwest::get(format!("{}_sandbox/journal", sandbox.mplus_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

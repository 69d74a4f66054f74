//! Reference data: the API version, current sync markers, branches, employees, turnover groups, payment methods.

use serde::Deserialize;

/// `getApiVersion`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiVersion {
    pub major_number: i32,
    pub minor_number: i32,
    pub revision_number: i32,
    #[serde(default)]
    pub service_hostname: Option<String>,
    #[serde(default)]
    pub service_version_display_string: Option<String>,
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{}.{}",
            self.major_number, self.minor_number, self.revision_number
        )
    }
}

/// `getCurrentSyncMarkers`: the highest marker per entity type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncMarkers {
    pub article_sync_marker: i64,
    #[serde(default)]
    pub article_group_sync_marker: Option<i64>,
    pub relation_sync_marker: i64,
    pub employee_sync_marker: i64,
    pub invoice_sync_marker: i64,
    pub receipt_sync_marker: i64,
    pub order_sync_marker: i64,
    #[serde(default)]
    pub proposal_sync_marker: Option<i64>,
    /// The stock sequence (separate from sync markers).
    #[serde(default)]
    pub stock_id: Option<i64>,
}

/// `Branch` with its workplaces (tills).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Branch {
    pub branch_number: i32,
    pub branch_name: String,
    #[serde(default)]
    pub abbreviation: Option<String>,
    #[serde(default)]
    pub ext_branch_id: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::list")]
    pub workplaces: Vec<Workplace>,
    #[serde(default)]
    pub country_iso3: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workplace {
    pub workplace_number: i32,
    #[serde(default)]
    pub workplace_name: Option<String>,
}

/// `Employee`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Employee {
    #[serde(default)]
    pub employee_number: Option<i64>,
    #[serde(default)]
    pub ext_employee_id: Option<String>,
    #[serde(default)]
    pub sync_marker: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// `TurnoverGroup`: a revenue category mapped to a ledger account.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TurnoverGroup {
    /// `TURNOVER-GROUP-TYPE-...`.
    pub turnover_group_type: String,
    pub turnover_group: i32,
    pub turnover_group_name: String,
    #[serde(default)]
    pub account_number: Option<i32>,
    #[serde(default)]
    pub default_account_number: Option<i32>,
    #[serde(default)]
    pub default_vat_code: Option<i32>,
}

/// `DeliveryMethod`: how a webshop order reaches its customer (an order's `deliveryMethod`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryMethod {
    /// The code on orders.
    pub delivery_method: String,
    pub description: String,
    #[serde(default)]
    pub button_text: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// `PaymentMethod`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    /// The code used on payments.
    pub method: String,
    pub description: String,
    #[serde(default)]
    pub button_text: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    /// `PAYMENT-METHOD-TYPE-...`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub account_number: Option<i32>,
}

//! Live lists for the setup wizard and the settings pages: AFAS administrations, debtors (searched),
//! payment methods and conditions, warehouses and VAT codes; MplusKASSA payment methods and branches.
//! Each is read with the tenant's stored credentials at the moment a page is shown; errors come back in
//! plain words so a page can show them next to a free-text field.

use std::time::Duration;

use koppel_afas::{AfasClient, Filter, GetQuery, Operator};
use koppel_mplus::MplusClient;
use koppel_sync::requirements::AfasList;
use serde_json::Value;

use crate::connect::{self, ClientOptions, code_of};
use crate::credentials::{AfasCredentials, MplusCredentials};

/// One choice in a list: the code to store and what people read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

/// Lists are short; a page should not wait long for one.
const TIMEOUT: Duration = Duration::from_secs(15);

pub(crate) fn options() -> ClientOptions {
    ClientOptions {
        timeout: TIMEOUT,
        connect_timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

fn afas_client(credentials: &AfasCredentials) -> Result<AfasClient, String> {
    let environment = connect::afas_environment(credentials).map_err(|e| e.message)?;
    connect::afas_client(environment, credentials, &options()).map_err(|e| e.message)
}

fn mplus_client(credentials: &MplusCredentials) -> Result<MplusClient, String> {
    connect::mplus_client(credentials, &options()).map_err(|e| e.message)
}

fn choices(rows: &[Value], code: &str, label: &str) -> Vec<Choice> {
    rows.iter()
        .map(|row| {
            let code = code_of(row, code);
            let name = code_of(row, label);
            let label = if name.is_empty() {
                code.clone()
            } else {
                format!("{code} — {name}")
            };
            Choice { code, label }
        })
        .filter(|choice| !choice.code.is_empty())
        .collect()
}

async fn afas_list(
    credentials: &AfasCredentials,
    list: AfasList,
    label: &str,
    filter: Option<Filter>,
    limit: u32,
) -> Result<Vec<Choice>, String> {
    let (connector, code) = connect::reference_list(list);
    let client = afas_client(credentials)?;
    let mut query = GetQuery::new(connector, [code]).page_size(limit);
    if let Some(filter) = filter {
        query = query.filter(filter);
    }
    let page = client
        .get_page::<Value>(&query, 0)
        .await
        .map_err(|e| format!("AFAS could not list {connector}: {e}"))?;
    Ok(choices(&page.rows, code, label))
}

/// `Profit_Administrations`.
pub async fn afas_administrations(credentials: &AfasCredentials) -> Result<Vec<Choice>, String> {
    afas_list(credentials, AfasList::Administrations, "AdminNm", None, 200).await
}

/// `Profit_PaymentMethods`.
pub async fn afas_payment_methods(credentials: &AfasCredentials) -> Result<Vec<Choice>, String> {
    afas_list(credentials, AfasList::PaymentMethods, "Description", None, 500).await
}

/// `Profit_PaymentConditions`.
pub async fn afas_payment_conditions(credentials: &AfasCredentials) -> Result<Vec<Choice>, String> {
    afas_list(credentials, AfasList::PaymentConditions, "Description", None, 500).await
}

/// `Profit_Warehouses`.
pub async fn afas_warehouses(credentials: &AfasCredentials) -> Result<Vec<Choice>, String> {
    afas_list(credentials, AfasList::Warehouses, "Description", None, 500).await
}

/// `Profit_VAT_code`.
pub async fn afas_vat_codes(credentials: &AfasCredentials) -> Result<Vec<Choice>, String> {
    afas_list(credentials, AfasList::VatCodes, "Description", None, 500).await
}

/// Up to 25 debtors whose name contains `search` (or whose number is it); the first 25 when empty.
pub async fn afas_debtors(credentials: &AfasCredentials, search: &str) -> Result<Vec<Choice>, String> {
    let search = search.trim();
    let filter = (!search.is_empty()).then(|| {
        Filter::new("DebtorName", Operator::Contains, search).or(Filter::new("DebtorId", Operator::Equal, search))
    });
    afas_list(credentials, AfasList::Debtors, "DebtorName", filter, 25).await
}

/// The tenant's MplusKASSA payment methods (active ones first in the order MplusKASSA gives).
pub async fn mplus_payment_methods(credentials: &MplusCredentials) -> Result<Vec<Choice>, String> {
    let client = mplus_client(credentials)?;
    let methods = client
        .get_payment_methods()
        .await
        .map_err(|e| format!("MplusKASSA could not list its payment methods: {e}"))?;
    Ok(methods
        .into_iter()
        .filter(|m| m.active != Some(false))
        .map(|m| Choice {
            label: format!("{} — {}", m.method, m.description),
            code: m.method,
        })
        .collect())
}

/// The tenant's MplusKASSA delivery methods (the shipping methods on its webshop orders), enabled ones only.
pub async fn mplus_delivery_methods(credentials: &MplusCredentials) -> Result<Vec<Choice>, String> {
    let client = mplus_client(credentials)?;
    let methods = client
        .get_delivery_methods()
        .await
        .map_err(|e| format!("MplusKASSA could not list its delivery methods: {e}"))?;
    Ok(methods
        .into_iter()
        .filter(|m| m.enabled != Some(false))
        .map(|m| Choice {
            label: format!("{} — {}", m.delivery_method, m.description),
            code: m.delivery_method,
        })
        .collect())
}

/// MplusKASSA's price groups (`getPriceGroupList`): the prices flow's choices for each AFAS price list.
pub async fn mplus_price_groups(credentials: &MplusCredentials) -> Result<Vec<Choice>, String> {
    let client = mplus_client(credentials)?;
    let groups = client
        .get_price_groups()
        .await
        .map_err(|e| format!("MplusKASSA could not list its price groups: {e}"))?;
    Ok(groups
        .into_iter()
        .map(|g| Choice {
            code: g.price_group_number.to_string(),
            label: g.description.unwrap_or_default(),
        })
        .collect())
}

/// The tenant's MplusKASSA branches.
pub async fn mplus_branches(credentials: &MplusCredentials) -> Result<Vec<Choice>, String> {
    let client = mplus_client(credentials)?;
    let branches = client
        .get_branches()
        .await
        .map_err(|e| format!("MplusKASSA could not list its branches: {e}"))?;
    Ok(branches
        .into_iter()
        .map(|b| Choice {
            code: b.branch_number.to_string(),
            label: format!("{} — {}", b.branch_number, b.branch_name),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use koppel_sandbox::{Sandbox, SandboxConfig};

    use super::*;

    #[tokio::test]
    async fn lists_come_from_the_sandbox() {
        let sandbox = Sandbox::start_local(SandboxConfig::default()).await.unwrap();
        let afas = AfasCredentials {
            environment: "12345".into(),
            environment_type: "test".into(),
            token: sandbox.config.afas_token_xml(),
            url: Some(sandbox.afas_url()),
        };
        let mplus = MplusCredentials {
            url: sandbox.mplus_url(),
            ident: sandbox.config.mplus_ident.clone(),
            secret: sandbox.config.mplus_secret.clone(),
        };
        assert!(!afas_administrations(&afas).await.unwrap().is_empty());
        assert!(!afas_payment_methods(&afas).await.unwrap().is_empty());
        assert!(!afas_payment_conditions(&afas).await.unwrap().is_empty());
        let debtors = afas_debtors(&afas, "").await.unwrap();
        assert!(
            debtors
                .iter()
                .any(|d| d.code == koppel_sandbox::afas::seed::CASH_SALES_DEBTOR),
            "{debtors:?}"
        );
        assert!(!mplus_payment_methods(&mplus).await.unwrap().is_empty());
        let delivery: Vec<String> = mplus_delivery_methods(&mplus)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.code)
            .collect();
        assert!(delivery.contains(&"PostNL".to_owned()), "{delivery:?}");
        assert!(
            !delivery.contains(&"Koerier".to_owned()),
            "a disabled method is not offered"
        );
        let wrong = MplusCredentials {
            secret: "wrong".into(),
            ..mplus
        };
        assert!(mplus_payment_methods(&wrong).await.is_err());
    }
}

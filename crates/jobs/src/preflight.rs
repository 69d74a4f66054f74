//! The preflight: before a flow is switched on, and when a run starts, its settings are checked once, so a
//! gap fails with one clear message instead of failing every record the same way. What a flow needs is
//! [`koppel_sync::requirements`]; here the codes the settings name are also looked for in the live AFAS, one
//! GetConnector call per list (administrations, warehouses, debtors, payment conditions and methods, VAT
//! codes), asked together, and the articles and prices flows' GetConnectors and fields in AFAS's metainfo.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use koppel_afas::RetryPolicy;

use koppel_core::FlowKind;
use koppel_store::secrets::SecretBox;
use koppel_store::{Db, StoreError, TenantScope};
use koppel_sync::custom_fields::is_free_field;
use koppel_sync::engine::RunError;
use koppel_sync::ports::{ConnectorError, ErpTarget, ListFields};
use koppel_sync::requirements::{self, AfasList, SettingProblem};
use koppel_sync::settings::FlowSettings;

use crate::connect::{AfasTarget, ClientOptions, afas_client, afas_environment, reference_list};
use crate::credentials::{self, CredentialsError};

/// The key of a problem with the AFAS connection itself (not connected, unreachable, refusing the check).
pub const CONNECTION: &str = "connection";

/// The settings' codes AFAS does not have. `Err` when AFAS could not be asked; a target that cannot tell
/// (a test fake) finds nothing missing.
pub async fn unknown_codes<T: ErpTarget>(
    flow: FlowKind,
    settings: &FlowSettings,
    target: &T,
) -> Result<Vec<SettingProblem>, ConnectorError> {
    let references = requirements::afas_references(flow, settings);
    let mut lists: BTreeMap<AfasList, Vec<String>> = BTreeMap::new();
    for reference in &references {
        let codes = lists.entry(reference.list).or_default();
        if !codes.contains(&reference.code) {
            codes.push(reference.code.clone());
        }
    }
    let asked = lists.iter().map(|(list, codes)| async move {
        let found = target.existing_codes(*list, codes).await?;
        Ok::<_, ConnectorError>((*list, found))
    });
    let found: HashMap<AfasList, Option<HashSet<String>>> =
        futures::future::try_join_all(asked).await?.into_iter().collect();
    let mut problems = match flow {
        FlowKind::Articles => article_filter_problems(settings, target).await?,
        FlowKind::Prices => {
            let needed = ["Level", "Volume", "Item", "Quantity", "GrossPrice", "Nettoprijs"];
            connector_problems("price_list_map", PRICE_CONNECTOR, &needed, target).await?
        }
        FlowKind::Discounts => {
            let needed = ["Debtor", "Volume", "Item", "Quantity", "GrossPrice", "Nettoprijs"];
            let mut problems = connector_problems("enabled", PRICE_CONNECTOR, &needed, target).await?;
            if !settings.company.discount_group_map.is_empty() {
                let debtor = [crate::connect::afas_terms::DISCOUNT_GROUP];
                problems.extend(connector_problems(GROUPS, "Profit_Debtor", &debtor, target).await?);
                let lines = [
                    "DiscountGroup",
                    "ArtGroup",
                    "DiscountPercentage",
                    "StartDate",
                    "EndDate",
                ];
                // Koppel's own GetConnector, which the company imports (AFAS publishes none for discount groups).
                let connector = <koppel_afas::rows::DiscountGroupLine as koppel_afas::rows::GetConnectorRow>::CONNECTOR;
                problems.extend(connector_problems(GROUPS, connector, &lines, target).await?);
            }
            problems
        }
        FlowKind::Quotations if settings.quotations_to_till(flow) => {
            let headers = ["QuotationNumber", "DebtorId", "QuotationDate", "ModifiedDate"];
            let lines = ["QuotationNumber", "SeqNo", "ItemCode", "Quantity", "PricePerUnit"];
            let mut problems = connector_problems(DIRECTION, "Profit_SalesQuotations", &headers, target).await?;
            problems.extend(connector_problems(DIRECTION, "Profit_SalesQuotationLines", &lines, target).await?);
            problems
        }
        _ => Vec::new(),
    };
    problems.extend(
        references
            .into_iter()
            .filter(|reference| {
                found
                    .get(&reference.list)
                    .and_then(Option::as_ref)
                    .is_some_and(|codes| !codes.contains(&reference.code))
            })
            .map(|reference| {
                let (connector, _) = reference_list(reference.list);
                SettingProblem::new(
                    reference.setting,
                    format!("`{}` does not exist in AFAS ({connector})", reference.code),
                )
            }),
    );
    Ok(problems)
}

/// The setting a problem of the quotations flow towards the till is reported on.
const DIRECTION: &str = "quotations_direction";

/// The setting a problem with reading AFAS's discount groups is reported on.
const GROUPS: &str = "discount_group_map";

/// The prices and discounts flows' GetConnector.
const PRICE_CONNECTOR: &str = "Profit_SalesPrice";

/// The articles flow's GetConnector and the fields its filter names, checked against AFAS's metainfo.
async fn article_filter_problems<T: ErpTarget>(
    settings: &FlowSettings,
    target: &T,
) -> Result<Vec<SettingProblem>, ConnectorError> {
    let filter = &settings.afas_article_filter;
    let mut needed: Vec<&str> = vec!["ItemCode", "Description", "ModifiedDate", "VATGroup", "Blocked"];
    if !filter.groups.is_empty() {
        needed.push("ArtGroup");
    }
    needed.extend(filter.field_equals.keys().map(|field| field.trim()));
    let mut problems = connector_problems("afas_article_filter", filter.connector(), &needed, target).await?;
    let free: Vec<&str> = settings.custom_field_map.keys().map(|field| field.trim()).collect();
    if free.iter().any(|field| !is_free_field(field)) {
        problems.push(SettingProblem::new(
            "custom_field_map",
            "an AFAS free field's name starts with U and its code, e.g. U7E1F0A2B_Webshop",
        ));
    }
    if !free.is_empty() {
        problems.extend(connector_problems("custom_field_map", filter.connector(), &free, target).await?);
    }
    Ok(problems)
}

/// Whether AFAS offers `connector` with the `needed` fields (its metainfo); a problem of `setting` if not.
async fn connector_problems<T: ErpTarget>(
    setting: &'static str,
    connector: &str,
    needed: &[&str],
    target: &T,
) -> Result<Vec<SettingProblem>, ConnectorError> {
    let fields = match target.list_fields(connector).await? {
        ListFields::Unknown => return Ok(Vec::new()),
        ListFields::Missing => {
            return Ok(vec![SettingProblem::new(
                setting,
                format!("AFAS does not offer the GetConnector `{connector}` to Koppel: add it to the App connector"),
            )]);
        }
        ListFields::Fields(fields) => fields,
    };
    let missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|field| !fields.iter().any(|f| f == field))
        .collect();
    Ok(match missing.is_empty() {
        true => Vec::new(),
        false => vec![SettingProblem::new(
            setting,
            format!(
                "the GetConnector `{connector}` has no field {}",
                missing.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
            ),
        )],
    })
}

/// At the start of a run, through the run's own target: a problem stops the run as refused (it fails, naming
/// each problem, before any record). An AFAS that does not answer stops it like any call would (transient:
/// tried again later); one that refuses only the check (an App connector without one of these lists) lets the
/// run go on, whose own calls say what is wrong if anything is.
pub async fn before_run<T: ErpTarget>(flow: FlowKind, settings: &FlowSettings, target: &T) -> Result<(), RunError> {
    let mut problems = requirements::problems(flow, settings);
    match unknown_codes(flow, settings, target).await {
        Ok(unknown) => problems.extend(unknown),
        Err(error) if error.is_retryable() && problems.is_empty() => return Err(error.into()),
        Err(error) => tracing::warn!(%flow, %error, "the settings' codes could not be checked in AFAS"),
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(RunError::Refused {
            message: describe(&problems),
        }),
    }
}

/// The problems as a run's error.
fn describe(problems: &[SettingProblem]) -> String {
    format!("the flow's settings need attention: {}", listed(problems))
}

/// The problems in one line, each naming its setting.
pub fn listed(problems: &[SettingProblem]) -> String {
    let each: Vec<String> = problems.iter().map(ToString::to_string).collect();
    each.join("; ")
}

/// A page waits for the check: the live lists' timeouts, and at most one quick retry (a run's client would
/// wait out a maintenance window of up to two minutes).
fn page_options() -> ClientOptions {
    ClientOptions {
        afas_retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(2),
        },
        ..crate::lookups::options()
    }
}

/// Before a flow is switched on (the API, the settings page, the wizard), with the tenant's stored AFAS
/// credentials and the short timeouts of the pages' live lists. AFAS not connected, unreachable or refusing
/// the check is a problem on [`CONNECTION`]: a flow is not switched on unchecked. Only a database error is
/// an `Err`.
pub async fn check_stored(
    db: &Db,
    secrets: &SecretBox,
    scope: &TenantScope,
    flow: FlowKind,
    settings: &FlowSettings,
) -> Result<Vec<SettingProblem>, StoreError> {
    let mut problems = requirements::problems(flow, settings);
    let others_on: Vec<(FlowKind, FlowSettings)> = koppel_store::flows::list(db, scope)
        .await?
        .into_iter()
        .filter(|config| config.enabled && config.flow != flow)
        .map(|config| {
            let theirs = FlowSettings::from_parts(settings.company.clone(), &config.settings);
            (config.flow, theirs)
        })
        .collect();
    let kinds: Vec<FlowKind> = others_on.iter().map(|(other, _)| *other).collect();
    problems.extend(requirements::conflict(flow, &kinds));
    problems.extend(requirements::disagreement(flow, settings, &others_on));
    if requirements::afas_references(flow, settings).is_empty() {
        return Ok(problems);
    }
    let target = match credentials::load_afas(db, secrets, scope).await {
        Ok(Some(credentials)) => afas_environment(&credentials)
            .and_then(|environment| afas_client(environment, &credentials, &page_options()))
            .map(|client| AfasTarget::new(Arc::new(client))),
        Ok(None) => Err(ConnectorError::permanent(
            "AFAS is not connected: enter its environment and token under Connections",
        )),
        Err(CredentialsError::Store(error)) => return Err(error),
        Err(other) => Err(ConnectorError::permanent(format!(
            "the stored AFAS credentials cannot be read ({other}); enter them again"
        ))),
    };
    let unknown = match target {
        Ok(target) => unknown_codes(flow, settings, &target).await,
        Err(error) => Err(error),
    };
    match unknown {
        Ok(unknown) => problems.extend(unknown),
        Err(error) => problems.push(SettingProblem::new(
            CONNECTION,
            format!(
                "AFAS could not confirm that the settings' codes exist: {}",
                error.message
            ),
        )),
    }
    Ok(problems)
}

//! The connection tests the set-up pages run (`PUT /api/v1/connections/{mplus,afas}`), answered in words a
//! shop owner can act on.

use std::time::Duration;

use koppel_afas::{AfasClient, AfasError, GetQuery};
use koppel_mplus::MplusError;
use serde_json::json;

use super::clients::{ClientOptions, afas_client, afas_environment, mplus_client};
use crate::credentials::{AfasCredentials, ConnectionTest, MplusCredentials};

/// The MplusKASSA API version the adapters were written against (older APIs may lack operations).
const MPLUS_API_MAJOR: i32 = 67;

/// The GetConnectors the flows read, each with a field to sort by; each must be in the AFAS App connector.
pub const REQUIRED_GET_CONNECTORS: [(&str, &str); 6] = [
    ("Profit_Salesorders", "OrderNumber"),
    ("Profit_Debtor", "DebtorId"),
    ("Profit_Contacts", "ContactId"),
    ("Profit_Deliveryaddress", "ContactId"),
    ("Profit_Article", "ItemCode"),
    ("Profit_Stock_per_Warehouse", "Item_code"),
];

/// A test answers within seconds or says so.
fn test_options() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(10),
        afas_retry: koppel_afas::RetryPolicy::never(),
    }
}

fn failed(message: impl Into<String>, details: serde_json::Value) -> ConnectionTest {
    ConnectionTest {
        ok: false,
        message: message.into(),
        details,
    }
}

pub async fn test_mplus(credentials: &MplusCredentials) -> ConnectionTest {
    let client = match mplus_client(credentials, &test_options()) {
        Ok(client) => client,
        Err(error) => return failed(error.message, json!({})),
    };
    match client.api_version().await {
        Ok(version) => {
            let mut message = format!("Connected to MplusKASSA (API version {version}).");
            if version.major_number < MPLUS_API_MAJOR {
                message.push_str(&format!(
                    " This API is older than version {MPLUS_API_MAJOR}; ask MplusKASSA to update it if a flow fails."
                ));
            }
            ConnectionTest {
                ok: true,
                message,
                details: json!({"api_version": version.to_string()}),
            }
        }
        Err(error) => failed(mplus_problem(&credentials.url, &error), json!({"error": error.class()})),
    }
}

fn mplus_problem(url: &str, error: &MplusError) -> String {
    match error {
        MplusError::ClientFault { code, .. } if code.contains("Authentication") => {
            "MplusKASSA refused the ident or secret. Copy both again from the API details MplusKASSA gave you."
                .to_owned()
        }
        MplusError::Transport {
            may_have_been_processed: false,
            ..
        } => format!(
            "Could not reach {url}. Check the host and especially the port: every MplusKASSA API has its own \
             (e.g. https://api.mpluskassa.nl:44281)."
        ),
        MplusError::Transport {
            status: Some(status), ..
        } => format!("Something answered at {url} (HTTP {status}), but not the MplusKASSA API. Check the port."),
        MplusError::Transport { .. } => {
            format!("{url} did not answer in time. Check the port, or try again in a few minutes.")
        }
        MplusError::Redirected { location, .. } => {
            format!("{url} redirects to {location}. If that is your MplusKASSA API, enter that address instead.")
        }
        other => format!("MplusKASSA answered, but not as expected ({other}). Check the URL and the port."),
    }
}

pub async fn test_afas(credentials: &AfasCredentials) -> ConnectionTest {
    let client = match afas_environment(credentials)
        .and_then(|environment| afas_client(environment, credentials, &test_options()))
    {
        Ok(client) => client,
        Err(error) => return failed(error.message, json!({})),
    };
    let base_url = client.environment().base_url().to_owned();
    match afas_report(&client).await {
        Ok((version, available, missing)) => {
            let details = json!({"profit_version": version, "available": available, "missing": missing});
            if missing.is_empty() {
                let message = format!(
                    "Connected to AFAS Profit {version}. All GetConnectors Koppel needs are available. Tip: restrict \
                     the App connector to Koppel's IP address (App connector > IP restriction)."
                );
                ConnectionTest {
                    ok: true,
                    message,
                    details,
                }
            } else {
                failed(missing_connectors(&version, &missing), details)
            }
        }
        Err(error) => failed(afas_problem(&base_url, &error), json!({"error": error.class()})),
    }
}

/// The Profit version, and which required GetConnectors this token can read and which not. Each is read
/// (one row), not only its metainfo: that is what the flows will do.
async fn afas_report(client: &AfasClient) -> Result<(String, Vec<String>, Vec<String>), AfasError> {
    let version = client.test_connection(&[]).await?.profit_version;
    let (mut available, mut missing) = (Vec::new(), Vec::new());
    for (connector, key) in REQUIRED_GET_CONNECTORS {
        let query = GetQuery::new(connector, [key]).page_size(1);
        match client.get_page::<serde_json::Value>(&query, 0).await {
            Ok(_) => available.push(connector.to_owned()),
            // 401 here is "valid token, no access to this connector"; 500/404 an unknown one.
            Err(AfasError::Unauthorized | AfasError::Rejected { .. } | AfasError::NotFound { .. }) => {
                missing.push(connector.to_owned())
            }
            Err(other) => return Err(other),
        }
    }
    Ok((version, available, missing))
}

fn missing_connectors(version: &str, missing: &[String]) -> String {
    format!(
        "Connected to AFAS Profit {version}, but the App connector does not offer: {}. In AFAS go to General > \
         Management > App connector, open Koppel's connector, and add these under GetConnectors (Actions > Add). \
         Then test again.",
        missing.join(", ")
    )
}

fn afas_problem(base_url: &str, error: &AfasError) -> String {
    match error {
        AfasError::Unauthorized => "AFAS refused the token. In AFAS go to General > Management > App connector, open \
             Koppel's connector, generate a user token, and paste it here (the whole <token>...</token>, or just \
             its data part)."
            .to_owned(),
        AfasError::IpBlocked => "AFAS blocks Koppel's IP address: the App connector has an IP restriction. Add \
             Koppel's address to it."
            .to_owned(),
        AfasError::Transient {
            may_have_been_processed: false,
            ..
        } => format!(
            "Could not reach {base_url}. Check the environment number and whether it is a production, test or \
             accept environment."
        ),
        AfasError::NotFound { .. } => format!("There is no AFAS REST service at {base_url}. Check the environment."),
        AfasError::Maintenance { .. } => "AFAS is in maintenance. Try again later.".to_owned(),
        AfasError::Redirected { location, .. } => format!(
            "{base_url} redirects to {location}, so it is not AFAS's REST service. Check the environment number \
             and type, or the URL."
        ),
        other => format!("AFAS answered, but not as expected ({other})."),
    }
}

//! Steps 1 and 2: connecting MplusKASSA and AFAS (stored and tested through the connections API's functions).

use axum::response::Response;
use koppel_jobs::credentials::{self, AfasCredentials, ConnectionTest, MplusCredentials};

use super::form::Fields;
use super::page::{SetupPage, rerender, set};
use super::progress::{mark_done, redirect_to};
use super::saving::internal;
use crate::api::connections::{self as conn, AfasInput, MplusInput};
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// Splits a stored MplusKASSA URL into host and port for the form.
fn host_port(url: &str) -> (String, String) {
    let rest = url.trim_end_matches('/');
    let scheme_less = rest.split_once("://").map(|(_, r)| r).unwrap_or(rest);
    let authority = scheme_less.split('/').next().unwrap_or_default();
    match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
            let host = if rest.starts_with("http://") {
                format!("http://{host}")
            } else {
                host.to_owned()
            };
            (host, port.to_owned())
        }
        _ => (authority.to_owned(), String::new()),
    }
}

fn test_details(test: &ConnectionTest) -> Vec<(String, String)> {
    let Some(map) = test.details.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned).unwrap_or_else(|| i.to_string()))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            (key.replace('_', " "), text)
        })
        .filter(|(_, text)| !text.is_empty())
        .collect()
}

pub(super) async fn stored_mplus(state: &AppState, ctx: &TenantContext) -> AppResult<Option<MplusCredentials>> {
    credentials::load_mplus(&state.db, &state.secrets, &ctx.scope)
        .await
        .map_err(internal)
}

pub(super) async fn stored_afas(state: &AppState, ctx: &TenantContext) -> AppResult<Option<AfasCredentials>> {
    credentials::load_afas(&state.db, &state.secrets, &ctx.scope)
        .await
        .map_err(internal)
}

/// The stored MplusKASSA connection, split back into the form's fields.
pub(super) async fn fill_mplus(state: &AppState, ctx: &TenantContext, page: &mut SetupPage) -> AppResult<()> {
    if let Some(summary) = credentials::summary(&state.db, &ctx.scope, koppel_store::connections::System::Mplus)
        .await
        .map_err(internal)?
    {
        let url = summary.config.get("url").and_then(|v| v.as_str()).unwrap_or_default();
        let (host, port) = host_port(url);
        set(page, "host", host);
        set(page, "port", port);
        set(
            page,
            "ident",
            summary.config.get("ident").and_then(|v| v.as_str()).unwrap_or_default(),
        );
        page.secret_stored = true;
        if page.test.is_none() {
            page.test = Some(summary.test);
        }
    }
    Ok(())
}

/// The stored AFAS connection in the form's fields.
pub(super) async fn fill_afas(state: &AppState, ctx: &TenantContext, page: &mut SetupPage) -> AppResult<()> {
    if let Some(summary) = credentials::summary(&state.db, &ctx.scope, koppel_store::connections::System::Afas)
        .await
        .map_err(internal)?
    {
        let field = |name: &str| {
            summary
                .config
                .get(name)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        set(page, "environment", field("environment"));
        set(page, "environment_type", field("environment_type"));
        set(page, "url", field("url"));
        page.secret_stored = true;
        if page.test.is_none() {
            page.test = Some(summary.test);
        }
    }
    set(page, "environment_type", "production");
    Ok(())
}

fn connection_result(page: &mut SetupPage, test: ConnectionTest) {
    page.test_details = test_details(&test);
    if test.ok {
        page.notice = Some(test.message.clone());
    } else {
        page.alert = Some(test.message.clone());
    }
    page.test = Some(test);
}

pub(super) async fn submit_mplus(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let host = form.get("host");
    let port = form.get("port");
    if host.is_empty() {
        errors.add_message(
            "host",
            "Enter the host name MplusKASSA gave you, e.g. api.mpluskassa.nl.",
        );
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => {}
        _ => errors.add_message("port", "Enter the port: a number between 1 and 65535, e.g. 34567."),
    }
    let url = if host.starts_with("http://") || host.starts_with("https://") {
        format!("{}:{port}", host.trim_end_matches('/'))
    } else {
        format!("https://{host}:{port}")
    };
    let stored = stored_mplus(state, ctx).await?;
    let input = MplusInput {
        url,
        ident: form.get("ident").to_owned(),
        secret: form.opt("secret"),
    };
    let credentials = match conn::validate_mplus(&input, stored.as_ref()) {
        Ok(credentials) if errors.is_empty() => Some(credentials),
        Ok(_) => None,
        Err(more) => {
            for field in ["ident", "secret"] {
                if let Some(message) = more.get(field) {
                    errors.add_message(field, message.to_owned());
                }
            }
            if errors.is_empty()
                && let Some(message) = more.get("url")
            {
                errors.add_message("host", message.to_owned());
            }
            None
        }
    };
    let Some(credentials) = credentials else {
        return rerender(state, ctx, "mplus", form, errors, |_| {}).await;
    };
    let test = conn::store_mplus(state, ctx, credentials).await?;
    if test.ok && form.get("action") != "test" {
        mark_done(state, ctx, "mplus").await?;
        return Ok(redirect_to(ctx, "afas"));
    }
    rerender(state, ctx, "mplus", form, errors, |page| connection_result(page, test)).await
}

pub(super) async fn submit_afas(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let stored = stored_afas(state, ctx).await?;
    let input = AfasInput {
        environment: form.get("environment").to_owned(),
        environment_type: form.get("environment_type").to_owned(),
        token: form.opt("token"),
        url: form.opt("url"),
    };
    let credentials = match conn::validate_afas(&input, stored.as_ref()) {
        Ok(credentials) => credentials,
        Err(errors) => return rerender(state, ctx, "afas", form, errors, |_| {}).await,
    };
    let test = conn::store_afas(state, ctx, credentials).await?;
    if test.ok && form.get("action") != "test" {
        mark_done(state, ctx, "afas").await?;
        return Ok(redirect_to(ctx, "flows"));
    }
    rerender(state, ctx, "afas", form, FieldErrors::default(), |page| {
        connection_result(page, test)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_are_split_back_out() {
        assert_eq!(
            host_port("https://api.mpluskassa.nl:34567"),
            ("api.mpluskassa.nl".into(), "34567".into())
        );
        assert_eq!(
            host_port("http://127.0.0.1:8182/"),
            ("http://127.0.0.1".into(), "8182".into())
        );
    }
}

//! Step 4: the general settings (administration, debtor ledger, payment terms, default debtor, currency).

use axum::response::Response;
use koppel_jobs::lookups;
use koppel_sync::settings::FlowSettings;

use super::connections::stored_afas;
use super::form::{Apply, Fields, is_code};
use super::page::{SetupPage, rerender, set};
use super::progress::{mark_done, redirect_to};
use super::saving::update_settings;
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// The stored general settings and AFAS's lists to pick them from.
pub(super) async fn fill_general(
    state: &AppState,
    ctx: &TenantContext,
    page: &mut SetupPage,
    settings: &FlowSettings,
    debtor_search: Option<&str>,
) -> AppResult<()> {
    set(
        page,
        "administration",
        settings.company.administration.clone().unwrap_or_default(),
    );
    set(
        page,
        "debtor_ledger_account",
        settings.company.debtor_ledger_account.clone().unwrap_or_default(),
    );
    set(
        page,
        "payment_terms",
        settings.company.payment_terms.clone().unwrap_or_default(),
    );
    set(
        page,
        "default_debtor",
        settings.company.default_debtor.clone().unwrap_or_default(),
    );
    set(page, "currency", settings.company.currency.clone());
    set(page, "debtor_search", debtor_search.unwrap_or_default());
    if let Some(afas) = stored_afas(state, ctx).await? {
        match lookups::afas_administrations(&afas).await {
            Ok(list) => page.administrations = list,
            Err(e) => page.list_errors.push(e),
        }
        match lookups::afas_payment_conditions(&afas).await {
            Ok(list) => page.payment_conditions = list,
            Err(e) => page.list_errors.push(e),
        }
        match lookups::afas_debtors(&afas, debtor_search.unwrap_or_default()).await {
            Ok(list) => page.debtors = list,
            Err(e) => page.list_errors.push(e),
        }
    } else {
        page.list_errors
            .push("Connect AFAS first to pick from its lists; you can type the codes meanwhile.".into());
    }
    Ok(())
}

/// The general settings from a form, checked; errors are added per field.
pub fn read_general(form: &Fields, errors: &mut FieldErrors) -> Apply {
    let administration = form.get("administration");
    if administration.is_empty() || !administration.chars().all(|c| c.is_ascii_digit()) {
        errors.add_message("administration", "Choose the AFAS administration (its number, e.g. 1).");
    }
    let ledger = form.get("debtor_ledger_account");
    if !ledger.is_empty() && !ledger.chars().all(|c| c.is_ascii_digit()) {
        errors.add_message("debtor_ledger_account", "A ledger account is a number, e.g. 1300.");
    }
    let terms = form.get("payment_terms");
    if !terms.is_empty() && !is_code(terms) {
        errors.add_message(
            "payment_terms",
            "Choose payment terms from the list (a short code such as 14).",
        );
    }
    let debtor = form.get("default_debtor");
    if debtor.is_empty() {
        errors.add_message(
            "default_debtor",
            "Choose the debtor anonymous till sales are booked on.",
        );
    } else if !is_code(debtor) {
        errors.add_message(
            "default_debtor",
            "A debtor number has letters and digits only, e.g. 10000.",
        );
    }
    let currency = form.get("currency").to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        errors.add_message("currency", "Enter a three-letter currency code, e.g. EUR.");
    }
    let opt = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
    let (administration, ledger, terms, debtor) = (opt(administration), opt(ledger), opt(terms), opt(debtor));
    Box::new(move |s: &mut FlowSettings| {
        s.company.administration = administration.clone();
        s.company.debtor_ledger_account = ledger.clone();
        s.company.payment_terms = terms.clone();
        s.company.default_debtor = debtor.clone();
        s.company.currency = currency.clone();
    })
}

pub(super) async fn submit_general(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let apply = read_general(form, &mut errors);
    if !errors.is_empty() {
        return rerender(state, ctx, "general", form, errors, |_| {}).await;
    }
    update_settings(state, ctx, |s| apply(s)).await?;
    mark_done(state, ctx, "general").await?;
    Ok(redirect_to(ctx, "questions"))
}

//! "Try it with the sandbox": both connections to the company's own shop in the built-in simulators and the
//! settings preset that suits their seeded data ([`sandbox_settings`], which the end-to-end test support also uses).

use axum::extract::State;
use axum::response::Response;
use koppel_jobs::credentials::{AfasCredentials, MplusCredentials};
use koppel_jobs::lookups;
use koppel_sandbox::ShopId;
use koppel_store::setup;
use koppel_sync::settings::{CompanySettings, FlowSettings, ValueMap};

use super::progress::redirect_to;
use super::saving::{now_ms, update_settings};
use crate::api::connections as conn;
use crate::error::{AppError, AppResult};
use crate::pages::demo_shop::company_shop;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// `POST /t/{tenant_id}/setup/sandbox`: both connections to the company's own shop in the built-in simulators
/// (the one it already has, else a new one) and settings that suit their seeded data; then on to choosing flows.
pub async fn use_sandbox(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Response> {
    ctx.require_write()?;
    let Some(sandbox) = state.config.demo_sandbox.clone() else {
        return Err(AppError::NotFound);
    };
    let shop = company_shop(&state, &ctx.scope).await.unwrap_or_else(ShopId::random);
    let shop_credentials = sandbox.shops.credentials(&shop);
    let mplus = MplusCredentials {
        url: sandbox.mplus_url.trim_end_matches('/').to_owned(),
        ident: shop_credentials.mplus_ident.clone(),
        secret: shop_credentials.mplus_secret.clone(),
    };
    let afas = AfasCredentials {
        environment: "12345".into(),
        environment_type: "test".into(),
        token: shop_credentials.afas_token_xml(),
        url: Some(sandbox.afas_url.clone()),
    };
    let mplus_test = conn::store_mplus(&state, &ctx, mplus).await?;
    let afas_test = conn::store_afas(&state, &ctx, afas.clone()).await?;
    if !mplus_test.ok || !afas_test.ok {
        let message = format!(
            "The sandbox did not answer as expected: {} {}",
            mplus_test.message, afas_test.message
        );
        return Err(AppError::Internal(anyhow::anyhow!(message)));
    }
    let administration = lookups::afas_administrations(&afas)
        .await
        .ok()
        .and_then(|list| list.into_iter().next())
        .map_or_else(|| "1".to_owned(), |c| c.code);
    let terms = lookups::afas_payment_conditions(&afas)
        .await
        .ok()
        .and_then(|l| l.into_iter().next())
        .map(|c| c.code);
    let method = lookups::afas_payment_methods(&afas)
        .await
        .ok()
        .and_then(|l| l.into_iter().next())
        .map(|c| c.code);
    update_settings(&state, &ctx, |s| {
        *s = sandbox_settings(&administration, terms.as_deref(), method.as_deref())
    })
    .await?;
    let mut progress = setup::get(&state.db, &ctx.scope).await?;
    for step in ["mplus", "afas"] {
        if !progress.completed.iter().any(|s| s == step) {
            progress.completed.push(step.into());
        }
    }
    if progress.chosen_flows.is_empty() {
        progress.chosen_flows = vec!["orders".into()];
    }
    setup::save(&state.db, &ctx.scope, &progress, now_ms()).await?;
    Ok(redirect_to(&ctx, "flows"))
}

fn table(pairs: &[(&str, &str)]) -> ValueMap {
    ValueMap {
        table: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..ValueMap::default()
    }
}

/// Settings that suit the sandbox's seeded administration and till (what "Try it with the sandbox" stores).
pub fn sandbox_settings(administration: &str, terms: Option<&str>, method: Option<&str>) -> FlowSettings {
    let mut vat = Vec::new();
    for country in ["NL", "BE", "DE"] {
        for (rate, code) in [
            ("21", if country == "BE" { "B21" } else { "1" }),
            ("9", "2"),
            ("6", "B6"),
            ("0", "0"),
        ] {
            vat.push((format!("{country}:{rate}"), code));
        }
    }
    // Reverse-charged sales: the administration's "Btw verlegd", "Levering binnen EU", "Levering buiten EU".
    for (case, code) in [("reverse_charge", "3"), ("intra_eu", "4"), ("export", "5")] {
        vat.push((case.to_owned(), code));
    }
    let vat: Vec<(&str, &str)> = vat.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let mut payment = table(&[
        ("PIN", "PIN"),
        ("CONTANT", "K"),
        ("IDEAL", "IDL"),
        ("BANCONTACT", "B"),
        ("CADEAUBON", "K"),
    ]);
    payment.default = method.map(str::to_owned);
    FlowSettings {
        company: CompanySettings {
            administration: Some(administration.to_owned()),
            debtor_ledger_account: Some("1300".into()),
            payment_terms: Some(terms.unwrap_or("14").to_owned()),
            default_debtor: Some(koppel_sandbox_defaults::CASH_SALES_DEBTOR.into()),
            vat_duty: Some("1".into()),
            warehouse: Some(koppel_sandbox_defaults::MAIN_WAREHOUSE.into()),
            payment_method_map: payment,
            vat_code_by_country: table(&vat),
            revenue_account_by_country: table(&[("NL", "8000"), ("BE", "8100"), ("DE", "8200")]),
            article_group_map: ValueMap {
                default: Some("900".into()),
                ..ValueMap::default()
            },
            vat_group_map: table(&[("21", "1"), ("9", "2"), ("0", "0")]),
            stock_branch: Some("1".into()),
            // The seeded administration's price lists (hospitality, wholesale) on the seeded till's price groups.
            price_list_map: table(&[("HOR", "1"), ("GRO", "2")]),
            ..CompanySettings::default()
        },
        shipping_cost_item: Some("VERZEND".into()),
        shipping_articles: vec![koppel_sandbox_defaults::SHIPPING_ARTICLE.into()],
        rounding_cost_item: Some("AFRONDING".into()),
        shipping_method_map: table(&[("PostNL", "POSTNL"), ("Afhalen", "AFHALEN")]),
        create_missing_articles: true,
        // The seeded administration's article groups (clothing, shoes, accessories, gift cards) on the seeded
        // till's turnover groups.
        turnover_group_map: ValueMap {
            default: Some("10".into()),
            ..table(&[("100", "10"), ("200", "20"), ("300", "10"), ("900", "50")])
        },
        // The seeded administration's article groups become the demo till's article groups.
        article_groups_to_till: true,
        // The seeded administration's free fields (`koppel_sandbox::afas::seed::BRAND_FIELD`, `WEBSHOP_FIELD`)
        // fill the demo till's article custom fields.
        custom_field_map: [("U7E1F0A2C_Merk", "Merk"), ("U7E1F0A2B_Webshop", "Webshop")]
            .into_iter()
            .map(|(afas, till)| (afas.to_owned(), till.to_owned()))
            .collect(),
        // The seeded administration's memorial journal, from the seeded till's first day.
        journal_code: Some("90".into()),
        journal_start_date: Some(koppel_sandbox::mplus::seed::first_receipt_day()),
        ..FlowSettings::default()
    }
}

/// The seeded sandbox's reference data (kept here so the web crate needs no sandbox dependency).
mod koppel_sandbox_defaults {
    /// `koppel_sandbox::afas::seed::CASH_SALES_DEBTOR`.
    pub const CASH_SALES_DEBTOR: &str = "10000";
    /// `koppel_sandbox::afas::seed::MAIN_WAREHOUSE`.
    pub const MAIN_WAREHOUSE: &str = "01";
    /// `koppel_sandbox::mplus::seed::SHIPPING_ARTICLE`.
    pub const SHIPPING_ARTICLE: &str = "990001";
}

//! The sandbox preset's VAT table covers exactly the (country, rate) pairs the sandbox's orders carry, read
//! through the real MplusKASSA adapter from the simulators over real sockets, and each maps to an AFAS VAT code
//! of that rate in the sandbox's administration.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use koppel_afas::GetQuery;
use koppel_jobs::connect::{ClientOptions, MplusSource, afas_client, afas_environment, mplus_client};
use koppel_jobs::credentials::{AfasCredentials, MplusCredentials};
use koppel_sandbox::{Sandbox, SandboxConfig, ShopId};
use koppel_sync::country::iso2;
use koppel_sync::model::{SourceDocumentKind, SourceOrder};
use koppel_sync::ports::PosSource;
use koppel_sync::vat::ShiftedVat;
use rust_decimal::Decimal;
use serde_json::Value;

/// The key the orders flow looks a line's VAT code up by: the customer's (delivery) country and the rate.
fn keys_of(order: &SourceOrder) -> Vec<(String, String)> {
    let customer = order.customer.as_ref();
    let address = customer.and_then(|c| c.delivery_address.as_ref().or(c.address.as_ref()));
    let Some(country) = address.map(|a| iso2(&a.country)) else {
        return Vec::new();
    };
    order
        .lines
        .iter()
        .map(|line| (country.clone(), line.vat_percentage.normalize().to_string()))
        .collect()
}

/// Every (country, rate) the till at `mplus` hands out in its orders.
async fn carried(mplus: &MplusCredentials) -> BTreeSet<(String, String)> {
    let client = mplus_client(mplus, &ClientOptions::default()).unwrap();
    let source = MplusSource::new(Arc::new(client));
    let mut keys = BTreeSet::new();
    let mut from = 0;
    loop {
        let page = source
            .orders_since(&[SourceDocumentKind::Order], from, 500)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        from = last.sync_marker + 1;
        keys.extend(page.iter().flat_map(keys_of));
    }
    keys
}

#[tokio::test]
async fn the_preset_vat_table_covers_exactly_the_rates_the_sandbox_sells_at() {
    // Enough orders that every pairing of a customer's country with a branch's rate turns up.
    let sandbox = Sandbox::start_local(SandboxConfig {
        orders: 2_000,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let mut credentials = vec![(
        sandbox.config.mplus_ident.clone(),
        sandbox.config.mplus_secret.clone(),
        sandbox.config.afas_token_xml(),
    )];
    for _ in 0..2 {
        let shop = sandbox.shops.credentials(&ShopId::random());
        credentials.push((
            shop.mplus_ident.clone(),
            shop.mplus_secret.clone(),
            shop.afas_token_xml(),
        ));
    }

    let settings = koppel_web::sandbox_settings("1", Some("14"), Some("PIN"));
    let vat = &settings.company.vat_code_by_country;
    let mut used = BTreeSet::new();
    let mut rate_of_any: BTreeMap<String, String> = BTreeMap::new();
    for (ident, secret, token) in credentials {
        let mplus = MplusCredentials {
            url: sandbox.mplus_url(),
            ident,
            secret,
        };
        let afas = AfasCredentials {
            environment: "12345".into(),
            environment_type: "test".into(),
            token,
            url: Some(sandbox.afas_url()),
        };
        let client = afas_client(afas_environment(&afas).unwrap(), &afas, &ClientOptions::default()).unwrap();
        let codes: Vec<Value> = client
            .get_all(GetQuery::new("Profit_VAT_code", ["VatCode"]))
            .await
            .unwrap();
        let rate_of: BTreeMap<String, Decimal> = codes
            .iter()
            .map(|code| {
                let rate = Decimal::try_from(code["VatPerc"].as_f64().unwrap()).unwrap();
                (code["VatCode"].as_str().unwrap().to_owned(), rate.normalize())
            })
            .collect();
        rate_of_any.extend(rate_of.iter().map(|(code, rate)| (code.clone(), rate.to_string())));
        for (country, rate) in carried(&mplus).await {
            let key = format!("{country}:{rate}");
            let code = vat
                .resolve_first(&[Some(key.as_str()), Some(country.as_str())])
                .unwrap_or_else(|| panic!("{key} has no VAT code in the preset"));
            assert_eq!(
                rate_of.get(code).map(|r| r.to_string()),
                Some(rate.clone()),
                "{key} maps to {code}, not an AFAS code of {rate}%"
            );
            used.insert(key);
        }
    }
    // The reverse-charge rows are not rates the till charges: each must name an AFAS code of 0%.
    let shifted: Vec<&str> = ShiftedVat::ALL.iter().map(|case| case.key()).collect();
    for key in &shifted {
        let code = vat
            .lookup(key)
            .unwrap_or_else(|| panic!("the preset has no `{key}` row"));
        assert_eq!(
            rate_of_any.get(code).map(String::as_str),
            Some("0"),
            "{key} maps to {code}"
        );
    }
    let preset: BTreeSet<String> = vat
        .table
        .keys()
        .filter(|key| !shifted.contains(&key.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        preset, used,
        "every preset entry is a rate the sandbox sells at, and only those"
    );
    assert!(vat.forced.is_none() && vat.default.is_none());
}

//! Shops keyed by credentials: the default shop (the configured credentials and seed) and one shop per company
//! shop id, created on first use, each with its own AFAS administration, till, journal, faults and latency.
//! Both simulators share one registry, so a company's AFAS and till are the same shop.
//!
//! A shop id is 128 random bits chosen by Koppel; isolation rests on it being unguessable, so it only ever
//! appears in the secret parts of the credentials ([`Shops::credentials`]): the MplusKASSA `secret` and the AFAS
//! token's data are each the shop id followed by a check derived from it (64 hex characters, as AFAS's token
//! data is). The check tells a company's credentials from wrong ones, which reach the default shop and are
//! refused there as before. At most [`SandboxConfig::max_shops`] company shops are held; the least recently
//! used one is dropped to make room (it comes back seeded when used again).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use serde_json::json;

use crate::SandboxConfig;
use crate::afas::AfasState;
use crate::mplus::MplusState;

/// How many company shops a sandbox holds by default.
pub const DEFAULT_MAX_SHOPS: usize = 1_000;

/// A company's shop: 128 random bits, written as 32 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShopId([u8; 16]);

// Derivation domains: the data seed and the check of each credential.
const SEED_DOMAIN: u8 = 0;
const AFAS_CHECK_DOMAIN: u8 = 1;
const MPLUS_CHECK_DOMAIN: u8 = 2;

impl ShopId {
    /// A new, unguessable shop id.
    pub fn random() -> Self {
        Self(rand::random())
    }

    /// A shop id from its 32 hex characters (either case).
    pub fn parse(text: &str) -> Option<Self> {
        let mut bytes = [0u8; 16];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// 16 bytes derived from the id for one purpose.
    fn derive(&self, domain: u8) -> [u8; 16] {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(&self.0);
        key[16] = domain;
        ChaCha8Rng::from_seed(key).random()
    }

    /// The seed of the shop's generated data.
    fn seed(&self) -> u64 {
        let bytes = self.derive(SEED_DOMAIN);
        u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes"))
    }

    /// The id followed by its check for `domain`: 64 hex characters.
    fn with_check(&self, domain: u8) -> String {
        format!("{self}{}", hex::encode(self.derive(domain)))
    }

    /// The shop id in `text` when it is an id followed by its check for `domain`.
    fn from_checked(text: &str, domain: u8) -> Option<Self> {
        if text.len() != 64 || !text.is_char_boundary(32) {
            return None;
        }
        let (id, check) = text.split_at(32);
        let id = Self::parse(id)?;
        check
            .eq_ignore_ascii_case(&hex::encode(id.derive(domain)))
            .then_some(id)
    }
}

impl std::fmt::Display for ShopId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// The id is a secret: `Debug` does not show it.
impl std::fmt::Debug for ShopId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShopId(••••)")
    }
}

/// The credentials that reach one company shop in both simulators.
#[derive(Clone, PartialEq, Eq)]
pub struct ShopCredentials {
    /// The 64-hex data part of the AFAS token.
    pub afas_token_data: String,
    pub mplus_ident: String,
    pub mplus_secret: String,
}

impl ShopCredentials {
    /// The full AFAS token XML, as an AFAS user would paste it.
    pub fn afas_token_xml(&self) -> String {
        format!(
            "<token><version>1</version><data>{}</data></token>",
            self.afas_token_data
        )
    }
}

impl std::fmt::Debug for ShopCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopCredentials")
            .field("mplus_ident", &self.mplus_ident)
            .finish_non_exhaustive()
    }
}

/// One shop: its AFAS administration and its till.
#[derive(Clone)]
pub(crate) struct Shop {
    afas: AfasState,
    mplus: MplusState,
}

impl Shop {
    fn new(config: &SandboxConfig) -> Self {
        Self {
            afas: AfasState::new(config),
            mplus: MplusState::new(config),
        }
    }
}

/// The registry of shops both simulators serve (cheap to clone).
#[derive(Clone)]
pub struct Shops {
    inner: Arc<Registry>,
}

impl std::fmt::Debug for Shops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shops")
            .field("held", &self.held())
            .finish_non_exhaustive()
    }
}

struct Registry {
    config: SandboxConfig,
    default: Shop,
    company: Mutex<CompanyShops>,
}

/// The company shops held, each with when it was last used (a counter, for dropping the least recent).
#[derive(Default)]
struct CompanyShops {
    held: HashMap<ShopId, (Shop, u64)>,
    clock: u64,
}

impl CompanyShops {
    fn touch(&mut self, id: &ShopId) -> Option<Shop> {
        self.clock += 1;
        let clock = self.clock;
        self.held.get_mut(id).map(|(shop, used)| {
            *used = clock;
            shop.clone()
        })
    }
}

impl Shops {
    pub fn new(config: &SandboxConfig) -> Self {
        Self {
            inner: Arc::new(Registry {
                config: config.clone(),
                default: Shop::new(config),
                company: Mutex::default(),
            }),
        }
    }

    fn company_shops(&self) -> std::sync::MutexGuard<'_, CompanyShops> {
        self.inner
            .company
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The credentials that reach the company shop `id`: the configured MplusKASSA ident, and the shop id in
    /// the secret parts.
    pub fn credentials(&self, id: &ShopId) -> ShopCredentials {
        ShopCredentials {
            afas_token_data: id.with_check(AFAS_CHECK_DOMAIN).to_ascii_uppercase(),
            mplus_ident: self.inner.config.mplus_ident.clone(),
            mplus_secret: id.with_check(MPLUS_CHECK_DOMAIN),
        }
    }

    /// The company shop that MplusKASSA credentials reach, if they are a company shop's.
    pub fn shop_of_mplus(&self, ident: &str, secret: &str) -> Option<ShopId> {
        (ident == self.inner.config.mplus_ident)
            .then(|| ShopId::from_checked(secret, MPLUS_CHECK_DOMAIN))
            .flatten()
    }

    /// The company shop that an AFAS token (its XML or its data part) reaches, if it is a company shop's.
    pub fn shop_of_afas_token(&self, token: &str) -> Option<ShopId> {
        let token: String = token.split_whitespace().collect();
        let data = match token.split_once("<data>") {
            Some((_, rest)) => rest.split_once("</data>")?.0,
            None => token.as_str(),
        };
        ShopId::from_checked(data, AFAS_CHECK_DOMAIN)
    }

    /// Restores a company shop, both simulators, to its seeded state (the held state is dropped; the next
    /// request seeds it afresh).
    pub fn reset(&self, id: &ShopId) {
        self.company_shops().held.remove(id);
    }

    /// How many company shops are held.
    pub fn held(&self) -> usize {
        self.company_shops().held.len()
    }

    pub(crate) fn default_shop(&self) -> Shop {
        self.inner.default.clone()
    }

    /// The company shop `id`, seeded on first use; the least recently used one is dropped when the registry
    /// is full.
    pub(crate) fn company(&self, id: ShopId) -> Shop {
        if let Some(shop) = self.company_shops().touch(&id) {
            return shop;
        }
        // Seeded outside the lock: a large shop takes a moment, and other shops keep answering meanwhile.
        let fresh = Shop::new(&self.company_config(&id));
        let mut shops = self.company_shops();
        if let Some(raced) = shops.touch(&id) {
            return raced;
        }
        while shops.held.len() >= self.inner.config.max_shops.max(1) {
            let oldest = shops.held.iter().min_by_key(|(_, (_, used))| *used).map(|(id, _)| *id);
            match oldest {
                Some(oldest) => shops.held.remove(&oldest),
                None => break,
            };
        }
        let used = shops.clock;
        shops.held.insert(id, (fresh.clone(), used));
        fresh
    }

    /// A company shop's configuration: its own credentials and seed, the configured size.
    fn company_config(&self, id: &ShopId) -> SandboxConfig {
        let credentials = self.credentials(id);
        SandboxConfig {
            seed: id.seed(),
            afas_token_data: credentials.afas_token_data,
            mplus_ident: credentials.mplus_ident,
            mplus_secret: credentials.mplus_secret,
            ..self.inner.config.clone()
        }
    }

    fn of_afas_token_data(&self, data: Option<&str>) -> Shop {
        let company = data
            .filter(|data| !data.eq_ignore_ascii_case(&self.inner.config.afas_token_data))
            .and_then(|data| ShopId::from_checked(data, AFAS_CHECK_DOMAIN));
        match company {
            Some(id) => self.company(id),
            None => self.default_shop(),
        }
    }

    fn of_mplus_secret(&self, secret: Option<&str>) -> Shop {
        let company = secret
            .filter(|secret| *secret != self.inner.config.mplus_secret)
            .and_then(|secret| ShopId::from_checked(secret, MPLUS_CHECK_DOMAIN));
        match company {
            Some(id) => self.company(id),
            None => self.default_shop(),
        }
    }
}

/// Middleware of the Profit API: the shop the request's AFAS token reaches (the default shop for any token
/// that is not a company shop's, which the guard then checks as before).
pub(crate) async fn by_afas_token(State(shops): State<Shops>, mut request: Request, next: Next) -> Response {
    let data = crate::afas::token_data(request.headers());
    let shop = shops.of_afas_token_data(data.as_deref());
    request.extensions_mut().insert(shop);
    next.run(request).await
}

#[derive(Deserialize)]
struct MplusQuery {
    secret: Option<String>,
}

/// Middleware of the SOAP endpoint: the shop the request's MplusKASSA secret reaches (else the default shop,
/// which checks ident and secret as before).
pub(crate) async fn by_mplus_secret(State(shops): State<Shops>, mut request: Request, next: Next) -> Response {
    let secret = Query::<MplusQuery>::try_from_uri(request.uri())
        .ok()
        .and_then(|Query(query)| query.secret);
    let shop = shops.of_mplus_secret(secret.as_deref());
    request.extensions_mut().insert(shop);
    next.run(request).await
}

#[derive(Deserialize)]
struct ShopQuery {
    shop: Option<String>,
}

/// Middleware of the `/_sandbox/` controls: the company shop named by `?shop=<32 hex>`, else the default shop.
pub(crate) async fn by_shop_parameter(State(shops): State<Shops>, mut request: Request, next: Next) -> Response {
    let named = Query::<ShopQuery>::try_from_uri(request.uri())
        .ok()
        .and_then(|Query(query)| query.shop);
    let shop = match named {
        None => shops.default_shop(),
        Some(text) => match ShopId::parse(&text) {
            Some(id) => shops.company(id),
            None => {
                let error = json!({"error": "shop must be a shop id of 32 hexadecimal characters"});
                return (StatusCode::BAD_REQUEST, Json(error)).into_response();
            }
        },
    };
    request.extensions_mut().insert(shop);
    next.run(request).await
}

/// The resolved shop's AFAS state, for handlers behind [`by_afas_token`] or [`by_shop_parameter`].
impl<S: Send + Sync> FromRequestParts<S> for AfasState {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
        shop_of(parts).map(|shop| shop.afas)
    }
}

/// The resolved shop's MplusKASSA state, for handlers behind [`by_mplus_secret`] or [`by_shop_parameter`].
impl<S: Send + Sync> FromRequestParts<S> for MplusState {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
        shop_of(parts).map(|shop| shop.mplus)
    }
}

fn shop_of(parts: &Parts) -> Result<Shop, StatusCode> {
    parts.extensions.get::<Shop>().cloned().ok_or_else(|| {
        tracing::error!("sandbox bug: a route is served without resolving its shop");
        StatusCode::INTERNAL_SERVER_ERROR
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_name_their_shop_and_nothing_else() {
        let shops = Shops::new(&SandboxConfig::default());
        let id = ShopId::random();
        let credentials = shops.credentials(&id);
        assert_eq!(credentials.afas_token_data.len(), 64);
        assert!(
            credentials
                .afas_token_data
                .starts_with(&id.to_string().to_ascii_uppercase())
        );
        assert_eq!(shops.shop_of_afas_token(&credentials.afas_token_xml()), Some(id));
        assert_eq!(shops.shop_of_afas_token(&credentials.afas_token_data), Some(id));
        assert_eq!(
            shops.shop_of_mplus(&credentials.mplus_ident, &credentials.mplus_secret),
            Some(id)
        );
        // The check of one credential is not the other's, and a changed character breaks it.
        assert_eq!(shops.shop_of_afas_token(&credentials.mplus_secret), None);
        let mut tampered = credentials.mplus_secret.clone();
        tampered.replace_range(63.., if tampered.ends_with('0') { "1" } else { "0" });
        assert_eq!(shops.shop_of_mplus(&credentials.mplus_ident, &tampered), None);
        assert_eq!(shops.shop_of_mplus("someone-else", &credentials.mplus_secret), None);
        // The defaults are no company's.
        assert_eq!(shops.shop_of_afas_token(crate::DEFAULT_AFAS_TOKEN_DATA), None);
        assert_eq!(
            shops.shop_of_mplus(crate::DEFAULT_MPLUS_IDENT, crate::DEFAULT_MPLUS_SECRET),
            None
        );
        assert_ne!(ShopId::random(), id);
        assert_eq!(format!("{id:?}"), "ShopId(••••)");
    }

    #[test]
    fn the_least_recently_used_shop_makes_room() {
        let config = SandboxConfig {
            max_shops: 2,
            orders: 10,
            ..SandboxConfig::default()
        };
        let shops = Shops::new(&config);
        let (a, b, c) = (ShopId::random(), ShopId::random(), ShopId::random());
        let first_a = shops.company(a);
        shops.company(b);
        shops.company(a);
        shops.company(c);
        assert_eq!(shops.held(), 2);
        let held = shops.company_shops();
        assert!(
            held.held.contains_key(&a) && held.held.contains_key(&c),
            "b was used least recently"
        );
        assert!(Arc::ptr_eq(&held.held[&a].0.mplus.control, &first_a.mplus.control));
    }
}

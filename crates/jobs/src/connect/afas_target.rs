//! [`AfasTarget`]: the engine's ERP over the AFAS client. Look-ups are batched ([`super::afas_lookups`]),
//! writes use the client's typed bodies ([`super::afas_bodies`]), and every write and failure carries the
//! exchange that made it.
//!
//! What a look-up learns is remembered on the target for the rest of the run: debtors and articles found (a
//! later page asks AFAS only for keys it has not seen, see [`RunCache`]), an article's unit (order lines and
//! stock mutations must use it), a debtor's organisation/person code (an update names it) and the delivery
//! addresses found or added. A target lives for one run.
//!
//! **Delivery addresses.** A sale delivered elsewhere than its debtor's own address names one of the debtor's
//! delivery addresses (`DlAd`, a contact of kind `AFL`): the one with the same street, number, addition,
//! postcode, city and country (`Profit_Deliveryaddress` by debtor), or a new one added to the debtor under a
//! claim (kind `delivery_address`, key: debtor and address), so two sales to one address, in one run or in
//! two at the same time, add it once. A debtor's delivery addresses are looked up once per run (a page's
//! debtors together, [`ErpTarget::look_up_delivery_addresses`]) and kept current with what the run adds; a debtor the run created has none, so its first one is added without
//! asking (another run adding the same address meanwhile is caught by the claim, which looks it up).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use koppel_afas::AfasClient;
use koppel_afas::rows::DeliveryAddressRow;
use koppel_afas::update::{Address as AfasAddress, DeliveryAddress, UpdateConnector, UpdateResult};
use koppel_store::claims::ClaimKind;
use koppel_sync::catalogue::ErpArticle;
use koppel_sync::clientele::ErpDebtor;
use koppel_sync::deliveries::ErpOrderState;
use koppel_sync::ledger::FinancialEntryDraft;
use koppel_sync::model::{
    Address, ArticleDraft, ArticleRecord, DebtorDraft, DebtorRecord, OrderTarget, SalesOrderDraft, StockMutationDraft,
    VAT_KEY_PREFIX,
};
use koppel_sync::ports::{
    ConnectorError, ConnectorResult, Creation, DraftWrite, ErpTarget, Exchange, JsonText, ListFields, Written,
};
use koppel_sync::pricing::ErpListPrice;
use koppel_sync::proposals::ErpQuotation;
use koppel_sync::requirements::AfasList;
use koppel_sync::sales::BookedTotals;
use koppel_sync::settings::AfasArticleFilter;
use koppel_sync::terms::ErpDebtorTerms;
use rust_decimal::Decimal;

use super::afas_bodies::{
    DEFAULT_UNIT, DebtorBody, address, article_body, debtor_body, document_kind, financial_entry_body, sales_body,
    stock_body,
};
use super::claims::CreateOnce;
use super::errors::{afas_call, afas_read};
use super::run_cache::RunCache;
use super::{afas_articles, afas_debtors, afas_deliveries, afas_lookups, afas_prices, afas_quotations, afas_terms};

/// AFAS Profit as the engine's target.
pub struct AfasTarget {
    client: Arc<AfasClient>,
    debtors: RunCache<DebtorRecord>,
    articles: RunCache<ArticleRecord>,
    units: Mutex<HashMap<String, String>>,
    party_codes: Mutex<HashMap<String, String>>,
    /// Delivery addresses found or added in this run: claim key → contact number.
    delivery_addresses: Mutex<HashMap<String, String>>,
    /// Every delivery address of a debtor as this run knows them (looked up, or created with the debtor), by
    /// debtor id.
    delivery_rows: Mutex<HashMap<String, Vec<DeliveryAddressRow>>>,
    /// One lock per delivery address (claim key): a run's sales are in flight together, and two of them to
    /// one address must not both find it missing.
    delivery_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Debtors and articles are created under a claim so that runs at the same time never make one twice;
    /// `None` only where nothing is created concurrently (benchmarks, the preflight).
    create_once: Option<CreateOnce>,
}

impl AfasTarget {
    pub fn new(client: Arc<AfasClient>) -> Self {
        Self {
            client,
            debtors: RunCache::default(),
            articles: RunCache::default(),
            units: Mutex::default(),
            party_codes: Mutex::default(),
            delivery_addresses: Mutex::default(),
            delivery_rows: Mutex::default(),
            delivery_locks: Mutex::default(),
            create_once: None,
        }
    }

    /// Creates debtors and articles under the company's claims (what every run does).
    pub fn with_claims(mut self, create_once: CreateOnce) -> Self {
        self.create_once = Some(create_once);
        self
    }

    /// `create` once per key: under a claim when the target has claims, otherwise directly.
    async fn create_once<L, LF, C, CF>(
        &self,
        kind: ClaimKind,
        key: &str,
        what: &str,
        look_up: L,
        create: C,
    ) -> ConnectorResult<Written<Creation>>
    where
        L: Fn() -> LF,
        LF: std::future::Future<Output = ConnectorResult<Option<String>>>,
        C: FnOnce() -> CF,
        CF: std::future::Future<Output = ConnectorResult<Written<String>>>,
    {
        match &self.create_once {
            Some(claims) => claims.create(kind, key, what, look_up, create).await,
            None => create().await.map(|written| Written {
                value: Creation::Created(written.value),
                exchange: written.exchange,
            }),
        }
    }

    /// The id of the debtor with this key (e-mail address or `vat:` number) in AFAS now (not from the run's
    /// cache).
    async fn debtor_in_afas(&self, key: &str) -> ConnectorResult<Option<String>> {
        let found = afas_read(afas_lookups::debtors_by_key(&self.client, &[key.to_owned()])).await?;
        Ok(found
            .into_iter()
            .find(|debtor| debtor.key == key)
            .map(|debtor| debtor.record.debtor_id))
    }

    /// The item code if the article exists in AFAS now (not from the run's cache).
    async fn article_in_afas(&self, item_code: &str) -> ConnectorResult<Option<String>> {
        let found = afas_read(afas_lookups::articles_by_code(&self.client, &[item_code.to_owned()])).await?;
        Ok(found
            .into_iter()
            .find(|(record, _)| record.item_code == item_code)
            .map(|(record, _)| record.item_code))
    }

    /// The contact number of the debtor's delivery address with this address in AFAS now; the debtor's
    /// delivery addresses are remembered for the rest of the run.
    async fn delivery_address_in_afas(
        &self,
        debtor_id: &str,
        address: &AfasAddress,
    ) -> ConnectorResult<Option<String>> {
        let ids = [debtor_id.to_owned()];
        let listed = afas_read(afas_lookups::delivery_addresses(&self.client, &ids)).await?;
        let rows = listed.into_values().next().unwrap_or_default();
        let number = matching_address(&rows, address);
        self.delivery_rows
            .lock()
            .expect("delivery rows lock")
            .insert(debtor_id.to_owned(), rows);
        Ok(number)
    }

    /// The debtor's delivery address with this address as this run knows them; `None` when the run has not
    /// looked at the debtor's delivery addresses yet.
    fn delivery_address_known(&self, debtor_id: &str, address: &AfasAddress) -> Option<Option<String>> {
        let rows = self.delivery_rows.lock().expect("delivery rows lock");
        rows.get(debtor_id).map(|rows| matching_address(rows, address))
    }

    /// The debtor's organisation or person code: remembered from this run's look-ups, else asked.
    async fn party_code(&self, debtor_id: &str) -> ConnectorResult<String> {
        let known = self
            .party_codes
            .lock()
            .expect("party codes lock")
            .get(debtor_id)
            .cloned();
        if let Some(code) = known {
            return Ok(code);
        }
        let code = afas_read(afas_lookups::party_code(&self.client, debtor_id)).await?;
        let code = code.ok_or_else(|| ConnectorError::master_data(format!("debtor {debtor_id} is not in AFAS")))?;
        self.remember_party(debtor_id, Some(&code));
        Ok(code)
    }

    fn unit_of(&self, item_code: &str) -> String {
        let units = self.units.lock().expect("units lock");
        units.get(item_code).cloned().unwrap_or_else(|| DEFAULT_UNIT.to_owned())
    }

    fn remember_unit(&self, item_code: &str, unit: Option<&str>) {
        if let Some(unit) = unit.filter(|u| !u.is_empty()) {
            let mut units = self.units.lock().expect("units lock");
            units.insert(item_code.to_owned(), unit.to_owned());
        }
    }

    fn remember_party(&self, debtor_id: &str, code: Option<&str>) {
        if let Some(code) = code {
            let mut codes = self.party_codes.lock().expect("party codes lock");
            codes.insert(debtor_id.to_owned(), code.to_owned());
        }
    }

    async fn write_debtor(&self, body: DebtorBody, insert: bool) -> ConnectorResult<Written<UpdateResult>> {
        let client = &self.client;
        match (body, insert) {
            (DebtorBody::Organisation(body), true) => afas_call(client.insert(&body)).await,
            (DebtorBody::Organisation(body), false) => afas_call(client.update(&body)).await,
            (DebtorBody::Person(body), true) => afas_call(client.insert(&body)).await,
            (DebtorBody::Person(body), false) => afas_call(client.update(&body)).await,
        }
    }
}

/// The key AFAS returned, or a refusal that says it did not (the write happened; it cannot be linked).
fn returned_key(written: Written<UpdateResult>, field: &str) -> ConnectorResult<Written<String>> {
    match written.value.key(field) {
        Some(key) => Ok(Written {
            value: key.to_owned(),
            exchange: written.exchange,
        }),
        None => Err(ConnectorError {
            exchange: Some(written.exchange),
            ..ConnectorError::permanent(format!("AFAS accepted it but returned no {field}"))
        }),
    }
}

/// The claim key of a debtor's delivery address: the debtor and every part of the address, as compared.
fn delivery_address_key(debtor_id: &str, address: &AfasAddress) -> String {
    let postcode = address.postcode.as_deref().unwrap_or_default().replace(' ', "");
    let number = address.house_number.map(|n| n.to_string());
    [
        Some(debtor_id),
        address.street.as_deref(),
        number.as_deref(),
        address.house_number_addition.as_deref(),
        Some(postcode.as_str()),
        address.city.as_deref(),
        Some(address.country.as_str()),
    ]
    .map(|part| part.unwrap_or_default().trim().to_lowercase())
    .join("|")
}

/// The number of the listed delivery address that is this address: the newest, should the accountant have
/// added the same address twice.
fn matching_address(rows: &[DeliveryAddressRow], address: &AfasAddress) -> Option<String> {
    rows.iter()
        .filter(|row| afas_lookups::same_address(row, address))
        .max_by_key(|row| (row.contact_id.len(), row.contact_id.clone()))
        .map(|row| row.contact_id.clone())
}

fn without_value<T>(written: Written<T>) -> Written<()> {
    Written {
        value: (),
        exchange: written.exchange,
    }
}

/// A body as the client would send it, named like the real exchange (`create order: POST FbSales`), and
/// checked against the official UpdateConnector schema: a dry run cannot ask AFAS, so a value AFAS would
/// refuse (too long, not a date) fails the record here, with the body, as AFAS's refusal would in a run.
fn rendered(label: String, method: &str, body: &impl UpdateConnector) -> ConnectorResult<Exchange> {
    let connector = body.connector();
    let request = body
        .body_text()
        .map_err(|error| ConnectorError::permanent(format!("AFAS {connector}: {error}")))?;
    let request = JsonText::from_body(Some(&request));
    let verdict = koppel_afas::schema::validate(connector, method, &request.to_value());
    let exchange = Exchange {
        operation: format!("{label}: {method} {connector}"),
        request,
        ..Exchange::default()
    };
    match verdict {
        Ok(()) => Ok(exchange),
        Err(errors) => Err(ConnectorError {
            exchange: Some(exchange),
            ..ConnectorError::permanent(format!(
                "AFAS would refuse this {connector} body (official schema): {}",
                errors.join("; ")
            ))
        }),
    }
}

impl ErpTarget for AfasTarget {
    fn render_write(&self, write: &DraftWrite<'_>) -> ConnectorResult<Exchange> {
        let today = Utc::now().date_naive();
        let label = write.label();
        let debtor = |body: DebtorBody, method: &str| match body {
            DebtorBody::Organisation(body) => rendered(label.clone(), method, &body),
            DebtorBody::Person(body) => rendered(label.clone(), method, &body),
        };
        match *write {
            DraftWrite::CreateDebtor(draft) => debtor(debtor_body(draft, None, today), "POST"),
            DraftWrite::UpdateDebtor(id, draft) => {
                let code = self.party_codes.lock().expect("party codes lock").get(id).cloned();
                debtor(debtor_body(draft, Some((id, code.as_deref())), today), "PUT")
            }
            DraftWrite::CreateOrder(draft) => rendered(label, "POST", &sales_body(draft, |code| self.unit_of(code))?),
            DraftWrite::CreateArticle(draft) => {
                let unit = draft.unit.clone().unwrap_or_else(|| self.unit_of(&draft.item_code));
                rendered(label, "POST", &article_body(draft, &unit, true)?)
            }
            DraftWrite::UpdateArticle(draft) => rendered(
                label,
                "PUT",
                &article_body(draft, &self.unit_of(&draft.item_code), false)?,
            ),
            DraftWrite::StockMutation(draft) => {
                rendered(label, "POST", &stock_body(draft, &self.unit_of(&draft.item_code)))
            }
            DraftWrite::FinancialEntry(draft) => rendered(label, "POST", &financial_entry_body(draft)),
        }
    }

    async fn existing_orders(
        &self,
        document: OrderTarget,
        references: &[String],
    ) -> ConnectorResult<HashMap<String, String>> {
        let quotations = document == OrderTarget::Quotation;
        afas_read(afas_lookups::documents_by_reference(
            &self.client,
            quotations,
            references,
        ))
        .await
    }

    async fn booked_totals(
        &self,
        _document: OrderTarget,
        numbers: &[String],
    ) -> ConnectorResult<HashMap<String, BookedTotals>> {
        afas_read(afas_lookups::booked_totals(&self.client, numbers)).await
    }

    async fn debtors_by_key(&self, keys: &[String]) -> ConnectorResult<HashMap<String, DebtorRecord>> {
        let (mut debtors, unknown) = self.debtors.split(keys);
        if unknown.is_empty() {
            return Ok(debtors);
        }
        let mut found = HashMap::new();
        for debtor in afas_read(afas_lookups::debtors_by_key(&self.client, &unknown)).await? {
            self.remember_party(&debtor.record.debtor_id, debtor.code.as_deref());
            found.entry(debtor.key).or_insert(debtor.record);
        }
        self.debtors.learn(&unknown, &found);
        debtors.extend(found);
        Ok(debtors)
    }

    async fn articles_by_code(&self, item_codes: &[String]) -> ConnectorResult<HashMap<String, ArticleRecord>> {
        let (mut articles, unknown) = self.articles.split(item_codes);
        if unknown.is_empty() {
            return Ok(articles);
        }
        let mut found = HashMap::new();
        for (record, unit) in afas_read(afas_lookups::articles_by_code(&self.client, &unknown)).await? {
            self.remember_unit(&record.item_code, Some(&unit));
            found.insert(record.item_code.clone(), record);
        }
        self.articles.learn(&unknown, &found);
        articles.extend(found);
        Ok(articles)
    }

    async fn create_debtor(&self, debtor: &DebtorDraft) -> ConnectorResult<Written<Creation>> {
        let key = debtor.key().ok_or_else(|| {
            ConnectorError::permanent("a debtor needs an e-mail address or a VAT number to be matched by")
        })?;
        self.debtors.forget(&key);
        let what = format!("the debtor for {}", key.strip_prefix(VAT_KEY_PREFIX).unwrap_or(&key));
        let create = || async {
            let body = debtor_body(debtor, None, Utc::now().date_naive());
            let written = self.write_debtor(body, true).await?;
            self.remember_party(written.value.key("DbId").unwrap_or_default(), written.value.key("BcCo"));
            returned_key(written, "DbId")
        };
        let created = self
            .create_once(ClaimKind::Debtor, &key, &what, || self.debtor_in_afas(&key), create)
            .await?;
        if let Creation::Created(debtor_id) = &created.value {
            // Made just now: it has no delivery addresses yet but those this run adds.
            let mut rows = self.delivery_rows.lock().expect("delivery rows lock");
            rows.insert(debtor_id.clone(), Vec::new());
        }
        Ok(created)
    }

    async fn update_debtor(&self, debtor_id: &str, debtor: &DebtorDraft) -> ConnectorResult<Written<()>> {
        let code = self
            .party_codes
            .lock()
            .expect("party codes lock")
            .get(debtor_id)
            .cloned();
        let body = debtor_body(debtor, Some((debtor_id, code.as_deref())), Utc::now().date_naive());
        if let Some(key) = debtor.key() {
            self.debtors.forget(&key);
        }
        self.write_debtor(body, false).await.map(without_value)
    }

    async fn create_order(&self, order: &SalesOrderDraft) -> ConnectorResult<Written<String>> {
        let body = sales_body(order, |code| self.unit_of(code))?;
        let written = afas_call(self.client.insert(&body)).await?;
        returned_key(written, document_kind(order.target).number_field())
    }

    async fn create_article(&self, article: &ArticleDraft) -> ConnectorResult<Written<Creation>> {
        let code = &article.item_code;
        self.articles.forget(code);
        let what = format!("article {code}");
        let create = || async {
            let unit = article.unit.clone().unwrap_or_else(|| self.unit_of(code));
            let body = article_body(article, &unit, true)?;
            let written = afas_call(self.client.insert(&body)).await?;
            self.remember_unit(code, Some(&unit));
            let item_code = written.value.key("ItCd").unwrap_or(code).to_owned();
            Ok(Written {
                value: item_code,
                exchange: written.exchange,
            })
        };
        self.create_once(ClaimKind::Article, code, &what, || self.article_in_afas(code), create)
            .await
    }

    async fn update_article(&self, article: &ArticleDraft) -> ConnectorResult<Written<()>> {
        // The basic unit cannot change in AFAS: keep the one it has.
        let body = article_body(article, &self.unit_of(&article.item_code), false)?;
        self.articles.forget(&article.item_code);
        afas_call(self.client.update(&body)).await.map(without_value)
    }

    async fn stock_levels(&self, warehouse: &str, item_codes: &[String]) -> ConnectorResult<HashMap<String, Decimal>> {
        let rows = afas_read(afas_lookups::stock_in_warehouse(&self.client, warehouse, item_codes)).await?;
        let mut levels = HashMap::new();
        for (item_code, quantity, unit) in rows {
            self.remember_unit(&item_code, unit.as_deref());
            *levels.entry(item_code).or_default() += quantity;
        }
        Ok(levels)
    }

    async fn post_stock_mutation(&self, mutation: &StockMutationDraft) -> ConnectorResult<Written<()>> {
        let body = stock_body(mutation, &self.unit_of(&mutation.item_code));
        afas_call(self.client.insert(&body)).await.map(without_value)
    }

    async fn existing_financial_entries(&self, vouchers: &[String]) -> ConnectorResult<HashMap<String, String>> {
        afas_read(afas_lookups::entries_by_voucher(&self.client, vouchers)).await
    }

    async fn post_financial_entry(&self, entry: &FinancialEntryDraft) -> ConnectorResult<Written<String>> {
        let written = afas_call(self.client.insert(&financial_entry_body(entry))).await?;
        returned_key(written, "EnNo")
    }

    async fn erp_articles_since(
        &self,
        filter: &AfasArticleFilter,
        from: i64,
        limit: usize,
    ) -> ConnectorResult<Vec<ErpArticle>> {
        afas_read(afas_articles::articles_since(&self.client, filter, from, limit)).await
    }

    async fn list_fields(&self, list: &str) -> ConnectorResult<ListFields> {
        Ok(match afas_read(self.client.get_connector_fields(list)).await? {
            Some(fields) => ListFields::Fields(fields),
            None => ListFields::Missing,
        })
    }

    async fn erp_article(&self, filter: &AfasArticleFilter, item_code: &str) -> ConnectorResult<Option<ErpArticle>> {
        afas_read(afas_articles::article(&self.client, filter, item_code)).await
    }

    async fn erp_list_prices(&self, lists: &[String], items: Option<&[String]>) -> ConnectorResult<Vec<ErpListPrice>> {
        afas_read(afas_prices::list_prices(&self.client, lists, items)).await
    }

    async fn erp_debtor_terms(
        &self,
        debtors: Option<&[String]>,
        discount_groups: bool,
    ) -> ConnectorResult<Vec<ErpDebtorTerms>> {
        afas_read(afas_terms::debtor_terms(&self.client, debtors, discount_groups)).await
    }

    async fn erp_debtors_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<ErpDebtor>> {
        afas_read(afas_debtors::debtors_since(&self.client, from, limit)).await
    }

    async fn erp_debtor(&self, debtor_id: &str) -> ConnectorResult<Option<ErpDebtor>> {
        afas_read(afas_debtors::debtor_by_id(&self.client, debtor_id)).await
    }

    async fn erp_delivered_orders_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<ErpOrderState>> {
        afas_read(afas_deliveries::delivered_since(&self.client, from, limit)).await
    }

    async fn erp_order_state(&self, order_number: &str) -> ConnectorResult<Option<ErpOrderState>> {
        afas_read(afas_deliveries::order_state(&self.client, order_number)).await
    }

    async fn erp_quotations_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<ErpQuotation>> {
        afas_read(afas_quotations::quotations_since(&self.client, from, limit)).await
    }

    async fn erp_quotation(&self, quotation_number: &str) -> ConnectorResult<Option<ErpQuotation>> {
        afas_read(afas_quotations::quotation(&self.client, quotation_number)).await
    }

    async fn delivery_address(
        &self,
        debtor_id: &str,
        organisation: bool,
        delivery: &Address,
    ) -> ConnectorResult<Option<Written<String>>> {
        let address = address(delivery, Utc::now().date_naive());
        let key = delivery_address_key(debtor_id, &address);
        let lock = {
            let mut locks = self.delivery_locks.lock().expect("delivery locks lock");
            locks.entry(key.clone()).or_default().clone()
        };
        let _one_at_a_time = lock.lock().await;
        let known = self
            .delivery_addresses
            .lock()
            .expect("delivery addresses lock")
            .get(&key)
            .cloned();
        let found = |number: String, how: &str| Written {
            exchange: Exchange {
                operation: format!("delivery address {number} of debtor {debtor_id}: {how}"),
                ..Exchange::default()
            },
            value: number,
        };
        if let Some(number) = known {
            return Ok(Some(found(number, "found earlier in this run")));
        }
        let look_up = || self.delivery_address_in_afas(debtor_id, &address);
        let listed = match self.delivery_address_known(debtor_id, &address) {
            Some(listed) => listed,
            None => look_up().await?,
        };
        let written = match listed {
            Some(number) => found(number, "found in AFAS (Profit_Deliveryaddress)"),
            None => {
                let what = format!("the delivery address of debtor {debtor_id}");
                let create = || async {
                    let body = DeliveryAddress {
                        debtor_id: debtor_id.to_owned(),
                        party_code: self.party_code(debtor_id).await?,
                        organisation,
                        address: address.clone(),
                    };
                    let written = afas_call(self.client.update(&body)).await?;
                    // AFAS answers with the debtor's keys only: the new contact's number is read back.
                    match look_up().await {
                        Ok(Some(number)) => Ok(Written {
                            value: number,
                            exchange: written.exchange,
                        }),
                        Ok(None) => Err(ConnectorError {
                            exchange: Some(written.exchange),
                            ..ConnectorError::permanent(
                                "AFAS accepted the delivery address but Profit_Deliveryaddress does not list it",
                            )
                        }),
                        Err(error) => Err(ConnectorError {
                            exchange: Some(written.exchange),
                            ..error
                        }),
                    }
                };
                let created = self
                    .create_once(ClaimKind::DeliveryAddress, &key, &what, &look_up, create)
                    .await?;
                Written {
                    value: created.value.into_key(),
                    exchange: created.exchange,
                }
            }
        };
        let mut known = self.delivery_addresses.lock().expect("delivery addresses lock");
        known.insert(key, written.value.clone());
        Ok(Some(written))
    }

    async fn look_up_delivery_addresses(&self, debtor_ids: &[String]) -> ConnectorResult<()> {
        let unknown: Vec<String> = {
            let rows = self.delivery_rows.lock().expect("delivery rows lock");
            debtor_ids
                .iter()
                .filter(|id| !rows.contains_key(*id))
                .cloned()
                .collect()
        };
        if unknown.is_empty() {
            return Ok(());
        }
        let listed = afas_read(afas_lookups::delivery_addresses(&self.client, &unknown)).await?;
        let mut rows = self.delivery_rows.lock().expect("delivery rows lock");
        for (debtor_id, listed) in listed {
            // What the run learnt meanwhile (an address it added) is newer than this answer.
            rows.entry(debtor_id).or_insert(listed);
        }
        Ok(())
    }

    async fn existing_codes(&self, list: AfasList, codes: &[String]) -> ConnectorResult<Option<HashSet<String>>> {
        afas_read(afas_lookups::existing_codes(&self.client, list, codes))
            .await
            .map(Some)
    }
}

//! The ERP (AFAS): the look-ups it answers in batches and the writes it takes, and the articles the AFAS →
//! MplusKASSA flows read from it (it is their source).

use std::collections::{HashMap, HashSet};
use std::future::Future;

use rust_decimal::Decimal;

use super::*;
use crate::catalogue::ErpArticle;
use crate::clientele::ErpDebtor;
use crate::deliveries::ErpOrderState;
use crate::ledger::FinancialEntryDraft;
use crate::model::{
    Address, ArticleDraft, ArticleRecord, DebtorDraft, DebtorRecord, OrderTarget, SalesOrderDraft, StockMutationDraft,
};
use crate::pricing::ErpListPrice;
use crate::proposals::ErpQuotation;
use crate::requirements::AfasList;
use crate::sales::BookedTotals;
use crate::settings::AfasArticleFilter;
use crate::terms::ErpDebtorTerms;

/// A write named with its draft, for [`ErpTarget::render_write`].
#[derive(Debug, Clone, Copy)]
pub enum DraftWrite<'a> {
    CreateDebtor(&'a DebtorDraft),
    UpdateDebtor(&'a str, &'a DebtorDraft),
    CreateOrder(&'a SalesOrderDraft),
    CreateArticle(&'a ArticleDraft),
    UpdateArticle(&'a ArticleDraft),
    StockMutation(&'a StockMutationDraft),
    FinancialEntry(&'a FinancialEntryDraft),
}

impl DraftWrite<'_> {
    /// What the write does, in words (`create order`, `update debtor 10001`).
    pub fn label(&self) -> String {
        match self {
            DraftWrite::CreateDebtor(_) => "create debtor".to_owned(),
            DraftWrite::UpdateDebtor(id, _) => format!("update debtor {id}"),
            DraftWrite::CreateOrder(_) => "create order".to_owned(),
            DraftWrite::CreateArticle(_) => "create article".to_owned(),
            DraftWrite::UpdateArticle(_) => "update article".to_owned(),
            DraftWrite::StockMutation(_) => "stock mutation".to_owned(),
            DraftWrite::FinancialEntry(entry) => format!("financial entry {}", entry.voucher),
        }
    }

    /// The draft as JSON.
    pub fn draft(&self) -> serde_json::Value {
        let value = match self {
            DraftWrite::CreateDebtor(d) | DraftWrite::UpdateDebtor(_, d) => serde_json::to_value(d),
            DraftWrite::CreateOrder(d) => serde_json::to_value(d),
            DraftWrite::CreateArticle(d) | DraftWrite::UpdateArticle(d) => serde_json::to_value(d),
            DraftWrite::StockMutation(d) => serde_json::to_value(d),
            DraftWrite::FinancialEntry(d) => serde_json::to_value(d),
        };
        value.unwrap_or_default()
    }
}

/// What the ERP says of one of its lists (a GetConnector) and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListFields {
    /// This target cannot tell (the default; test fakes).
    Unknown,
    /// The ERP does not offer the list to Koppel.
    Missing,
    /// The list's field ids.
    Fields(Vec<String>),
}

/// The ERP (AFAS Profit). Look-ups take many keys at once: one call per batch, never one per record.
pub trait ErpTarget: Send + Sync {
    /// The exact request `write` would send, built and checked like a real write but not sent (the dry run
    /// and the field-mapping preview show it). The default shows the draft itself.
    // The port's error by value, like the async methods return it (it carries the exchange, so it is large).
    #[allow(clippy::result_large_err)]
    fn render_write(&self, write: &DraftWrite<'_>) -> ConnectorResult<Exchange> {
        Ok(Exchange {
            operation: write.label(),
            request: JsonText::of(&write.draft()),
            ..Exchange::default()
        })
    }
    /// Which of these references (`RfCs`) already exist as documents of the kind `document` (sales orders and
    /// direct invoices, or quotations), with their numbers.
    fn existing_orders(
        &self,
        document: OrderTarget,
        references: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, String>>> + Send;
    /// What AFAS holds of these booked documents (sales orders or direct invoices) by number: total incl. VAT
    /// and VAT, read back in batches. A number AFAS does not have is left out.
    fn booked_totals(
        &self,
        document: OrderTarget,
        numbers: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, BookedTotals>>> + Send;
    /// Debtors by key ([`crate::model::debtor_key`]: an e-mail address in lower case, or `vat:` and a VAT
    /// number); the map's keys are the keys asked for.
    fn debtors_by_key(
        &self,
        keys: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, DebtorRecord>>> + Send;
    /// Articles by item code.
    fn articles_by_code(
        &self,
        item_codes: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, ArticleRecord>>> + Send;
    /// Creates a debtor unless one with its key (e-mail address, or VAT number) appeared since the caller looked (then
    /// [`Creation::Found`]); the value holds the debtor id. Never creates two for one address, whatever runs at
    /// the same time.
    fn create_debtor(&self, debtor: &DebtorDraft) -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send;
    fn update_debtor(
        &self,
        debtor_id: &str,
        debtor: &DebtorDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send;
    /// Books a sale; the value is the AFAS order (or invoice/quotation) number.
    fn create_order(&self, order: &SalesOrderDraft) -> impl Future<Output = ConnectorResult<Written<String>>> + Send;
    /// Creates an article unless its item code appeared since the caller looked (then [`Creation::Found`]); the
    /// value holds the item code. Never creates one code twice, whatever runs at the same time.
    fn create_article(&self, article: &ArticleDraft)
    -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send;
    fn update_article(&self, article: &ArticleDraft) -> impl Future<Output = ConnectorResult<Written<()>>> + Send;
    /// Current stock per item code in a warehouse.
    fn stock_levels(
        &self,
        warehouse: &str,
        item_codes: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, Decimal>>> + Send;
    fn post_stock_mutation(
        &self,
        mutation: &StockMutationDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send;
    /// Which of these codes exist in one of the target's reference lists (the preflight's live check), or
    /// `None` when this target cannot tell. One call per list.
    fn existing_codes(
        &self,
        list: AfasList,
        codes: &[String],
    ) -> impl Future<Output = ConnectorResult<Option<HashSet<String>>>> + Send {
        let _ = (list, codes);
        async { Ok(None) }
    }
    /// The debtor's delivery address with exactly this address (its number, for a sales document's `DlAd`):
    /// found, or added to the debtor once, whatever runs at the same time. `None` when this target keeps
    /// delivery addresses only as the document's text (the default; the dry run too, which writes nothing).
    fn delivery_address(
        &self,
        debtor_id: &str,
        organisation: bool,
        address: &Address,
    ) -> impl Future<Output = ConnectorResult<Option<Written<String>>>> + Send {
        let _ = (debtor_id, organisation, address);
        async { Ok(None) }
    }
    /// Learns the delivery addresses of these debtors together (one call where the target can), ahead of
    /// [`Self::delivery_address`] for their sales, which then need not ask per debtor. A hint: the default
    /// does nothing.
    fn look_up_delivery_addresses(&self, debtor_ids: &[String]) -> impl Future<Output = ConnectorResult<()>> + Send {
        let _ = debtor_ids;
        async { Ok(()) }
    }
    /// Which of these voucher numbers (`BpNr`) already have a financial entry, with its entry number. The
    /// default says the target cannot tell, which stops the run (never "none": that could book a day twice).
    fn existing_financial_entries(
        &self,
        vouchers: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, String>>> + Send {
        let _ = vouchers;
        async {
            Err(ConnectorError::permanent(
                "this target cannot look up financial entries",
            ))
        }
    }
    /// Books a financial entry; the value is its entry number.
    fn post_financial_entry(
        &self,
        entry: &FinancialEntryDraft,
    ) -> impl Future<Output = ConnectorResult<Written<String>>> + Send {
        let _ = entry;
        async { Err(ConnectorError::permanent("this target cannot book financial entries")) }
    }
    /// The fields of one of the ERP's lists (the preflight checks a tenant's filters against them).
    fn list_fields(&self, list: &str) -> impl Future<Output = ConnectorResult<ListFields>> + Send {
        let _ = list;
        async { Ok(ListFields::Unknown) }
    }
    /// The articles the filter selects that AFAS changed at or after `from` ([`ErpArticle::sync_marker`]),
    /// oldest first: at least `limit` when there are, and never one second's changes split over two pages (so
    /// one past the page's last marker is a sound cursor). The default says the ERP cannot list articles,
    /// which stops the articles flow's run.
    fn erp_articles_since(
        &self,
        filter: &AfasArticleFilter,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpArticle>>> + Send {
        let _ = (filter, from, limit);
        async { Err(ConnectorError::permanent("this ERP cannot list articles")) }
    }
    /// The debtors AFAS changed at or after `from` ([`ErpDebtor::sync_marker`]), oldest first, like
    /// [`Self::erp_articles_since`]. The default says the ERP cannot list debtors.
    fn erp_debtors_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpDebtor>>> + Send {
        let _ = (from, limit);
        async { Err(ConnectorError::permanent("this ERP cannot list debtors")) }
    }
    /// One debtor by id, fresh (for retries); `None` when AFAS no longer has it.
    fn erp_debtor(&self, debtor_id: &str) -> impl Future<Output = ConnectorResult<Option<ErpDebtor>>> + Send {
        let _ = debtor_id;
        async { Err(ConnectorError::permanent("this ERP cannot read a debtor")) }
    }
    /// The sales orders AFAS delivered ([`crate::deliveries::DELIVERED_STATES`]) and changed at or after
    /// `from`, oldest first, like [`Self::erp_articles_since`]. The default says the ERP cannot list them.
    fn erp_delivered_orders_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpOrderState>>> + Send {
        let _ = (from, limit);
        async { Err(ConnectorError::permanent("this ERP cannot list order states")) }
    }
    /// One sales order's state, fresh (for retries); `None` when AFAS no longer has it.
    fn erp_order_state(
        &self,
        order_number: &str,
    ) -> impl Future<Output = ConnectorResult<Option<ErpOrderState>>> + Send {
        let _ = order_number;
        async { Err(ConnectorError::permanent("this ERP cannot read an order state")) }
    }
    /// The prices valid today on these price lists, volume prices included (every list read whole, or only
    /// the articles `items` names). The default says the ERP cannot list prices, which stops the prices flow.
    fn erp_list_prices(
        &self,
        lists: &[String],
        items: Option<&[String]>,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpListPrice>>> + Send {
        let _ = (lists, items);
        async { Err(ConnectorError::permanent("this ERP cannot list prices")) }
    }
    /// Every debtor's own terms (its prices valid today, volume prices included, its line discount and, with
    /// `discount_groups`, its discount group's lines valid today), or only those of `debtors`; a debtor with
    /// none is left out. The default says the ERP cannot list them, which stops the discounts flow.
    fn erp_debtor_terms(
        &self,
        debtors: Option<&[String]>,
        discount_groups: bool,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpDebtorTerms>>> + Send {
        let _ = (debtors, discount_groups);
        async { Err(ConnectorError::permanent("this ERP cannot list debtor terms")) }
    }
    /// One article by item code, fresh (for retries), if the filter selects it; `None` otherwise.
    fn erp_article(
        &self,
        filter: &AfasArticleFilter,
        item_code: &str,
    ) -> impl Future<Output = ConnectorResult<Option<ErpArticle>>> + Send {
        let _ = (filter, item_code);
        async { Err(ConnectorError::permanent("this ERP cannot read an article")) }
    }
    /// The quotations changed at or after `from`, with their lines, oldest first, like
    /// [`Self::erp_articles_since`]. The default says the ERP cannot list them.
    fn erp_quotations_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpQuotation>>> + Send {
        let _ = (from, limit);
        async { Err(ConnectorError::permanent("this ERP cannot list quotations")) }
    }
    /// One quotation with its lines, fresh (for retries); `None` when AFAS no longer has it.
    fn erp_quotation(
        &self,
        quotation_number: &str,
    ) -> impl Future<Output = ConnectorResult<Option<ErpQuotation>>> + Send {
        let _ = quotation_number;
        async { Err(ConnectorError::permanent("this ERP cannot read a quotation")) }
    }
}

impl<T: ErpTarget> ErpTarget for std::sync::Arc<T> {
    #[allow(clippy::result_large_err)]
    fn render_write(&self, write: &DraftWrite<'_>) -> ConnectorResult<Exchange> {
        (**self).render_write(write)
    }
    fn existing_orders(
        &self,
        document: OrderTarget,
        references: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, String>>> + Send {
        (**self).existing_orders(document, references)
    }
    fn booked_totals(
        &self,
        document: OrderTarget,
        numbers: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, BookedTotals>>> + Send {
        (**self).booked_totals(document, numbers)
    }
    fn debtors_by_key(
        &self,
        keys: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, DebtorRecord>>> + Send {
        (**self).debtors_by_key(keys)
    }
    fn articles_by_code(
        &self,
        item_codes: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, ArticleRecord>>> + Send {
        (**self).articles_by_code(item_codes)
    }
    fn create_debtor(&self, debtor: &DebtorDraft) -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send {
        (**self).create_debtor(debtor)
    }
    fn update_debtor(
        &self,
        debtor_id: &str,
        debtor: &DebtorDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).update_debtor(debtor_id, debtor)
    }
    fn create_order(&self, order: &SalesOrderDraft) -> impl Future<Output = ConnectorResult<Written<String>>> + Send {
        (**self).create_order(order)
    }
    fn create_article(
        &self,
        article: &ArticleDraft,
    ) -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send {
        (**self).create_article(article)
    }
    fn update_article(&self, article: &ArticleDraft) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).update_article(article)
    }
    fn stock_levels(
        &self,
        warehouse: &str,
        item_codes: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, Decimal>>> + Send {
        (**self).stock_levels(warehouse, item_codes)
    }
    fn post_stock_mutation(
        &self,
        mutation: &StockMutationDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).post_stock_mutation(mutation)
    }
    fn existing_codes(
        &self,
        list: AfasList,
        codes: &[String],
    ) -> impl Future<Output = ConnectorResult<Option<HashSet<String>>>> + Send {
        (**self).existing_codes(list, codes)
    }
    fn delivery_address(
        &self,
        debtor_id: &str,
        organisation: bool,
        address: &Address,
    ) -> impl Future<Output = ConnectorResult<Option<Written<String>>>> + Send {
        (**self).delivery_address(debtor_id, organisation, address)
    }
    fn look_up_delivery_addresses(&self, debtor_ids: &[String]) -> impl Future<Output = ConnectorResult<()>> + Send {
        (**self).look_up_delivery_addresses(debtor_ids)
    }
    fn existing_financial_entries(
        &self,
        vouchers: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, String>>> + Send {
        (**self).existing_financial_entries(vouchers)
    }
    fn post_financial_entry(
        &self,
        entry: &FinancialEntryDraft,
    ) -> impl Future<Output = ConnectorResult<Written<String>>> + Send {
        (**self).post_financial_entry(entry)
    }
    fn list_fields(&self, list: &str) -> impl Future<Output = ConnectorResult<ListFields>> + Send {
        (**self).list_fields(list)
    }
    fn erp_articles_since(
        &self,
        filter: &AfasArticleFilter,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpArticle>>> + Send {
        (**self).erp_articles_since(filter, from, limit)
    }
    fn erp_article(
        &self,
        filter: &AfasArticleFilter,
        item_code: &str,
    ) -> impl Future<Output = ConnectorResult<Option<ErpArticle>>> + Send {
        (**self).erp_article(filter, item_code)
    }
    fn erp_list_prices(
        &self,
        lists: &[String],
        items: Option<&[String]>,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpListPrice>>> + Send {
        (**self).erp_list_prices(lists, items)
    }
    fn erp_debtor_terms(
        &self,
        debtors: Option<&[String]>,
        discount_groups: bool,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpDebtorTerms>>> + Send {
        (**self).erp_debtor_terms(debtors, discount_groups)
    }
    fn erp_debtors_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpDebtor>>> + Send {
        (**self).erp_debtors_since(from, limit)
    }
    fn erp_debtor(&self, debtor_id: &str) -> impl Future<Output = ConnectorResult<Option<ErpDebtor>>> + Send {
        (**self).erp_debtor(debtor_id)
    }
    fn erp_delivered_orders_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpOrderState>>> + Send {
        (**self).erp_delivered_orders_since(from, limit)
    }
    fn erp_order_state(
        &self,
        order_number: &str,
    ) -> impl Future<Output = ConnectorResult<Option<ErpOrderState>>> + Send {
        (**self).erp_order_state(order_number)
    }
    fn erp_quotations_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<ErpQuotation>>> + Send {
        (**self).erp_quotations_since(from, limit)
    }
    fn erp_quotation(
        &self,
        quotation_number: &str,
    ) -> impl Future<Output = ConnectorResult<Option<ErpQuotation>>> + Send {
        (**self).erp_quotation(quotation_number)
    }
}

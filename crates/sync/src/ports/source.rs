//! The point of sale (MplusKASSA): the records it lists by sync marker and the ones it reads by key, and the
//! articles the AFAS → MplusKASSA flows write to it. It is the source of the flows towards AFAS and the target
//! of the ones towards the till; one port per system keeps each flow's two doors the same two objects.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;
use crate::catalogue::{DimensionId, TillArticle, TillArticleDraft};
use crate::clientele::{TillRelation, TillRelationDraft};
use crate::custom_fields::CustomFieldKind;
use crate::deliveries::TillOrderLine;
use crate::ledger::FinancialDay;
use crate::model::{SourceArticle, SourceCustomer, SourceDocumentKind, SourceOrder, StockLevel};
use crate::pricing::{TillArticlePrices, TillPricesDraft};
use crate::proposals::{ProposalDraft, TillProposal};
use crate::terms::{TermsDraft, TillRelationTerms};

/// A write to the till named with its draft, for [`PosSource::render_till_write`].
#[derive(Debug, Clone, Copy)]
pub enum TillWrite<'a> {
    CreateArticle(&'a TillArticleDraft),
    /// The article as the till has it, and the draft.
    UpdateArticle(&'a TillArticle, &'a TillArticleDraft),
    CreateRelation(&'a TillRelationDraft),
    /// The relation's number, and the draft.
    UpdateRelation(i64, &'a TillRelationDraft),
    /// The till's order id.
    DeliverOrder(&'a str),
    /// The till's order id and the quantities of its lines.
    DeliverOrderLines(&'a str, &'a [(String, Decimal)]),
    /// The article's price groups as the till has them, and the draft.
    UpdatePrices(&'a TillArticlePrices, &'a TillPricesDraft),
    /// The relation's terms as the till has them, and the draft.
    UpdateTerms(&'a TillRelationTerms, &'a TermsDraft),
    /// The AFAS article group a new till article group stands for.
    CreateArticleGroup(&'a str),
    /// A product into an article group: (group, product).
    AddToArticleGroup(i32, i64),
    /// A product out of an article group: (group, product).
    RemoveFromArticleGroup(i32, i64),
    CreateProposal(&'a ProposalDraft),
    /// The proposal as the till has it, and the draft that replaces it.
    ReplaceProposal(&'a TillProposal, &'a ProposalDraft),
}

impl TillWrite<'_> {
    /// What the write does, in words.
    pub fn label(&self) -> String {
        match self {
            TillWrite::CreateArticle(draft) => format!("create article {}", draft.article_number),
            TillWrite::UpdateArticle(_, draft) => format!("update article {}", draft.article_number),
            TillWrite::CreateRelation(_) => "create relation".to_owned(),
            TillWrite::UpdateRelation(number, _) => format!("update relation {number}"),
            TillWrite::DeliverOrder(order_id) => format!("deliver order {order_id}"),
            TillWrite::DeliverOrderLines(order_id, lines) => {
                format!("deliver {} lines of order {order_id}", lines.len())
            }
            TillWrite::UpdatePrices(_, draft) => format!("update the price groups of article {}", draft.article_number),
            TillWrite::UpdateTerms(current, _) => format!("update the terms of relation {}", current.relation_number),
            TillWrite::CreateArticleGroup(code) => format!("create the article group of AFAS article group {code}"),
            TillWrite::AddToArticleGroup(group, product) => format!("put product {product} in article group {group}"),
            TillWrite::RemoveFromArticleGroup(group, product) => {
                format!("take product {product} out of article group {group}")
            }
            TillWrite::CreateProposal(draft) => format!("create the proposal of quotation {}", draft.ext_proposal_id),
            TillWrite::ReplaceProposal(current, _) => format!("replace proposal {}", current.proposal_id),
        }
    }
}

/// The point of sale (MplusKASSA). Lists return records with sync marker `>= from`, ascending, at most
/// `limit` of them (a product is never split, so `articles_since` may return a few more).
pub trait PosSource: Send + Sync {
    fn orders_since(
        &self,
        kinds: &[SourceDocumentKind],
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceOrder>>> + Send;
    /// One document, fresh (for retries); `None` when it no longer exists.
    fn order(
        &self,
        kind: SourceDocumentKind,
        id: &str,
    ) -> impl Future<Output = ConnectorResult<Option<SourceOrder>>> + Send;
    fn customers_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceCustomer>>> + Send;
    fn articles_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceArticle>>> + Send;
    /// Current stock of every stock article in the branch (the shop's branch when `None`).
    fn stock(&self, branch: Option<&str>) -> impl Future<Output = ConnectorResult<Vec<StockLevel>>> + Send;
    /// One relation by relation number, fresh (for "retry this record"); `None` when it no longer exists.
    /// The default says the source cannot do it, which fails only that retry.
    fn customer(&self, relation_number: &str) -> impl Future<Output = ConnectorResult<Option<SourceCustomer>>> + Send {
        let _ = relation_number;
        async { Err(ConnectorError::permanent("this source cannot fetch a single relation")) }
    }
    /// One article by article number (SKU), fresh (for "retry this record"); `None` when it no longer exists.
    fn article(&self, sku: &str) -> impl Future<Output = ConnectorResult<Option<SourceArticle>>> + Send {
        let _ = sku;
        async { Err(ConnectorError::permanent("this source cannot fetch a single article")) }
    }
    /// The financial journal of one financial day (every branch), and whether the day is closed. The default
    /// says the source has none, which stops the financial journal flow's run.
    fn financial_day(&self, date: NaiveDate) -> impl Future<Output = ConnectorResult<FinancialDay>> + Send {
        let _ = date;
        async { Err(ConnectorError::permanent("this source has no financial journal")) }
    }
    /// The till's articles with these numbers (one call for all of them); a number it lacks is left out. The
    /// defaults of this and the writes below say the till cannot do it, which stops the articles flow's run.
    fn till_articles(
        &self,
        numbers: &[i64],
    ) -> impl Future<Output = ConnectorResult<HashMap<i64, TillArticle>>> + Send {
        let _ = numbers;
        async { Err(ConnectorError::permanent("this point of sale cannot list articles")) }
    }
    /// Which of these till articles (by number) Koppel wrote for AFAS dimension items, and what each stands for
    /// (their `extArticleId`, see [`DimensionId`]); the others are left out. One call for all of them. The
    /// default: a till without such articles.
    fn till_dimension_ids(
        &self,
        numbers: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, DimensionId>>> + Send {
        let _ = numbers;
        async { Ok(HashMap::new()) }
    }
    /// Of these till articles (by number), the AFAS dimension items' own ones with the numbers of their
    /// combinations (the articles flow made them; they sell at the item's prices). One call for all. The
    /// default: a till without such articles.
    fn till_combinations(
        &self,
        numbers: &[i64],
    ) -> impl Future<Output = ConnectorResult<HashMap<i64, Vec<i64>>>> + Send {
        let _ = numbers;
        async { Ok(HashMap::new()) }
    }
    /// Creates the article under its own number, unless the till has that number already (then
    /// [`Creation::Found`], and nothing was written): the number is the till's guard against a second copy.
    fn create_till_article(
        &self,
        draft: &TillArticleDraft,
    ) -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send {
        let _ = draft;
        async { Err(ConnectorError::permanent("this point of sale cannot create articles")) }
    }
    /// Updates the article the till has (`current`) with the draft's values (`None` fields untouched; the
    /// product's texts only when the article is its product's only one).
    fn update_till_article(
        &self,
        current: &TillArticle,
        draft: &TillArticleDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        let _ = (current, draft);
        async { Err(ConnectorError::permanent("this point of sale cannot update articles")) }
    }
    /// The exact request a till write would send, built but not sent (the dry run and the field-mapping
    /// preview show it). The default shows the draft itself.
    #[allow(clippy::result_large_err)]
    fn render_till_write(&self, write: &TillWrite<'_>) -> ConnectorResult<Exchange> {
        let request = match write {
            TillWrite::CreateArticle(draft) | TillWrite::UpdateArticle(_, draft) => JsonText::of(draft),
            TillWrite::CreateRelation(draft) | TillWrite::UpdateRelation(_, draft) => JsonText::of(draft),
            TillWrite::DeliverOrder(order_id) => JsonText::of(&serde_json::json!({ "orderId": order_id })),
            TillWrite::DeliverOrderLines(order_id, lines) => {
                JsonText::of(&serde_json::json!({ "orderId": order_id, "lines": lines }))
            }
            TillWrite::UpdatePrices(_, draft) => JsonText::of(draft),
            TillWrite::UpdateTerms(_, draft) => JsonText::of(draft),
            TillWrite::CreateArticleGroup(code) => JsonText::of(&serde_json::json!({ "afasArticleGroup": code })),
            TillWrite::AddToArticleGroup(group, product) | TillWrite::RemoveFromArticleGroup(group, product) => {
                JsonText::of(&serde_json::json!({ "groupNumber": group, "productNumbers": [product] }))
            }
            TillWrite::CreateProposal(draft) | TillWrite::ReplaceProposal(_, draft) => JsonText::of(draft),
        };
        Ok(Exchange {
            operation: write.label(),
            request,
            ..Exchange::default()
        })
    }
    /// The till's relations with these numbers (one call for all of them); a number it lacks is left out. The
    /// defaults of this and the relation calls below say the till cannot do it, which stops the debtors flow.
    fn till_relations(
        &self,
        numbers: &[i64],
    ) -> impl Future<Output = ConnectorResult<HashMap<i64, TillRelation>>> + Send {
        let _ = numbers;
        async { Err(ConnectorError::permanent("this point of sale cannot list relations")) }
    }
    /// The relation linked to AFAS debtor `ext_relation_id` (its `extRelationId`), else the one with exactly
    /// this e-mail address; `None` when there is neither.
    fn find_till_relation(
        &self,
        ext_relation_id: &str,
        email: Option<&str>,
    ) -> impl Future<Output = ConnectorResult<Option<TillRelation>>> + Send {
        let _ = (ext_relation_id, email);
        async { Err(ConnectorError::permanent("this point of sale cannot find relations")) }
    }
    /// Creates the relation; the value is the number the till gave it.
    fn create_till_relation(
        &self,
        draft: &TillRelationDraft,
    ) -> impl Future<Output = ConnectorResult<Written<i64>>> + Send {
        let _ = draft;
        async { Err(ConnectorError::permanent("this point of sale cannot create relations")) }
    }
    /// Delivers what is open of the till's order `order_id`; the value is false when it was delivered before
    /// (asking twice changes nothing).
    fn deliver_till_order(&self, order_id: &str) -> impl Future<Output = ConnectorResult<Written<bool>>> + Send {
        let _ = order_id;
        async { Err(ConnectorError::permanent("this point of sale cannot deliver orders")) }
    }
    /// The lines of the till's order `order_id`; `None` when the till does not have it.
    fn till_order_lines(
        &self,
        order_id: &str,
    ) -> impl Future<Output = ConnectorResult<Option<Vec<TillOrderLine>>>> + Send {
        let _ = order_id;
        async { Err(ConnectorError::permanent("this point of sale cannot read order lines")) }
    }
    /// Delivers these quantities of the till order's lines (line id, quantity); the value is false when the
    /// till says the order was delivered before.
    fn deliver_till_order_lines(
        &self,
        order_id: &str,
        lines: &[(String, Decimal)],
    ) -> impl Future<Output = ConnectorResult<Written<bool>>> + Send {
        let _ = (order_id, lines);
        async {
            Err(ConnectorError::permanent(
                "this point of sale cannot deliver order lines",
            ))
        }
    }
    /// Updates relation `number` with the draft's values (`None` fields untouched).
    fn update_till_relation(
        &self,
        number: i64,
        draft: &TillRelationDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        let _ = (number, draft);
        async { Err(ConnectorError::permanent("this point of sale cannot update relations")) }
    }
    /// The price-group prices of the till's articles: all of them, or those with these numbers. The defaults
    /// of this and [`Self::update_till_prices`] say the till cannot do it, which stops the prices flow.
    fn till_article_prices(
        &self,
        numbers: Option<&[i64]>,
    ) -> impl Future<Output = ConnectorResult<Vec<TillArticlePrices>>> + Send {
        let _ = numbers;
        async { Err(ConnectorError::permanent("this point of sale cannot list prices")) }
    }
    /// The article groups Koppel made at the till, by the AFAS article group each stands for. The defaults of
    /// this and the group writes below say the till cannot do it, which stops an articles flow that keeps
    /// groups (`article_groups_to_till`).
    fn till_article_groups(&self) -> impl Future<Output = ConnectorResult<HashMap<String, i32>>> + Send {
        async {
            Err(ConnectorError::permanent(
                "this point of sale cannot list article groups",
            ))
        }
    }
    /// Makes the till's article group of an AFAS article group; the value is its number.
    fn create_till_article_group(
        &self,
        afas_group: &str,
    ) -> impl Future<Output = ConnectorResult<Written<i32>>> + Send {
        let _ = afas_group;
        async {
            Err(ConnectorError::permanent(
                "this point of sale cannot create article groups",
            ))
        }
    }
    /// Puts the product in the article group.
    fn add_to_till_article_group(
        &self,
        group: i32,
        product_number: i64,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        let _ = (group, product_number);
        async {
            Err(ConnectorError::permanent(
                "this point of sale cannot fill article groups",
            ))
        }
    }
    /// Takes the product out of the article group.
    fn remove_from_till_article_group(
        &self,
        group: i32,
        product_number: i64,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        let _ = (group, product_number);
        async {
            Err(ConnectorError::permanent(
                "this point of sale cannot empty article groups",
            ))
        }
    }
    /// The relations linked to an AFAS debtor (`extRelationId`) with their terms: all of them, or those of
    /// these debtors. The defaults of this and [`Self::update_till_terms`] say the till cannot do it, which
    /// stops the discounts flow.
    fn till_relation_terms(
        &self,
        debtors: Option<&[String]>,
    ) -> impl Future<Output = ConnectorResult<Vec<TillRelationTerms>>> + Send {
        let _ = debtors;
        async {
            Err(ConnectorError::permanent(
                "this point of sale cannot list relation terms",
            ))
        }
    }
    /// Writes the relation's terms: the draft's discount and article prices, the till's other entries as they
    /// are (`current`).
    fn update_till_terms(
        &self,
        current: &TillRelationTerms,
        draft: &TermsDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        let _ = (current, draft);
        async {
            Err(ConnectorError::permanent(
                "this point of sale cannot update relation terms",
            ))
        }
    }
    /// The till's price groups (number and name). MplusKASSA's API cannot create one: the mapping chooses
    /// among these.
    fn till_price_groups(&self) -> impl Future<Output = ConnectorResult<Vec<(i32, String)>>> + Send {
        async { Err(ConnectorError::permanent("this point of sale cannot list price groups")) }
    }
    /// Writes the article's price-group list: the draft's prices in its groups, the till's other groups' prices
    /// as they are (`current`).
    fn update_till_prices(
        &self,
        current: &TillArticlePrices,
        draft: &TillPricesDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        let _ = (current, draft);
        async { Err(ConnectorError::permanent("this point of sale cannot update prices")) }
    }
    /// The till's article custom fields (`getCustomFieldLists`) and their kinds. The default says the till
    /// cannot list them, which stops an articles flow with a `custom_field_map`.
    fn till_custom_fields(&self) -> impl Future<Output = ConnectorResult<BTreeMap<String, CustomFieldKind>>> + Send {
        async {
            Err(ConnectorError::permanent(
                "this point of sale cannot list custom fields",
            ))
        }
    }
    /// The proposal with this id; `None` when the till no longer has it. The defaults of this and the
    /// proposal writes below say the till cannot do it, which stops a quotations flow towards the till.
    fn till_proposal(&self, proposal_id: &str) -> impl Future<Output = ConnectorResult<Option<TillProposal>>> + Send {
        let _ = proposal_id;
        async { Err(ConnectorError::permanent("this point of sale cannot read proposals")) }
    }
    /// Creates the proposal; [`Creation::Found`] when the till has one with its `extProposalId` already.
    fn create_till_proposal(
        &self,
        draft: &ProposalDraft,
    ) -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send {
        let _ = draft;
        async { Err(ConnectorError::permanent("this point of sale cannot create proposals")) }
    }
    /// Replaces the proposal's lines and header with the draft's, if the till did not change it since
    /// `current` was read.
    fn replace_till_proposal(
        &self,
        current: &TillProposal,
        draft: &ProposalDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        let _ = (current, draft);
        async { Err(ConnectorError::permanent("this point of sale cannot replace proposals")) }
    }
}

// Shared handles: a source or target behind an `Arc` (a client shared by runs, a fake shared with a test)
// is a source or target too.

impl<T: PosSource> PosSource for std::sync::Arc<T> {
    fn orders_since(
        &self,
        kinds: &[SourceDocumentKind],
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceOrder>>> + Send {
        (**self).orders_since(kinds, from, limit)
    }
    fn order(
        &self,
        kind: SourceDocumentKind,
        id: &str,
    ) -> impl Future<Output = ConnectorResult<Option<SourceOrder>>> + Send {
        (**self).order(kind, id)
    }
    fn customers_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceCustomer>>> + Send {
        (**self).customers_since(from, limit)
    }
    fn articles_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceArticle>>> + Send {
        (**self).articles_since(from, limit)
    }
    fn stock(&self, branch: Option<&str>) -> impl Future<Output = ConnectorResult<Vec<StockLevel>>> + Send {
        (**self).stock(branch)
    }
    fn customer(&self, relation_number: &str) -> impl Future<Output = ConnectorResult<Option<SourceCustomer>>> + Send {
        (**self).customer(relation_number)
    }
    fn article(&self, sku: &str) -> impl Future<Output = ConnectorResult<Option<SourceArticle>>> + Send {
        (**self).article(sku)
    }
    fn financial_day(&self, date: NaiveDate) -> impl Future<Output = ConnectorResult<FinancialDay>> + Send {
        (**self).financial_day(date)
    }
    fn till_articles(
        &self,
        numbers: &[i64],
    ) -> impl Future<Output = ConnectorResult<HashMap<i64, TillArticle>>> + Send {
        (**self).till_articles(numbers)
    }
    fn till_dimension_ids(
        &self,
        numbers: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, DimensionId>>> + Send {
        (**self).till_dimension_ids(numbers)
    }
    fn till_combinations(
        &self,
        numbers: &[i64],
    ) -> impl Future<Output = ConnectorResult<HashMap<i64, Vec<i64>>>> + Send {
        (**self).till_combinations(numbers)
    }
    fn create_till_article(
        &self,
        draft: &TillArticleDraft,
    ) -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send {
        (**self).create_till_article(draft)
    }
    fn update_till_article(
        &self,
        current: &TillArticle,
        draft: &TillArticleDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).update_till_article(current, draft)
    }
    #[allow(clippy::result_large_err)]
    fn render_till_write(&self, write: &TillWrite<'_>) -> ConnectorResult<Exchange> {
        (**self).render_till_write(write)
    }
    fn till_relations(
        &self,
        numbers: &[i64],
    ) -> impl Future<Output = ConnectorResult<HashMap<i64, TillRelation>>> + Send {
        (**self).till_relations(numbers)
    }
    fn find_till_relation(
        &self,
        ext_relation_id: &str,
        email: Option<&str>,
    ) -> impl Future<Output = ConnectorResult<Option<TillRelation>>> + Send {
        (**self).find_till_relation(ext_relation_id, email)
    }
    fn create_till_relation(
        &self,
        draft: &TillRelationDraft,
    ) -> impl Future<Output = ConnectorResult<Written<i64>>> + Send {
        (**self).create_till_relation(draft)
    }
    fn update_till_relation(
        &self,
        number: i64,
        draft: &TillRelationDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).update_till_relation(number, draft)
    }
    fn deliver_till_order(&self, order_id: &str) -> impl Future<Output = ConnectorResult<Written<bool>>> + Send {
        (**self).deliver_till_order(order_id)
    }
    fn till_article_prices(
        &self,
        numbers: Option<&[i64]>,
    ) -> impl Future<Output = ConnectorResult<Vec<TillArticlePrices>>> + Send {
        (**self).till_article_prices(numbers)
    }
    fn update_till_prices(
        &self,
        current: &TillArticlePrices,
        draft: &TillPricesDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).update_till_prices(current, draft)
    }
    fn till_price_groups(&self) -> impl Future<Output = ConnectorResult<Vec<(i32, String)>>> + Send {
        (**self).till_price_groups()
    }
    fn till_relation_terms(
        &self,
        debtors: Option<&[String]>,
    ) -> impl Future<Output = ConnectorResult<Vec<TillRelationTerms>>> + Send {
        (**self).till_relation_terms(debtors)
    }
    fn till_article_groups(&self) -> impl Future<Output = ConnectorResult<HashMap<String, i32>>> + Send {
        (**self).till_article_groups()
    }
    fn create_till_article_group(
        &self,
        afas_group: &str,
    ) -> impl Future<Output = ConnectorResult<Written<i32>>> + Send {
        (**self).create_till_article_group(afas_group)
    }
    fn add_to_till_article_group(
        &self,
        group: i32,
        product_number: i64,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).add_to_till_article_group(group, product_number)
    }
    fn remove_from_till_article_group(
        &self,
        group: i32,
        product_number: i64,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).remove_from_till_article_group(group, product_number)
    }
    fn update_till_terms(
        &self,
        current: &TillRelationTerms,
        draft: &TermsDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).update_till_terms(current, draft)
    }
    fn till_proposal(&self, proposal_id: &str) -> impl Future<Output = ConnectorResult<Option<TillProposal>>> + Send {
        (**self).till_proposal(proposal_id)
    }
    fn create_till_proposal(
        &self,
        draft: &ProposalDraft,
    ) -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send {
        (**self).create_till_proposal(draft)
    }
    fn replace_till_proposal(
        &self,
        current: &TillProposal,
        draft: &ProposalDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).replace_till_proposal(current, draft)
    }
    fn till_custom_fields(&self) -> impl Future<Output = ConnectorResult<BTreeMap<String, CustomFieldKind>>> + Send {
        (**self).till_custom_fields()
    }
    fn till_order_lines(
        &self,
        order_id: &str,
    ) -> impl Future<Output = ConnectorResult<Option<Vec<TillOrderLine>>>> + Send {
        (**self).till_order_lines(order_id)
    }
    fn deliver_till_order_lines(
        &self,
        order_id: &str,
        lines: &[(String, Decimal)],
    ) -> impl Future<Output = ConnectorResult<Written<bool>>> + Send {
        (**self).deliver_till_order_lines(order_id, lines)
    }
}

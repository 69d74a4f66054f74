//! [`MplusSource`]: the engine's point of sale over the MplusKASSA client.
//!
//! **One document type per flow.** MplusKASSA keeps a separate sync-marker counter for orders, invoices and
//! proposals, while a flow has one cursor. Merging the three streams under one cursor is not sound: marker
//! 120 of the invoices says nothing about marker 120 of the orders, so whichever counter is behind would
//! have records skipped or read forever. A flow therefore reads exactly one type (`order_types`, default
//! orders); a setting with several types is refused with a permanent error that names the setting, and the
//! run fails with that message until the tenant picks one (or sets up a second flow per type, once flows
//! can be duplicated).
//!
//! Customers come from the relations of a page's sales, fetched in one `getRelations` call per page.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use koppel_mplus::model::Product;
use koppel_mplus::model::Relation;
use koppel_mplus::{
    BusinessOutcome, DocumentFilter, MplusClient, MplusError, ProductFilter, add_products_to_article_group_request,
    create_product_request, create_relation_request, delete_products_from_article_group_request, deliver_order_request,
    deliver_order_v2_request, new_article_group_request, save_proposal_request, update_product_request,
    update_relation_request,
};
use koppel_sync::catalogue::{DimensionId, TillArticle, TillArticleDraft};
use koppel_sync::clientele::{TillRelation, TillRelationDraft};
use koppel_sync::custom_fields::CustomFieldKind;
use koppel_sync::deliveries::TillOrderLine;
use koppel_sync::ledger::FinancialDay;
use koppel_sync::model::{SourceArticle, SourceCustomer, SourceDocumentKind, SourceOrder, StockLevel};
use koppel_sync::ports::{
    ConnectorError, ConnectorResult, Creation, Exchange, JsonText, PosSource, TillWrite, Written,
};
use koppel_sync::pricing::{TillArticlePrices, TillPricesDraft};
use koppel_sync::proposals::{ProposalDraft, TillProposal};
use koppel_sync::settings::FlowSettings;
use koppel_sync::terms::{TermsDraft, TillRelationTerms};
use rust_decimal::Decimal;
use tokio::sync::OnceCell;

use super::errors::{self, mplus_call, mplus_write};
use super::mplus_ledger;
use super::mplus_records::{articles, customer, stock_level};
use super::mplus_sales::Sale;
use super::{mplus_articles, mplus_prices, mplus_proposals, mplus_relations, mplus_terms};

/// Page size when a single invoice or proposal is searched (MplusKASSA has no read by id for them).
const SEARCH_PAGE: u32 = 500;
/// Articles (or relations) per page when the whole catalogue (or every relation) is read.
const CATALOGUE_PAGE: u32 = 1_000;

/// MplusKASSA as the engine's source (and the articles flow's target).
pub struct MplusSource {
    client: Arc<MplusClient>,
    /// Article numbers whose lines are shipping costs.
    shipping_articles: BTreeSet<i64>,
    /// VAT percentage → the till's VAT code, read once (the articles flow's writes).
    vat_codes: OnceCell<HashMap<Decimal, i32>>,
    /// The till's article groups the articles flow made, by number → the AFAS article group each stands for,
    /// read once (the products flow gives such a product its own AFAS group back).
    afas_groups: OnceCell<HashMap<i32, String>>,
}

impl MplusSource {
    pub fn new(client: Arc<MplusClient>) -> Self {
        Self {
            client,
            shipping_articles: BTreeSet::new(),
            vat_codes: OnceCell::new(),
            afas_groups: OnceCell::new(),
        }
    }

    /// Lines of these articles become the sale's shipping cost line.
    pub fn with_shipping_articles(mut self, article_numbers: impl IntoIterator<Item = i64>) -> Self {
        self.shipping_articles.extend(article_numbers);
        self
    }

    /// The source as the orders flow's settings configure it (`shipping_articles`).
    pub fn for_settings(client: Arc<MplusClient>, settings: &FlowSettings) -> Self {
        let numbers = settings.shipping_articles.iter().filter_map(|n| n.trim().parse().ok());
        Self::new(client).with_shipping_articles(numbers)
    }

    /// The products' articles as the products flow reads them, each with the AFAS article group its product's
    /// Koppel-made group stands for (the till's groups are read once, and only when a product is in a group).
    async fn source_articles(&self, products: &[Product]) -> ConnectorResult<Vec<SourceArticle>> {
        let empty = HashMap::new();
        let groups = match products.iter().any(|p| !p.group_numbers.is_empty()) {
            true => {
                self.afas_groups
                    .get_or_try_init(|| async {
                        let groups = mplus_call(self.client.get_article_groups(0, u32::MAX / 2)).await?;
                        let by_code = mplus_articles::afas_groups(&groups);
                        Ok::<_, ConnectorError>(by_code.into_iter().map(|(code, number)| (number, code)).collect())
                    })
                    .await?
            }
            false => &empty,
        };
        Ok(products
            .iter()
            .flat_map(|product| {
                let afas_group = product.group_numbers.iter().find_map(|g| groups.get(g)).cloned();
                articles(product).into_iter().map(move |mut article| {
                    article.afas_article_group.clone_from(&afas_group);
                    article
                })
            })
            .collect())
    }

    /// Every relation of the till, page by page from the first sync marker.
    async fn all_relations(&self) -> ConnectorResult<Vec<Relation>> {
        let (mut from, mut relations) = (0, Vec::new());
        loop {
            let page = mplus_call(self.client.get_relations(&[], from, CATALOGUE_PAGE)).await?;
            let next = page
                .iter()
                .filter_map(|r| r.sync_marker)
                .max()
                .map(|highest| highest + 1);
            let full = page.len() >= CATALOGUE_PAGE as usize;
            relations.extend(page);
            match next {
                Some(next) if next > from && full => from = next,
                _ => return Ok(relations),
            }
        }
    }

    /// Every product of the till, page by page from the first sync marker.
    async fn whole_catalogue(&self) -> ConnectorResult<Vec<Product>> {
        let (filter, mut from, mut products) = (ProductFilter::default(), 0, Vec::new());
        loop {
            let page = mplus_call(self.client.get_products(&filter, from, CATALOGUE_PAGE)).await?;
            let articles: usize = page.iter().map(|p| p.article_list.len()).sum();
            let next = page
                .iter()
                .filter_map(|p| {
                    p.sync_marker
                        .or_else(|| p.article_list.iter().filter_map(|a| a.sync_marker).max())
                })
                .max()
                .map(|highest| highest + 1);
            products.extend(page);
            match next {
                Some(next) if next > from && articles >= CATALOGUE_PAGE as usize => from = next,
                _ => return Ok(products),
            }
        }
    }

    async fn vat_codes(&self) -> ConnectorResult<&HashMap<Decimal, i32>> {
        self.vat_codes
            .get_or_try_init(|| async {
                let groups = mplus_call(self.client.get_vat_groups()).await?;
                Ok(mplus_articles::vat_codes(&groups))
            })
            .await
    }

    /// The page's relations by number: one call for all of them.
    async fn relations_of(&self, sales: &[Sale<'_>]) -> ConnectorResult<HashMap<i64, SourceCustomer>> {
        let numbers: BTreeSet<i64> = sales
            .iter()
            .filter_map(|s| s.relation_number)
            .filter(|&n| n > 0)
            .collect();
        if numbers.is_empty() {
            return Ok(HashMap::new());
        }
        let numbers: Vec<i64> = numbers.into_iter().collect();
        let limit = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
        let relations = mplus_call(self.client.get_relations(&numbers, 0, limit)).await?;
        Ok(relations
            .iter()
            .filter_map(|relation| Some((relation.relation_number?, customer(relation))))
            .collect())
    }

    async fn to_sources(&self, sales: Vec<Sale<'_>>) -> ConnectorResult<Vec<SourceOrder>> {
        let relations = self.relations_of(&sales).await?;
        Ok(sales
            .into_iter()
            .map(|sale| sale.into_source(&relations, &self.shipping_articles))
            .collect())
    }

    async fn page(&self, kind: SourceDocumentKind, from: i64, limit: u32) -> ConnectorResult<Vec<SourceOrder>> {
        // MplusKASSA leaves the lines out unless asked for them.
        let filter = DocumentFilter {
            include_lines: Some(true),
            ..DocumentFilter::default()
        };
        match kind {
            SourceDocumentKind::Order => {
                let orders = mplus_call(self.client.get_orders(&filter, from, limit)).await?;
                self.to_sources(orders.iter().map(Sale::of_order).collect()).await
            }
            SourceDocumentKind::Invoice => {
                let invoices = mplus_call(self.client.get_invoices(&filter, from, limit)).await?;
                self.to_sources(invoices.iter().map(Sale::of_invoice).collect()).await
            }
            SourceDocumentKind::Quotation => {
                let proposals = mplus_call(self.client.get_proposals(&filter, from, limit)).await?;
                self.to_sources(proposals.iter().map(Sale::of_proposal).collect()).await
            }
            SourceDocumentKind::Receipt => {
                let receipts = mplus_call(self.client.get_receipts(&filter, from, limit)).await?;
                self.to_sources(receipts.iter().map(Sale::of_receipt).collect()).await
            }
        }
    }

    /// An invoice or proposal by id: read from the start of its list until found (only retries need this).
    async fn search(&self, kind: SourceDocumentKind, id: &str) -> ConnectorResult<Option<SourceOrder>> {
        let mut from = 0;
        loop {
            let page = self.page(kind, from, SEARCH_PAGE).await?;
            if let Some(found) = page.iter().find(|sale| sale.id == id) {
                return Ok(Some(found.clone()));
            }
            match page.iter().map(|sale| sale.sync_marker).max() {
                Some(highest) if page.len() >= SEARCH_PAGE as usize && highest >= from => from = highest + 1,
                _ => return Ok(None),
            }
        }
    }

    /// The branch whose stock is read: the one asked for, else the shop's first.
    async fn stock_branch(&self, branch: Option<&str>) -> ConnectorResult<i32> {
        if let Some(branch) = branch {
            return branch.trim().parse().map_err(|_| {
                ConnectorError::permanent(format!(
                    "setting `stock_branch` must be a MplusKASSA branch number, not {branch:?}"
                ))
            });
        }
        let branches = mplus_call(self.client.get_branches()).await?;
        branches
            .iter()
            .map(|branch| branch.branch_number)
            .min()
            .ok_or_else(|| ConnectorError::permanent("MplusKASSA has no branches; set `stock_branch`"))
    }
}

fn several_types_refused(kinds: &[SourceDocumentKind]) -> ConnectorError {
    ConnectorError::permanent(format!(
        "setting `order_types` selects {kinds:?}, but MplusKASSA counts orders, invoices and quotations with \
         separate sync markers and a flow has one cursor: select one document type per flow"
    ))
}

fn limit_of(limit: usize) -> u32 {
    u32::try_from(limit.max(1)).unwrap_or(u32::MAX)
}

impl PosSource for MplusSource {
    async fn orders_since(
        &self,
        kinds: &[SourceDocumentKind],
        from: i64,
        limit: usize,
    ) -> ConnectorResult<Vec<SourceOrder>> {
        match kinds {
            [] => Ok(Vec::new()),
            [kind] => self.page(*kind, from, limit_of(limit)).await,
            several => Err(several_types_refused(several)),
        }
    }

    async fn order(&self, kind: SourceDocumentKind, id: &str) -> ConnectorResult<Option<SourceOrder>> {
        if kind == SourceDocumentKind::Receipt {
            let filter = DocumentFilter {
                receipt_ids: vec![id.to_owned()],
                include_lines: Some(true),
                ..DocumentFilter::default()
            };
            let receipts = mplus_call(self.client.get_receipts(&filter, 0, 1)).await?;
            return Ok(self
                .to_sources(receipts.iter().map(Sale::of_receipt).collect())
                .await?
                .pop());
        }
        if kind != SourceDocumentKind::Order {
            return self.search(kind, id).await;
        }
        let Some(order) = mplus_call(self.client.get_order(id)).await? else {
            return Ok(None);
        };
        Ok(self.to_sources(vec![Sale::of_order(&order)]).await?.pop())
    }

    async fn customers_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<SourceCustomer>> {
        let relations = mplus_call(self.client.get_relations(&[], from, limit_of(limit))).await?;
        Ok(relations.iter().map(customer).collect())
    }

    async fn articles_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<SourceArticle>> {
        let filter = ProductFilter::default();
        let products = mplus_call(self.client.get_products(&filter, from, limit_of(limit))).await?;
        self.source_articles(&products).await
    }

    async fn stock(&self, branch: Option<&str>) -> ConnectorResult<Vec<StockLevel>> {
        let branch = self.stock_branch(branch).await?;
        let stock = mplus_call(self.client.get_stock(branch, &[], None)).await?;
        Ok(stock.iter().map(stock_level).collect())
    }

    async fn customer(&self, relation_number: &str) -> ConnectorResult<Option<SourceCustomer>> {
        let Ok(number) = relation_number.trim().parse::<i64>() else {
            return Ok(None);
        };
        let relation = mplus_call(self.client.get_relation(number)).await?;
        Ok(relation.as_ref().map(customer))
    }

    async fn financial_day(&self, date: NaiveDate) -> ConnectorResult<FinancialDay> {
        let journal = mplus_call(self.client.get_financial_journal(date, date)).await?;
        Ok(mplus_ledger::financial_day(date, &journal))
    }

    async fn article(&self, sku: &str) -> ConnectorResult<Option<SourceArticle>> {
        let Ok(number) = sku.trim().parse::<i64>() else {
            return Ok(None);
        };
        let filter = ProductFilter {
            article_numbers: vec![number],
            ..ProductFilter::default()
        };
        let products: Vec<Product> = mplus_call(self.client.get_products(&filter, 0, SEARCH_PAGE)).await?;
        let articles = self.source_articles(&products).await?;
        Ok(articles.into_iter().find(|article| article.sku == sku.trim()))
    }

    async fn till_articles(&self, numbers: &[i64]) -> ConnectorResult<HashMap<i64, TillArticle>> {
        // Read before the page's writes, so that a preview of them (which cannot wait for a call) has the codes.
        self.vat_codes().await?;
        // Whole products: a dimension item's combinations are the other articles of its product.
        let filter = ProductFilter {
            article_numbers: numbers.to_vec(),
            whole_products: true,
            ..ProductFilter::default()
        };
        let products = mplus_call(self.client.get_products(&filter, 0, u32::MAX / 2)).await?;
        Ok(mplus_articles::till_articles(&products, numbers))
    }

    async fn till_combinations(&self, numbers: &[i64]) -> ConnectorResult<HashMap<i64, Vec<i64>>> {
        let filter = ProductFilter {
            article_numbers: numbers.to_vec(),
            whole_products: true,
            ..ProductFilter::default()
        };
        let products = mplus_call(self.client.get_products(&filter, 0, u32::MAX / 2)).await?;
        Ok(mplus_articles::combinations(&products, numbers))
    }

    async fn till_dimension_ids(&self, numbers: &[String]) -> ConnectorResult<HashMap<String, DimensionId>> {
        let numbers: Vec<i64> = numbers.iter().filter_map(|n| n.trim().parse().ok()).collect();
        if numbers.is_empty() {
            return Ok(HashMap::new());
        }
        let filter = ProductFilter {
            article_numbers: numbers.clone(),
            ..ProductFilter::default()
        };
        let products = mplus_call(self.client.get_products(&filter, 0, u32::MAX / 2)).await?;
        Ok(mplus_articles::dimension_ids(&products, &numbers))
    }

    async fn create_till_article(&self, draft: &TillArticleDraft) -> ConnectorResult<Written<Creation>> {
        let request = mplus_articles::product_write(draft, None, self.vat_codes().await?)?;
        let number = draft.article_number.to_string();
        let create = async {
            match self.client.create_product(&request).await {
                Ok(_) => Ok(Creation::Created(number.clone())),
                Err(MplusError::Business {
                    outcome: BusinessOutcome::AlreadyExists,
                    ..
                }) => Ok(Creation::Found(number.clone())),
                Err(error) => Err(error),
            }
        };
        mplus_write(create).await
    }

    async fn update_till_article(
        &self,
        current: &TillArticle,
        draft: &TillArticleDraft,
    ) -> ConnectorResult<Written<()>> {
        let request = mplus_articles::product_write(draft, Some(current), self.vat_codes().await?)?;
        let written = mplus_write(self.client.update_product(&request)).await?;
        Ok(Written {
            value: (),
            exchange: written.exchange,
        })
    }

    async fn till_relations(&self, numbers: &[i64]) -> ConnectorResult<HashMap<i64, TillRelation>> {
        let limit = u32::try_from(numbers.len()).unwrap_or(u32::MAX).max(1);
        let relations = mplus_call(self.client.get_relations(numbers, 0, limit)).await?;
        Ok(relations
            .iter()
            .filter_map(mplus_relations::till_relation)
            .filter(|relation| numbers.contains(&relation.relation_number))
            .map(|relation| (relation.relation_number, relation))
            .collect())
    }

    async fn find_till_relation(
        &self,
        ext_relation_id: &str,
        email: Option<&str>,
    ) -> ConnectorResult<Option<TillRelation>> {
        let by_link = Relation {
            ext_relation_id: Some(ext_relation_id.to_owned()),
            ..Relation::default()
        };
        let by_email = email.map(|email| Relation {
            email: Some(email.to_owned()),
            ..Relation::default()
        });
        for pattern in std::iter::once(by_link).chain(by_email) {
            let found = mplus_call(self.client.find_relation(&pattern)).await?;
            let exact = found.filter(|f| mplus_relations::is_exactly(f, Some(ext_relation_id), email));
            if let Some(relation) = exact.as_ref().and_then(mplus_relations::till_relation) {
                return Ok(Some(relation));
            }
        }
        Ok(None)
    }

    async fn deliver_till_order(&self, order_id: &str) -> ConnectorResult<Written<bool>> {
        mplus_write(self.client.deliver_order(order_id)).await
    }

    async fn till_order_lines(&self, order_id: &str) -> ConnectorResult<Option<Vec<TillOrderLine>>> {
        let order = mplus_call(self.client.get_order(order_id)).await?;
        Ok(order.map(|order| {
            order
                .line_list
                .iter()
                .filter_map(|line| {
                    Some(TillOrderLine {
                        line_id: line.line_id.clone()?,
                        article_number: line.article_number,
                        quantity: line.quantity,
                        delivered: line.delivered_quantity.unwrap_or_default(),
                    })
                })
                .collect()
        }))
    }

    async fn deliver_till_order_lines(
        &self,
        order_id: &str,
        lines: &[(String, Decimal)],
    ) -> ConnectorResult<Written<bool>> {
        mplus_write(self.client.deliver_order_lines(order_id, lines)).await
    }

    async fn create_till_relation(&self, draft: &TillRelationDraft) -> ConnectorResult<Written<i64>> {
        let relation = mplus_relations::relation(draft, None);
        let written = mplus_write(self.client.create_relation(&relation)).await?;
        Ok(Written {
            value: written.value.relation_number,
            exchange: written.exchange,
        })
    }

    async fn update_till_relation(&self, number: i64, draft: &TillRelationDraft) -> ConnectorResult<Written<()>> {
        let relation = mplus_relations::relation(draft, Some(number));
        let written = mplus_write(self.client.update_relation(&relation)).await?;
        Ok(Written {
            value: (),
            exchange: written.exchange,
        })
    }

    async fn till_article_prices(&self, numbers: Option<&[i64]>) -> ConnectorResult<Vec<TillArticlePrices>> {
        // Whole products: a dimension item's combinations get its prices too.
        let filter = ProductFilter {
            article_numbers: numbers.map(<[i64]>::to_vec).unwrap_or_default(),
            whole_products: true,
            ..ProductFilter::default()
        };
        let products = match numbers {
            Some([]) => Vec::new(),
            Some(_) => mplus_call(self.client.get_products(&filter, 0, u32::MAX / 2)).await?,
            None => self.whole_catalogue().await?,
        };
        Ok(mplus_prices::till_article_prices(&products, numbers))
    }

    async fn till_article_groups(&self) -> ConnectorResult<HashMap<String, i32>> {
        let groups = mplus_call(self.client.get_article_groups(0, u32::MAX / 2)).await?;
        Ok(mplus_articles::afas_groups(&groups))
    }

    async fn create_till_article_group(&self, afas_group: &str) -> ConnectorResult<Written<i32>> {
        let (parent, name, text) = mplus_articles::new_group(afas_group);
        mplus_write(self.client.new_article_group(parent, &name, &text)).await
    }

    async fn add_to_till_article_group(&self, group: i32, product_number: i64) -> ConnectorResult<Written<()>> {
        mplus_write(self.client.add_products_to_article_group(group, &[product_number])).await
    }

    async fn remove_from_till_article_group(&self, group: i32, product_number: i64) -> ConnectorResult<Written<()>> {
        mplus_write(self.client.delete_products_from_article_group(group, &[product_number])).await
    }

    async fn till_relation_terms(&self, debtors: Option<&[String]>) -> ConnectorResult<Vec<TillRelationTerms>> {
        let relations = self.all_relations().await?;
        Ok(relations
            .iter()
            .filter_map(mplus_terms::till_terms)
            .filter(|terms| debtors.is_none_or(|debtors| debtors.iter().any(|d| d.trim() == terms.debtor_id.trim())))
            .collect())
    }

    async fn till_custom_fields(&self) -> ConnectorResult<BTreeMap<String, CustomFieldKind>> {
        let lists = mplus_call(self.client.get_custom_field_lists()).await?;
        Ok(mplus_articles::custom_field_kinds(&lists.article))
    }

    async fn till_proposal(&self, proposal_id: &str) -> ConnectorResult<Option<TillProposal>> {
        let proposal = mplus_call(self.client.get_proposal(proposal_id)).await?;
        Ok(proposal.and_then(mplus_proposals::till_proposal))
    }

    /// A proposal with the draft's `extProposalId` already there (made by a run that stopped before journaling
    /// it) is found among its relation's proposals.
    async fn create_till_proposal(&self, draft: &ProposalDraft) -> ConnectorResult<Written<Creation>> {
        let request = mplus_proposals::proposal_write(draft, None);
        let create = async {
            match self.client.save_proposal(&request).await {
                Ok(saved) => Ok(Creation::Created(saved.proposal_id)),
                Err(
                    refused @ MplusError::Business {
                        outcome: BusinessOutcome::AlreadyExists,
                        ..
                    },
                ) => {
                    let (relation, ext_id) = (draft.relation_number, &draft.ext_proposal_id);
                    match mplus_proposals::find_by_ext_id(&self.client, relation, ext_id).await? {
                        Some(id) => Ok(Creation::Found(id)),
                        None => Err(refused),
                    }
                }
                Err(error) => Err(error),
            }
        };
        mplus_write(create).await
    }

    async fn replace_till_proposal(
        &self,
        current: &TillProposal,
        draft: &ProposalDraft,
    ) -> ConnectorResult<Written<()>> {
        let request = mplus_proposals::proposal_write(draft, Some(current));
        let written = mplus_write(self.client.save_proposal(&request)).await?;
        Ok(Written {
            value: (),
            exchange: written.exchange,
        })
    }

    async fn update_till_terms(&self, current: &TillRelationTerms, draft: &TermsDraft) -> ConnectorResult<Written<()>> {
        let relation = mplus_terms::terms_write(current, draft);
        let written = mplus_write(self.client.update_relation(&relation)).await?;
        Ok(Written {
            value: (),
            exchange: written.exchange,
        })
    }

    async fn till_price_groups(&self) -> ConnectorResult<Vec<(i32, String)>> {
        let groups = mplus_call(self.client.get_price_groups()).await?;
        Ok(groups
            .into_iter()
            .map(|g| (g.price_group_number, g.description.unwrap_or_default()))
            .collect())
    }

    async fn update_till_prices(
        &self,
        current: &TillArticlePrices,
        draft: &TillPricesDraft,
    ) -> ConnectorResult<Written<()>> {
        let request = mplus_prices::prices_write(current, draft);
        let written = mplus_write(self.client.update_product(&request)).await?;
        Ok(Written {
            value: (),
            exchange: written.exchange,
        })
    }

    fn render_till_write(&self, write: &TillWrite<'_>) -> ConnectorResult<Exchange> {
        // The VAT codes are known once a run has read them; a preview before that shows the request without.
        let codes = self.vat_codes.get().cloned().unwrap_or_default();
        let (operation, request) = match *write {
            TillWrite::CreateArticle(draft) => {
                let product = mplus_articles::product_write(draft, None, &codes)?;
                ("createProduct", create_product_request(&product))
            }
            TillWrite::UpdateArticle(current, draft) => {
                let product = mplus_articles::product_write(draft, Some(current), &codes)?;
                ("updateProduct", update_product_request(&product))
            }
            TillWrite::CreateRelation(draft) => (
                "createRelation",
                create_relation_request(&mplus_relations::relation(draft, None)),
            ),
            TillWrite::UpdateRelation(number, draft) => (
                "updateRelation",
                update_relation_request(&mplus_relations::relation(draft, Some(number))),
            ),
            TillWrite::DeliverOrder(order_id) => ("deliverOrder", deliver_order_request(order_id)),
            TillWrite::DeliverOrderLines(order_id, lines) => {
                ("deliverOrderV2", deliver_order_v2_request(order_id, lines))
            }
            TillWrite::UpdatePrices(current, draft) => (
                "updateProduct",
                update_product_request(&mplus_prices::prices_write(current, draft)),
            ),
            TillWrite::UpdateTerms(current, draft) => (
                "updateRelation",
                update_relation_request(&mplus_terms::terms_write(current, draft)),
            ),
            TillWrite::CreateArticleGroup(afas_group) => {
                let (parent, name, text) = mplus_articles::new_group(afas_group);
                ("newArticleGroup", new_article_group_request(parent, &name, &text))
            }
            TillWrite::AddToArticleGroup(group, product) => (
                "addProductsToArticleGroup",
                add_products_to_article_group_request(group, &[product]),
            ),
            TillWrite::RemoveFromArticleGroup(group, product) => (
                "deleteProductsFromArticleGroup",
                delete_products_from_article_group_request(group, &[product]),
            ),
            TillWrite::CreateProposal(draft) => (
                "saveProposal",
                save_proposal_request(&mplus_proposals::proposal_write(draft, None)),
            ),
            TillWrite::ReplaceProposal(current, draft) => (
                "saveProposal",
                save_proposal_request(&mplus_proposals::proposal_write(draft, Some(current))),
            ),
        };
        let request = request.map_err(|error| errors::from_mplus(&error))?;
        Ok(Exchange {
            operation: operation.to_owned(),
            request: JsonText::of(&request),
            ..Exchange::default()
        })
    }
}

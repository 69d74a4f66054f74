//! The operations the flows use, as typed methods. Request structs mirror the WSDL's sequences exactly
//! (element order and required elements such as the empty `articlePluNumbers`), so every message validates
//! against the vendor's schema.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{
    Address, ApiVersion, Article, ArticleGroup, ArticleStock, Branch, DeliveryMethod, Employee, Invoice, NewOrder,
    NewPayment, Order, OrderCreated, OrderType, PaymentMethod, Product, Proposal, Relation, RelationCreated,
    StockChange, StockHistoryEntry, SyncMarkers, TurnoverGroup, VatGroup, VatMethod,
};
use crate::soap::NoArguments;
use crate::wire::{self, MplusDate, to_cents, to_scaled};
use crate::{BusinessOutcome, MplusClient, MplusError};

/// Filters for `getOrders`, `getInvoices` and `getProposals` besides the sync marker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentFilter {
    pub from_financial_date: Option<NaiveDate>,
    pub through_financial_date: Option<NaiveDate>,
    pub branch_numbers: Vec<i32>,
    pub relation_numbers: Vec<i64>,
    /// Orders only; empty means MplusKASSA's default (sales, repeat and external sales orders).
    pub order_types: Vec<OrderType>,
    /// `false` is much faster when only headers are needed.
    pub include_lines: Option<bool>,
}

/// Filters for `getProducts` besides the sync marker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductFilter {
    pub article_numbers: Vec<i64>,
    pub group_numbers: Vec<i32>,
    pub only_webshop: Option<bool>,
    pub only_active: Option<bool>,
}

// ---- wire shapes of the requests ----

/// `TextList`, required (possibly empty) in several filters.
#[derive(Serialize, Default)]
struct TextList {
    text: Vec<TextItem>,
}

#[derive(Serialize)]
struct TextItem {
    text: String,
}

#[derive(Serialize)]
struct Request<T> {
    request: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderTypeList {
    order_type: Vec<OrderType>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetOrdersRequest {
    sync_marker: i64,
    sync_marker_limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_financial_date: Option<MplusDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    through_financial_date: Option<MplusDate>,
    branch_numbers: Vec<i32>,
    relation_numbers: Vec<i64>,
    article_plu_numbers: TextList,
    article_barcodes: TextList,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_type_list: Option<OrderTypeList>,
    #[serde(skip_serializing_if = "Option::is_none")]
    include_line_list: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetInvoicesRequest {
    sync_marker: i64,
    sync_marker_limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_financial_date: Option<MplusDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    through_financial_date: Option<MplusDate>,
    branch_numbers: Vec<i32>,
    relation_numbers: Vec<i64>,
    article_plu_numbers: TextList,
    article_barcodes: TextList,
    #[serde(skip_serializing_if = "Option::is_none")]
    include_line_list: Option<bool>,
}

/// `getProposals` has the same filter shape as `getInvoices` up to `includeLineList` (its text lists are
/// optional, sending them empty is valid).
type GetProposalsRequest = GetInvoicesRequest;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderId<'a> {
    order_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtOrderId<'a> {
    ext_order_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetRelationsRequest<'a> {
    relation_numbers: &'a [i64],
    sync_marker: i64,
    sync_marker_limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelationNumber {
    relation_number: i64,
}

#[derive(Serialize)]
struct RelationArgument<'a> {
    relation: &'a Relation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetProductsRequest<'a> {
    article_numbers: &'a [i64],
    group_numbers: &'a [i32],
    plu_numbers: TextList,
    #[serde(skip_serializing_if = "Option::is_none")]
    only_webshop: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    only_active: Option<bool>,
    sync_marker: i64,
    sync_marker_limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetArticleGroupsRequest {
    sync_marker: i64,
    sync_marker_limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArticleNumberList<'a> {
    article_numbers: &'a [i64],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetStockRequest<'a> {
    branch_number: i32,
    article_numbers: ArticleNumberList<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stock_id: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetStockHistoryRequest<'a> {
    branch_number: i32,
    article_numbers: ArticleNumberList<'a>,
    since_stock_id: i64,
    since_stock_id_limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateStockRequest<'a> {
    branch_number: i32,
    article_number: i64,
    amount_changed: i64,
    decimal_places: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    employee_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SetStockRequest<'a> {
    branch_number: i32,
    article_number: i64,
    amount: i64,
    decimal_places: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    employee_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetTurnoverGroupsRequest {
    only_active: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetEmployeesRequest<'a> {
    employee_numbers: &'a [i64],
    sync_marker: i64,
    sync_marker_limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateOrderV3Request<'a> {
    idempotency_key: &'a str,
    order: WireOrder<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prepay: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_list: Option<WirePaymentList<'a>>,
}

/// `Order` in the WSDL's element order, with only the elements a new order carries.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireOrder<'a> {
    order_id: &'a str,
    ext_order_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_type: Option<OrderType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_branch_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    employee_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relation_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery_address: Option<&'a Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_address: Option<&'a Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    financial_date: Option<MplusDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workplace_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_method: Option<VatMethod>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery_method: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery_date: Option<MplusDate>,
    line_list: WireLineList<'a>,
}

#[derive(Serialize)]
struct WireLineList<'a> {
    line: Vec<WireLine<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireLine<'a> {
    article_number: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    plu_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    data: WireLineData,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireLineData {
    quantity: i64,
    decimal_places: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_excl: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    turnover_group: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_code: Option<i32>,
}

#[derive(Serialize)]
struct WirePaymentList<'a> {
    payment: Vec<WirePayment<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WirePayment<'a> {
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_reference: Option<&'a str>,
}

// ---- wire shapes of the responses ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetOrdersResponse {
    #[serde(default, deserialize_with = "wire::list")]
    order_list: Vec<Order>,
}

#[derive(Deserialize)]
struct GetOrderResponse {
    result: String,
    #[serde(default)]
    order: Option<Order>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetInvoicesResponse {
    #[serde(default, deserialize_with = "wire::list")]
    invoice_list: Vec<Invoice>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetProposalsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    proposal_list: Vec<Proposal>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetRelationsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    relation_list: Vec<Relation>,
}

#[derive(Deserialize)]
struct RelationResult {
    result: String,
    #[serde(default)]
    relation: Option<Relation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateRelationResponse {
    result: String,
    #[serde(default)]
    relation_number: i64,
    #[serde(default)]
    sync_marker: Option<i64>,
    #[serde(default)]
    error_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateRelationResponse {
    result: String,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    sync_marker: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetProductsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    product_list: Vec<Product>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetArticleGroupsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    article_group_list: Vec<ArticleGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetStockResponse {
    #[serde(default)]
    article_stocks: Vec<ArticleStock>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetStockHistoryResponse {
    #[serde(default)]
    article_stock_history: Vec<StockHistoryEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StockResponse {
    result: String,
    #[serde(default)]
    stock_id: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetTurnoverGroupsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    turnover_group_list: Vec<TurnoverGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetVatGroupListResponse {
    #[serde(default)]
    vat_group: Vec<VatGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetPaymentMethodsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    payment_method_list: Vec<PaymentMethod>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetDeliveryMethodsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    delivery_method_list: Vec<DeliveryMethod>,
}

#[derive(Deserialize)]
struct GetBranchesResponse {
    #[serde(default, deserialize_with = "wire::list")]
    branches: Vec<Branch>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetEmployeesResponse {
    #[serde(default, deserialize_with = "wire::list")]
    employee_list: Vec<Employee>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateOrderV3Response {
    #[serde(default)]
    idempotency_result: Option<String>,
    result: String,
    #[serde(default)]
    order: Option<Order>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    info: Option<CreateOrderInfo>,
    #[serde(default)]
    invoice_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateOrderInfo {
    order_id: String,
    #[serde(default)]
    order_string: Option<String>,
}

impl MplusClient {
    /// `getApiVersion`: also the connection test (credentials, reachability).
    pub async fn api_version(&self) -> Result<ApiVersion, MplusError> {
        self.call("getApiVersion", &NoArguments {}).await
    }

    /// The connection test of the set-up wizard: `getApiVersion`.
    pub async fn test_connection(&self) -> Result<ApiVersion, MplusError> {
        self.api_version().await
    }

    /// `getCurrentSyncMarkers`: the highest marker per entity type (a flow's starting point).
    pub async fn current_sync_markers(&self) -> Result<SyncMarkers, MplusError> {
        self.call("getCurrentSyncMarkers", &NoArguments {}).await
    }

    /// `getOrders` from `sync_marker` (inclusive), at most `limit` orders, ascending by marker.
    pub async fn get_orders(
        &self,
        filter: &DocumentFilter,
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Order>, MplusError> {
        let request = GetOrdersRequest {
            sync_marker,
            sync_marker_limit: limit,
            from_financial_date: filter.from_financial_date.map(MplusDate::from),
            through_financial_date: filter.through_financial_date.map(MplusDate::from),
            branch_numbers: filter.branch_numbers.clone(),
            relation_numbers: filter.relation_numbers.clone(),
            article_plu_numbers: TextList::default(),
            article_barcodes: TextList::default(),
            order_type_list: (!filter.order_types.is_empty()).then(|| OrderTypeList {
                order_type: filter.order_types.clone(),
            }),
            include_line_list: filter.include_lines,
        };
        let response: GetOrdersResponse = self.call("getOrders", &Request { request }).await?;
        Ok(response.order_list)
    }

    /// `getOrder` by MplusKASSA's order id; `None` when it does not exist.
    pub async fn get_order(&self, order_id: &str) -> Result<Option<Order>, MplusError> {
        let response: GetOrderResponse = self.call("getOrder", &OrderId { order_id }).await?;
        found("getOrder", response.result, "GET-ORDER-RESULT-OK", response.order)
    }

    /// `findOrder` by the external order id we sent; `None` when it does not exist.
    pub async fn find_order(&self, ext_order_id: &str) -> Result<Option<Order>, MplusError> {
        let response: GetOrderResponse = self.call("findOrder", &ExtOrderId { ext_order_id }).await?;
        found("findOrder", response.result, "GET-ORDER-RESULT-OK", response.order)
    }

    /// `getInvoices` from `sync_marker`, at most `limit`.
    pub async fn get_invoices(
        &self,
        filter: &DocumentFilter,
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Invoice>, MplusError> {
        let request = invoices_request(filter, sync_marker, limit);
        let response: GetInvoicesResponse = self.call("getInvoices", &Request { request }).await?;
        Ok(response.invoice_list)
    }

    /// `getProposals` (quotations) from `sync_marker`, at most `limit`.
    pub async fn get_proposals(
        &self,
        filter: &DocumentFilter,
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Proposal>, MplusError> {
        let request: GetProposalsRequest = invoices_request(filter, sync_marker, limit);
        let response: GetProposalsResponse = self.call("getProposals", &Request { request }).await?;
        Ok(response.proposal_list)
    }

    /// `getRelations` from `sync_marker`, at most `limit`; `relation_numbers` narrows it down when not empty.
    pub async fn get_relations(
        &self,
        relation_numbers: &[i64],
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Relation>, MplusError> {
        let request = GetRelationsRequest {
            relation_numbers,
            sync_marker,
            sync_marker_limit: limit,
        };
        let response: GetRelationsResponse = self.call("getRelations", &Request { request }).await?;
        Ok(response.relation_list)
    }

    /// `getRelation`; `None` when the number does not exist.
    pub async fn get_relation(&self, relation_number: i64) -> Result<Option<Relation>, MplusError> {
        let response: RelationResult = self.call("getRelation", &RelationNumber { relation_number }).await?;
        found(
            "getRelation",
            response.result,
            "GET-RELATION-RESULT-OK",
            response.relation,
        )
    }

    /// `findRelation`: the first relation matching the filled fields of `pattern` (case-insensitive,
    /// partial matches: check the e-mail of the result yourself when it must be exact).
    pub async fn find_relation(&self, pattern: &Relation) -> Result<Option<Relation>, MplusError> {
        let response: RelationResult = self
            .call("findRelation", &RelationArgument { relation: pattern })
            .await?;
        found(
            "findRelation",
            response.result,
            "FIND-RELATION-RESULT-OK",
            response.relation,
        )
    }

    /// `createRelation`: MplusKASSA assigns the number unless `relation_number` is set.
    pub async fn create_relation(&self, relation: &Relation) -> Result<RelationCreated, MplusError> {
        let response: CreateRelationResponse = self.call("createRelation", &RelationArgument { relation }).await?;
        MplusError::check(
            "createRelation",
            &response.result,
            "CREATE-RELATION-RESULT-OK",
            response.error_message,
        )?;
        Ok(RelationCreated {
            relation_number: response.relation_number,
            sync_marker: response.sync_marker,
        })
    }

    /// `updateRelation` (by `relation_number`); returns the relation's new sync marker.
    pub async fn update_relation(&self, relation: &Relation) -> Result<Option<i64>, MplusError> {
        let response: UpdateRelationResponse = self.call("updateRelation", &RelationArgument { relation }).await?;
        MplusError::check(
            "updateRelation",
            &response.result,
            "UPDATE-RELATION-RESULT-OK",
            response.error_message,
        )?;
        Ok(response.sync_marker)
    }

    /// `getProducts` from `sync_marker`; `limit` counts articles, and a product is never split.
    pub async fn get_products(
        &self,
        filter: &ProductFilter,
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Product>, MplusError> {
        let request = GetProductsRequest {
            article_numbers: &filter.article_numbers,
            group_numbers: &filter.group_numbers,
            plu_numbers: TextList::default(),
            only_webshop: filter.only_webshop,
            only_active: filter.only_active,
            sync_marker,
            sync_marker_limit: limit,
        };
        let response: GetProductsResponse = self.call("getProducts", &Request { request }).await?;
        Ok(response.product_list)
    }

    /// The articles of [`Self::get_products`], flattened.
    pub async fn get_articles(&self, article_numbers: &[i64]) -> Result<Vec<Article>, MplusError> {
        let filter = ProductFilter {
            article_numbers: article_numbers.to_vec(),
            ..ProductFilter::default()
        };
        let products = self.get_products(&filter, 0, u32::MAX / 2).await?;
        Ok(products
            .into_iter()
            .flat_map(|product| product.article_list)
            .filter(|article| article.article_number.is_some_and(|n| article_numbers.contains(&n)))
            .collect())
    }

    /// `getArticleGroups` from `sync_marker`, at most `limit`.
    pub async fn get_article_groups(&self, sync_marker: i64, limit: u32) -> Result<Vec<ArticleGroup>, MplusError> {
        let request = GetArticleGroupsRequest {
            sync_marker,
            sync_marker_limit: limit,
        };
        let response: GetArticleGroupsResponse = self.call("getArticleGroups", &Request { request }).await?;
        Ok(response.article_group_list)
    }

    /// `getStock` of one branch: all articles when `article_numbers` is empty; only stock changed since
    /// `since_stock_id` when given.
    pub async fn get_stock(
        &self,
        branch_number: i32,
        article_numbers: &[i64],
        since_stock_id: Option<i64>,
    ) -> Result<Vec<ArticleStock>, MplusError> {
        let request = GetStockRequest {
            branch_number,
            article_numbers: ArticleNumberList { article_numbers },
            stock_id: since_stock_id,
        };
        let response: GetStockResponse = self.call("getStock", &Request { request }).await?;
        Ok(response.article_stocks)
    }

    /// `getStockHistory` of one branch from `since_stock_id`, at most `limit` entries.
    pub async fn get_stock_history(
        &self,
        branch_number: i32,
        article_numbers: &[i64],
        since_stock_id: i64,
        limit: u32,
    ) -> Result<Vec<StockHistoryEntry>, MplusError> {
        let request = GetStockHistoryRequest {
            branch_number,
            article_numbers: ArticleNumberList { article_numbers },
            since_stock_id,
            since_stock_id_limit: limit,
        };
        let response: GetStockHistoryResponse = self.call("getStockHistory", &Request { request }).await?;
        Ok(response.article_stock_history)
    }

    /// `updateStock`: changes stock by `change.amount`; returns the new stock id.
    pub async fn update_stock(&self, change: &StockChange) -> Result<Option<i64>, MplusError> {
        let (amount_changed, decimal_places) = to_scaled(change.amount)?;
        let request = UpdateStockRequest {
            branch_number: change.branch_number,
            article_number: change.article_number,
            amount_changed,
            decimal_places,
            employee_number: change.employee_number,
            reference: change.reference.as_deref(),
        };
        let response: StockResponse = self.call("updateStock", &Request { request }).await?;
        MplusError::check("updateStock", &response.result, "UPDATE-STOCK-RESULT-OK", None)?;
        Ok(response.stock_id)
    }

    /// `setStock`: sets stock to `change.amount`; returns the new stock id.
    pub async fn set_stock(&self, change: &StockChange) -> Result<Option<i64>, MplusError> {
        let (amount, decimal_places) = to_scaled(change.amount)?;
        let request = SetStockRequest {
            branch_number: change.branch_number,
            article_number: change.article_number,
            amount,
            decimal_places,
            employee_number: change.employee_number,
            reference: change.reference.as_deref(),
        };
        let response: StockResponse = self.call("setStock", &Request { request }).await?;
        MplusError::check("setStock", &response.result, "SET-STOCK-RESULT-OK", None)?;
        Ok(response.stock_id)
    }

    /// `getTurnoverGroups`.
    pub async fn get_turnover_groups(&self, only_active: bool) -> Result<Vec<TurnoverGroup>, MplusError> {
        let request = GetTurnoverGroupsRequest { only_active };
        let response: GetTurnoverGroupsResponse = self.call("getTurnoverGroups", &Request { request }).await?;
        Ok(response.turnover_group_list)
    }

    /// `getVatGroupList`.
    pub async fn get_vat_groups(&self) -> Result<Vec<VatGroup>, MplusError> {
        let response: GetVatGroupListResponse = self.call("getVatGroupList", &NoArguments {}).await?;
        Ok(response.vat_group)
    }

    /// `getPaymentMethods`.
    pub async fn get_payment_methods(&self) -> Result<Vec<PaymentMethod>, MplusError> {
        let response: GetPaymentMethodsResponse = self.call("getPaymentMethods", &NoArguments {}).await?;
        Ok(response.payment_method_list)
    }

    /// `getDeliveryMethods`.
    pub async fn get_delivery_methods(&self) -> Result<Vec<DeliveryMethod>, MplusError> {
        let response: GetDeliveryMethodsResponse = self.call("getDeliveryMethods", &NoArguments {}).await?;
        Ok(response.delivery_method_list)
    }

    /// `getBranches`.
    pub async fn get_branches(&self) -> Result<Vec<Branch>, MplusError> {
        let response: GetBranchesResponse = self.call("getBranches", &NoArguments {}).await?;
        Ok(response.branches)
    }

    /// `getEmployees` from `sync_marker`, at most `limit`; `employee_numbers` narrows it down when not empty.
    pub async fn get_employees(
        &self,
        employee_numbers: &[i64],
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Employee>, MplusError> {
        let request = GetEmployeesRequest {
            employee_numbers,
            sync_marker,
            sync_marker_limit: limit,
        };
        let response: GetEmployeesResponse = self.call("getEmployees", &Request { request }).await?;
        Ok(response.employee_list)
    }

    /// `createOrderV3`. Sending the same `idempotency_key` again returns the stored answer instead of
    /// creating a second order (`OrderCreated::replayed`). An `ext_order_id` used before gives
    /// [`crate::BusinessOutcome::AlreadyExists`].
    pub async fn create_order(
        &self,
        order: &NewOrder,
        idempotency_key: &str,
        payments: &[NewPayment],
    ) -> Result<OrderCreated, MplusError> {
        let request = CreateOrderV3Request {
            idempotency_key,
            order: wire_order(order)?,
            prepay: None,
            payment_list: if payments.is_empty() {
                None
            } else {
                Some(WirePaymentList {
                    payment: payments
                        .iter()
                        .map(|p| {
                            Ok(WirePayment {
                                method: &p.method,
                                description: p.description.as_deref(),
                                amount: to_cents(p.amount)?,
                                external_reference: p.external_reference.as_deref(),
                            })
                        })
                        .collect::<Result<_, MplusError>>()?,
                })
            },
        };
        let response: CreateOrderV3Response = self.call("createOrderV3", &Request { request }).await?;
        MplusError::check(
            "createOrderV3",
            &response.result,
            "CREATE-ORDER-RESULT-OK",
            response.error_message,
        )?;
        let info = response.info.ok_or(MplusError::Decode {
            operation: "createOrderV3",
            message: "an OK result without info".into(),
        })?;
        Ok(OrderCreated {
            order_id: info.order_id,
            order_string: info.order_string,
            replayed: response.idempotency_result.as_deref() == Some("IDEMPOTENCY-RESULT-REPLAY-RESPONSE"),
            order: response.order,
            invoice_id: response.invoice_id,
        })
    }
}

fn invoices_request(filter: &DocumentFilter, sync_marker: i64, limit: u32) -> GetInvoicesRequest {
    GetInvoicesRequest {
        sync_marker,
        sync_marker_limit: limit,
        from_financial_date: filter.from_financial_date.map(MplusDate::from),
        through_financial_date: filter.through_financial_date.map(MplusDate::from),
        branch_numbers: filter.branch_numbers.clone(),
        relation_numbers: filter.relation_numbers.clone(),
        article_plu_numbers: TextList::default(),
        article_barcodes: TextList::default(),
        include_line_list: filter.include_lines,
    }
}

fn wire_order(order: &NewOrder) -> Result<WireOrder<'_>, MplusError> {
    let lines = order
        .lines
        .iter()
        .map(|line| {
            let (quantity, decimal_places) = to_scaled(line.quantity)?;
            Ok(WireLine {
                article_number: line.article_number,
                plu_number: line.plu_number.as_deref(),
                text: line.text.as_deref(),
                data: WireLineData {
                    quantity,
                    decimal_places,
                    price: line.price.map(to_cents).transpose()?,
                    price_excl: line.price_excl.map(to_cents).transpose()?,
                    turnover_group: line.turnover_group,
                    vat_code: line.vat_code,
                },
            })
        })
        .collect::<Result<_, MplusError>>()?;
    Ok(WireOrder {
        order_id: order.order_id.as_deref().unwrap_or_default(),
        ext_order_id: &order.ext_order_id,
        order_type: order.order_type,
        entry_branch_number: order.entry_branch_number,
        employee_number: order.employee_number,
        relation_number: order.relation_number,
        delivery_address: order.delivery_address.as_ref(),
        invoice_address: order.invoice_address.as_ref(),
        financial_date: order.financial_date.map(MplusDate::from),
        workplace_number: order.workplace_number,
        reference: order.reference.as_deref(),
        vat_method: order.vat_method,
        delivery_method: order.delivery_method.as_deref(),
        delivery_date: order.delivery_date.map(MplusDate::from),
        line_list: WireLineList { line: lines },
    })
}

/// `Some(item)` for the OK result, `None` for NOT-FOUND, an error for anything else.
fn found<T>(operation: &'static str, result: String, ok: &str, item: Option<T>) -> Result<Option<T>, MplusError> {
    if result == ok {
        return item.map(Some).ok_or(MplusError::Decode {
            operation,
            message: format!("{result} without the item"),
        });
    }
    match BusinessOutcome::of(&result) {
        BusinessOutcome::NotFound => Ok(None),
        outcome => Err(MplusError::Business {
            operation,
            outcome,
            result,
            message: None,
        }),
    }
}

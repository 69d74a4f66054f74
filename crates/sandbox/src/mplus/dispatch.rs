//! The SOAP endpoint: `POST /?ident=..&secret=..` reads the envelope, applies injected faults, checks the
//! credentials and the request against the schema, and runs the operation named by the Body's first child.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};

use super::soap::{self, SoapFault};
use super::state::{MplusState, Store};
use super::xml::Element;
use super::{
    article_groups, custom_fields, financial_journal, orders, products, receipts, reference, relations, stock,
};
use crate::control::JournalOperation;

type Read = fn(&Store, &Element) -> Result<Element, SoapFault>;
type Write = fn(&mut Store, &Element) -> Result<Element, SoapFault>;

/// An operation reads the store (shared lock) or changes it (exclusive lock).
#[derive(Clone, Copy)]
enum Operation {
    Read(Read),
    Write(Write),
}

/// Every operation the simulator implements, by the name of its request element.
const OPERATIONS: &[(&str, Operation)] = &[
    ("getApiVersion", Operation::Read(reference::get_api_version)),
    (
        "getCurrentSyncMarkers",
        Operation::Read(reference::get_current_sync_markers),
    ),
    ("getBranches", Operation::Read(reference::get_branches)),
    ("getEmployees", Operation::Read(reference::get_employees)),
    ("getVatGroupList", Operation::Read(reference::get_vat_group_list)),
    ("getTurnoverGroups", Operation::Read(reference::get_turnover_groups)),
    ("getPriceGroupList", Operation::Read(reference::get_price_group_list)),
    ("getPaymentMethods", Operation::Read(reference::get_payment_methods)),
    ("getDeliveryMethods", Operation::Read(reference::get_delivery_methods)),
    (
        "getCustomFieldLists",
        Operation::Read(custom_fields::get_custom_field_lists),
    ),
    ("getOrders", Operation::Read(orders::get_orders)),
    ("getOrder", Operation::Read(orders::get_order)),
    ("findOrder", Operation::Read(orders::find_order)),
    ("getInvoices", Operation::Read(orders::get_invoices)),
    ("getProposals", Operation::Read(orders::get_proposals)),
    ("getProposal", Operation::Read(orders::get_proposal)),
    ("saveProposal", Operation::Write(orders::save_proposal)),
    ("createOrder", Operation::Write(orders::create_order)),
    ("createOrderV2", Operation::Write(orders::create_order_v2)),
    ("createOrderV3", Operation::Write(orders::create_order_v3)),
    ("deliverOrder", Operation::Write(orders::deliver_order)),
    ("deliverOrderV2", Operation::Write(orders::deliver_order_v2)),
    ("getReceipts", Operation::Read(receipts::get_receipts)),
    (
        "getReceiptsByCashCount",
        Operation::Read(receipts::get_receipts_by_cash_count),
    ),
    (
        "getFinancialJournal",
        Operation::Read(financial_journal::get_financial_journal),
    ),
    (
        "getFinancialJournalByCashCount",
        Operation::Read(financial_journal::get_financial_journal_by_cash_count),
    ),
    ("getRelations", Operation::Read(relations::get_relations)),
    ("getRelation", Operation::Read(relations::get_relation)),
    ("findRelation", Operation::Read(relations::find_relation)),
    ("createRelation", Operation::Write(relations::create_relation)),
    ("updateRelation", Operation::Write(relations::update_relation)),
    ("getProducts", Operation::Read(products::get_products)),
    ("getArticleGroups", Operation::Read(article_groups::get_article_groups)),
    ("newArticleGroup", Operation::Write(article_groups::new_article_group)),
    (
        "updateArticleGroup",
        Operation::Write(article_groups::update_article_group),
    ),
    (
        "addProductsToArticleGroup",
        Operation::Write(article_groups::add_products_to_article_group),
    ),
    (
        "deleteProductsFromArticleGroup",
        Operation::Write(article_groups::delete_products_from_article_group),
    ),
    ("createProduct", Operation::Write(products::create_product)),
    ("updateProduct", Operation::Write(products::update_product)),
    ("getStock", Operation::Read(stock::get_stock)),
    ("getStockHistory", Operation::Read(stock::get_stock_history)),
    ("updateStock", Operation::Write(stock::update_stock)),
    ("setStock", Operation::Write(stock::set_stock)),
];

/// The names of the implemented operations.
pub fn operation_names() -> impl Iterator<Item = &'static str> {
    OPERATIONS.iter().map(|(name, _)| *name)
}

fn with_operation(mut response: Response, operation: Option<&str>) -> Response {
    if let Some(operation) = operation {
        response.extensions_mut().insert(JournalOperation(operation.to_owned()));
    }
    response
}

pub async fn soap_endpoint(state: MplusState, Query(query): Query<HashMap<String, String>>, body: Bytes) -> Response {
    let parsed = std::str::from_utf8(&body)
        .map_err(|_| SoapFault::client("The request is not UTF-8"))
        .and_then(soap::operation_of);
    let operation_name = parsed.as_ref().ok().map(|op| op.name.clone());
    let name = operation_name.as_deref();
    if let Some(fault) = state.control.take_fault("POST", name.unwrap_or(""))
        && let Some(response) = soap::injected(fault).await
    {
        return with_operation(response, name);
    }
    let authenticated = query.get("ident").is_some_and(|ident| **ident == *state.ident)
        && query.get("secret").is_some_and(|secret| **secret == *state.secret);
    let response = if !authenticated {
        SoapFault::authentication().into_response()
    } else {
        match parsed.and_then(|operation| run(&state, &operation)) {
            Ok(response) => soap::envelope(response),
            Err(fault) => fault.into_response(),
        }
    };
    with_operation(response, name)
}

fn run(state: &MplusState, operation: &Element) -> Result<Element, SoapFault> {
    // Unknown to the WSDL (or in another namespace): the caller's mistake, as the real service says.
    soap::check_request(operation)?;
    let (_, implementation) = OPERATIONS
        .iter()
        .find(|(name, _)| *name == operation.name)
        .ok_or_else(|| SoapFault::server(format!("The sandbox does not simulate '{}' yet", operation.name)))?;
    match implementation {
        Operation::Read(read) => read(&state.read(), operation),
        Operation::Write(write) => write(&mut state.write(), operation),
    }
}

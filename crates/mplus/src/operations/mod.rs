//! The operations the flows use, as typed methods, one module per kind of entity. Request structs mirror
//! the WSDL's sequences exactly (element order and required elements such as the empty
//! `articlePluNumbers`), so every message validates against the vendor's schema.

mod article_groups;
mod create_order;
mod documents;
mod financial;
mod products;
mod proposals;
mod reference;
mod relations;
mod stock;
mod system;

#[cfg(test)]
mod fuzz;

use serde::Serialize;

use crate::{BusinessOutcome, MplusError};

pub use article_groups::{
    add_products_to_article_group_request, delete_products_from_article_group_request, new_article_group_request,
    update_article_group_request,
};
pub use documents::{DocumentFilter, deliver_order_request, deliver_order_v2_request};
pub use products::{
    ArticleWrite, ArticleWriteList, PriceGroupWrite, PriceGroupWriteList, ProductFilter, ProductWrite,
    create_product_request, update_product_request,
};
pub use proposals::{ProposalWrite, SavedProposal, save_proposal_request};
pub use relations::{create_relation_request, update_relation_request};

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

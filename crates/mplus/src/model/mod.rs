//! The MplusKASSA data the flows read and write, in exact types. Field names follow the WSDL; structs that
//! are sent keep the WSDL's element order, because the schema is a strict `xsd:sequence`.

mod custom_fields;
mod financial;
mod orders;
mod products;
mod receipts;
mod reference;
mod relations;
mod stock;

pub use custom_fields::{CustomField, CustomFieldList, CustomFieldLists, CustomFieldType};
pub use financial::{FinancialGroup, FinancialGroupSource, FinancialGroupType, FinancialJournal};
pub use orders::{
    Address, Invoice, Line, NewLine, NewOrder, NewPayment, Order, OrderCreated, OrderType, Payment, Proposal, VatGroup,
    VatMethod, YearNumber,
};
pub use products::{Article, ArticleGroup, PriceGroup, Product, ProductCreated};
pub use receipts::{Receipt, ReceiptState, ReceiptType, WorkplaceYearNumber};
pub use reference::{
    ApiVersion, Branch, DeliveryMethod, Employee, PaymentMethod, SyncMarkers, TurnoverGroup, Workplace,
};
pub use relations::{Relation, RelationArticleDiscount, RelationArticleDiscountList, RelationCreated};
pub use stock::{ArticleStock, StockChange, StockHistoryEntry};

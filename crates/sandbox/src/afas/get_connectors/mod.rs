//! `GET /connectors/{name}`: paging (`skip`/`take`, defaults 0/100, `-1/-1` = all, other negatives a 500),
//! sorting (`orderbyfieldids`, `-` for descending) and filters (`filterfieldids` / `filtervalues` /
//! `operatortypes` with `,` = AND and `;` = OR, or `filterjson`) over a GetConnector's rows. An unknown field
//! is a 500 "Connector field 'X' not found"; text comparisons ignore case.
//!
//! Field ids follow the standard Profit GetConnectors (reference §1.2). Where the standard list has no field
//! a client needs, one is added and marked "sandbox" below.
//!
//! | GetConnector | Fields (primary key first) |
//! |---|---|
//! | `Profit_Administrations` | AdminId (int), AdminNm, AdminCd |
//! | `Profit_Warehouses` | Warehouse, Description, UnitIdFin (int), Blocked (bool) |
//! | `Profit_VAT_code` | VatCode, Description, AccountNr, VatPerc (decimal), VatDuty, Blocked (bool), VatMethod, VatType |
//! | `Profit_PaymentConditions` (sandbox) | PaymentCondition, Description, Days (int) |
//! | `Profit_PaymentMethods` (sandbox) | PaymentMethod, Description |
//! | `Profit_Debtor` | DebtorId, DebtorName, BcCo, SearchName, AdressLine1 (street + number), AdressLine3 (postcode + city), AdressLine4 (country name), CountryId (sandbox, ISO code), TelNr, Email, IBAN, VatNr, ChOfCommNr, CollectAccount, PayCon, VatDuty, Blocked (bool), CreditLimit (decimal), CurrencyId, AutoPayment (bool), PriceList (sandbox: the preferred price list `PrLs`), LineDiscount (sandbox, decimal: the line discount % `PrLi`), DiscountGroup (sandbox: the sales discount group `DsGr`), CreateDate, ModifiedDate |
//! | `Profit_Contacts` (standard name, sandbox fields) | ContactId (`<BcCo>-<n>`), OrganisationCode, PersonCode, Name, Function, Email, TelNr |
//! | `Profit_Deliveryaddress` | ContactId (sandbox, int: the contact number a sales document's `DlAd` names), OrgId (the organisation's or person's `BcCo`), Bedrijf, Tel, Mail, Is_debiteur (bool), Adrestype_code, A_Straat, A_Huisnummer (int), A_Toev_Huisnr., A_Postcode, A_Woonplaats, A_Land (ISO code), DebiteurID, Gewijzigd_op: one row per delivery address (contact of kind `AFL`) |
//! | `Profit_Article` | ItemCode, Description, ExtraDescription, UnitId, Factor (decimal), ArtGroup, Blocked (bool), Barcode, VATGroup, ItemSortCode, ItemTypeCode, Stock (bool: tracks stock), BitDecimals (int), PriceGroup, StockCode, StockDimId1, StockDimId2, SalesPrice (sandbox, decimal), CreateDate, ModifiedDate |
//! | `Profit_Barcode_per_Item` | ItemType ("Art"), ItemCode, UnitId (the article's unit), BarcodeType (the article's `VaBc`, else "3" = EAN-13), Barcode, StockDimCode1, StockDimCode2, SerialNumber, BatchNumber, DebtorId, CreditorId (the last four always empty): one row per barcode, the article's own (`BaCo`, without dimension codes) and one per dimension combination of a dimension article (with its codes) |
//! | `Profit_Article_Basic` | ItemCode, Description, UnitId, ArtGroup, Blocked (bool), VATgroup, BasicSalesPrice (decimal), StockActual (decimal, all warehouses), CreateDate, DateModified |
//! | `Profit_Stock_per_Warehouse` | Item_code, Warehouse (sandbox), Basisartikeltype_code, In_stock (decimal), Unit, Stock_level_code, ModifiedDate (sandbox) |
//! | `Profit_Salesorders` | OrderNumber, Ordersoort ("Order" or "Directe factuur"), Status, OrderDate, DebtorId, CurrencyId, CustomerReference (= `RfCs`), Warehouse (sandbox), Gross, Discount, TotalAmount, VAT, Quantity, InvoiceTotal (decimals), InvoiceNumber (sandbox), CreateDate (sandbox), ModifiedDate (sandbox) |
//! | `Profit_SalesorderLines` | OrderNumber, SeqNo (int), LineGuid, ItemTypeCode, ItemCodeId, Description, UnitId, Quantity, PricePerUnit, AmtRowDiscount, PriceNet, AmtTotal (decimals), VatCode (sandbox), Warehouse (sandbox), CreateDate, ModifiedDate |
//! | `Profit_SalesQuotations` (sandbox) | QuotationNumber, Status, QuotationDate, DebtorId, CurrencyId, CustomerReference, TotalAmount, VAT, CreateDate, ModifiedDate |
//! | `Profit_SalesQuotationLines` (sandbox) | QuotationNumber, SeqNo (int), ItemCode, Description, Quantity, PricePerUnit (decimals; the price as posted, else the article's), VatCode, ModifiedDate (the quotation's): one row per quotation line |
//! | `Koppel_DiscountGroups` (not a Profit connector: the one Koppel documents for customers to import, as Profit publishes none for discount group lines) | DiscountGroup (the group's code, a debtor's `DsGr`), Description, ArtGroup, DiscountPercentage (decimal), StartDate, EndDate (dates; `null`: open-ended): one row per line of every sales discount group, valid or not (filtering on the dates is the caller's) |
//! | `Profit_SalesPrice` (computed per request, see [`sales_prices`]) | Debtor, Date (date), Currency, Volume (bool), Level (the price list), Item, Description, Quantity, Unit, GrossPrice, Discount, Nettoprijs (decimals) |
//!
//! Dates are `YYYY-MM-DDTHH:MM:SSZ` in Amsterdam local time; empty values are `null`.

pub mod filters;
mod sales_prices;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::Deref;

use rand::seq::SliceRandom;
use serde_json::{Value, json};

use self::filters::{Condition, Filter, Operator, Typed};
use super::catalog::{self, Backing, ConnectorDef};
use super::error::AfasError;
use super::store::Store;
use super::table::{Row, Table};

/// Profit's page size when the request names none.
pub const DEFAULT_TAKE: i64 = 100;

/// Where a connector's rows come from.
enum Rows<'a> {
    Table(&'a Table),
    Fixed(&'a [Row]),
    /// Computed from the filter's inputs at each request.
    SalesPrices(&'a Store),
}

impl<'a> Rows<'a> {
    /// The rows of a standard connector.
    fn of_built_in(store: &'a Store, name: &str) -> Result<Self, AfasError> {
        match catalog::backing(name) {
            Some(Backing::Table(_)) => store.tables.get(name).map(Rows::Table).ok_or_else(not_supported),
            Some(Backing::SalesPrices) => Ok(Rows::SalesPrices(store)),
            None => Err(not_supported()),
        }
    }
}

/// A connector resolved to its definition, its rows and (for a custom view) its field renaming.
struct Target<'a> {
    def: &'a ConnectorDef,
    rows: Rows<'a>,
    /// (custom field id, source field id) for a custom view on a standard connector.
    renames: Option<Vec<(&'a str, &'a str)>>,
}

impl<'a> Target<'a> {
    fn resolve(store: &'a Store, name: &str) -> Result<Self, AfasError> {
        if let Some(def) = catalog::built_in(name) {
            return Ok(Self {
                def,
                rows: Rows::of_built_in(store, name)?,
                renames: None,
            });
        }
        let custom = store.custom_connectors.get(name).ok_or_else(not_supported)?;
        match &custom.source {
            Some(source) => Ok(Self {
                def: &custom.def,
                rows: Rows::of_built_in(store, source)?,
                renames: Some(
                    custom
                        .def
                        .fields
                        .iter()
                        .zip(&custom.source_fields)
                        .map(|(field, source)| (field.id.as_str(), source.as_str()))
                        .collect(),
                ),
            }),
            None => Ok(Self {
                def: &custom.def,
                rows: Rows::Fixed(&custom.rows),
                renames: None,
            }),
        }
    }

    /// The field as stored in the rows.
    fn stored_field<'f>(&self, field: &'f str) -> &'f str
    where
        'a: 'f,
    {
        match &self.renames {
            Some(renames) => renames
                .iter()
                .find(|(id, _)| *id == field)
                .map_or(field, |(_, source)| source),
            None => field,
        }
    }

    /// Whether a row passes every condition of an AND group.
    fn passes(&self, row: &Row, group: &[Condition]) -> bool {
        group
            .iter()
            .all(|condition| condition.matches(row.get(self.stored_field(&condition.field))))
    }
}

fn not_supported() -> AfasError {
    AfasError::query("GetConnector not supported for this app or the user is not authorized")
}

pub fn definition<'s>(store: &'s Store, name: &str) -> Option<&'s ConnectorDef> {
    Target::resolve(store, name).ok().map(|target| target.def)
}

/// Runs a GetConnector request; `params` are the query parameters (names are matched case-insensitively).
/// With `shuffle_unsorted`, a request without `orderbyfieldids` gets its rows in a random order.
pub fn run(store: &Store, name: &str, params: &[(String, String)], shuffle_unsorted: bool) -> Result<Value, AfasError> {
    let target = Target::resolve(store, name)?;
    let param = |key: &str| {
        params
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value.as_str())
    };
    let (skip, take) = paging(param("skip"), param("take"))?;
    let filter = match (param("filterjson"), param("filterfieldids")) {
        (Some(json), _) => filters::parse_json(target.def, json)?,
        (None, Some(fields)) => filters::parse_lists(
            target.def,
            fields,
            param("filtervalues").unwrap_or_default(),
            param("operatortypes").unwrap_or_default(),
        )?,
        (None, None) => Vec::new(),
    };
    let order = sort_order(target.def, param("orderbyfieldids").unwrap_or_default())?;

    let mut rows = sorted(&target, &order, matching_rows(&target, &filter));
    if order.is_empty() && shuffle_unsorted {
        rows.shuffle(&mut rand::rng());
    }
    let page: Vec<Value> = if skip < 0 {
        rows.iter().map(|row| Value::Object(project(&target, row))).collect()
    } else {
        rows.iter()
            .skip(skip as usize)
            .take(take as usize)
            .map(|row| Value::Object(project(&target, row)))
            .collect()
    };
    Ok(json!({ "skip": skip, "take": take, "rows": page }))
}

/// `skip`/`take`: defaults 0/100, `-1/-1` is everything, any other negative or non-number is a 500.
fn paging(skip: Option<&str>, take: Option<&str>) -> Result<(i64, i64), AfasError> {
    let parse = |value: Option<&str>, default: i64| match value {
        None => Ok(default),
        Some(text) => text.trim().parse::<i64>().map_err(|_| AfasError::unexpected()),
    };
    let (skip, take) = (parse(skip, 0)?, parse(take, DEFAULT_TAKE)?);
    match (skip, take) {
        (-1, -1) => Ok((-1, -1)),
        (skip, take) if skip >= 0 && take >= 0 => Ok((skip, take)),
        _ => Err(AfasError::unexpected()),
    }
}

fn sort_order<'d>(def: &'d ConnectorDef, list: &str) -> Result<Vec<(&'d str, bool)>, AfasError> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (field, descending) = match entry.strip_prefix('-') {
                Some(field) => (field, true),
                None => (entry, false),
            };
            let field = def.field(field).ok_or_else(|| AfasError::field_not_found(field))?;
            Ok((field.id.as_str(), descending))
        })
        .collect()
}

/// Sorts by the typed sort keys, computed once per row (text keys are lower-cased copies).
fn sorted<R: Deref<Target = Row>>(target: &Target, order: &[(&str, bool)], rows: Vec<R>) -> Vec<R> {
    if order.is_empty() {
        return rows;
    }
    let mut keyed: Vec<(Vec<Typed>, R)> = rows
        .into_iter()
        .map(|row| {
            let keys = order
                .iter()
                .map(|(field, _)| {
                    let data_type = target
                        .def
                        .field(field)
                        .map(|f| f.data_type)
                        .expect("sort fields are validated");
                    Typed::of(data_type, row.get(target.stored_field(field)).unwrap_or(&Value::Null))
                })
                .collect();
            (keys, row)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        a.iter()
            .zip(b)
            .zip(order)
            .map(|((left, right), (_, descending))| {
                let ordering = left.compare(right).unwrap_or(Ordering::Equal);
                if *descending { ordering.reverse() } else { ordering }
            })
            .find(|ordering| *ordering != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    });
    keyed.into_iter().map(|(_, row)| row).collect()
}

/// The rows passing the filter, in the connector's natural order. A group with an equality condition on an
/// indexed field reads only that index's rows.
fn matching_rows<'a>(target: &Target<'a>, filter: &Filter) -> Vec<Cow<'a, Row>> {
    let passes_any = |row: &Row| filter.is_empty() || filter.iter().any(|group| target.passes(row, group));
    let table = match target.rows {
        Rows::Fixed(rows) => {
            return rows.iter().filter(|row| passes_any(row)).map(Cow::Borrowed).collect();
        }
        Rows::SalesPrices(store) => {
            return sales_prices::matching(target, store, filter)
                .into_iter()
                .map(Cow::Owned)
                .collect();
        }
        Rows::Table(table) => table,
    };
    let indexed: Option<Vec<Vec<&String>>> = filter
        .iter()
        .map(|group| index_candidates(target, table, group))
        .collect();
    match indexed {
        Some(candidates) if !filter.is_empty() => {
            let keys: BTreeSet<&String> = filter
                .iter()
                .zip(candidates)
                .flat_map(|(group, keys)| {
                    keys.into_iter()
                        .filter(move |key| target.passes(table_row(table, key), group))
                })
                .collect();
            keys.into_iter()
                .map(|key| Cow::Borrowed(table_row(table, key)))
                .collect()
        }
        _ => table
            .rows()
            .map(|(_, row)| row)
            .filter(|row| passes_any(row))
            .map(Cow::Borrowed)
            .collect(),
    }
}

fn table_row<'a>(table: &'a Table, key: &str) -> &'a Row {
    table.get(key).expect("index keys point at rows")
}

fn index_candidates<'a>(target: &Target, table: &'a Table, group: &[Condition]) -> Option<Vec<&'a String>> {
    group.iter().find_map(|condition| {
        let value = match (&condition.operator, &condition.typed) {
            (Operator::Equal, Typed::Text(_)) => Value::String(condition.text.clone()),
            (Operator::Equal, Typed::Number(number)) => json!(number),
            (Operator::Equal, Typed::Bool(flag)) => json!(flag),
            _ => return None,
        };
        table.lookup(target.stored_field(&condition.field), &value)
    })
}

/// The row as the connector shows it: its fields in definition order.
fn project(target: &Target, row: &Row) -> Row {
    match (&target.renames, &target.rows) {
        (None, Rows::Table(_)) => row.clone(),
        _ => target
            .def
            .fields
            .iter()
            .map(|field| {
                let value = row.get(target.stored_field(&field.id)).cloned().unwrap_or(Value::Null);
                (field.id.clone(), value)
            })
            .collect(),
    }
}

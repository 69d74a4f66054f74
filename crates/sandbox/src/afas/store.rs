//! The simulated Profit administration: reference data, the records the UpdateConnectors write (kept as the
//! Profit field codes they arrived with, so a PUT can update any field and `""` can clear one), and the
//! GetConnector tables derived from them.
//!
//! Every write runs in a [`Transaction`] that records how to undo each change: a body that fails half-way is
//! rolled back entirely, and only a committed transaction refreshes the GetConnector rows it touched.

use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

use super::catalog::CustomConnector;
use super::table::Table;
use super::views::{self, View};

/// Profit field code → value, as in an UpdateConnector's `Fields`.
pub type Fields = serde_json::Map<String, Value>;

#[derive(Debug, Clone)]
pub struct Administration {
    pub id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Warehouse {
    pub code: String,
    pub description: String,
    pub blocked: bool,
}

#[derive(Debug, Clone)]
pub struct VatCode {
    pub code: String,
    pub description: String,
    pub percentage: Decimal,
    pub account: String,
    /// `"NL"`, `"EU"` or `"Non-EU"`: which sales the code is meant for.
    pub vat_type: String,
}

/// A payment condition (`PaCd`) or payment method (`PaTp`).
#[derive(Debug, Clone)]
pub struct PaymentTerm {
    pub code: String,
    pub description: String,
    /// Days until due (payment conditions only).
    pub days: i64,
}

/// A journal (dagboek, `JoCo`).
#[derive(Debug, Clone)]
pub struct Journal {
    pub code: String,
    pub description: String,
    /// Profit's journal kind (`Kas`, `Bank`, `Verkoop`, `Memoriaal`).
    pub kind: String,
    pub blocked: bool,
}

/// A general ledger account (grootboekrekening, `AcNr` with `VaAs` 1).
#[derive(Debug, Clone)]
pub struct LedgerAccount {
    pub number: String,
    pub description: String,
    /// `Balans` or `Winst & verlies`.
    pub kind: String,
    pub blocked: bool,
    /// The preferred VAT code (revenue accounts).
    pub vat_code: Option<String>,
}

/// The lookup lists a body's codes are checked against.
#[derive(Debug, Clone, Default)]
pub struct ReferenceData {
    pub administrations: Vec<Administration>,
    pub warehouses: BTreeMap<String, Warehouse>,
    pub vat_codes: BTreeMap<String, VatCode>,
    pub payment_conditions: BTreeMap<String, PaymentTerm>,
    pub payment_methods: BTreeMap<String, PaymentTerm>,
    /// Article group code → description.
    pub article_groups: BTreeMap<String, String>,
    pub currencies: BTreeSet<String>,
    /// ISO country code → name.
    pub countries: BTreeMap<String, String>,
    /// Stock mutation reasons (`ReId`).
    pub stock_reasons: BTreeSet<String>,
    pub units: BTreeSet<String>,
    pub journals: BTreeMap<String, Journal>,
    /// The chart of accounts, by account number.
    pub ledger: BTreeMap<String, LedgerAccount>,
    /// Price lists (a sales price's `PrLi`, a debtor's preferred `PrLs`): code → description.
    pub price_lists: BTreeMap<String, String>,
    /// Sales discount groups (a debtor's `DsGr`), by code.
    pub discount_groups: BTreeMap<String, DiscountGroup>,
}

impl ReferenceData {
    /// The price list as registered, found regardless of case (Profit's database collation ignores it).
    pub fn price_list(&self, code: &str) -> Option<&str> {
        self.price_lists
            .keys()
            .find(|known| known.eq_ignore_ascii_case(code))
            .map(String::as_str)
    }

    /// The discount group as registered, found regardless of case (as [`Self::price_list`]).
    pub fn discount_group(&self, code: &str) -> Option<&str> {
        self.discount_groups
            .keys()
            .find(|known| known.eq_ignore_ascii_case(code))
            .map(String::as_str)
    }
}

/// A sales discount group (kortingsgroep verkoop): a percentage per article group for the debtors linked to it
/// through their `DsGr`. Profit has no standard GetConnector for its lines; Koppel documents one
/// (`Koppel_DiscountGroups`) for the customer to import.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscountGroup {
    pub description: String,
    pub start_date: NaiveDate,
    /// `None`: open-ended.
    pub end_date: Option<NaiveDate>,
    pub currency: String,
    /// Article group (`Grp`) → discount percentage.
    pub lines: BTreeMap<String, Decimal>,
}

/// A discount group code's maximum length: a debtor's `DsGr` holds 5 characters (KnSalesRelationOrg/Per schema).
pub const DISCOUNT_GROUP_CODE_LENGTH: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyKind {
    Organisation,
    Person,
}

/// An organisation (`KnOrganisation`) or person (`KnPerson`), keyed by its number `BcCo`.
#[derive(Debug, Clone)]
pub struct Party {
    pub kind: PartyKind,
    pub fields: Fields,
    /// Visit address (`KnBasicAddressAdr`).
    pub address: Option<Fields>,
    /// Postal address (`KnBasicAddressPad`).
    pub postal_address: Option<Fields>,
    pub bank_account: Option<Fields>,
    pub contacts: Vec<Contact>,
}

/// A contact (`KnContact`) of an organisation or person: someone there (a person, by `BcCo`), a department, or
/// a delivery address (`ViKc` `AFL`, with its own address). Profit numbers every contact; a sales document names
/// a delivery address by that number (`DlAd`).
#[derive(Debug, Clone)]
pub struct Contact {
    pub number: String,
    pub fields: Fields,
    pub person: Option<String>,
    /// The contact's own address (`KnBasicAddressAdr`), which a delivery address must have.
    pub address: Option<Fields>,
}

impl Contact {
    pub fn is_delivery_address(&self) -> bool {
        self.fields.get("ViKc").and_then(Value::as_str) == Some("AFL")
    }
}

/// A sales relation (debtor), keyed by `DbId`.
#[derive(Debug, Clone)]
pub struct Debtor {
    /// The `BcCo` of its organisation or person.
    pub party: String,
    pub fields: Fields,
    pub created: NaiveDateTime,
    pub modified: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct Article {
    pub fields: Fields,
    pub created: NaiveDateTime,
    pub modified: NaiveDateTime,
}

/// One variant of a dimension article (an article with dimension kinds `StD1`, and maybe `StD2`, such as colour
/// × size): its dimension codes (what a sales line names as `StL1`/`StL2`) and its own barcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionCombination {
    pub dimension1: String,
    /// Set exactly when the article has a second dimension kind (`StD2`).
    pub dimension2: Option<String>,
    pub barcode: String,
}

impl DimensionCombination {
    /// Whether this is the combination a line's `StL1`/`StL2` name (codes compare as Profit's collation does,
    /// ignoring case).
    pub fn is(&self, dimension1: &str, dimension2: Option<&str>) -> bool {
        self.dimension1.eq_ignore_ascii_case(dimension1)
            && match (&self.dimension2, dimension2) {
                (Some(own), Some(other)) => own.eq_ignore_ascii_case(other),
                (None, None) => true,
                _ => false,
            }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DocumentKind {
    /// `FbSales`
    Order,
    /// `FbDirectInvoice`
    DirectInvoice,
    /// `FbSalesQuotation`
    Quotation,
}

/// An order, direct invoice or quotation, keyed by its `OrNu`.
#[derive(Debug, Clone)]
pub struct SalesDocument {
    pub kind: DocumentKind,
    pub fields: Fields,
    /// Lines as sent, each with a `GuLi` (assigned when the body had none).
    pub lines: Vec<Fields>,
    /// The invoice number of a direct invoice (`SinOrNu`).
    pub invoice_number: Option<String>,
    /// The order's state as `Profit_Salesorders` reports it ("Open", "Geleverd", "Gefactureerd"); `None`:
    /// what a new document of its kind is.
    pub status: Option<String>,
    pub created: NaiveDateTime,
    pub modified: NaiveDateTime,
}

/// A sales price (`FbSalesPrice`) as posted, keyed by its sequence number (the order prices were written in).
#[derive(Debug, Clone)]
pub struct SalesPrice {
    pub fields: Fields,
}

/// A journal entry (`FiEntries`), keyed by its entry number `EnNo`: the `FiEntryPar` fields and the lines.
#[derive(Debug, Clone)]
pub struct FinancialEntry {
    /// The administration it was booked in (`UnId`).
    pub administration: i64,
    pub fields: Fields,
    pub lines: Vec<Fields>,
    pub created: NaiveDateTime,
}

/// The number series Profit assigns from; each holds the next number to hand out.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    pub order: u64,
    pub quotation: u64,
    pub invoice: u64,
    pub debtor: u64,
    pub party: u64,
    pub article: u64,
    pub price: u64,
    pub contact: u64,
    /// Journal entry numbers (`EnNo`).
    pub entry: u64,
}

/// Hands out the next number of a series.
pub fn next_number(series: &mut u64) -> String {
    *series += 1;
    (*series - 1).to_string()
}

#[derive(Debug, Clone, Default)]
pub struct Store {
    pub reference: ReferenceData,
    pub parties: BTreeMap<String, Party>,
    pub debtors: BTreeMap<String, Debtor>,
    pub articles: BTreeMap<String, Article>,
    /// The dimension combinations of dimension articles, by item code (`Profit_Barcode_per_Item` lists their
    /// barcodes; sales lines of such an article name one by `StL1`/`StL2`).
    pub dimensions: BTreeMap<String, Vec<DimensionCombination>>,
    /// (item code, warehouse) → quantity in stock.
    pub stock: BTreeMap<(String, String), Decimal>,
    pub documents: BTreeMap<String, SalesDocument>,
    pub prices: BTreeMap<String, SalesPrice>,
    pub financial_entries: BTreeMap<String, FinancialEntry>,
    pub counters: Counters,
    /// The GetConnector tables, by connector id.
    pub tables: BTreeMap<String, Table>,
    pub custom_connectors: BTreeMap<String, CustomConnector>,
}

impl Store {
    /// Builds every GetConnector table from the records (after seeding).
    pub fn rebuild_tables(&mut self) {
        self.tables = views::empty_tables();
        let mut touched = BTreeSet::new();
        touched.insert(View::Reference);
        touched.extend(self.debtors.keys().cloned().map(View::Debtor));
        touched.extend(self.parties.keys().cloned().map(View::Party));
        touched.extend(self.articles.keys().cloned().map(View::Article));
        touched.extend(
            self.stock
                .keys()
                .cloned()
                .map(|(item, warehouse)| View::Stock(item, warehouse)),
        );
        touched.extend(self.documents.keys().cloned().map(View::Document));
        touched.extend(self.financial_entries.keys().cloned().map(View::FinancialEntry));
        touched.extend(self.reference.discount_groups.keys().cloned().map(View::DiscountGroup));
        views::refresh(self, &touched);
    }

    /// The dimension combinations of an article (none for a plain article).
    pub fn dimensions_of(&self, item: &str) -> &[DimensionCombination] {
        self.dimensions.get(item).map_or(&[], Vec::as_slice)
    }

    pub fn stock_total(&self, item: &str) -> Decimal {
        self.stock
            .range((item.to_owned(), String::new())..)
            .take_while(|((code, _), _)| code == item)
            .map(|(_, quantity)| quantity)
            .sum()
    }

    /// The debtors whose organisation or person is `party`.
    pub fn debtors_of_party(&self, party: &str) -> Vec<String> {
        self.debtors
            .iter()
            .filter(|(_, debtor)| debtor.party == party)
            .map(|(id, _)| id.clone())
            .collect()
    }
}

type Undo = Box<dyn FnOnce(&mut Store) + Send>;

/// A set of changes that is either committed whole or rolled back.
pub struct Transaction<'a> {
    store: &'a mut Store,
    undo: Vec<Undo>,
    counters_before: Counters,
    touched: BTreeSet<View>,
    pub now: NaiveDateTime,
}

impl<'a> Transaction<'a> {
    pub fn begin(store: &'a mut Store) -> Self {
        let counters_before = store.counters.clone();
        Self {
            store,
            undo: Vec::new(),
            counters_before,
            touched: BTreeSet::new(),
            now: amsterdam_now(),
        }
    }

    pub fn store(&self) -> &Store {
        self.store
    }

    pub fn counters(&mut self) -> &mut Counters {
        &mut self.store.counters
    }

    /// Marks a GetConnector row to be rebuilt on commit.
    pub fn touch(&mut self, view: View) {
        self.touched.insert(view);
    }

    pub fn put_party(&mut self, code: String, party: Option<Party>) {
        for debtor in self.store.debtors_of_party(&code) {
            self.touch(View::Debtor(debtor));
        }
        self.touch(View::Party(code.clone()));
        self.replace(|store| &mut store.parties, code, party);
    }

    pub fn put_debtor(&mut self, id: String, debtor: Option<Debtor>) {
        self.touch(View::Debtor(id.clone()));
        // The party's delivery addresses name their debtor.
        let parties = [
            self.store.debtors.get(&id).map(|d| d.party.clone()),
            debtor.as_ref().map(|d| d.party.clone()),
        ];
        for party in parties.into_iter().flatten() {
            self.touch(View::Party(party));
        }
        self.replace(|store| &mut store.debtors, id, debtor);
    }

    pub fn put_article(&mut self, code: String, article: Option<Article>) {
        self.touch(View::Article(code.clone()));
        let stocked: Vec<_> = self
            .store
            .stock
            .keys()
            .filter(|(item, _)| *item == code)
            .cloned()
            .collect();
        for key in stocked {
            self.touch(View::Stock(key.0.clone(), key.1.clone()));
            if article.is_none() {
                self.replace(|store| &mut store.stock, key, None);
            }
        }
        if article.is_none() && self.store.dimensions.contains_key(&code) {
            self.replace(|store| &mut store.dimensions, code.clone(), None);
        }
        self.replace(|store| &mut store.articles, code, article);
    }

    /// Replaces the dimension combinations of an article (`None` or an empty list: it has none).
    pub fn put_dimensions(&mut self, code: String, combinations: Option<Vec<DimensionCombination>>) {
        self.touch(View::Article(code.clone()));
        let combinations = combinations.filter(|list| !list.is_empty());
        self.replace(|store| &mut store.dimensions, code, combinations);
    }

    pub fn put_stock(&mut self, item: String, warehouse: String, quantity: Decimal) {
        self.touch(View::Stock(item.clone(), warehouse.clone()));
        self.touch(View::Article(item.clone()));
        self.replace(|store| &mut store.stock, (item, warehouse), Some(quantity));
    }

    pub fn put_document(&mut self, number: String, document: Option<SalesDocument>) {
        self.touch(View::Document(number.clone()));
        self.replace(|store| &mut store.documents, number, document);
    }

    /// Stores a sales price (`Profit_SalesPrice` computes its rows from these at each request).
    pub fn put_price(&mut self, key: String, price: SalesPrice) {
        self.replace(|store| &mut store.prices, key, Some(price));
    }

    pub fn put_financial_entry(&mut self, number: String, entry: FinancialEntry) {
        self.touch(View::FinancialEntry(number.clone()));
        self.replace(|store| &mut store.financial_entries, number, Some(entry));
    }

    /// Creates or replaces a sales discount group (its lines included).
    pub fn put_discount_group(&mut self, code: String, group: DiscountGroup) {
        self.touch(View::DiscountGroup(code.clone()));
        self.replace(|store| &mut store.reference.discount_groups, code, Some(group));
    }

    /// Inserts or removes one record, remembering the previous value.
    fn replace<K, T>(&mut self, collection: fn(&mut Store) -> &mut BTreeMap<K, T>, key: K, value: Option<T>)
    where
        K: Ord + Clone + Send + 'static,
        T: Send + 'static,
    {
        let previous = match value {
            Some(value) => collection(self.store).insert(key.clone(), value),
            None => collection(self.store).remove(&key),
        };
        self.undo.push(Box::new(move |store| {
            match previous {
                Some(previous) => collection(store).insert(key, previous),
                None => collection(store).remove(&key),
            };
        }));
    }

    pub fn commit(self) {
        views::refresh(self.store, &self.touched);
    }

    pub fn rollback(self) {
        for undo in self.undo.into_iter().rev() {
            undo(self.store);
        }
        self.store.counters = self.counters_before;
    }
}

/// Profit reports local Amsterdam time (with a `Z` that clients must ignore).
pub fn amsterdam_now() -> NaiveDateTime {
    let utc = Utc::now().naive_utc();
    let year = utc.year();
    let summer_starts = last_sunday_one_am(year, 3);
    let summer_ends = last_sunday_one_am(year, 10);
    let offset_hours = if utc >= summer_starts && utc < summer_ends {
        2
    } else {
        1
    };
    utc + chrono::Duration::hours(offset_hours)
}

fn last_sunday_one_am(year: i32, month: u32) -> NaiveDateTime {
    let last_day = chrono::NaiveDate::from_ymd_opt(year, month, 31).expect("March and October have 31 days");
    let back = last_day.weekday().num_days_from_sunday();
    let sunday = last_day - chrono::Duration::days(i64::from(back));
    Utc.from_utc_datetime(&sunday.and_hms_opt(1, 0, 0).expect("valid time"))
        .naive_utc()
}

/// Profit's date-time format on the wire.
pub fn format_datetime(moment: &NaiveDateTime) -> String {
    moment.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

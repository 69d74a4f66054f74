//! Stock per branch and article: `getStock`, `getStockHistory`, `updateStock` (relative), `setStock`
//! (absolute). Every change takes the next `stockId`, a counter separate from the sync markers, and is kept in
//! the history. `amountFree` is on hand minus what open orders reserve.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;

use super::model::{Article, StockHistoryType, datetime_xml};
use super::seed::{Shop, StockLevel, seed_horizon};
use super::soap::SoapFault;
use super::state::{Store, now};
use super::sync::{Page, next};
use super::xml::Element;

/// One entry of the stock history.
#[derive(Debug, Clone, PartialEq)]
pub struct StockChange {
    pub stock_id: i64,
    pub at: NaiveDateTime,
    pub branch_number: i32,
    pub article_number: i64,
    pub amount_changed: i64,
    pub kind: StockHistoryType,
    pub order_id: Option<String>,
}

impl StockChange {
    fn to_xml(&self) -> Element {
        Element::new("articleStockHistory")
            .with_leaf("stockId", self.stock_id)
            .with(datetime_xml("timestamp", self.at))
            .with_leaf("branchNumber", self.branch_number)
            .with_leaf("articleNumber", self.article_number)
            .with_leaf("amountChanged", self.amount_changed)
            .with_leaf("decimalPlaces", 0)
            .with_leaf("type", self.kind.wire())
            .with_opt("orderId", self.order_id.as_ref())
    }
}

/// A stock level with the `stockId` of its last change.
#[derive(Debug, Clone, PartialEq)]
struct StockEntry {
    level: StockLevel,
    stock_id: i64,
    changed_at: NaiveDateTime,
}

impl StockEntry {
    fn to_xml(&self) -> Element {
        Element::new("articleStocks")
            .with_leaf("branchNumber", self.level.branch_number)
            .with_leaf("articleNumber", self.level.article_number)
            .with(datetime_xml("changeTimestamp", self.changed_at))
            .with_leaf("stockId", self.stock_id)
            .with_leaf("amountFree", self.level.free())
            .with_leaf("decimalPlacesFree", 0)
            .with_leaf("amountReserved", self.level.reserved)
            .with_leaf("decimalPlacesReserved", 0)
            .with_leaf("amountIncoming", self.level.incoming)
            .with_leaf("decimalPlacesIncoming", 0)
            .with_leaf("isDayStockArticle", false)
    }
}

#[derive(Debug)]
pub struct StockBook {
    levels: HashMap<(i32, i64), StockEntry>,
    history: BTreeMap<i64, StockChange>,
}

/// Why a stock change was refused (the suffix of the `*-RESULT-*` value).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StockRefusal {
    BranchNotFound,
    ArticleNotFound,
    NoStockArticle,
}

impl StockRefusal {
    fn suffix(self) -> &'static str {
        match self {
            StockRefusal::BranchNotFound => "BRANCH-NOT-FOUND",
            StockRefusal::ArticleNotFound => "ARTICLE-NOT-FOUND",
            StockRefusal::NoStockArticle => "NO-STOCK-ARTICLE",
        }
    }
}

/// One requested change of one article's stock in one branch.
#[derive(Debug, Clone, PartialEq)]
pub struct StockMutation {
    pub branch_number: i32,
    pub article_number: i64,
    pub change: StockChangeKind,
    pub kind: StockHistoryType,
    /// The order that caused it (reservations and shipments).
    pub order_id: Option<String>,
}

/// How a change applies to the amount on hand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StockChangeKind {
    /// Add this many (negative to subtract).
    Relative(i64),
    /// Set the amount on hand to this.
    Absolute(i64),
    /// Reserve this many more for an open order (negative to release); on hand unchanged, no history entry.
    Reserve(i64),
    /// An order's reserved goods leave the shop: on hand and reserved both go down.
    Ship(i64),
}

impl StockBook {
    /// The seeded levels, each recorded as an initial delivery in the history (stockIds 1..).
    pub fn new(shop: &Shop) -> Self {
        let at = seed_horizon() - chrono::Duration::days(30);
        let mut book = Self {
            levels: HashMap::new(),
            history: BTreeMap::new(),
        };
        for (index, level) in shop.stock.iter().enumerate() {
            let stock_id = index as i64 + 1;
            book.levels.insert(
                (level.branch_number, level.article_number),
                StockEntry {
                    level: *level,
                    stock_id,
                    changed_at: at,
                },
            );
            book.history.insert(
                stock_id,
                StockChange {
                    stock_id,
                    at,
                    branch_number: level.branch_number,
                    article_number: level.article_number,
                    amount_changed: level.on_hand,
                    kind: StockHistoryType::Delivery,
                    order_id: None,
                },
            );
        }
        book
    }

    pub fn high_stock_id(&self) -> i64 {
        self.history.keys().next_back().copied().unwrap_or(0)
    }

    pub fn level(&self, branch_number: i32, article_number: i64) -> Option<StockLevel> {
        self.levels.get(&(branch_number, article_number)).map(|e| e.level)
    }

    /// Applies one change, giving it the next stockId; checks the branch and article like the real service.
    pub fn change(
        &mut self,
        shop: &Shop,
        article: Option<&Article>,
        mutation: StockMutation,
        stock_counter: &mut i64,
    ) -> Result<i64, StockRefusal> {
        let StockMutation {
            branch_number,
            article_number,
            change,
            kind,
            order_id,
        } = mutation;
        if !shop.branches.iter().any(|b| b.number == branch_number) {
            return Err(StockRefusal::BranchNotFound);
        }
        let article = article.ok_or(StockRefusal::ArticleNotFound)?;
        if !article.stock_article {
            return Err(StockRefusal::NoStockArticle);
        }
        let at = now();
        let entry = self
            .levels
            .entry((branch_number, article_number))
            .or_insert_with(|| StockEntry {
                level: StockLevel {
                    branch_number,
                    article_number,
                    on_hand: 0,
                    reserved: 0,
                    incoming: 0,
                },
                stock_id: 0,
                changed_at: at,
            });
        let amount_changed = match change {
            StockChangeKind::Relative(amount) => amount,
            StockChangeKind::Absolute(amount) => amount - entry.level.on_hand,
            StockChangeKind::Reserve(amount) => {
                entry.level.reserved += amount;
                0
            }
            StockChangeKind::Ship(amount) => {
                entry.level.reserved -= amount;
                -amount
            }
        };
        entry.level.on_hand += amount_changed;
        entry.stock_id = next(stock_counter);
        entry.changed_at = at;
        let stock_id = entry.stock_id;
        if !matches!(change, StockChangeKind::Reserve(_)) {
            self.history.insert(
                stock_id,
                StockChange {
                    stock_id,
                    at,
                    branch_number,
                    article_number,
                    amount_changed,
                    kind,
                    order_id,
                },
            );
        }
        Ok(stock_id)
    }
}

/// Whole items from an amount with `decimalPlaces`; stock in this shop is counted in pieces.
fn whole_items(amount: i64, decimal_places: Option<i64>) -> Result<i64, String> {
    let scale = 10_i64.pow(decimal_places.unwrap_or(0).clamp(0, 9) as u32);
    if amount % scale != 0 {
        return Err(format!(
            "Stock is kept in whole pieces; {amount} with {scale} as scale is not whole"
        ));
    }
    Ok(amount / scale)
}

pub fn get_stock(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let branch = request
        .number_of("branchNumber")
        .ok_or_else(|| SoapFault::missing("branchNumber"))?;
    let mut branches = vec![branch];
    if let Some(list) = request.child("branchNumbers") {
        branches.extend(list.numbers_of("branchNumber"));
    }
    let articles = request
        .child("articleNumbers")
        .map(|l| l.numbers_of("articleNumbers"))
        .unwrap_or_default();
    let since = request.number_of("stockId").unwrap_or(0);
    let mut entries: Vec<&StockEntry> = store
        .stock
        .levels
        .values()
        .filter(|e| branches.contains(&i64::from(e.level.branch_number)))
        .filter(|e| articles.is_empty() || articles.contains(&e.level.article_number))
        .filter(|e| e.stock_id >= since)
        .collect();
    entries.sort_by_key(|e| (e.level.branch_number, e.level.article_number));
    Ok(Element::new("GetStockResponse").with_all(entries.iter().map(|e| e.to_xml())))
}

pub fn get_stock_history(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let branch = request
        .number_of("branchNumber")
        .ok_or_else(|| SoapFault::missing("branchNumber"))?;
    let articles = request
        .child("articleNumbers")
        .map(|l| l.numbers_of("articleNumbers"))
        .unwrap_or_default();
    let page = Page::read(Some(request), "sinceStockId", "sinceStockIdLimit");
    let changes = page.select(&store.stock.history, |c| {
        i64::from(c.branch_number) == branch && (articles.is_empty() || articles.contains(&c.article_number))
    });
    Ok(Element::new("GetStockHistoryResponse").with_all(changes.iter().map(|c| c.to_xml())))
}

/// `updateStock` and `setStock` differ only in how the amount applies and in their names.
fn write_stock(store: &mut Store, operation: &Element, absolute: bool) -> Result<Element, SoapFault> {
    let (response, prefix, amount_name) = if absolute {
        ("SetStockResponse", "SET-STOCK-RESULT", "amount")
    } else {
        ("UpdateStockResponse", "UPDATE-STOCK-RESULT", "amountChanged")
    };
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let branch = request
        .number_of("branchNumber")
        .ok_or_else(|| SoapFault::missing("branchNumber"))?;
    let article_number = request
        .number_of("articleNumber")
        .ok_or_else(|| SoapFault::missing("articleNumber"))?;
    let amount = request
        .number_of(amount_name)
        .ok_or_else(|| SoapFault::missing(amount_name))?;
    let Ok(amount) = whole_items(amount, request.number_of("decimalPlaces")) else {
        return Ok(Element::new(response).with_leaf("result", format!("{prefix}-FAILED")));
    };
    let change = if absolute {
        StockChangeKind::Absolute(amount)
    } else {
        StockChangeKind::Relative(amount)
    };
    let Store {
        shop,
        markers,
        catalogue,
        stock,
        ..
    } = store;
    let mutation = StockMutation {
        branch_number: branch as i32,
        article_number,
        change,
        kind: StockHistoryType::Api,
        order_id: None,
    };
    let outcome = stock.change(shop, catalogue.article(article_number), mutation, &mut markers.stock_id);
    Ok(match outcome {
        Ok(stock_id) => Element::new(response)
            .with_leaf("result", format!("{prefix}-OK"))
            .with_leaf("stockId", stock_id),
        Err(refusal) => Element::new(response).with_leaf("result", format!("{prefix}-{}", refusal.suffix())),
    })
}

pub fn update_stock(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    write_stock(store, operation, false)
}

pub fn set_stock(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    write_stock(store, operation, true)
}

//! An AFAS in memory that keeps what it received. Like AFAS it accepts a second order with the same reference
//! (AFAS does not enforce `RfCs` uniqueness, so duplicates stay visible to tests) and refuses an order whose
//! debtor or article does not exist.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use koppel_sync::ledger::FinancialEntryDraft;
use koppel_sync::model::{
    ArticleDraft, ArticleRecord, DebtorDraft, DebtorRecord, OrderTarget, SalesLineDraft, SalesLineKind,
    SalesOrderDraft, StockMutationDraft,
};
use koppel_sync::money::{RatedLine, afas_order_amount, afas_vat_per_code};
use koppel_sync::ports::{ConnectorError, ConnectorResult, Creation, ErpTarget, Exchange, JsonText, Written};
use koppel_sync::sales::BookedTotals;
use rust_decimal::Decimal;

use crate::*;

/// What the fake AFAS holds.
#[derive(Debug, Default, Clone)]
pub struct ErpState {
    /// Every order booked, in order, duplicates included: `(number, draft)`.
    pub orders: Vec<(String, SalesOrderDraft)>,
    /// Debtors by id.
    pub debtors: BTreeMap<String, DebtorDraft>,
    pub articles: BTreeMap<String, ArticleDraft>,
    /// `(warehouse, item code)` → quantity.
    pub stock: BTreeMap<(String, String), Decimal>,
    /// Every stock mutation received.
    pub mutations: Vec<StockMutationDraft>,
    /// Every financial entry booked, in order, duplicates included: `(entry number, draft)`.
    pub financial_entries: Vec<(String, FinancialEntryDraft)>,
    /// The percentage of each VAT code, for the totals a read-back sees (an order with a code not in it shows no
    /// VAT, and without prices incl. VAT no total either).
    pub vat_rates: BTreeMap<String, Decimal>,
    next_number: u64,
}

impl ErpState {
    /// A booked order's totals as AFAS computes them ([`afas_vat_per_code`]); without every line's VAT rate, the
    /// lines' sum and no VAT. `None` for amounts of a trillion or more: a tenant's field mapping may put any number
    /// in a line (the fuzz tests do), and AFAS would not book it.
    pub fn booked(&self, order: &SalesOrderDraft) -> Option<BookedTotals> {
        let limit = Decimal::from(1_000_000_000_000_i64);
        let sane = |amount: &Decimal| amount.abs() < limit;
        let amounts =
            |line: &SalesLineDraft| [line.quantity, line.unit_price, line.discount_amount.unwrap_or_default()];
        if !order.lines.iter().flat_map(amounts).all(|amount| sane(&amount)) {
            return None;
        }
        let rated: Option<Vec<RatedLine>> = order
            .lines
            .iter()
            .map(|line| Some((line, *self.vat_rates.get(line.vat_code.as_deref()?)?)))
            .collect();
        Some(match rated {
            Some(rated) => {
                let per_code = afas_vat_per_code(&rated, order.prices_include_vat);
                BookedTotals {
                    total_incl: per_code.values().map(|(incl, _)| *incl).sum(),
                    vat: Some(per_code.values().map(|(_, vat)| *vat).sum()),
                }
            }
            None => BookedTotals {
                total_incl: afas_order_amount(&order.lines),
                vat: None,
            },
        })
    }
}

/// An AFAS in memory.
#[derive(Debug, Default)]
pub struct FakeErp {
    pub state: Mutex<ErpState>,
    pub switchboard: Switchboard,
}

impl FakeErp {
    pub fn snapshot(&self) -> ErpState {
        self.state.lock().unwrap().clone()
    }

    /// A debtor that already exists (e.g. the default debtor, or a customer AFAS knows).
    pub fn add_debtor(&self, debtor_id: &str, draft: DebtorDraft) {
        self.state.lock().unwrap().debtors.insert(debtor_id.to_owned(), draft);
    }

    pub fn add_article(&self, item_code: &str, description: &str) {
        let draft = ArticleDraft {
            item_code: item_code.to_owned(),
            description: description.to_owned(),
            long_description: None,
            short_description: None,
            group: None,
            unit: None,
            price: Decimal::ZERO,
            price_includes_vat: true,
            ean: None,
            vat_group: None,
        };
        self.state.lock().unwrap().articles.insert(item_code.to_owned(), draft);
    }

    pub fn set_stock(&self, warehouse: &str, item_code: &str, quantity: Decimal) {
        self.state
            .lock()
            .unwrap()
            .stock
            .insert((warehouse.to_owned(), item_code.to_owned()), quantity);
    }

    /// Calls to every write operation together.
    pub fn write_calls(&self) -> usize {
        Op::WRITES.iter().map(|op| self.switchboard.calls(*op)).sum()
    }

    fn next_key(state: &mut ErpState, start: u64) -> String {
        state.next_number += 1;
        (start + state.next_number).to_string()
    }
}

fn exchange(operation: &str, request: &impl serde::Serialize, response: serde_json::Value) -> Exchange {
    Exchange {
        operation: operation.to_owned(),
        request: JsonText::of(request),
        status: Some(201),
        response: JsonText::of(&response),
    }
}

impl ErpTarget for FakeErp {
    async fn existing_orders(
        &self,
        _document: OrderTarget,
        references: &[String],
    ) -> ConnectorResult<HashMap<String, String>> {
        self.switchboard.enter(Op::ExistingOrders, "")?;
        let state = self.state.lock().unwrap();
        let found = state
            .orders
            .iter()
            .filter(|(_, order)| references.contains(&order.reference));
        Ok(found
            .map(|(number, order)| (order.reference.clone(), number.clone()))
            .collect())
    }

    async fn booked_totals(
        &self,
        _document: OrderTarget,
        numbers: &[String],
    ) -> ConnectorResult<HashMap<String, BookedTotals>> {
        self.switchboard.enter(Op::BookedTotals, "")?;
        let state = self.state.lock().unwrap();
        let booked = state.orders.iter().filter(|(number, _)| numbers.contains(number));
        Ok(booked
            .filter_map(|(number, order)| Some((number.clone(), state.booked(order)?)))
            .collect())
    }

    async fn debtors_by_key(&self, keys: &[String]) -> ConnectorResult<HashMap<String, DebtorRecord>> {
        self.switchboard.enter(Op::DebtorsByEmail, "")?;
        let state = self.state.lock().unwrap();
        Ok(state
            .debtors
            .iter()
            .filter_map(|(id, draft)| Some((draft.key()?, koppel_sync::flows::debtors::record_of(id, draft))))
            .filter(|(key, _)| keys.contains(key))
            .collect())
    }

    async fn articles_by_code(&self, item_codes: &[String]) -> ConnectorResult<HashMap<String, ArticleRecord>> {
        self.switchboard.enter(Op::ArticlesByCode, "")?;
        let state = self.state.lock().unwrap();
        let found = item_codes.iter().filter_map(|code| state.articles.get(code));
        Ok(found
            .map(|a| {
                (
                    a.item_code.clone(),
                    ArticleRecord {
                        item_code: a.item_code.clone(),
                        description: a.description.clone(),
                    },
                )
            })
            .collect())
    }

    async fn create_debtor(&self, debtor: &DebtorDraft) -> ConnectorResult<Written<Creation>> {
        let key = debtor.key().unwrap_or_default();
        self.switchboard.write_takes_a_moment(Op::CreateDebtor, &key).await;
        self.switchboard.enter(Op::CreateDebtor, &key)?;
        let mut state = self.state.lock().unwrap();
        let id = Self::next_key(&mut state, 10_000);
        state.debtors.insert(id.clone(), debtor.clone());
        Ok(Written {
            exchange: exchange("POST KnSalesRelation", debtor, serde_json::json!({ "DbId": id })),
            value: Creation::Created(id),
        })
    }

    async fn update_debtor(&self, debtor_id: &str, debtor: &DebtorDraft) -> ConnectorResult<Written<()>> {
        let key = debtor.key().unwrap_or_default();
        self.switchboard.write_takes_a_moment(Op::UpdateDebtor, &key).await;
        self.switchboard.enter(Op::UpdateDebtor, &key)?;
        let mut state = self.state.lock().unwrap();
        let Some(existing) = state.debtors.get_mut(debtor_id) else {
            return Err(ConnectorError::permanent(format!("debtor {debtor_id} does not exist")));
        };
        // As AFAS: a field the update leaves out keeps its value.
        let keep = |sent: &Option<String>, held: &Option<String>| sent.clone().or_else(|| held.clone());
        *existing = DebtorDraft {
            phone: keep(&debtor.phone, &existing.phone),
            address: debtor.address.clone().or_else(|| existing.address.clone()),
            ledger_account: keep(&debtor.ledger_account, &existing.ledger_account),
            payment_terms: keep(&debtor.payment_terms, &existing.payment_terms),
            currency: keep(&debtor.currency, &existing.currency),
            vat_duty: keep(&debtor.vat_duty, &existing.vat_duty),
            vat_code: keep(&debtor.vat_code, &existing.vat_code),
            revenue_account: keep(&debtor.revenue_account, &existing.revenue_account),
            vat_number: keep(&debtor.vat_number, &existing.vat_number),
            ..debtor.clone()
        };
        Ok(Written {
            value: (),
            exchange: exchange("PUT KnSalesRelation", debtor, serde_json::Value::Null),
        })
    }

    async fn create_order(&self, order: &SalesOrderDraft) -> ConnectorResult<Written<String>> {
        self.switchboard
            .write_takes_a_moment(Op::CreateOrder, &order.reference)
            .await;
        self.switchboard.enter(Op::CreateOrder, &order.reference)?;
        let mut state = self.state.lock().unwrap();
        if !state.debtors.contains_key(&order.debtor_id) {
            return Err(ConnectorError::permanent(format!(
                "The entered value for 'DbId' ({}) does not exist.",
                order.debtor_id
            )));
        }
        let unknown = order
            .lines
            .iter()
            .find(|l| l.kind == SalesLineKind::Article && !state.articles.contains_key(&l.item_code));
        if let Some(line) = unknown {
            return Err(ConnectorError::permanent(format!(
                "The entered value for 'ItCd' ({}) does not exist.",
                line.item_code
            )));
        }
        let number = Self::next_key(&mut state, 50_000);
        state.orders.push((number.clone(), order.clone()));
        Ok(Written {
            exchange: exchange("POST FbSales", order, serde_json::json!({ "OrNu": number })),
            value: number,
        })
    }

    async fn create_article(&self, article: &ArticleDraft) -> ConnectorResult<Written<Creation>> {
        self.switchboard
            .write_takes_a_moment(Op::CreateArticle, &article.item_code)
            .await;
        self.switchboard.enter(Op::CreateArticle, &article.item_code)?;
        let mut state = self.state.lock().unwrap();
        if state.articles.contains_key(&article.item_code) {
            return Err(ConnectorError::permanent(format!(
                "Item code {} already exists.",
                article.item_code
            )));
        }
        state.articles.insert(article.item_code.clone(), article.clone());
        let response = serde_json::json!({ "ItCd": article.item_code });
        Ok(Written {
            exchange: exchange("POST FbItemArticle", article, response),
            value: Creation::Created(article.item_code.clone()),
        })
    }

    async fn update_article(&self, article: &ArticleDraft) -> ConnectorResult<Written<()>> {
        self.switchboard
            .write_takes_a_moment(Op::UpdateArticle, &article.item_code)
            .await;
        self.switchboard.enter(Op::UpdateArticle, &article.item_code)?;
        let mut state = self.state.lock().unwrap();
        let Some(existing) = state.articles.get_mut(&article.item_code) else {
            return Err(ConnectorError::permanent(format!(
                "Item code {} does not exist.",
                article.item_code
            )));
        };
        *existing = article.clone();
        Ok(Written {
            value: (),
            exchange: exchange("PUT FbItemArticle", article, serde_json::Value::Null),
        })
    }

    async fn stock_levels(&self, warehouse: &str, item_codes: &[String]) -> ConnectorResult<HashMap<String, Decimal>> {
        self.switchboard.enter(Op::StockLevels, warehouse)?;
        let state = self.state.lock().unwrap();
        let found = item_codes.iter().filter_map(|code| {
            state
                .stock
                .get(&(warehouse.to_owned(), code.clone()))
                .map(|quantity| (code.clone(), *quantity))
        });
        Ok(found.collect())
    }

    async fn post_stock_mutation(&self, mutation: &StockMutationDraft) -> ConnectorResult<Written<()>> {
        self.switchboard
            .write_takes_a_moment(Op::PostStockMutation, &mutation.item_code)
            .await;
        self.switchboard.enter(Op::PostStockMutation, &mutation.item_code)?;
        let mut state = self.state.lock().unwrap();
        *state
            .stock
            .entry((mutation.warehouse.clone(), mutation.item_code.clone()))
            .or_default() += mutation.quantity;
        state.mutations.push(mutation.clone());
        Ok(Written {
            value: (),
            exchange: exchange("POST FbStockMutation", mutation, serde_json::Value::Null),
        })
    }

    async fn existing_financial_entries(&self, vouchers: &[String]) -> ConnectorResult<HashMap<String, String>> {
        self.switchboard.enter(Op::ExistingFinancialEntries, "")?;
        let state = self.state.lock().unwrap();
        Ok(state
            .financial_entries
            .iter()
            .filter(|(_, entry)| vouchers.contains(&entry.voucher))
            .map(|(number, entry)| (entry.voucher.clone(), number.clone()))
            .collect())
    }

    async fn post_financial_entry(&self, entry: &FinancialEntryDraft) -> ConnectorResult<Written<String>> {
        self.switchboard
            .write_takes_a_moment(Op::PostFinancialEntry, &entry.voucher)
            .await;
        self.switchboard.enter(Op::PostFinancialEntry, &entry.voucher)?;
        if entry.debit_total() != entry.credit_total() {
            return Err(ConnectorError::permanent("the entry is not in balance"));
        }
        let mut state = self.state.lock().unwrap();
        let number = Self::next_key(&mut state, 70_000);
        state.financial_entries.push((number.clone(), entry.clone()));
        Ok(Written {
            value: number.clone(),
            exchange: exchange("POST FiEntries", entry, serde_json::json!({ "EnNo": number })),
        })
    }
}

//! The debtor and article writes of a run's sales: started as each sale is prepared and awaited only by the
//! sales that need them, so a first sync creates its new customers as fast as AFAS's cap allows instead of
//! one at a time, and a sale whose debtor exists never waits for another's.
//!
//! Each key (a debtor's e-mail or VAT number, an article's code) is written once however many sales share it:
//! the later sales await the same write. A sale that changes a debtor being written (another address) chains
//! its update after that write, so AFAS ends with the last sale's data as before. Exactly-once across runs and
//! crashes is the target's part (the claims of `koppel_jobs::connect::claims`): a write started here is a
//! create or an update as the page's look-up decided, and a create a crashed run left behind is looked up again
//! before it is made.
//!
//! The page plans were looked up while earlier writes ran, so a write stays here, ahead of the plans, until
//! every later look-up began after it ended ([`Writes::settle`]); then the plans know it.

use std::collections::HashMap;

use futures::future::{BoxFuture, FutureExt, Shared};

use super::plan::OrderPlan;
use crate::flows::debtors::{differs, record_of, update_draft};
use crate::model::{ArticleDraft, ArticleRecord, DebtorDraft, DebtorRecord};
use crate::ports::{ConnectorError, ConnectorResult, ErpTarget, Written};
use crate::record::{Failure, Trail};
use crate::settings::FlowSettings;

/// A write's answer: the key of the record written, and the exchange that wrote it.
type Answer = ConnectorResult<Written<String>>;
type SharedWrite<'a> = Shared<BoxFuture<'a, Answer>>;

/// A sale's share in a write. The sale that started it shows the exchange in its trail; the others only use
/// the key (or fail with the same reason).
pub(super) struct Share<'a> {
    write: SharedWrite<'a>,
    started: bool,
}

impl Share<'_> {
    /// The write's answer, once it is done, and whether this sale's trail shows it.
    pub(super) async fn wait(self) -> (Answer, bool) {
        (self.write.await, self.started)
    }
}

/// Puts a write's answer into a sale's trail: the exchange when the sale made it, the reason only otherwise.
pub(super) fn record(trail: &mut Trail, answer: Answer, started: bool) -> Result<String, Failure> {
    match started {
        true => trail.write(answer),
        false => answer
            .map(|written| written.value)
            .map_err(|error| Failure::from_connector(without_exchange(error))),
    }
}

/// The debtor a sale's order goes to: known already, or being written.
pub(super) enum DebtorId<'a> {
    Known(String),
    Written(Share<'a>),
}

/// A write of this run and what AFAS holds once it is done.
struct Pending<'a, R> {
    record: R,
    write: SharedWrite<'a>,
    /// The first page whose look-up began after the write ended; set once [`Writes::settle`] sees it done.
    known_from_page: Option<usize>,
}

impl<R> Pending<'_, R> {
    /// A write that failed is not shared any more: the next sale that needs the record tries again.
    fn usable(&self) -> bool {
        !matches!(self.write.peek(), Some(Err(_)))
    }
}

/// The run's debtor and article writes, by key.
#[derive(Default)]
pub(super) struct Writes<'a> {
    debtors: HashMap<String, Pending<'a, DebtorRecord>>,
    articles: HashMap<String, Pending<'a, ArticleRecord>>,
}

impl<'a> Writes<'a> {
    /// The sale's debtor from `draft`: as the page plan or an earlier sale of the run left it when nothing
    /// changed, else created or updated (after the write an earlier sale started, if any).
    pub(super) fn debtor<T: ErpTarget>(
        &mut self,
        target: &'a T,
        plan: &OrderPlan,
        draft: DebtorDraft,
        settings: &FlowSettings,
    ) -> DebtorId<'a> {
        let key = draft.key().unwrap_or_default();
        let (current, earlier) = match self.debtors.get(&key).filter(|pending| pending.usable()) {
            Some(pending) => (Some(&pending.record), Some(pending.write.clone())),
            None => (plan.debtors.get(&key), None),
        };
        let write: BoxFuture<'a, Answer> = match current {
            Some(current) if !differs(current, &draft) => {
                return match earlier {
                    Some(write) => DebtorId::Written(Share { write, started: false }),
                    None => DebtorId::Known(current.debtor_id.clone()),
                };
            }
            Some(current) => {
                let (known_id, update) = (current.debtor_id.clone(), update_draft(&draft, settings));
                async move {
                    let debtor_id = match earlier {
                        Some(write) => write.await.map_err(without_exchange)?.value,
                        None => known_id,
                    };
                    let written = target.update_debtor(&debtor_id, &update).await?;
                    Ok(Written {
                        value: debtor_id,
                        exchange: written.exchange,
                    })
                }
                .boxed()
            }
            None => {
                let draft = draft.clone();
                async move {
                    let written = target.create_debtor(&draft).await?;
                    Ok(Written {
                        value: written.value.into_key(),
                        exchange: written.exchange,
                    })
                }
                .boxed()
            }
        };
        let write = write.shared();
        let pending = Pending {
            record: record_of("", &draft),
            write: write.clone(),
            known_from_page: None,
        };
        self.debtors.insert(key, pending);
        DebtorId::Written(Share { write, started: true })
    }

    /// The article of `draft` (which the page plan lacks): created, or being created for an earlier sale.
    pub(super) fn article<T: ErpTarget>(&mut self, target: &'a T, draft: ArticleDraft) -> Share<'a> {
        if let Some(pending) = self.articles.get(&draft.item_code).filter(|pending| pending.usable()) {
            return Share {
                write: pending.write.clone(),
                started: false,
            };
        }
        let record = ArticleRecord {
            item_code: draft.item_code.clone(),
            description: draft.description.clone(),
        };
        let key = draft.item_code.clone();
        let write = async move {
            // Created now or, by another run of the company meanwhile, found: either way the line uses it.
            let written = target.create_article(&draft).await?;
            Ok(Written {
                value: written.value.into_key(),
                exchange: written.exchange,
            })
        }
        .boxed()
        .shared();
        let pending = Pending {
            record,
            write: write.clone(),
            known_from_page: None,
        };
        self.articles.insert(key, pending);
        Share { write, started: true }
    }

    /// Whether an earlier sale of the run is writing (or wrote) this article.
    pub(super) fn has_article(&self, sku: &str) -> bool {
        self.articles.get(sku).is_some_and(Pending::usable)
    }

    /// Called as page `page` is taken in with its plan, before the next page's look-up begins. Writes done
    /// since the last page go into this plan (looked up before they ended, it may not know them; the pages
    /// after it take them over or look up after them) and are forgotten a page later; failed ones are
    /// forgotten now. What is still being written stays.
    pub(super) fn settle(&mut self, page: usize, plan: &mut OrderPlan) {
        self.debtors.retain(|key, pending| {
            settled(pending, page, |debtor_id, record| {
                let record = DebtorRecord {
                    debtor_id: debtor_id.to_owned(),
                    ..record.clone()
                };
                plan.debtors.remember(key, record);
            })
        });
        self.articles.retain(|key, pending| {
            settled(pending, page, |item_code, record| {
                let record = ArticleRecord {
                    item_code: item_code.to_owned(),
                    ..record.clone()
                };
                plan.articles.insert(key.clone(), record);
            })
        });
    }
}

/// Whether a write stays in [`Writes`] at page `page`; a done one is handed to `learn` the first time.
fn settled<R>(pending: &mut Pending<'_, R>, page: usize, learn: impl FnOnce(&str, &R)) -> bool {
    match (pending.write.peek(), pending.known_from_page) {
        (None, _) => true,
        (Some(Err(_)), _) => false,
        (Some(Ok(written)), None) => {
            learn(&written.value, &pending.record);
            pending.known_from_page = Some(page + 1);
            true
        }
        (Some(Ok(_)), Some(from)) => from > page,
    }
}

/// An earlier write's error as the reason of a later one, without the exchange (the sale that made it shows it).
fn without_exchange(error: ConnectorError) -> ConnectorError {
    ConnectorError {
        exchange: None,
        ..error
    }
}

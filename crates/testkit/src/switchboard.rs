//! The calls the fakes count and the faults a test injects: which operation, for which key, how often.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use koppel_sync::ports::{ConnectorError, ConnectorResult, ErrorClass};

/// Every operation of the three ports, for call counts and faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    OrdersSince,
    Order,
    CustomersSince,
    ArticlesSince,
    Stock,
    Customer,
    Article,
    ExistingOrders,
    BookedTotals,
    DebtorsByEmail,
    ArticlesByCode,
    CreateDebtor,
    UpdateDebtor,
    CreateOrder,
    CreateArticle,
    UpdateArticle,
    StockLevels,
    PostStockMutation,
    FinancialDay,
    ExistingFinancialEntries,
    PostFinancialEntry,
}

impl Op {
    pub const WRITES: [Op; 7] = [
        Op::CreateDebtor,
        Op::UpdateDebtor,
        Op::CreateOrder,
        Op::CreateArticle,
        Op::UpdateArticle,
        Op::PostStockMutation,
        Op::PostFinancialEntry,
    ];
}

/// How an injected fault fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Transient { retry_after: Option<Duration> },
    Permanent,
    Unauthorized,
}

impl FaultKind {
    pub(crate) fn error(self, op: Op) -> ConnectorError {
        let message = format!("injected fault on {op:?}");
        match self {
            FaultKind::Transient { retry_after } => ConnectorError::transient(message, retry_after),
            FaultKind::Permanent => ConnectorError::permanent(message),
            FaultKind::Unauthorized => ConnectorError {
                class: ErrorClass::Unauthorized,
                ..ConnectorError::permanent(message)
            },
        }
    }
}

#[derive(Debug, Clone)]
struct Fault {
    op: Op,
    key: Option<String>,
    kind: FaultKind,
    remaining: Option<u32>,
}

/// Call counters and faults, shared by the fakes.
#[derive(Debug, Default)]
pub struct Switchboard {
    calls: Mutex<BTreeMap<Op, usize>>,
    faults: Mutex<Vec<Fault>>,
    /// Writes of each operation in progress now, and the most there ever were at once.
    in_flight: Mutex<BTreeMap<Op, (usize, usize)>>,
}

impl Switchboard {
    /// Fails every call of `op` from now on.
    pub fn fail(&self, op: Op, kind: FaultKind) {
        self.push(Fault {
            op,
            key: None,
            kind,
            remaining: None,
        });
    }

    /// Fails the next `times` calls of `op`.
    pub fn fail_times(&self, op: Op, kind: FaultKind, times: u32) {
        self.push(Fault {
            op,
            key: None,
            kind,
            remaining: Some(times),
        });
    }

    /// Fails calls of `op` about `key` (a reference, an e-mail, an item code); `times: None` for always.
    pub fn fail_key(&self, op: Op, key: &str, kind: FaultKind, times: Option<u32>) {
        self.push(Fault {
            op,
            key: Some(key.to_owned()),
            kind,
            remaining: times,
        });
    }

    pub fn clear_faults(&self) {
        self.faults.lock().unwrap().clear();
    }

    pub fn calls(&self, op: Op) -> usize {
        self.calls.lock().unwrap().get(&op).copied().unwrap_or(0)
    }

    pub fn all_calls(&self) -> BTreeMap<Op, usize> {
        self.calls.lock().unwrap().clone()
    }

    /// The most writes of `op` that were in progress at once (a run that waits for each before the next has 1).
    pub fn peak_in_flight(&self, op: Op) -> usize {
        self.in_flight.lock().unwrap().get(&op).map_or(0, |(_, peak)| *peak)
    }

    /// A write of `op` taking [`a_write_takes_a_moment`], counted in progress meanwhile.
    pub(crate) async fn write_takes_a_moment(&self, op: Op, key: &str) {
        {
            let mut in_flight = self.in_flight.lock().unwrap();
            let (now, peak) = in_flight.entry(op).or_default();
            *now += 1;
            *peak = (*peak).max(*now);
        }
        a_write_takes_a_moment(key).await;
        self.in_flight.lock().unwrap().entry(op).or_default().0 -= 1;
    }

    pub fn reset_calls(&self) {
        self.calls.lock().unwrap().clear();
    }

    fn push(&self, fault: Fault) {
        self.faults.lock().unwrap().push(fault);
    }

    /// Counts the call and fails it if a fault says so (in the ports' own error type).
    #[allow(clippy::result_large_err)]
    pub(crate) fn enter(&self, op: Op, key: &str) -> ConnectorResult<()> {
        *self.calls.lock().unwrap().entry(op).or_default() += 1;
        let mut faults = self.faults.lock().unwrap();
        let hit = faults
            .iter_mut()
            .find(|f| f.op == op && f.key.as_deref().is_none_or(|k| k == key) && f.remaining != Some(0));
        match hit {
            Some(fault) => {
                fault.remaining = fault.remaining.map(|n| n - 1);
                Err(fault.kind.error(op))
            }
            None => Ok(()),
        }
    }
}

/// Like a real target's, a fake write is not instant: the run's other work (the next page's look-ups, other
/// orders in flight) goes on meanwhile, as it would against AFAS. How long it takes (one to four turns of the
/// executor) depends on what is written, so writes in flight together finish in another order than they
/// started, as real answers do.
async fn a_write_takes_a_moment(key: &str) {
    let mut turns = 1 + key
        .bytes()
        .fold(0usize, |sum, byte| sum.wrapping_mul(31).wrapping_add(byte.into()))
        % 4;
    futures::future::poll_fn(|cx| {
        if turns == 0 {
            return std::task::Poll::Ready(());
        }
        turns -= 1;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    })
    .await
}

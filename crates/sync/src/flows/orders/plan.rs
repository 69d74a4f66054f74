//! A page's plan: the id map and the target's answers to one batched look-up per kind, taken over from
//! the page before where that page may have written.

use std::collections::{BTreeSet, HashMap, HashSet};

use koppel_core::FlowKind;

use super::prepare::selected;
use crate::catalogue::DimensionId;
use crate::engine::RunError;
use crate::flows::debtors::{KnownDebtors, customer_key};
use crate::model::{ArticleRecord, OrderTarget, SourceOrder};
use crate::ports::{ErpTarget, IdMapEntry, Journal, PosSource};
use crate::settings::FlowSettings;

/// What a page of sales needs to know before its first write: the id map and the target's answers to one
/// batched look-up per kind.
///
/// The next page is planned while this one is still being sent. Its keys that this page also has (a
/// returning customer, a popular article) are not asked then, as this page may be creating that debtor or
/// article, but taken over from this page's plan once its sales are all prepared ([`PagePlan::adopt`]); the
/// other keys this page never writes, so asking about them early is safe.
pub(crate) struct PagePlan {
    pub(super) known: HashMap<String, IdMapEntry>,
    /// Quotations flow: the till's proposals Koppel itself made from AFAS quotations (the flow's other
    /// direction, chosen before), which are not booked back.
    pub(super) made_from_afas: HashSet<String>,
    pub(super) target: OrderPlan,
    needs: Needs,
    /// Keys shared with the previous page: to be taken over from its plan.
    shared: Needs,
}

impl PagePlan {
    /// Plans a page; with `previous` (the needs of the page still in progress), leaves out the keys shared
    /// with it.
    pub async fn look_up<S: PosSource, T: ErpTarget, J: Journal>(
        settings: &FlowSettings,
        source: &S,
        target: &T,
        journal: &J,
        orders: &[SourceOrder],
        previous: Option<&Needs>,
    ) -> Result<Self, RunError> {
        let ids: Vec<String> = orders.iter().map(|order| order.id.clone()).collect();
        let known = journal.id_map(&ids).await?;
        let made_from_afas = match settings.order_target {
            OrderTarget::Quotation => journal
                .sources_of_targets(FlowKind::Quotations, &ids)
                .await?
                .into_keys()
                .collect(),
            _ => HashSet::new(),
        };
        let to_plan: Vec<&SourceOrder> = orders
            .iter()
            .filter(|order| {
                selected(order, settings).is_ok()
                    && !known.contains_key(&order.id)
                    && !made_from_afas.contains(&order.id)
            })
            .collect();
        let needs = Needs::of(&to_plan);
        let (to_ask, shared) = needs.split(previous);
        let target = OrderPlan::look_up(source, target, settings.order_target, &to_ask).await?;
        Ok(Self {
            known,
            made_from_afas,
            target,
            needs,
            shared,
        })
    }

    pub fn needs(&self) -> &Needs {
        &self.needs
    }

    /// Completes a plan made while the previous page ran, from that page's plan once its sales are all prepared
    /// (their debtor and article writes done; their orders perhaps still in flight).
    pub(super) fn adopt(&mut self, previous: Option<&OrderPlan>) {
        if let Some(previous) = previous {
            self.target.adopt(previous, &self.shared, &self.needs.references);
        }
    }
}

/// The keys a page asks AFAS about: sale references, customer e-mail addresses (lower-cased), item codes; and
/// the customers whose sales go to a delivery address of their own (their debtors' delivery addresses are
/// looked up together).
#[derive(Debug, Clone, Default)]
pub(crate) struct Needs {
    references: BTreeSet<String>,
    emails: BTreeSet<String>,
    skus: BTreeSet<String>,
    delivered_elsewhere: BTreeSet<String>,
}

impl Needs {
    fn of(orders: &[&SourceOrder]) -> Self {
        Self {
            references: orders.iter().map(|order| order.number.clone()).collect(),
            emails: orders
                .iter()
                .filter_map(|order| order.customer.as_ref().and_then(customer_key))
                .collect(),
            skus: orders
                .iter()
                .flat_map(|order| order.lines.iter().map(|l| l.sku.clone()))
                .collect(),
            delivered_elsewhere: orders
                .iter()
                .filter_map(|order| order.customer.as_ref())
                .filter(|customer| customer.delivery_address.is_some())
                .filter_map(customer_key)
                .collect(),
        }
    }

    /// These keys without those of `other`, and the ones they share.
    fn split(&self, other: Option<&Needs>) -> (Needs, Needs) {
        let Some(other) = other else {
            return (self.clone(), Needs::default());
        };
        let part = |mine: &BTreeSet<String>, theirs: &BTreeSet<String>, shared: bool| -> BTreeSet<String> {
            mine.iter().filter(|k| theirs.contains(*k) == shared).cloned().collect()
        };
        let side = |shared| Needs {
            references: part(&self.references, &other.references, shared),
            emails: part(&self.emails, &other.emails, shared),
            skus: part(&self.skus, &other.skus, shared),
            delivered_elsewhere: part(&self.delivered_elsewhere, &other.emails, shared),
        };
        (side(false), side(true))
    }
}

/// What the target already has, looked up once per page and kept current as the page writes.
pub(crate) struct OrderPlan {
    pub(super) existing: HashMap<String, String>,
    pub(super) debtors: KnownDebtors,
    pub(super) articles: HashMap<String, ArticleRecord>,
    /// The page's till articles that are combinations of an AFAS dimension item (their `articles` entry is
    /// the item): booked on the item with their dimension codes.
    pub(super) dimensions: HashMap<String, DimensionId>,
}

impl OrderPlan {
    async fn look_up<S: PosSource, T: ErpTarget>(
        source: &S,
        target: &T,
        document: OrderTarget,
        needs: &Needs,
    ) -> Result<Self, RunError> {
        let references: Vec<String> = needs.references.iter().cloned().collect();
        let emails: Vec<String> = needs.emails.iter().cloned().collect();
        let skus: Vec<String> = needs.skus.iter().cloned().collect();
        // Three independent questions: asked together, they cost one round trip instead of three.
        let existing = async {
            match references.is_empty() {
                true => Ok(HashMap::new()),
                false => target.existing_orders(document, &references).await,
            }
        };
        let articles = async {
            match skus.is_empty() {
                true => Ok(HashMap::new()),
                false => target.articles_by_code(&skus).await,
            }
        };
        let (existing, debtors, mut articles) =
            futures::try_join!(existing, KnownDebtors::look_up(target, emails), articles)?;
        let dimensions = dimension_articles(source, target, &skus, &mut articles).await?;
        let delivering: Vec<String> = needs
            .delivered_elsewhere
            .iter()
            .filter_map(|key| debtors.get(key).map(|debtor| debtor.debtor_id.clone()))
            .collect();
        if !delivering.is_empty() {
            target.look_up_delivery_addresses(&delivering).await?;
        }
        Ok(Self {
            existing,
            debtors,
            articles,
            dimensions,
        })
    }

    /// Takes over what the previous page's plan knows (after its writes) of the keys this page shares with it.
    fn adopt(&mut self, earlier: &OrderPlan, shared: &Needs, references: &BTreeSet<String>) {
        // Every order of this page's references booked so far, not only the shared ones: an order of an earlier
        // page may have been in flight while this page was looked up. Only these: the plan would otherwise carry
        // every order of the run (memory growing with the backlog); answers still to come are added to the
        // current plan as they arrive.
        for reference in references {
            if let Some(number) = earlier.existing.get(reference) {
                self.existing.insert(reference.clone(), number.clone());
            }
        }
        self.debtors.adopt(&earlier.debtors, &shared.emails);
        for sku in &shared.skus {
            match earlier.articles.get(sku) {
                Some(article) => self.articles.insert(sku.clone(), article.clone()),
                None => self.articles.remove(sku),
            };
            match earlier.dimensions.get(sku) {
                Some(id) => self.dimensions.insert(sku.clone(), id.clone()),
                None => self.dimensions.remove(sku),
            };
        }
    }
}

/// Of the page's articles AFAS lacks by number, the combinations the articles flow made of AFAS dimension
/// items, each entered in `articles` as its item. The till is asked only when AFAS lacks one, so a page
/// without them costs nothing more; the items AFAS was not asked for already are asked in one more look-up.
async fn dimension_articles<S: PosSource, T: ErpTarget>(
    source: &S,
    target: &T,
    skus: &[String],
    articles: &mut HashMap<String, ArticleRecord>,
) -> Result<HashMap<String, DimensionId>, RunError> {
    let unknown: Vec<String> = skus
        .iter()
        .filter(|sku| !articles.contains_key(*sku))
        .cloned()
        .collect();
    if unknown.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found = source.till_dimension_ids(&unknown).await?;
    found.retain(|_, id| !id.codes.is_empty());
    let items: Vec<String> = found
        .values()
        .map(|id| id.item_code.clone())
        .filter(|code| !articles.contains_key(code))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !items.is_empty() {
        articles.extend(target.articles_by_code(&items).await?);
    }
    found.retain(|sku, id| match articles.get(&id.item_code).cloned() {
        Some(item) => {
            articles.insert(sku.clone(), item);
            true
        }
        None => false,
    });
    Ok(found)
}

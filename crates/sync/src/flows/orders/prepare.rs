//! One sale up to its order: the filter, already booked?, the mapping, missing articles created, the
//! debtor found or written ([`super::writes`]), and a delivery address that differs from the debtor's own
//! found or added to it.

use std::collections::BTreeSet;

use futures::future::join_all;

use super::mapping::map_order;
use super::money::percentage_key;
use super::plan::OrderPlan;
use super::writes::{DebtorId, Share, Writes, record};
use crate::flows::debtors::{customer_key, debtor_draft};
use crate::model::{
    ArticleDraft, DebtorDraft, DebtorParty, PaymentStatus, SalesLineKind, SalesOrderDraft, SourceDocumentKind,
    SourceLine, SourceOrder, VatMethod,
};
use crate::ports::{ErpTarget, IdMapEntry};
use crate::record::{Failure, Trail, Verdict};
use crate::settings::{FlowSettings, OrderFilter};

/// What is left to do for a sale once it is prepared.
pub(super) enum Step<'a> {
    /// Decided without sending an order (skipped).
    Done(Verdict),
    /// The order to send once the writes it needs are done.
    Send(Box<Outgoing<'a>>),
}

/// A sale's order and the writes it waits for.
pub(super) struct Outgoing<'a> {
    draft: SalesOrderDraft,
    /// The content hash to remember the order by.
    hash: String,
    articles: Vec<Share<'a>>,
    /// The customer's own debtor and whether it is an organisation; `None` when the draft has the default
    /// debtor.
    debtor: Option<(DebtorId<'a>, bool)>,
}

impl Outgoing<'_> {
    /// The order to send and its content hash, once its articles and debtor are written (all at once: each
    /// write started with the first sale that needed it) and a delivery address elsewhere is found or added.
    /// Every write's exchange goes into the sale's trail, in order; the first failure fails the sale.
    pub(super) async fn ready<T: ErpTarget>(
        self,
        target: &T,
        order: &SourceOrder,
        trail: &mut Trail,
    ) -> Result<(SalesOrderDraft, String), Failure> {
        let Outgoing {
            mut draft,
            hash,
            articles,
            debtor,
        } = self;
        let (known_id, debtor_write, organisation) = match debtor {
            None => (None, None, None),
            Some((DebtorId::Known(id), organisation)) => (Some(id), None, Some(organisation)),
            Some((DebtorId::Written(share), organisation)) => (None, Some(share), Some(organisation)),
        };
        let written_debtor = async move {
            match debtor_write {
                Some(share) => Some(share.wait().await),
                None => None,
            }
        };
        let (articles, written_debtor) =
            futures::join!(join_all(articles.into_iter().map(Share::wait)), written_debtor);
        let mut first_failure = None;
        for (answer, started) in articles {
            if let Err(failure) = record(trail, answer, started) {
                first_failure.get_or_insert(failure);
            }
        }
        let debtor_id = match (known_id, written_debtor) {
            (Some(id), _) => Some(Ok(id)),
            (None, Some((answer, started))) => Some(record(trail, answer, started)),
            (None, None) => None,
        };
        match debtor_id {
            Some(Ok(id)) => draft.debtor_id = id,
            Some(Err(failure)) => {
                first_failure.get_or_insert(failure);
            }
            None => {}
        }
        if let Some(failure) = first_failure {
            return Err(failure);
        }
        if let Some(organisation) = organisation {
            draft.delivery_address_id = delivery_address(target, order, &draft, organisation, trail).await?;
        }
        Ok((draft, hash))
    }
}

/// One sale up to its order: filter, already booked?, map, and the writes it needs (missing articles, its
/// debtor), started or shared through `writes`; nothing here waits for AFAS.
pub(super) fn prepare<'a, T: ErpTarget>(
    settings: &FlowSettings,
    target: &'a T,
    plan: &OrderPlan,
    writes: &mut Writes<'a>,
    order: &SourceOrder,
    known: Option<&IdMapEntry>,
    hash: String,
) -> Result<Step<'a>, Failure> {
    // Booked before: say so even when the sale no longer passes the filter (e.g. cancelled since).
    if let Some(entry) = known {
        return Ok(Step::Done(already_booked(entry, hash)));
    }
    if let Err(reason) = selected(order, settings) {
        return Ok(Step::Done(Verdict::skipped(reason)));
    }
    if let Some(number) = plan.existing.get(&order.number) {
        let reason = format!("already in AFAS as order {number}");
        return Ok(Step::Done(Verdict::skipped_existing(reason, number.clone(), hash)));
    }
    let mut draft = map_order(order, settings)?;
    book_dimensions(&mut draft, plan);
    let missing = missing_articles(order, plan, writes, settings)?;
    let articles = missing
        .into_iter()
        .map(|line| writes.article(target, article_from_line(line, order.vat_method, settings)))
        .collect();
    let debtor = match debtor_draft_for(settings, order)? {
        Ok(debtor) => {
            let organisation = matches!(debtor.party, DebtorParty::Organisation { .. });
            Some((writes.debtor(target, plan, debtor, settings), organisation))
        }
        Err(default_debtor) => {
            draft.debtor_id = default_debtor;
            None
        }
    };
    Ok(Step::Send(Box::new(Outgoing {
        draft,
        hash,
        articles,
        debtor,
    })))
}

/// The debtor's delivery address (`DlAd`) when the sale went elsewhere than the customer's own address: found
/// among the debtor's delivery addresses or added to it once. The document's `ExAd` names the address in
/// words either way.
async fn delivery_address<T: ErpTarget>(
    target: &T,
    order: &SourceOrder,
    draft: &SalesOrderDraft,
    organisation: bool,
    trail: &mut Trail,
) -> Result<Option<String>, Failure> {
    let elsewhere = order.customer.as_ref().is_some_and(|c| c.delivery_address.is_some());
    let Some(address) = draft.delivery_address.as_ref().filter(|_| elsewhere) else {
        return Ok(None);
    };
    match target
        .delivery_address(&draft.debtor_id, organisation, address)
        .await
        .transpose()
    {
        Some(found) => trail.write(found).map(Some),
        None => Ok(None),
    }
}

fn already_booked(entry: &IdMapEntry, hash: String) -> Verdict {
    let reason = if entry.content_hash == hash {
        "unchanged".to_owned()
    } else {
        format!(
            "already in AFAS as order {}; changes after booking are not sent",
            entry.target_id
        )
    };
    Verdict::skipped_existing(reason, entry.target_id.clone(), entry.content_hash.clone())
}

/// Whether the sale passes the document-type selection and the state filter; the reason when not.
pub fn selected(order: &SourceOrder, settings: &FlowSettings) -> Result<(), String> {
    if !settings.order_types.contains(&order.kind) {
        return Err(format!(
            "{} documents are not selected (order_types)",
            entity(order.kind)
        ));
    }
    if order.cancelled {
        return Err("cancelled in MplusKASSA".to_owned());
    }
    // A receipt is booked once it is a finished sale, whatever the order filter says.
    if order.kind == SourceDocumentKind::Receipt {
        return match order.completed {
            true => Ok(()),
            false => Err("not a finished sale in MplusKASSA (parked, partly paid, or a cash movement)".to_owned()),
        };
    }
    let (passes, state, filter) = match settings.order_filter {
        OrderFilter::Paid => (order.payment_status == PaymentStatus::Paid, "fully paid", "paid"),
        OrderFilter::Any => (true, "", "any"),
        OrderFilter::Delivered => (order.delivered, "delivered", "delivered"),
        OrderFilter::Completed => (order.completed, "completed", "completed"),
    };
    if passes {
        Ok(())
    } else {
        Err(format!("not {state} (order filter: {filter})"))
    }
}

pub(super) fn entity(kind: SourceDocumentKind) -> &'static str {
    match kind {
        SourceDocumentKind::Order => "order",
        SourceDocumentKind::Invoice => "invoice",
        SourceDocumentKind::Quotation => "quotation",
        SourceDocumentKind::Receipt => "receipt",
    }
}

/// The customer's debtor to find or write, or, without an e-mail or VAT number, the default debtor's id (a
/// cash-sales debtor keeps no delivery addresses: it would collect one per anonymous parcel).
fn debtor_draft_for(settings: &FlowSettings, order: &SourceOrder) -> Result<Result<DebtorDraft, String>, Failure> {
    let Some(customer) = order.customer.as_ref().filter(|c| customer_key(c).is_some()) else {
        let debtor = settings.company.default_debtor.clone().ok_or_else(|| {
            Failure::missing_setting(
                "default_debtor",
                "this sale's customer has neither an e-mail address nor a VAT number",
            )
        })?;
        return Ok(Err(debtor));
    };
    Ok(Ok(debtor_draft(customer, settings, order)?))
}

/// Lines of combinations of AFAS dimension items go on the item, with their dimension codes (`StL1`,
/// `StL2`); a line a mapping rule gave another item code keeps it.
fn book_dimensions(draft: &mut SalesOrderDraft, plan: &OrderPlan) {
    for line in &mut draft.lines {
        if line.kind != SalesLineKind::Article {
            continue;
        }
        if let Some(id) = plan.dimensions.get(&line.item_code) {
            line.item_code = id.item_code.clone();
            line.dimensions = id.codes.clone();
        }
    }
}

/// The order's lines whose article AFAS lacks (one per SKU); a failure when they may not be created.
fn missing_articles<'o>(
    order: &'o SourceOrder,
    plan: &OrderPlan,
    writes: &Writes<'_>,
    settings: &FlowSettings,
) -> Result<Vec<&'o SourceLine>, Failure> {
    let mut seen = BTreeSet::new();
    let missing: Vec<&SourceLine> = order
        .lines
        .iter()
        .filter(|l| {
            let known = plan.articles.contains_key(&l.sku) && !writes.has_article(&l.sku);
            !known && seen.insert(l.sku.as_str())
        })
        .collect();
    if missing.is_empty() || settings.create_missing_articles {
        return Ok(missing);
    }
    let skus: Vec<&str> = missing.iter().map(|line| line.sku.as_str()).collect();
    Err(Failure::master_data(format!(
        "article {} does not exist in AFAS; create it there or turn on `create_missing_articles`",
        skus.join(", ")
    )))
}

fn article_from_line(line: &SourceLine, vat_method: VatMethod, settings: &FlowSettings) -> ArticleDraft {
    ArticleDraft {
        item_code: line.sku.clone(),
        description: line.description.clone(),
        long_description: None,
        short_description: None,
        group: settings.company.article_group_map.resolve(None).map(str::to_owned),
        unit: None,
        price: line.unit_price,
        price_includes_vat: vat_method == VatMethod::Including,
        ean: None,
        vat_group: settings
            .company
            .vat_group_map
            .resolve(Some(&percentage_key(line.vat_percentage)))
            .map(str::to_owned),
    }
}

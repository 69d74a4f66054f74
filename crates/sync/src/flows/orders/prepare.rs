//! One sale up to its order: the filter, already booked?, the mapping, missing articles created, the
//! debtor found or written, and a delivery address that differs from the debtor's own found or added to it.

use std::collections::{BTreeSet, HashMap};

use super::mapping::map_order;
use super::money::percentage_key;
use super::plan::OrderPlan;
use crate::flows::debtors::{customer_key, debtor_draft};
use crate::model::{
    ArticleDraft, ArticleRecord, DebtorParty, PaymentStatus, SalesOrderDraft, SourceDocumentKind, SourceLine,
    SourceOrder, VatMethod,
};
use crate::ports::{ErpTarget, IdMapEntry};
use crate::record::{Failure, Trail, Verdict};
use crate::settings::{FlowSettings, OrderFilter};

/// What is left to do for a sale once it is prepared.
pub(super) enum Step {
    /// Decided without sending an order (skipped).
    Done(Verdict),
    /// The order to send, and the content hash to remember it by.
    Send(Box<SalesOrderDraft>, String),
}

/// One sale up to its order: filter, already booked?, map, articles, debtor. The writes it needs (articles,
/// the debtor) happen here, in page order, so later sales of the window see them.
pub(super) async fn prepare<T: ErpTarget>(
    settings: &FlowSettings,
    target: &T,
    plan: &mut OrderPlan,
    order: &SourceOrder,
    known: Option<&IdMapEntry>,
    hash: String,
    trail: &mut Trail,
) -> Result<Step, Failure> {
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
    let missing = missing_articles(order, &plan.articles, settings)?;
    create_articles(target, plan, &missing, order, settings, trail).await?;
    let (debtor_id, own_debtor) = debtor_for(settings, target, plan, order, trail).await?;
    draft.debtor_id = debtor_id;
    if let Some(organisation) = own_debtor {
        draft.delivery_address_id = delivery_address(target, order, &draft, organisation, trail).await?;
    }
    Ok(Step::Send(Box::new(draft), hash))
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

/// The debtor id: the customer's (created or updated as needed) or, without an e-mail or VAT number, the default
/// debtor. With the customer's own debtor, whether it is an organisation; `None` for the default debtor, which
/// keeps no delivery addresses (a cash-sales debtor would collect one per anonymous parcel).
async fn debtor_for<T: ErpTarget>(
    settings: &FlowSettings,
    target: &T,
    plan: &mut OrderPlan,
    order: &SourceOrder,
    trail: &mut Trail,
) -> Result<(String, Option<bool>), Failure> {
    let Some(customer) = order.customer.as_ref().filter(|c| customer_key(c).is_some()) else {
        let debtor = settings.company.default_debtor.clone().ok_or_else(|| {
            Failure::missing_setting(
                "default_debtor",
                "this sale's customer has neither an e-mail address nor a VAT number",
            )
        })?;
        return Ok((debtor, None));
    };
    let draft = debtor_draft(customer, settings, order)?;
    let (debtor_id, _) = plan.debtors.upsert(target, &draft, settings, trail).await?;
    let organisation = matches!(draft.party, DebtorParty::Organisation { .. });
    Ok((debtor_id, Some(organisation)))
}

/// The order's lines whose article AFAS lacks (one per SKU); a failure when they may not be created.
fn missing_articles<'o>(
    order: &'o SourceOrder,
    articles: &HashMap<String, ArticleRecord>,
    settings: &FlowSettings,
) -> Result<Vec<&'o SourceLine>, Failure> {
    let mut seen = BTreeSet::new();
    let missing: Vec<&SourceLine> = order
        .lines
        .iter()
        .filter(|l| !articles.contains_key(&l.sku) && seen.insert(l.sku.as_str()))
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

async fn create_articles<T: ErpTarget>(
    target: &T,
    plan: &mut OrderPlan,
    missing: &[&SourceLine],
    order: &SourceOrder,
    settings: &FlowSettings,
    trail: &mut Trail,
) -> Result<(), Failure> {
    for line in missing {
        let draft = article_from_line(line, order.vat_method, settings);
        // Created now or, by another run of the company meanwhile, found: either way the line uses it.
        let item_code = trail.write(target.create_article(&draft).await)?.into_key();
        plan.articles.insert(
            line.sku.clone(),
            ArticleRecord {
                item_code,
                description: draft.description,
            },
        );
    }
    Ok(())
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

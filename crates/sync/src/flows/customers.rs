//! Customers: MplusKASSA relations → AFAS debtors, matched by e-mail (the same organisation/person rules as
//! the orders flow). A relation without an e-mail address is skipped: there is nothing to match it by.
//!
//! A relation's own delivery address (MplusKASSA's `delivery…` fields, where they differ from its address)
//! becomes one of the debtor's delivery addresses, found or added once as the orders flow does for a sale
//! delivered there; the orders flow then finds it.

use super::debtors::{KnownDebtors, customer_key, customer_name, debtor_draft, display_name, split_address};
use crate::engine::{Run, RunError};
use crate::model::{Address, DebtorDraft, DebtorParty, SourceCustomer};
use crate::ports::{ErpTarget, IdMapEntry, Journal, Outcome, PosSource};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash};
use crate::settings::FlowSettings;

pub(crate) async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    customers: Vec<SourceCustomer>,
) -> Result<(), RunError> {
    let customers: Vec<SourceCustomer> = customers
        .into_iter()
        .filter(|c| !run.already_handled(&source_id(c)))
        .collect();
    if customers.is_empty() {
        return Ok(());
    }
    let (settings, target) = (run.settings, run.target);
    let ids: Vec<String> = customers.iter().map(source_id).collect();
    let known = run.journal.id_map(&ids).await?;
    let keys = customers
        .iter()
        .filter(|c| needs_look_up(c, settings, known.get(&source_id(c))))
        .filter_map(customer_key)
        .collect();
    let mut debtors = KnownDebtors::look_up(target, keys).await?;
    for customer in &customers {
        if run.should_stop_before(customer.sync_marker).await? {
            return Ok(());
        }
        let mut trail = Trail::default();
        let result = sync_customer(
            settings,
            target,
            &mut debtors,
            customer,
            known.get(&source_id(customer)),
            &mut trail,
        )
        .await;
        run.conclude(meta(customer), result, trail).await?;
    }
    Ok(())
}

/// The id-map key: the relation number, or the debtor key for a relation known only from an order.
fn source_id(customer: &SourceCustomer) -> String {
    customer
        .relation_number
        .clone()
        .or_else(|| customer_key(customer))
        .unwrap_or_default()
}

fn meta(customer: &SourceCustomer) -> RecordMeta {
    let name = customer_name(customer);
    RecordMeta::new("customer", source_id(customer), customer)
        .keys([customer.relation_number.clone(), customer.email.clone(), name])
        .at_marker(customer.sync_marker)
}

/// Whether the customer needs AFAS's view of it (it has a key and changed since it was last sent).
fn needs_look_up(customer: &SourceCustomer, settings: &FlowSettings, known: Option<&IdMapEntry>) -> bool {
    if customer_key(customer).is_none() {
        return false;
    }
    // A rule that fails for this record fails it without a look-up.
    let Ok(draft) = debtor_draft(customer, settings, customer) else {
        return false;
    };
    let hash = customer_hash(customer, &draft);
    known.is_none_or(|entry| entry.content_hash != hash)
}

/// The relation's delivery address as AFAS gets it, when it has one of its own.
fn delivered_elsewhere(customer: &SourceCustomer) -> Option<Address> {
    let delivery = customer.delivery_address.as_ref()?;
    (customer.address.as_ref() != Some(delivery)).then(|| split_address(delivery))
}

/// What a customer is remembered by: its debtor, and its delivery address when it has one of its own (only
/// then, so that a relation without one keeps the hash it had before delivery addresses were sent).
fn customer_hash(customer: &SourceCustomer, draft: &DebtorDraft) -> String {
    match delivered_elsewhere(customer) {
        Some(delivery) => content_hash(&(draft, delivery)),
        None => content_hash(draft),
    }
}

async fn sync_customer<T: ErpTarget>(
    settings: &FlowSettings,
    target: &T,
    debtors: &mut KnownDebtors,
    customer: &SourceCustomer,
    known: Option<&IdMapEntry>,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    if customer_key(customer).is_none() {
        return Ok(Verdict::skipped(
            "neither an e-mail address nor a VAT number; debtors are matched by one of them",
        ));
    }
    let draft = debtor_draft(customer, settings, customer)?;
    let hash = customer_hash(customer, &draft);
    if let Some(entry) = known.filter(|entry| entry.content_hash == hash) {
        return Ok(Verdict::skipped_existing("unchanged", entry.target_id.clone(), hash));
    }
    let (debtor_id, outcome) = debtors.upsert(target, &draft, settings, trail).await?;
    let mut address_added = false;
    if let Some(delivery) = delivered_elsewhere(customer) {
        let organisation = matches!(draft.party, DebtorParty::Organisation { .. });
        if let Some(written) = target
            .delivery_address(&debtor_id, organisation, &delivery)
            .await
            .transpose()
        {
            // Found, it carries no exchange with AFAS (no status); added, the write's.
            address_added = written.as_ref().is_ok_and(|w| w.exchange.status.is_some());
            trail.write(written)?;
        }
    }
    Ok(match outcome {
        Outcome::Skipped if address_added => Verdict::written(Outcome::Updated, debtor_id, hash),
        Outcome::Skipped => {
            let reason = format!(
                "AFAS debtor {debtor_id} ({}) already matches",
                display_name(&draft.party)
            );
            Verdict::skipped_existing(reason, debtor_id, hash)
        }
        outcome => Verdict::written(outcome, debtor_id, hash),
    })
}

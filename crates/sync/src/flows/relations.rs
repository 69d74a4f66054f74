//! Debtors: AFAS debtors → MplusKASSA relations (see [`crate::clientele`]). The cursor is AFAS's modification
//! time, read like the articles flow's.
//!
//! A debtor's relation is the one the id map names, else the one whose `extRelationId` is the debtor id, else
//! the one with the debtor's e-mail address (a relation the customers flow made AFAS's debtor from); else the
//! relation is created, carrying the debtor id. Only what differs from the till's relation is written, so the
//! customers flow (the other direction) and this one settle instead of writing back and forth. A debtor
//! blocked in AFAS makes its relation inactive, and is not created at the till.
//!
//! **Exactly once.** A run that crashed after creating a relation meets the debtor again (the cursor did not
//! move) and finds the relation by its `extRelationId`.

use std::collections::HashMap;

use super::{UNCHANGED, seen_last_run};
use crate::clientele::{ErpDebtor, TillDeliveryAddress, TillRelation, TillRelationDraft};
use crate::engine::{Run, RunError};
use crate::ports::{ErpTarget, IdMapEntry, Journal, Outcome, PosSource};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash, with_rules};
use crate::settings::FlowSettings;

/// The journal's entity of the flow's records.
pub const ENTITY: &str = "debtor";

pub(crate) async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    debtors: Vec<ErpDebtor>,
) -> Result<(), RunError> {
    let debtors: Vec<ErpDebtor> = debtors
        .into_iter()
        .filter(|d| !run.already_handled(&d.debtor_id))
        .collect();
    if debtors.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = debtors.iter().map(|d| d.debtor_id.clone()).collect();
    let known = run.journal.id_map(&ids).await?;
    let mut numbers: Vec<i64> = known
        .values()
        .filter_map(|entry| entry.target_id.parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let till = if numbers.is_empty() {
        HashMap::new()
    } else {
        run.source.till_relations(&numbers).await?
    };
    let resumed_at = run.report.cursor;
    for debtor in &debtors {
        if run.should_stop_before(Some(debtor.sync_marker())).await? {
            return Ok(());
        }
        let current = linked(known.get(&debtor.debtor_id), &till);
        let mut trail = Trail::default();
        let result = sync_debtor(run.settings, run.source, debtor, current, &mut trail).await;
        if seen_last_run(resumed_at, debtor.sync_marker(), &result) {
            continue;
        }
        run.conclude(meta(debtor), result, trail).await?;
    }
    Ok(())
}

/// The relation the id map links the debtor to, when the till still has it.
fn linked<'a>(entry: Option<&IdMapEntry>, till: &'a HashMap<i64, TillRelation>) -> Option<&'a TillRelation> {
    let number: i64 = entry?.target_id.parse().ok()?;
    till.get(&number)
}

fn meta(debtor: &ErpDebtor) -> RecordMeta {
    RecordMeta::new(ENTITY, debtor.debtor_id.clone(), debtor)
        .keys([
            Some(debtor.debtor_id.clone()),
            Some(debtor.name.clone()),
            debtor.email.clone(),
        ])
        .at_marker(Some(debtor.sync_marker()))
}

async fn sync_debtor<S: PosSource>(
    settings: &FlowSettings,
    till: &S,
    debtor: &ErpDebtor,
    linked: Option<&TillRelation>,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    let draft = relation_draft(debtor, settings)?;
    let hash = content_hash(&draft);
    let found;
    let current = match linked {
        Some(current) => Some(current),
        None => {
            let email = draft.email.as_deref();
            found = till
                .find_till_relation(&debtor.debtor_id, email)
                .await
                .map_err(Failure::from_connector)?;
            found.as_ref()
        }
    };
    let Some(current) = current else {
        if debtor.blocked {
            return Ok(Verdict::skipped("blocked in AFAS, and MplusKASSA does not have it"));
        }
        let number = trail.write(till.create_till_relation(&draft).await)?;
        return Ok(Verdict::written(Outcome::Created, number.to_string(), hash));
    };
    let number = current.relation_number.to_string();
    if draft.differences(current).is_empty() {
        return Ok(Verdict::skipped_existing(UNCHANGED, number, hash));
    }
    trail.write(till.update_till_relation(current.relation_number, &draft).await)?;
    Ok(Verdict::written(Outcome::Updated, number, hash))
}

/// The relation for the till, with the tenant's `relation.…` rules applied.
pub(crate) fn relation_draft(debtor: &ErpDebtor, settings: &FlowSettings) -> Result<TillRelationDraft, Failure> {
    if debtor.name.trim().is_empty() {
        return Err(Failure::master_data(format!(
            "AFAS debtor {} has no name, and a MplusKASSA relation needs one",
            debtor.debtor_id
        )));
    }
    with_rules(settings, "relation", debtor, default_relation_draft(debtor, settings)?)
}

/// The relation as the flow maps it without rules.
pub fn default_relation_draft(debtor: &ErpDebtor, settings: &FlowSettings) -> Result<TillRelationDraft, Failure> {
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Ok(TillRelationDraft {
        price_group: price_group(debtor, settings)?,
        ext_relation_id: debtor.debtor_id.clone(),
        name: debtor.name.trim().to_owned(),
        address: text(&debtor.street_line),
        zipcode: text(&debtor.postcode),
        city: text(&debtor.city),
        country: text(&debtor.country),
        delivery: debtor
            .delivery
            .as_ref()
            .map(|delivery| TillDeliveryAddress {
                address: text(&delivery.street_line),
                zipcode: text(&delivery.postcode),
                city: text(&delivery.city),
                country: text(&delivery.country),
            })
            .unwrap_or_default(),
        contact: text(&debtor.contact),
        telephone: text(&debtor.phone),
        email: text(&debtor.email).map(|e| e.to_lowercase()),
        vat_number: text(&debtor.vat_number),
        commerce_number: text(&debtor.commerce_number),
        bank_account_number: text(&debtor.iban),
        payment_within_days: debtor.payment_days,
        active: !debtor.blocked,
    })
}

/// The till's price group of the debtor's customer group: its price list through the company's
/// `price_list_map` (the table the prices flow sends the lists' prices by). A list the table does not name, or
/// a debtor without one, leaves the relation's price group as the till has it.
fn price_group(debtor: &ErpDebtor, settings: &FlowSettings) -> Result<Option<i32>, Failure> {
    let Some(list) = debtor.price_list.as_deref().map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    let Some(group) = settings.company.price_list_map.lookup(list) else {
        return Ok(None);
    };
    group.trim().parse().map(Some).map_err(|_| {
        Failure::setting(format!(
            "`price_list_map` gives {group:?} for AFAS price list {list:?}: a MplusKASSA price group is a number"
        ))
    })
}

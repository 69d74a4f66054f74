//! Debtors, shared by the orders and customers flows: a MplusKASSA customer becomes an organisation debtor
//! (`KnSalesRelationOrg`, the person as contact) when it has a company name, a person debtor
//! (`KnSalesRelationPer`) otherwise; matched by e-mail (a business without one by its VAT number), created when
//! missing, updated when changed.

use std::collections::HashMap;

use crate::country::iso2;
use crate::model::{
    Address, DebtorDraft, DebtorParty, DebtorRecord, PersonName, SourceAddress, SourceCustomer, debtor_key,
    vat_number_form,
};
use crate::ports::{ConnectorResult, Creation, ErpTarget, Outcome};
use crate::record::{Failure, Trail, with_rules};
use crate::settings::FlowSettings;
use crate::street::split_street;

/// The key the customer's debtor is matched by: the e-mail address, trimmed and in lower case; for a business
/// without one its VAT number (`vat:NL123456789B01`); `None` when there is neither.
pub fn customer_key(customer: &SourceCustomer) -> Option<String> {
    debtor_key(customer.email.as_deref(), customer.vat_number.as_deref())
}

fn email_of(customer: &SourceCustomer) -> Option<String> {
    debtor_key(customer.email.as_deref(), None)
}

/// The customer's country (ISO-2) for the per-country settings: the billing address's.
pub fn billing_country(customer: &SourceCustomer) -> Option<String> {
    customer.address.as_ref().map(|address| iso2(&address.country))
}

/// The debtor for a customer, with the tenant's `debtor.…` rules applied; `source` is the record those
/// rules read (the order in the orders flow, the relation in the customers flow).
pub(crate) fn debtor_draft(
    customer: &SourceCustomer,
    settings: &FlowSettings,
    source: &impl serde::Serialize,
) -> Result<DebtorDraft, Failure> {
    with_rules(settings, "debtor", source, default_debtor_draft(customer, settings))
}

/// The debtor as the flows map it without rules.
pub fn default_debtor_draft(customer: &SourceCustomer, settings: &FlowSettings) -> DebtorDraft {
    let country = billing_country(customer);
    let email = email_of(customer);
    let vat_number = customer.vat_number.as_deref().and_then(vat_number_form);
    DebtorDraft {
        party: party(customer, email.as_deref().or(vat_number.as_deref()).unwrap_or_default()),
        email,
        phone: non_empty(customer.phone.as_deref()),
        address: customer.address.as_ref().map(split_address),
        ledger_account: settings.company.debtor_ledger_account.clone(),
        payment_terms: settings.company.payment_terms.clone(),
        currency: Some(settings.company.currency.clone()),
        vat_duty: settings.company.vat_duty.clone(),
        vat_code: settings
            .company
            .vat_code_by_country
            .resolve(country.as_deref())
            .map(str::to_owned),
        revenue_account: settings
            .company
            .revenue_account_by_country
            .resolve(country.as_deref())
            .map(str::to_owned),
        vat_number,
    }
}

/// An AFAS address from a MplusKASSA one: street line split, country as ISO-2.
pub fn split_address(source: &SourceAddress) -> Address {
    let parts = split_street(&source.street_line);
    Address {
        street: parts.street,
        house_number: parts.house_number,
        house_number_addition: parts.addition,
        postcode: source.postcode.trim().to_owned(),
        city: source.city.trim().to_owned(),
        country: iso2(&source.country),
    }
}

fn party(customer: &SourceCustomer, known_by: &str) -> DebtorParty {
    let person = person_name(customer);
    match non_empty(customer.company_name.as_deref()) {
        Some(name) => DebtorParty::Organisation { name, contact: person },
        // AFAS needs a last name: a customer known only by e-mail (or VAT number) is named by it.
        None => DebtorParty::Person(person.unwrap_or(PersonName {
            first_name: None,
            last_name: known_by.to_owned(),
        })),
    }
}

fn person_name(customer: &SourceCustomer) -> Option<PersonName> {
    let first = non_empty(customer.first_name.as_deref());
    match non_empty(customer.last_name.as_deref()) {
        Some(last_name) => Some(PersonName {
            first_name: first,
            last_name,
        }),
        None => first.map(|last_name| PersonName {
            first_name: None,
            last_name,
        }),
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The customer's name as people search for it: the company name, else the person's name.
pub fn customer_name(customer: &SourceCustomer) -> Option<String> {
    non_empty(customer.company_name.as_deref())
        .or_else(|| person_name(customer).map(|p| display_name(&DebtorParty::Person(p))))
}

/// The name AFAS shows for a debtor.
pub fn display_name(party: &DebtorParty) -> String {
    match party {
        DebtorParty::Organisation { name, .. } => name.clone(),
        DebtorParty::Person(person) => match &person.first_name {
            Some(first) => format!("{first} {}", person.last_name),
            None => person.last_name.clone(),
        },
    }
}

/// What an update of an existing debtor sends: the fields Koppel owns (name, address, e-mail, phone, VAT
/// number); the accounting fields the settings give new debtors (payment terms, ledger, revenue account, VAT
/// duty, currency) only when `update_debtor_terms` is on. A field left out of an update keeps AFAS's value,
/// and a value MplusKASSA lacks is left out (never sent empty).
pub fn update_draft(draft: &DebtorDraft, settings: &FlowSettings) -> DebtorDraft {
    if settings.company.update_debtor_terms {
        return draft.clone();
    }
    DebtorDraft {
        ledger_account: None,
        payment_terms: None,
        currency: None,
        vat_duty: None,
        vat_code: None,
        revenue_account: None,
        ..draft.clone()
    }
}

/// Whether AFAS's debtor differs from what MplusKASSA says (fields MplusKASSA leaves empty do not count).
pub fn differs(record: &DebtorRecord, draft: &DebtorDraft) -> bool {
    let is_organisation = matches!(draft.party, DebtorParty::Organisation { .. });
    record.name != display_name(&draft.party)
        || record.is_organisation != is_organisation
        || (draft.address.is_some() && record.address != draft.address)
        || (draft.phone.is_some() && record.phone != draft.phone)
}

/// The debtors a page knows by key (e-mail, or VAT number): looked up once per page, kept current as the page
/// creates and updates.
#[derive(Debug, Default)]
pub(crate) struct KnownDebtors(HashMap<String, DebtorRecord>);

impl KnownDebtors {
    /// One batched look-up for all these keys (none when the list is empty).
    pub(crate) async fn look_up<T: ErpTarget>(target: &T, keys: Vec<String>) -> ConnectorResult<Self> {
        let mut keys = keys;
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Ok(Self::default());
        }
        Ok(Self(target.debtors_by_key(&keys).await?))
    }

    /// Takes over what `earlier` knows of these keys, found or not.
    pub(crate) fn adopt<'e>(&mut self, earlier: &KnownDebtors, keys: impl IntoIterator<Item = &'e String>) {
        for key in keys {
            match earlier.0.get(key) {
                Some(record) => self.0.insert(key.clone(), record.clone()),
                None => self.0.remove(key),
            };
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&DebtorRecord> {
        self.0.get(key)
    }

    /// What AFAS holds for `key` now (written by this run after the look-up).
    pub(crate) fn remember(&mut self, key: &str, record: DebtorRecord) {
        self.0.insert(key.to_owned(), record);
    }

    /// Creates the debtor, updates it when it changed (with what [`update_draft`] lets an update send), or
    /// leaves it; returns its id and what happened.
    pub(crate) async fn upsert<T: ErpTarget>(
        &mut self,
        target: &T,
        draft: &DebtorDraft,
        settings: &FlowSettings,
        trail: &mut Trail,
    ) -> Result<(String, Outcome), Failure> {
        let key = draft.key().unwrap_or_default();
        let outcome = match self.0.get(&key) {
            Some(record) if !differs(record, draft) => return Ok((record.debtor_id.clone(), Outcome::Skipped)),
            Some(record) => {
                let id = record.debtor_id.clone();
                trail.write(target.update_debtor(&id, &update_draft(draft, settings)).await)?;
                (id, Outcome::Updated)
            }
            None => match trail.write(target.create_debtor(draft).await)? {
                Creation::Created(id) => (id, Outcome::Created),
                // Another run of the company created it from the same customer after this page looked.
                Creation::Found(id) => (id, Outcome::Skipped),
            },
        };
        self.0.insert(key, record_of(&outcome.0, draft));
        Ok(outcome)
    }
}

/// What AFAS holds of a debtor made from `draft` (as a later look-up would find it).
pub fn record_of(debtor_id: &str, draft: &DebtorDraft) -> DebtorRecord {
    DebtorRecord {
        debtor_id: debtor_id.to_owned(),
        email: draft.email.clone(),
        vat_number: draft.vat_number.clone(),
        name: display_name(&draft.party),
        is_organisation: matches!(draft.party, DebtorParty::Organisation { .. }),
        address: draft.address.clone(),
        phone: draft.phone.clone(),
    }
}

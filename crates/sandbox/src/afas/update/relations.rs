//! `KnSalesRelationOrg` / `KnSalesRelationPer`: a debtor (`DbId`) with its organisation (`KnOrganisation`,
//! contacts `KnContact` with `KnPerson`) or person (`KnPerson`), addresses (`KnBasicAddressAdr` visit,
//! `KnBasicAddressPad` postal, each needing a country) and bank account. On insert, `MatchOga` / `MatchPer`
//! decide whether an existing organisation or person is reused (0 = by `BcCo`, 6 / 7 = always new, ...).
//! Contacts (`KnContact`) are always added, each with a new contact number; one of kind `AFL` is a delivery
//! address and must carry its address (`KnBasicAddressAdr`).

use serde_json::json;

use super::body::{Element, merge, without_empty};
use super::{Method, Write, check_code};
use crate::afas::error::AfasError;
use crate::afas::fields::{display, text};
use crate::afas::store::{Contact, Debtor, Fields, Party, PartyKind, Store, Transaction, next_number};

/// Fields that steer matching and numbering; Profit does not store them on the organisation or person.
const CONTROL_FIELDS: &[&str] = &["MatchOga", "MatchPer", "AutoNum", "BcId", "BcCo"];

fn party_object(kind: PartyKind) -> &'static str {
    match kind {
        PartyKind::Organisation => "KnOrganisation",
        PartyKind::Person => "KnPerson",
    }
}

pub fn write(tx: &mut Transaction, element: Element, write: Write) -> Result<Fields, AfasError> {
    let kind = match write.connector {
        "KnSalesRelationOrg" => PartyKind::Organisation,
        _ => PartyKind::Person,
    };
    match write.method {
        Method::Post => insert(tx, element, kind),
        Method::Put => update(tx, element, kind),
    }
}

fn insert(tx: &mut Transaction, element: Element, kind: PartyKind) -> Result<Fields, AfasError> {
    let mut relation = without_empty(element.fields());
    relation.remove("DbId");
    check_relation(tx.store(), &relation)?;
    let id = match element.key("DbId") {
        Some(id) if tx.store().debtors.contains_key(&id) => {
            return Err(AfasError::validation(format!("Sales relation '{id}' already exists.")));
        }
        Some(id) => id,
        None => next_number(&mut tx.counters().debtor),
    };
    let party_element = single_child(&element, party_object(kind))?
        .ok_or_else(|| AfasError::validation(format!("A sales relation needs an {} object.", party_object(kind))))?;
    let party = save_party(tx, party_element, kind, None)?;
    if let Some(existing) = tx.store().debtors_of_party(&party).first() {
        return Err(AfasError::validation(format!(
            "Organisation/person '{party}' is already sales relation '{existing}'."
        )));
    }
    let debtor = Debtor {
        party: party.clone(),
        fields: relation,
        created: tx.now,
        modified: tx.now,
    };
    tx.put_debtor(id.clone(), Some(debtor));
    Ok(keys(&id, &party))
}

fn update(tx: &mut Transaction, element: Element, kind: PartyKind) -> Result<Fields, AfasError> {
    let id = element
        .key("DbId")
        .ok_or_else(|| AfasError::validation("The field 'Debtor' (DbId) is required."))?;
    let mut debtor = tx
        .store()
        .debtors
        .get(&id)
        .filter(|debtor| tx.store().parties.get(&debtor.party).is_some_and(|p| p.kind == kind))
        .cloned()
        .ok_or_else(|| AfasError::does_not_exist("Debtor", &id))?;
    let mut changes = element.fields();
    changes.remove("DbId");
    merge(&mut debtor.fields, &changes);
    check_relation(tx.store(), &debtor.fields)?;
    if let Some(party_element) = single_child(&element, party_object(kind))? {
        save_party(tx, party_element, kind, Some(debtor.party.clone()))?;
    }
    debtor.modified = tx.now;
    let party = debtor.party.clone();
    tx.put_debtor(id.clone(), Some(debtor));
    Ok(keys(&id, &party))
}

pub fn delete(tx: &mut Transaction, id: &str) -> Result<(), AfasError> {
    if !tx.store().debtors.contains_key(id) {
        return Err(AfasError::does_not_exist("Debtor", id));
    }
    let in_use = tx
        .store()
        .documents
        .values()
        .any(|document| text(&document.fields, "DbId") == Some(id));
    if in_use {
        return Err(AfasError::validation(format!(
            "Sales relation '{id}' cannot be deleted: it is used in sales documents."
        )));
    }
    tx.put_debtor(id.to_owned(), None);
    Ok(())
}

fn keys(id: &str, party: &str) -> Fields {
    let mut keys = Fields::new();
    keys.insert("DbId".into(), json!(id));
    keys.insert("BcCo".into(), json!(party));
    keys
}

fn check_relation(store: &Store, relation: &Fields) -> Result<(), AfasError> {
    let reference = &store.reference;
    if let Some(currency) = text(relation, "CuId") {
        check_code(reference.currencies.contains(currency), "Currency", currency)?;
    }
    if let Some(condition) = text(relation, "PaCd") {
        check_code(
            reference.payment_conditions.contains_key(condition),
            "Payment condition",
            condition,
        )?;
    }
    if let Some(warehouse) = text(relation, "VkMa") {
        check_code(
            reference.warehouses.contains_key(warehouse),
            "Preferred warehouse",
            warehouse,
        )?;
    }
    if let Some(price_list) = text(relation, "PrLs") {
        check_code(
            reference.price_list(price_list).is_some(),
            "Preferred price list",
            price_list,
        )?;
    }
    if let Some(group) = text(relation, "DsGr") {
        check_code(reference.discount_group(group).is_some(), "Discount group", group)?;
    }
    Ok(())
}

/// Sub-objects take one line only.
fn single_child<'b>(element: &Element<'b>, object: &str) -> Result<Option<Element<'b>>, AfasError> {
    let mut children = element.children(object);
    if children.len() > 1 {
        return Err(AfasError::validation(format!(
            "Object '{object}' can hold only one element."
        )));
    }
    Ok(children.pop())
}

/// Inserts or updates an organisation or person; returns its `BcCo`. `owner` is the debtor's own party on
/// a PUT; on an insert the match rule picks an existing one or none.
fn save_party(
    tx: &mut Transaction,
    element: Element,
    kind: PartyKind,
    owner: Option<String>,
) -> Result<String, AfasError> {
    let fields = element.fields();
    let given_code = text(&fields, "BcCo").map(str::to_owned);
    let matched = match owner {
        Some(code) => {
            if given_code.as_ref().is_some_and(|given| *given != code) {
                return Err(AfasError::validation(format!(
                    "Organisation/person '{}' does not belong to this sales relation.",
                    given_code.unwrap_or_default()
                )));
            }
            Some(code)
        }
        None => find_match(tx.store(), kind, &element, &fields),
    };
    let mut changes = fields.clone();
    for control in CONTROL_FIELDS {
        changes.remove(*control);
    }
    let (code, mut party) = match matched {
        Some(code) => {
            let mut party = tx
                .store()
                .parties
                .get(&code)
                .cloned()
                .ok_or_else(|| AfasError::does_not_exist("BcCo", &code))?;
            merge(&mut party.fields, &changes);
            (code, party)
        }
        None => (new_party_code(tx, &fields, given_code)?, new_party(kind, changes)?),
    };
    party.fields.insert("BcCo".into(), json!(code));
    for (object, postal) in [("KnBasicAddressAdr", false), ("KnBasicAddressPad", true)] {
        if let Some(address) = single_child(&element, object)? {
            let address = checked_address(tx.store(), address.fields())?;
            if postal {
                party.postal_address = Some(address);
            } else {
                party.address = Some(address);
            }
        }
    }
    // "Postal address is address": the visit address doubles as postal address.
    if party.fields.get("PadAdr") == Some(&json!(true)) && party.postal_address.is_none() {
        party.postal_address = party.address.clone();
    }
    if let Some(bank) = single_child(&element, "KnBankAccount")? {
        party.bank_account = Some(without_empty(bank.fields()));
    }
    // Contacts are added, never matched: each gets the next contact number.
    for contact in element.children("KnContact") {
        let person = match single_child(&contact, "KnPerson")? {
            Some(person) => Some(save_party(tx, person, PartyKind::Person, None)?),
            None => None,
        };
        let address = match single_child(&contact, "KnBasicAddressAdr")? {
            Some(address) => Some(checked_address(tx.store(), address.fields())?),
            None => None,
        };
        let contact = Contact {
            number: next_number(&mut tx.counters().contact),
            fields: without_empty(contact.fields()),
            person,
            address,
        };
        if contact.is_delivery_address() && contact.address.is_none() {
            return Err(AfasError::validation(
                "A delivery address (contact of kind AFL) must have an address.",
            ));
        }
        party.contacts.push(contact);
    }
    tx.put_party(code.clone(), Some(party));
    Ok(code)
}

fn new_party_code(tx: &mut Transaction, fields: &Fields, given: Option<String>) -> Result<String, AfasError> {
    let auto_number = fields.get("AutoNum") == Some(&json!(true));
    match given {
        Some(code) if !auto_number => {
            if tx.store().parties.contains_key(&code) {
                return Err(AfasError::validation(format!("Number '{code}' already exists.")));
            }
            Ok(code)
        }
        _ => Ok(next_number(&mut tx.counters().party)),
    }
}

fn new_party(kind: PartyKind, fields: Fields) -> Result<Party, AfasError> {
    let fields = without_empty(fields);
    let (name_field, label) = match kind {
        PartyKind::Organisation => ("Nm", "Name"),
        PartyKind::Person => ("LaNm", "Last name"),
    };
    if text(&fields, name_field).is_none() {
        return Err(AfasError::validation(format!("The field '{label}' is required.")));
    }
    Ok(Party {
        kind,
        fields,
        address: None,
        postal_address: None,
        bank_account: None,
        contacts: Vec::new(),
    })
}

fn checked_address(store: &Store, fields: Fields) -> Result<Fields, AfasError> {
    let address = without_empty(fields);
    let country =
        text(&address, "CoId").ok_or_else(|| AfasError::validation("The address must have a country code."))?;
    check_code(store.reference.countries.contains_key(country), "Country", country)?;
    Ok(address)
}

/// The existing organisation or person an insert should reuse, by `MatchOga` / `MatchPer`.
fn find_match(store: &Store, kind: PartyKind, element: &Element, fields: &Fields) -> Option<String> {
    let rule = match kind {
        PartyKind::Organisation => text(fields, "MatchOga"),
        PartyKind::Person => text(fields, "MatchPer"),
    };
    let same = |key: &'static str| {
        let wanted = text(fields, key)?.to_lowercase();
        Some(move |party: &Party| text(&party.fields, key).is_some_and(|value| value.to_lowercase() == wanted))
    };
    let candidates = store.parties.iter().filter(|(_, party)| party.kind == kind);
    let found = |predicate: &dyn Fn(&Party) -> bool| {
        candidates
            .clone()
            .find(|(_, party)| predicate(party))
            .map(|(code, _)| code.clone())
    };
    match (kind, rule) {
        (_, Some("0")) => {
            let code = text(fields, "BcCo")?;
            store
                .parties
                .get(code)
                .filter(|party| party.kind == kind)
                .map(|_| code.to_owned())
        }
        (PartyKind::Organisation, Some("1")) => found(&same("CcNr")?),
        (PartyKind::Organisation, Some("2")) => found(&same("FiNr")?),
        (PartyKind::Organisation, Some("3")) => found(&same("Nm")?),
        (PartyKind::Organisation, Some(rule @ ("4" | "5"))) => {
            let object = if rule == "4" {
                "KnBasicAddressAdr"
            } else {
                "KnBasicAddressPad"
            };
            let wanted = address_key(&element.children(object).first()?.fields());
            found(&|party: &Party| {
                let address = if rule == "4" {
                    &party.address
                } else {
                    &party.postal_address
                };
                address.as_ref().is_some_and(|address| address_key(address) == wanted)
            })
        }
        (PartyKind::Person, Some("1")) => found(&same("SoSe")?),
        (PartyKind::Person, Some(rule @ ("2" | "3" | "4" | "5" | "6"))) => {
            let extra = match rule {
                "3" => Some("EmAd"),
                "4" => Some("MbNr"),
                "5" => Some("TeNr"),
                "6" => Some("DaBi"),
                _ => None,
            };
            let keys: Vec<&str> = ["FiNm", "In", "Is", "LaNm", "ViGe"].into_iter().chain(extra).collect();
            found(&|party: &Party| {
                keys.iter().all(|key| {
                    let sent = fields.get(*key).map(display).unwrap_or_default().to_lowercase();
                    sent.is_empty() || party.fields.get(*key).map(display).unwrap_or_default().to_lowercase() == sent
                })
            })
        }
        // 6 / 7 (always new), 9 (use the parent) and no rule: a new organisation or person.
        _ => None,
    }
}

fn address_key(address: &Fields) -> String {
    ["Ad", "HmNr", "HmAd", "ZpCd", "CoId"]
        .iter()
        .map(|key| address.get(*key).map(display).unwrap_or_default().to_lowercase())
        .collect::<Vec<_>>()
        .join("|")
}

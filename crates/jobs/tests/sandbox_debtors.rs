//! The debtors flow (AFAS → MplusKASSA relations) with the real adapters against both simulators, over real
//! sockets: every AFAS debtor reaches the till as a relation linked by its debtor id, with its name, address,
//! e-mail and phone (read back through MplusKASSA's own `getRelations`), a second run writes nothing, a change
//! in AFAS is carried over, and with the customers flow on as well (the other direction) the two settle
//! instead of writing each other's records back and forth.

mod sandbox_support;

use std::collections::BTreeMap;

use koppel_core::FlowKind;
use koppel_mplus::model::Relation;
use koppel_testkit::FakeJournal;
use sandbox_support::{System, World, failures, settings};
use serde_json::Value;

/// Every relation of the till, by the AFAS debtor it is linked to.
async fn linked_relations(world: &World) -> BTreeMap<String, Vec<Relation>> {
    let mut linked: BTreeMap<String, Vec<Relation>> = BTreeMap::new();
    for relation in world.mplus.get_relations(&[], 0, 100_000).await.unwrap() {
        if let Some(id) = relation.ext_relation_id.clone() {
            linked.entry(id).or_default().push(relation);
        }
    }
    linked
}

/// The till writes of relations the simulator received since its journal was cleared.
async fn relation_writes(world: &World) -> Vec<String> {
    world
        .journal(System::Mplus)
        .await
        .into_iter()
        .filter_map(|entry| entry.operation)
        .filter(|operation| operation == "createRelation" || operation == "updateRelation")
        .collect()
}

fn text(row: &Value, field: &str) -> Option<String> {
    row[field]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

#[tokio::test]
async fn every_afas_debtor_reaches_the_till_once_linked_by_its_id_and_a_second_run_writes_nothing() {
    let world = World::start(10).await;
    let journal = FakeJournal::default();
    let report = world
        .run(FlowKind::Debtors, &settings(), &journal)
        .await
        .expect("the run");
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));
    let debtors: Vec<Value> = world
        .rows("Profit_Debtor", "DebtorId")
        .await
        .into_iter()
        .filter(|row| row["Blocked"] != Value::Bool(true))
        .collect();
    assert!(debtors.len() >= 10, "the seeded administration has its debtors");
    assert_eq!(
        (report.counts.created + report.counts.updated) as usize,
        debtors.len(),
        "each debtor made or linked a relation"
    );
    let linked = linked_relations(&world).await;
    let days: BTreeMap<String, i64> = world
        .rows("Profit_PaymentConditions", "PaymentCondition")
        .await
        .iter()
        .filter_map(|row| Some((text(row, "PaymentCondition")?, row["Days"].as_i64()?)))
        .collect();
    let (mut with_days, mut with_group) = (0, 0);
    for debtor in &debtors {
        let id = debtor["DebtorId"].as_str().unwrap();
        let relations = linked.get(id).unwrap_or_else(|| panic!("debtor {id} has no relation"));
        assert_eq!(relations.len(), 1, "debtor {id} is linked to one relation");
        let relation = &relations[0];
        assert_eq!(relation.name.as_deref(), text(debtor, "DebtorName").as_deref(), "{id}");
        assert_eq!(relation.address, text(debtor, "AdressLine1"), "{id}");
        assert_eq!(
            relation.email.as_deref().map(str::to_lowercase),
            text(debtor, "Email").map(|e| e.to_lowercase()),
            "{id}"
        );
        if let Some(line) = text(debtor, "AdressLine3") {
            let (postcode, city) = koppel_sync::clientele::postcode_and_city(&line);
            assert_eq!(
                (relation.zipcode.clone(), relation.city.clone()),
                (postcode, city),
                "{id}"
            );
        }
        assert_eq!(relation.active, Some(true), "{id}");
        let condition_days = text(debtor, "PayCon").and_then(|code| days.get(&code).copied());
        if let Some(expected) = condition_days {
            assert_eq!(relation.payment_within_days.map(i64::from), Some(expected), "{id}");
            with_days += 1;
        }
        // The customer group: the debtor's price list on the company's price_list_map (HOR → 1, GRO → 2).
        let group = match text(debtor, "PriceList").as_deref() {
            Some("HOR") => Some(1),
            Some("GRO") => Some(2),
            _ => None,
        };
        assert_eq!(relation.price_group_number, group, "{id}");
        with_group += usize::from(group.is_some());
    }
    assert!(with_days > 0, "the seeded debtors have payment conditions");
    assert!(with_group > 0, "the seeded debtors have customer groups");

    world.clear_journal(System::Mplus).await;
    let again = world
        .run(FlowKind::Debtors, &settings(), &journal)
        .await
        .expect("the second run");
    assert_eq!(
        (again.counts.created, again.counts.updated, again.counts.failed),
        (0, 0, 0)
    );
    assert!(
        relation_writes(&world).await.is_empty(),
        "the second run writes nothing"
    );

    // A run that lost its journal (a crash before its entries were written) finds every relation by its link.
    let forgetful = FakeJournal::default();
    let fresh = world
        .run(FlowKind::Debtors, &settings(), &forgetful)
        .await
        .expect("a run without a journal");
    assert_eq!(
        (fresh.counts.created, fresh.counts.updated),
        (0, 0),
        "{:?}",
        failures(&forgetful)
    );
    assert!(relation_writes(&world).await.is_empty());
    assert_eq!(linked_relations(&world).await.len(), linked.len(), "no relation twice");
}

#[tokio::test]
async fn with_the_customers_flow_on_too_the_flows_settle_and_write_nothing_back() {
    let world = World::start(10).await;
    let settings = settings();
    let (debtors, customers) = (FakeJournal::default(), FakeJournal::default());
    for round in 1..=3 {
        world.clear_journal(System::Mplus).await;
        world.clear_journal(System::Afas).await;
        for (flow, journal) in [(FlowKind::Debtors, &debtors), (FlowKind::Customers, &customers)] {
            world.run(flow, &settings, journal).await.expect("a round");
            assert!(
                failures(journal).is_empty(),
                "round {round} {flow}: {:?}",
                failures(journal)
            );
        }
        if round == 3 {
            assert!(
                relation_writes(&world).await.is_empty(),
                "round three wrote to the till"
            );
            let afas_writes = world
                .journal(System::Afas)
                .await
                .into_iter()
                .filter(|entry| entry.method != "GET")
                .count();
            assert_eq!(afas_writes, 0, "round three wrote to AFAS");
        }
    }
    let linked = linked_relations(&world).await;
    let twice: Vec<_> = linked.iter().filter(|(_, relations)| relations.len() > 1).collect();
    assert!(twice.is_empty(), "debtors with more than one relation: {twice:?}");
}

#[tokio::test]
async fn an_organisations_contact_person_and_delivery_address_reach_its_relation() {
    let world = World::start(0).await;
    let journal = FakeJournal::default();
    world
        .run(FlowKind::Debtors, &settings(), &journal)
        .await
        .expect("the first run");
    // An organisation debtor of the seeded administration gets a contact person and a delivery address in AFAS.
    let debtors = world.rows("Profit_Debtor", "DebtorId").await;
    let organisation = debtors
        .iter()
        .find(|row| row["VatNr"].is_string() || row["ChOfCommNr"].is_string())
        .expect("an organisation debtor");
    let (debtor, code) = (
        organisation["DebtorId"].as_str().unwrap().to_owned(),
        organisation["BcCo"].as_str().unwrap().to_owned(),
    );
    let contacts = serde_json::json!([
        {"Fields": {"PadAdr": true, "ViKc": "PRS"}, "Objects": [{"KnPerson": {"Element": {
            "Fields": {"AutoNum": true, "MatchPer": "7", "BcId": 0, "FiNm": "Anna", "LaNm": "Jansen"}}}}]},
        {"Fields": {"PadAdr": true, "ViKc": "AFL"}, "Objects": [{"KnBasicAddressAdr": {"Element": {
            "Fields": {"CoId": "NL", "PbAd": false, "Ad": "Havenweg", "HmNr": 4, "ZpCd": "1234 AB", "Rs": "Zaandam"}}}}]}
    ]);
    let change = serde_json::json!({"KnSalesRelationOrg": {"Element": {"Fields": {"DbId": debtor},
        "Objects": [{"KnOrganisation": {"Element": {
            "Fields": {"AutoNum": false, "MatchOga": "0", "BcId": 0, "BcCo": code},
            "Objects": [{"KnContact": {"Element": contacts}}]}}}]}}});
    world
        .write_afas(reqwest::Method::PUT, "KnSalesRelationOrg", change)
        .await;

    world.clear_journal(System::Mplus).await;
    let report = world
        .run(FlowKind::Debtors, &settings(), &journal)
        .await
        .expect("the run after");
    assert_eq!(
        (report.counts.updated, report.counts.failed),
        (1, 0),
        "{:?}",
        failures(&journal)
    );
    let relation = &linked_relations(&world).await[&debtor][0];
    assert_eq!(relation.contact.as_deref(), Some("Anna Jansen"));
    assert_eq!(
        (
            relation.delivery_address.as_deref(),
            relation.delivery_zipcode.as_deref(),
            relation.delivery_city.as_deref(),
            relation.delivery_country.as_deref()
        ),
        (Some("Havenweg 4"), Some("1234 AB"), Some("Zaandam"), Some("NL"))
    );
    let again = world.run(FlowKind::Debtors, &settings(), &journal).await.unwrap();
    assert_eq!((again.counts.created, again.counts.updated), (0, 0));
}

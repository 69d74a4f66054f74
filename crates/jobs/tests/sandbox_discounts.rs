//! The discounts flow (a debtor's own terms in AFAS → its MplusKASSA relation) with the real adapters against
//! both simulators, over real sockets: after the articles and debtors flows, every AFAS debtor's own prices
//! valid today are its relation's article discounts and its line discount the relation's discount percentage
//! (read back through MplusKASSA's own `getRelations`), a second run writes nothing, and a discount changed at
//! the till is put back while the relation's discount-group entry stays; and with `discount_group_map`, a
//! debtor's AFAS discount group becomes its relation's discounts per MplusKASSA discount group.

mod sandbox_support;

use std::collections::BTreeMap;

use koppel_afas::{Filter, GetQuery, Operator};
use koppel_core::FlowKind;
use koppel_mplus::model::{Relation, RelationArticleDiscount, RelationArticleDiscountList};
use koppel_testkit::FakeJournal;
use rust_decimal::Decimal;
use sandbox_support::{System, World, exact, failures, settings};
use serde_json::Value;

/// Per debtor: (discount %, [(article, minimum amount, price incl. VAT)]).
type Terms = BTreeMap<String, (Option<i32>, Vec<(i64, i64, Decimal)>)>;

/// What AFAS gives its debtors of their own (its GetConnectors, as a person would read them).
async fn afas_terms(world: &World) -> Terms {
    let mut terms = Terms::new();
    let query = GetQuery::new("Profit_SalesPrice", ["Debtor", "Item", "Quantity"])
        .filter(Filter::new("Debtor", Operator::NotEmpty, "").and("Volume", Operator::Equal, true))
        .page_size(1_000);
    let rows: Vec<Value> = world.afas.get_all(query).await.expect("AFAS prices");
    for row in rows {
        let quantity = exact(&row["Quantity"]);
        let minimum = if quantity <= Decimal::ONE {
            0
        } else {
            quantity.trunc().mantissa() as i64
        };
        let article = row["Item"].as_str().unwrap().parse().unwrap();
        let entry = terms.entry(row["Debtor"].as_str().unwrap().to_owned()).or_default();
        entry.1.push((article, minimum, exact(&row["Nettoprijs"])));
    }
    for row in world.rows("Profit_Debtor", "DebtorId").await {
        if !row["LineDiscount"].is_null() {
            let percent = exact(&row["LineDiscount"]).trunc().mantissa() as i32;
            terms.entry(row["DebtorId"].as_str().unwrap().to_owned()).or_default().0 = Some(percent);
        }
    }
    for (_, prices) in terms.values_mut() {
        prices.sort();
    }
    terms
}

/// The linked relations, by debtor id.
async fn relations(world: &World) -> BTreeMap<String, Relation> {
    world
        .mplus
        .get_relations(&[], 0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|relation| Some((relation.ext_relation_id.clone()?, relation)))
        .collect()
}

/// What the till's linked relations hold of those debtors' terms: the discount and the article prices.
async fn till_terms(world: &World, debtors: impl Iterator<Item = &String>) -> Terms {
    let relations = relations(world).await;
    debtors
        .map(|id| {
            let relation = &relations[id];
            let mut prices: Vec<(i64, i64, Decimal)> = relation
                .relation_article_discount_list
                .iter()
                .flat_map(|list| &list.relation_article_discount)
                .filter(|entry| entry.article_number.is_some() && entry.price_incl.is_some())
                .map(|entry| {
                    (
                        entry.article_number.unwrap(),
                        entry.minimum_amount.unwrap_or(0),
                        entry.price_incl.unwrap(),
                    )
                })
                .collect();
            prices.sort();
            let discount = relation.discount_percentage.filter(|d| *d != 0);
            (id.clone(), (discount, prices))
        })
        .collect()
}

async fn run_clean(world: &World, flow: FlowKind) {
    let journal = FakeJournal::default();
    world.run(flow, &settings(), &journal).await.expect("the run");
    assert!(failures(&journal).is_empty(), "{flow}: {:?}", failures(&journal));
}

#[tokio::test]
async fn every_debtors_own_prices_and_discount_reach_its_relation_and_a_till_change_is_put_back() {
    let world = World::start(0).await;
    run_clean(&world, FlowKind::Articles).await;
    run_clean(&world, FlowKind::Debtors).await;
    let expected = afas_terms(&world).await;
    assert!(
        expected.values().any(|(discount, _)| discount.is_some())
            && expected.values().any(|(_, prices)| !prices.is_empty()),
        "the seeded administration gives debtors discounts and prices of their own: {expected:?}"
    );

    let journal = FakeJournal::default();
    let report = world
        .run(FlowKind::Discounts, &settings(), &journal)
        .await
        .expect("the run");
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));
    assert_eq!(report.counts.updated as usize, expected.len());
    assert_eq!(till_terms(&world, expected.keys()).await, expected);

    world.clear_journal(System::Mplus).await;
    let again = world
        .run(FlowKind::Discounts, &settings(), &journal)
        .await
        .expect("the second run");
    assert_eq!((again.counts.updated, again.counts.failed), (0, 0));
    assert_eq!(
        world.till_calls("updateRelation").await,
        0,
        "the second run writes nothing"
    );

    // At the till: a debtor's discount changed by hand, and a discount-group entry added beside its prices.
    let (debtor, _) = expected.iter().find(|(_, (discount, _))| discount.is_some()).unwrap();
    let relation = relations(&world).await.remove(debtor).unwrap();
    let mut entries = relation.relation_article_discount_list.clone().unwrap_or_default();
    entries.relation_article_discount.push(RelationArticleDiscount {
        article_discount_group_number: Some(3),
        discount_percentage: Some(10),
        ..RelationArticleDiscount::default()
    });
    let by_hand = Relation {
        relation_number: relation.relation_number,
        discount_percentage: Some(40),
        relation_article_discount_list: Some(RelationArticleDiscountList {
            relation_article_discount: entries.relation_article_discount,
        }),
        ..Relation::default()
    };
    world
        .mplus
        .update_relation(&by_hand)
        .await
        .expect("the change at the till");

    world.clear_journal(System::Mplus).await;
    let report = world
        .run(FlowKind::Discounts, &settings(), &journal)
        .await
        .expect("the run after it");
    assert_eq!(
        (report.counts.updated, report.counts.failed),
        (1, 0),
        "{:?}",
        failures(&journal)
    );
    assert_eq!(world.till_calls("updateRelation").await, 1);
    assert_eq!(
        till_terms(&world, expected.keys()).await,
        expected,
        "the discount is AFAS's again"
    );
    let kept = relations(&world).await.remove(debtor).unwrap();
    assert!(
        kept.relation_article_discount_list
            .iter()
            .flat_map(|list| &list.relation_article_discount)
            .any(|entry| entry.article_discount_group_number == Some(3)),
        "the discount group's entry stays: {kept:?}"
    );
}

/// The company's `discount_group_map`: the seeded AFAS article groups on the seeded till's article discount
/// groups.
fn with_discount_groups() -> koppel_sync::settings::FlowSettings {
    let mut settings = settings();
    settings.company.discount_group_map.table = [("100", "1"), ("200", "2"), ("300", "3")]
        .into_iter()
        .map(|(afas, till)| (afas.to_owned(), till.to_owned()))
        .collect();
    settings
}

/// Per linked debtor, its relation's discounts per discount group: (group, percentage), sorted.
async fn group_discounts(world: &World) -> BTreeMap<String, Vec<(i32, i32)>> {
    relations(world)
        .await
        .into_iter()
        .map(|(debtor, relation)| {
            let mut groups: Vec<(i32, i32)> = relation
                .relation_article_discount_list
                .iter()
                .flat_map(|list| &list.relation_article_discount)
                .filter(|entry| entry.article_number.is_none())
                .filter_map(|entry| Some((entry.article_discount_group_number?, entry.discount_percentage?)))
                .collect();
            groups.sort();
            (debtor, groups)
        })
        .filter(|(_, groups)| !groups.is_empty())
        .collect()
}

/// The seeded debtors' discount groups (`DiscountGroup`, the sales relation's `DsGr`), by debtor id.
async fn afas_discount_groups(world: &World) -> BTreeMap<String, String> {
    world
        .rows("Profit_Debtor", "DebtorId")
        .await
        .into_iter()
        .filter_map(|row| {
            let group = row["DiscountGroup"].as_str()?.to_owned();
            Some((row["DebtorId"].as_str()?.to_owned(), group))
        })
        .collect()
}

#[tokio::test]
async fn a_debtors_discount_group_becomes_its_relations_discount_per_till_discount_group() {
    let world = World::start(0).await;
    let settings = with_discount_groups();
    for flow in [FlowKind::Articles, FlowKind::Debtors] {
        let journal = FakeJournal::default();
        world.run(flow, &settings, &journal).await.expect("the run");
        assert!(failures(&journal).is_empty(), "{flow}: {:?}", failures(&journal));
    }
    // The articles flow put each article in its AFAS group's discount group.
    let products = world
        .mplus
        .get_products(&koppel_mplus::ProductFilter::default(), 0, 100_000)
        .await
        .unwrap();
    let group_of = |number: i64| {
        products
            .iter()
            .flat_map(|p| &p.article_list)
            .find(|a| a.article_number == Some(number))
            .and_then(|a| a.article_discount_group_number)
    };
    assert_eq!(
        group_of(1000),
        Some(1),
        "article 1000 (AFAS group 100) is in discount group 1"
    );

    let groups = afas_discount_groups(&world).await;
    let horeca = groups
        .iter()
        .find(|(_, g)| *g == "HOR")
        .map(|(d, _)| d.clone())
        .unwrap();
    let groot = groups
        .iter()
        .find(|(_, g)| *g == "GROOT")
        .map(|(d, _)| d.clone())
        .unwrap();

    let journal = FakeJournal::default();
    world
        .run(FlowKind::Discounts, &settings, &journal)
        .await
        .expect("the run");
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));
    let till = group_discounts(&world).await;
    assert_eq!(till.get(&horeca), Some(&vec![(1, 10), (2, 5)]), "{till:?}");
    assert_eq!(till.get(&groot), Some(&vec![(1, 15), (3, 7)]), "{till:?}");

    // AFAS holds 7.5% where MplusKASSA holds whole percentages: that debtor fails with the reason and keeps
    // what it had; the accountant rounds it in AFAS and the next run (a full comparison) books it.
    let groot_lines = |percentage: &str| {
        serde_json::json!({"code": "GROOT", "description": "Groothandel", "lines": [
            {"articleGroup": "100", "percentage": "15"},
            {"articleGroup": "300", "percentage": percentage},
        ]})
    };
    world
        .post_control(System::Afas, "discount-groups", groot_lines("7.5"))
        .await;
    let fraction = FakeJournal::default();
    world
        .run(FlowKind::Discounts, &settings, &fraction)
        .await
        .expect("the run");
    let failed = failures(&fraction);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, groot);
    assert!(
        failed[0].1.as_deref().unwrap_or_default().contains("whole number"),
        "{failed:?}"
    );
    assert_eq!(group_discounts(&world).await.get(&groot), Some(&vec![(1, 15), (3, 7)]));
    world
        .post_control(System::Afas, "discount-groups", groot_lines("8"))
        .await;
    let next = FakeJournal::default();
    let report = world
        .run(FlowKind::Discounts, &settings, &next)
        .await
        .expect("the next run");
    assert_eq!(
        (report.counts.updated, report.counts.failed),
        (1, 0),
        "{:?}",
        failures(&next)
    );
    assert_eq!(group_discounts(&world).await.get(&groot), Some(&vec![(1, 15), (3, 8)]));
    world.clear_journal(System::Mplus).await;
    let again = world
        .run(FlowKind::Discounts, &settings, &journal)
        .await
        .expect("the second run");
    assert_eq!((again.counts.updated, again.counts.failed), (0, 0));
    assert_eq!(
        world.till_calls("updateRelation").await,
        0,
        "the second run writes nothing"
    );
}

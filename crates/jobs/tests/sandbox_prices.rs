//! The prices flow (AFAS price lists → MplusKASSA price groups) with the real adapters against both
//! simulators, over real sockets: after the articles flow, every price AFAS's mapped lists hold today (volume
//! prices as quantity breaks) is on the till's article in its price group (read back through MplusKASSA's own
//! `getProducts`), a second run writes nothing, a price changed by hand at the till is put back while the
//! till's unmapped groups are left alone, a new AFAS volume price is carried over, and a price group the till
//! does not have stops the run with the reason.

mod sandbox_support;

use std::collections::BTreeMap;

use koppel_afas::{Filter, GetQuery, Operator};
use koppel_core::FlowKind;
use koppel_mplus::model::Product;
use koppel_mplus::{ArticleWrite, ArticleWriteList, PriceGroupWrite, PriceGroupWriteList, ProductFilter, ProductWrite};
use koppel_sync::settings::{FlowSettings, ValueMap};
use koppel_testkit::FakeJournal;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sandbox_support::{System, World, exact, failures, settings};
use serde_json::{Value, json};

/// (article number, price group, minimum amount) → price incl. VAT.
type GroupPrices = BTreeMap<(i64, i32, i32), Decimal>;

fn map(rows: &[(&str, &str)]) -> ValueMap {
    ValueMap {
        table: rows.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..ValueMap::default()
    }
}

/// The wizard's settings: the articles flow's turnover group, and the seeded price lists on the seeded till's
/// first two price groups.
fn with_price_lists() -> FlowSettings {
    let settings = settings();
    assert_eq!(settings.company.price_list_map, map(&[("HOR", "1"), ("GRO", "2")]));
    settings
}

/// What AFAS's mapped lists hold today, as the till's groups should show it (AFAS's own GetConnector).
async fn afas_prices(world: &World) -> GroupPrices {
    let mut expected = GroupPrices::new();
    for (list, group) in [("HOR", 1), ("GRO", 2)] {
        let query = GetQuery::new("Profit_SalesPrice", ["Item", "Quantity"])
            .filter(Filter::new("Level", Operator::Equal, list).and("Volume", Operator::Equal, true))
            .page_size(1_000);
        let rows: Vec<Value> = world.afas.get_all(query).await.expect("AFAS prices");
        for row in rows {
            let quantity = exact(&row["Quantity"]);
            let minimum = if quantity <= Decimal::ONE {
                0
            } else {
                quantity.to_i32().unwrap()
            };
            let number: i64 = row["Item"].as_str().unwrap().parse().unwrap();
            expected.insert((number, group, minimum), exact(&row["Nettoprijs"]));
        }
    }
    expected
}

/// The till's price-group prices of every article, through its own `getProducts`.
async fn till_prices(world: &World) -> GroupPrices {
    let products: Vec<Product> = world
        .mplus
        .get_products(&ProductFilter::default(), 0, 100_000)
        .await
        .unwrap();
    products
        .iter()
        .flat_map(|product| &product.article_list)
        .flat_map(|article| {
            article.price_group_list.iter().map(move |group| {
                (
                    (
                        article.article_number.unwrap(),
                        group.price_group_number,
                        group.minimum_amount.unwrap_or_default(),
                    ),
                    group.price_incl.unwrap(),
                )
            })
        })
        .collect()
}

fn in_groups(prices: &GroupPrices, groups: &[i32]) -> GroupPrices {
    prices
        .iter()
        .filter(|((_, group, _), _)| groups.contains(group))
        .map(|(key, price)| (*key, *price))
        .collect()
}

/// The till's article as its back office would change it: one article's whole price-group list.
async fn set_till_prices(world: &World, number: i64, prices: &[(i32, i32, Decimal)]) {
    let products: Vec<Product> = world
        .mplus
        .get_products(
            &ProductFilter {
                article_numbers: vec![number],
                ..ProductFilter::default()
            },
            0,
            100,
        )
        .await
        .unwrap();
    let product = ProductWrite {
        product_number: products[0].product_number,
        article_list: ArticleWriteList {
            article: vec![ArticleWrite {
                article_number: Some(number),
                price_group_list: Some(PriceGroupWriteList {
                    price_group: prices
                        .iter()
                        .map(|(group, minimum, price)| PriceGroupWrite {
                            price_group_number: *group,
                            price_incl: Some(*price),
                            price_excl: None,
                            minimum_amount: (*minimum > 0).then_some(*minimum),
                        })
                        .collect(),
                }),
                ..ArticleWrite::default()
            }],
        },
        ..ProductWrite::default()
    };
    world
        .mplus
        .update_product(&product)
        .await
        .expect("the change at the till");
}

async fn articles_at_the_till(world: &World, settings: &FlowSettings) {
    let journal = FakeJournal::default();
    world
        .run(FlowKind::Articles, settings, &journal)
        .await
        .expect("the articles run");
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));
}

#[tokio::test]
async fn every_price_of_the_mapped_lists_reaches_its_price_group_and_a_second_run_writes_nothing() {
    let world = World::start(0).await;
    let settings = with_price_lists();
    articles_at_the_till(&world, &settings).await;
    let journal = FakeJournal::default();
    let report = world
        .run(FlowKind::Prices, &settings, &journal)
        .await
        .expect("the prices run");
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));
    let expected = afas_prices(&world).await;
    let articles: std::collections::BTreeSet<i64> = expected.keys().map(|(n, ..)| *n).collect();
    assert!(
        articles.len() >= 5,
        "the seeded lists price several articles: {expected:?}"
    );
    assert!(
        expected.keys().any(|(_, _, minimum)| *minimum > 0),
        "the seeded lists have volume prices"
    );
    assert_eq!(report.counts.updated as usize, articles.len());
    assert_eq!(in_groups(&till_prices(&world).await, &[1, 2]), expected);

    world.clear_journal(System::Mplus).await;
    let again = world
        .run(FlowKind::Prices, &settings, &journal)
        .await
        .expect("the second run");
    assert_eq!((again.counts.updated, again.counts.failed), (0, 0));
    assert_eq!(
        world.till_calls("updateProduct").await,
        0,
        "the second run writes nothing"
    );
}

#[tokio::test]
async fn a_price_changed_at_the_till_is_put_back_its_other_groups_stay_and_a_new_volume_price_arrives() {
    let world = World::start(0).await;
    let settings = with_price_lists();
    articles_at_the_till(&world, &settings).await;
    let journal = FakeJournal::default();
    world
        .run(FlowKind::Prices, &settings, &journal)
        .await
        .expect("the first run");
    let before = till_prices(&world).await;
    let (number, _, _) = *before
        .keys()
        .find(|(_, group, _)| *group == 1)
        .expect("a priced article");

    // At the till: the Horeca price halved, a price in the unmapped group 3 added by hand.
    let mut by_hand: Vec<(i32, i32, Decimal)> = before
        .iter()
        .filter(|((n, ..), _)| *n == number)
        .map(|((_, group, minimum), price)| (*group, *minimum, *price))
        .collect();
    for (_, _, price) in by_hand.iter_mut().filter(|(group, ..)| *group == 1) {
        *price = (*price / Decimal::TWO).round_dp(2);
    }
    by_hand.push((3, 0, Decimal::new(100, 2)));
    set_till_prices(&world, number, &by_hand).await;
    // In AFAS: a new volume price on the Groothandel list for the same article, from 50 pieces.
    let new_break = json!({"FbSalesPrice": {"Element": {"Fields": {
        "VaIt": "2", "ItCd": number.to_string(), "BiUn": "stk", "PrLi": "GRO", "CuId": "EUR",
        "DaBg": "2020-01-01", "Pric": 1.23, "CrPr": true, "Am": 50}}}});
    world.write_afas(reqwest::Method::POST, "FbSalesPrice", new_break).await;

    world.clear_journal(System::Mplus).await;
    let report = world
        .run(FlowKind::Prices, &settings, &journal)
        .await
        .expect("the run after the changes");
    assert_eq!(
        (report.counts.updated, report.counts.failed),
        (1, 0),
        "{:?}",
        failures(&journal)
    );
    assert_eq!(world.till_calls("updateProduct").await, 1);
    let after = till_prices(&world).await;
    assert_eq!(in_groups(&after, &[1, 2]), afas_prices(&world).await);
    assert_eq!(
        after.get(&(number, 2, 50)),
        Some(&Decimal::new(123, 2)),
        "the new break arrived"
    );
    assert_eq!(
        after.get(&(number, 3, 0)),
        Some(&Decimal::new(100, 2)),
        "the unmapped group stays"
    );
}

#[tokio::test]
async fn a_price_group_the_till_lacks_stops_the_run_with_the_reason_and_writes_nothing() {
    let world = World::start(0).await;
    let mut settings = with_price_lists();
    articles_at_the_till(&world, &settings).await;
    settings.company.price_list_map = map(&[("HOR", "1"), ("GRO", "77")]);
    world.clear_journal(System::Mplus).await;
    let error = world
        .run(FlowKind::Prices, &settings, &FakeJournal::default())
        .await
        .expect_err("the run stops");
    let message = error.to_string();
    assert!(message.contains("77") && message.contains("back office"), "{message}");
    assert_eq!(world.till_calls("updateProduct").await, 0);
}

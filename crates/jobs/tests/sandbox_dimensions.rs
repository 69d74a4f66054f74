//! AFAS dimension articles (an item sold in colours and sizes, `StD1`/`StD2`, with a barcode per combination
//! in `Profit_Barcode_per_Item`) through the real adapters against both simulators, over real sockets: the
//! articles flow makes the item one MplusKASSA product with an article per combination (its colour, size and
//! barcode; the item's own article kept inactive), read back through MplusKASSA's own `getProducts`; a second
//! run writes nothing; a combination added or dropped in AFAS is added or made inactive at the till; a sale of
//! a combination is booked on the AFAS item with its dimension codes (`StL1`, `StL2`); the products and stock
//! flows leave these articles alone instead of sending them to AFAS as articles of their own.

mod sandbox_support;

use std::collections::BTreeMap;

use koppel_core::FlowKind;
use koppel_mplus::model::{Article, NewLine, NewOrder, NewPayment, OrderType};
use koppel_mplus::{ProductFilter, model::Product};
use koppel_sync::settings::{FlowSettings, ValueMap};
use koppel_testkit::FakeJournal;
use rust_decimal::Decimal;
use sandbox_support::{System, World, body, failures, settings};
use serde_json::json;

/// The seeded dimension item: "Polo piqué", KLEUR × MATEN.
const ITEM: &str = "1030";

fn articles_settings() -> FlowSettings {
    let mut settings = settings();
    settings.turnover_group_map = ValueMap {
        default: Some("10".into()),
        ..ValueMap::default()
    };
    settings.article_groups_to_till = false;
    settings
}

/// The till's product of the item, every article of it, read through `getProducts`.
async fn till_product(world: &World) -> Product {
    let filter = ProductFilter {
        article_numbers: vec![ITEM.parse().unwrap()],
        whole_products: true,
        ..ProductFilter::default()
    };
    let mut products = world.mplus.get_products(&filter, 0, 1_000).await.unwrap();
    assert_eq!(products.len(), 1, "one product holds the item");
    products.remove(0)
}

/// A combination's article at the till.
#[derive(Debug, Clone)]
struct Combination {
    number: i64,
    barcode: String,
    active: bool,
    price: Decimal,
    ext_id: String,
}

/// The product's combinations by (colour, size).
fn combinations(product: &Product) -> BTreeMap<(String, String), Combination> {
    product
        .article_list
        .iter()
        .filter(|article| article.article_number != Some(ITEM.parse().unwrap()))
        .map(|article: &Article| {
            let text = |value: &Option<String>| value.clone().unwrap_or_default();
            let combination = Combination {
                number: article.article_number.unwrap(),
                barcode: text(&article.barcode),
                active: article.active.unwrap_or(true),
                price: article.price_incl.unwrap_or_default(),
                ext_id: text(&article.ext_article_id),
            };
            ((text(&article.colour), text(&article.size)), combination)
        })
        .collect()
}

/// AFAS's combinations of the item: (dimension 1, dimension 2) → barcode.
async fn afas_combinations(world: &World) -> BTreeMap<(String, String), String> {
    world
        .rows("Profit_Barcode_per_Item", "Barcode")
        .await
        .into_iter()
        .filter(|row| row["ItemCode"] == ITEM && row["StockDimCode1"].is_string())
        .map(|row| {
            let text = |field: &str| row[field].as_str().unwrap_or_default().to_owned();
            ((text("StockDimCode1"), text("StockDimCode2")), text("Barcode"))
        })
        .collect()
}

async fn till_writes(world: &World) -> usize {
    world.till_calls("createProduct").await + world.till_calls("updateProduct").await
}

/// A run of `flow` with the test's settings and a journal of its own, which fails nothing.
async fn run_clean(world: &World, flow: FlowKind) {
    let journal = FakeJournal::default();
    world.run(flow, &articles_settings(), &journal).await.expect("the run");
    assert!(failures(&journal).is_empty(), "{flow}: {:?}", failures(&journal));
}

#[tokio::test]
async fn a_dimension_article_is_one_till_product_with_an_article_per_combination_that_follows_afas() {
    let world = World::start(0).await;
    let settings = articles_settings();
    let journal = FakeJournal::default();
    run_clean(&world, FlowKind::Articles).await;

    let product = till_product(&world).await;
    assert_eq!(product.description.as_deref(), Some("Polo piqué"));
    let own = product
        .article_list
        .iter()
        .find(|a| a.article_number == Some(ITEM.parse().unwrap()))
        .unwrap();
    assert_eq!(own.active, Some(false), "the item's own article is not sold");
    assert_eq!(own.ext_article_id.as_deref(), Some("1030;"));
    let expected = afas_combinations(&world).await;
    assert_eq!(expected.len(), 4, "the seeded item has four combinations");
    let till = combinations(&product);
    // KLEUR is the till's colour, MATEN (`variant_size_dimension`) its size.
    assert_eq!(
        till.keys().cloned().collect::<Vec<_>>(),
        expected.keys().cloned().collect::<Vec<_>>()
    );
    for ((colour, size), barcode) in &expected {
        let combination = &till[&(colour.clone(), size.clone())];
        assert_eq!(&combination.barcode, barcode, "{colour}/{size}");
        assert!(combination.active, "{colour}/{size} is for sale");
        assert_eq!(
            combination.price,
            Decimal::new(3995, 2),
            "{colour}/{size} has the item's price"
        );
        assert_eq!(combination.ext_id, format!("{ITEM};{colour};{size}"));
    }

    // A second run writes nothing.
    world.clear_journal(System::Mplus).await;
    let again = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the second run");
    assert_eq!(
        (again.counts.created, again.counts.updated, again.counts.failed),
        (0, 0, 0)
    );
    assert_eq!(till_writes(&world).await, 0, "the second run writes nothing");

    // AFAS gains a size and drops a combination: the till gets a new article and the dropped one stops selling
    // (kept: it was sold before); the others keep their numbers.
    world
        .post_control(
            System::Afas,
            "article-dimensions",
            json!({"itemCode": ITEM, "combinations": [
                {"dimension1": "ROOD", "dimension2": "M", "barcode": "8712345100001"},
                {"dimension1": "ROOD", "dimension2": "L", "barcode": "8712345100018"},
                {"dimension1": "NAVY", "dimension2": "M", "barcode": "8712345100025"},
                {"dimension1": "ROOD", "dimension2": "XL", "barcode": "8712345100049"},
            ]}),
        )
        .await;
    let changed = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the run after the change");
    assert_eq!(
        (changed.counts.updated, changed.counts.failed),
        (1, 0),
        "{:?}",
        failures(&journal)
    );
    let after = combinations(&till_product(&world).await);
    assert_eq!(after.len(), 5);
    let xl = &after[&("ROOD".to_owned(), "XL".to_owned())];
    assert_eq!((xl.barcode.as_str(), xl.active), ("8712345100049", true));
    assert!(
        !after[&("NAVY".to_owned(), "L".to_owned())].active,
        "a combination AFAS dropped stops selling"
    );
    for key in [("ROOD", "M"), ("ROOD", "L"), ("NAVY", "M")] {
        let key = (key.0.to_owned(), key.1.to_owned());
        assert_eq!(
            after[&key].number, till[&key].number,
            "{key:?} keeps its article number"
        );
    }
    world.clear_journal(System::Mplus).await;
    world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("a settled run");
    assert_eq!(till_writes(&world).await, 0, "settled after the change");
}

#[tokio::test]
async fn a_sale_of_a_combination_is_booked_on_the_afas_item_with_its_dimensions_and_other_flows_leave_it() {
    let world = World::start(0).await;
    let settings = articles_settings();
    run_clean(&world, FlowKind::Articles).await;
    let till = combinations(&till_product(&world).await);
    let Combination { number, price, .. } = till[&("NAVY".to_owned(), "L".to_owned())].clone();

    let order = NewOrder {
        ext_order_id: "dimension-sale".into(),
        order_type: Some(OrderType::SalesOrder),
        employee_number: Some(999_999),
        relation_number: Some(world.shop().relations[0].number),
        lines: vec![NewLine {
            article_number: number,
            quantity: Decimal::TWO,
            price: Some(price),
            ..NewLine::default()
        }],
        ..NewOrder::default()
    };
    let payment = NewPayment {
        method: "PIN".into(),
        amount: price * Decimal::TWO,
        description: None,
        external_reference: None,
    };
    world
        .mplus
        .create_order(&order, "dimension-sale", &[payment])
        .await
        .unwrap();

    let orders = FakeJournal::default();
    world
        .run(FlowKind::Orders, &settings, &orders)
        .await
        .expect("the orders run");
    assert!(failures(&orders).is_empty(), "{:?}", failures(&orders));
    let booked: Vec<serde_json::Value> = world
        .afas_writes(Some("FbSales"))
        .await
        .iter()
        .filter(|entry| entry.status == 201)
        .map(body)
        .collect();
    assert_eq!(booked.len(), 1, "the sale is booked once");
    let lines = &booked[0]["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"];
    let line = lines.as_array().map(|l| l[0].clone()).unwrap_or_else(|| lines.clone());
    let fields = &line["Fields"];
    assert_eq!(
        (&fields["ItCd"], &fields["StL1"], &fields["StL2"]),
        (&json!(ITEM), &json!("NAVY"), &json!("L")),
        "booked on the item with its dimensions: {fields}"
    );

    // The products flow (till → AFAS) leaves the combinations and the item's own article alone, and the stock
    // flow sends no stock for them, each with its reason.
    for flow in [FlowKind::Products, FlowKind::Stock] {
        let other = FakeJournal::default();
        world.run(flow, &settings, &other).await.expect("the run");
        let entry = other
            .entries()
            .into_iter()
            .find(|entry| entry.source_id == number.to_string())
            .unwrap_or_else(|| panic!("{flow}: the combination is a record"));
        assert_eq!(entry.outcome, koppel_sync::ports::Outcome::Skipped, "{flow}: {entry:?}");
        let reason = entry.reason.clone().unwrap_or_default();
        assert!(
            reason.contains("combination NAVY/L of AFAS dimension article 1030"),
            "{flow}: {reason}"
        );
    }
    let item_code_writes = world
        .afas_writes(Some("FbItemArticle"))
        .await
        .iter()
        .filter(|entry| body(entry).to_string().contains(&format!("\"{number}\"")))
        .count();
    assert_eq!(item_code_writes, 0, "no AFAS article is made of a combination");
}

#[tokio::test]
async fn a_price_list_price_of_a_dimension_item_reaches_every_combination() {
    let world = World::start(0).await;
    run_clean(&world, FlowKind::Articles).await;
    let price = json!({"FbSalesPrice": {"Element": {"Fields": {
        "VaIt": "2", "ItCd": ITEM, "BiUn": "stk", "PrLi": "HOR", "CuId": "EUR",
        "DaBg": "2020-01-01", "Pric": 35.5}}}});
    world.write_afas(reqwest::Method::POST, "FbSalesPrice", price).await;

    run_clean(&world, FlowKind::Prices).await;
    let product = till_product(&world).await;
    assert_eq!(product.article_list.len(), 5);
    for article in &product.article_list {
        let groups: Vec<(i32, Decimal)> = article
            .price_group_list
            .iter()
            .map(|p| (p.price_group_number, p.price_incl.unwrap_or_default()))
            .collect();
        assert!(
            groups.contains(&(1, Decimal::new(3550, 2))),
            "article {:?} has the HOR price in group 1: {groups:?}",
            article.article_number
        );
    }
    world.clear_journal(System::Mplus).await;
    run_clean(&world, FlowKind::Prices).await;
    assert_eq!(till_writes(&world).await, 0, "a second run writes nothing");
}

#[tokio::test]
async fn a_debtors_own_price_of_a_dimension_item_reaches_every_combination_on_its_relation() {
    let world = World::start(0).await;
    run_clean(&world, FlowKind::Articles).await;
    run_clean(&world, FlowKind::Debtors).await;
    let price = json!({"FbSalesPrice": {"Element": {"Fields": {
        "VaIt": "2", "ItCd": ITEM, "BiUn": "stk", "DbId": "10001", "CuId": "EUR",
        "DaBg": "2020-01-01", "Pric": 33.0}}}});
    world.write_afas(reqwest::Method::POST, "FbSalesPrice", price).await;
    run_clean(&world, FlowKind::Discounts).await;

    let product = till_product(&world).await;
    let mut expected: Vec<i64> = product.article_list.iter().filter_map(|a| a.article_number).collect();
    expected.sort_unstable();
    let relation = world
        .mplus
        .get_relations(&[], 0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.ext_relation_id.as_deref() == Some("10001"))
        .expect("debtor 10001's relation");
    let mut priced: Vec<i64> = relation
        .relation_article_discount_list
        .iter()
        .flat_map(|list| &list.relation_article_discount)
        .filter(|entry| entry.price_incl == Some(Decimal::new(3300, 2)))
        .filter_map(|entry| entry.article_number)
        .collect();
    priced.sort_unstable();
    assert_eq!(
        priced, expected,
        "the item and each of its combinations at the debtor's price"
    );
    world.clear_journal(System::Mplus).await;
    run_clean(&world, FlowKind::Discounts).await;
    assert_eq!(
        world.till_calls("updateRelation").await,
        0,
        "a second run writes nothing"
    );
}

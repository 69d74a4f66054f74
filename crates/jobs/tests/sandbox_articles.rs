//! The articles flow (AFAS → MplusKASSA) with the real adapters against both simulators, over real sockets:
//! every AFAS article reaches the till under its item code with AFAS's price, VAT, barcode and texts (read back
//! through MplusKASSA's own `getProducts`), a second run writes nothing, a change in AFAS is carried over (its
//! texts only with `update_product_info`), and with the products flow on as well (the other direction) the
//! two settle after one round instead of writing each other's records back and forth.

mod sandbox_support;

use std::collections::BTreeMap;

use koppel_core::FlowKind;
use koppel_mplus::ProductFilter;
use koppel_mplus::model::Product;
use koppel_sync::model::ArticleDraft;
use koppel_sync::ports::ErpTarget;
use koppel_sync::settings::{FlowSettings, ValueMap};
use koppel_testkit::FakeJournal;
use rust_decimal::Decimal;
use sandbox_support::{System, World, failures, settings};
use serde_json::Value;

fn map(rows: &[(&str, &str)], default: Option<&str>) -> ValueMap {
    ValueMap {
        table: rows.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        default: default.map(str::to_owned),
        ..ValueMap::default()
    }
}

/// The seeded administration's four article groups on the seeded till's turnover groups, and the till's six
/// turnover groups back (the products flow's `article_group_map`): two pairs of turnover groups share an AFAS
/// group, as in a real shop whose AFAS groups are coarser than its till's.
fn both_ways() -> FlowSettings {
    let mut settings = settings();
    settings.turnover_group_map = map(&[("100", "10"), ("200", "20"), ("300", "30"), ("900", "50")], None);
    settings.company.article_group_map = map(
        &[
            ("10", "100"),
            ("20", "200"),
            ("30", "300"),
            ("40", "300"),
            ("50", "900"),
            ("90", "900"),
        ],
        Some("900"),
    );
    settings
}

fn decimal(value: &Value) -> Option<Decimal> {
    value.to_string().trim_matches('"').parse().ok()
}

/// What AFAS says of each article, as the till should have it: description, price incl. VAT (none when AFAS
/// has no sales price: the till keeps its own), VAT %, barcode, active.
async fn afas_articles(world: &World) -> BTreeMap<i64, (String, Option<Decimal>, Decimal, String, bool)> {
    let prices: BTreeMap<String, Option<Decimal>> = world
        .rows("Profit_Article_Basic", "ItemCode")
        .await
        .iter()
        .map(|row| {
            (
                row["ItemCode"].as_str().unwrap().to_owned(),
                decimal(&row["BasicSalesPrice"]),
            )
        })
        .collect();
    let percentage = |group: &str| match group {
        "1" => Decimal::from(21),
        "2" => Decimal::from(9),
        _ => Decimal::ZERO,
    };
    world
        .rows("Profit_Article", "ItemCode")
        .await
        .iter()
        .filter(|row| row["Blocked"] != Value::Bool(true))
        .map(|row| {
            let code = row["ItemCode"].as_str().unwrap();
            (
                code.parse().unwrap(),
                (
                    row["Description"].as_str().unwrap().to_owned(),
                    prices[code],
                    percentage(row["VATGroup"].as_str().unwrap_or_default()),
                    row["Barcode"].as_str().unwrap_or_default().to_owned(),
                    // A dimension item's own article is not sold: its combinations are (`sandbox_dimensions`).
                    row["StockDimId1"].as_str().is_none_or(str::is_empty),
                ),
            )
        })
        .collect()
}

/// What the till says of these articles, read through its own `getProducts`.
async fn till_articles(
    world: &World,
    numbers: &[i64],
) -> BTreeMap<i64, (String, Option<Decimal>, Decimal, String, bool)> {
    let filter = ProductFilter {
        article_numbers: numbers.to_vec(),
        ..ProductFilter::default()
    };
    let products: Vec<Product> = world.mplus.get_products(&filter, 0, 100_000).await.unwrap();
    products
        .iter()
        .flat_map(|product| &product.article_list)
        .filter(|article| article.article_number.is_some_and(|n| numbers.contains(&n)))
        .map(|article| {
            (
                article.article_number.unwrap(),
                (
                    article.description.clone().unwrap_or_default(),
                    article.price_incl,
                    Decimal::from(article.vat_percentage.unwrap_or_default()),
                    article.barcode.clone().unwrap_or_default(),
                    article.active.unwrap_or(true),
                ),
            )
        })
        .collect()
}

/// The till writes (createProduct, updateProduct) the simulator received since its journal was cleared.
async fn till_writes(world: &World) -> Vec<String> {
    world
        .journal(System::Mplus)
        .await
        .into_iter()
        .filter_map(|entry| entry.operation)
        .filter(|operation| operation == "createProduct" || operation == "updateProduct")
        .collect()
}

/// AFAS writes (POST or PUT) the simulator received since its journal was cleared.
async fn afas_writes(world: &World) -> usize {
    world
        .journal(System::Afas)
        .await
        .into_iter()
        .filter(|entry| entry.method != "GET")
        .count()
}

#[tokio::test]
async fn every_afas_article_reaches_the_till_once_with_its_price_vat_and_barcode_and_a_second_run_writes_nothing() {
    let world = World::start(0).await;
    let settings = both_ways();
    let journal = FakeJournal::default();
    let report = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the run");
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));
    let expected = afas_articles(&world).await;
    assert!(expected.len() >= 30, "the seeded administration has its articles");
    assert_eq!(report.counts.created as usize, expected.len());
    let numbers: Vec<i64> = expected.keys().copied().collect();
    assert_eq!(till_articles(&world, &numbers).await, expected);

    world.clear_journal(System::Mplus).await;
    let again = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the second run");
    assert_eq!(
        (again.counts.created, again.counts.updated, again.counts.failed),
        (0, 0, 0)
    );
    assert!(till_writes(&world).await.is_empty(), "the second run writes nothing");

    // A run that lost its journal (a crash before the entries were written) reads everything again and still
    // finds nothing to write: the till's article numbers are the guard.
    let forgetful = FakeJournal::default();
    let fresh = world
        .run(FlowKind::Articles, &settings, &forgetful)
        .await
        .expect("a run without a journal");
    assert_eq!((fresh.counts.created, fresh.counts.updated), (0, 0));
    assert!(till_writes(&world).await.is_empty());
}

#[tokio::test]
async fn a_price_change_in_afas_reaches_the_till_and_texts_follow_only_with_update_product_info() {
    let world = World::start(0).await;
    let mut settings = both_ways();
    let journal = FakeJournal::default();
    world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the first run");
    let code = "1001";
    let target = world.target(&settings);
    let draft = ArticleDraft {
        item_code: code.into(),
        description: "Spijkerbroek slim fit (nieuw)".into(),
        long_description: None,
        short_description: None,
        group: Some("100".into()),
        unit: Some("stk".into()),
        // AFAS's sales price (`SaPrice`, what `BasicSalesPrice` reads), which this company keeps incl. VAT.
        price: Decimal::new(8495, 2),
        price_includes_vat: false,
        ean: None,
        vat_group: Some("1".into()),
    };
    target.update_article(&draft).await.expect("the change in AFAS");

    world.clear_journal(System::Mplus).await;
    let report = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the run after the change");
    assert_eq!(
        (report.counts.created, report.counts.updated, report.counts.failed),
        (0, 1, 0)
    );
    let till = till_articles(&world, &[1001]).await;
    let (description, price, ..) = &till[&1001];
    assert_eq!(*price, Some(Decimal::new(8495, 2)), "the new price is at the till");
    assert_eq!(
        description, "Spijkerbroek slim fit S",
        "update_product_info is off: the text stays"
    );
    assert_eq!(till_writes(&world).await, ["updateProduct"]);

    // With update_product_info on, a full resync (a run from the start) carries the text over too.
    settings.update_product_info = true;
    let resync = world
        .run(FlowKind::Articles, &settings, &FakeJournal::default())
        .await
        .expect("the resync");
    assert_eq!((resync.counts.created, resync.counts.updated), (0, 1));
    let till = till_articles(&world, &[1001]).await;
    assert_eq!(till[&1001].0, "Spijkerbroek slim fit (nieuw)");
}

#[tokio::test]
async fn with_both_directions_on_the_flows_settle_after_one_round_and_write_nothing_back() {
    let world = World::start(0).await;
    let mut settings = both_ways();
    settings.update_product_info = true;
    let (articles, products) = (FakeJournal::default(), FakeJournal::default());
    // Round one: AFAS's articles to the till, then the till's (its own and AFAS's) to AFAS.
    for (flow, journal) in [(FlowKind::Articles, &articles), (FlowKind::Products, &products)] {
        world.run(flow, &settings, journal).await.expect("round one");
        assert!(failures(journal).is_empty(), "{flow}: {:?}", failures(journal));
    }
    // Round two may only align what round one made on each side (the till's own articles reach the till's
    // article texts as AFAS writes them); round three must write nothing at all.
    for round in [2, 3] {
        world.clear_journal(System::Mplus).await;
        world.clear_journal(System::Afas).await;
        for (flow, journal) in [(FlowKind::Articles, &articles), (FlowKind::Products, &products)] {
            world.run(flow, &settings, journal).await.expect("a later round");
            assert!(failures(journal).is_empty(), "{flow}: {:?}", failures(journal));
        }
        if round == 3 {
            assert!(till_writes(&world).await.is_empty(), "round three wrote to the till");
            assert_eq!(afas_writes(&world).await, 0, "round three wrote to AFAS");
        }
    }
    // And the till has every AFAS article as AFAS has it.
    let expected = afas_articles(&world).await;
    let numbers: Vec<i64> = expected.keys().copied().collect();
    let till = till_articles(&world, &numbers).await;
    for (number, (_, price, vat, barcode, active)) in &expected {
        let (_, till_price, till_vat, till_barcode, till_active) = &till[number];
        assert_eq!(
            (till_vat, till_barcode, till_active),
            (vat, barcode, active),
            "article {number}"
        );
        if price.is_some() {
            assert_eq!(till_price, price, "article {number}");
        }
    }
}

#[tokio::test]
async fn an_item_code_the_till_cannot_hold_fails_with_its_reason_and_a_fixed_setting_retries_a_record() {
    let world = World::start(0).await;
    let target = world.target(&settings());
    let odd = ArticleDraft {
        item_code: "TAS-01".into(),
        description: "Tas".into(),
        long_description: None,
        short_description: None,
        group: Some("300".into()),
        unit: Some("stk".into()),
        price: Decimal::new(1995, 2),
        price_includes_vat: false,
        ean: None,
        vat_group: Some("1".into()),
    };
    koppel_sync::ports::ErpTarget::create_article(&target, &odd)
        .await
        .expect("AFAS takes a code with letters");
    // No turnover group for the accessories (300), and no default: those articles fail for the setting.
    let mut settings = both_ways();
    settings.turnover_group_map = map(&[("100", "10"), ("200", "20"), ("900", "50")], None);
    let journal = FakeJournal::default();
    world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the run");
    let failed = failures(&journal);
    let reason = |code: &str| failed.iter().find(|(id, _)| id == code).and_then(|(_, r)| r.clone());
    assert!(
        reason("TAS-01").is_some_and(|r| r.contains("cannot be a MplusKASSA article number")),
        "{failed:?}"
    );
    let accessory = world
        .rows("Profit_Article", "ItemCode")
        .await
        .into_iter()
        .find(|row| row["ArtGroup"] == "300" && row["ItemCode"] != "TAS-01")
        .map(|row| row["ItemCode"].as_str().unwrap().to_owned())
        .expect("a seeded accessory");
    assert!(
        reason(&accessory).is_some_and(|r| r.contains("turnover_group_map")),
        "{failed:?}"
    );

    // The setting fixed, the record retried (as the activity page's "Retry" does): it reaches the till.
    settings.turnover_group_map.table.insert("300".into(), "30".into());
    let report = koppel_sync::retry_records(
        FlowKind::Articles,
        &settings,
        &world.source(&settings),
        &world.target(&settings),
        &journal,
        std::slice::from_ref(&accessory),
    )
    .await
    .expect("the retry");
    assert_eq!((report.counts.created, report.counts.failed), (1, 0));
    let number: i64 = accessory.parse().unwrap();
    assert!(till_articles(&world, &[number]).await.contains_key(&number));
}

#[tokio::test]
async fn pages_smaller_than_one_seconds_changes_read_that_second_whole_and_miss_nothing() {
    // The seeded administration made all its articles in the same second: with pages of 7 the first page
    // holds that whole second (30 articles), and the cursor moves past it only then.
    let world = World::start(0).await;
    let mut settings = both_ways();
    settings.batch_size = 7;
    let journal = FakeJournal::default();
    let report = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the run");
    let expected = afas_articles(&world).await;
    assert_eq!(
        report.counts.created as usize,
        expected.len(),
        "{:?}",
        failures(&journal)
    );
    let numbers: Vec<i64> = expected.keys().copied().collect();
    assert_eq!(till_articles(&world, &numbers).await.len(), expected.len());
    world.clear_journal(System::Mplus).await;
    let again = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the second run");
    assert_eq!((again.counts.created, again.counts.updated), (0, 0));
    assert!(till_writes(&world).await.is_empty());
}

/// The till's article groups Koppel made (by their text) with their products, and each product's groups.
async fn till_groups(world: &World) -> BTreeMap<String, (i32, Vec<i64>)> {
    let groups = world.mplus.get_article_groups(0, 100_000).await.unwrap();
    let mut found = BTreeMap::new();
    let mut stack: Vec<&koppel_mplus::model::ArticleGroup> = groups.iter().collect();
    while let Some(group) = stack.pop() {
        if let Some(code) = group
            .text
            .as_deref()
            .and_then(|t| t.strip_prefix("AFAS article group "))
        {
            let mut products = group.product_numbers.clone();
            products.sort_unstable();
            found.insert(code.to_owned(), (group.group_number, products));
        }
        stack.extend(&group.sub_group_list);
    }
    found
}

#[tokio::test]
async fn with_article_groups_each_afas_group_is_a_till_group_holding_its_articles_and_a_move_follows() {
    let world = World::start(0).await;
    let mut settings = both_ways();
    settings.article_groups_to_till = true;
    let journal = FakeJournal::default();
    world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the run");
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));

    // Each AFAS article group once at the till, holding the products of exactly its articles.
    let afas: Vec<Value> = world
        .rows("Profit_Article", "ItemCode")
        .await
        .into_iter()
        .filter(|row| row["Blocked"] != Value::Bool(true))
        .collect();
    let products: Vec<Product> = world
        .mplus
        .get_products(&ProductFilter::default(), 0, 100_000)
        .await
        .unwrap();
    let product_of = |item: &str| {
        let number: i64 = item.parse().unwrap();
        products
            .iter()
            .find(|p| p.article_list.iter().any(|a| a.article_number == Some(number)))
            .and_then(|p| p.product_number)
            .unwrap()
    };
    let mut expected: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in &afas {
        let group = row["ArtGroup"].as_str().unwrap().to_owned();
        expected
            .entry(group)
            .or_default()
            .push(product_of(row["ItemCode"].as_str().unwrap()));
    }
    expected.values_mut().for_each(|products| products.sort_unstable());
    let groups = till_groups(&world).await;
    let got: BTreeMap<String, Vec<i64>> = groups
        .iter()
        .map(|(code, (_, products))| (code.clone(), products.clone()))
        .collect();
    assert_eq!(got, expected);

    world.clear_journal(System::Mplus).await;
    let again = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the second run");
    assert_eq!((again.counts.created, again.counts.updated), (0, 0));
    assert_eq!(
        world.till_calls("newArticleGroup").await + world.till_calls("addProductsToArticleGroup").await,
        0
    );

    // An article moves to another AFAS group: its product follows, out of the old group.
    let moved = afas
        .iter()
        .find(|row| row["ArtGroup"] == "100")
        .expect("a clothing article");
    let code = moved["ItemCode"].as_str().unwrap();
    let draft = ArticleDraft {
        item_code: code.into(),
        description: moved["Description"].as_str().unwrap().into(),
        long_description: None,
        short_description: None,
        group: Some("200".into()),
        unit: Some("stk".into()),
        price: decimal(
            &world
                .rows("Profit_Article_Basic", "ItemCode")
                .await
                .iter()
                .find(|r| r["ItemCode"] == code)
                .unwrap()["BasicSalesPrice"],
        )
        .unwrap(),
        price_includes_vat: false,
        ean: None,
        vat_group: moved["VATGroup"].as_str().map(str::to_owned),
    };
    world
        .target(&settings)
        .update_article(&draft)
        .await
        .expect("the move in AFAS");
    let report = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the run after the move");
    assert_eq!(
        (report.counts.updated, report.counts.failed),
        (1, 0),
        "{:?}",
        failures(&journal)
    );
    let after = till_groups(&world).await;
    let product = product_of(code);
    assert!(
        after["200"].1.contains(&product) && !after["100"].1.contains(&product),
        "{after:?}"
    );
}

/// With article groups on and both directions updating product info, the products flow gives an article in a
/// Koppel-made till group its own AFAS group back, even when `article_group_map` knows no till group (only a
/// fallback): nothing is regrouped in AFAS, and the two flows settle.
#[tokio::test]
async fn a_product_in_a_koppel_made_group_keeps_its_afas_group_through_the_products_flow() {
    let world = World::start(0).await;
    let mut settings = settings();
    settings.article_groups_to_till = true;
    settings.update_product_info = true;
    settings.company.article_group_map = map(&[], Some("900"));
    let groups_before: BTreeMap<String, String> = world
        .rows("Profit_Article", "ItemCode")
        .await
        .iter()
        .map(|row| {
            (
                row["ItemCode"].as_str().unwrap().to_owned(),
                row["ArtGroup"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for flow in [
        FlowKind::Articles,
        FlowKind::Products,
        FlowKind::Articles,
        FlowKind::Products,
    ] {
        let journal = FakeJournal::default();
        world.run(flow, &settings, &journal).await.expect("the run");
        assert!(failures(&journal).is_empty(), "{flow}: {:?}", failures(&journal));
    }
    let groups_after: BTreeMap<String, String> = world
        .rows("Profit_Article", "ItemCode")
        .await
        .iter()
        .filter(|row| groups_before.contains_key(row["ItemCode"].as_str().unwrap()))
        .map(|row| {
            (
                row["ItemCode"].as_str().unwrap().to_owned(),
                row["ArtGroup"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(groups_after, groups_before, "AFAS's own articles keep their groups");
}

/// Each till article's custom field values by field name (text, yes/no and whole numbers as text).
async fn till_custom_fields(world: &World) -> BTreeMap<i64, BTreeMap<String, String>> {
    let products: Vec<Product> = world
        .mplus
        .get_products(&ProductFilter::default(), 0, 100_000)
        .await
        .unwrap();
    products
        .iter()
        .flat_map(|product| &product.article_list)
        .filter_map(|article| {
            let fields = article
                .custom_field_list
                .iter()
                .filter_map(|field| {
                    let value = (field.str_value.clone())
                        .or(field.bool_value.map(|b| b.to_string()))
                        .or(field.int_value.map(|i| i.to_string()))?;
                    Some((field.field_name.clone(), value))
                })
                .collect();
            Some((article.article_number?, fields))
        })
        .collect()
}

#[tokio::test]
async fn afas_free_fields_fill_the_tills_custom_fields_and_the_tills_own_fields_stay() {
    let world = World::start(0).await;
    let settings = settings();
    let journal = FakeJournal::default();
    let report = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the run");
    assert!(failures(&journal).is_empty(), "{:?}", failures(&journal));
    assert!(report.counts.created > 0);
    // What AFAS's free fields say (the brand, whether it is sold in the webshop), as the till should have it.
    let mut expected: BTreeMap<i64, BTreeMap<String, String>> = BTreeMap::new();
    for row in world.rows("Profit_Article", "ItemCode").await {
        let number: i64 = row["ItemCode"].as_str().unwrap().parse().unwrap();
        let mut fields = BTreeMap::from([("Webshop".to_owned(), row["U7E1F0A2B_Webshop"].to_string())]);
        if let Some(brand) = row["U7E1F0A2C_Merk"].as_str() {
            fields.insert("Merk".to_owned(), brand.to_owned());
        }
        expected.insert(number, fields);
    }
    let till = till_custom_fields(&world).await;
    for (number, fields) in &expected {
        assert_eq!(till.get(number), Some(fields), "article {number}");
    }
    assert!(
        expected
            .values()
            .any(|f| f.get("Webshop").map(String::as_str) == Some("false")),
        "the gift card is not a webshop article"
    );

    // The till's own custom field, set by hand, and a new brand in AFAS: the brand follows AFAS, the rest stays.
    let mut by_hand = koppel_mplus::ProductWrite::default();
    let product = world
        .mplus
        .get_products(
            &ProductFilter {
                article_numbers: vec![1001],
                ..ProductFilter::default()
            },
            0,
            10,
        )
        .await
        .unwrap()
        .remove(0);
    by_hand.product_number = product.product_number;
    by_hand.article_list.article.push(koppel_mplus::ArticleWrite {
        article_number: Some(1001),
        custom_field_list: Some(vec![koppel_mplus::model::CustomField::int("Houdbaarheid", 30)].into()),
        ..koppel_mplus::ArticleWrite::default()
    });
    world
        .mplus
        .update_product(&by_hand)
        .await
        .expect("the till's own field");
    let change =
        serde_json::json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "1001", "U7E1F0A2C_Merk": "Koppel"}}}});
    world.write_afas(reqwest::Method::PUT, "FbItemArticle", change).await;
    world.clear_journal(System::Mplus).await;
    let changed = world
        .run(FlowKind::Articles, &settings, &journal)
        .await
        .expect("the run after");
    assert_eq!(
        (changed.counts.updated, changed.counts.failed),
        (1, 0),
        "{:?}",
        failures(&journal)
    );
    let till = till_custom_fields(&world).await;
    assert_eq!(till[&1001].get("Merk").map(String::as_str), Some("Koppel"));
    assert_eq!(
        till[&1001].get("Houdbaarheid").map(String::as_str),
        Some("30"),
        "the till's own field stays"
    );
    let again = world.run(FlowKind::Articles, &settings, &journal).await.unwrap();
    assert_eq!((again.counts.created, again.counts.updated), (0, 0));
}

//! A products run over the fakes: which till articles become AFAS articles, created or updated, and variants.

use koppel_core::FlowKind;
use rust_decimal::Decimal;

use super::*;
use koppel_sync::model::{SourceArticle, VariantAttributes};
use koppel_sync::ports::Outcome;
use koppel_sync::settings::{ProductFilter, VariantMode};
use koppel_testkit::{FakeJournal, FakePos, Op};

const PRODUCTS: FlowKind = FlowKind::Products;

fn article(marker: i64, sku: &str) -> SourceArticle {
    SourceArticle {
        sync_marker: marker,
        product_number: format!("P{marker}"),
        sku: sku.into(),
        title: format!("Artikel {sku}"),
        short_description: Some("kort".into()),
        long_description: Some("lang".into()),
        price_incl_vat: dec("12.10"),
        price_excl_vat: dec("10.00"),
        vat_percentage: Decimal::from(21),
        ean: Some("8712345678906".into()),
        turnover_group: Some("10".into()),
        article_group: Some("Schoenen".into()),
        afas_article_group: None,
        unit: Some("stk".into()),
        active: true,
        webshop: true,
        variant: None,
        ext_id: None,
    }
}

fn pos(articles: Vec<SourceArticle>) -> FakePos {
    let pos = FakePos::default();
    *pos.articles.lock().unwrap() = articles;
    pos
}

fn product_settings() -> FlowSettings {
    FlowSettings {
        company: CompanySettings {
            article_group_map: map(&[("Schoenen", "SCH"), ("20", "KLD")]),
            vat_group_map: map(&[("21", "1"), ("9", "2")]),
            ..settings().company
        },
        ..settings()
    }
}

#[tokio::test]
async fn new_articles_are_created_with_their_fields() {
    let (pos, erp, journal) = (pos(vec![article(1, "5001")]), erp(), FakeJournal::default());
    let report = run(PRODUCTS, &product_settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 1);
    let created = erp.snapshot().articles["5001"].clone();
    assert_eq!(
        (
            created.group.as_deref(),
            created.vat_group.as_deref(),
            created.unit.as_deref()
        ),
        (Some("SCH"), Some("1"), Some("stk"))
    );
    assert_eq!((created.price, created.price_includes_vat), (dec("12.10"), true));
    assert_eq!(created.ean.as_deref(), Some("8712345678906"));
    assert_eq!(created.long_description.as_deref(), Some("lang"));
}

#[tokio::test]
async fn the_turnover_group_maps_when_the_article_group_does_not() {
    let mut shirt = article(1, "5002");
    shirt.article_group = Some("Onbekend".into());
    shirt.turnover_group = Some("20".into());
    let (pos, erp, journal) = (pos(vec![shirt]), erp(), FakeJournal::default());
    run(PRODUCTS, &product_settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!(erp.snapshot().articles["5002"].group.as_deref(), Some("KLD"));
}

#[tokio::test]
async fn with_update_off_an_enriched_afas_article_is_left_untouched() {
    let erp = erp();
    erp.add_article("5001", "Verrijkte AFAS-omschrijving");
    let (pos, journal) = (
        pos(vec![article(1, "5001"), article(2, "5003")]),
        FakeJournal::default(),
    );
    let report = run(PRODUCTS, &product_settings(), &pos, &erp, &journal).await.unwrap();
    assert_eq!((report.counts.skipped, report.counts.created), (1, 1));
    assert_eq!(
        erp.snapshot().articles["5001"].description,
        "Verrijkte AFAS-omschrijving"
    );
    assert_eq!(erp.switchboard.calls(Op::UpdateArticle), 0);
    assert_eq!(
        journal.entries_for("5001")[0].reason.as_deref(),
        Some("exists; update product info is off")
    );
}

#[tokio::test]
async fn with_update_on_existing_articles_are_updated_when_changed() {
    let erp = erp();
    erp.add_article("5001", "Oud");
    let settings = FlowSettings {
        update_product_info: true,
        ..product_settings()
    };
    let (pos, journal) = (pos(vec![article(1, "5001")]), FakeJournal::default());
    assert_eq!(
        run(PRODUCTS, &settings, &pos, &erp, &journal)
            .await
            .unwrap()
            .counts
            .updated,
        1
    );
    assert_eq!(erp.snapshot().articles["5001"].description, "Artikel 5001");

    journal.set_cursor_for_test(0);
    assert_eq!(
        run(PRODUCTS, &settings, &pos, &erp, &journal)
            .await
            .unwrap()
            .counts
            .skipped,
        1,
        "unchanged"
    );
    let mut changed = article(3, "5001");
    changed.price_incl_vat = dec("14.52");
    pos.articles.lock().unwrap()[0] = changed;
    assert_eq!(
        run(PRODUCTS, &settings, &pos, &erp, &journal)
            .await
            .unwrap()
            .counts
            .updated,
        1
    );
    assert_eq!(erp.snapshot().articles["5001"].price, dec("14.52"));
    assert_eq!(erp.switchboard.calls(Op::UpdateArticle), 2);
}

#[tokio::test]
async fn a_non_numeric_sku_fails_when_codes_must_be_numeric() {
    let settings = FlowSettings {
        company: CompanySettings {
            numeric_item_codes: true,
            ..product_settings().company
        },
        ..product_settings()
    };
    let (pos, erp, journal) = (
        pos(vec![article(1, "AB-12"), article(2, "5004")]),
        erp(),
        FakeJournal::default(),
    );
    let report = run(PRODUCTS, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!((report.counts.failed, report.counts.created), (1, 1));
    let reason = journal.entries_for("AB-12")[0].reason.clone().unwrap();
    assert!(
        reason.contains("numeric_item_codes") && reason.contains("AB-12"),
        "{reason}"
    );
}

#[tokio::test]
async fn the_product_filter_leaves_articles_out_with_a_reason() {
    let mut offline = article(1, "6001");
    offline.webshop = false;
    let mut inactive = article(2, "6002");
    inactive.active = false;
    let mut other_group = article(3, "6003");
    other_group.article_group = Some("Tassen".into());
    let settings = FlowSettings {
        product_filter: ProductFilter {
            webshop_only: true,
            active_only: true,
            groups: vec!["schoenen".into()],
        },
        ..product_settings()
    };
    let (pos, erp, journal) = (
        pos(vec![offline, inactive, other_group, article(4, "6004")]),
        erp(),
        FakeJournal::default(),
    );
    let report = run(PRODUCTS, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!((report.counts.skipped, report.counts.created), (3, 1));
    assert!(erp.snapshot().articles.contains_key("6004"));
    assert!(
        journal
            .entries()
            .iter()
            .filter(|e| e.outcome == Outcome::Skipped)
            .all(|e| e.reason.as_deref().unwrap().contains("product filter"))
    );
}

fn variants() -> Vec<SourceArticle> {
    ["S", "M"]
        .into_iter()
        .enumerate()
        .map(|(i, size)| SourceArticle {
            product_number: "P9".into(),
            title: "Shirt".into(),
            variant: Some(VariantAttributes {
                size: Some(size.into()),
                colour: Some("rood".into()),
            }),
            ..article(1, &format!("700{i}"))
        })
        .collect()
}

#[tokio::test]
async fn variants_become_separate_articles() {
    let (pos1, erp1, journal1) = (pos(variants()), erp(), FakeJournal::default());
    run(PRODUCTS, &product_settings(), &pos1, &erp1, &journal1)
        .await
        .unwrap();
    let separate = erp1.snapshot().articles;
    assert_eq!(separate["7000"].description, "Shirt S rood");
    assert_eq!(separate["7001"].description, "Shirt M rood");
}

#[test]
fn stored_dimensions_load_and_are_refused_by_the_preflight_of_the_flows_that_shape_item_codes() {
    let mut stored = serde_json::to_value(product_settings()).unwrap();
    stored["variant_mode"] = "dimensions".into();
    let settings: FlowSettings = serde_json::from_value(stored.clone()).expect("a stored document still loads");
    assert_eq!(settings.company.variant_mode, VariantMode::Dimensions);
    for flow in [FlowKind::Products, FlowKind::Orders, FlowKind::Stock] {
        let problems = koppel_sync::requirements::problems(flow, &settings);
        let refused = problems.iter().find(|p| p.setting == "variant_mode");
        assert!(
            refused.is_some_and(|p| p.message.contains("separate_articles")),
            "{flow}: {problems:?}"
        );
    }
    assert!(
        !koppel_sync::requirements::problems(FlowKind::Customers, &settings)
            .iter()
            .any(|p| p.setting == "variant_mode")
    );
    // A document that sets it is refused where settings are saved; one that leaves it out is not.
    assert_eq!(koppel_sync::validation::withdrawn_values(&stored).len(), 1);
    stored.as_object_mut().unwrap().remove("variant_mode");
    assert!(koppel_sync::validation::withdrawn_values(&stored).is_empty());
}

#[tokio::test]
async fn prices_can_go_excluding_vat() {
    let settings = FlowSettings {
        article_prices_include_vat: false,
        ..product_settings()
    };
    let (pos, erp, journal) = (pos(vec![article(1, "5005")]), erp(), FakeJournal::default());
    run(PRODUCTS, &settings, &pos, &erp, &journal).await.unwrap();
    let created = erp.snapshot().articles["5005"].clone();
    assert_eq!((created.price, created.price_includes_vat), (dec("10.00"), false));
}

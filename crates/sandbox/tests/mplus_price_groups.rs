//! Price groups: `getPriceGroupList` lists the seeded groups, and an article's `priceGroupList` on
//! `createProduct`/`updateProduct` replaces its prices per group, checked entry by entry.

mod mplus_support;

use koppel_sandbox::mplus::xml::Element;
use mplus_support::{Mplus, at, number, x};

/// One `priceGroup` entry; `price` holds its price elements.
fn entry(group: i64, price: &str, minimum: Option<i64>) -> String {
    let minimum = minimum.map(|m| x("minimumAmount", m)).unwrap_or_default();
    x(
        "priceGroup",
        format!("{}{price}{minimum}", x("priceGroupNumber", group)),
    )
}

/// A book (9% VAT) with the given price-group entries, as a `createProduct`.
fn create_book(entries: &[String]) -> String {
    let article = format!(
        "{}{}{}{}",
        x("description", "Atlas van Nederland"),
        x("turnoverGroup", 30),
        x("priceIncl", 3995),
        x("priceGroupList", entries.concat())
    );
    x("createProduct", x("product", x("articleList", x("article", article))))
}

/// An `updateProduct` of seeded article 100001 (product 1001, 21% VAT) with the given `priceGroupList` content.
fn update_shirt(entries: &[String]) -> String {
    let article = format!(
        "{}{}",
        x("articleNumber", 100001),
        x("priceGroupList", entries.concat())
    );
    x(
        "updateProduct",
        x(
            "product",
            format!(
                "{}{}",
                x("productNumber", 1001),
                x("articleList", x("article", article))
            ),
        ),
    )
}

async fn article(mplus: &Mplus, article_number: i64) -> Element {
    let request = x(
        "request",
        format!("{}{}", x("articleNumbers", article_number), x("pluNumbers", "")),
    );
    let answer = mplus.call(&x("getProducts", request)).await;
    at(&at(answer.ok(), "productList").children[0], "articleList").children[0].clone()
}

/// `(group, minimum, incl, excl)` of each entry of an article's `priceGroupList`.
fn prices(article: &Element) -> Vec<(i64, i64, i64, i64)> {
    at(article, "priceGroupList")
        .children
        .iter()
        .map(|p| {
            (
                number(p, "priceGroupNumber"),
                number(p, "minimumAmount"),
                number(p, "priceIncl"),
                number(p, "priceExcl"),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_seeded_price_groups_are_listed() {
    let mplus = Mplus::start().await;
    let answer = mplus.call("<ns1:getPriceGroupList/>").await;
    let response = answer.ok();
    assert_eq!(response.name, "getPriceGroupListResponse");
    let groups: Vec<(i64, &str)> = response
        .children_named("priceGroup")
        .map(|g| (number(g, "priceGroupNumber"), g.text_of("description").unwrap()))
        .collect();
    assert_eq!(groups, [(1, "Horeca"), (2, "Groothandel"), (3, "Personeel")]);
    // Seeded articles have no prices for them: an empty list.
    assert!(prices(&article(&mplus, 100001).await).is_empty());
}

#[tokio::test]
async fn create_product_stores_price_group_prices_derived_with_the_articles_vat() {
    let mplus = Mplus::start().await;
    let entries = [
        entry(2, &x("priceExcl", 3000), Some(10)),
        entry(2, &x("priceExcl", 3200), Some(5)),
        entry(1, &x("priceIncl", 3495), None),
        entry(
            3,
            &format!("{}{}", x("priceIncl", 3000), x("discountPercentage", 25)),
            Some(1),
        ),
    ];
    let answer = mplus.call(&create_book(&entries)).await;
    assert_eq!(answer.ok().text_of("result"), Some("CREATE-PRODUCT-RESULT-OK"));
    let created = article(&mplus, answer.ok().numbers_of("articleNumbers")[0]).await;
    // Ordered by group and minimum amount; an absent minimum is 0; the missing price follows with 9% VAT.
    assert_eq!(
        prices(&created),
        [
            (1, 0, 3495, 3206),
            (2, 5, 3488, 3200),
            (2, 10, 3270, 3000),
            (3, 1, 3000, 2752)
        ]
    );
    let staff = &at(&created, "priceGroupList").children[3];
    assert_eq!(number(staff, "discountPercentage"), 25);
}

#[tokio::test]
async fn bad_price_group_entries_are_refused_and_change_nothing() {
    let mplus = Mplus::start().await;
    let refusals = [
        (entry(7, &x("priceIncl", 100), None), "Price group 7 does not exist"),
        (entry(1, &x("priceIncl", 100), Some(-1)), "negative"),
        (entry(1, "", Some(2)), "needs a price"),
    ];
    let twice = [
        entry(1, &x("priceIncl", 100), None),
        entry(1, &x("priceIncl", 90), Some(0)),
    ];
    let markers = number(&mplus.markers().await, "articleSyncMarker");
    for (bad, message) in &refusals {
        let answer = mplus.call(&create_book(std::slice::from_ref(bad))).await;
        assert_eq!(answer.ok().text_of("result"), Some("CREATE-PRODUCT-RESULT-FAILED"));
        assert!(
            answer.ok().text_of("errorMessage").unwrap().contains(message),
            "{}",
            answer.text
        );
    }
    let answer = mplus.call(&create_book(&twice)).await;
    assert_eq!(answer.ok().text_of("result"), Some("CREATE-PRODUCT-RESULT-FAILED"));
    assert!(answer.ok().text_of("errorMessage").unwrap().contains("twice"));

    let before = article(&mplus, 100001).await;
    let good = entry(1, &x("priceIncl", 2000), None);
    for (bad, message) in &refusals {
        let answer = mplus.call(&update_shirt(&[good.clone(), bad.clone()])).await;
        assert_eq!(answer.ok().text_of("result"), Some("UPDATE-PRODUCT-RESULT-FAILED"));
        assert!(
            answer.ok().text_of("errorMessage").unwrap().contains(message),
            "{}",
            answer.text
        );
    }
    assert_eq!(article(&mplus, 100001).await, before);
    assert_eq!(number(&mplus.markers().await, "articleSyncMarker"), markers);

    // The good entry alone is taken, and takes a marker.
    let answer = mplus.call(&update_shirt(&[good])).await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-PRODUCT-RESULT-OK"));
    assert_eq!(prices(&article(&mplus, 100001).await), [(1, 0, 2000, 1653)]);
    assert_eq!(number(&mplus.markers().await, "articleSyncMarker"), markers + 1);
}

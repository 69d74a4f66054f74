//! MplusKASSA simulator, article discount groups: the shop's groups (made in the back office: 1 Kleding,
//! 2 Schoenen, 3 Accessoires, 4 Diversen), an article's `articleDiscountGroupNumber` written by
//! `createProduct`/`updateProduct` and read back with its `articleDiscountGroupName` by `getProducts`, and
//! `updateRelation` taking discounts for known groups only.

mod mplus_support;

use koppel_sandbox::mplus::xml::Element;
use mplus_support::{Mplus, at, number, x};

/// A product with one article in turnover group 10, with `extra` elements after `stockArticle`'s place.
fn product(number: Option<i64>, article: &str) -> String {
    let number = number.map(|n| x("productNumber", n)).unwrap_or_default();
    x(
        "product",
        format!(
            "{number}{}{}",
            x("description", "Wollen sjaal"),
            x("articleList", x("article", article))
        ),
    )
}

fn new_article(extra: &str) -> String {
    format!(
        "{}{}{}{extra}",
        x("description", "Wollen sjaal"),
        x("turnoverGroup", 10),
        x("priceIncl", 2995)
    )
}

/// The product's first article as `getProducts` lists it.
async fn listed_article(mplus: &Mplus, product_number: i64) -> Element {
    let request = x(
        "request",
        format!("{}{}", x("productNumbers", product_number), x("syncMarker", 1)),
    );
    let answer = mplus.call(&x("getProducts", request)).await;
    let product = &at(answer.ok(), "productList").children[0];
    at(product, "articleList").children[0].clone()
}

#[tokio::test]
async fn an_article_keeps_its_discount_group_and_shows_its_name() {
    let mplus = Mplus::start().await;
    let answer = mplus
        .call(&x(
            "createProduct",
            product(None, &new_article(&x("articleDiscountGroupNumber", 3))),
        ))
        .await;
    let created = answer.ok();
    assert_eq!(
        created.text_of("result"),
        Some("CREATE-PRODUCT-RESULT-OK"),
        "{}",
        answer.text
    );
    let product_number = number(created, "productNumber");
    let article = listed_article(&mplus, product_number).await;
    assert_eq!(number(&article, "articleDiscountGroupNumber"), 3);
    assert_eq!(article.text_of("articleDiscountGroupName"), Some("Accessoires"));
    let names: Vec<&str> = article.children.iter().map(|c| c.name.as_str()).collect();
    let position = |name: &str| names.iter().position(|n| *n == name).unwrap();
    assert_eq!(position("articleDiscountGroupNumber"), position("stockArticle") + 1);
    assert_eq!(position("articleDiscountGroupName"), position("stockArticle") + 2);

    // An update moves it to another group; one without the element leaves it.
    let article_number = number(&article, "articleNumber");
    let change = format!(
        "{}{}",
        x("articleNumber", article_number),
        x("articleDiscountGroupNumber", 1)
    );
    let answer = mplus
        .call(&x("updateProduct", product(Some(product_number), &change)))
        .await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-PRODUCT-RESULT-OK"));
    let price = format!("{}{}", x("articleNumber", article_number), x("priceIncl", 2495));
    let answer = mplus
        .call(&x("updateProduct", product(Some(product_number), &price)))
        .await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-PRODUCT-RESULT-OK"));
    let article = listed_article(&mplus, product_number).await;
    assert_eq!(number(&article, "articleDiscountGroupNumber"), 1);
    assert_eq!(article.text_of("articleDiscountGroupName"), Some("Kleding"));

    // A seeded article is in none: neither element is sent.
    let seeded = listed_article(&mplus, 1001).await;
    assert_eq!(seeded.child("articleDiscountGroupNumber"), None);
    assert_eq!(seeded.child("articleDiscountGroupName"), None);
}

#[tokio::test]
async fn an_unknown_discount_group_is_refused_and_changes_nothing() {
    let mplus = Mplus::start().await;
    let answer = mplus
        .call(&x(
            "createProduct",
            product(None, &new_article(&x("articleDiscountGroupNumber", 9))),
        ))
        .await;
    let failed = answer.ok();
    assert_eq!(failed.text_of("result"), Some("CREATE-PRODUCT-RESULT-FAILED"));
    assert_eq!(
        failed.text_of("errorMessage"),
        Some("Article discount group 9 does not exist")
    );
    assert_eq!(number(failed, "productNumber"), 0);

    let markers = number(&mplus.markers().await, "articleSyncMarker");
    let change = format!("{}{}", x("articleNumber", 100001), x("articleDiscountGroupNumber", 0));
    let answer = mplus.call(&x("updateProduct", product(Some(1001), &change))).await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-PRODUCT-RESULT-FAILED"));
    assert_eq!(
        answer.ok().text_of("errorMessage"),
        Some("Article discount group 0 does not exist")
    );
    assert_eq!(number(&mplus.markers().await, "articleSyncMarker"), markers);
    assert_eq!(
        listed_article(&mplus, 1001).await.child("articleDiscountGroupNumber"),
        None
    );
}

#[tokio::test]
async fn relation_discounts_name_only_the_shops_discount_groups() {
    let mplus = Mplus::start().await;
    let update = |group: i64| {
        let entry = x(
            "relationArticleDiscount",
            format!(
                "{}{}",
                x("articleDiscountGroupNumber", group),
                x("discountPercentage", 10)
            ),
        );
        x(
            "updateRelation",
            x(
                "relation",
                format!(
                    "{}{}",
                    x("relationNumber", 1001),
                    x("relationArticleDiscountList", entry)
                ),
            ),
        )
    };
    let markers = number(&mplus.markers().await, "relationSyncMarker");
    let answer = mplus.call(&update(7)).await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-RELATION-RESULT-FAILED"));
    assert_eq!(
        answer.ok().text_of("errorMessage"),
        Some("Article discount group 7 does not exist")
    );
    assert_eq!(
        number(&mplus.markers().await, "relationSyncMarker"),
        markers,
        "nothing changed"
    );

    let answer = mplus.call(&update(2)).await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-RELATION-RESULT-OK"));
    let answer = mplus.call(&x("getRelation", x("relationNumber", 1001))).await;
    let relation = at(answer.ok(), "relation");
    let entries = &at(relation, "relationArticleDiscountList").children;
    assert_eq!(entries.len(), 1);
    assert_eq!(number(&entries[0], "articleDiscountGroupNumber"), 2);
    assert_eq!(number(&entries[0], "discountPercentage"), 10);
}

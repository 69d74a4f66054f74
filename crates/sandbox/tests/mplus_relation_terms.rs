//! A relation's price terms: `priceGroupNumber`, `discountPercentage` and `relationArticleDiscountList` on
//! `createRelation`/`updateRelation`, checked and shown by `getRelation`, `getRelations` and `findRelation`.

mod mplus_support;

use koppel_sandbox::mplus::xml::Element;
use mplus_support::{Mplus, at, number, x};

/// A seeded relation, and a seeded T-shirt (21% VAT).
const RELATION: i64 = 1001;
const ARTICLE: i64 = 100001;

/// One `relationArticleDiscount` with the given content.
fn entry(content: &str) -> String {
    x("relationArticleDiscount", content)
}

/// The article at a price incl. VAT from 10 items, and 15% off discount group 4.
fn two_discounts() -> String {
    format!(
        "{}{}",
        entry(&format!(
            "{}{}{}",
            x("articleNumber", ARTICLE),
            x("minimumAmount", 10),
            x("priceIncl", 1995)
        )),
        entry(&format!(
            "{}{}",
            x("articleDiscountGroupNumber", 4),
            x("discountPercentage", 15)
        ))
    )
}

fn update(content: &str) -> String {
    x(
        "updateRelation",
        x("relation", format!("{}{content}", x("relationNumber", RELATION))),
    )
}

async fn relation(mplus: &Mplus) -> Element {
    let answer = mplus.call(&x("getRelation", x("relationNumber", RELATION))).await;
    at(answer.ok(), "relation").clone()
}

/// Each article discount as `(id, relationNumber, articleNumber or -group, minimumAmount, decimal places,
/// discountPercentage, priceIncl, priceExcl)`, with -1 for what is absent and a group as a negative number.
fn discounts(relation: &Element) -> Vec<[i64; 8]> {
    let or_absent = |d: &Element, name: &str| d.number_of(name).unwrap_or(-1);
    at(relation, "relationArticleDiscountList")
        .children
        .iter()
        .map(|d| {
            [
                number(d, "relationArticleDiscountId"),
                number(d, "relationNumber"),
                d.number_of("articleNumber")
                    .unwrap_or_else(|| -number(d, "articleDiscountGroupNumber")),
                number(d, "minimumAmount"),
                number(d, "minimumAmountDecimalPlaces"),
                or_absent(d, "discountPercentage"),
                or_absent(d, "priceIncl"),
                or_absent(d, "priceExcl"),
            ]
        })
        .collect()
}

#[tokio::test]
async fn price_terms_are_stored_kept_and_removed() {
    let mplus = Mplus::start().await;
    let seeded = relation(&mplus).await;
    assert_eq!(seeded.child("priceGroupNumber"), None);
    assert!(discounts(&seeded).is_empty(), "an empty list when there are none");

    let terms = format!(
        "{}{}{}",
        x("priceGroupNumber", 2),
        x("discountPercentage", 5),
        x("relationArticleDiscountList", two_discounts())
    );
    let answer = mplus.call(&update(&terms)).await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-RELATION-RESULT-OK"));
    let marker = number(answer.ok(), "syncMarker");
    let priced = relation(&mplus).await;
    assert_eq!(
        (
            number(&priced, "priceGroupNumber"),
            number(&priced, "discountPercentage")
        ),
        (2, 5)
    );
    assert_eq!(number(&priced, "syncMarker"), marker);
    assert!(marker > number(&seeded, "syncMarker"));
    // Numbered from 1 in this shop, with the relation's number; the price excl. VAT follows with the 21%.
    assert_eq!(
        discounts(&priced),
        [
            [1, RELATION, ARTICLE, 10, 0, -1, 1995, 1649],
            [2, RELATION, -4, 0, 0, 15, -1, -1]
        ]
    );

    // Without the list (or the other terms) they stay.
    let answer = mplus.call(&update(&x("telephone", "020-1234567"))).await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-RELATION-RESULT-OK"));
    let kept = relation(&mplus).await;
    assert_eq!(kept.text_of("telephone"), Some("020-1234567"));
    assert_eq!(number(&kept, "priceGroupNumber"), 2);
    assert_eq!(discounts(&kept), discounts(&priced));

    // getRelations and findRelation show them too.
    let request = x(
        "request",
        format!("{}{}", x("relationNumbers", RELATION), x("syncMarker", 0)),
    );
    let answer = mplus.call(&x("getRelations", request)).await;
    assert_eq!(discounts(at(answer.ok(), "relationList/relation")), discounts(&kept));
    let answer = mplus
        .call(&x("findRelation", x("relation", x("telephone", "020-1234567"))))
        .await;
    assert_eq!(discounts(at(answer.ok(), "relation")), discounts(&kept));

    // A list replaces them; its entries get new ids.
    let one = entry(&format!(
        "{}{}{}",
        x("articleNumber", ARTICLE),
        x("priceExcl", 1500),
        x("relationArticleDiscountId", 1)
    ));
    let answer = mplus.call(&update(&x("relationArticleDiscountList", one))).await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-RELATION-RESULT-OK"));
    assert_eq!(
        discounts(&relation(&mplus).await),
        [[3, RELATION, ARTICLE, 0, 0, -1, 1815, 1500]]
    );

    // An empty list removes them.
    let answer = mplus.call(&update(&x("relationArticleDiscountList", ""))).await;
    assert_eq!(answer.ok().text_of("result"), Some("UPDATE-RELATION-RESULT-OK"));
    let emptied = relation(&mplus).await;
    assert!(discounts(&emptied).is_empty());
    assert_eq!(number(&emptied, "discountPercentage"), 5, "the other terms stay");
}

#[tokio::test]
async fn bad_price_terms_are_refused_and_change_nothing() {
    let mplus = Mplus::start().await;
    let list = |entries: &[String]| x("relationArticleDiscountList", entries.concat());
    let article = |extra: &str| entry(&format!("{}{extra}", x("articleNumber", ARTICLE)));
    let group = |extra: &str| entry(&format!("{}{extra}", x("articleDiscountGroupNumber", 4)));
    let percentage = |p: i64| x("discountPercentage", p);
    let refusals = [
        (x("priceGroupNumber", 9), "Price group 9 does not exist"),
        (
            percentage(101),
            "The relation: discountPercentage 101 is not between 0 and 100",
        ),
        (
            list(&[entry(&format!("{}{}", x("articleNumber", 999_999), percentage(5)))]),
            "Article 999999 does not exist",
        ),
        (
            list(&[article(&percentage(101))]),
            "Article 100001: discountPercentage 101 is not between 0 and 100",
        ),
        (
            list(&[
                article(&format!("{}{}", x("minimumAmount", 10), percentage(5))),
                article(&format!(
                    "{}{}{}",
                    x("minimumAmount", 100),
                    x("minimumAmountDecimalPlaces", 1),
                    x("priceIncl", 100)
                )),
            ]),
            "Article 100001 with minimumAmount 10.0 is given twice",
        ),
        (
            list(&[group(&x("priceIncl", 100))]),
            "Article discount group 4 has no VAT",
        ),
        (
            list(&[article(&format!("{}{}", percentage(5), x("priceIncl", 100)))]),
            "not both",
        ),
        (list(&[article("")]), "needs a discountPercentage or a price"),
        (
            list(&[group(&format!("{}{}", x("articleNumber", ARTICLE), percentage(5)))]),
            "either an articleNumber or an articleDiscountGroupNumber",
        ),
        (list(&[entry(&percentage(5))]), "either an articleNumber"),
        (
            list(&[article(&format!("{}{}", x("minimumAmount", -1), percentage(5)))]),
            "minimumAmount -1 is negative",
        ),
    ];
    let markers = number(&mplus.markers().await, "relationSyncMarker");
    let before = relation(&mplus).await;
    for (bad, message) in &refusals {
        // Next to a good change, which is not made either.
        let answer = mplus
            .call(&update(&format!("{}{bad}", x("telephone", "020-7654321"))))
            .await;
        assert_eq!(answer.ok().text_of("result"), Some("UPDATE-RELATION-RESULT-FAILED"));
        let error = answer.ok().text_of("errorMessage").unwrap();
        assert!(error.contains(message), "{error}");
    }
    assert_eq!(relation(&mplus).await, before);
    assert_eq!(number(&mplus.markers().await, "relationSyncMarker"), markers);

    // createRelation checks the same, and creates nothing.
    let create = |content: &str| {
        x(
            "createRelation",
            x("relation", format!("{}{content}", x("name", "Prijs B.V."))),
        )
    };
    let answer = mplus.call(&create(&x("priceGroupNumber", 0))).await;
    assert_eq!(answer.ok().text_of("result"), Some("CREATE-RELATION-RESULT-FAILED"));
    assert!(
        answer
            .ok()
            .text_of("errorMessage")
            .unwrap()
            .contains("Price group 0 does not exist")
    );
    assert_eq!(number(&mplus.markers().await, "relationSyncMarker"), markers);

    // A good one takes the next id of the shop (none was used up by the refusals).
    let answer = mplus
        .call(&create(&format!(
            "{}{}",
            x("priceGroupNumber", 3),
            list(&[group(&percentage(20))])
        )))
        .await;
    assert_eq!(answer.ok().text_of("result"), Some("CREATE-RELATION-RESULT-OK"));
    let created = number(answer.ok(), "relationNumber");
    let answer = mplus.call(&x("getRelation", x("relationNumber", created))).await;
    let created_relation = at(answer.ok(), "relation");
    assert_eq!(number(created_relation, "priceGroupNumber"), 3);
    assert_eq!(discounts(created_relation), [[1, created, -4, 0, 0, 20, -1, -1]]);
}

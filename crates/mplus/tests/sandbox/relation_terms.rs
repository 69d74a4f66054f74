//! A relation's price terms against the simulator: its price group, discount percentage and article discounts
//! written with `updateRelation` and read back with `getRelation`.

use koppel_mplus::model::{RelationArticleDiscount, RelationArticleDiscountList};

use super::*;

/// A seeded relation, and a seeded T-shirt (21% VAT).
const RELATION: i64 = 1001;
const ARTICLE: i64 = 100001;

/// An `updateRelation` of [`RELATION`] that sets its telephone number and, when given, its article discounts.
fn update(telephone: &str, discounts: Option<Vec<RelationArticleDiscount>>) -> Relation {
    Relation {
        relation_number: Some(RELATION),
        telephone: Some(telephone.to_owned()),
        relation_article_discount_list: discounts.map(|relation_article_discount| RelationArticleDiscountList {
            relation_article_discount,
        }),
        ..Relation::default()
    }
}

async fn relation(client: &MplusClient) -> Relation {
    client.get_relation(RELATION).await.unwrap().unwrap()
}

/// The article at 19.95 incl. VAT from 10 items, and 15% off article discount group 4.
fn two_discounts() -> Vec<RelationArticleDiscount> {
    vec![
        RelationArticleDiscount {
            article_number: Some(ARTICLE),
            minimum_amount: Some(10),
            price_incl: Some(dec("19.95")),
            ..RelationArticleDiscount::default()
        },
        RelationArticleDiscount {
            article_discount_group_number: Some(4),
            discount_percentage: Some(15),
            ..RelationArticleDiscount::default()
        },
    ]
}

/// Asserts that `error` is `updateRelation`'s FAILED result with a message containing `message`.
fn assert_failed(error: &MplusError, message: &str) {
    assert!(
        matches!(
            error,
            MplusError::Business { outcome: BusinessOutcome::Failed, result, message: Some(text), .. }
                if result == "UPDATE-RELATION-RESULT-FAILED" && text.contains(message)
        ),
        "{message}: {error:?}"
    );
}

#[tokio::test]
async fn a_relations_price_terms_are_stored_kept_and_removed() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let seeded = relation(&client).await;
    assert_eq!((seeded.price_group_number, seeded.discount_percentage), (None, None));
    assert_eq!(
        seeded.relation_article_discount_list,
        Some(RelationArticleDiscountList::default())
    );

    let terms = Relation {
        price_group_number: Some(2),
        discount_percentage: Some(5),
        ..update("020-1111111", Some(two_discounts()))
    };
    let marker = client.update_relation(&terms).await.unwrap();
    let priced = relation(&client).await;
    assert_eq!(
        (priced.price_group_number, priced.discount_percentage),
        (Some(2), Some(5))
    );
    assert_eq!(priced.sync_marker, marker, "a change takes the next marker");
    assert!(priced.sync_marker > seeded.sync_marker);
    // Numbered by the shop, with the relation's number; the price excl. VAT follows with the article's 21%.
    let stored = vec![
        RelationArticleDiscount {
            relation_article_discount_id: Some(1),
            relation_number: Some(RELATION),
            minimum_amount_decimal_places: Some(0),
            price_excl: Some(dec("16.49")),
            ..two_discounts()[0].clone()
        },
        RelationArticleDiscount {
            relation_article_discount_id: Some(2),
            relation_number: Some(RELATION),
            minimum_amount: Some(0),
            minimum_amount_decimal_places: Some(0),
            ..two_discounts()[1].clone()
        },
    ];
    assert_eq!(
        priced.relation_article_discount_list,
        Some(RelationArticleDiscountList {
            relation_article_discount: stored
        })
    );

    // Without a list they stay.
    client.update_relation(&update("020-2222222", None)).await.unwrap();
    let kept = relation(&client).await;
    assert_eq!(kept.telephone.as_deref(), Some("020-2222222"));
    assert_eq!((kept.price_group_number, kept.discount_percentage), (Some(2), Some(5)));
    assert_eq!(
        kept.relation_article_discount_list,
        priced.relation_article_discount_list
    );

    // Refused with a message naming what is wrong, and nothing changes.
    let unknown_group = Relation {
        price_group_number: Some(9),
        ..update("020-3333333", None)
    };
    let error = client.update_relation(&unknown_group).await.unwrap_err();
    assert_failed(&error, "Price group 9 does not exist");
    let unknown_article = vec![RelationArticleDiscount {
        article_number: Some(999_999),
        discount_percentage: Some(5),
        ..RelationArticleDiscount::default()
    }];
    let error = client
        .update_relation(&update("020-3333333", Some(unknown_article)))
        .await
        .unwrap_err();
    assert_failed(&error, "Article 999999 does not exist");
    let too_much = vec![RelationArticleDiscount {
        discount_percentage: Some(101),
        ..two_discounts()[1].clone()
    }];
    let error = client
        .update_relation(&update("020-3333333", Some(too_much)))
        .await
        .unwrap_err();
    assert_failed(
        &error,
        "Article discount group 4: discountPercentage 101 is not between 0 and 100",
    );
    let twice = vec![two_discounts()[0].clone(), two_discounts()[0].clone()];
    let error = client
        .update_relation(&update("020-3333333", Some(twice)))
        .await
        .unwrap_err();
    assert_failed(&error, "Article 100001 with minimumAmount 10 is given twice");
    assert_eq!(relation(&client).await, kept);

    // An empty list removes them; the other terms stay.
    let marker = client
        .update_relation(&update("020-4444444", Some(Vec::new())))
        .await
        .unwrap();
    let emptied = relation(&client).await;
    assert_eq!(
        emptied.relation_article_discount_list,
        Some(RelationArticleDiscountList::default())
    );
    assert_eq!(emptied.price_group_number, Some(2));
    assert_eq!(emptied.sync_marker, marker);
    assert!(emptied.sync_marker > kept.sync_marker);
}

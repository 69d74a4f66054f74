//! Price groups against the simulator: the shop's groups from `getPriceGroupList`, and an article's prices per
//! group written with `updateProduct` and read back with `getProducts`.

use koppel_mplus::model::{Article, PriceGroup};
use koppel_mplus::{ArticleWrite, ArticleWriteList, PriceGroupWrite, PriceGroupWriteList, ProductWrite};

use super::*;

/// A seeded T-shirt (product 1001, 21% VAT).
const PRODUCT: i64 = 1001;
const ARTICLE: i64 = 100001;

/// An `updateProduct` of [`ARTICLE`] that sets its description and, when given, its price-group prices.
fn update(description: &str, prices: Option<Vec<PriceGroupWrite>>) -> ProductWrite {
    ProductWrite {
        product_number: Some(PRODUCT),
        article_list: ArticleWriteList {
            article: vec![ArticleWrite {
                article_number: Some(ARTICLE),
                description: Some(description.to_owned()),
                price_group_list: prices.map(|price_group| PriceGroupWriteList { price_group }),
                ..ArticleWrite::default()
            }],
        },
        ..ProductWrite::default()
    }
}

async fn article(client: &MplusClient) -> Article {
    client.get_articles(&[ARTICLE]).await.unwrap().remove(0)
}

/// A price as `getProducts` shows it on an article.
fn shown(number: i32, incl: &str, excl: &str, minimum_amount: i32) -> PriceGroup {
    PriceGroup {
        price_group_number: number,
        description: None,
        price_incl: Some(dec(incl)),
        price_excl: Some(dec(excl)),
        discount_percentage: None,
        minimum_amount: Some(minimum_amount),
    }
}

#[tokio::test]
async fn the_seeded_price_groups_are_listed() {
    let sandbox = sandbox().await;
    let groups = client(&sandbox).get_price_groups().await.unwrap();
    let listed: Vec<_> = groups
        .iter()
        .map(|g| (g.price_group_number, g.description.as_deref()))
        .collect();
    assert_eq!(
        listed,
        [(1, Some("Horeca")), (2, Some("Groothandel")), (3, Some("Personeel"))]
    );
    assert!(
        groups
            .iter()
            .all(|g| g.price_incl.is_none() && g.minimum_amount.is_none())
    );
}

#[tokio::test]
async fn an_articles_price_group_prices_are_replaced_kept_and_removed() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let seeded = article(&client).await;
    assert!(seeded.price_group_list.is_empty(), "{seeded:?}");

    // Horeca by the price incl. VAT; Groothandel from 10 items by the price excl. VAT. The other price follows
    // with the article's 21%.
    let prices = vec![
        PriceGroupWrite {
            price_group_number: 1,
            price_incl: Some(dec("19.95")),
            ..PriceGroupWrite::default()
        },
        PriceGroupWrite {
            price_group_number: 2,
            price_excl: Some(dec("15")),
            minimum_amount: Some(10),
            ..PriceGroupWrite::default()
        },
    ];
    let marker = client
        .update_product(&update("Met prijsgroepen", Some(prices)))
        .await
        .unwrap();
    let priced = article(&client).await;
    assert_eq!(
        priced.price_group_list,
        [shown(1, "19.95", "16.49", 0), shown(2, "18.15", "15.00", 10)]
    );
    assert_eq!(priced.sync_marker, marker, "a change takes the next marker");
    assert!(priced.sync_marker > seeded.sync_marker);

    // Without a list the prices stay.
    client.update_product(&update("Zonder lijst", None)).await.unwrap();
    let kept = article(&client).await;
    assert_eq!(kept.description.as_deref(), Some("Zonder lijst"));
    assert_eq!(kept.price_group_list, priced.price_group_list);

    // A group the shop does not have: refused with a message naming it, and nothing changes.
    let unknown = vec![PriceGroupWrite {
        price_group_number: 9,
        price_incl: Some(dec("1")),
        ..PriceGroupWrite::default()
    }];
    let error = client
        .update_product(&update("Onbekende groep", Some(unknown)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            MplusError::Business { outcome: BusinessOutcome::Failed, ref result, message: Some(ref message), .. }
                if result == "UPDATE-PRODUCT-RESULT-FAILED" && message.contains("Price group 9")
        ),
        "{error:?}"
    );
    assert_eq!(article(&client).await, kept);

    // An empty list removes them.
    client.update_product(&update("Leeg", Some(Vec::new()))).await.unwrap();
    let emptied = article(&client).await;
    assert!(emptied.price_group_list.is_empty(), "{emptied:?}");
    assert!(emptied.sync_marker > kept.sync_marker);
}

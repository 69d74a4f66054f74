//! Article groups against the simulator: a group at the top level and one under it, renamed, with products added
//! and taken out, read back with `getArticleGroups` and `getProducts`; and each refusal, which changes nothing.

use koppel_mplus::model::{ArticleGroup, Product};

use super::*;

/// Two seeded products (a T-shirt and the next one), both in top-level group 10 "Kleding".
const PRODUCTS: [i64; 2] = [1001, 1002];

async fn groups(client: &MplusClient) -> Vec<ArticleGroup> {
    client.get_article_groups(0, 1_000).await.unwrap()
}

fn group(groups: &[ArticleGroup], number: i32) -> &ArticleGroup {
    ArticleGroup::find(groups, number).unwrap_or_else(|| panic!("no group {number} in {groups:?}"))
}

async fn product(client: &MplusClient, number: i64) -> Product {
    let products = client
        .get_products(&ProductFilter::default(), 0, 100_000)
        .await
        .unwrap();
    products
        .into_iter()
        .find(|p| p.product_number == Some(number))
        .unwrap_or_else(|| panic!("no product {number}"))
}

/// The (article group, article) sync markers.
async fn markers(client: &MplusClient) -> (Option<i64>, i64) {
    let markers = client.current_sync_markers().await.unwrap();
    (markers.article_group_sync_marker, markers.article_sync_marker)
}

/// Asserts that `error` is `operation`'s business `result` (the writes answer no `errorMessage`).
fn assert_refused(error: &MplusError, outcome: BusinessOutcome, operation: &str, result: &str) {
    assert!(
        matches!(error, MplusError::Business { outcome: o, result: r, message: None, .. } if *o == outcome && r == result),
        "{error:?}"
    );
    assert_eq!(error.to_string(), format!("MplusKASSA {operation} answered {result}"));
}

#[tokio::test]
async fn groups_are_created_nested_renamed_and_filled() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let (group_marker, _) = markers(&client).await;

    let top = client.new_article_group(0, "Koppel", "Uit AFAS").await.unwrap();
    let sub = client.new_article_group(top, "Truien", "Gebreid").await.unwrap();
    assert_eq!((top, sub), (91, 92), "the next free numbers after the seeded 10..90");
    let read = groups(&client).await;
    let listed = read.iter().find(|g| g.group_number == top).expect("a top-level group");
    assert_eq!(
        listed.sub_group_list.iter().map(|g| g.group_number).collect::<Vec<_>>(),
        [sub]
    );
    assert!(
        read.iter().all(|g| g.group_number != sub),
        "a sub-group is listed under its parent only"
    );

    client
        .update_article_group(sub, Some("Warme truien"), None)
        .await
        .unwrap();
    let read = groups(&client).await;
    let renamed = group(&read, sub);
    assert_eq!(
        (renamed.name.as_deref(), renamed.text.as_deref()),
        (Some("Warme truien"), Some("Gebreid"))
    );
    // Each change gave the group and then its parent the next marker.
    let (top_marker, sub_marker) = (group(&read, top).sync_marker.unwrap(), renamed.sync_marker.unwrap());
    assert!(sub_marker > group_marker.unwrap() && top_marker == sub_marker + 1);

    let (_, article_marker) = markers(&client).await;
    client.add_products_to_article_group(sub, &PRODUCTS).await.unwrap();
    let read = groups(&client).await;
    assert_eq!(group(&read, sub).product_numbers, PRODUCTS);
    assert!(group(&read, top).product_numbers.is_empty());
    for number in PRODUCTS {
        let shown = product(&client, number).await;
        assert_eq!(shown.group_numbers, [10, sub], "product {number}");
        assert!(
            shown.sync_marker > Some(article_marker),
            "product {number} has a new marker"
        );
    }

    // Adding one again changes nothing: no duplicate, no new marker.
    let before = (read.clone(), markers(&client).await);
    client.add_products_to_article_group(sub, &PRODUCTS[1..]).await.unwrap();
    assert_eq!((groups(&client).await, markers(&client).await), before);
    assert_eq!(product(&client, PRODUCTS[1]).await.group_numbers, [10, sub]);

    client
        .delete_products_from_article_group(sub, &PRODUCTS[..1])
        .await
        .unwrap();
    let read = groups(&client).await;
    assert_eq!(group(&read, sub).product_numbers, PRODUCTS[1..]);
    assert!(group(&read, sub).sync_marker > before.0.iter().map(|g| g.sync_marker).max().unwrap());
    assert_eq!(product(&client, PRODUCTS[0]).await.group_numbers, [10]);
    assert_eq!(product(&client, PRODUCTS[1]).await.group_numbers, [10, sub]);
}

#[tokio::test]
async fn refusals_change_nothing() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let before = (groups(&client).await, markers(&client).await);

    let error = client.new_article_group(999, "Wees", "").await.unwrap_err();
    assert_refused(
        &error,
        BusinessOutcome::NotFound,
        "newArticleGroup",
        "NEW-ARTICLE-GROUP-RESULT-PARENT-NOTFOUND",
    );
    let error = client.new_article_group(0, " ", "Naamloos").await.unwrap_err();
    assert_refused(
        &error,
        BusinessOutcome::Failed,
        "newArticleGroup",
        "NEW-ARTICLE-GROUP-RESULT-FAILED",
    );
    let error = client
        .update_article_group(999, Some("Nergens"), None)
        .await
        .unwrap_err();
    assert_refused(
        &error,
        BusinessOutcome::NotFound,
        "updateArticleGroup",
        "SAVE-ARTICLE-GROUP-RESULT-NOT-FOUND",
    );
    let error = client.update_article_group(10, Some(""), None).await.unwrap_err();
    assert_refused(
        &error,
        BusinessOutcome::Failed,
        "updateArticleGroup",
        "SAVE-ARTICLE-GROUP-RESULT-FAILED",
    );
    // A known product next to an unknown one is not added either.
    let error = client
        .add_products_to_article_group(20, &[PRODUCTS[0], 999_999])
        .await
        .unwrap_err();
    assert_refused(
        &error,
        BusinessOutcome::Failed,
        "addProductsToArticleGroup",
        "ADD-PRODUCTS-TO-ARTICLE-GROUP-RESULT-FAILED",
    );
    let error = client.add_products_to_article_group(999, &PRODUCTS).await.unwrap_err();
    assert_refused(
        &error,
        BusinessOutcome::NotFound,
        "addProductsToArticleGroup",
        "ADD-PRODUCTS-TO-ARTICLE-GROUP-RESULT-NOT-FOUND",
    );
    let error = client
        .delete_products_from_article_group(10, &[PRODUCTS[0], 999_999])
        .await
        .unwrap_err();
    assert_refused(
        &error,
        BusinessOutcome::Failed,
        "deleteProductsFromArticleGroup",
        "DELETE-PRODUCTS-FROM-ARTICLE-GROUP-RESULT-FAILED",
    );
    let error = client
        .delete_products_from_article_group(999, &PRODUCTS)
        .await
        .unwrap_err();
    assert_refused(
        &error,
        BusinessOutcome::NotFound,
        "deleteProductsFromArticleGroup",
        "DELETE-PRODUCTS-FROM-ARTICLE-GROUP-RESULT-NOT-FOUND",
    );

    assert_eq!((groups(&client).await, markers(&client).await), before);
    assert_eq!(product(&client, PRODUCTS[0]).await.group_numbers, [10]);
}

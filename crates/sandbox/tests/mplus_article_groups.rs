//! Article groups: `newArticleGroup`, `updateArticleGroup`, `addProductsToArticleGroup` and
//! `deleteProductsFromArticleGroup` on the group tree `getArticleGroups` shows, with the sync markers that move,
//! the products' `groupNumbers` in `getProducts`, and each refusal (a `result` only: the WSDL gives these
//! responses no `errorMessage`).

mod mplus_support;

use koppel_sandbox::mplus::xml::Element;
use mplus_support::{Mplus, at, number, x};

fn new_group(parent: i64, name: &str) -> String {
    x(
        "newArticleGroup",
        x(
            "request",
            format!("{}{}{}", x("parentGroupNumber", parent), x("name", name), x("text", "")),
        ),
    )
}

/// `addProductsToArticleGroup` or `deleteProductsFromArticleGroup`; `extra` goes between the group and the
/// products (`position`) or after them (`removeAll`).
fn group_products(operation: &str, group: i64, before: &str, products: &[i64], after: &str) -> String {
    let numbers: String = products.iter().map(|n| x("number", n)).collect();
    x(
        operation,
        x(
            "request",
            format!(
                "{}{before}{}{after}",
                x("groupNumber", group),
                x("productNumbers", numbers)
            ),
        ),
    )
}

async fn create(mplus: &Mplus, parent: i64, name: &str) -> i64 {
    let answer = mplus.call(&new_group(parent, name)).await;
    assert_eq!(answer.ok().text_of("result"), Some("NEW-ARTICLE-GROUP-RESULT-OK"));
    number(answer.ok(), "groupNumber")
}

/// The top-level groups from `marker` on, with their subtrees and article numbers.
async fn top_groups(mplus: &Mplus, marker: i64) -> Vec<Element> {
    let request = format!("{}{}", x("syncMarker", marker), x("retrieveArticleNumbers", "true"));
    let answer = mplus.call(&x("getArticleGroups", x("request", request))).await;
    at(answer.ok(), "articleGroupList").children.clone()
}

fn find(groups: &[Element], group: i64) -> Option<&Element> {
    groups.iter().find_map(|g| {
        if number(g, "groupNumber") == group {
            Some(g)
        } else {
            find(&at(g, "subGroupList").children, group)
        }
    })
}

fn numbers(group: &Element, list: &str) -> Vec<i64> {
    at(group, list).numbers_of("number")
}

async fn product_groups(mplus: &Mplus, product: i64) -> Vec<i64> {
    let request = format!("{}{}", x("productNumbers", product), x("pluNumbers", ""));
    let answer = mplus.call(&x("getProducts", x("request", request))).await;
    at(answer.ok(), "productList/product").numbers_of("groupNumbers")
}

async fn call_result(mplus: &Mplus, request: &str) -> String {
    let answer = mplus.call(request).await;
    answer.ok().text_of("result").unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_change_in_a_sub_group_lists_its_top_level_group_again() {
    let mplus = Mplus::start().await;
    let top = create(&mplus, 0, "Koppel").await;
    let sub = create(&mplus, top, "Truien").await;
    let deeper = create(&mplus, sub, "Wol").await;
    let marker = number(&mplus.markers().await, "articleGroupSyncMarker");

    // Only the tree that changed is listed from the next marker, with the new group's marker its own.
    let answer = mplus
        .call(&group_products("addProductsToArticleGroup", deeper, "", &[1001], ""))
        .await;
    assert_eq!(
        answer.ok().text_of("result"),
        Some("ADD-PRODUCTS-TO-ARTICLE-GROUP-RESULT-OK")
    );
    let listed = top_groups(&mplus, marker + 1).await;
    assert_eq!(listed.len(), 1);
    let changed = find(&listed, deeper).unwrap();
    assert_eq!(number(changed, "syncMarker"), marker + 1);
    assert_eq!(number(&listed[0], "syncMarker"), marker + 3, "the top-level group last");
    assert_eq!(numbers(changed, "productNumbers"), [1001]);
    assert!(!numbers(changed, "articleNumbers").is_empty(), "its product's articles");
    assert_eq!(number(&mplus.markers().await, "articleGroupSyncMarker"), marker + 3);
    assert_eq!(product_groups(&mplus, 1001).await, [10, deeper]);

    // Moving a group to the top level changes both trees; under its own sub-group it cannot go.
    let move_to = |parent: i64| {
        x(
            "updateArticleGroup",
            x(
                "request",
                format!("{}{}", x("groupNumber", sub), x("parentGroupNumber", parent)),
            ),
        )
    };
    assert_eq!(
        call_result(&mplus, &move_to(deeper)).await,
        "SAVE-ARTICLE-GROUP-RESULT-FAILED"
    );
    assert_eq!(
        call_result(&mplus, &move_to(sub)).await,
        "SAVE-ARTICLE-GROUP-RESULT-FAILED"
    );
    assert_eq!(call_result(&mplus, &move_to(0)).await, "SAVE-ARTICLE-GROUP-RESULT-OK");
    let listed = top_groups(&mplus, marker + 4).await;
    let tops: Vec<i64> = listed.iter().map(|g| number(g, "groupNumber")).collect();
    assert_eq!(tops, [top, sub]);
    assert!(at(&listed[0], "subGroupList").children.is_empty());
    assert!(find(&listed[1..], deeper).is_some());
}

#[tokio::test]
async fn products_are_inserted_at_a_position_and_all_removed() {
    let mplus = Mplus::start().await;
    let group = create(&mplus, 0, "Etalage").await;
    let add =
        |position: &str, products: &[i64]| group_products("addProductsToArticleGroup", group, position, products, "");
    assert_eq!(
        call_result(&mplus, &add("", &[1001, 1002, 1001])).await,
        "ADD-PRODUCTS-TO-ARTICLE-GROUP-RESULT-OK"
    );
    // `position` counts from 1; a product already in the group stays where it is.
    call_result(&mplus, &add(&x("position", 1), &[1003, 1002])).await;
    let read = top_groups(&mplus, 0).await;
    assert_eq!(
        numbers(find(&read, group).unwrap(), "productNumbers"),
        [1003, 1001, 1002]
    );
    assert_eq!(
        call_result(&mplus, &add(&x("position", -1), &[1004])).await,
        "ADD-PRODUCTS-TO-ARTICLE-GROUP-RESULT-FAILED"
    );

    let remove_all = group_products(
        "deleteProductsFromArticleGroup",
        group,
        "",
        &[],
        &x("removeAll", "true"),
    );
    assert_eq!(
        call_result(&mplus, &remove_all).await,
        "DELETE-PRODUCTS-FROM-ARTICLE-GROUP-RESULT-OK"
    );
    let read = top_groups(&mplus, 0).await;
    assert!(numbers(find(&read, group).unwrap(), "productNumbers").is_empty());
    for product in [1001, 1002, 1003] {
        assert!(!product_groups(&mplus, product).await.contains(&group), "{product}");
    }
}

#[tokio::test]
async fn a_new_product_joins_its_groups_which_must_exist() {
    let mplus = Mplus::start().await;
    let group = create(&mplus, 0, "Nieuw").await;
    let product = |groups: &[i64]| {
        let article = format!(
            "{}{}{}",
            x("description", "Sjaal"),
            x("turnoverGroup", 10),
            x("priceIncl", 1995)
        );
        let groups: String = groups.iter().map(|g| x("groupNumbers", g)).collect();
        x(
            "createProduct",
            x(
                "product",
                format!("{}{groups}", x("articleList", x("article", article))),
            ),
        )
    };
    let answer = mplus.call(&product(&[group, group])).await;
    assert_eq!(answer.ok().text_of("result"), Some("CREATE-PRODUCT-RESULT-OK"));
    let created = number(answer.ok(), "productNumber");
    assert_eq!(product_groups(&mplus, created).await, [group]);
    let read = top_groups(&mplus, 0).await;
    assert_eq!(numbers(find(&read, group).unwrap(), "productNumbers"), [created]);

    let answer = mplus.call(&product(&[999])).await;
    assert_eq!(answer.ok().text_of("result"), Some("CREATE-PRODUCT-RESULT-FAILED"));
    assert_eq!(
        answer.ok().text_of("errorMessage"),
        Some("Article group 999 does not exist")
    );
}

#[tokio::test]
async fn a_missing_required_element_is_a_client_fault() {
    let mplus = Mplus::start().await;
    let nameless = x(
        "newArticleGroup",
        x("request", format!("{}{}", x("parentGroupNumber", 0), x("text", ""))),
    );
    let (code, message) = mplus.call(&nameless).await.fault();
    assert_eq!(code, "SOAP-ENV:Client");
    assert!(message.contains("'name'"), "{message}");
    let listless = x("addProductsToArticleGroup", x("request", x("groupNumber", 10)));
    let (code, message) = mplus.call(&listless).await.fault();
    assert_eq!(code, "SOAP-ENV:Client");
    assert!(message.contains("'productNumbers'"), "{message}");
}

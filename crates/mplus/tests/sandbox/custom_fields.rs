//! Custom fields against the simulator: the shop's definitions from `getCustomFieldLists`, and an article's
//! values written with `createProduct` and `updateProduct` and read back with `getProducts`.

use koppel_mplus::model::Article;
use koppel_mplus::{ArticleWrite, ArticleWriteList, CustomField, CustomFieldType, ProductWrite};

use super::*;

/// A product with one article: `article_number` (`None` on a create: the till numbers it) and its custom
/// field values; on a create also a description, turnover group and price.
fn product(product_number: Option<i64>, article_number: Option<i64>, fields: Vec<CustomField>) -> ProductWrite {
    let create = product_number.is_none();
    ProductWrite {
        product_number,
        article_list: ArticleWriteList {
            article: vec![ArticleWrite {
                article_number,
                description: create.then(|| "Koffiebonen Moyee 1 kg".to_owned()),
                turnover_group: create.then_some(10),
                price_incl: create.then(|| dec("24.95")),
                custom_field_list: Some(fields.into()),
                ..ArticleWrite::default()
            }],
        },
        ..ProductWrite::default()
    }
}

/// A value as `(fieldName, dataType, strValue, intValue, boolValue)`.
type Shown<'a> = (
    &'a str,
    Option<CustomFieldType>,
    Option<&'a str>,
    Option<i64>,
    Option<bool>,
);

/// An article's values, as [`Shown`].
fn values(article: &Article) -> Vec<Shown<'_>> {
    article
        .custom_field_list
        .iter()
        .map(|f| {
            (
                f.field_name.as_str(),
                f.data_type,
                f.str_value.as_deref(),
                f.int_value,
                f.bool_value,
            )
        })
        .collect()
}

fn refused(error: &MplusError, expected_result: &str, field: &str) -> bool {
    matches!(
        error,
        MplusError::Business { outcome: BusinessOutcome::Failed, result, message: Some(message), .. }
            if result == expected_result && message.contains(&format!("'{field}'"))
    )
}

#[tokio::test]
async fn the_shops_custom_fields_are_listed() {
    let sandbox = sandbox().await;
    let lists = client(&sandbox).get_custom_field_lists().await.unwrap();
    let definitions = |fields: &[CustomField]| -> Vec<(String, Option<CustomFieldType>)> {
        fields.iter().map(|f| (f.field_name.clone(), f.data_type)).collect()
    };
    assert_eq!(
        definitions(&lists.article),
        [
            ("Merk".to_owned(), Some(CustomFieldType::String)),
            ("Webshop".to_owned(), Some(CustomFieldType::Bool)),
            ("Houdbaarheid".to_owned(), Some(CustomFieldType::Int)),
        ]
    );
    assert_eq!(
        definitions(&lists.relation),
        [("Klantkaart".to_owned(), Some(CustomFieldType::String))]
    );
    assert!(lists.employee.is_empty());
    // Definitions only: not required, and no values.
    assert!(
        lists
            .article
            .iter()
            .chain(&lists.relation)
            .all(|f| f.is_required == Some(false)
                && f.str_value.is_none()
                && f.int_value.is_none()
                && f.bool_value.is_none())
    );
}

#[tokio::test]
async fn an_articles_custom_fields_are_created_merged_cleared_and_refused() {
    use CustomFieldType::{Bool, Int, String};
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    // A seeded article has no values, and so no list.
    assert!(
        client.get_articles(&[100001]).await.unwrap()[0]
            .custom_field_list
            .is_empty()
    );

    let created = client
        .create_product(&product(
            None,
            None,
            vec![CustomField::string("Merk", "Moyee"), CustomField::bool("Webshop", true)],
        ))
        .await
        .unwrap();
    let (number, article) = (created.product_number, created.article_numbers[0]);
    let read = client.get_articles(&[article]).await.unwrap().remove(0);
    assert_eq!(
        values(&read),
        [
            ("Merk", Some(String), Some("Moyee"), None, None),
            ("Webshop", Some(Bool), None, None, Some(true)),
        ]
    );

    // Only Houdbaarheid is sent: it joins the others, which keep their values.
    client
        .update_product(&product(
            Some(number),
            Some(article),
            vec![CustomField::int("Houdbaarheid", 365)],
        ))
        .await
        .unwrap();
    let merged = client.get_articles(&[article]).await.unwrap().remove(0);
    assert_eq!(
        values(&merged),
        [
            ("Merk", Some(String), Some("Moyee"), None, None),
            ("Webshop", Some(Bool), None, None, Some(true)),
            ("Houdbaarheid", Some(Int), None, Some(365), None),
        ]
    );
    assert!(merged.sync_marker > read.sync_marker);

    // A field the shop does not define, and a value that does not fit the field's type: refused, naming the
    // field, and nothing changes.
    let unknown = client
        .update_product(&product(
            Some(number),
            Some(article),
            vec![
                CustomField::string("Merk", "Anders"),
                CustomField::string("Kleur", "rood"),
            ],
        ))
        .await
        .unwrap_err();
    assert!(
        refused(&unknown, "UPDATE-PRODUCT-RESULT-FAILED", "Kleur"),
        "{unknown:?}"
    );
    let wrong_type = client
        .create_product(&product(
            None,
            None,
            vec![CustomField::string("Houdbaarheid", "een jaar")],
        ))
        .await
        .unwrap_err();
    assert!(
        refused(&wrong_type, "CREATE-PRODUCT-RESULT-FAILED", "Houdbaarheid"),
        "{wrong_type:?}"
    );
    let scaled_int = client
        .update_product(&product(
            Some(number),
            Some(article),
            vec![CustomField::decimal("Houdbaarheid", dec("36.5")).unwrap()],
        ))
        .await
        .unwrap_err();
    assert!(
        refused(&scaled_int, "UPDATE-PRODUCT-RESULT-FAILED", "Houdbaarheid"),
        "{scaled_int:?}"
    );
    assert_eq!(client.get_articles(&[article]).await.unwrap().remove(0), merged);

    // A field sent without a value is cleared.
    client
        .update_product(&product(
            Some(number),
            Some(article),
            vec![CustomField::cleared("Webshop")],
        ))
        .await
        .unwrap();
    let cleared = client.get_articles(&[article]).await.unwrap().remove(0);
    assert_eq!(
        values(&cleared),
        [
            ("Merk", Some(String), Some("Moyee"), None, None),
            ("Houdbaarheid", Some(Int), None, Some(365), None),
        ]
    );
}

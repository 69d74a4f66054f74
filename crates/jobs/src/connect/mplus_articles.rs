//! The till's articles as the articles flow reads and writes them: MplusKASSA's `Product`/`Article` to the
//! engine's [`TillArticle`], and a [`TillArticleDraft`] to a `createProduct`/`updateProduct` request.
//!
//! Each AFAS article becomes a product with one article (AFAS has no product level above its articles), the
//! product's description and `extraText` the article's texts, so the products flow reads back what was sent.
//! The VAT percentage becomes the `vatCode` of the till's VAT group with that rate (`getVatGroupList`, read
//! once per run).

use std::collections::{BTreeMap, HashMap};

use koppel_mplus::model::{Article, ArticleGroup, CustomField, CustomFieldList, CustomFieldType, Product, VatGroup};
use koppel_mplus::{ArticleWrite, ArticleWriteList, ProductWrite};
use koppel_sync::catalogue::{DimensionId, TillArticle, TillArticleDraft, TillVariant, VariantWrite};
use koppel_sync::custom_fields::{CustomFieldKind, CustomValue};
use koppel_sync::ports::{ConnectorError, ConnectorResult};
use rust_decimal::Decimal;

use super::errors;

/// The till's articles among `products` whose numbers are in `numbers`.
pub fn till_articles(products: &[Product], numbers: &[i64]) -> HashMap<i64, TillArticle> {
    products
        .iter()
        .flat_map(|product| product.article_list.iter().map(move |article| (product, article)))
        .filter_map(|(product, article)| {
            let number = article.article_number.filter(|n| numbers.contains(n))?;
            Some((number, till_article(product, article, number)))
        })
        .collect()
}

fn till_article(product: &Product, article: &Article, number: i64) -> TillArticle {
    let own = till_variant(article);
    TillArticle {
        article_number: number,
        ext_id: own.ext_id,
        product_number: product.product_number.unwrap_or_default(),
        product_articles: product.article_list.len(),
        description: own.description,
        extra_text: product.extra_text.clone().filter(|t| !t.is_empty()),
        barcode: own.barcode,
        turnover_group: own.turnover_group,
        vat_percentage: own.vat_percentage,
        price_incl_vat: own.price_incl_vat,
        price_excl_vat: own.price_excl_vat,
        active: own.active,
        group_numbers: product.group_numbers.clone(),
        discount_group: own.discount_group,
        custom_fields: article.custom_field_list.iter().filter_map(custom_value).collect(),
        product_variants: product
            .article_list
            .iter()
            .filter(|other| other.article_number.is_some_and(|n| n != number))
            .map(till_variant)
            .collect(),
    }
}

/// An article of a till product as the articles flow compares it.
fn till_variant(article: &Article) -> TillVariant {
    TillVariant {
        article_number: article.article_number.unwrap_or_default(),
        ext_id: article.ext_article_id.clone().filter(|id| !id.is_empty()),
        description: article.description.clone().unwrap_or_default(),
        colour: article.colour.clone().filter(|c| !c.is_empty()),
        size: article.size.clone().filter(|s| !s.is_empty()),
        barcode: article.barcode.clone().filter(|b| !b.is_empty()),
        turnover_group: article.turnover_group.unwrap_or_default(),
        vat_percentage: Decimal::from(article.vat_percentage.unwrap_or_default()),
        price_incl_vat: article.price_incl.unwrap_or_default(),
        price_excl_vat: article.price_excl.unwrap_or_default(),
        active: article.active.unwrap_or(true),
        discount_group: article.article_discount_group_number,
    }
}

/// Of the articles `numbers` among `products`, the AFAS dimension items' own ones (`extArticleId` `1030;`) with
/// the numbers of their combinations in the same product.
pub fn combinations(products: &[Product], numbers: &[i64]) -> HashMap<i64, Vec<i64>> {
    let id = |article: &Article| article.ext_article_id.as_deref().and_then(DimensionId::parse);
    let mut found = HashMap::new();
    for product in products {
        for own in &product.article_list {
            let (Some(number), Some(own_id)) = (own.article_number.filter(|n| numbers.contains(n)), id(own)) else {
                continue;
            };
            if !own_id.codes.is_empty() {
                continue;
            }
            let of_item = |article: &&Article| {
                id(article).is_some_and(|other| other.item_code == own_id.item_code && !other.codes.is_empty())
            };
            let mut combinations: Vec<i64> = product
                .article_list
                .iter()
                .filter(of_item)
                .filter_map(|a| a.article_number)
                .collect();
            combinations.sort_unstable();
            found.insert(number, combinations);
        }
    }
    found
}

/// Of the articles `numbers` among `products`, the ones Koppel made of AFAS dimension items, by number.
pub fn dimension_ids(products: &[Product], numbers: &[i64]) -> HashMap<String, DimensionId> {
    products
        .iter()
        .flat_map(|product| &product.article_list)
        .filter_map(|article| {
            let number = article.article_number.filter(|n| numbers.contains(n))?;
            let id = DimensionId::parse(article.ext_article_id.as_deref()?)?;
            Some((number.to_string(), id))
        })
        .collect()
}

/// A custom field's value as the engine compares it; `None` when it has none.
fn custom_value(field: &CustomField) -> Option<(String, CustomValue)> {
    let value = match field.data_type {
        Some(CustomFieldType::Decimal) => CustomValue::Decimal(field.decimal_value()?.normalize()),
        Some(CustomFieldType::Int) => CustomValue::Integer(field.int_value?),
        _ => match (
            &field.str_value,
            field.bool_value,
            field.date_value,
            field.decimal_value(),
        ) {
            (Some(text), ..) => CustomValue::Text(text.clone()),
            (_, Some(flag), ..) => CustomValue::Flag(flag),
            (_, _, Some(date), _) => CustomValue::Date(date),
            (.., Some(number)) if field.decimal_places.is_some() => CustomValue::Decimal(number.normalize()),
            _ => CustomValue::Integer(field.int_value?),
        },
    };
    Some((field.field_name.clone(), value))
}

/// The till's custom fields of articles and the kind of value each holds.
pub fn custom_field_kinds(definitions: &[CustomField]) -> BTreeMap<String, CustomFieldKind> {
    definitions
        .iter()
        .map(|field| {
            let kind = match field.data_type {
                Some(CustomFieldType::String) => CustomFieldKind::Text,
                Some(CustomFieldType::Int) => CustomFieldKind::Integer,
                Some(CustomFieldType::Decimal) => CustomFieldKind::Decimal,
                Some(CustomFieldType::Bool) => CustomFieldKind::Flag,
                Some(CustomFieldType::Date) => CustomFieldKind::Date,
                _ => CustomFieldKind::Other,
            };
            (field.field_name.clone(), kind)
        })
        .collect()
}

/// The draft's custom fields as the article's `customFieldList`; `None` when it fills none (the till's stay).
#[allow(clippy::result_large_err)]
fn custom_field_list(draft: &TillArticleDraft) -> ConnectorResult<Option<CustomFieldList>> {
    if draft.custom_fields.is_empty() {
        return Ok(None);
    }
    let fields = draft
        .custom_fields
        .iter()
        .map(|(name, value)| {
            Ok(match value {
                CustomValue::Text(text) => CustomField::string(name, text),
                CustomValue::Integer(number) => CustomField::int(name, *number),
                CustomValue::Decimal(number) => {
                    CustomField::decimal(name, *number).map_err(|error| errors::from_mplus(&error))?
                }
                CustomValue::Flag(flag) => CustomField::bool(name, *flag),
                CustomValue::Date(date) => CustomField::date(name, *date),
                CustomValue::Empty => CustomField::cleared(name),
            })
        })
        .collect::<ConnectorResult<Vec<_>>>()?;
    Ok(Some(fields.into()))
}

/// The VAT code of each rate the till knows (a rate with codes that differ per country takes the lowest).
pub fn vat_codes(groups: &[VatGroup]) -> HashMap<Decimal, i32> {
    let mut codes: HashMap<Decimal, i32> = HashMap::new();
    for group in groups {
        let code = codes
            .entry(Decimal::from(group.vat_percentage))
            .or_insert(group.vat_code);
        *code = (*code).min(group.vat_code);
    }
    codes
}

/// The request for the draft: a new product (`current` `None`) or an update of the article the till has. The
/// product's texts are the article's only when it is the product's only article: a product with variants
/// keeps its own name.
#[allow(clippy::result_large_err)]
pub fn product_write(
    draft: &TillArticleDraft,
    current: Option<&TillArticle>,
    vat_codes: &HashMap<Decimal, i32>,
) -> ConnectorResult<ProductWrite> {
    let own_product = current.is_none_or(|c| c.product_articles <= 1) || !draft.variants.is_empty();
    let vat_code = vat_codes
        .get(&draft.vat_percentage.normalize())
        .copied()
        .ok_or_else(|| {
            ConnectorError::setting(format!(
                "MplusKASSA has no VAT group with {}% VAT",
                draft.vat_percentage.normalize()
            ))
        })?;
    let (price_incl, price_excl) = match draft.price_includes_vat {
        true => (draft.price, None),
        false => (None, draft.price),
    };
    let own = ArticleWrite {
        article_number: Some(draft.article_number),
        ext_article_id: draft.ext_id.clone(),
        active: Some(draft.active),
        description: draft.description.clone(),
        barcode: draft.barcode.clone(),
        turnover_group: draft.turnover_group,
        vat_code: Some(vat_code),
        price_incl,
        price_excl,
        article_discount_group_number: draft.discount_group,
        custom_field_list: custom_field_list(draft)?,
        ..ArticleWrite::default()
    };
    let mut articles = variant_articles(draft, current, &own);
    articles.insert(0, own);
    Ok(ProductWrite {
        product_number: current.map(|c| c.product_number),
        description: draft.description.clone().filter(|_| own_product),
        extra_text: draft.extra_text.clone().filter(|_| own_product),
        group_numbers: current
            .is_none()
            .then_some(draft.till_group)
            .flatten()
            .into_iter()
            .collect(),
        article_list: ArticleWriteList { article: articles },
    })
}

/// The writes of a dimension item's combinations: every one for a new product, else what differs.
fn variant_articles(draft: &TillArticleDraft, current: Option<&TillArticle>, own: &ArticleWrite) -> Vec<ArticleWrite> {
    let writes = match current {
        Some(current) => draft.variant_writes(current),
        None => draft.variants.iter().map(VariantWrite::New).collect(),
    };
    writes
        .into_iter()
        .map(|write| match write {
            VariantWrite::New(variant) | VariantWrite::Change(_, variant) => ArticleWrite {
                article_number: match write {
                    VariantWrite::Change(number, _) => Some(number),
                    _ => None,
                },
                ext_article_id: Some(variant.ext_id.clone()),
                active: Some(variant.active),
                colour: variant.colour.clone(),
                size: variant.size.clone(),
                barcode: variant.barcode.clone(),
                ..own.clone()
            },
            VariantWrite::Retire(number) => ArticleWrite {
                article_number: Some(number),
                active: Some(false),
                ..ArticleWrite::default()
            },
        })
        .collect()
}

/// The text of an article group Koppel made for an AFAS article group: how it finds the group again (the name
/// is the till's to change).
fn group_marker(afas_group: &str) -> String {
    format!("AFAS article group {afas_group}")
}

/// The AFAS article group a till group stands for, if Koppel made it.
fn afas_group_of(group: &ArticleGroup) -> Option<String> {
    let text = group.text.as_deref()?;
    let code = text.strip_prefix(&group_marker(""))?.trim();
    (!code.is_empty()).then(|| code.to_owned())
}

/// The groups Koppel made at the till (at any depth), by the AFAS article group each stands for.
pub fn afas_groups(groups: &[ArticleGroup]) -> HashMap<String, i32> {
    let mut found = HashMap::new();
    let mut stack: Vec<&ArticleGroup> = groups.iter().collect();
    while let Some(group) = stack.pop() {
        if group.is_deleted != Some(true)
            && let Some(code) = afas_group_of(group)
        {
            found.entry(code).or_insert(group.group_number);
        }
        stack.extend(&group.sub_group_list);
    }
    found
}

/// The `newArticleGroup` arguments for an AFAS article group: top level, named after the code, marked.
pub fn new_group(afas_group: &str) -> (i32, String, String) {
    (0, afas_group.to_owned(), group_marker(afas_group))
}

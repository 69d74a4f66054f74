//! The till's price groups as the prices flow reads and writes them: each `Article.priceGroupList` to the
//! engine's [`TillArticlePrices`], and a [`TillPricesDraft`] to an `updateProduct` that carries the article's
//! whole price-group list (MplusKASSA replaces the list it is sent: the other groups' prices go along as the
//! till has them).

use koppel_mplus::model::{Article, PriceGroup, Product};
use koppel_mplus::{ArticleWrite, ArticleWriteList, PriceGroupWrite, PriceGroupWriteList, ProductWrite};
use koppel_sync::catalogue::DimensionId;
use koppel_sync::pricing::{TillArticlePrices, TillGroupPrice, TillPricesDraft};

/// The price groups of the articles of `products` (only those in `numbers`, when given). The combinations of an
/// AFAS dimension item ([`DimensionId`] in their `extArticleId`) come with the item's own article, not on their
/// own: they sell at the item's prices.
pub fn till_article_prices(products: &[Product], numbers: Option<&[i64]>) -> Vec<TillArticlePrices> {
    let prices = |product: &Product, article: &Article| {
        Some(TillArticlePrices {
            article_number: article.article_number?,
            product_number: product.product_number.unwrap_or_default(),
            prices: article.price_group_list.iter().map(group_price).collect(),
            combinations: Vec::new(),
        })
    };
    let dimension = |article: &Article| article.ext_article_id.as_deref().and_then(DimensionId::parse);
    products
        .iter()
        .flat_map(|product| {
            let combinations: Vec<TillArticlePrices> = product
                .article_list
                .iter()
                .filter(|article| dimension(article).is_some_and(|id| !id.codes.is_empty()))
                .filter_map(|article| prices(product, article))
                .collect();
            product
                .article_list
                .iter()
                .filter(|article| dimension(article).is_none_or(|id| id.codes.is_empty()))
                .filter_map(move |article| {
                    let mut own = prices(product, article)?;
                    if dimension(article).is_some() {
                        own.combinations = combinations.clone();
                    }
                    Some(own)
                })
        })
        .filter(|article| numbers.is_none_or(|numbers| numbers.contains(&article.article_number)))
        .collect()
}

fn group_price(group: &PriceGroup) -> TillGroupPrice {
    TillGroupPrice {
        price_group: group.price_group_number,
        minimum_amount: group.minimum_amount.unwrap_or_default(),
        price_incl_vat: group.price_incl.unwrap_or_default(),
        price_excl_vat: group.price_excl.unwrap_or_default(),
    }
}

/// The `updateProduct` request for the draft: for the article and each of its combinations, its other price
/// groups as the till has them (both prices, so nothing is derived again), then the draft's prices in its VAT
/// basis.
pub fn prices_write(current: &TillArticlePrices, draft: &TillPricesDraft) -> ProductWrite {
    let article = |till: &TillArticlePrices| {
        let kept = draft.kept_prices(till).map(|p| PriceGroupWrite {
            price_group_number: p.price_group,
            price_incl: Some(p.price_incl_vat),
            price_excl: Some(p.price_excl_vat),
            minimum_amount: (p.minimum_amount > 0).then_some(p.minimum_amount),
        });
        let sent = draft.prices.iter().map(|p| PriceGroupWrite {
            price_group_number: p.price_group,
            price_incl: draft.price_includes_vat.then_some(p.price),
            price_excl: (!draft.price_includes_vat).then_some(p.price),
            minimum_amount: (p.minimum_amount > 0).then_some(p.minimum_amount),
        });
        ArticleWrite {
            article_number: Some(till.article_number),
            price_group_list: Some(PriceGroupWriteList {
                price_group: kept.chain(sent).collect(),
            }),
            ..ArticleWrite::default()
        }
    };
    ProductWrite {
        product_number: Some(current.product_number),
        article_list: ArticleWriteList {
            article: std::iter::once(current)
                .chain(&current.combinations)
                .map(article)
                .collect(),
        },
        ..ProductWrite::default()
    }
}

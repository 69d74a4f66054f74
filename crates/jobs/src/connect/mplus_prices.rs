//! The till's price groups as the prices flow reads and writes them: each `Article.priceGroupList` to the
//! engine's [`TillArticlePrices`], and a [`TillPricesDraft`] to an `updateProduct` that carries the article's
//! whole price-group list (MplusKASSA replaces the list it is sent: the other groups' prices go along as the
//! till has them).

use koppel_mplus::model::{PriceGroup, Product};
use koppel_mplus::{ArticleWrite, ArticleWriteList, PriceGroupWrite, PriceGroupWriteList, ProductWrite};
use koppel_sync::pricing::{TillArticlePrices, TillGroupPrice, TillPricesDraft};

/// The price groups of the articles of `products` (only those in `numbers`, when given).
pub fn till_article_prices(products: &[Product], numbers: Option<&[i64]>) -> Vec<TillArticlePrices> {
    products
        .iter()
        .flat_map(|product| product.article_list.iter().map(move |article| (product, article)))
        .filter_map(|(product, article)| {
            let number = article.article_number?;
            numbers
                .is_none_or(|numbers| numbers.contains(&number))
                .then(|| TillArticlePrices {
                    article_number: number,
                    product_number: product.product_number.unwrap_or_default(),
                    prices: article.price_group_list.iter().map(group_price).collect(),
                })
        })
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

/// The `updateProduct` request for the draft: the article's other price groups as the till has them (both
/// prices, so nothing is derived again), then the draft's prices in its VAT basis.
pub fn prices_write(current: &TillArticlePrices, draft: &TillPricesDraft) -> ProductWrite {
    let kept = draft.kept_prices(current).map(|p| PriceGroupWrite {
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
    ProductWrite {
        product_number: Some(current.product_number),
        article_list: ArticleWriteList {
            article: vec![ArticleWrite {
                article_number: Some(draft.article_number),
                price_group_list: Some(PriceGroupWriteList {
                    price_group: kept.chain(sent).collect(),
                }),
                ..ArticleWrite::default()
            }],
        },
        ..ProductWrite::default()
    }
}

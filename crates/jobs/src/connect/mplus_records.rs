//! MplusKASSA relations, articles and stock in the engine's terms.
//!
//! A relation has one `name`: the company name for a company (the person is its `contact`), the person's
//! full name otherwise. Names are split at the first space into first and last name, so "Anna de Vries"
//! keeps the prefix with the last name, as AFAS shows it.

use koppel_mplus::model::{Article, ArticleStock, Product, Relation};
use koppel_sync::model::{SourceAddress, SourceArticle, SourceCustomer, StockLevel, VariantAttributes};

pub fn customer(relation: &Relation) -> SourceCustomer {
    let company_name = non_empty(relation.company_name.as_deref());
    let person = if company_name.is_some() {
        relation.contact.as_deref()
    } else {
        relation.name.as_deref()
    };
    let (first_name, last_name) = split_name(person);
    SourceCustomer {
        relation_number: relation.relation_number.map(|n| n.to_string()),
        sync_marker: relation.sync_marker,
        company_name,
        first_name,
        last_name,
        email: non_empty(relation.email.as_deref()),
        phone: non_empty(relation.telephone.as_deref()).or_else(|| non_empty(relation.mobile.as_deref())),
        address: address(
            relation.address.as_deref(),
            relation.zipcode.as_deref(),
            relation.city.as_deref(),
            relation.country.as_deref(),
        ),
        delivery_address: address(
            relation.delivery_address.as_deref(),
            relation.delivery_zipcode.as_deref(),
            relation.delivery_city.as_deref(),
            relation.delivery_country.as_deref(),
        ),
        vat_number: non_empty(relation.vat_number.as_deref()),
    }
}

/// An address when it has a street line.
pub fn address(
    line: Option<&str>,
    postcode: Option<&str>,
    city: Option<&str>,
    country: Option<&str>,
) -> Option<SourceAddress> {
    let street_line = non_empty(line)?;
    Some(SourceAddress {
        street_line,
        postcode: postcode.unwrap_or_default().trim().to_owned(),
        city: city.unwrap_or_default().trim().to_owned(),
        country: country.unwrap_or_default().trim().to_owned(),
    })
}

/// "Anna de Vries" → ("Anna", "de Vries"); a single word is the last name.
pub fn split_name(name: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(name) = non_empty(name) else {
        return (None, None);
    };
    match name.split_once(' ') {
        Some((first, last)) => (Some(first.to_owned()), non_empty(Some(last))),
        None => (None, Some(name)),
    }
}

pub fn non_empty(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The articles of a product; each carries the product's sync marker (the products flow's cursor).
pub fn articles(product: &Product) -> Vec<SourceArticle> {
    let marker = product
        .sync_marker
        .or_else(|| product.article_list.iter().filter_map(|a| a.sync_marker).max())
        .unwrap_or_default();
    product
        .article_list
        .iter()
        .filter_map(|article| source_article(product, article, marker))
        .collect()
}

fn source_article(product: &Product, article: &Article, marker: i64) -> Option<SourceArticle> {
    let sku = article.article_number?.to_string();
    let variant = (article.size.is_some() || article.colour.is_some()).then(|| VariantAttributes {
        size: non_empty(article.size.as_deref()),
        colour: non_empty(article.colour.as_deref()),
    });
    Some(SourceArticle {
        sync_marker: marker,
        product_number: product
            .product_number
            .map(|n| n.to_string())
            .unwrap_or_else(|| sku.clone()),
        title: non_empty(product.description.as_deref())
            .or_else(|| non_empty(article.description.as_deref()))
            .unwrap_or_else(|| sku.clone()),
        short_description: non_empty(article.receipt_text.as_deref()),
        long_description: non_empty(product.extra_text.as_deref())
            .or_else(|| non_empty(article.invoice_text.as_deref())),
        price_incl_vat: article.price_incl.unwrap_or_default(),
        price_excl_vat: article.price_excl.unwrap_or_default(),
        vat_percentage: article.vat_percentage.unwrap_or_default().into(),
        ean: non_empty(article.barcode.as_deref()),
        turnover_group: article.turnover_group.map(|g| g.to_string()),
        article_group: product.group_numbers.first().map(|g| g.to_string()),
        afas_article_group: None,
        unit: non_empty(article.unit.as_deref()),
        active: article.active.unwrap_or(true),
        webshop: article.webshop.unwrap_or(false),
        variant,
        ext_id: non_empty(article.ext_article_id.as_deref()),
        sku,
    })
}

/// MplusKASSA reports free stock and reservations; on hand is their sum.
pub fn stock_level(stock: &ArticleStock) -> StockLevel {
    StockLevel {
        sku: stock.article_number.to_string(),
        on_hand: stock.amount_free + stock.amount_reserved,
        reserved: stock.amount_reserved,
        incoming: stock.amount_incoming,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_at_the_first_space() {
        assert_eq!(
            split_name(Some("Anna de Vries")),
            (Some("Anna".into()), Some("de Vries".into()))
        );
        assert_eq!(split_name(Some(" Cher ")), (None, Some("Cher".into())));
        assert_eq!(split_name(Some("  ")), (None, None));
    }

    #[test]
    fn a_company_relation_has_its_contact_as_the_person() {
        let relation = Relation {
            relation_number: Some(1001),
            name: Some("Bakkerij Jansen BV".into()),
            company_name: Some("Bakkerij Jansen BV".into()),
            contact: Some("Piet Jansen".into()),
            email: Some("info@jansen.nl".into()),
            address: Some("Kerkstraat 12a".into()),
            country: Some("NL".into()),
            ..Relation::default()
        };
        let customer = customer(&relation);
        assert_eq!(customer.company_name.as_deref(), Some("Bakkerij Jansen BV"));
        assert_eq!(customer.first_name.as_deref(), Some("Piet"));
        assert_eq!(customer.address.unwrap().street_line, "Kerkstraat 12a");
        assert!(customer.delivery_address.is_none());
    }
}

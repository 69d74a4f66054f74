//! Products and their articles: `getProducts`, `createProduct`, `updateProduct`.
//! A product only groups articles; the articles carry prices (also per price group), barcodes and stock. A
//! change to any article gives it and its product the next article sync marker.

use std::collections::{BTreeMap, HashMap};

use super::custom_fields::merge_custom_fields;
use super::model::{Article, GroupPrice, Product, datetime_xml, excl_from_incl, incl_from_excl};
use super::seed::{Shop, ean13, vat_percentage};
use super::soap::SoapFault;
use super::state::{Store, now};
use super::sync::{Page, next};
use super::xml::Element;

/// Products by number, indexed by sync marker and by article number.
#[derive(Debug)]
pub struct Catalogue {
    products: HashMap<i64, Product>,
    by_marker: BTreeMap<i64, i64>,
    product_of_article: HashMap<i64, i64>,
    next_product_number: i64,
    next_article_number: i64,
}

impl Catalogue {
    pub fn new(shop: &Shop) -> Self {
        let mut catalogue = Self {
            products: HashMap::new(),
            by_marker: BTreeMap::new(),
            product_of_article: HashMap::new(),
            next_product_number: 2_001,
            next_article_number: 200_001,
        };
        for product in &shop.products {
            catalogue.index(product.clone());
        }
        catalogue
    }

    fn index(&mut self, product: Product) {
        for article in &product.articles {
            self.product_of_article.insert(article.number, product.number);
        }
        self.by_marker.insert(product.sync_marker, product.number);
        self.products.insert(product.number, product);
    }

    pub fn high_marker(&self) -> i64 {
        self.by_marker.keys().next_back().copied().unwrap_or(0)
    }

    pub fn product(&self, number: i64) -> Option<&Product> {
        self.products.get(&number)
    }

    /// Changes a product's own fields (such as its groups): as for an `updateProduct` without articles, its
    /// articles and so the product get new markers. `None` for an unknown product.
    pub fn change_product(
        &mut self,
        number: i64,
        change: impl FnOnce(&mut Product),
        counter: &mut i64,
    ) -> Option<&Product> {
        let mut product = self.products.get(&number)?.clone();
        change(&mut product);
        let articles: Vec<i64> = product.articles.iter().map(|a| a.number).collect();
        Some(self.save(product, &articles, counter))
    }

    pub fn article(&self, number: i64) -> Option<&Article> {
        let product = self.products.get(self.product_of_article.get(&number)?)?;
        product.articles.iter().find(|a| a.number == number)
    }

    /// Stores a new or changed product; `changed` articles (by number) get fresh markers, the product the last.
    pub fn save(&mut self, mut product: Product, changed: &[i64], counter: &mut i64) -> &Product {
        if let Some(old) = self.products.get(&product.number) {
            self.by_marker.remove(&old.sync_marker);
        }
        let at = now();
        for article in product.articles.iter_mut().filter(|a| changed.contains(&a.number)) {
            article.sync_marker = next(counter);
            article.changed_at = at;
        }
        product.sync_marker = product
            .articles
            .iter()
            .map(|a| a.sync_marker)
            .max()
            .unwrap_or_else(|| next(counter));
        self.next_product_number = self.next_product_number.max(product.number + 1);
        if let Some(highest) = product.articles.iter().map(|a| a.number).max() {
            self.next_article_number = self.next_article_number.max(highest + 1);
        }
        let number = product.number;
        self.index(product);
        &self.products[&number]
    }

    /// Sets an article's price including VAT (the price excluding VAT follows), as a price change in the back office.
    pub fn change_price(&mut self, article_number: i64, price_incl: i64, counter: &mut i64) -> Option<&Article> {
        let product_number = *self.product_of_article.get(&article_number)?;
        let mut product = self.products.get(&product_number)?.clone();
        let article = product.articles.iter_mut().find(|a| a.number == article_number)?;
        article.price_incl = price_incl;
        article.price_excl = excl_from_incl(price_incl, article.vat_percentage);
        self.save(product, &[article_number], counter);
        self.article(article_number)
    }
}

pub fn get_products(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("request")
        .ok_or_else(|| SoapFault::missing("request"))?;
    let page = Page::from_marker(Some(request));
    let article_numbers = request.numbers_of("articleNumbers");
    let product_numbers = request.numbers_of("productNumbers");
    let group_numbers = request.numbers_of("groupNumbers");
    let only_webshop = request.flag_of("onlyWebshop").unwrap_or(false);
    let only_active = request.flag_of("onlyActive").unwrap_or(false);
    let all_articles = request.flag_of("includeAllArticlesOfSelectedProducts").unwrap_or(false);
    let keep_article = |article: &Article| {
        (article_numbers.is_empty() || all_articles || article_numbers.contains(&article.number))
            && (!only_webshop || article.webshop)
            && (!only_active || article.active)
    };
    let catalogue = &store.catalogue;
    let mut products = Element::new("productList");
    let mut articles_sent = 0;
    for product_number in catalogue.by_marker.range(page.from..).map(|(_, n)| n) {
        // The limit counts articles, but a product is never split: the one that crosses the limit is sent whole.
        if articles_sent >= page.limit {
            break;
        }
        let product = &catalogue.products[product_number];
        if !product_numbers.is_empty() && !product_numbers.contains(&product.number) {
            continue;
        }
        if !group_numbers.is_empty()
            && !product
                .group_numbers
                .iter()
                .any(|g| group_numbers.contains(&i64::from(*g)))
        {
            continue;
        }
        if !article_numbers.is_empty() && !product.articles.iter().any(|a| article_numbers.contains(&a.number)) {
            continue;
        }
        let articles: Vec<&Article> = product.articles.iter().filter(|a| keep_article(a)).collect();
        if articles.is_empty() {
            continue;
        }
        articles_sent += articles.len();
        products.push(product.to_xml(&articles));
    }
    Ok(Element::new("GetProductsResponse").with(products))
}

/// Applies the fields present in a request's `article` element. Prices (the article's and its price groups'):
/// when only one of `priceIncl` and `priceExcl` is given, the other is derived with the article's VAT percentage.
/// A `customFieldList` is merged into the article's custom field values by `fieldName`
/// ([`merge_custom_fields`]).
fn apply_article(article: &mut Article, element: &Element, shop: &Shop) -> Result<(), String> {
    let text = |name: &str| element.text_of(name).map(str::to_owned);
    if let Some(value) = text("description") {
        article.description = value;
    }
    if let Some(value) = text("extArticleId") {
        article.ext_id = Some(value).filter(|id| !id.is_empty());
    }
    if let Some(value) = text("pluNumber") {
        article.plu = value;
    }
    if let Some(value) = text("barcode") {
        article.barcode = value;
    }
    article.colour = text("colour").or(article.colour.take());
    article.size = text("size").or(article.size.take());
    article.brand = text("brandName").or(article.brand.take());
    if let Some(group) = element.number_of("turnoverGroup") {
        let group = shop
            .turnover_groups
            .iter()
            .find(|g| i64::from(g.number) == group)
            .ok_or_else(|| format!("Turnover group {group} does not exist"))?;
        article.turnover_group = group.number;
        article.vat_code = group.default_vat_code;
    }
    if let Some(number) = element.int_of("articleDiscountGroupNumber")? {
        article.discount_group = Some(shop.article_discount_group(number)?.clone());
    }
    if let Some(code) = element.number_of("vatCode") {
        if !shop.vat_groups.iter().any(|g| i64::from(g.vat_code) == code) {
            return Err(format!("VAT code {code} does not exist"));
        }
        article.vat_code = code as i32;
    }
    article.vat_percentage = vat_percentage("NLD", article.vat_code);
    if let Some((incl, excl)) = prices_of(element, article.vat_percentage) {
        article.price_incl = incl;
        article.price_excl = excl;
    }
    if let Some(list) = element.child("priceGroupList") {
        article.group_prices = group_prices(list, article.vat_percentage, shop)?;
    }
    if let Some(list) = element.child("customFieldList") {
        merge_custom_fields(&mut article.custom_fields, list, &shop.article_custom_fields)?;
    }
    if let Some(price) = element.number_of("purchasePrice") {
        article.purchase_price = price;
    }
    if let Some(flag) = element.flag_of("stockArticle") {
        article.stock_article = flag;
    }
    if let Some(flag) = element.flag_of("webshop") {
        article.webshop = flag;
    }
    if let Some(flag) = element.flag_of("active") {
        article.active = flag;
    }
    if article.description.trim().is_empty() {
        return Err("An article needs a description".to_owned());
    }
    if article.turnover_group == 0 {
        return Err("An article needs a turnoverGroup".to_owned());
    }
    Ok(())
}

/// `(priceIncl, priceExcl)` of a request element: when only one is given, the other is derived with the VAT
/// percentage; when both are, `priceIncl` decides.
pub(super) fn prices_of(element: &Element, vat_percentage: i32) -> Option<(i64, i64)> {
    match (element.number_of("priceIncl"), element.number_of("priceExcl")) {
        (Some(incl), _) => Some((incl, excl_from_incl(incl, vat_percentage))),
        (None, Some(excl)) => Some((incl_from_excl(excl, vat_percentage), excl)),
        (None, None) => None,
    }
}

/// The prices of a request's `priceGroupList`, which replace all of the article's (the WSDL does not say; this
/// is our reading). Each is for a group of `getPriceGroupList`, needs a price, and appears once per
/// `minimumAmount` (absent is 0, negative is refused).
fn group_prices(list: &Element, vat_percentage: i32, shop: &Shop) -> Result<Vec<GroupPrice>, String> {
    let mut prices: Vec<GroupPrice> = Vec::new();
    for entry in list.children_named("priceGroup") {
        let number = entry
            .int_of("priceGroupNumber")?
            .ok_or("A priceGroup needs a priceGroupNumber")?;
        let number = shop.price_group(number)?;
        let minimum_amount = entry.int_of("minimumAmount")?.unwrap_or(0);
        if minimum_amount < 0 {
            return Err(format!(
                "Price group {number}: minimumAmount {minimum_amount} is negative"
            ));
        }
        if prices
            .iter()
            .any(|p| p.price_group_number == number && p.minimum_amount == minimum_amount)
        {
            return Err(format!(
                "Price group {number} with minimumAmount {minimum_amount} is given twice"
            ));
        }
        let (price_incl, price_excl) =
            prices_of(entry, vat_percentage).ok_or_else(|| format!("Price group {number} needs a price"))?;
        prices.push(GroupPrice {
            price_group_number: number,
            minimum_amount,
            price_incl,
            price_excl,
            discount_percentage: entry.int_of("discountPercentage")?,
        });
    }
    prices.sort_by_key(|p| (p.price_group_number, p.minimum_amount));
    Ok(prices)
}

fn blank_article(number: i64) -> Article {
    Article {
        number,
        ext_id: None,
        plu: number.to_string(),
        description: String::new(),
        colour: None,
        size: None,
        barcode: ean13(number),
        brand: None,
        turnover_group: 0,
        vat_code: 0,
        vat_percentage: 0,
        price_incl: 0,
        price_excl: 0,
        purchase_price: 0,
        stock_article: true,
        discount_group: None,
        webshop: false,
        active: true,
        sync_marker: 0,
        changed_at: now(),
        group_prices: Vec::new(),
        custom_fields: Vec::new(),
    }
}

fn product_response(name: &str, result: &str, message: &str) -> Element {
    Element::new(name)
        .with_leaf("result", result)
        .with_leaf("errorMessage", message)
}

pub fn create_product(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("product")
        .ok_or_else(|| SoapFault::missing("product"))?;
    let failed = |result: &str, message: String| {
        Ok(product_response("CreateProductResponse", result, &message).with_leaf("productNumber", 0))
    };
    let catalogue = &store.catalogue;
    let number = request.number_of("productNumber").filter(|&n| n > 0);
    if let Some(number) = number
        && catalogue.products.contains_key(&number)
    {
        return failed(
            "CREATE-PRODUCT-RESULT-FAILED-PRODUCT-NUMBER-ALREADY-TAKEN",
            format!("Product number {number} is already taken"),
        );
    }
    let requested: Vec<&Element> = request
        .child("articleList")
        .map(|list| list.children_named("article").collect())
        .unwrap_or_default();
    if requested.is_empty() {
        return failed(
            "CREATE-PRODUCT-RESULT-FAILED",
            "A product needs at least one article".to_owned(),
        );
    }
    let mut next_article = catalogue.next_article_number;
    let mut articles = Vec::new();
    for element in requested {
        let number = match element.number_of("articleNumber").filter(|&n| n > 0) {
            Some(number)
                if catalogue.article(number).is_some() || articles.iter().any(|a: &Article| a.number == number) =>
            {
                return failed(
                    "CREATE-PRODUCT-RESULT-FAILED-ARTICLE-NUMBER-ALREADY-TAKEN",
                    format!("Article number {number} is already taken"),
                );
            }
            Some(number) => number,
            None => {
                next_article += 1;
                next_article - 1
            }
        };
        let mut article = blank_article(number);
        if let Err(message) = apply_article(&mut article, element, &store.shop) {
            return failed("CREATE-PRODUCT-RESULT-FAILED", message);
        }
        articles.push(article);
    }
    // The product joins its groups (each once), which must exist.
    let mut group_numbers: Vec<i32> = Vec::new();
    for group in request.numbers_of("groupNumbers") {
        match i32::try_from(group).ok().filter(|&g| store.article_groups.contains(g)) {
            Some(g) if group_numbers.contains(&g) => {}
            Some(g) => group_numbers.push(g),
            None => {
                return failed(
                    "CREATE-PRODUCT-RESULT-FAILED",
                    format!("Article group {group} does not exist"),
                );
            }
        }
    }
    let product = Product {
        number: number.unwrap_or(catalogue.next_product_number),
        description: request
            .text_of("description")
            .map(str::to_owned)
            .unwrap_or_else(|| articles[0].description.clone()),
        extra_text: request.text_of("extraText").map(str::to_owned),
        group_numbers,
        articles,
        sync_marker: 0,
    };
    let changed: Vec<i64> = product.articles.iter().map(|a| a.number).collect();
    let saved = store.catalogue.save(product, &changed, &mut store.markers.article);
    for &group in &saved.group_numbers {
        store
            .article_groups
            .insert_products(group, &[saved.number], None, &mut store.markers.article_group);
    }
    let at = now();
    Ok(
        product_response("CreateProductResponse", "CREATE-PRODUCT-RESULT-OK", "")
            .with_leaf("productNumber", saved.number)
            .with_all(saved.articles.iter().map(|a| Element::leaf("articleNumbers", a.number)))
            .with(datetime_xml("changeTimestamp", at))
            .with_leaf("syncMarker", saved.sync_marker),
    )
}

pub fn update_product(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = operation
        .child("product")
        .ok_or_else(|| SoapFault::missing("product"))?;
    let failed = |result: &str, message: String| Ok(product_response("UpdateProductResponse", result, &message));
    let Some(number) = request.number_of("productNumber") else {
        return failed("UPDATE-PRODUCT-RESULT-FAILED", "productNumber is required".to_owned());
    };
    let catalogue = &store.catalogue;
    let Some(existing) = catalogue.products.get(&number) else {
        return failed("UPDATE-PRODUCT-RESULT-NOT-FOUND", format!("Product {number} not found"));
    };
    let mut product = existing.clone();
    if let Some(description) = request.text_of("description") {
        product.description = description.to_owned();
    }
    if let Some(text) = request.text_of("extraText") {
        product.extra_text = Some(text.to_owned());
    }
    let (mut existing_numbers, mut new_numbers) = (Vec::new(), Vec::new());
    let mut next_article = catalogue.next_article_number;
    for element in request
        .child("articleList")
        .iter()
        .flat_map(|l| l.children_named("article"))
    {
        let requested = element.number_of("articleNumber").filter(|&n| n > 0);
        let position = requested.and_then(|n| product.articles.iter().position(|a| a.number == n));
        let result = match (requested, position) {
            (_, Some(position)) => {
                existing_numbers.push(product.articles[position].number);
                apply_article(&mut product.articles[position], element, &store.shop)
            }
            (Some(n), None) if catalogue.article(n).is_some() => {
                return failed(
                    "UPDATE-PRODUCT-RESULT-FAILED-ARTICLE-NUMBER-ALREADY-TAKEN",
                    format!("Article number {n} belongs to another product"),
                );
            }
            (requested, None) => {
                let n = requested.unwrap_or_else(|| {
                    next_article += 1;
                    next_article - 1
                });
                // A new variant starts as a copy of the product's first article.
                let mut article = product.articles.first().cloned().unwrap_or_else(|| blank_article(n));
                article.number = n;
                article.plu = n.to_string();
                article.barcode = ean13(n);
                new_numbers.push(n);
                let applied = apply_article(&mut article, element, &store.shop);
                product.articles.push(article);
                applied
            }
        };
        if let Err(message) = result {
            return failed("UPDATE-PRODUCT-RESULT-FAILED", message);
        }
    }
    let changed: Vec<i64> = if existing_numbers.is_empty() && new_numbers.is_empty() {
        product.articles.iter().map(|a| a.number).collect()
    } else {
        existing_numbers.iter().chain(&new_numbers).copied().collect()
    };
    let saved = store.catalogue.save(product, &changed, &mut store.markers.article);
    Ok(
        product_response("UpdateProductResponse", "UPDATE-PRODUCT-RESULT-OK", "")
            .with_all(
                existing_numbers
                    .iter()
                    .map(|n| Element::leaf("existingArticleNumbers", n)),
            )
            .with_all(new_numbers.iter().map(|n| Element::leaf("newArticleNumbers", n)))
            .with(datetime_xml("changeTimestamp", now()))
            .with_leaf("syncMarker", saved.sync_marker),
    )
}

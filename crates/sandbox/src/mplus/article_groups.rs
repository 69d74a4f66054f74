//! Article groups: `getArticleGroups`, `newArticleGroup`, `updateArticleGroup`, `addProductsToArticleGroup` and
//! `deleteProductsFromArticleGroup`. The groups form a tree; `getArticleGroups` lists the top-level groups by
//! sync marker, each with its whole subtree, so a change anywhere in a tree gives the changed group and then
//! each of its ancestors the next article group marker (the top-level group last). A product's membership is
//! kept on both sides, the group's `productNumbers` and the product's `groupNumbers` (what `getProducts`
//! shows), so a product that joins or leaves a group also gets new article markers.
//!
//! The writes answer only a `result`: the WSDL gives their responses no `errorMessage`.

use std::collections::BTreeMap;

use super::model::ArticleGroup;
use super::products::Catalogue;
use super::seed::Shop;
use super::soap::SoapFault;
use super::state::Store;
use super::sync::{Page, next};
use super::xml::Element;

/// The group tree, by group number.
#[derive(Debug)]
pub struct ArticleGroups {
    groups: BTreeMap<i32, ArticleGroup>,
}

impl ArticleGroups {
    pub fn new(shop: &Shop) -> Self {
        Self {
            groups: shop.article_groups.iter().map(|g| (g.number, g.clone())).collect(),
        }
    }

    pub fn high_marker(&self) -> i64 {
        self.groups.values().map(|g| g.sync_marker).max().unwrap_or(0)
    }

    pub fn contains(&self, number: i32) -> bool {
        self.groups.contains_key(&number)
    }

    /// The groups under `parent` (`None`: the top level) in the till's order.
    fn children(&self, parent: Option<i32>) -> Vec<&ArticleGroup> {
        let mut children: Vec<_> = self.groups.values().filter(|g| g.parent == parent).collect();
        children.sort_by_key(|g| (g.sort_order, g.number));
        children
    }

    /// Whether `number` is `ancestor` or lies below it.
    fn is_within(&self, number: i32, ancestor: i32) -> bool {
        let mut current = Some(number);
        while let Some(n) = current {
            if n == ancestor {
                return true;
            }
            current = self.groups.get(&n).and_then(|g| g.parent);
        }
        false
    }

    /// Gives the group and then each of its ancestors the next marker.
    fn touch(&mut self, number: i32, counter: &mut i64) {
        let mut current = Some(number);
        while let Some(group) = current.and_then(|n| self.groups.get_mut(&n)) {
            group.sync_marker = next(counter);
            current = group.parent;
        }
    }

    /// Puts the products that are not in the group yet (each once) at `position` (0-based; `None` or past the
    /// end appends) and returns them. The group must exist.
    pub fn insert_products(
        &mut self,
        number: i32,
        products: &[i64],
        position: Option<usize>,
        counter: &mut i64,
    ) -> Vec<i64> {
        let Some(group) = self.groups.get_mut(&number) else {
            return Vec::new();
        };
        let mut new: Vec<i64> = Vec::new();
        for &product in products {
            if !group.product_numbers.contains(&product) && !new.contains(&product) {
                new.push(product);
            }
        }
        if !new.is_empty() {
            let at = position.unwrap_or(usize::MAX).min(group.product_numbers.len());
            group.product_numbers.splice(at..at, new.iter().copied());
            self.touch(number, counter);
        }
        new
    }

    /// Takes the products out of the group (`None`: all of them) and returns those that were in it.
    fn remove_products(&mut self, number: i32, products: Option<&[i64]>, counter: &mut i64) -> Vec<i64> {
        let Some(group) = self.groups.get_mut(&number) else {
            return Vec::new();
        };
        let (removed, kept) = std::mem::take(&mut group.product_numbers)
            .into_iter()
            .partition(|p| products.is_none_or(|list| list.contains(p)));
        group.product_numbers = kept;
        if !removed.is_empty() {
            self.touch(number, counter);
        }
        removed
    }

    /// A group with its subtree; with `catalogue`, also the numbers of its products' articles.
    fn to_xml(&self, group: &ArticleGroup, catalogue: Option<&Catalogue>) -> Element {
        let sub_groups = self
            .children(Some(group.number))
            .into_iter()
            .map(|child| self.to_xml(child, catalogue))
            .collect();
        let article_numbers = catalogue.map(|catalogue| {
            group
                .product_numbers
                .iter()
                .filter_map(|&p| catalogue.product(p))
                .flat_map(|p| p.articles.iter().map(|a| a.number))
                .collect()
        });
        group.to_xml(sub_groups, article_numbers)
    }
}

fn request_of(operation: &Element) -> Result<&Element, SoapFault> {
    operation.child("request").ok_or_else(|| SoapFault::missing("request"))
}

/// A required `int` of the request: its absence is a fault, as for any required element; a value beyond `int`
/// is `None` (refused).
fn required_int(request: &Element, name: &str) -> Result<Option<i32>, SoapFault> {
    match request.int_of(name) {
        Ok(Some(value)) => Ok(Some(value)),
        Ok(None) => Err(SoapFault::missing(name)),
        Err(_) => Ok(None),
    }
}

/// The `number`s of the request's `productNumbers`; `None` when it has none.
fn product_numbers(request: &Element) -> Option<Vec<i64>> {
    request.child("productNumbers").map(|list| list.numbers_of("number"))
}

/// The first of `products` the catalogue does not have.
fn unknown_product(catalogue: &Catalogue, products: &[i64]) -> Option<i64> {
    products.iter().copied().find(|&p| catalogue.product(p).is_none())
}

fn result(response: &str, result: &str) -> Result<Element, SoapFault> {
    Ok(Element::new(response).with_leaf("result", result))
}

pub fn get_article_groups(store: &Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = request_of(operation)?;
    let page = Page::from_marker(Some(request));
    let numbers = request.numbers_of("groupNumbers");
    let with_articles = request.flag_of("retrieveArticleNumbers").unwrap_or(false);
    let groups = &store.article_groups;
    let mut top = groups.children(None);
    top.retain(|g| g.sync_marker >= page.from && (numbers.is_empty() || numbers.contains(&i64::from(g.number))));
    top.sort_by_key(|g| g.sync_marker);
    let listed = top
        .into_iter()
        .take(page.limit)
        .map(|g| groups.to_xml(g, with_articles.then_some(&store.catalogue)));
    Ok(Element::new("GetArticleGroupsResponse").with(Element::new("articleGroupList").with_all(listed)))
}

pub fn new_article_group(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    let request = request_of(operation)?;
    let answer = |result: &str, number: i32| {
        Ok(Element::new("NewArticleGroupResponse")
            .with_leaf("result", result)
            .with_leaf("groupNumber", number))
    };
    let name = request.text_of("name").ok_or_else(|| SoapFault::missing("name"))?;
    let text = request.text_of("text").ok_or_else(|| SoapFault::missing("text"))?;
    let (Some(parent), Ok(sort_order)) = (required_int(request, "parentGroupNumber")?, request.int_of("sortOrder"))
    else {
        return answer("NEW-ARTICLE-GROUP-RESULT-FAILED", 0);
    };
    let groups = &mut store.article_groups;
    let parent = (parent != 0).then_some(parent);
    if parent.is_some_and(|p| !groups.contains(p)) {
        return answer("NEW-ARTICLE-GROUP-RESULT-PARENT-NOTFOUND", 0);
    }
    if name.is_empty() {
        return answer("NEW-ARTICLE-GROUP-RESULT-FAILED", 0);
    }
    let number = groups.groups.keys().next_back().map_or(1, |highest| highest + 1);
    groups.groups.insert(
        number,
        ArticleGroup {
            number,
            parent,
            name: name.to_owned(),
            text: text.to_owned(),
            sort_order: sort_order.unwrap_or(0),
            sync_marker: 0,
            product_numbers: Vec::new(),
        },
    );
    groups.touch(number, &mut store.markers.article_group);
    answer("NEW-ARTICLE-GROUP-RESULT-OK", number)
}

pub fn update_article_group(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    const RESPONSE: &str = "UpdateArticleGroupResponse";
    const FAILED: &str = "SAVE-ARTICLE-GROUP-RESULT-FAILED";
    let request = request_of(operation)?;
    let Some(number) = required_int(request, "groupNumber")? else {
        return result(RESPONSE, FAILED);
    };
    let groups = &mut store.article_groups;
    let Some(existing) = groups.groups.get(&number) else {
        return result(RESPONSE, "SAVE-ARTICLE-GROUP-RESULT-NOT-FOUND");
    };
    let mut group = existing.clone();
    if let Some(name) = request.text_of("name") {
        if name.is_empty() {
            return result(RESPONSE, FAILED);
        }
        group.name = name.to_owned();
    }
    if let Some(text) = request.text_of("text") {
        group.text = text.to_owned();
    }
    let (Ok(sort_order), Ok(parent)) = (request.int_of("sortOrder"), request.int_of("parentGroupNumber")) else {
        return result(RESPONSE, FAILED);
    };
    if let Some(sort_order) = sort_order {
        group.sort_order = sort_order;
    }
    if let Some(parent) = parent {
        // A group cannot move under itself or its own sub-groups.
        if parent != 0 && (!groups.contains(parent) || groups.is_within(parent, number)) {
            return result(RESPONSE, FAILED);
        }
        group.parent = (parent != 0).then_some(parent);
    }
    if group != *existing {
        let old_parent = existing.parent;
        let moved = group.parent != old_parent;
        groups.groups.insert(number, group);
        if let Some(old_parent) = old_parent.filter(|_| moved) {
            groups.touch(old_parent, &mut store.markers.article_group);
        }
        groups.touch(number, &mut store.markers.article_group);
    }
    result(RESPONSE, "SAVE-ARTICLE-GROUP-RESULT-OK")
}

pub fn add_products_to_article_group(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    const RESPONSE: &str = "AddProductsToArticleGroupResponse";
    const FAILED: &str = "ADD-PRODUCTS-TO-ARTICLE-GROUP-RESULT-FAILED";
    let request = request_of(operation)?;
    let products = product_numbers(request).ok_or_else(|| SoapFault::missing("productNumbers"))?;
    let (Some(number), Ok(position)) = (required_int(request, "groupNumber")?, request.int_of("position")) else {
        return result(RESPONSE, FAILED);
    };
    if !store.article_groups.contains(number) {
        return result(RESPONSE, "ADD-PRODUCTS-TO-ARTICLE-GROUP-RESULT-NOT-FOUND");
    }
    // `position` counts from 1; 0 or none appends.
    let position = match position.unwrap_or(0) {
        0 => None,
        p if p > 0 => Some(p as usize - 1),
        _ => return result(RESPONSE, FAILED),
    };
    if unknown_product(&store.catalogue, &products).is_some() {
        return result(RESPONSE, FAILED);
    }
    let added = store
        .article_groups
        .insert_products(number, &products, position, &mut store.markers.article_group);
    for product in added {
        store
            .catalogue
            .change_product(product, |p| p.group_numbers.push(number), &mut store.markers.article);
    }
    result(RESPONSE, "ADD-PRODUCTS-TO-ARTICLE-GROUP-RESULT-OK")
}

pub fn delete_products_from_article_group(store: &mut Store, operation: &Element) -> Result<Element, SoapFault> {
    const RESPONSE: &str = "DeleteProductsFromArticleGroupResponse";
    let request = request_of(operation)?;
    let Some(number) = required_int(request, "groupNumber")? else {
        return result(RESPONSE, "DELETE-PRODUCTS-FROM-ARTICLE-GROUP-RESULT-FAILED");
    };
    if !store.article_groups.contains(number) {
        return result(RESPONSE, "DELETE-PRODUCTS-FROM-ARTICLE-GROUP-RESULT-NOT-FOUND");
    }
    let products = product_numbers(request).unwrap_or_default();
    if unknown_product(&store.catalogue, &products).is_some() {
        return result(RESPONSE, "DELETE-PRODUCTS-FROM-ARTICLE-GROUP-RESULT-FAILED");
    }
    let remove_all = request.flag_of("removeAll").unwrap_or(false);
    let removed = store.article_groups.remove_products(
        number,
        (!remove_all).then_some(products.as_slice()),
        &mut store.markers.article_group,
    );
    for product in removed {
        store.catalogue.change_product(
            product,
            |p| p.group_numbers.retain(|&g| g != number),
            &mut store.markers.article,
        );
    }
    result(RESPONSE, "DELETE-PRODUCTS-FROM-ARTICLE-GROUP-RESULT-OK")
}

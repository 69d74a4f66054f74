//! The deterministic shop generator: the same `(seed, orders)` always gives the same shop.
//!
//! Small collections (branches, employees, VAT, turnover and price groups, payment methods, the catalogue,
//! relations, stock, invoices, proposals) are generated eagerly. Orders are generated on demand from
//! `(seed, index)` by [`Shop::order`], so from 10 to 1,000,000 orders start in the same time and memory.
//!
//! ```
//! let shop = koppel_sandbox::mplus::seed::generate(42, 100);
//! let first_paid = shop.fully_paid_order_indices().next().expect("some orders are paid");
//! let order = shop.order(first_paid);
//! assert!(order.is_fully_paid());
//! assert_eq!(order.sync_marker, first_paid as i64 + 1);
//! ```

mod catalog;
mod names;
mod orders;
mod receipts;
mod relations;

use std::collections::HashMap;

use chrono::Duration;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use catalog::{
    SHIPPING_ARTICLE, SUPERUSER_EMPLOYEE, VAT_HIGH, VAT_LOW, VAT_ZERO, WEBSHOP_BRANCH, ean13, ean13_check_digit,
    vat_percentage,
};
pub use orders::{OrderState, country_iso3, seed_horizon};
pub use receipts::{first_receipt_day, receipt_count};

use super::model::{
    Article, ArticleDiscountGroup, ArticleGroup, Branch, CustomFieldDefinition, DeliveryMethod, Employee, Invoice,
    PaymentMethod, PriceGroup, Product, Proposal, Receipt, Relation, TurnoverGroup, VatGroup,
};

/// Stock of one article in one branch. Quantities are whole items (`decimalPlaces` 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StockLevel {
    pub branch_number: i32,
    pub article_number: i64,
    pub on_hand: i64,
    /// Held by open, undelivered orders.
    pub reserved: i64,
    /// On purchase orders.
    pub incoming: i64,
}

impl StockLevel {
    /// What can safely be sold: on hand minus reserved.
    pub fn free(&self) -> i64 {
        self.on_hand - self.reserved
    }
}

/// The seeded shop.
#[derive(Debug, Clone)]
pub struct Shop {
    pub seed: u64,
    order_count: u64,
    pub branches: Vec<Branch>,
    pub employees: Vec<Employee>,
    pub vat_groups: Vec<VatGroup>,
    pub turnover_groups: Vec<TurnoverGroup>,
    pub price_groups: Vec<PriceGroup>,
    /// The article discount groups (made in the back office; no operation lists them).
    pub article_discount_groups: Vec<ArticleDiscountGroup>,
    pub payment_methods: Vec<PaymentMethod>,
    pub delivery_methods: Vec<DeliveryMethod>,
    /// The custom fields articles, employees and relations can have (`getCustomFieldLists`).
    pub article_custom_fields: Vec<CustomFieldDefinition>,
    pub employee_custom_fields: Vec<CustomFieldDefinition>,
    pub relation_custom_fields: Vec<CustomFieldDefinition>,
    pub article_groups: Vec<ArticleGroup>,
    pub products: Vec<Product>,
    /// Relations as seeded, numbers from 1001, sync markers from 1.
    pub relations: Vec<Relation>,
    pub stock: Vec<StockLevel>,
    pub invoices: Vec<Invoice>,
    pub proposals: Vec<Proposal>,
    /// Till receipts, sync markers from 1 ([`receipt_count`] of them).
    pub receipts: Vec<Receipt>,
    /// Article number → (product index, article index).
    article_index: HashMap<i64, (usize, usize)>,
}

/// An independent random stream per (seed, kind of record, index).
pub(crate) fn rng_for(seed: u64, domain: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ domain.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    rng.set_stream(index);
    rng
}

const CATALOGUE_DOMAIN: u64 = 10;
const RELATION_DOMAIN: u64 = 11;
const STOCK_DOMAIN: u64 = 12;

/// Generates the shop for `seed` with `orders` orders.
pub fn generate(seed: u64, orders: usize) -> Shop {
    let order_count = orders as u64;
    let horizon = seed_horizon();
    let mut rng = rng_for(seed, CATALOGUE_DOMAIN, 0);
    let products = catalog::products(&mut rng, horizon - Duration::days(400));
    let relation_count = (order_count / 4).clamp(30, 20_000);
    let relations = (0..relation_count)
        .map(|i| {
            let mut rng = rng_for(seed, RELATION_DOMAIN, i);
            let created = horizon - Duration::days(500) + Duration::minutes(i as i64 * 7);
            relations::relation(&mut rng, 1_001 + i as i64, i as i64 + 1, created)
        })
        .collect();
    let branches = catalog::branches();
    let mut rng = rng_for(seed, STOCK_DOMAIN, 0);
    let stock = branches
        .iter()
        .flat_map(|branch| {
            products
                .iter()
                .flat_map(|p| p.articles.iter())
                .map(move |a| (branch.number, a))
        })
        .filter(|(_, article)| article.stock_article)
        .map(|(branch_number, article)| {
            let on_hand = rng.random_range(0..40);
            StockLevel {
                branch_number,
                article_number: article.number,
                on_hand,
                reserved: if on_hand > 0 {
                    rng.random_range(0..=on_hand.min(4))
                } else {
                    0
                },
                incoming: if rng.random_ratio(1, 5) {
                    rng.random_range(6..48)
                } else {
                    0
                },
            }
        })
        .collect();
    let article_index = products
        .iter()
        .enumerate()
        .flat_map(|(p, product)| {
            product
                .articles
                .iter()
                .enumerate()
                .map(move |(a, article)| (article.number, (p, a)))
        })
        .collect();
    let mut shop = Shop {
        seed,
        order_count,
        branches,
        employees: catalog::employees(),
        vat_groups: catalog::vat_groups(),
        turnover_groups: catalog::turnover_groups(),
        price_groups: catalog::price_groups(),
        article_discount_groups: catalog::article_discount_groups(),
        payment_methods: catalog::payment_methods(),
        delivery_methods: catalog::delivery_methods(),
        article_custom_fields: catalog::article_custom_fields(),
        employee_custom_fields: Vec::new(),
        relation_custom_fields: catalog::relation_custom_fields(),
        article_groups: catalog::article_groups(&products),
        products,
        relations,
        stock,
        invoices: Vec::new(),
        proposals: Vec::new(),
        receipts: Vec::new(),
        article_index,
    };
    shop.invoices = shop.seeded_invoices();
    shop.proposals = shop.seeded_proposals((order_count / 20).clamp(3, 500));
    shop.receipts = shop.seeded_receipts();
    shop
}

impl Shop {
    /// How many orders were seeded; [`Shop::order`] takes `0..order_count()`.
    pub fn order_count(&self) -> u64 {
        self.order_count
    }

    /// The indices of the seeded orders that are paid in full (and not cancelled), the flows' default filter.
    /// Generated lazily: take as many as needed.
    pub fn fully_paid_order_indices(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.order_count).filter(|&index| self.order(index).is_fully_paid())
    }

    /// The shop's article discount group `number`; requests name no others.
    pub fn article_discount_group(&self, number: i32) -> Result<&ArticleDiscountGroup, String> {
        self.article_discount_groups
            .iter()
            .find(|g| g.number == number)
            .ok_or_else(|| format!("Article discount group {number} does not exist"))
    }

    /// `number` when it is one of the shop's price groups (`getPriceGroupList`); requests name no others.
    pub fn price_group(&self, number: i32) -> Result<i32, String> {
        self.price_groups
            .iter()
            .any(|g| g.number == number)
            .then_some(number)
            .ok_or_else(|| format!("Price group {number} does not exist"))
    }

    /// A seeded article by number.
    pub fn article(&self, number: i64) -> Option<&Article> {
        let (p, a) = *self.article_index.get(&number)?;
        Some(&self.products[p].articles[a])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_shop_and_totals_add_up() {
        let (a, b) = (generate(7, 300), generate(7, 300));
        assert_eq!(a.relations, b.relations);
        assert_eq!(a.products, b.products);
        assert_eq!(a.order(123), b.order(123));
        assert_ne!(generate(8, 300).order(123), a.order(123));
        for index in 0..300 {
            let order = a.order(index);
            let totals = order.totals();
            let vat_excl: i64 = totals.per_vat_code.iter().map(|g| g.2).sum();
            let vat: i64 = totals.per_vat_code.iter().map(|g| g.3).sum();
            assert_eq!(vat_excl, totals.excl);
            assert_eq!(vat_excl + vat, totals.incl);
            if order.is_fully_paid() {
                assert_eq!(order.paid_amount(), totals.incl, "order {index}");
            }
            assert_eq!(a.order_index_of_id(&order.order_id), Some(index));
            if let Some(ext) = &order.ext_order_id {
                assert_eq!(a.order_index_of_ext_id(ext), Some(index));
            }
        }
    }

    #[test]
    fn a_million_orders_cost_nothing_up_front() {
        let started = std::time::Instant::now();
        let shop = generate(1, 1_000_000);
        let last = shop.order(999_999);
        assert_eq!(last.sync_marker, 1_000_000);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
}

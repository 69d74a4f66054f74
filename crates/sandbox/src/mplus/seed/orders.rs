//! Orders, invoices and proposals, each a pure function of (seed, index), so a million orders need no memory
//! until they are asked for. Lines mix VAT rates, carry discounts and shipping costs; payments add up to the
//! cent.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::RngExt;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::catalog::{SHIPPING_ARTICLE, SUPERUSER_EMPLOYEE, VAT_ZERO, WEBSHOP_BRANCH, vat_percentage};
use super::{Shop, rng_for};
use crate::mplus::model::{
    Address, Invoice, Line, Order, OrderType, Payment, PaymentMethodType, Progress, Proposal, ProposalState, VatMethod,
    excl_from_incl, incl_from_excl, mul_div_round,
};

/// The life-cycle state an order is generated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Paid in full and delivered.
    Delivered,
    /// Paid in full, not yet delivered.
    Paid,
    /// A deposit was paid.
    PartlyPaid,
    /// Nothing paid, nothing delivered.
    Unpaid,
    /// Delivered on account, nothing paid yet.
    DeliveredUnpaid,
    Cancelled,
}

impl OrderState {
    fn random(rng: &mut ChaCha8Rng) -> Self {
        match rng.random_range(0..100) {
            0..45 => OrderState::Delivered,
            45..60 => OrderState::Paid,
            60..70 => OrderState::PartlyPaid,
            70..82 => OrderState::Unpaid,
            82..90 => OrderState::DeliveredUnpaid,
            _ => OrderState::Cancelled,
        }
    }
}

/// The last moment seeded data covers; fixed so the same seed always gives the same shop.
pub fn seed_horizon() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 27)
        .and_then(|d| d.and_hms_opt(18, 0, 0))
        .expect("valid date")
}

/// A UUID-shaped id whose last group is the index, so a seeded record can be found from its id without an index.
pub fn derived_id(salt: u64, index: u64) -> String {
    let more = splitmix64(salt);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (salt >> 32) as u32,
        (salt >> 16) as u16,
        more & 0xfff,
        (more >> 12) & 0xfff,
        index
    )
}

/// One step of SplitMix64: spreads the bits of a seed over the whole word.
fn splitmix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The index of a [`derived_id`] made with this salt.
pub fn index_of_derived_id(salt: u64, id: &str) -> Option<u64> {
    let (prefix, index) = id.rsplit_once('-')?;
    let expected = derived_id(salt, 0);
    if index.len() != 12 || !expected.starts_with(prefix) || expected.len() != id.len() {
        return None;
    }
    u64::from_str_radix(index, 16).ok()
}

const ORDER_DOMAIN: u64 = 1;
const PROPOSAL_DOMAIN: u64 = 2;
const TIME_DOMAIN: u64 = 3;
/// The money shapes of an order (returns, an order discount, prices excl. VAT, weighed amounts) draw from a
/// stream of their own, so adding them left the rest of every seeded order as it was.
const SHAPE_DOMAIN: u64 = 5;
const LINE_ID_SALT: u64 = 0x0d11_1e00_0000;
const ORDER_ID_SALT: u64 = 0x0a11_ce5e_ed00;
const INVOICE_ID_SALT: u64 = 0x0b11_1ced_0000;
const PROPOSAL_ID_SALT: u64 = 0x0c0f_fe55_0000;
/// One in this many seeded orders (when delivered) was invoiced.
const INVOICE_EVERY: u64 = 3;
/// Invoices are generated eagerly, so their number is capped.
pub const MAX_SEEDED_INVOICES: u64 = 5_000;

impl Shop {
    /// A per-seed salt for derived ids, mixed so ids look random and differ between seeds.
    pub(super) fn salted(&self, salt: u64) -> u64 {
        splitmix64(salt ^ self.seed)
    }

    pub fn order_id(&self, index: u64) -> String {
        derived_id(self.salted(ORDER_ID_SALT), index)
    }

    /// The seeded order index of an order id, if it is one.
    pub fn order_index_of_id(&self, order_id: &str) -> Option<u64> {
        index_of_derived_id(self.salted(ORDER_ID_SALT), order_id).filter(|&i| i < self.order_count)
    }

    /// Webshop orders carry the webshop's order number as `extOrderId`.
    pub fn ext_order_id(index: u64) -> String {
        format!("WEB-{}", 100_000 + index)
    }

    /// The seeded order index of an `extOrderId`, if a seeded order has it.
    pub fn order_index_of_ext_id(&self, ext_order_id: &str) -> Option<u64> {
        let index = ext_order_id
            .strip_prefix("WEB-")?
            .parse::<u64>()
            .ok()?
            .checked_sub(100_000)?;
        (index < self.order_count && self.order_type(index) == OrderType::ExternalSales).then_some(index)
    }

    fn invoice_id(&self, order_index: u64) -> String {
        derived_id(self.salted(INVOICE_ID_SALT), order_index)
    }

    /// Whether seeded order `index` has been invoiced (its invoice is among the seeded invoices).
    fn is_invoiced(&self, index: u64, state: OrderState) -> bool {
        state == OrderState::Delivered
            && index.is_multiple_of(INVOICE_EVERY)
            && index / INVOICE_EVERY < MAX_SEEDED_INVOICES
    }

    fn order_type(&self, index: u64) -> OrderType {
        match rng_for(self.seed, ORDER_DOMAIN, index).random_range(0..100) {
            0..55 => OrderType::Sales,
            55..85 => OrderType::ExternalSales,
            85..90 => OrderType::RepeatSales,
            90..95 => OrderType::Table,
            _ => OrderType::Cafeteria,
        }
    }

    /// When seeded order `index` was entered: spread evenly up to [`seed_horizon`] (at most a year back), at a
    /// random moment within its own slot so that later markers never have earlier times.
    fn entered_at(&self, index: u64) -> NaiveDateTime {
        let count = self.order_count.max(1) as i64;
        let span = (count * 7_200).min(365 * 86_400);
        let slot = (span / count).max(1);
        let jitter = rng_for(self.seed, TIME_DOMAIN, index).random_range(0..slot);
        seed_horizon() - Duration::seconds(span) + Duration::seconds(slot * index as i64 + jitter)
    }

    /// Seeded order `index` (`0..order_count`), as generated; its sync marker is `index + 1`.
    /// Orders changed since (through the API or the controls) are kept by the simulator's store instead.
    pub fn order(&self, index: u64) -> Order {
        let order_type = self.order_type(index);
        let mut rng = rng_for(self.seed, ORDER_DOMAIN, index);
        // The first draw decided the type; draw it again to keep the stream in step.
        let _ = rng.random_range(0..100);
        let state = OrderState::random(&mut rng);
        let mut order = self.build_order(&mut rng, index, order_type, state, self.entered_at(index));
        order.sync_marker = index as i64 + 1;
        if self.is_invoiced(index, state) {
            order.invoice_ids.push(self.invoice_id(index));
        }
        order
    }

    /// A new order arriving after the seed (controls): index continues after the seeded orders.
    pub fn new_order(&self, index: u64, state: Option<OrderState>, at: NaiveDateTime) -> Order {
        let mut rng = rng_for(self.seed, ORDER_DOMAIN, index);
        let order_type = if rng.random_ratio(1, 2) {
            OrderType::ExternalSales
        } else {
            OrderType::Sales
        };
        let state = state.unwrap_or_else(|| OrderState::random(&mut rng));
        self.build_order(&mut rng, index, order_type, state, at)
    }

    pub(super) fn build_order(
        &self,
        rng: &mut ChaCha8Rng,
        index: u64,
        order_type: OrderType,
        state: OrderState,
        entered_at: NaiveDateTime,
    ) -> Order {
        let relation = self.relations.choose(rng).expect("the shop has relations");
        let webshop = order_type == OrderType::ExternalSales;
        let branch = if webshop {
            self.branches.iter().find(|b| b.number == WEBSHOP_BRANCH)
        } else {
            self.branches
                .iter()
                .filter(|b| b.number != WEBSHOP_BRANCH)
                .collect::<Vec<_>>()
                .choose(rng)
                .copied()
        }
        .expect("the shop has branches");
        let employee = if webshop {
            self.employees.iter().find(|e| e.number == SUPERUSER_EMPLOYEE)
        } else {
            self.employees
                .iter()
                .filter(|e| e.active)
                .collect::<Vec<_>>()
                .choose(rng)
                .copied()
        }
        .expect("the shop has employees");
        let customer_country = country_iso3(relation.country.as_deref());
        // Business customers abroad buying from a Dutch branch: VAT reverse-charged.
        let shifted =
            relation.vat_number.is_some() && customer_country != branch.country_iso3 && rng.random_ratio(1, 2);
        let vat_country = branch.country_iso3.clone();
        let mut lines = self.order_lines(rng, index, &vat_country, shifted, webshop, true);
        let mut shape = rng_for(self.seed, SHAPE_DOMAIN, index);
        // A business customer at home is invoiced with prices excl. VAT, half the time.
        let exclusive = relation.vat_number.is_some() && !shifted && shape.random_ratio(1, 2);
        shape_lines(&mut shape, &mut lines, state, exclusive);
        let delivered = match state {
            OrderState::Delivered | OrderState::DeliveredUnpaid => Progress::Complete,
            OrderState::Paid if lines.len() > 2 && rng.random_ratio(1, 3) => Progress::Partial,
            _ => Progress::Nothing,
        };
        for (i, line) in lines.iter_mut().enumerate() {
            line.delivered_quantity = match delivered {
                Progress::Complete => line.quantity,
                Progress::Partial if i == 0 => line.quantity,
                _ => 0,
            };
            if state == OrderState::Cancelled {
                line.cancelled_quantity = line.quantity;
            }
        }
        let mut order = Order {
            order_id: self.order_id(index),
            ext_order_id: webshop.then(|| Shop::ext_order_id(index)),
            sync_marker: 0,
            order_type,
            order_number: (chrono::Datelike::year(&entered_at), index as i64 + 1),
            entry_branch: branch.number,
            workplace: rng.random_range(1..=branch.workplaces.len() as i32),
            employee_number: employee.number,
            employee_name: employee.name.clone(),
            entered_at,
            financial_date: entered_at.date(),
            relation_number: relation.number,
            relation_name: relation.name.clone(),
            relation_vat_number: relation.vat_number.clone(),
            invoice_address: Some(Address::of_relation(relation)),
            delivery_address: Some(Address::delivery_of_relation(relation)),
            reference: webshop.then(|| format!("Webshop bestelling #{}", 100_000 + index)),
            vat_method: if shifted {
                VatMethod::Shifted
            } else if exclusive {
                VatMethod::Exclusive
            } else {
                VatMethod::Inclusive
            },
            vat_country_iso3: vat_country,
            delivery_method: Some(if webshop { "PostNL" } else { "Afhalen" }.to_owned()),
            payment_method: None,
            change_counter: rng.random_range(1..4),
            delivery_state: delivered,
            cancel_state: if state == OrderState::Cancelled {
                Progress::Complete
            } else {
                Progress::Nothing
            },
            lines,
            cash_rounding: 0,
            payments: Vec::new(),
            invoice_ids: Vec::new(),
        };
        order.payments = self.payments_for(rng, &mut order, state, webshop);
        order.payment_method = order.payments.first().map(|p| p.method.clone());
        order
    }

    /// The lines of a generated order: one to five articles (some discounted, loose tea by weight), plus a
    /// shipping-cost line on webshop orders and (`may_ship`) some others. Reverse-charged (`shifted`) lines
    /// carry 0% VAT.
    pub(super) fn order_lines(
        &self,
        rng: &mut ChaCha8Rng,
        index: u64,
        vat_country: &str,
        shifted: bool,
        webshop: bool,
        may_ship: bool,
    ) -> Vec<Line> {
        let mut lines = Vec::new();
        let line_salt = self.salted(LINE_ID_SALT ^ index.rotate_left(32));
        let articles: Vec<_> = self
            .products
            .iter()
            .flat_map(|p| p.articles.iter())
            .filter(|a| a.number != SHIPPING_ARTICLE)
            .collect();
        for sequence in 0..rng.random_range(1..6) {
            let article = articles.choose(rng).expect("the shop has articles");
            // Loose tea is sold by weight: 0.250 kg is quantity 250 with three decimal places.
            let (quantity, decimal_places) = if article.description.ends_with("per kg") {
                (rng.random_range(1..8) * 125, 3)
            } else {
                (rng.random_range(1..4), 0)
            };
            let vat_code = if shifted { VAT_ZERO } else { article.vat_code };
            let turnover = self.turnover_groups.iter().find(|g| g.number == article.turnover_group);
            let line_id = derived_id(line_salt, sequence);
            lines.push(Line {
                quantity,
                decimal_places,
                discount_percentage: if rng.random_ratio(1, 5) {
                    *[5, 10, 15].choose(rng).expect("discounts")
                } else {
                    0
                },
                ..Line::of_article(
                    line_id,
                    article,
                    turnover,
                    vat_code,
                    vat_percentage(vat_country, vat_code),
                )
            });
        }
        if webshop || (may_ship && rng.random_ratio(1, 10)) {
            let shipping = self.article(SHIPPING_ARTICLE).expect("the shipping article exists");
            let turnover = self
                .turnover_groups
                .iter()
                .find(|g| g.number == shipping.turnover_group);
            let vat_code = if shifted { VAT_ZERO } else { shipping.vat_code };
            let line_id = derived_id(line_salt, lines.len() as u64);
            lines.push(Line {
                price_incl: *[495, 695, 0].choose(rng).expect("shipping prices"),
                ..Line::of_article(
                    line_id,
                    shipping,
                    turnover,
                    vat_code,
                    vat_percentage(vat_country, vat_code),
                )
            });
        }
        lines
    }

    /// The payments of an order in `state`. Paid in full in cash at the counter, the total is rounded to
    /// 5 cents ([`Order::cash_rounding`]), as Dutch and Belgian tills do.
    fn payments_for(&self, rng: &mut ChaCha8Rng, order: &mut Order, state: OrderState, webshop: bool) -> Vec<Payment> {
        let main_method = if webshop {
            *["IDEAL", "BANCONTACT"].choose(rng).expect("methods")
        } else {
            *["PIN", "PIN", "CONTANT"].choose(rng).expect("methods")
        };
        if main_method == "CONTANT" && matches!(state, OrderState::Delivered | OrderState::Paid) {
            order.cash_rounding = cash_rounding(order.totals().incl);
        }
        let total = order.totals().incl;
        let payment = |code: &str, amount: i64| self.payment(code, amount, order.financial_date);
        match state {
            OrderState::Delivered | OrderState::Paid => {
                if total > 2_000 && rng.random_ratio(1, 6) {
                    // Part paid with a gift card, the rest by the main method: still exactly the total.
                    let voucher = 1_000;
                    vec![payment("CADEAUBON", voucher), payment(main_method, total - voucher)]
                } else {
                    vec![payment(main_method, total)]
                }
            }
            OrderState::PartlyPaid => {
                let deposit = mul_div_round(total, rng.random_range(20..70), 100).max(1);
                vec![Payment {
                    kind: PaymentMethodType::Deposit,
                    ..payment(main_method, deposit)
                }]
            }
            OrderState::Unpaid | OrderState::DeliveredUnpaid | OrderState::Cancelled => Vec::new(),
        }
    }

    /// A payment of `amount` cents with the shop's payment method `code`.
    pub(crate) fn payment(&self, code: &str, amount: i64, financial_date: NaiveDate) -> Payment {
        let method = self
            .payment_methods
            .iter()
            .find(|m| m.code == code)
            .expect("payment method exists");
        Payment::with_method(method, amount, financial_date)
    }

    /// The seeded invoices: one for every third delivered order, made from that order.
    pub(super) fn seeded_invoices(&self) -> Vec<Invoice> {
        let candidates = self.order_count.div_ceil(INVOICE_EVERY).min(MAX_SEEDED_INVOICES);
        let mut invoices = Vec::new();
        for slot in 0..candidates {
            let index = slot * INVOICE_EVERY;
            let order = self.order(index);
            if !order.invoice_ids.contains(&self.invoice_id(index)) {
                continue;
            }
            invoices.push(Invoice {
                invoice_id: self.invoice_id(index),
                invoice_number: (chrono::Datelike::year(&order.financial_date), invoices.len() as i64 + 1),
                sync_marker: invoices.len() as i64 + 1,
                due_date: order.financial_date + Duration::days(14),
                order,
            });
        }
        invoices
    }

    /// The seeded quotations, some turned into orders, some cancelled.
    pub(super) fn seeded_proposals(&self, count: u64) -> Vec<Proposal> {
        (0..count)
            .map(|index| {
                let mut rng = rng_for(self.seed, PROPOSAL_DOMAIN, index);
                let at = seed_horizon() - Duration::days(rng.random_range(1..120));
                let mut order = self.build_order(&mut rng, index, OrderType::Sales, OrderState::Unpaid, at);
                // Proposal lines get ids of their own, apart from the orders' lines.
                for (sequence, line) in order.lines.iter_mut().enumerate() {
                    line.line_id = derived_id(self.salted(PROPOSAL_ID_SALT ^ index.rotate_left(32)), sequence as u64);
                }
                let state = match rng.random_range(0..10) {
                    0..6 => ProposalState::Outstanding,
                    6..9 => ProposalState::Order,
                    _ => ProposalState::Cancelled,
                };
                Proposal {
                    proposal_id: derived_id(self.salted(PROPOSAL_ID_SALT), index),
                    ext_proposal_id: None,
                    proposal_number: (chrono::Datelike::year(&at), index as i64 + 1),
                    sync_marker: index as i64 + 1,
                    state,
                    order,
                }
            })
            .collect()
    }
}

/// What rounding `total` (cents) to the nearest 5 cents adds: 1 and 2 round down, 3 and 4 up to 5, 6 and 7
/// down to 5, 8 and 9 up (the Dutch and Belgian rule for cash; a negative total mirrored).
pub fn cash_rounding(total: i64) -> i64 {
    let rounded = (total.abs() + 2) / 5 * 5 * total.signum();
    rounded - total
}

/// Gives an order's lines the money shapes of a real till, from their own random stream: weighed articles
/// at any gram; now and then a returned article (a negative line) or a whole return (every line negative, on
/// paid orders only, as a refund is); an order discount spread over the articles; prices excl. VAT for a
/// `VAT-METHOD-EXCLUSIVE` order.
fn shape_lines(shape: &mut ChaCha8Rng, lines: &mut [Line], state: OrderState, exclusive: bool) {
    for line in lines.iter_mut() {
        if line.decimal_places == 3 {
            line.quantity += shape.random_range(0..125);
        }
        if exclusive {
            let price_excl = excl_from_incl(line.price_incl, line.vat_percentage);
            line.price_excl = Some(price_excl);
            line.price_incl = incl_from_excl(price_excl, line.vat_percentage);
        }
    }
    let paid = matches!(state, OrderState::Delivered | OrderState::Paid);
    if paid && shape.random_ratio(1, 12) {
        for line in lines.iter_mut() {
            line.quantity = -line.quantity;
        }
    } else if lines.len() > 1 {
        // An exchange: an article brought back on a sale that still comes to more than nothing.
        for i in 1..lines.len() {
            if lines[i].article_number != SHIPPING_ARTICLE && shape.random_ratio(1, 12) {
                lines[i].quantity = -lines[i].quantity;
                if lines.iter().map(Line::total_in_price_terms).sum::<i64>() <= 0 {
                    lines[i].quantity = -lines[i].quantity;
                }
            }
        }
    }
    if shape.random_ratio(1, 6) {
        spread_order_discount(shape, lines);
    }
}

/// An order discount (5 or 10% of the articles, or €2.50 or €5 off) spread over the article lines in
/// proportion to their totals, the last taking what rounding leaves, so the shares add up to the cent.
fn spread_order_discount(shape: &mut ChaCha8Rng, lines: &mut [Line]) {
    let articles: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].article_number != SHIPPING_ARTICLE && lines[i].total_in_price_terms() > 0)
        .collect();
    let base: i64 = articles.iter().map(|&i| lines[i].total_in_price_terms()).sum();
    if base <= 0 {
        return;
    }
    let discount = match shape.random_range(0..4) {
        0 => mul_div_round(base, 5, 100),
        1 => mul_div_round(base, 10, 100),
        2 => 250,
        _ => 500,
    }
    .min(base / 2);
    let mut left = discount;
    for (n, &i) in articles.iter().enumerate() {
        let share = if n + 1 == articles.len() {
            left
        } else {
            mul_div_round(discount, lines[i].total_in_price_terms(), base)
        };
        lines[i].order_discount = share;
        left -= share;
    }
}

/// The ISO 3166 alpha-3 code for the country text a relation carries.
pub fn country_iso3(country: Option<&str>) -> String {
    match country.unwrap_or("NL") {
        "BE" | "België" | "Belgie" | "Belgium" => "BEL",
        "DE" | "Duitsland" | "Deutschland" | "Germany" => "DEU",
        _ => "NLD",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cash_rounds_to_the_nearest_five_cents() {
        let rounded = |total: i64| total + cash_rounding(total);
        assert_eq!(
            [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009].map(rounded),
            [1000, 1000, 1005, 1005, 1005, 1005, 1005, 1010, 1010]
        );
        assert_eq!(rounded(-1003), -1005);
        assert_eq!(rounded(-1001), -1000);
    }

    #[test]
    fn derived_ids_round_trip() {
        let id = derived_id(0x1234_5678_9abc_def0, 42);
        assert_eq!(id.len(), 36);
        assert_eq!(index_of_derived_id(0x1234_5678_9abc_def0, &id), Some(42));
        assert_eq!(index_of_derived_id(0x1234_5678_9abc_def1, &id), None);
        assert_eq!(index_of_derived_id(0x1234_5678_9abc_def0, "nonsense"), None);
    }
}

//! The money property (issue 17 items 3 and 6): thousands of seeded MplusKASSA orders of every shape go
//! through the real orders flow into the AFAS simulator, and every booked order's total incl. VAT and VAT
//! per rate, read back through AFAS's own GetConnectors, are the till's to the cent.
//!
//! Read back: `Profit_Salesorders` (`InvoiceTotal`, `VAT`) for the totals, `Profit_SalesorderLines`
//! (`Quantity`, `PricePerUnit`, `AmtRowDiscount`, `VatCode`) for each VAT rate's booked base, whose VAT is
//! AFAS's rule per VAT code (docs/sandbox.md "AFAS's arithmetic"). The till's side is MplusKASSA's
//! `totalInclAmount` and `vatGroupList` (`exclAmount`, `vatAmount` per VAT code), as the simulator serves them.

mod sandbox_support;

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use koppel_core::FlowKind;
use koppel_sandbox::mplus::model::{Order, VatMethod};
use koppel_sandbox::mplus::seed::SHIPPING_ARTICLE;
use koppel_testkit::FakeJournal;
use rust_decimal::{Decimal, RoundingStrategy};
use sandbox_support::{World, failures, received_line_amount, reference_of, settings, with_articles};
use serde_json::Value;

/// Seeded orders per shop: about 55% of them are paid sales orders the flow books, so the four shops below
/// book well over 10,000.
const ORDERS_PER_SHOP: usize = 4_800;

/// The shapes of issue 17 item 3, counted over the booked orders.
#[derive(Debug, Default)]
struct Shapes {
    orders: usize,
    rates_21_9: usize,
    rates_21_6: usize,
    line_discount: usize,
    order_discount: usize,
    shipping: usize,
    cash_rounding: usize,
    weighed: usize,
    returned_line: usize,
    whole_return: usize,
    reverse_charged: usize,
    prices_incl_vat: usize,
    prices_excl_vat: usize,
    rounding_line: usize,
}

impl Shapes {
    fn count(&mut self, order: &Order) {
        let rates: Vec<i32> = order.lines.iter().map(|l| l.vat_percentage).collect();
        let has = |rate| rates.contains(&rate);
        self.orders += 1;
        self.rates_21_9 += usize::from(has(21) && has(9));
        self.rates_21_6 += usize::from(has(21) && has(6));
        self.line_discount += usize::from(order.lines.iter().any(|l| l.discount_percentage > 0));
        self.order_discount += usize::from(order.lines.iter().any(|l| l.order_discount != 0));
        self.shipping += usize::from(
            order
                .lines
                .iter()
                .any(|l| l.article_number == SHIPPING_ARTICLE && l.price_incl != 0),
        );
        self.cash_rounding += usize::from(order.cash_rounding != 0);
        self.weighed += usize::from(
            order
                .lines
                .iter()
                .any(|l| l.decimal_places > 0 && l.quantity % 10_i64.pow(l.decimal_places) != 0),
        );
        let negative = order.lines.iter().filter(|l| l.quantity < 0).count();
        self.whole_return += usize::from(negative == order.lines.len());
        self.returned_line += usize::from(negative > 0 && negative < order.lines.len());
        self.reverse_charged += usize::from(order.vat_method == VatMethod::Shifted);
        self.prices_incl_vat += usize::from(order.vat_method == VatMethod::Inclusive);
        self.prices_excl_vat += usize::from(order.vat_method == VatMethod::Exclusive);
    }

    fn add(&mut self, other: &Shapes) {
        self.orders += other.orders;
        self.rates_21_9 += other.rates_21_9;
        self.rates_21_6 += other.rates_21_6;
        self.line_discount += other.line_discount;
        self.order_discount += other.order_discount;
        self.shipping += other.shipping;
        self.cash_rounding += other.cash_rounding;
        self.weighed += other.weighed;
        self.returned_line += other.returned_line;
        self.whole_return += other.whole_return;
        self.reverse_charged += other.reverse_charged;
        self.prices_incl_vat += other.prices_incl_vat;
        self.prices_excl_vat += other.prices_excl_vat;
        self.rounding_line += other.rounding_line;
    }

    /// Every shape reached, each at least `at_least` times.
    fn assert_all(&self, at_least: usize) {
        let counts = [
            ("21% and 9% in one order", self.rates_21_9),
            ("21% and 6% in one order (Belgium)", self.rates_21_6),
            ("line discount", self.line_discount),
            ("order discount", self.order_discount),
            ("shipping", self.shipping),
            ("cash rounding to 5 cents", self.cash_rounding),
            ("weighed article", self.weighed),
            ("a returned line", self.returned_line),
            ("a whole return", self.whole_return),
            ("reverse-charged B2B", self.reverse_charged),
            ("prices incl. VAT", self.prices_incl_vat),
            ("prices excl. VAT", self.prices_excl_vat),
            ("a rounding line", self.rounding_line),
        ];
        for (shape, count) in counts {
            assert!(count >= at_least, "only {count} booked orders with {shape}: {self:?}");
        }
    }
}

fn number(value: &Value) -> Decimal {
    match value {
        Value::Number(n) => Decimal::from_str(&n.to_string())
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
            .unwrap_or_else(|e| panic!("{n}: {e}")),
        Value::Null => Decimal::ZERO,
        other => panic!("not a number: {other}"),
    }
}

fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The VAT percentage of each of the sandbox administration's VAT codes (see `sandbox_support::vat_code`
/// and `SHIFTED_VAT_CODES`).
fn afas_percentage(code: &str) -> Decimal {
    Decimal::from(match code {
        "1" | "B21" => 21,
        "2" => 9,
        "B6" => 6,
        "0" | "3" | "4" | "5" => 0,
        other => panic!("an unexpected VAT code {other}"),
    })
}

/// Books one seeded shop and checks every booked order against the till; returns the shapes it met.
async fn the_books_match_the_till(seed: u64) -> Shapes {
    let world = World::start_seeded(seed, ORDERS_PER_SHOP).await;
    with_articles(&world).await;
    let journal = FakeJournal::default();
    let report = world.run(FlowKind::Orders, &settings(), &journal).await.unwrap();
    assert_eq!(report.counts.failed, 0, "seed {seed}: {:?}", failures(&journal));

    let headers: HashMap<String, Value> = world
        .rows("Profit_Salesorders", "OrderNumber")
        .await
        .into_iter()
        .map(|row| (row["CustomerReference"].as_str().unwrap().to_owned(), row))
        .collect();
    let mut lines: HashMap<String, Vec<Value>> = HashMap::new();
    for row in world.rows("Profit_SalesorderLines", "OrderNumber").await {
        lines
            .entry(row["OrderNumber"].as_str().unwrap().to_owned())
            .or_default()
            .push(row);
    }

    let received = world.received_orders().await;
    let mut shapes = Shapes::default();
    let expected = world.expected_orders();
    assert_eq!(
        headers.len(),
        expected.len(),
        "seed {seed}: every paid order booked once"
    );
    for order in &expected {
        let reference = reference_of(order);
        let header = &headers[&reference];
        let till = order.totals();
        let inclusive = order.vat_method == VatMethod::Inclusive;
        let context = format!("seed {seed}, {reference} ({:?})", order.vat_method);

        // The total incl. VAT and the VAT, as AFAS's Profit_Salesorders shows them.
        assert_eq!(
            number(&header["InvoiceTotal"]),
            Decimal::new(till.incl, 2),
            "{context}: InvoiceTotal"
        );
        let till_vat: i64 = till.per_vat_code.iter().map(|g| g.3).sum();
        assert_eq!(number(&header["VAT"]), Decimal::new(till_vat, 2), "{context}: VAT");

        // Per rate: each rate's booked base, by AFAS's line rule over the lines AFAS accepted (the GetConnector
        // rounds a line's discount to the cent, so the exact `ARDc`/`PRDc` come from the accepted `FbSales`),
        // checked line for line against Profit_SalesorderLines' VAT codes and quantities; then its VAT.
        let order_lines = &lines[header["OrderNumber"].as_str().unwrap()];
        let sent = received[&reference]["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"]
            .as_array()
            .unwrap();
        assert_eq!(sent.len(), order_lines.len(), "{context}: the lines AFAS holds");
        let mut booked: BTreeMap<Decimal, Decimal> = BTreeMap::new();
        for (line, row) in sent.iter().zip(order_lines) {
            let code = row["VatCode"].as_str().unwrap_or("0");
            assert_eq!(
                line["Fields"]["VaRc"].as_str(),
                Some(code),
                "{context}: a line's VAT code"
            );
            assert_eq!(
                number(&line["Fields"]["QuUn"]),
                number(&row["Quantity"]),
                "{context}: a quantity"
            );
            *booked.entry(afas_percentage(code)).or_default() += received_line_amount(line);
        }
        shapes.rounding_line += usize::from(order_lines.iter().any(|l| l["ItemCodeId"] == "AFRONDING"));
        let mut till_rates: BTreeMap<Decimal, (Decimal, Decimal)> = BTreeMap::new();
        for (_, percentage, excl, vat) in &till.per_vat_code {
            let entry = till_rates.entry(Decimal::from(*percentage)).or_default();
            entry.0 += Decimal::new(*excl, 2);
            entry.1 += Decimal::new(*vat, 2);
        }
        let booked: BTreeMap<Decimal, Decimal> = booked.into_iter().filter(|(_, a)| !a.is_zero()).collect();
        let till_bases: BTreeMap<Decimal, Decimal> = till_rates
            .iter()
            .map(|(rate, (excl, vat))| (*rate, if inclusive { excl + vat } else { *excl }))
            .filter(|(_, base)| !base.is_zero())
            .collect();
        assert_eq!(booked, till_bases, "{context}: each VAT rate's base");
        for (rate, base) in &booked {
            let vat = if inclusive {
                cents(base * rate / (Decimal::ONE_HUNDRED + rate))
            } else {
                cents(base * rate / Decimal::ONE_HUNDRED)
            };
            assert_eq!(vat, till_rates[rate].1, "{context}: the VAT at {rate}%");
        }
        shapes.count(order);
    }
    eprintln!("seed {seed}: {shapes:?}");
    shapes
}

/// Four shops, in parallel (each its own test), then every shape counted over all of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_orders_of_every_shape_book_to_the_cent() {
    let seeds = [11_u64, 42, 2026, 7];
    let tasks: Vec<_> = seeds
        .into_iter()
        .map(|seed| tokio::spawn(the_books_match_the_till(seed)))
        .collect();
    let mut total = Shapes::default();
    for task in tasks {
        total.add(&task.await.unwrap());
    }
    eprintln!("all shops: {total:?}");
    assert!(total.orders >= 10_000, "only {} orders booked", total.orders);
    total.assert_all(20);
}

//! Generated till data: a small deterministic random generator and the customers and orders made with it.

use chrono::NaiveDate;
use koppel_sync::model::{
    PaymentStatus, SourceAddress, SourceCustomer, SourceDocumentKind, SourceLine, SourceOrder, SourcePayment,
    SourceShipping, VatMethod,
};
use koppel_sync::money::round_cents;
use rust_decimal::Decimal;

/// A small deterministic random generator (xorshift64*), so generated data is the same on every run.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// In `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with `percent` % chance.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The SKUs generated orders use (articles `1001`..`1012`).
pub fn generated_skus() -> Vec<String> {
    (1001..=1012).map(|n| n.to_string()).collect()
}

fn cents(amount: u64) -> Decimal {
    Decimal::new(amount as i64, 2)
}

/// A customer as MplusKASSA would have it: a company (30 %) or a person, in NL, BE or DE.
pub fn generated_customer(rng: &mut Rng, index: usize) -> SourceCustomer {
    let (street, postcode, city, country) = rng.pick(&[
        ("Kerkstraat 12a", "1017 GC", "Amsterdam", "NL"),
        ("Laan van Meerdervoort 1024-B", "2564 AZ", "Den Haag", "NL"),
        ("Rue de la Loi 16 bus 3", "1000", "Brussel", "BE"),
        ("Meir 45/2", "2000", "Antwerpen", "BE"),
        ("Königsallee 1", "40212", "Düsseldorf", "DE"),
    ]);
    let company = rng.chance(30).then(|| format!("Bedrijf {index} BV"));
    SourceCustomer {
        relation_number: Some((5000 + index).to_string()),
        sync_marker: Some(index as i64 + 1),
        company_name: company,
        first_name: Some(format!("Voornaam{index}")),
        last_name: Some(format!("Achternaam{index}")),
        email: Some(format!("klant{index}@example.nl")),
        phone: None,
        address: Some(SourceAddress {
            street_line: (*street).to_owned(),
            postcode: (*postcode).to_owned(),
            city: (*city).to_owned(),
            country: (*country).to_owned(),
        }),
        delivery_address: None,
        vat_number: None,
    }
}

/// A line computed as MplusKASSA does: gross rounded to cents, the discount rounded on that, then subtracted.
fn generated_line(rng: &mut Rng) -> SourceLine {
    let quantity = match rng.below(4) {
        0 => Decimal::new(rng.below(4000) as i64 + 1, 3),
        1 => Decimal::new(rng.below(8) as i64 + 1, 1) * Decimal::new(5, 0),
        _ => Decimal::from(rng.below(5) + 1),
    };
    let unit_price = cents(rng.below(20_000) + 1);
    let discount_percentage: Decimal = rng
        .pick(&["0", "0", "0", "5", "10", "12.5", "15", "33", "7.77"])
        .parse()
        .unwrap();
    let gross = round_cents(quantity * unit_price);
    let line_total = gross - round_cents(gross * discount_percentage / Decimal::ONE_HUNDRED);
    let vat_percentage = Decimal::from(*rng.pick(&[21, 21, 9, 0]));
    let sku = rng.pick(&generated_skus()).clone();
    SourceLine {
        description: format!("Artikel {sku}"),
        sku,
        quantity,
        unit_price,
        discount_percentage,
        vat_percentage,
        line_total,
    }
}

/// The VAT on an order priced excl. VAT: per rate, `round(excl × rate / 100)` over the rate's lines and
/// shipping (not one rate over the whole subtotal).
fn vat_per_rate_excl(lines: &[SourceLine], shipping: Option<&SourceShipping>) -> Decimal {
    let mut per_rate: std::collections::BTreeMap<Decimal, Decimal> = std::collections::BTreeMap::new();
    for line in lines {
        *per_rate.entry(line.vat_percentage).or_default() += line.line_total;
    }
    if let Some(shipping) = shipping {
        *per_rate.entry(shipping.vat_percentage).or_default() += shipping.cost;
    }
    per_rate
        .into_iter()
        .map(|(rate, excl)| round_cents(excl * rate / Decimal::ONE_HUNDRED))
        .sum()
}

/// A sale as MplusKASSA would send it: 60 % fully paid, some anonymous, some without e-mail, cash rounding to
/// 5 cents on some, shipping on half; marker `index + 1`.
pub fn generated_order(seed: u64, index: usize) -> SourceOrder {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0x1000_0000_01B3));
    let vat_method = if rng.chance(80) {
        VatMethod::Including
    } else {
        VatMethod::Excluding
    };
    let lines: Vec<SourceLine> = (0..rng.below(4) + 1).map(|_| generated_line(&mut rng)).collect();
    let shipped = rng.chance(50).then(|| {
        let method = rng.pick(&["PostNL", "DHL"]).to_string();
        let shipping = SourceShipping {
            cost: *rng.pick(&[cents(495), cents(695)]),
            vat_percentage: Decimal::from(21),
        };
        (method, shipping)
    });
    let (delivery_method, shipping) = shipped.map_or((None, None), |(method, shipping)| (Some(method), Some(shipping)));
    let subtotal =
        lines.iter().map(|l| l.line_total).sum::<Decimal>() + shipping.as_ref().map_or(Decimal::ZERO, |s| s.cost);
    let total_incl_vat = match vat_method {
        VatMethod::Including if rng.chance(20) => (subtotal * Decimal::from(20)).round() / Decimal::from(20),
        VatMethod::Including => subtotal,
        // MplusKASSA adds the VAT per rate over the order's lines of that rate, each rounded to the cent.
        VatMethod::Excluding => subtotal + vat_per_rate_excl(&lines, shipping.as_ref()),
    };
    let customer = match rng.below(100) {
        0..15 => None,
        15..25 => Some(SourceCustomer {
            email: None,
            ..generated_customer(&mut rng, index)
        }),
        _ => Some(generated_customer(&mut rng, index)),
    };
    let payment_status = *rng.pick(&[
        PaymentStatus::Paid,
        PaymentStatus::Paid,
        PaymentStatus::Paid,
        PaymentStatus::PartlyPaid,
        PaymentStatus::Unpaid,
    ]);
    let payments = match payment_status {
        PaymentStatus::Unpaid => Vec::new(),
        _ => vec![SourcePayment {
            method: rng.pick(&["CASH", "PIN", "IDEAL"]).to_string(),
            amount: total_incl_vat,
        }],
    };
    SourceOrder {
        id: format!("order-{index}"),
        number: format!("2026-{index:06}"),
        kind: SourceDocumentKind::Order,
        sync_marker: index as i64 + 1,
        date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        payment_status,
        delivered: rng.chance(50),
        completed: rng.chance(30),
        cancelled: rng.chance(5),
        vat_method,
        vat_country: None,
        vat_shifted: false,
        customer,
        lines,
        shipping,
        delivery_method,
        payments,
        total_incl_vat,
        branch: None,
    }
}

//! The shop's fixed setup (branches, employees, VAT, turnover and price groups, payment and delivery methods)
//! and its catalogue of products with simple and variant (size/colour) articles.

use chrono::NaiveDateTime;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::names;
use crate::mplus::model::{
    Article, ArticleDiscountGroup, ArticleGroup, Branch, CustomFieldDefinition, DataType, DeliveryMethod, Employee,
    PaymentMethod, PaymentMethodType, PriceGroup, Product, TurnoverGroup, VatGroup, excl_from_incl,
};

/// The MplusKASSA superuser, which integrations use as the default `employeeNumber`.
pub const SUPERUSER_EMPLOYEE: i64 = 999_999;
/// The branch that takes webshop orders.
pub const WEBSHOP_BRANCH: i32 = 4;
/// The article used for shipping-cost lines.
pub const SHIPPING_ARTICLE: i64 = 990_001;

/// VAT codes as configured in the shop: 1 high, 2 low, 3 zero.
pub const VAT_HIGH: i32 = 1;
pub const VAT_LOW: i32 = 2;
pub const VAT_ZERO: i32 = crate::mplus::model::ZERO_VAT_CODE;

/// The VAT percentage of a VAT code in a country (ISO 3166 alpha-3).
pub fn vat_percentage(country_iso3: &str, vat_code: i32) -> i32 {
    match (country_iso3, vat_code) {
        (_, VAT_ZERO) => 0,
        ("BEL", VAT_HIGH) => 21,
        ("BEL", _) => 6,
        ("DEU", VAT_HIGH) => 19,
        ("DEU", _) => 7,
        (_, VAT_HIGH) => 21,
        _ => 9,
    }
}

pub fn branches() -> Vec<Branch> {
    let branch = |number: i32, name: &str, abbreviation: &str, iso3: &str, country: &str, code: i32| Branch {
        number,
        name: name.to_owned(),
        abbreviation: abbreviation.to_owned(),
        country_code: code,
        country_iso3: iso3.to_owned(),
        country_name: country.to_owned(),
        workplaces: (1..=if number == WEBSHOP_BRANCH { 1 } else { 3 })
            .map(|w| (w, format!("Kassa {w}")))
            .collect(),
    };
    vec![
        branch(1, "Amsterdam Centrum", "AMS", "NLD", "Nederland", 528),
        branch(2, "Utrecht Oudegracht", "UTR", "NLD", "Nederland", 528),
        branch(3, "Antwerpen Meir", "ANT", "BEL", "België", 56),
        branch(WEBSHOP_BRANCH, "Webwinkel", "WEB", "NLD", "Nederland", 528),
    ]
}

pub fn employees() -> Vec<Employee> {
    let mut employees: Vec<Employee> = names::EMPLOYEE_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| Employee {
            number: 101 + i as i64,
            name: (*name).to_owned(),
            email: (i % 3 != 2).then(|| {
                format!(
                    "{}@winkel.example",
                    name.split(' ').next().unwrap_or("medewerker").to_lowercase()
                )
            }),
            active: i != 5,
            sync_marker: 0,
        })
        .collect();
    employees.push(Employee {
        number: SUPERUSER_EMPLOYEE,
        name: "Superuser".to_owned(),
        email: None,
        active: true,
        sync_marker: 0,
    });
    for (marker, employee) in employees.iter_mut().enumerate() {
        employee.sync_marker = marker as i64 + 1;
    }
    employees
}

/// Per country the high, low and zero rate with the ledger account the VAT is booked on.
pub fn vat_groups() -> Vec<VatGroup> {
    let mut groups = Vec::new();
    for (country, base_account) in [("NLD", 1500), ("BEL", 1520), ("DEU", 1540)] {
        for (offset, code) in [VAT_HIGH, VAT_LOW, VAT_ZERO].into_iter().enumerate() {
            groups.push(VatGroup {
                vat_code: code,
                vat_percentage: vat_percentage(country, code),
                country_iso3: country.to_owned(),
                account_number: base_account + offset as i32,
            });
        }
    }
    groups
}

pub fn turnover_groups() -> Vec<TurnoverGroup> {
    [
        (10, "Kleding", 8000, VAT_HIGH),
        (20, "Schoenen", 8010, VAT_HIGH),
        (30, "Boeken", 8020, VAT_LOW),
        (40, "Koffie en thee", 8030, VAT_LOW),
        (50, "Cadeaubonnen", 8040, VAT_ZERO),
        (90, "Verzendkosten", 8090, VAT_HIGH),
    ]
    .into_iter()
    .map(|(number, name, account, vat)| TurnoverGroup {
        number,
        name: name.to_owned(),
        account_number: account,
        default_vat_code: vat,
    })
    .collect()
}

/// The article discount groups made in the back office (MplusKASSA has no operation to list or create them);
/// `createProduct`/`updateProduct` put articles in them and relation discounts name them. The seeded articles
/// are in none.
pub fn article_discount_groups() -> Vec<ArticleDiscountGroup> {
    [(1, "Kleding"), (2, "Schoenen"), (3, "Accessoires"), (4, "Diversen")]
        .into_iter()
        .map(|(number, name)| ArticleDiscountGroup {
            number,
            name: name.to_owned(),
        })
        .collect()
}

/// The price groups (customer categories with prices of their own) made in the back office; the seeded
/// articles have no prices for them until `createProduct`/`updateProduct` sets some.
pub fn price_groups() -> Vec<PriceGroup> {
    [(1, "Horeca"), (2, "Groothandel"), (3, "Personeel")]
        .into_iter()
        .map(|(number, description)| PriceGroup {
            number,
            description: description.to_owned(),
        })
        .collect()
}

/// The delivery methods; the generated orders use `PostNL` (webshop) and `Afhalen` (collected in the shop).
pub fn delivery_methods() -> Vec<DeliveryMethod> {
    [
        ("PostNL", "PostNL pakket", true),
        ("Afhalen", "Afhalen in de winkel", true),
        ("DHL", "DHL Parcel", true),
        ("Koerier", "Koerier (niet meer in gebruik)", false),
    ]
    .into_iter()
    .map(|(code, description, enabled)| DeliveryMethod {
        code: code.to_owned(),
        description: description.to_owned(),
        enabled,
    })
    .collect()
}

/// The custom fields of the shop's articles: a brand (`Merk`, text), whether the webshop shows it
/// (`Webshop`, yes/no) and a shelf life in days (`Houdbaarheid`, a whole number). No seeded article has values.
pub fn article_custom_fields() -> Vec<CustomFieldDefinition> {
    vec![
        CustomFieldDefinition::new("Merk", DataType::String),
        CustomFieldDefinition::new("Webshop", DataType::Bool),
        CustomFieldDefinition::new("Houdbaarheid", DataType::Int),
    ]
}

/// The custom fields of the shop's relations: a loyalty card number (`Klantkaart`, text).
pub fn relation_custom_fields() -> Vec<CustomFieldDefinition> {
    vec![CustomFieldDefinition::new("Klantkaart", DataType::String)]
}

pub fn payment_methods() -> Vec<PaymentMethod> {
    [
        ("CONTANT", "Contant", PaymentMethodType::Payment, 1000),
        ("PIN", "Pin", PaymentMethodType::Eft, 1010),
        ("IDEAL", "iDEAL", PaymentMethodType::Payment, 1020),
        ("BANCONTACT", "Bancontact", PaymentMethodType::Eft, 1030),
        ("CADEAUBON", "Cadeaubon", PaymentMethodType::Payment, 1040),
        ("OPREKENING", "Op rekening", PaymentMethodType::Suspense, 1300),
        ("AANBETALING", "Aanbetaling", PaymentMethodType::Deposit, 1310),
    ]
    .into_iter()
    .map(|(code, description, kind, account)| PaymentMethod {
        code: code.to_owned(),
        description: description.to_owned(),
        kind,
        account_number: account,
    })
    .collect()
}

/// A product line in the catalogue: how its articles vary and what they cost.
struct Template {
    description: &'static str,
    brand: Option<&'static str>,
    turnover_group: i32,
    vat_code: i32,
    price_incl: i64,
    sizes: &'static [&'static str],
    colours: &'static [&'static str],
    stock_article: bool,
}

const fn template(
    description: &'static str,
    brand: Option<&'static str>,
    turnover_group: i32,
    vat_code: i32,
    price_incl: i64,
    sizes: &'static [&'static str],
    colours: &'static [&'static str],
) -> Template {
    Template {
        description,
        brand,
        turnover_group,
        vat_code,
        price_incl,
        sizes,
        colours,
        stock_article: true,
    }
}

const TEMPLATES: &[Template] = &[
    template(
        "T-shirt biologisch katoen",
        Some("Koppel Basics"),
        10,
        VAT_HIGH,
        2495,
        &["XS", "S", "M", "L", "XL", "XXL"],
        &["zwart", "wit", "navy", "rood"],
    ),
    template(
        "Hoodie met rits",
        Some("Koppel Basics"),
        10,
        VAT_HIGH,
        5995,
        &["S", "M", "L", "XL"],
        &["zwart", "wit", "navy"],
    ),
    template(
        "Sokken (3 paar)",
        Some("Noordzee"),
        10,
        VAT_HIGH,
        1295,
        &["35-38", "39-42", "43-46"],
        &["zwart", "wit", "navy", "rood", "grijs gemêleerd", "olijfgroen"],
    ),
    template(
        "Regenjas",
        Some("Noordzee"),
        10,
        VAT_HIGH,
        12950,
        &["S", "M", "L", "XL"],
        &["navy", "olijfgroen"],
    ),
    template(
        "Wollen muts",
        None,
        10,
        VAT_HIGH,
        1995,
        &[],
        &["zwart", "wit", "navy", "rood", "grijs gemêleerd"],
    ),
    template(
        "Sneaker canvas",
        Some("Loopwerk"),
        20,
        VAT_HIGH,
        7995,
        &["38", "39", "40", "41", "42", "43", "44", "45"],
        &["zwart", "wit"],
    ),
    template(
        "Wandelschoen",
        Some("Loopwerk"),
        20,
        VAT_HIGH,
        13995,
        &["40", "41", "42", "43", "44", "45"],
        &[],
    ),
    template("Kookboek Hollandse pot", None, 30, VAT_LOW, 2999, &[], &[]),
    template("Fietsroutes Nederland", None, 30, VAT_LOW, 1850, &[], &[]),
    template("Roman: De Ontdekking", None, 30, VAT_LOW, 2250, &[], &[]),
    template("Filterkoffie 500 g", Some("Brandpunt"), 40, VAT_LOW, 899, &[], &[]),
    template("Espressobonen 1 kg", Some("Brandpunt"), 40, VAT_LOW, 2495, &[], &[]),
    template("Losse thee per kg", Some("Theetuin"), 40, VAT_LOW, 6500, &[], &[]),
    Template {
        stock_article: false,
        ..template("Cadeaubon", None, 50, VAT_ZERO, 2500, &[], &[])
    },
];

/// EAN-13 check digit over the first twelve digits.
pub fn ean13_check_digit(first_twelve: &str) -> u32 {
    let sum: u32 = first_twelve
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, digit)| if i % 2 == 0 { digit } else { digit * 3 })
        .sum();
    (10 - sum % 10) % 10
}

/// A valid EAN-13 in the Dutch GS1 range for a shop-internal item number.
pub fn ean13(item: i64) -> String {
    let first_twelve = format!("871{:09}", item % 1_000_000_000);
    let check = ean13_check_digit(&first_twelve);
    format!("{first_twelve}{check}")
}

fn price_excl(price_incl: i64, vat_code: i32) -> i64 {
    excl_from_incl(price_incl, vat_percentage("NLD", vat_code))
}

/// The catalogue with sync markers 1.. in article order; a product's marker is that of its last article.
pub fn products(rng: &mut ChaCha8Rng, changed_at: NaiveDateTime) -> Vec<Product> {
    let mut products = Vec::new();
    let mut article_number = 100_001_i64;
    let mut marker = 0_i64;
    for (index, template) in TEMPLATES.iter().enumerate() {
        let product_number = 1_001 + index as i64;
        let sizes: Vec<Option<&str>> = if template.sizes.is_empty() {
            vec![None]
        } else {
            template.sizes.iter().copied().map(Some).collect()
        };
        let colours: Vec<Option<&str>> = if template.colours.is_empty() {
            vec![None]
        } else {
            template.colours.iter().copied().map(Some).collect()
        };
        let mut articles = Vec::new();
        for colour in &colours {
            for size in &sizes {
                marker += 1;
                // Larger sizes cost a little more, as shops often price them.
                let surcharge = if matches!(size, Some("XL" | "XXL")) { 200 } else { 0 };
                let price_incl = template.price_incl + surcharge;
                // The code people type: product number, colour initials and size, e.g. "1001-ZW-M".
                let plu = [
                    Some(product_number.to_string()),
                    colour.map(|c| c[..2].to_uppercase()),
                    size.map(str::to_owned),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("-");
                let variant = [colour.map(str::to_owned), size.map(str::to_owned)]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                let description = if variant.is_empty() {
                    template.description.to_owned()
                } else {
                    format!("{} {variant}", template.description)
                };
                articles.push(Article {
                    number: article_number,
                    ext_id: None,
                    plu,
                    description,
                    colour: colour.map(str::to_owned),
                    size: size.map(str::to_owned),
                    barcode: ean13(article_number),
                    brand: template.brand.map(str::to_owned),
                    turnover_group: template.turnover_group,
                    vat_code: template.vat_code,
                    vat_percentage: vat_percentage("NLD", template.vat_code),
                    price_incl,
                    price_excl: price_excl(price_incl, template.vat_code),
                    purchase_price: price_excl(price_incl, template.vat_code) * rng.random_range(35..55) / 100,
                    stock_article: template.stock_article,
                    discount_group: None,
                    webshop: rng.random_ratio(9, 10),
                    active: true,
                    sync_marker: marker,
                    changed_at,
                    group_prices: Vec::new(),
                    custom_fields: Vec::new(),
                });
                article_number += 1;
            }
        }
        products.push(Product {
            number: product_number,
            description: template.description.to_owned(),
            extra_text: None,
            group_numbers: vec![template.turnover_group],
            articles,
            sync_marker: marker,
        });
    }
    marker += 1;
    products.push(Product {
        number: 9_901,
        description: "Verzendkosten".to_owned(),
        extra_text: None,
        group_numbers: vec![90],
        articles: vec![Article {
            number: SHIPPING_ARTICLE,
            ext_id: None,
            plu: "VERZEND".to_owned(),
            description: "Verzendkosten".to_owned(),
            colour: None,
            size: None,
            barcode: ean13(SHIPPING_ARTICLE),
            brand: None,
            turnover_group: 90,
            vat_code: VAT_HIGH,
            vat_percentage: 21,
            price_incl: 495,
            price_excl: price_excl(495, VAT_HIGH),
            purchase_price: 0,
            stock_article: false,
            discount_group: None,
            webshop: true,
            active: true,
            sync_marker: marker,
            changed_at,
            group_prices: Vec::new(),
            custom_fields: Vec::new(),
        }],
        sync_marker: marker,
    });
    products
}

/// One top-level article group per turnover group, listing its products.
pub fn article_groups(products: &[Product]) -> Vec<ArticleGroup> {
    turnover_groups()
        .iter()
        .enumerate()
        .map(|(index, group)| ArticleGroup {
            number: group.number,
            parent: None,
            name: group.name.clone(),
            text: group.name.clone(),
            sort_order: group.number,
            sync_marker: index as i64 + 1,
            product_numbers: products
                .iter()
                .filter(|p| p.group_numbers.contains(&group.number))
                .map(|p| p.number)
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean13_check_digits_are_valid() {
        // A well-known valid EAN-13.
        assert_eq!(ean13_check_digit("400638133393"), 1);
        let code = ean13(100_001);
        assert_eq!(code.len(), 13);
        assert_eq!(ean13_check_digit(&code[..12]), code[12..].parse::<u32>().unwrap());
    }
}

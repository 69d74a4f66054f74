//! Customers: companies with contact persons and private persons in the Netherlands, Belgium and Germany,
//! with the street and house number in one line as shops type them ("Kerkstraat 12a", "Meir 45/2").

use chrono::NaiveDateTime;
use rand::RngExt;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::names;
use crate::mplus::model::Relation;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Country {
    Netherlands,
    Belgium,
    Germany,
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

/// An address line, postcode, city and the country as the shop typed it (mostly ISO codes, sometimes names).
fn address(rng: &mut ChaCha8Rng, country: Country) -> (String, String, String, String) {
    let number = rng.random_range(1..200);
    match country {
        Country::Netherlands => {
            let (street, city, zip) = *names::DUTCH_STREETS.choose(rng).expect("list is not empty");
            let suffix = match rng.random_range(0..10) {
                0 => "a".to_owned(),
                1 => "-B".to_owned(),
                2 => " bis".to_owned(),
                3 => format!("-{}", rng.random_range(1..4)),
                4 => " hs".to_owned(),
                _ => String::new(),
            };
            // A long avenue gets a four-digit number now and then ("Laan van Meerdervoort 1024-B").
            let number = if street.starts_with("Laan") {
                rng.random_range(1..1400)
            } else {
                number
            };
            let letters = ["AB", "CD", "EK", "GH", "JL", "MN", "PR", "TV", "XZ", "BW"];
            let zipcode = format!(
                "{} {}",
                zip + rng.random_range(0..8),
                letters.choose(rng).expect("letters")
            );
            let country = if rng.random_ratio(4, 5) { "NL" } else { "Nederland" };
            (
                format!("{street} {number}{suffix}"),
                zipcode,
                city.to_owned(),
                country.to_owned(),
            )
        }
        Country::Belgium => {
            let (street, city, zip) = *names::BELGIAN_STREETS.choose(rng).expect("list is not empty");
            let line = match rng.random_range(0..3) {
                0 => format!("{street} {number} bus {}", rng.random_range(1..20)),
                1 => format!("{street} {number}/{}", rng.random_range(1..9)),
                _ => format!("{street} {number}"),
            };
            let country = if rng.random_ratio(4, 5) { "BE" } else { "België" };
            (line, zip.to_owned(), city.to_owned(), country.to_owned())
        }
        Country::Germany => {
            let (street, city, zip) = *names::GERMAN_STREETS.choose(rng).expect("list is not empty");
            let suffix = if rng.random_ratio(1, 4) { "a" } else { "" };
            let country = if rng.random_ratio(4, 5) { "DE" } else { "Duitsland" };
            (
                format!("{street} {number}{suffix}"),
                zip.to_owned(),
                city.to_owned(),
                country.to_owned(),
            )
        }
    }
}

/// Lower-case ASCII for e-mail local parts and domains ("Müller" → "muller", "de Vries" → "devries").
fn mail_slug(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            'ä' | 'à' | 'á' => Some('a'),
            'ë' | 'é' | 'è' => Some('e'),
            'ö' | 'ó' => Some('o'),
            'ü' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn phone(rng: &mut ChaCha8Rng, country: Country) -> String {
    match country {
        Country::Netherlands => format!(
            "+31 6 {:04} {:04}",
            rng.random_range(1000..9999),
            rng.random_range(0..9999)
        ),
        Country::Belgium => format!(
            "+32 4{:02} {:02} {:02} {:02}",
            rng.random_range(70..99),
            rng.random_range(0..99),
            rng.random_range(0..99),
            rng.random_range(0..99)
        ),
        Country::Germany => format!("+49 151 {:08}", rng.random_range(0..99_999_999)),
    }
}

fn person(rng: &mut ChaCha8Rng, number: i64, country: Country) -> Relation {
    let first = pick(rng, names::FIRST_NAMES);
    let last = pick(rng, names::LAST_NAMES);
    let name = format!("{first} {last}");
    let email = rng.random_ratio(17, 20).then(|| {
        let domain = pick(rng, names::EMAIL_DOMAINS);
        format!("{}.{}{}@{domain}", mail_slug(first), mail_slug(last), number)
    });
    Relation {
        number,
        active: true,
        name,
        email,
        mobile: Some(phone(rng, country)),
        ..Relation::default()
    }
}

fn vat_number(rng: &mut ChaCha8Rng, country: Country) -> String {
    match country {
        Country::Netherlands => format!("NL{:09}B01", rng.random_range(0..999_999_999)),
        Country::Belgium => format!("BE0{:09}", rng.random_range(200_000_000..999_999_999)),
        Country::Germany => format!("DE{:09}", rng.random_range(100_000_000..999_999_999)),
    }
}

/// A relation: 35% companies (with one or two contact persons), the rest private persons; about one in six
/// has no e-mail address.
pub fn relation(rng: &mut ChaCha8Rng, number: i64, sync_marker: i64, created_at: NaiveDateTime) -> Relation {
    let country = match rng.random_range(0..10) {
        0..7 => Country::Netherlands,
        7..9 => Country::Belgium,
        _ => Country::Germany,
    };
    let (line, zipcode, city, country_text) = address(rng, country);
    let mut relation = if rng.random_ratio(7, 20) {
        let last = pick(rng, names::LAST_NAMES);
        let suffix = match country {
            Country::Netherlands => pick(rng, names::COMPANY_SUFFIXES),
            Country::Belgium => pick(rng, names::BELGIAN_COMPANY_SUFFIXES),
            Country::Germany => pick(rng, names::GERMAN_COMPANY_SUFFIXES),
        };
        let company = format!("{} {last} {suffix}", pick(rng, names::COMPANY_WORDS));
        let contacts: Vec<Relation> = (0..rng.random_range(1..3)).map(|_| person(rng, 0, country)).collect();
        let tld = match country {
            Country::Netherlands => "nl",
            Country::Belgium => "be",
            Country::Germany => "de",
        };
        let domain = format!(
            "{}{}.{tld}",
            mail_slug(&company).chars().take(18).collect::<String>(),
            number
        );
        Relation {
            number,
            active: true,
            name: company.clone(),
            company_name: Some(company),
            contact: contacts.first().map(|c| c.name.clone()),
            email: rng.random_ratio(9, 10).then(|| format!("info@{domain}")),
            website: Some(format!("https://www.{domain}")),
            telephone: Some(phone(rng, country)),
            vat_number: rng.random_ratio(4, 5).then(|| vat_number(rng, country)),
            commerce_number: Some(format!("{:08}", rng.random_range(10_000_000..99_999_999))),
            payment_within_days: Some(*[14, 30].choose(rng).expect("terms")),
            contacts,
            ..Relation::default()
        }
    } else {
        person(rng, number, country)
    };
    relation.address = Some(line);
    relation.zipcode = Some(zipcode);
    relation.city = Some(city);
    relation.country = Some(country_text);
    if rng.random_ratio(3, 20) {
        let (line, zipcode, city, country_text) = address(rng, country);
        relation.delivery_address = Some(line);
        relation.delivery_zipcode = Some(zipcode);
        relation.delivery_city = Some(city);
        relation.delivery_country = Some(country_text);
    }
    relation.sync_marker = sync_marker;
    relation.created_at = Some(created_at);
    relation.changed_at = Some(created_at);
    relation
}

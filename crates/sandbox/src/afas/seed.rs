//! The deterministic start state of the Profit administration: the same seed gives the same debtors,
//! articles and stock. Reference data (administration, warehouses, VAT codes, price lists...) and the sales
//! prices are fixed; the prices' periods lie around today, so that some are valid, expired or still to come.

use rust_decimal::Decimal;
use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::arithmetic::cents;
use super::fields::{decimal, json_number, text};
use super::store::{
    Administration, Article, Counters, Debtor, DimensionCombination, DiscountGroup, DocumentKind, Fields, Journal,
    LedgerAccount, Party, PartyKind, PaymentTerm, ReferenceData, SalesDocument, SalesPrice, Store, VatCode, Warehouse,
    amsterdam_now, next_number,
};

/// The debtor every anonymous till sale is booked on.
pub const CASH_SALES_DEBTOR: &str = "10000";
/// The warehouse orders use when they name none.
pub const MAIN_WAREHOUSE: &str = "01";

/// First numbers of the series Profit assigns.
const FIRST_DEBTOR: u64 = 10000;
const FIRST_PARTY: u64 = 1000;
const FIRST_ORDER: u64 = 20260001;
const FIRST_QUOTATION: u64 = 30260001;
const FIRST_INVOICE: u64 = 40260001;
const FIRST_ARTICLE: u64 = 1000;
const FIRST_CONTACT: u64 = 500;
const FIRST_ENTRY: u64 = 1;

const SEED_DEBTORS: usize = 12;
const SEED_ARTICLES: usize = 30;

pub(crate) fn seeded_store(seed: u64) -> Store {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut store = Store {
        reference: reference_data(),
        counters: Counters {
            order: FIRST_ORDER,
            quotation: FIRST_QUOTATION,
            invoice: FIRST_INVOICE,
            debtor: FIRST_DEBTOR,
            party: FIRST_PARTY,
            article: FIRST_ARTICLE,
            price: 1,
            contact: FIRST_CONTACT,
            entry: FIRST_ENTRY,
        },
        ..Store::default()
    };
    let created = seed_date();
    add_debtor(
        &mut store,
        PartyKind::Organisation,
        object(json!({"Nm": "Kassaverkopen", "SeNm": "KASSA"})),
        Some(address("Damrak", 1, None, "1012 LG", "Amsterdam", "NL")),
        object(json!({"CuId": "EUR", "PaCd": "0", "VaDu": "1", "ColA": "1300"})),
        created,
    );
    for index in 0..SEED_DEBTORS {
        seed_debtor(&mut store, &mut rng, index, created);
    }
    for index in 0..SEED_ARTICLES {
        seed_article(&mut store, &mut rng, index, created);
    }
    // After the loop, with its own random source: the other articles' stock stays as it was.
    seed_dimension_article(&mut store, seed, created);
    seed_prices(&mut store, created.date(), amsterdam_now().date());
    seed_quotations(&mut store, created);
    // Last, without randomness: nothing seeded before shifts.
    seed_discount_groups(&mut store);
    store.rebuild_tables();
    store
}

fn seed_date() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("valid literal date")
}

fn reference_data() -> ReferenceData {
    let pairs = |items: &[(&str, &str)]| -> BTreeMap<String, String> {
        items
            .iter()
            .map(|(code, name)| ((*code).to_owned(), (*name).to_owned()))
            .collect()
    };
    let warehouses = [
        ("01", "Hoofdmagazijn"),
        ("02", "Winkel Amsterdam"),
        ("03", "Winkel Antwerpen"),
    ]
    .into_iter()
    .map(|(code, description)| {
        let warehouse = Warehouse {
            code: code.to_owned(),
            description: description.to_owned(),
            blocked: false,
        };
        (code.to_owned(), warehouse)
    })
    .collect();
    let vat_codes = [
        ("0", "Geen btw", 0, "", "NL"),
        ("1", "Btw hoog 21%", 21, "1500", "NL"),
        ("2", "Btw laag 9%", 9, "1510", "NL"),
        ("3", "Btw verlegd", 0, "1520", "NL"),
        ("4", "Levering binnen EU", 0, "1530", "EU"),
        ("5", "Levering buiten EU", 0, "1540", "Non-EU"),
        ("B21", "BTW België 21%", 21, "1550", "EU"),
        ("B6", "BTW België 6%", 6, "1551", "EU"),
        ("D19", "MwSt Deutschland 19%", 19, "1560", "EU"),
        ("D7", "MwSt Deutschland 7%", 7, "1561", "EU"),
    ]
    .into_iter()
    .map(|(code, description, percentage, account, vat_type)| {
        let vat = VatCode {
            code: code.to_owned(),
            description: description.to_owned(),
            percentage: Decimal::from(percentage),
            account: account.to_owned(),
            vat_type: vat_type.to_owned(),
        };
        (code.to_owned(), vat)
    })
    .collect();
    let terms = |items: &[(&str, &str, i64)]| -> BTreeMap<String, PaymentTerm> {
        items
            .iter()
            .map(|(code, description, days)| {
                let term = PaymentTerm {
                    code: (*code).to_owned(),
                    description: (*description).to_owned(),
                    days: *days,
                };
                ((*code).to_owned(), term)
            })
            .collect()
    };
    ReferenceData {
        administrations: vec![Administration {
            id: 1,
            code: "01".to_owned(),
            name: "Koppel Retail B.V.".to_owned(),
        }],
        warehouses,
        vat_codes,
        payment_conditions: terms(&[
            ("0", "Contant", 0),
            ("14", "14 dagen netto", 14),
            ("30", "30 dagen netto", 30),
        ]),
        payment_methods: terms(&[
            ("B", "Bank", 0),
            ("K", "Kas", 0),
            ("PIN", "Pin", 0),
            ("IDL", "iDEAL", 0),
        ]),
        article_groups: pairs(&[
            ("100", "Kleding"),
            ("200", "Schoenen"),
            ("300", "Accessoires"),
            ("900", "Diversen"),
        ]),
        currencies: ["EUR", "USD", "GBP", "CHF"].into_iter().map(str::to_owned).collect(),
        countries: pairs(&[
            ("NL", "Nederland"),
            ("B", "België"),
            ("BE", "België"),
            ("D", "Duitsland"),
            ("DE", "Duitsland"),
            ("F", "Frankrijk"),
            ("FR", "Frankrijk"),
            ("L", "Luxemburg"),
            ("LU", "Luxemburg"),
            ("GB", "Verenigd Koninkrijk"),
            ("US", "Verenigde Staten"),
        ]),
        stock_reasons: ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        units: ["stk", "STK", "doos", "paar", "m", "kg", "*****"]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        journals: journals(),
        ledger: ledger(),
        price_lists: PRICE_LISTS
            .iter()
            .map(|list| (list.code.to_owned(), list.description.to_owned()))
            .collect(),
        // Seeded last, see `seed_discount_groups`.
        discount_groups: BTreeMap::new(),
    }
}

/// The journals a till's day is booked in.
fn journals() -> BTreeMap<String, Journal> {
    [
        ("10", "Kas", "Kas"),
        ("20", "Bank", "Bank"),
        ("70", "Verkoop", "Verkoop"),
        ("90", "Memoriaal", "Memoriaal"),
    ]
    .into_iter()
    .map(|(code, description, kind)| {
        let journal = Journal {
            code: code.to_owned(),
            description: description.to_owned(),
            kind: kind.to_owned(),
            blocked: false,
        };
        (code.to_owned(), journal)
    })
    .collect()
}

/// A Dutch chart of accounts (after the RGS-style numbering most Profit administrations use) with every
/// account the MplusKASSA simulator's financial journal books on: payment methods, VAT per code (the VAT
/// codes' own accounts), revenue per turnover group, and cash differences. 0999 is blocked, for tests.
fn ledger() -> BTreeMap<String, LedgerAccount> {
    const BALANCE: &str = "Balans";
    const RESULT: &str = "Winst & verlies";
    let accounts: &[(&str, &str, &str, Option<&str>)] = &[
        ("0999", "Oude kas (geblokkeerd)", BALANCE, None),
        ("1000", "Kas", BALANCE, None),
        ("1010", "Pin", BALANCE, None),
        ("1020", "iDEAL", BALANCE, None),
        ("1030", "Bancontact", BALANCE, None),
        ("1040", "Cadeaubonnen", BALANCE, None),
        ("1100", "Bank", BALANCE, None),
        ("1110", "Kasuitgaven (kruispost)", BALANCE, None),
        ("1300", "Debiteuren", BALANCE, None),
        ("1310", "Aanbetalingen", BALANCE, None),
        ("1500", "Af te dragen btw hoog", BALANCE, None),
        ("1501", "Af te dragen btw overig", BALANCE, None),
        ("1502", "Voorbelasting", BALANCE, None),
        ("1510", "Af te dragen btw laag", BALANCE, None),
        ("1520", "Btw verlegd", BALANCE, None),
        ("1521", "Btw verlegd voorbelasting", BALANCE, None),
        ("1522", "Btw verlegd overig", BALANCE, None),
        ("1530", "Btw leveringen binnen EU", BALANCE, None),
        ("1540", "Btw leveringen buiten EU", BALANCE, None),
        ("1541", "Btw invoer", BALANCE, None),
        ("1542", "Btw invoer voorbelasting", BALANCE, None),
        ("1550", "BTW België 21%", BALANCE, None),
        ("1551", "BTW België 6%", BALANCE, None),
        ("1560", "MwSt Deutschland 19%", BALANCE, None),
        ("1561", "MwSt Deutschland 7%", BALANCE, None),
        ("8000", "Omzet hoog", RESULT, Some("1")),
        ("8010", "Omzet laag", RESULT, Some("2")),
        ("8020", "Omzet geen btw", RESULT, Some("0")),
        ("8030", "Omzet verlegd", RESULT, Some("3")),
        ("8040", "Omzet binnen EU", RESULT, Some("4")),
        ("8090", "Omzet overig", RESULT, None),
        ("8900", "Afrondings- en kasverschillen", RESULT, None),
    ];
    accounts
        .iter()
        .map(|(number, description, kind, vat_code)| {
            let account = LedgerAccount {
                number: (*number).to_owned(),
                description: (*description).to_owned(),
                kind: (*kind).to_owned(),
                blocked: *number == "0999",
                vat_code: vat_code.map(str::to_owned),
            };
            ((*number).to_owned(), account)
        })
        .collect()
}

/// An organisation: its name, preferred price list (`PrLs`), line discount % (`PrLi`) and sales discount group
/// (`DsGr`).
struct Company {
    name: &'static str,
    price_list: Option<&'static str>,
    line_discount: Option<u32>,
    discount_group: Option<&'static str>,
}

const fn company(
    name: &'static str,
    price_list: Option<&'static str>,
    line_discount: Option<u32>,
    discount_group: Option<&'static str>,
) -> Company {
    Company {
        name,
        price_list,
        line_discount,
        discount_group,
    }
}

const COMPANIES: &[Company] = &[
    company(
        "Bakkerij De Gouden Korrel",
        Some("HOR"),
        Some(5),
        Some(HORECA_DISCOUNT_GROUP),
    ),
    company("Fietsenmaker Jansen", None, None, None),
    company(
        "Modehuis Van Dijk",
        Some("GRO"),
        Some(3),
        Some(WHOLESALE_DISCOUNT_GROUP),
    ),
    company("Sportwinkel Het Doel", Some("GRO"), None, None),
    company("Brasserie 't Hoekje", Some("HOR"), None, None),
    company("Boekhandel Verhoeven", None, None, None),
];
const FIRST_NAMES: &[&str] = &["Anna", "Bram", "Sanne", "Daan", "Lotte", "Pieter", "Emma", "Luuk"];
const LAST_NAMES: &[(&str, &str)] = &[
    ("", "Jansen"),
    ("de", "Vries"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("van der", "Berg"),
    ("", "Peeters"),
];
const STREETS: &[(&str, &str, &str, &str)] = &[
    ("Kalverstraat", "1012 NX", "Amsterdam", "NL"),
    ("Oudegracht", "3511 AP", "Utrecht", "NL"),
    ("Meir", "2000", "Antwerpen", "BE"),
    ("Veldstraat", "9000", "Gent", "BE"),
    ("Schildergasse", "50667", "Köln", "DE"),
    ("Grote Markt", "9711 LV", "Groningen", "NL"),
];

fn seed_debtor(store: &mut Store, rng: &mut ChaCha8Rng, index: usize, created: NaiveDateTime) {
    let (street, postcode, city, country) = STREETS[rng.random_range(0..STREETS.len())];
    let number = rng.random_range(1..250);
    let addition = rng.random_bool(0.2).then_some("A");
    // Some relations have no e-mail address: clients must cope with that.
    let has_email = rng.random_bool(0.75);
    let mut terms = None;
    let (kind, mut party) = if index.is_multiple_of(2) {
        let company = &COMPANIES[(index / 2) % COMPANIES.len()];
        let name = company.name;
        terms = Some(company);
        let mut fields = object(json!({"Nm": name, "SeNm": search_name(name), "TeNr": "020-5550100"}));
        fields.insert(
            "CcNr".into(),
            json!(format!("{}", rng.random_range(10_000_000..99_999_999))),
        );
        if has_email {
            fields.insert("EmAd".into(), json!(format!("info@{}.example", slug(name))));
        }
        (PartyKind::Organisation, fields)
    } else {
        let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
        let (prefix, last) = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
        let mut fields = object(json!({"FiNm": first, "LaNm": last, "SeNm": search_name(last)}));
        if !prefix.is_empty() {
            fields.insert("Is".into(), json!(prefix));
        }
        if has_email {
            fields.insert(
                "EmAd".into(),
                json!(format!("{}.{}@mail.example", slug(first), slug(last))),
            );
        }
        (PartyKind::Person, fields)
    };
    party.insert(
        "MbNr".into(),
        json!(format!("06-{}", rng.random_range(10_000_000..99_999_999))),
    );
    let currency_terms = ["14", "30"][rng.random_range(0..2)];
    let mut relation =
        object(json!({"CuId": "EUR", "PaCd": currency_terms, "VaDu": "1", "ColA": "1300", "IsDb": true}));
    if let Some(list) = terms.and_then(|t| t.price_list) {
        relation.insert("PrLs".into(), json!(list));
    }
    if let Some(percent) = terms.and_then(|t| t.line_discount) {
        relation.insert("PrLi".into(), json!(percent));
    }
    if let Some(group) = terms.and_then(|t| t.discount_group) {
        relation.insert("DsGr".into(), json!(group));
    }
    let address = address(street, number, addition, postcode, city, country);
    add_debtor(store, kind, party, Some(address), relation, created);
}

fn add_debtor(
    store: &mut Store,
    kind: PartyKind,
    party_fields: Fields,
    address: Option<Fields>,
    relation: Fields,
    created: NaiveDateTime,
) {
    let party_code = next_number(&mut store.counters.party);
    let debtor_id = next_number(&mut store.counters.debtor);
    let mut party_fields = party_fields;
    party_fields.insert("BcCo".into(), json!(party_code));
    store.parties.insert(
        party_code.clone(),
        Party {
            kind,
            fields: party_fields,
            address,
            postal_address: None,
            bank_account: None,
            contacts: Vec::new(),
        },
    );
    store.debtors.insert(
        debtor_id,
        Debtor {
            party: party_code,
            fields: relation,
            created,
            modified: created,
        },
    );
}

/// Name, article group, sales price.
const PRODUCTS: &[(&str, &str, &str)] = &[
    ("T-shirt basic", "100", "19.95"),
    ("Spijkerbroek slim fit", "100", "79.95"),
    ("Trui wol", "100", "89.00"),
    ("Sneaker wit", "200", "99.95"),
    ("Wandelschoen", "200", "139.00"),
    ("Riem leer", "300", "34.50"),
    ("Sjaal", "300", "24.95"),
    ("Cadeaubon", "900", "25.00"),
];
const SIZES: &[&str] = &["S", "M", "L", "XL"];

/// The administration's article free fields, as its GetConnector names them: AFAS names a free field `U` and
/// a code of its own; the label after it is the administration's.
pub const WEBSHOP_FIELD: &str = "U7E1F0A2B_Webshop";
pub const BRAND_FIELD: &str = "U7E1F0A2C_Merk";

/// The administration's free fields in its UpdateConnectors: (connector, field, yes/no (else text)).
pub const FREE_FIELDS: &[(&str, &str, bool)] = &[
    ("FbItemArticle", WEBSHOP_FIELD, true),
    ("FbItemArticle", BRAND_FIELD, false),
];

/// The brand of each article group's articles (the gift card has none).
const BRANDS: &[(&str, &str)] = &[("100", "Van Gils"), ("200", "Van Bommel"), ("300", "Hoff")];

fn seed_article(store: &mut Store, rng: &mut ChaCha8Rng, index: usize, created: NaiveDateTime) {
    let (name, group, price) = PRODUCTS[index % PRODUCTS.len()];
    let price: Decimal = price.parse().expect("a seed price is a decimal");
    let size = SIZES[(index / PRODUCTS.len()) % SIZES.len()];
    let code = next_number(&mut store.counters.article);
    let tracks_stock = group != "900";
    let vat_group = if group == "900" { "0" } else { "1" };
    let fields = object(json!({
        "ItCd": code,
        "Ds": format!("{name} {size}"),
        "Grp": group,
        "BiUn": "stk",
        "BiSt": tracks_stock,
        "VaRc": vat_group,
        "SaPrice": json_number(price),
        "CoPrice": json_number(cents(price * Decimal::new(45, 2))),
        "VaBc": "3",
        "BaCo": ean13(8_712_345_000_000 + index as u64 * 10),
    }));
    let mut fields = fields;
    // The administration's free fields (see `catalog`): sold in the webshop, and a brand per group.
    fields.insert(WEBSHOP_FIELD.into(), json!(tracks_stock));
    if let Some((_, brand)) = BRANDS.iter().find(|(g, _)| *g == group) {
        fields.insert(BRAND_FIELD.into(), json!(brand));
    }
    if tracks_stock {
        for warehouse in ["01", "02", "03"] {
            let quantity = Decimal::from(rng.random_range(0..40u32));
            store.stock.insert((code.clone(), warehouse.to_owned()), quantity);
        }
    }
    store.articles.insert(
        code,
        Article {
            fields,
            created,
            modified: created,
        },
    );
}

/// The seeded dimension article (item 1030, after the 30 plain ones): a polo in colours × sizes.
pub const DIMENSION_ARTICLE: &str = "1030";
/// Its dimension kinds (`StD1`, `StD2`) and combinations (`StL1`, `StL2`), each with its own EAN-13.
const DIMENSION_KINDS: (&str, &str) = ("KLEUR", "MATEN");
const DIMENSION_COMBINATIONS: &[(&str, &str)] = &[("ROOD", "M"), ("ROOD", "L"), ("NAVY", "M"), ("NAVY", "L")];
/// The combinations' barcodes: a range of their own, apart from the articles' (`8712345000000 + 10 × index`).
const DIMENSION_BARCODE_BASE: u64 = 8_712_345_100_000;
/// Mixed into the seed for the dimension article's stock, so it draws from a source of its own.
const DIMENSION_STOCK_SEED: u64 = 0xD1_4E_05;

fn seed_dimension_article(store: &mut Store, seed: u64, created: NaiveDateTime) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ DIMENSION_STOCK_SEED);
    let code = next_number(&mut store.counters.article);
    debug_assert_eq!(code, DIMENSION_ARTICLE);
    let price = Decimal::new(3995, 2);
    let mut fields = object(json!({
        "ItCd": code,
        "Ds": "Polo piqué",
        "Grp": "100",
        "BiUn": "stk",
        "BiSt": true,
        "VaRc": "1",
        "SaPrice": json_number(price),
        "CoPrice": json_number(cents(price * Decimal::new(45, 2))),
        "VaBc": "3",
        "BaCo": ean13(8_712_345_000_000 + SEED_ARTICLES as u64 * 10),
        "StD1": DIMENSION_KINDS.0,
        "StD2": DIMENSION_KINDS.1,
    }));
    fields.insert(WEBSHOP_FIELD.into(), json!(true));
    if let Some((_, brand)) = BRANDS.iter().find(|(g, _)| *g == "100") {
        fields.insert(BRAND_FIELD.into(), json!(brand));
    }
    for warehouse in ["01", "02", "03"] {
        let quantity = Decimal::from(rng.random_range(0..40u32));
        store.stock.insert((code.clone(), warehouse.to_owned()), quantity);
    }
    let combinations = DIMENSION_COMBINATIONS
        .iter()
        .enumerate()
        .map(|(index, (colour, size))| DimensionCombination {
            dimension1: (*colour).to_owned(),
            dimension2: Some((*size).to_owned()),
            barcode: ean13(DIMENSION_BARCODE_BASE + index as u64 * 10),
        })
        .collect();
    store.dimensions.insert(code.clone(), combinations);
    store.articles.insert(
        code,
        Article {
            fields,
            created,
            modified: created,
        },
    );
}

/// A seeded price list and what it charges.
struct PriceList {
    code: &'static str,
    description: &'static str,
    /// Share of the article's price (%).
    percent: i64,
    /// Volume breaks: (from quantity, share of the article's price in %).
    breaks: [(i64, i64); 2],
}

const PRICE_LISTS: &[PriceList] = &[
    PriceList {
        code: "HOR",
        description: "Horeca",
        percent: 90,
        breaks: [(6, 85), (24, 80)],
    },
    PriceList {
        code: "GRO",
        description: "Groothandel",
        percent: 80,
        breaks: [(6, 75), (24, 70)],
    },
];
/// Articles priced on both lists: sizes S and M (1000–1015), gift vouchers excepted.
const LIST_PRICED_ARTICLES: usize = 16;
/// Articles with volume breaks on both lists: the T-shirts and scarves of sizes S and M.
const VOLUME_ARTICLES: &[&str] = &["1000", "1006", "1008", "1014"];

/// The seeded sales prices (`FbSalesPrice` records, as `Profit_SalesPrice` computes its rows from them): each
/// list's regular price since `since` for the list-priced articles, volume breaks, promotions valid `today`
/// (HOR 1003, GRO 1001), an expired promotion (HOR 1002), a price rise still to come (GRO 1004) and two
/// debtors' own prices (10001: 1000, 10002: 1005). Amounts are exact shares of the article's price, in cents.
fn seed_prices(store: &mut Store, since: NaiveDate, today: NaiveDate) {
    let day = |offset: i64| (today + Duration::days(offset)).to_string();
    let since = since.to_string();
    let share = |item: &str, percent: i64| {
        let price = decimal(&store.articles[item].fields, "SaPrice").expect("seeded articles have a price");
        json_number(cents(price * Decimal::new(percent, 2)))
    };
    let mut prices = Vec::new();
    // Item codes sort as text: the dimension article 1030 comes after 1000–1029 and is never among these.
    for code in store.articles.keys().take(LIST_PRICED_ARTICLES) {
        if text(&store.articles[code].fields, "Grp") == Some("900") {
            continue;
        }
        for list in PRICE_LISTS {
            prices.push(json!({"ItCd": code, "PrLi": list.code, "Pric": share(code, list.percent), "DaBg": since}));
            if VOLUME_ARTICLES.contains(&code.as_str()) {
                for (from, percent) in list.breaks {
                    prices.push(json!({"ItCd": code, "PrLi": list.code, "Pric": share(code, percent),
                        "DaBg": since, "CrPr": true, "Am": from}));
                }
            }
        }
    }
    prices.extend([
        json!({"ItCd": "1003", "PrLi": "HOR", "Pric": share("1003", 75), "DaBg": day(-7), "DaEn": day(21), "SpPr": true}),
        json!({"ItCd": "1001", "PrLi": "GRO", "Pric": share("1001", 65), "DaBg": day(-3), "DaEn": day(11), "SpPr": true}),
        json!({"ItCd": "1002", "PrLi": "HOR", "Pric": share("1002", 70), "DaBg": day(-60), "DaEn": day(-30), "SpPr": true}),
        json!({"ItCd": "1004", "PrLi": "GRO", "Pric": share("1004", 85), "DaBg": day(30)}),
        json!({"ItCd": "1000", "DbId": "10001", "Pric": json_number(Decimal::new(1500, 2)), "DaBg": since}),
        json!({"ItCd": "1005", "DbId": "10002", "Pric": json_number(Decimal::new(2995, 2)), "DaBg": since}),
    ]);
    for price in prices {
        let mut fields = object(json!({"VaIt": "2", "BiUn": "stk", "CuId": "EUR"}));
        fields.extend(object(price));
        let key = next_number(&mut store.counters.price);
        store.prices.insert(key, SalesPrice { fields });
    }
}

/// A seeded quotation line: article, quantity, and the price as posted (left out: the article's).
type QuotationLine = (&'static str, &'static str, Option<&'static str>);

/// The seeded quotations (`FbSalesQuotation`, numbered from 30260001), for a flow that reads quotations by
/// modification time: (debtor, reference, days after seeding, lines). The second is modified a week after the
/// first.
const QUOTATIONS: &[(&str, &str, i64, &[QuotationLine])] = &[
    (
        "10001",
        "OFFERTE-10001",
        0,
        &[("1000", "2", Some("19.95")), ("1003", "1", Some("89.96"))],
    ),
    (
        "10004",
        "OFFERTE-10004",
        7,
        &[("1001", "1", None), ("1006", "3", Some("24.95")), ("1014", "2", None)],
    ),
];

fn seed_quotations(store: &mut Store, created: NaiveDateTime) {
    for (debtor, reference, days, lines) in QUOTATIONS {
        let at = created + Duration::days(*days);
        let number = next_number(&mut store.counters.quotation);
        let lines = lines
            .iter()
            .enumerate()
            .map(|(index, (item, quantity, price))| {
                let article = &store.articles[*item].fields;
                let mut line = object(json!({
                    "VaIt": "2", "ItCd": item, "Ds": text(article, "Ds"), "BiUn": text(article, "BiUn"),
                    "QuUn": json_number(quantity.parse().expect("a seed quantity is a decimal")),
                    "GuLi": format!("{{00000000-0000-4000-8000-{number}{:04}}}", index + 1),
                }));
                if let Some(price) = price {
                    line.insert(
                        "Upri".into(),
                        json_number(price.parse().expect("a seed price is a decimal")),
                    );
                }
                line
            })
            .collect();
        let fields = object(json!({
            "OrNu": number, "DbId": debtor, "RfCs": reference, "CuId": "EUR", "OrDa": at.date().to_string(),
        }));
        let document = SalesDocument {
            kind: DocumentKind::Quotation,
            fields,
            lines,
            invoice_number: None,
            status: None,
            created: at,
            modified: at,
        };
        store.documents.insert(number, document);
    }
}

/// The seeded sales discount groups' codes. A debtor's `DsGr` holds at most 5 characters
/// ([`DISCOUNT_GROUP_CODE_LENGTH`]), so Profit's codes are no longer.
pub const HORECA_DISCOUNT_GROUP: &str = "HOR";
pub const WHOLESALE_DISCOUNT_GROUP: &str = "GROOT";

/// A seeded discount group line: article group, percentage.
type DiscountLine = (&'static str, &'static str);

/// The seeded sales discount groups: (code, description, lines as (article group, percentage)), both valid
/// from the seeding date, open-ended. Debtor 10001 (Bakkerij De Gouden Korrel) has `HOR`, debtor 10005
/// (Modehuis Van Dijk) `GROOT` (see [`COMPANIES`]).
const DISCOUNT_GROUPS: &[(&str, &str, &[DiscountLine])] = &[
    (HORECA_DISCOUNT_GROUP, "Horeca", &[("100", "10"), ("200", "5")]),
    (WHOLESALE_DISCOUNT_GROUP, "Groothandel", &[("100", "15"), ("300", "7")]),
];

fn seed_discount_groups(store: &mut Store) {
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid literal date");
    for (code, description, lines) in DISCOUNT_GROUPS {
        let lines = lines
            .iter()
            .map(|(group, percentage)| {
                let percentage = percentage.parse().expect("a seed percentage is a decimal");
                ((*group).to_owned(), percentage)
            })
            .collect();
        let group = DiscountGroup {
            description: (*description).to_owned(),
            start_date: start,
            end_date: None,
            currency: "EUR".to_owned(),
            lines,
        };
        store.reference.discount_groups.insert((*code).to_owned(), group);
    }
}

/// A valid EAN-13 from its first 12 digits (`base` is 13 digits; its last digit is replaced by the check).
fn ean13(base: u64) -> String {
    let digits: Vec<u32> = format!("{:012}", base / 10)
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
        .sum();
    let check = (10 - sum % 10) % 10;
    format!("{:012}{check}", base / 10)
}

pub(crate) fn address(
    street: &str,
    number: i64,
    addition: Option<&str>,
    postcode: &str,
    city: &str,
    country: &str,
) -> Fields {
    let mut fields = object(json!({
        "CoId": country, "PbAd": false, "Ad": street, "HmNr": number, "ZpCd": postcode, "Rs": city,
        "ResZip": false, "BeginDate": "2026-01-01",
    }));
    if let Some(addition) = addition {
        fields.insert("HmAd".into(), json!(addition));
    }
    fields
}

fn search_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .take(10)
        .collect::<String>()
        .to_uppercase()
}

fn slug(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

pub(crate) fn object(value: Value) -> Fields {
    match value {
        Value::Object(map) => map,
        _ => Fields::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::store::DISCOUNT_GROUP_CODE_LENGTH;
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_shop() {
        let first = seeded_store(7);
        let second = seeded_store(7);
        assert_eq!(first.stock, second.stock);
        assert_eq!(first.debtors.len(), SEED_DEBTORS + 1);
        assert!(first.debtors.contains_key(CASH_SALES_DEBTOR));
        assert_ne!(seeded_store(8).stock, first.stock);
    }

    #[test]
    fn seeded_prices_are_in_cents_on_known_price_lists() {
        let store = seeded_store(7);
        // 14 articles on 2 lists, 4 articles with 2 breaks on each list, 4 dated prices, 2 debtors' prices.
        assert_eq!(store.prices.len(), 14 * 2 + 4 * 2 * 2 + 4 + 2);
        for price in store.prices.values() {
            if let Some(list) = text(&price.fields, "PrLi") {
                assert_eq!(store.reference.price_list(list), Some(list));
            }
            let amount = decimal(&price.fields, "Pric").expect("a price");
            assert_eq!(amount, amount.round_dp(2));
        }
    }

    #[test]
    fn the_dimension_article_follows_the_plain_ones_without_list_prices() {
        let store = seeded_store(7);
        assert_eq!(store.articles.len(), SEED_ARTICLES + 1);
        let article = &store.articles[DIMENSION_ARTICLE];
        assert_eq!(text(&article.fields, "StD1"), Some("KLEUR"));
        assert_eq!(text(&article.fields, "StD2"), Some("MATEN"));
        let combinations = store.dimensions_of(DIMENSION_ARTICLE);
        assert_eq!(combinations.len(), 4);
        let mut barcodes: Vec<&str> = combinations.iter().map(|c| c.barcode.as_str()).collect();
        barcodes.push(text(&article.fields, "BaCo").unwrap());
        for barcode in &barcodes {
            assert_eq!(ean13(barcode.parse::<u64>().unwrap()), *barcode, "a valid check digit");
        }
        barcodes.sort_unstable();
        barcodes.dedup();
        assert_eq!(barcodes.len(), 5, "every barcode is its own");
        let priced = |item: &str| store.prices.values().any(|p| text(&p.fields, "ItCd") == Some(item));
        assert!(!priced(DIMENSION_ARTICLE));
        assert!(store.stock_total(DIMENSION_ARTICLE) >= Decimal::ZERO);
        assert_eq!(store.counters.article, FIRST_ARTICLE + SEED_ARTICLES as u64 + 1);
    }

    #[test]
    fn discount_groups_are_seeded_last_and_linked_to_two_debtors() {
        let store = seeded_store(7);
        assert_eq!(store.reference.discount_groups.len(), 2);
        for code in store.reference.discount_groups.keys() {
            assert!(code.len() <= DISCOUNT_GROUP_CODE_LENGTH, "{code} fits a debtor's DsGr");
        }
        let linked: Vec<(&str, &str)> = store
            .debtors
            .iter()
            .filter_map(|(id, debtor)| Some((id.as_str(), text(&debtor.fields, "DsGr")?)))
            .collect();
        assert_eq!(linked, [("10001", "HOR"), ("10005", "GROOT")]);
        let groot = &store.reference.discount_groups["GROOT"];
        assert_eq!(groot.lines["300"], Decimal::from(7));
    }

    #[test]
    fn barcodes_carry_a_valid_check_digit() {
        assert_eq!(ean13(4_006_381_333_930), "4006381333931");
    }
}

//! The other direction's articles: what AFAS holds of an article ([`ErpArticle`], read by the articles flow),
//! what the till holds ([`TillArticle`]), and what the flow sends to it ([`TillArticleDraft`]).
//!
//! One number names an article on both sides: the AFAS item code is the MplusKASSA article number. Orders,
//! stock and the products flow all rely on that (an order line's article number is booked as the AFAS item
//! code), so the articles flow never lets MplusKASSA pick another number: an item code that cannot be an
//! article number fails its record ([`article_number`]).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::custom_fields::CustomValue;

/// An article as AFAS has it (`Profit_Article`, or the tenant's GetConnector with the same fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpArticle {
    /// `ItemCode`.
    pub item_code: String,
    /// `Description`.
    pub description: String,
    /// `ExtraDescription`: the long text ("content").
    pub extra_description: Option<String>,
    /// `UnitId`.
    pub unit: Option<String>,
    /// `ArtGroup`.
    pub article_group: Option<String>,
    /// `Blocked`: AFAS no longer sells it.
    pub blocked: bool,
    /// `Barcode` (EAN).
    pub barcode: Option<String>,
    /// `VATGroup`: the VAT rate group (`VaRc`), e.g. `HOOG`.
    pub vat_group: Option<String>,
    /// The sales price on the basic price list, as AFAS gives it (with or without VAT, as the company's
    /// `article_prices_include_vat` says).
    pub sales_price: Option<Decimal>,
    /// The connector's free fields (see [`crate::custom_fields::is_free_field`]) with their values, for the
    /// till's custom fields.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub free_fields: BTreeMap<String, serde_json::Value>,
    /// `StockDimId1`, `StockDimId2`: the kinds of the item's dimensions (e.g. `KLEUR`, `MATEN`); empty for an
    /// item without dimensions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimension_kinds: Vec<String>,
    /// A dimension item's combinations (`Profit_Barcode_per_Item` rows with dimension codes), each sold at
    /// the till as an article of the item's product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<ErpVariant>,
    /// `ModifiedDate`, in Profit's local time.
    pub modified: NaiveDateTime,
}

/// One combination of an AFAS dimension item ("dimensieartikel"): its dimension codes and its barcode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpVariant {
    /// `StockDimCode1`, `StockDimCode2`, in the order of the item's dimension kinds.
    pub codes: Vec<String>,
    pub barcode: Option<String>,
}

/// Which AFAS item and dimension codes a till article stands for: what Koppel writes in the till article's
/// `extArticleId` for a dimension item, `1030;ROOD;M` for a combination and `1030;` for the item's own
/// article (kept inactive: the till sells the combinations). The orders flow books a sale of a combination on
/// the item with its dimensions (`StL1`, `StL2`); the products flow leaves these articles alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DimensionId {
    pub item_code: String,
    /// Empty for the item's own article.
    pub codes: Vec<String>,
}

/// Separates the parts of a [`DimensionId`]; AFAS codes with it cannot be written that way.
const DIMENSION_SEPARATOR: char = ';';

impl DimensionId {
    /// The id as the till keeps it; `Err` with the reason when a code holds the separator.
    pub fn ext_id(&self) -> Result<String, String> {
        let parts = std::iter::once(&self.item_code).chain(&self.codes);
        if let Some(bad) = parts.clone().find(|part| part.contains(DIMENSION_SEPARATOR)) {
            return Err(format!(
                "AFAS code {bad:?} holds a {DIMENSION_SEPARATOR:?}, which Koppel uses to note an article's dimensions \
                 at the till"
            ));
        }
        let mut id = self.item_code.clone();
        id.push(DIMENSION_SEPARATOR);
        id.push_str(&self.codes.join(&DIMENSION_SEPARATOR.to_string()));
        Ok(id)
    }

    /// The id of a till article's `extArticleId`, if Koppel wrote it for a dimension item.
    pub fn parse(ext_id: &str) -> Option<Self> {
        let (item_code, rest) = ext_id.split_once(DIMENSION_SEPARATOR)?;
        let codes = match rest.is_empty() {
            true => Vec::new(),
            false => rest.split(DIMENSION_SEPARATOR).map(str::to_owned).collect(),
        };
        (!item_code.is_empty() && codes.len() <= 2).then(|| Self {
            item_code: item_code.to_owned(),
            codes,
        })
    }

    /// The combination as people write it, `ROOD/M`.
    pub fn combination(&self) -> String {
        self.codes.join("/")
    }

    /// What the till article is, in words: "combination ROOD/M of AFAS dimension article 1030", or the item's
    /// own article.
    pub fn describe(&self) -> String {
        match self.codes.is_empty() {
            true => format!("AFAS dimension article {}'s own article at the till", self.item_code),
            false => format!(
                "combination {} of AFAS dimension article {}",
                self.combination(),
                self.item_code
            ),
        }
    }
}

impl ErpArticle {
    /// The article's place in the articles flow's cursor: its modification time in whole seconds.
    pub fn sync_marker(&self) -> i64 {
        self.modified.and_utc().timestamp()
    }
}

/// The cursor value of a modification time (the inverse of [`ErpArticle::sync_marker`]).
pub fn modified_since(marker: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(marker, 0)
        .unwrap_or_default()
        .naive_utc()
}

/// An article as the till has it (MplusKASSA `Article` within its `Product`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillArticle {
    pub article_number: i64,
    /// `extArticleId` (Koppel's [`DimensionId`] for a dimension item's own article).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_id: Option<String>,
    pub product_number: i64,
    /// How many articles its product has: the product's texts are the article's own only when it is alone
    /// (a product with variants keeps its name, which its other articles share).
    pub product_articles: usize,
    pub description: String,
    /// The product's `extraText`.
    pub extra_text: Option<String>,
    pub barcode: Option<String>,
    pub turnover_group: i32,
    pub vat_percentage: Decimal,
    pub price_incl_vat: Decimal,
    pub price_excl_vat: Decimal,
    pub active: bool,
    /// The article groups its product is in (`Product.groupNumbers`).
    pub group_numbers: Vec<i32>,
    /// `articleDiscountGroupNumber`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_group: Option<i32>,
    /// Its custom fields with a value, by name.
    #[serde(default)]
    pub custom_fields: BTreeMap<String, CustomValue>,
    /// The product's other articles (read for a dimension item: its combinations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_variants: Vec<TillVariant>,
}

/// Another article of a till article's product, as far as a dimension item's combination is compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillVariant {
    pub article_number: i64,
    /// `extArticleId`.
    pub ext_id: Option<String>,
    pub description: String,
    pub colour: Option<String>,
    pub size: Option<String>,
    pub barcode: Option<String>,
    pub turnover_group: i32,
    pub vat_percentage: Decimal,
    pub price_incl_vat: Decimal,
    pub price_excl_vat: Decimal,
    pub active: bool,
    /// `articleDiscountGroupNumber`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_group: Option<i32>,
}

/// A combination of a dimension item as the till should have it: an article of the item's product, found
/// again by its `extArticleId` ([`DimensionId::ext_id`]); its price, VAT, turnover group and texts are the
/// item's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantDraft {
    pub ext_id: String,
    pub colour: Option<String>,
    pub size: Option<String>,
    pub barcode: Option<String>,
    /// False when AFAS blocked the item.
    pub active: bool,
}

/// An article to create or update in MplusKASSA. On an update, `None` leaves the till's value as it is
/// (the texts and group when `update_product_info` is off).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillArticleDraft {
    /// `articleNumber`: the AFAS item code.
    pub article_number: i64,
    /// `description`.
    pub description: Option<String>,
    /// `extraText` of the product: the long text.
    pub extra_text: Option<String>,
    /// `barcode`.
    pub barcode: Option<String>,
    /// `turnoverGroup`.
    pub turnover_group: Option<i32>,
    /// Becomes `vatCode`: the till's VAT group with this percentage.
    pub vat_percentage: Decimal,
    /// The sales price in cents precision; `priceIncl` when `price_includes_vat`, else `priceExcl` (the till
    /// derives the other with the VAT percentage). `None` when AFAS has none: an existing article keeps the
    /// till's price (a new one cannot do without).
    pub price: Option<Decimal>,
    pub price_includes_vat: bool,
    /// `active`: false for an article blocked in AFAS.
    pub active: bool,
    /// `articleDiscountGroupNumber`: the MplusKASSA discount group of its AFAS article group
    /// (`discount_group_map`); `None` leaves the till's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_group: Option<i32>,
    /// With `article_groups_to_till`: the till's article group of the article's AFAS group, which its product
    /// must be in (`None`: the flow leaves the product's groups alone).
    pub till_group: Option<i32>,
    /// The till's other groups Koppel made for AFAS article groups: the product must not stay in one of them
    /// (it moved to another AFAS group).
    pub other_afas_groups: Vec<i32>,
    /// The custom fields `custom_field_map` fills, by the till's name ([`CustomValue::Empty`] clears one);
    /// the article's other custom fields are left as they are.
    #[serde(default)]
    pub custom_fields: BTreeMap<String, CustomValue>,
    /// A dimension item's combinations: then this article is the item's own (inactive, `extArticleId`
    /// `1030;`) and the till sells these, with the item's price, VAT and texts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantDraft>,
    /// The `extArticleId` of the article itself (a dimension item's own article).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_id: Option<String>,
}

impl TillArticleDraft {
    /// What of the draft the till does not have yet, in words (empty: nothing to write). Compared with what
    /// the till holds now rather than with what was last sent, so a value written by another flow or by hand
    /// is never written again when it already agrees, and a change there is put right.
    pub fn differences(&self, till: &TillArticle) -> Vec<&'static str> {
        let price = if self.price_includes_vat {
            till.price_incl_vat
        } else {
            till.price_excl_vat
        };
        let own_product = till.product_articles <= 1 || !self.variants.is_empty();
        let extra_text = self.extra_text.as_ref().filter(|_| own_product);
        [
            (
                self.description.as_ref().is_some_and(|d| *d != till.description),
                "description",
            ),
            (
                extra_text.is_some_and(|t| Some(t) != till.extra_text.as_ref()),
                "extra text",
            ),
            (
                self.barcode.as_ref().is_some_and(|b| Some(b) != till.barcode.as_ref()),
                "barcode",
            ),
            (
                self.turnover_group.is_some_and(|g| g != till.turnover_group),
                "turnover group",
            ),
            (self.vat_percentage != till.vat_percentage, "VAT"),
            (self.price.is_some_and(|p| p != price), "price"),
            (self.active != till.active, "active"),
            (
                self.discount_group.is_some_and(|g| Some(g) != till.discount_group),
                "discount group",
            ),
            (
                self.custom_fields
                    .iter()
                    .any(|(name, value)| till.custom_fields.get(name).unwrap_or(&CustomValue::Empty) != value),
                "custom fields",
            ),
            (self.ext_id.is_some() && self.ext_id != till.ext_id, "dimensions"),
            (!self.variant_writes(till).is_empty(), "combinations"),
            (self.group_moves(till) != (None, Vec::new()), ARTICLE_GROUP),
        ]
        .into_iter()
        .filter_map(|(differs, field)| differs.then_some(field))
        .collect()
    }
}

/// What a dimension item's product needs written of its combinations.
#[derive(Debug, Clone, PartialEq)]
pub enum VariantWrite<'d> {
    /// A combination the till lacks: a new article of the product (the till numbers it).
    New(&'d VariantDraft),
    /// A combination the till has under this number, with something to put right.
    Change(i64, &'d VariantDraft),
    /// A combination Koppel made that AFAS no longer has: made inactive (sold before, so kept).
    Retire(i64),
}

impl TillArticleDraft {
    /// The writes the product's combinations need to agree with the draft (none for an item without
    /// dimensions).
    pub fn variant_writes<'d>(&'d self, till: &TillArticle) -> Vec<VariantWrite<'d>> {
        let Some(own) = self.ext_id.as_deref().and_then(DimensionId::parse) else {
            return Vec::new();
        };
        let find = |ext_id: &str| {
            till.product_variants
                .iter()
                .find(|v| v.ext_id.as_deref() == Some(ext_id))
        };
        let mut writes: Vec<VariantWrite<'d>> = self
            .variants
            .iter()
            .filter_map(|variant| match find(&variant.ext_id) {
                None => Some(VariantWrite::New(variant)),
                Some(current) if self.variant_differs(variant, current) => {
                    Some(VariantWrite::Change(current.article_number, variant))
                }
                Some(_) => None,
            })
            .collect();
        writes.extend(
            till.product_variants
                .iter()
                .filter(|v| v.active && !self.variants.iter().any(|d| Some(&d.ext_id) == v.ext_id.as_ref()))
                .filter(|v| {
                    v.ext_id
                        .as_deref()
                        .and_then(DimensionId::parse)
                        .is_some_and(|id| id.item_code == own.item_code && !id.codes.is_empty())
                })
                .map(|v| VariantWrite::Retire(v.article_number)),
        );
        writes
    }

    /// Whether the till's combination differs from the item's values and the combination's own.
    fn variant_differs(&self, variant: &VariantDraft, till: &TillVariant) -> bool {
        let price = match self.price_includes_vat {
            true => till.price_incl_vat,
            false => till.price_excl_vat,
        };
        variant.colour != till.colour
            || variant.size != till.size
            || variant
                .barcode
                .as_ref()
                .is_some_and(|b| Some(b) != till.barcode.as_ref())
            || self.description.as_ref().is_some_and(|d| *d != till.description)
            || self.turnover_group.is_some_and(|g| g != till.turnover_group)
            || self.vat_percentage != till.vat_percentage
            || self.price.is_some_and(|p| p != price)
            || variant.active != till.active
            || self.discount_group.is_some_and(|g| Some(g) != till.discount_group)
    }
}

/// The difference [`TillArticleDraft::differences`] names for a product in the wrong article group.
pub const ARTICLE_GROUP: &str = "article group";

impl TillArticleDraft {
    /// What the product's groups need: the group to add it to (if it is not in it), and the groups Koppel made
    /// for other AFAS article groups to take it out of.
    pub fn group_moves(&self, till: &TillArticle) -> (Option<i32>, Vec<i32>) {
        let Some(group) = self.till_group else {
            return (None, Vec::new());
        };
        let add = (!till.group_numbers.contains(&group)).then_some(group);
        let remove = till
            .group_numbers
            .iter()
            .copied()
            .filter(|g| *g != group && self.other_afas_groups.contains(g))
            .collect();
        (add, remove)
    }
}

/// Why an AFAS item code cannot be an MplusKASSA article number, if it cannot: article numbers are positive
/// whole numbers (`xsd:long`), and one with leading zeros would lose them.
pub fn article_number(item_code: &str) -> Result<i64, String> {
    let code = item_code.trim();
    let digits = !code.is_empty() && code.chars().all(|c| c.is_ascii_digit());
    match code.parse::<i64>() {
        Ok(number) if digits && number > 0 && !code.starts_with('0') => Ok(number),
        _ => Err(format!(
            "AFAS item code {item_code:?} cannot be a MplusKASSA article number: MplusKASSA numbers its articles \
             with positive whole numbers (without leading zeros), and Koppel keeps the same number on both sides \
             so orders and stock find the article"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_positive_numbers_become_article_numbers() {
        assert_eq!(article_number("1001"), Ok(1001));
        assert_eq!(article_number(" 42 "), Ok(42));
        for code in ["", "ABC-1", "0042", "0", "-5", "1.5", "99999999999999999999"] {
            assert!(article_number(code).is_err(), "{code:?}");
        }
    }

    #[test]
    fn dimension_ids_round_trip_and_refuse_the_separator() {
        let id = DimensionId {
            item_code: "1030".into(),
            codes: vec!["ROOD".into(), "M".into()],
        };
        assert_eq!(id.ext_id().unwrap(), "1030;ROOD;M");
        assert_eq!(DimensionId::parse("1030;ROOD;M"), Some(id.clone()));
        assert_eq!(id.combination(), "ROOD/M");
        let own = DimensionId {
            item_code: "1030".into(),
            codes: Vec::new(),
        };
        assert_eq!(own.ext_id().unwrap(), "1030;");
        assert_eq!(DimensionId::parse("1030;"), Some(own));
        for plain in ["1030", "", ";ROOD", "1;a;b;c"] {
            assert_eq!(DimensionId::parse(plain), None, "{plain:?}");
        }
        let bad = DimensionId {
            item_code: "1030".into(),
            codes: vec!["RO;OD".into()],
        };
        assert!(bad.ext_id().unwrap_err().contains("RO;OD"));
    }

    #[test]
    fn the_cursor_round_trips_a_modification_time() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 5)
            .unwrap();
        let article = ErpArticle {
            item_code: "1".into(),
            description: "x".into(),
            extra_description: None,
            unit: None,
            article_group: None,
            blocked: false,
            barcode: None,
            vat_group: None,
            sales_price: None,
            free_fields: BTreeMap::new(),
            dimension_kinds: Vec::new(),
            variants: Vec::new(),
            modified: at,
        };
        assert_eq!(modified_since(article.sync_marker()), at);
    }
}

//! The field mapping: per target field, where its value comes from (the default, a source path or a
//! constant) and the transforms applied to it (trim, upper case, +5%, a lookup table, ...).
//!
//! A target field is a field of the draft a flow hands to the target (`order.reference`, `line.unit_price`,
//! `debtor.address.city`, `article.description`), not a raw AFAS field code: the drafts are what every
//! target (AFAS, the dry run, the tests' fakes) receives, so one mapping step serves them all, and the AFAS
//! adapter still builds and checks the typed body from the mapped draft. A rule replaces the flow's default
//! for its field only; a rule without a source transforms the default value (e.g. the city in upper case).
//!
//! Applying a rule goes through the draft's JSON form and back, so a value the draft cannot hold (a price
//! that is not a number, a date in another format) fails the record with a message naming the field.

use std::collections::BTreeMap;
use std::fmt;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use koppel_core::FlowKind;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::model::{
    SourceAddress, SourceArticle, SourceCustomer, SourceDocumentKind, SourceLine, SourceOrder, SourcePayment,
    SourceShipping, VariantAttributes,
};

/// The tenant's rules, at most one per target field, applied in this order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct FieldMap(pub Vec<FieldRule>);

/// One target field's value: a source, then transforms in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldRule {
    /// The target field, e.g. `order.reference`, `line.unit_price`, `debtor.address.city` (see the flow's
    /// field mapping page for the list).
    pub target: String,
    /// Where the value comes from; `default` (the value the flow would send) when left out.
    #[serde(default)]
    pub source: Source,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transforms: Vec<Transform>,
}

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The value the flow sends without a rule.
    #[default]
    Default,
    /// A field of the source record as JSON, dot-separated (`customer.address.city`, `payments.0.method`;
    /// `line.…` is the order line being mapped).
    Path(String),
    /// A fixed value.
    Constant(String),
}

/// A step applied to the value. Numbers are exact decimals; an empty value passes the text steps unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Transform {
    Trim,
    Upper,
    Lower,
    /// Keeps only the digits 0–9.
    DigitsOnly,
    /// At most `n` characters.
    Truncate {
        n: usize,
    },
    /// `value` when the value is missing or blank.
    DefaultIfEmpty {
        value: String,
    },
    /// Replaces the value through `table` (keys compared case-insensitively); `fallback` when it has no
    /// entry, else the value unchanged.
    Lookup {
        table: BTreeMap<String, String>,
        #[serde(default)]
        fallback: Option<String>,
    },
    /// The value followed by `parts`, blank ones left out, joined by `separator`.
    Concat {
        parts: Vec<Source>,
        #[serde(default)]
        separator: String,
    },
    /// Reads a date with the chrono format `from` (default: ISO `%Y-%m-%d`, also a date-time) and writes it
    /// with `to`.
    DateFormat {
        #[serde(default)]
        from: Option<String>,
        to: String,
    },
    /// Rounds half away from zero to `decimals` places.
    Round {
        decimals: u32,
    },
    /// Adds `amount` (negative subtracts).
    Add {
        #[schema(value_type = String, example = "2.50")]
        amount: Decimal,
    },
    /// Multiplies by `factor` (`1.05` is +5%).
    Multiply {
        #[schema(value_type = String, example = "1.05")]
        factor: Decimal,
    },
    /// When the value equals `equals`: `then`; otherwise `else`, or the value unchanged.
    Condition {
        equals: String,
        then: String,
        #[serde(default, rename = "else")]
        otherwise: Option<String>,
    },
}

/// A rule that could not produce a valid value for this record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    pub target: String,
    pub message: String,
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field mapping for `{}`: {}", self.target, self.message)
    }
}

impl std::error::Error for MappingError {}

/// A field the flow sends, with what it holds by default (for the editor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TargetField {
    pub target: &'static str,
    /// Where it lands in AFAS.
    pub afas: &'static str,
    /// Where the default comes from.
    pub default: &'static str,
}

const fn field(target: &'static str, afas: &'static str, default: &'static str) -> TargetField {
    TargetField { target, afas, default }
}

const ORDER_FIELDS: &[TargetField] = &[
    field("order.reference", "RfCs (reference)", "number"),
    field("order.date", "OrDa (order date, YYYY-MM-DD)", "date"),
    field(
        "order.administration",
        "Unit (administration)",
        "setting administration",
    ),
    field("order.currency", "CuId (currency)", "setting currency"),
    field("order.warehouse", "War (warehouse)", "setting warehouse"),
    field(
        "order.payment_method",
        "PaTp (payment method)",
        "largest of payments.*.method → payment_method_map",
    ),
    field(
        "order.shipping_method",
        "TrPt (delivery method)",
        "shipping.method → shipping_method_map",
    ),
    field(
        "order.delivery_address.street",
        "DlAd (delivery address note)",
        "street of customer.delivery_address.street_line (else the billing address)",
    ),
    field(
        "order.delivery_address.house_number",
        "DlAd (delivery address note)",
        "house number of customer.delivery_address.street_line",
    ),
    field(
        "order.delivery_address.house_number_addition",
        "DlAd (delivery address note)",
        "addition of customer.delivery_address.street_line",
    ),
    field(
        "order.delivery_address.postcode",
        "DlAd (delivery address note)",
        "customer.delivery_address.postcode, trimmed",
    ),
    field(
        "order.delivery_address.city",
        "DlAd (delivery address note)",
        "customer.delivery_address.city, trimmed",
    ),
    field(
        "order.delivery_address.country",
        "DlAd (delivery address note)",
        "customer.delivery_address.country as ISO code",
    ),
    field("line.item_code", "ItCd (item code)", "line.sku"),
    field("line.description", "Ds (description)", "line.description"),
    field("line.quantity", "QuUn (quantity)", "line.quantity"),
    field("line.unit_price", "Upri (unit price)", "line.unit_price"),
    field(
        "line.discount_percentage",
        "PRDc (discount %)",
        "line.discount_percentage",
    ),
    field(
        "line.vat_code",
        "VaRc (VAT code)",
        "vat_code_by_country for the delivery country and line.vat_percentage",
    ),
    field("debtor.party.name", "Nm (organisation name)", "customer.company_name"),
    field(
        "debtor.party.first_name",
        "FiNm (first name, person debtor)",
        "customer.first_name",
    ),
    field(
        "debtor.party.last_name",
        "LaNm (last name, person debtor)",
        "customer.last_name (else the e-mail)",
    ),
    field("debtor.email", "EmAd (e-mail)", "customer.email, trimmed, lower case"),
    field("debtor.phone", "TeNr (phone)", "customer.phone"),
    field(
        "debtor.address.street",
        "Ad (street)",
        "street of customer.address.street_line",
    ),
    field(
        "debtor.address.house_number",
        "HmNr (house number)",
        "house number of customer.address.street_line",
    ),
    field(
        "debtor.address.house_number_addition",
        "HmAd (addition)",
        "addition of customer.address.street_line",
    ),
    field(
        "debtor.address.postcode",
        "ZpCd (postcode)",
        "customer.address.postcode, trimmed",
    ),
    field("debtor.address.city", "Rs (city)", "customer.address.city, trimmed"),
    field(
        "debtor.address.country",
        "CoId (country)",
        "customer.address.country as ISO code",
    ),
    field("debtor.vat_number", "FiNr (VAT number)", "customer.vat_number"),
    field(
        "debtor.ledger_account",
        "ColA (ledger account)",
        "setting debtor_ledger_account",
    ),
    field("debtor.payment_terms", "PaCd (payment terms)", "setting payment_terms"),
];

const CUSTOMER_FIELDS: &[TargetField] = &[
    field("debtor.party.name", "Nm (organisation name)", "company_name"),
    field(
        "debtor.party.first_name",
        "FiNm (first name, person debtor)",
        "first_name",
    ),
    field(
        "debtor.party.last_name",
        "LaNm (last name, person debtor)",
        "last_name (else the e-mail)",
    ),
    field("debtor.email", "EmAd (e-mail)", "email, trimmed, lower case"),
    field("debtor.phone", "TeNr (phone)", "phone"),
    field("debtor.address.street", "Ad (street)", "street of address.street_line"),
    field(
        "debtor.address.house_number",
        "HmNr (house number)",
        "house number of address.street_line",
    ),
    field(
        "debtor.address.house_number_addition",
        "HmAd (addition)",
        "addition of address.street_line",
    ),
    field(
        "debtor.address.postcode",
        "ZpCd (postcode)",
        "address.postcode, trimmed",
    ),
    field("debtor.address.city", "Rs (city)", "address.city, trimmed"),
    field(
        "debtor.address.country",
        "CoId (country)",
        "address.country as ISO code",
    ),
    field("debtor.vat_number", "FiNr (VAT number)", "vat_number"),
    field(
        "debtor.ledger_account",
        "ColA (ledger account)",
        "setting debtor_ledger_account",
    ),
    field("debtor.payment_terms", "PaCd (payment terms)", "setting payment_terms"),
];

const ARTICLE_FIELDS: &[TargetField] = &[
    field(
        "article.item_code",
        "ItCd (item code)",
        "sku (product_number for dimension variants)",
    ),
    field(
        "article.description",
        "Ds (description)",
        "title, with size and colour for variants",
    ),
    field(
        "article.short_description",
        "DsEx (extra description)",
        "short_description",
    ),
    field(
        "article.long_description",
        "DsEx (extra description)",
        "long_description",
    ),
    field(
        "article.group",
        "Grp (article group)",
        "article_group / turnover_group → article_group_map",
    ),
    field("article.unit", "BiUn (unit)", "unit"),
    field(
        "article.price",
        "SaPrice / CsPrice (sales price)",
        "price_incl_vat (or price_excl_vat)",
    ),
    field("article.ean", "BaCo (barcode)", "ean"),
    field(
        "article.vat_group",
        "VaRc (VAT group)",
        "vat_percentage → vat_group_map",
    ),
];

/// The fields a flow sends that rules may set: the default mapping the editor shows. Stock has none.
pub fn target_fields(flow: FlowKind) -> &'static [TargetField] {
    match flow {
        FlowKind::Orders => ORDER_FIELDS,
        FlowKind::Customers => CUSTOMER_FIELDS,
        FlowKind::Products => ARTICLE_FIELDS,
        FlowKind::Stock => &[],
    }
}

/// The source paths a flow's rules may read (leaves of the source record's JSON form; list indexes as `0`).
pub fn source_paths(flow: FlowKind) -> Vec<String> {
    let mut paths = Vec::new();
    match flow {
        FlowKind::Orders => {
            let order = sample_order();
            flatten("", &serde_json::to_value(&order).unwrap_or_default(), &mut paths);
            flatten(
                "line",
                &serde_json::to_value(&order.lines[0]).unwrap_or_default(),
                &mut paths,
            );
        }
        FlowKind::Customers => flatten(
            "",
            &serde_json::to_value(sample_customer()).unwrap_or_default(),
            &mut paths,
        ),
        FlowKind::Products => flatten(
            "",
            &serde_json::to_value(sample_article()).unwrap_or_default(),
            &mut paths,
        ),
        FlowKind::Stock => {}
    }
    paths
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<String>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(map) => map.iter().for_each(|(key, value)| flatten(&join(key), value, out)),
        Value::Array(items) => items.iter().take(1).for_each(|value| flatten(&join("0"), value, out)),
        _ => out.push(prefix.to_owned()),
    }
}

impl FieldMap {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rule for `target`, if any.
    pub fn rule(&self, target: &str) -> Option<&FieldRule> {
        self.0.iter().find(|rule| rule.target == target)
    }

    /// Every problem with the rules for `flow`, in plain words (empty: valid).
    pub fn problems(&self, flow: FlowKind) -> Vec<String> {
        let targets = target_fields(flow);
        let paths = source_paths(flow);
        let mut problems = Vec::new();
        for (index, rule) in self.0.iter().enumerate() {
            if !targets.iter().any(|field| field.target == rule.target) {
                problems.push(match targets.is_empty() {
                    true => format!("the {flow} flow has no field mapping"),
                    false => format!("`{}` is not a target field of the {flow} flow", rule.target),
                });
                continue;
            }
            if self.0[..index].iter().any(|earlier| earlier.target == rule.target) {
                problems.push(format!("`{}` has more than one rule", rule.target));
            }
            problems.extend(
                rule.problems(&paths)
                    .into_iter()
                    .map(|p| format!("`{}`: {p}", rule.target)),
            );
            // Only a line rule has a source line to read; elsewhere `line.…` would always be empty.
            if !rule.target.starts_with("line.") && rule.sources().any(|path| path.trim().starts_with("line.")) {
                problems.push(format!(
                    "`{}`: `line.…` source fields feed only `line.…` targets",
                    rule.target
                ));
            }
        }
        problems
    }

    /// Applies the rules for targets under `scope` (`order`, `line`, `debtor`, `article`) to `draft`, reading
    /// source paths from `source`. No rules: the draft is left as it is, without a round trip.
    pub fn apply<D: Serialize + DeserializeOwned>(
        &self,
        scope: &str,
        source: &Value,
        draft: &mut D,
    ) -> Result<(), MappingError> {
        let rules: Vec<&FieldRule> = self
            .0
            .iter()
            .filter(|rule| scope_of(&rule.target) == Some(scope))
            .collect();
        if rules.is_empty() {
            return Ok(());
        }
        let error = |target: &str, message: String| MappingError {
            target: target.to_owned(),
            message,
        };
        let mut json = serde_json::to_value(&*draft).map_err(|e| error(scope, e.to_string()))?;
        for rule in rules {
            let path = &rule.target[scope.len() + 1..];
            // A field the draft does not have for this record (no delivery address, a person's company name)
            // is left alone: there is nothing to map it onto.
            let Some((parent, key)) = parent_of(&mut json, path) else {
                continue;
            };
            let Some(current) = parent.get(key).cloned() else {
                continue;
            };
            let value = rule
                .evaluate(&text_of(&current), source)
                .map_err(|m| error(&rule.target, m))?;
            let shown = quoted(value.as_deref());
            parent.insert(key.to_owned(), typed_like(&current, value));
            serde_json::from_value::<D>(json.clone())
                .map_err(|e| error(&rule.target, format!("{shown} is not a valid value here ({e})")))?;
        }
        *draft = serde_json::from_value(json).map_err(|e| error(scope, e.to_string()))?;
        Ok(())
    }
}

fn quoted(value: Option<&str>) -> String {
    value.map_or_else(|| "an empty value".to_owned(), |v| format!("{v:?}"))
}

fn scope_of(target: &str) -> Option<&str> {
    target.split_once('.').map(|(scope, _)| scope)
}

/// The object holding the last segment of `path`, and that segment.
fn parent_of<'v>(json: &'v mut Value, path: &'v str) -> Option<(&'v mut Map<String, Value>, &'v str)> {
    let (parents, key) = path.rsplit_once('.').map_or(("", path), |(p, k)| (p, k));
    let mut node = json;
    for segment in parents.split('.').filter(|s| !s.is_empty()) {
        node = node.get_mut(segment)?;
    }
    node.as_object_mut().map(|map| (map, key))
}

/// A JSON leaf as text: `None` for null or a missing field.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// The mapped text back as JSON of the kind the field had (a flag stays a flag).
fn typed_like(current: &Value, value: Option<String>) -> Value {
    match (current, value) {
        (_, None) => Value::Null,
        (Value::Bool(_), Some(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
        (_, Some(text)) => Value::String(text),
    }
}

/// Reads a dot-separated path from a record's JSON form.
fn read_path(source: &Value, path: &str) -> Option<String> {
    let mut node = source;
    for segment in path.split('.') {
        node = match node {
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            other => other.get(segment)?,
        };
    }
    text_of(node)
}

impl Source {
    fn read(&self, default: &Option<String>, record: &Value) -> Option<String> {
        match self {
            Source::Default => default.clone(),
            Source::Path(path) => read_path(record, path.trim()),
            Source::Constant(value) => Some(value.clone()),
        }
    }

    fn problems(&self, paths: &[String]) -> Vec<String> {
        let Source::Path(path) = self else { return Vec::new() };
        let normalised: Vec<&str> = path
            .trim()
            .split('.')
            .map(|s| if s.parse::<usize>().is_ok() { "0" } else { s })
            .collect();
        let normalised = normalised.join(".");
        if path.trim().is_empty() {
            vec!["the source field is empty".to_owned()]
        } else if paths.contains(&normalised) {
            Vec::new()
        } else {
            vec![format!("`{}` is not a field of the source record", path.trim())]
        }
    }
}

impl FieldRule {
    fn evaluate(&self, default: &Option<String>, record: &Value) -> Result<Option<String>, String> {
        let mut value = self.source.read(default, record);
        for transform in &self.transforms {
            value = transform.apply(value, default, record)?;
        }
        Ok(value)
    }

    /// Every source path the rule reads (its source and `concat` parts).
    fn sources(&self) -> impl Iterator<Item = &str> {
        let parts = self.transforms.iter().flat_map(|t| match t {
            Transform::Concat { parts, .. } => parts.as_slice(),
            _ => &[],
        });
        std::iter::once(&self.source)
            .chain(parts)
            .filter_map(|source| match source {
                Source::Path(path) => Some(path.as_str()),
                _ => None,
            })
    }

    fn problems(&self, paths: &[String]) -> Vec<String> {
        let mut problems = self.source.problems(paths);
        for transform in &self.transforms {
            problems.extend(transform.problems(paths));
        }
        problems
    }
}

fn number(value: &str) -> Result<Decimal, String> {
    let trimmed = value.trim();
    trimmed
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(trimmed))
        .map_err(|_| format!("{value:?} is not a number"))
}

/// Whether `format` is a chrono format without errors.
fn valid_format(format: &str) -> bool {
    !format.is_empty() && !StrftimeItems::new(format).any(|item| matches!(item, Item::Error))
}

fn parse_date(value: &str, from: Option<&str>) -> Result<NaiveDateTime, String> {
    let value = value.trim();
    let parsed = match from {
        Some(format) => NaiveDateTime::parse_from_str(value, format).ok().or_else(|| {
            NaiveDate::parse_from_str(value, format)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        }),
        None => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .or_else(|| DateTime::parse_from_rfc3339(value).ok().map(|t| t.naive_local()))
            .or_else(|| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S").ok()),
    };
    parsed.ok_or_else(|| match from {
        Some(format) => format!("{value:?} is not a date in the format {format:?}"),
        None => format!("{value:?} is not a date (YYYY-MM-DD)"),
    })
}

impl Transform {
    /// The transformed value; `default` and `record` feed `concat`'s parts.
    pub fn apply(
        &self,
        value: Option<String>,
        default: &Option<String>,
        record: &Value,
    ) -> Result<Option<String>, String> {
        let blank = value.as_deref().is_none_or(|v| v.trim().is_empty());
        match self {
            Transform::Trim => Ok(value.map(|v| v.trim().to_owned())),
            Transform::Upper => Ok(value.map(|v| v.to_uppercase())),
            Transform::Lower => Ok(value.map(|v| v.to_lowercase())),
            Transform::DigitsOnly => Ok(value.map(|v| v.chars().filter(char::is_ascii_digit).collect())),
            Transform::Truncate { n } => Ok(value.map(|v| v.chars().take(*n).collect())),
            Transform::DefaultIfEmpty { value: fallback } => Ok(if blank { Some(fallback.clone()) } else { value }),
            Transform::Lookup { table, fallback } => {
                let found = value.as_deref().and_then(|v| {
                    let key = v.trim();
                    table
                        .iter()
                        .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
                        .map(|(_, v)| v.clone())
                });
                Ok(found.or_else(|| fallback.clone()).or(value))
            }
            Transform::Concat { parts, separator } => {
                let all: Vec<String> = std::iter::once(value)
                    .chain(parts.iter().map(|part| part.read(default, record)))
                    .flatten()
                    .filter(|part| !part.trim().is_empty())
                    .collect();
                Ok((!all.is_empty()).then(|| all.join(separator)))
            }
            Transform::DateFormat { .. } if blank => Ok(value),
            // An invalid format would panic in chrono's formatter; saved rules are checked, this guards the rest.
            Transform::DateFormat { to, .. } if !valid_format(to) => Err(format!("{to:?} is not a date format")),
            Transform::DateFormat { from, to } => {
                let date = parse_date(value.as_deref().unwrap_or_default(), from.as_deref())?;
                Ok(Some(date.format(to).to_string()))
            }
            Transform::Round { decimals } => decimal(value, blank, |n| {
                n.round_dp_with_strategy(*decimals, RoundingStrategy::MidpointAwayFromZero)
            }),
            Transform::Add { amount } => decimal(value, blank, |n| n + amount),
            Transform::Multiply { factor } => decimal(value, blank, |n| n * factor),
            Transform::Condition {
                equals,
                then,
                otherwise,
            } => {
                let matches = value.as_deref().unwrap_or("").trim() == equals.trim();
                Ok(match (matches, otherwise) {
                    (true, _) => Some(then.clone()),
                    (false, Some(otherwise)) => Some(otherwise.clone()),
                    (false, None) => value,
                })
            }
        }
    }

    fn problems(&self, paths: &[String]) -> Vec<String> {
        match self {
            Transform::Truncate { n: 0 } => vec!["truncate needs a length of at least 1".to_owned()],
            Transform::Round { decimals } if *decimals > 10 => {
                vec!["round takes at most 10 decimals".to_owned()]
            }
            Transform::Lookup { table, .. } if table.is_empty() => {
                vec!["the lookup table has no entries".to_owned()]
            }
            Transform::Concat { parts, .. } if parts.is_empty() => {
                vec!["concatenate needs at least one part".to_owned()]
            }
            Transform::Concat { parts, .. } => parts.iter().flat_map(|part| part.problems(paths)).collect(),
            Transform::DateFormat { from, to } => {
                let mut problems = Vec::new();
                if !valid_format(to) {
                    problems.push(format!("{to:?} is not a date format (e.g. %d-%m-%Y)"));
                }
                if let Some(from) = from.as_deref().filter(|f| !valid_format(f)) {
                    problems.push(format!("{from:?} is not a date format (e.g. %d-%m-%Y)"));
                }
                problems
            }
            _ => Vec::new(),
        }
    }
}

/// A number step: blank passes, anything else must be a number.
fn decimal(value: Option<String>, blank: bool, f: impl Fn(Decimal) -> Decimal) -> Result<Option<String>, String> {
    match value {
        Some(v) if !blank => Ok(Some(f(number(&v)?).to_string())),
        other => Ok(other),
    }
}

/// An order's JSON form, the source of its rules.
pub(crate) fn order_source(order: &SourceOrder) -> Value {
    serde_json::to_value(order).unwrap_or(Value::Null)
}

/// The order's JSON with `line` set to one of its lines, for line rules.
pub(crate) fn line_source(order: &Value, line: &SourceLine) -> Value {
    let mut source = order.clone();
    if let Value::Object(map) = &mut source {
        map.insert("line".to_owned(), serde_json::to_value(line).unwrap_or(Value::Null));
    }
    source
}

// ---- example records: every field filled, so their JSON lists every source path ---------------------

fn sample_address() -> SourceAddress {
    SourceAddress {
        street_line: "Kerkstraat 12a".into(),
        postcode: "1234 AB".into(),
        city: "Utrecht".into(),
        country: "NL".into(),
    }
}

fn sample_customer() -> SourceCustomer {
    SourceCustomer {
        relation_number: Some("1001".into()),
        sync_marker: Some(1),
        company_name: Some("Bakkerij Jansen".into()),
        first_name: Some("Anna".into()),
        last_name: Some("Jansen".into()),
        email: Some("anna@example.nl".into()),
        phone: Some("0301234567".into()),
        address: Some(sample_address()),
        delivery_address: Some(sample_address()),
        vat_number: Some("NL001234567B01".into()),
    }
}

fn sample_order() -> SourceOrder {
    SourceOrder {
        id: "1".into(),
        number: "2026-000001".into(),
        kind: SourceDocumentKind::Order,
        sync_marker: 1,
        date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        payment_status: crate::model::PaymentStatus::Paid,
        delivered: false,
        completed: false,
        cancelled: false,
        vat_method: crate::model::VatMethod::Including,
        customer: Some(sample_customer()),
        lines: vec![SourceLine {
            sku: "A1".into(),
            description: "Brood".into(),
            quantity: Decimal::ONE,
            unit_price: Decimal::ONE,
            discount_percentage: Decimal::ZERO,
            vat_percentage: Decimal::from(9),
            line_total: Decimal::ONE,
        }],
        shipping: Some(SourceShipping {
            method: Some("post".into()),
            cost: Decimal::ONE,
            vat_percentage: Decimal::from(21),
        }),
        payments: vec![SourcePayment {
            method: "PIN".into(),
            amount: Decimal::ONE,
        }],
        total_incl_vat: Decimal::ONE,
        branch: Some("1".into()),
    }
}

fn sample_article() -> SourceArticle {
    SourceArticle {
        sync_marker: 1,
        product_number: "100".into(),
        sku: "100-M".into(),
        title: "Shirt".into(),
        short_description: Some("Shirt".into()),
        long_description: Some("Shirt".into()),
        price_incl_vat: Decimal::ONE,
        price_excl_vat: Decimal::ONE,
        vat_percentage: Decimal::from(21),
        ean: Some("8712345678906".into()),
        turnover_group: Some("1".into()),
        article_group: Some("1".into()),
        unit: Some("stk".into()),
        active: true,
        webshop: true,
        variant: Some(VariantAttributes {
            size: Some("M".into()),
            colour: Some("rood".into()),
        }),
    }
}

#[cfg(test)]
mod tests;

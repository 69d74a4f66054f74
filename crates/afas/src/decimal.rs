//! Exact decimals on AFAS's JSON wire. AFAS wants amounts as JSON numbers; serde_json (without
//! `arbitrary_precision`, which would break other crates' untagged enums) writes numbers through `f64`.
//! A decimal of up to 15 significant digits survives that trip digit for digit, and the serializer checks
//! it did, so a value that would be altered is refused instead of sent.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

/// The JSON number for `value`, or an error when it cannot be written exactly.
pub(crate) fn to_json_number(value: Decimal) -> Result<f64, String> {
    let normalized = value.normalize();
    let number = f64::from_str(&normalized.to_string()).map_err(|e| e.to_string())?;
    let back = Decimal::from_str(&serde_json::Number::from_f64(number).ok_or("not finite")?.to_string())
        .map_err(|e| e.to_string())?;
    if back.normalize() == normalized {
        Ok(number)
    } else {
        Err(format!("{value} cannot be sent exactly as a JSON number"))
    }
}

/// Reads a JSON number (or a numeric string) into a decimal with exactly the digits AFAS wrote.
pub(crate) fn from_json_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Number(number) => Decimal::from_str(&number.to_string())
            .or_else(|_| Decimal::from_scientific(&number.to_string()))
            .map_err(D::Error::custom),
        serde_json::Value::String(text) => Decimal::from_str(text.trim()).map_err(D::Error::custom),
        other => Err(D::Error::custom(format!("expected a number, got {other}"))),
    }
}

pub(crate) mod number {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(to_json_number(*value).map_err(S::Error::custom)?)
    }
}

pub(crate) mod option_number {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => super::number::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
        match Option::<serde_json::Value>::deserialize(deserializer)? {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(value) => from_json_number(value).map(Some).map_err(D::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_travel_exactly() {
        for text in ["261.72", "0.1", "-12.345", "1000000.01", "0.00001", "99999999999.9999"] {
            let value = Decimal::from_str(text).unwrap();
            let json = serde_json::Number::from_f64(to_json_number(value).unwrap())
                .unwrap()
                .to_string();
            assert_eq!(Decimal::from_str(&json).unwrap(), value, "{text} became {json}");
        }
    }

    #[test]
    fn values_too_precise_for_a_json_number_are_refused() {
        assert!(to_json_number(Decimal::from_str("12345678901234567.891").unwrap()).is_err());
    }

    #[test]
    fn numbers_are_read_with_their_written_digits() {
        let value: Decimal = from_json_number(serde_json::json!(261.72)).unwrap();
        assert_eq!(value.to_string(), "261.72");
        let value: Decimal = from_json_number(serde_json::json!("3.10")).unwrap();
        assert_eq!(value, Decimal::from_str("3.1").unwrap());
    }
}

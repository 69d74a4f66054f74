//! MplusKASSA's number and date encodings, and exact conversions to and from them:
//! money is a long in cents, a quantity is a long with `decimalPlaces` (absent means 0, as the tutorial's
//! `quantity: 1` for one item), a date is `{day, mon, year}` and a timestamp adds `{sec, min, hour}` in
//! Europe/Amsterdam local time.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::MplusError;

/// Cents to an exact amount.
pub(crate) fn from_cents(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// An amount to cents; refuses fractions of a cent instead of rounding them away.
pub(crate) fn to_cents(amount: Decimal) -> Result<i64, MplusError> {
    let cents = amount * Decimal::ONE_HUNDRED;
    if cents.fract() != Decimal::ZERO {
        return Err(MplusError::InvalidRequest(format!("{amount} has fractions of a cent")));
    }
    i64::try_from(cents).map_err(|_| MplusError::InvalidRequest(format!("{amount} is too large")))
}

/// A scaled quantity to an exact decimal.
pub(crate) fn from_scaled(value: i64, decimal_places: Option<i32>) -> Decimal {
    let places = decimal_places.unwrap_or(0).clamp(0, 28) as u32;
    Decimal::new(value, places)
}

/// A decimal to `(value, decimalPlaces)` with no more places than it needs.
pub(crate) fn to_scaled(quantity: Decimal) -> Result<(i64, i32), MplusError> {
    let normalized = quantity.normalize();
    let value = i64::try_from(normalized.mantissa())
        .map_err(|_| MplusError::InvalidRequest(format!("quantity {quantity} is too large")))?;
    Ok((value, normalized.scale() as i32))
}

/// `SoapMplusDate`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct MplusDate {
    day: u32,
    mon: u32,
    year: i32,
}

impl From<NaiveDate> for MplusDate {
    fn from(date: NaiveDate) -> Self {
        use chrono::Datelike;
        Self {
            day: date.day(),
            mon: date.month(),
            year: date.year(),
        }
    }
}

impl MplusDate {
    /// MplusKASSA sends `{0, 0, 0}` for "no date".
    fn to_date(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.mon, self.day)
    }
}

/// `SoapMplusDateTime` (read only).
#[derive(Debug, Clone, Copy, Deserialize)]
pub(crate) struct MplusDateTime {
    sec: u32,
    min: u32,
    hour: u32,
    day: u32,
    mon: u32,
    year: i32,
}

impl MplusDateTime {
    fn to_date_time(self) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(self.year, self.mon, self.day)?.and_hms_opt(self.hour, self.min, self.sec)
    }
}

/// `#[serde(with)]` for optional amounts in cents.
pub(crate) mod option_cents {
    use super::*;

    pub fn serialize<S: Serializer>(amount: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
        match amount {
            Some(amount) => to_cents(*amount)
                .map_err(serde::ser::Error::custom)?
                .serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<i64>::deserialize(deserializer)?.map(from_cents))
    }
}

/// `#[serde(with)]` for required amounts in cents (read only).
pub(crate) mod cents {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        Ok(from_cents(i64::deserialize(deserializer)?))
    }
}

/// `#[serde(with)]` for optional `SoapMplusDate`s.
pub(crate) mod option_date {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
        date.map(MplusDate::from).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
        Ok(Option::<MplusDate>::deserialize(deserializer)?.and_then(MplusDate::to_date))
    }
}

/// Deserializes an optional `SoapMplusDateTime`.
pub(crate) fn option_date_time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDateTime>, D::Error> {
    Ok(Option::<MplusDateTime>::deserialize(deserializer)?.and_then(MplusDateTime::to_date_time))
}

/// Deserializes a wrapped list such as `<lineList><line/><line/></lineList>` into its items.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(bound(deserialize = "T: Deserialize<'de>"))]
    struct Wrapped<T> {
        #[serde(rename = "$value", default = "Vec::new")]
        items: Vec<T>,
    }
    Ok(Option::<Wrapped<T>>::deserialize(deserializer)?
        .map(|w| w.items)
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn cents_and_scaled_quantities_are_exact() {
        assert_eq!(from_cents(995).to_string(), "9.95");
        assert_eq!(to_cents(Decimal::from_str("9.95").unwrap()).unwrap(), 995);
        assert!(to_cents(Decimal::from_str("9.955").unwrap()).is_err());
        assert_eq!(from_scaled(125, Some(2)).to_string(), "1.25");
        assert_eq!(from_scaled(530, Some(3)), Decimal::from_str("0.53").unwrap());
        assert_eq!(from_scaled(1, None), Decimal::ONE);
        assert_eq!(to_scaled(Decimal::from_str("1.250").unwrap()).unwrap(), (125, 2));
        assert_eq!(to_scaled(Decimal::from(3)).unwrap(), (3, 0));
    }

    #[test]
    fn empty_dates_read_as_none() {
        assert_eq!(
            MplusDate {
                day: 0,
                mon: 0,
                year: 0
            }
            .to_date(),
            None
        );
        let date = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(MplusDate::from(date).to_date(), Some(date));
    }
}

//! Money and percentages. All money is GBP, held as an exact decimal with two
//! places and stored as integer pence. There is deliberately no way to build
//! either type from a float.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// The largest amount Bespoke accepts anywhere: £100 million. Far above any
/// personal budget, far below where pence overflow an `i64`.
const MAX_PENCE: i64 = 10_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("must be an amount in pounds with two decimal places, like 18.50")]
    Format,
    #[error("must not be negative")]
    Negative,
    #[error("is more than Bespoke accepts (£100,000,000.00)")]
    TooLarge,
}

/// An amount of money in pounds and pence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money {
    pence: i64,
}

impl Money {
    pub const ZERO: Money = Money { pence: 0 };

    pub const fn from_pence(pence: i64) -> Self {
        Self { pence }
    }

    pub fn pence(self) -> i64 {
        self.pence
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.pence, 2)
    }

    /// An exact decimal, rounded half away from zero to whole pence.
    pub fn from_decimal(value: Decimal) -> Result<Self, MoneyError> {
        let pence = (value * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        let pence: i64 = pence.try_into().map_err(|_| MoneyError::TooLarge)?;
        if pence.abs() > MAX_PENCE {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self { pence })
    }

    /// Parses the API form: digits, a point and exactly two decimals ("18.50").
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let (pounds, pence) = text.split_once('.').ok_or(MoneyError::Format)?;
        let pounds = pounds.strip_prefix('-').map_or(pounds, |p| p);
        if pounds.is_empty()
            || pence.len() != 2
            || !pounds.bytes().all(|b| b.is_ascii_digit())
            || !pence.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(MoneyError::Format);
        }
        if pounds.len() > 12 {
            return Err(MoneyError::TooLarge);
        }
        let value = Decimal::from_str(text).map_err(|_| MoneyError::Format)?;
        let money = Self::from_decimal(value)?;
        if money.is_negative() {
            return Err(MoneyError::Negative);
        }
        Ok(money)
    }

    /// Parses what people type into a form: "£1,200", "18.5" or "18.50".
    pub fn parse_lenient(text: &str) -> Result<Self, MoneyError> {
        let cleaned: String = text
            .trim()
            .trim_start_matches('£')
            .chars()
            .filter(|c| *c != ',')
            .collect();
        let normalised = match cleaned.split_once('.') {
            None => format!("{cleaned}.00"),
            Some((pounds, pence)) if pence.len() == 1 => format!("{pounds}.{pence}0"),
            Some(_) => cleaned,
        };
        Self::parse(&normalised)
    }

    pub fn is_negative(self) -> bool {
        self.pence < 0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.pence.checked_add(other.pence).map(Money::from_pence)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.pence.checked_sub(other.pence).map(Money::from_pence)
    }

    /// This amount times an exact quantity, rounded to whole pence.
    pub fn times(self, quantity: Decimal) -> Result<Money, MoneyError> {
        Self::from_decimal(self.to_decimal() * quantity)
    }

    /// A percentage of this amount, rounded to whole pence.
    pub fn percent(self, percent: Percent) -> Result<Money, MoneyError> {
        Self::from_decimal(self.to_decimal() * percent.0 / Decimal::ONE_HUNDRED)
    }

    /// "£12,000.50": for people, never for machines.
    pub fn display_gbp(self) -> String {
        let sign = if self.pence < 0 { "-" } else { "" };
        let abs = self.pence.unsigned_abs();
        let pounds = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, digit) in pounds.chars().enumerate() {
            if i > 0 && (pounds.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("{sign}£{grouped}.{:02}", abs % 100)
    }
}

impl fmt::Display for Money {
    /// The contract's form: "18.50".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.pence < 0 { "-" } else { "" };
        let abs = self.pence.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The API's form of money, as the serialiser above writes it.
impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        decimal_string_schema(
            r"^-?[0-9]+\.[0-9]{2}$",
            "An amount in pounds with exactly two decimal places, as a string.",
            "18.50",
        )
    }
}

impl utoipa::ToSchema for Money {
    fn name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }
}

/// A string schema for an exact decimal: money, percentages and quantities
/// are never JSON numbers, so no float ever rounds them.
pub(crate) fn decimal_string_schema(
    pattern: &str,
    description: &str,
    example: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .examples([serde_json::Value::from(example)])
        .into()
}

impl<'de> Deserialize<'de> for Money {
    /// Only a JSON string is money: a JSON number could already have been
    /// rounded through a float by whoever wrote it.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Money::parse(&text).map_err(de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PercentError {
    #[error("must be a percentage from 0 to 100, like 7.5")]
    Format,
    #[error("must be between 0 and 100")]
    OutOfRange,
}

/// A percentage from 0 to 100, exact, with at most four decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent(Decimal);

impl Percent {
    pub fn parse(text: &str) -> Result<Self, PercentError> {
        let text = text.trim().trim_end_matches('%').trim();
        let valid_shape = !text.is_empty()
            && text.len() <= 12
            && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && text.bytes().filter(|b| *b == b'.').count() <= 1
            && !text.starts_with('.')
            && !text.ends_with('.');
        if !valid_shape {
            return Err(PercentError::Format);
        }
        let value = Decimal::from_str(text).map_err(|_| PercentError::Format)?;
        if value.scale() > 4 {
            return Err(PercentError::Format);
        }
        if value > Decimal::ONE_HUNDRED {
            return Err(PercentError::OutOfRange);
        }
        Ok(Self(value.normalize()))
    }

    /// Stored as hundredths of a basis point, so 7.5% is 75,000.
    pub fn from_stored(units: i64) -> Self {
        Self(Decimal::new(units, 4).normalize())
    }

    pub fn to_stored(self) -> i64 {
        (self.0 * Decimal::new(10_000, 0))
            .try_into()
            .expect("a percentage of at most 100 with four decimals fits")
    }

    pub fn to_decimal(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl utoipa::PartialSchema for Percent {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        decimal_string_schema(
            r"^[0-9]+(\.[0-9]{1,4})?$",
            "A percentage from 0 to 100 with at most four decimal places, as a string.",
            "7.5",
        )
    }
}

impl utoipa::ToSchema for Percent {
    fn name() -> std::borrow::Cow<'static, str> {
        "Percent".into()
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Percent::parse(&text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn parses_exactly_two_decimals() {
        assert_eq!(Money::parse("18.50").unwrap().pence(), 1850);
        assert_eq!(Money::parse("0.01").unwrap().pence(), 1);
        assert_eq!(Money::parse("12000.00").unwrap().pence(), 1_200_000);
        for bad in [
            "18.5", "18", "18.505", ".50", "18,50", "1e3", "", "£18.50", " 18.50", "NaN", "18.5a",
        ] {
            assert_eq!(Money::parse(bad), Err(MoneyError::Format), "{bad:?}");
        }
        assert_eq!(Money::parse("-1.00"), Err(MoneyError::Negative));
        assert_eq!(Money::parse("100000001.00"), Err(MoneyError::TooLarge));
        assert_eq!(
            Money::parse("99999999999999999999.00"),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn lenient_parsing_accepts_what_people_type() {
        assert_eq!(Money::parse_lenient("£1,200").unwrap().pence(), 120_000);
        assert_eq!(Money::parse_lenient(" 18.5 ").unwrap().pence(), 1850);
        assert_eq!(Money::parse_lenient("14.75").unwrap().pence(), 1475);
        assert!(Money::parse_lenient("fourteen").is_err());
        assert!(Money::parse_lenient("14.755").is_err());
    }

    #[test]
    fn formats_for_machines_and_people() {
        let m = Money::from_pence(1_234_567);
        assert_eq!(m.to_string(), "12345.67");
        assert_eq!(m.display_gbp(), "£12,345.67");
        assert_eq!(Money::from_pence(5).to_string(), "0.05");
        assert_eq!(Money::from_pence(-250).to_string(), "-2.50");
        assert_eq!(
            Money::from_pence(100_000_000).display_gbp(),
            "£1,000,000.00"
        );
        assert_eq!(Money::ZERO.display_gbp(), "£0.00");
    }

    #[test]
    fn arithmetic_is_exact_and_rounds_half_away_from_zero() {
        let rate = Money::parse("14.50").unwrap();
        assert_eq!(rate.times(dec!(6)).unwrap().to_string(), "87.00");
        assert_eq!(rate.times(dec!(0.333)).unwrap().to_string(), "4.83");
        assert_eq!(
            Money::parse("0.05")
                .unwrap()
                .times(dec!(0.5))
                .unwrap()
                .to_string(),
            "0.03"
        );
        let fee = rate.percent(Percent::parse("12.07").unwrap()).unwrap();
        assert_eq!(fee.to_string(), "1.75");
        assert_eq!(
            Money::from_pence(10).checked_add(Money::from_pence(5)),
            Some(Money::from_pence(15))
        );
        assert_eq!(
            Money::from_pence(i64::MAX).checked_add(Money::from_pence(1)),
            None
        );
        // 0.1 + 0.2 is exactly 0.3 here.
        let sum = Money::parse("0.10")
            .unwrap()
            .checked_add(Money::parse("0.20").unwrap());
        assert_eq!(sum, Some(Money::parse("0.30").unwrap()));
    }

    #[test]
    fn json_money_is_a_string_never_a_number() {
        let m: Money = serde_json::from_str("\"18.50\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"18.50\"");
        assert!(serde_json::from_str::<Money>("18.5").is_err());
        assert!(serde_json::from_str::<Money>("\"18.5\"").is_err());
    }

    #[test]
    fn percentages_are_bounded_and_exact() {
        assert_eq!(Percent::parse("7.5").unwrap().to_string(), "7.5");
        assert_eq!(Percent::parse("12.07").unwrap().to_stored(), 120_700);
        assert_eq!(Percent::from_stored(75_000).to_string(), "7.5");
        assert_eq!(Percent::parse("100").unwrap().to_string(), "100");
        assert_eq!(Percent::parse("0").unwrap().to_string(), "0");
        assert_eq!(Percent::parse("100.01"), Err(PercentError::OutOfRange));
        for bad in ["-1", "abc", "", "1.2.3", "1e2", ".5", "5.", "1.00001"] {
            assert_eq!(Percent::parse(bad), Err(PercentError::Format), "{bad:?}");
        }
        let p: Percent = serde_json::from_str("\"7.5\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"7.5\"");
    }
}

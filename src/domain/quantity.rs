//! Quantities of support ("6" hours, "7.5" sessions): exact decimals with at
//! most two places, stored as hundredths. Like money, never a float.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("must be a number such as 6 or 7.5")]
    Format,
    #[error("must be more than zero")]
    NotPositive,
    #[error("must have at most two decimal places")]
    TooPrecise,
    #[error("must be at most {0}")]
    TooLarge(Decimal),
}

/// Anything larger is a typing slip, whatever the unit.
const MAX: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);

impl Quantity {
    pub fn parse(text: &str) -> Result<Self, QuantityError> {
        let text = text.trim();
        if text.is_empty()
            || !text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        {
            return Err(QuantityError::Format);
        }
        let value: Decimal = text.parse().map_err(|_| QuantityError::Format)?;
        if value <= Decimal::ZERO {
            return Err(QuantityError::NotPositive);
        }
        if value.normalize().scale() > 2 {
            return Err(QuantityError::TooPrecise);
        }
        if value > MAX {
            return Err(QuantityError::TooLarge(MAX));
        }
        Ok(Self(value.normalize()))
    }

    /// Reads the API's form: a string ("7.5"), or a plain JSON number for convenience.
    pub fn from_json(value: &Value) -> Result<Self, QuantityError> {
        match value {
            Value::String(text) => Self::parse(text),
            Value::Number(number) => Self::parse(&number.to_string()),
            _ => Err(QuantityError::Format),
        }
    }

    pub fn from_hundredths(hundredths: i64) -> Self {
        Self(Decimal::new(hundredths, 2).normalize())
    }

    pub fn hundredths(self) -> i64 {
        (self.0 * Decimal::ONE_HUNDRED)
            .try_into()
            .expect("a checked quantity fits")
    }

    pub fn to_decimal(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl utoipa::PartialSchema for Quantity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::domain::money::decimal_string_schema(
            r"^[0-9]+(\.[0-9]{1,2})?$",
            "A quantity of support (hours, sessions, visits) with at most two decimal places, as a string.",
            "7.5",
        )
    }
}

impl utoipa::ToSchema for Quantity {
    fn name() -> std::borrow::Cow<'static, str> {
        "Quantity".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_exact_and_sensible() {
        assert_eq!(Quantity::parse("7.5").unwrap().hundredths(), 750);
        assert_eq!(Quantity::parse("6").unwrap().to_string(), "6");
        assert_eq!(Quantity::parse("6.50").unwrap().to_string(), "6.5");
        assert_eq!(Quantity::from_hundredths(1225).to_string(), "12.25");
        assert_eq!(Quantity::parse("0"), Err(QuantityError::NotPositive));
        assert_eq!(Quantity::parse("-2"), Err(QuantityError::NotPositive));
        assert_eq!(Quantity::parse("1.255"), Err(QuantityError::TooPrecise));
        assert_eq!(Quantity::parse("1e3"), Err(QuantityError::Format));
        assert_eq!(Quantity::parse("six"), Err(QuantityError::Format));
        assert!(matches!(
            Quantity::parse("1000000"),
            Err(QuantityError::TooLarge(_))
        ));
        assert_eq!(
            Quantity::from_json(&serde_json::json!(4))
                .unwrap()
                .hundredths(),
            400
        );
        assert!(Quantity::from_json(&serde_json::json!(true)).is_err());
    }
}

//! The council's market reports as pure rules over facts the store gathers:
//! gaps, fee levels, broker impartiality, outcomes, risk signals, and the
//! evidence support requests give. Each report's sentences are written here.

pub mod brokers;
pub mod fees;
pub mod gaps;
pub mod outcomes;
pub mod requests;
pub mod risks;

pub use requests::{median, request_evidence, sentences, EvidenceRow, OfferFacts, RequestFacts};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::domain::fields::FieldErrors;
use crate::domain::vocab::{Category, Vocabulary};

/// A report period: `from` to `to`, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The contract's default is the last 30 days, today included.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Period, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut date = |name: &str, text: Option<&str>, default: NaiveDate| match text
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => Some(default),
            Some(t) => errors.check(
                name,
                NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .map_err(|_| "must be a date written YYYY-MM-DD"),
            ),
        };
        let to = date("to", to, today);
        let from = date("from", from, today - Duration::days(29));
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.add("to", "must be on or after from");
            } else if (to - from).num_days() > 3_660 {
                errors.add("to", "must be within ten years of from");
            }
        }
        match (from, to) {
            (Some(from), Some(to)) if errors.is_empty() => Ok(Period { from, to }),
            _ => Err(errors),
        }
    }

    /// The first moment of the period.
    pub fn start(&self) -> NaiveDateTime {
        self.from.and_hms_opt(0, 0, 0).expect("midnight exists")
    }

    /// The first moment after the period.
    pub fn end(&self) -> NaiveDateTime {
        (self.to + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
    }

    /// "in October 2026" for a whole calendar month, otherwise
    /// "between 3 and 30 November 2026".
    pub fn in_words(&self) -> String {
        let next = self.to + Duration::days(1);
        if self.from.day() == 1 && next.day() == 1 && (next - self.from).num_days() <= 31 {
            return format!("in {}", self.from.format("%B %Y"));
        }
        if self.from == self.to {
            return format!("on {}", self.from.format("%-d %B %Y"));
        }
        let from = if self.from.year() != self.to.year() {
            self.from.format("%-d %B %Y").to_string()
        } else if self.from.month() != self.to.month() {
            self.from.format("%-d %B").to_string()
        } else {
            self.from.format("%-d").to_string()
        };
        format!("between {from} and {}", self.to.format("%-d %B %Y"))
    }

    /// Each calendar month the period touches, as its last day (or the
    /// period's end, for the last one).
    pub fn month_ends(&self) -> Vec<NaiveDate> {
        let mut ends = Vec::new();
        let mut month = NaiveDate::from_ymd_opt(self.from.year(), self.from.month(), 1)
            .expect("first of a month exists");
        while month <= self.to {
            let next = month
                .checked_add_months(chrono::Months::new(1))
                .expect("dates this near exist");
            ends.push((next - Duration::days(1)).min(self.to));
            month = next;
        }
        ends
    }
}

/// Searches recorded without a kind of support are reported under this code.
pub const ANY_CATEGORY: &str = "any";

/// The label for a category code, including [`ANY_CATEGORY`].
pub fn category_label(code: &str) -> &'static str {
    if code == ANY_CATEGORY {
        return "Any support (no kind chosen)";
    }
    Category::from_input(code)
        .map(|c| c.label())
        .unwrap_or("Other support")
}

/// "1 search", "14 searches".
pub fn plural(count: i64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// A share as a percentage string with one decimal, as the contract writes them.
pub fn percent(part: f64, whole: f64) -> Option<String> {
    (whole > 0.0).then(|| format!("{:.1}", 100.0 * part / whole))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_read_as_people_say_them() {
        let october = Period {
            from: day(2026, 10, 1),
            to: day(2026, 10, 31),
        };
        assert_eq!(october.in_words(), "in October 2026");
        let part = Period {
            from: day(2026, 11, 3),
            to: day(2026, 11, 30),
        };
        assert_eq!(part.in_words(), "between 3 and 30 November 2026");
        let across = Period {
            from: day(2026, 10, 25),
            to: day(2026, 11, 23),
        };
        assert_eq!(across.in_words(), "between 25 October and 23 November 2026");
        let years = Period {
            from: day(2025, 12, 25),
            to: day(2026, 1, 2),
        };
        assert_eq!(
            years.in_words(),
            "between 25 December 2025 and 2 January 2026"
        );
    }

    #[test]
    fn month_ends_cover_the_period() {
        let period = Period {
            from: day(2026, 9, 15),
            to: day(2026, 11, 23),
        };
        assert_eq!(
            period.month_ends(),
            vec![day(2026, 9, 30), day(2026, 10, 31), day(2026, 11, 23)]
        );
    }

    #[test]
    fn the_default_period_is_the_last_thirty_days() {
        let today = day(2026, 11, 23);
        let period = Period::parse(None, None, today).unwrap();
        assert_eq!((period.from, period.to), (day(2026, 10, 25), today));
        assert!(Period::parse(Some("2026-11-24"), Some("2026-11-23"), today).is_err());
        assert!(Period::parse(Some("yesterday"), None, today).is_err());
    }
}

//! Bank holidays, from `data/calendar/bank_holidays.toml`: the dates the
//! `bank_holiday` rate band applies to.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Deserialize;

const CALENDAR_FILE: &str = include_str!("../../data/calendar/bank_holidays.toml");

/// The nation whose calendar councils in England use.
pub const ENGLAND_AND_WALES: &str = "england_and_wales";

#[derive(Debug, Deserialize)]
struct CalendarFile {
    covers_until: NaiveDate,
    #[serde(flatten)]
    nations: BTreeMap<String, toml::Value>,
}

#[derive(Debug)]
pub struct BankHolidays {
    covers_until: NaiveDate,
    nations: BTreeMap<String, BTreeSet<NaiveDate>>,
}

impl BankHolidays {
    pub fn get() -> &'static BankHolidays {
        static CALENDAR: OnceLock<BankHolidays> = OnceLock::new();
        CALENDAR.get_or_init(|| {
            BankHolidays::from_toml(CALENDAR_FILE)
                .expect("data/calendar/bank_holidays.toml is valid")
        })
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        let file: CalendarFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut nations = BTreeMap::new();
        for (nation, years) in file.nations {
            // Top-level strings (`source`) are notes, not nations.
            let Some(years) = years.as_table() else {
                continue;
            };
            let mut dates = BTreeSet::new();
            for list in years.values() {
                let list = list
                    .as_array()
                    .ok_or_else(|| format!("{nation}: each year is a list of dates"))?;
                for date in list {
                    let text = date
                        .as_str()
                        .ok_or_else(|| format!("{nation}: dates are strings"))?;
                    dates.insert(
                        NaiveDate::parse_from_str(text, "%Y-%m-%d")
                            .map_err(|e| format!("{nation}: {text}: {e}"))?,
                    );
                }
            }
            nations.insert(nation, dates);
        }
        Ok(Self {
            covers_until: file.covers_until,
            nations,
        })
    }

    /// The last day the calendar is known for.
    pub fn covers_until(&self) -> NaiveDate {
        self.covers_until
    }

    /// Whether the calendar ends within `days` of `today`: time to add a year.
    pub fn runs_out_within(&self, today: NaiveDate, days: i64) -> bool {
        today + chrono::Duration::days(days) > self.covers_until
    }

    /// The bank holidays from `start` to `end`, both included; `None` when the
    /// calendar does not reach `end`.
    pub fn between(
        &self,
        nation: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Option<Vec<NaiveDate>> {
        if end > self.covers_until {
            return None;
        }
        Some(
            self.nations
                .get(nation)
                .map(|dates| dates.range(start..=end).copied().collect())
                .unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_calendar_counts_bank_holidays_in_a_range() {
        let calendar = BankHolidays::get();
        let christmas = calendar
            .between(ENGLAND_AND_WALES, date("2026-12-01"), date("2027-01-31"))
            .unwrap();
        assert_eq!(
            christmas,
            vec![date("2026-12-25"), date("2026-12-28"), date("2027-01-01")]
        );
        // Both ends are included.
        assert_eq!(
            calendar
                .between(ENGLAND_AND_WALES, date("2026-05-25"), date("2026-05-25"))
                .unwrap()
                .len(),
            1
        );
        assert!(calendar
            .between(ENGLAND_AND_WALES, date("2027-12-01"), date("2028-01-05"))
            .is_none());
    }

    #[test]
    fn the_calendar_says_when_it_is_about_to_run_out() {
        let calendar = BankHolidays::from_toml(
            "covers_until = \"2027-12-31\"\n[england_and_wales]\n\"2027\" = [\"2027-12-27\"]\n",
        )
        .unwrap();
        assert!(!calendar.runs_out_within(date("2027-10-02"), 90));
        assert!(calendar.runs_out_within(date("2027-10-03"), 90));
        assert!(calendar.runs_out_within(date("2028-01-01"), 0));
    }
}

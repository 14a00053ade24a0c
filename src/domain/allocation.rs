//! Resource allocation: a council's self-assessment questions, each answer
//! worth points, and the price of a point in bands, which turn a person's
//! answers into an indicative yearly budget before any plan is written.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::Money;
use super::vocab::OutcomeDomain;
use crate::domain::fields::FieldErrors;

pub const MAX_QUESTIONS: usize = 40;
pub const MAX_OPTIONS: usize = 8;
pub const MAX_POINTS_PER_ANSWER: u32 = 1_000;
pub const MAX_BANDS: usize = 10;

/// The allocation a council starts with until its commissioners set their own.
pub const DEFAULT_ALLOCATION: &str = include_str!("../../data/allocation/default.json");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnswerOption {
    pub label: String,
    pub points: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Question {
    /// A short stable name, such as `personal_care`; answers refer to it.
    pub id: String,
    pub domain: OutcomeDomain,
    pub text: String,
    pub options: Vec<AnswerOption>,
}

/// From `from_points` upwards, each further point is worth `price_per_point`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = AllocationBand)]
pub struct Band {
    pub from_points: u32,
    pub price_per_point: Money,
}

/// A council's whole resource allocation system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Allocation {
    pub questions: Vec<Question>,
    pub bands: Vec<Band>,
    /// No indicative budget is above this, however many points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<Money>,
}

/// A self-assessment: for each question id, the index of the chosen option.
pub type Answers = BTreeMap<String, usize>;

fn is_identifier(text: &str) -> bool {
    (1..=40).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Allocation {
    /// The built-in allocation (a fixture of the product; it always parses).
    pub fn default_table() -> Self {
        serde_json::from_str(DEFAULT_ALLOCATION).expect("the default allocation is valid")
    }

    /// Reads and checks an allocation as a commissioner sends it.
    pub fn from_json(value: serde_json::Value) -> Result<Self, FieldErrors> {
        let allocation: Allocation = serde_json::from_value(value).map_err(|e| {
            FieldErrors::single(
                "allocation",
                format!("must have questions, bands and optionally a cap ({e})"),
            )
        })?;
        allocation.check()?;
        Ok(allocation)
    }

    fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            errors.add(
                "questions",
                format!("must have from 1 to {MAX_QUESTIONS} questions"),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            let field = format!("questions[{i}]");
            if !is_identifier(&q.id) {
                errors.add(
                    &format!("{field}.id"),
                    "must be 1 to 40 lower-case letters, digits or underscores",
                );
            } else if !seen.insert(q.id.as_str()) {
                errors.add(&format!("{field}.id"), "is used by another question");
            }
            if !(5..=300).contains(&q.text.trim().chars().count()) {
                errors.add(&format!("{field}.text"), "must be 5 to 300 characters");
            }
            if !(2..=MAX_OPTIONS).contains(&q.options.len()) {
                errors.add(
                    &format!("{field}.options"),
                    format!("must offer 2 to {MAX_OPTIONS} answers"),
                );
            }
            for (j, option) in q.options.iter().enumerate() {
                if !(1..=120).contains(&option.label.trim().chars().count()) {
                    errors.add(
                        &format!("{field}.options[{j}].label"),
                        "must be 1 to 120 characters",
                    );
                }
                if option.points > MAX_POINTS_PER_ANSWER {
                    errors.add(
                        &format!("{field}.options[{j}].points"),
                        format!("must be at most {MAX_POINTS_PER_ANSWER}"),
                    );
                }
            }
        }
        if self.bands.is_empty() || self.bands.len() > MAX_BANDS {
            errors.add("bands", format!("must have from 1 to {MAX_BANDS} bands"));
        } else if self.bands[0].from_points != 0 {
            errors.add("bands", "the first band must start at 0 points");
        } else if self
            .bands
            .windows(2)
            .any(|w| w[1].from_points <= w[0].from_points)
        {
            errors.add("bands", "must start at increasing numbers of points");
        }
        if self.bands.iter().any(|b| b.price_per_point.is_negative())
            || self.cap.is_some_and(Money::is_negative)
        {
            errors.add("bands", "prices and the cap must not be negative");
        }
        settled(errors)
    }

    /// The points the answers are worth; every question must be answered.
    pub fn points(&self, answers: &Answers) -> Result<u32, FieldErrors> {
        let mut errors = FieldErrors::new();
        for id in answers.keys() {
            if !self.questions.iter().any(|q| &q.id == id) {
                errors.add(&format!("answers.{id}"), "is not one of the questions");
            }
        }
        let mut points = 0;
        for q in &self.questions {
            match answers.get(&q.id) {
                None => errors.add(&format!("answers.{}", q.id), "needs an answer"),
                Some(&i) => match q.options.get(i) {
                    Some(option) => points += option.points,
                    None => errors.add(
                        &format!("answers.{}", q.id),
                        format!("must be an answer from 0 to {}", q.options.len() - 1),
                    ),
                },
            }
        }
        settled(errors)?;
        Ok(points)
    }

    /// Points to money: each band prices the points that fall within it,
    /// and the cap, if any, limits the total.
    pub fn indicative_budget(&self, points: u32) -> Money {
        let mut total = Decimal::ZERO;
        for (i, band) in self.bands.iter().enumerate() {
            if points <= band.from_points {
                break;
            }
            let upper = self
                .bands
                .get(i + 1)
                .map_or(points, |next| next.from_points.min(points));
            total += Decimal::from(upper - band.from_points) * band.price_per_point.to_decimal();
        }
        // Within bounds: points and prices are both limited by `check`.
        let budget = Money::from_decimal(total).unwrap_or(Money::ZERO);
        match self.cap {
            Some(cap) if budget > cap => cap,
            _ => budget,
        }
    }

    /// The most points anyone can score.
    pub fn max_points(&self) -> u32 {
        self.questions
            .iter()
            .map(|q| q.options.iter().map(|o| o.points).max().unwrap_or(0))
            .sum()
    }
}

fn settled(errors: FieldErrors) -> Result<(), FieldErrors> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(bands: &[(u32, &str)], cap: Option<&str>) -> Allocation {
        Allocation {
            questions: vec![Question {
                id: "personal_care".into(),
                domain: OutcomeDomain::DailyLiving,
                text: "Washing and dressing".into(),
                options: vec![
                    AnswerOption {
                        label: "On my own".into(),
                        points: 0,
                    },
                    AnswerOption {
                        label: "With a lot of help".into(),
                        points: 30,
                    },
                ],
            }],
            bands: bands
                .iter()
                .map(|(from, price)| Band {
                    from_points: *from,
                    price_per_point: Money::parse(price).unwrap(),
                })
                .collect(),
            cap: cap.map(|c| Money::parse(c).unwrap()),
        }
    }

    #[test]
    fn bands_price_the_points_within_them() {
        let t = table(&[(0, "100.00"), (10, "50.00"), (20, "10.00")], None);
        assert_eq!(t.indicative_budget(0), Money::ZERO);
        assert_eq!(t.indicative_budget(5).display_gbp(), "£500.00");
        assert_eq!(t.indicative_budget(10).display_gbp(), "£1,000.00");
        assert_eq!(t.indicative_budget(15).display_gbp(), "£1,250.00");
        // 10 × £100 + 10 × £50 + 5 × £10
        assert_eq!(t.indicative_budget(25).display_gbp(), "£1,550.00");
    }

    #[test]
    fn the_cap_limits_the_budget() {
        let t = table(&[(0, "100.00")], Some("1200.00"));
        assert_eq!(t.indicative_budget(30).display_gbp(), "£1,200.00");
    }

    #[test]
    fn every_question_must_be_answered_with_an_offered_answer() {
        let t = table(&[(0, "100.00")], None);
        assert!(t.points(&Answers::new()).is_err());
        let out_of_range = Answers::from([("personal_care".to_owned(), 2)]);
        assert!(t.points(&out_of_range).is_err());
        let unknown = Answers::from([("personal_care".to_owned(), 1), ("x".to_owned(), 0)]);
        assert!(t.points(&unknown).is_err());
        let good = Answers::from([("personal_care".to_owned(), 1)]);
        assert_eq!(t.points(&good).unwrap(), 30);
    }

    #[test]
    fn bands_must_start_at_zero_and_rise() {
        let mut t = table(&[(5, "100.00")], None);
        assert!(t.check().is_err());
        t = table(&[(0, "100.00"), (0, "50.00")], None);
        assert!(t.check().is_err());
        assert!(Allocation::default_table().check().is_ok());
    }
}

//! Commissions: what a request to buy support must say, and what it costs.

use crate::domain::ids::{ListingId, PortionId};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use super::calendar::{BankHolidays, ENGLAND_AND_WALES};
use super::listings::ListingContent;
use super::money::Money;
use super::plans::{check_period, parse_date};
use super::pricing::{self, Cost, CostError, CostRequest};
use super::quantity::Quantity;
use super::vocab::{Band, CommissionStatus, QuantityPer, Unit, Vocabulary};
use crate::domain::fields::FieldErrors;

pub const NOTE_MAX_CHARS: usize = 2_000;
pub const MAX_ALTERNATIVES: usize = 20;
/// A commission runs for at most two years; a longer arrangement is renewed.
pub const MAX_COMMISSION_DAYS: i64 = 2 * 366;
pub const MAX_VISITS_PER_WEEK: i64 = 100;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CommissionInput {
    pub listing_id: Option<ListingId>,
    /// A portion id, or a mode name when the plan has one portion of that mode.
    pub portion: Option<Value>,
    pub quantity: Option<Value>,
    pub per: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub band: Option<String>,
    pub visits_per_week: Option<Value>,
    pub outcome_id: Option<i64>,
    /// Ids of other listings considered (brokers tied to the seller must give them).
    pub alternatives_considered: Option<Vec<ListingId>>,
    pub note: Option<String>,
}

/// Which portion a commission is paid from, as the request named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortionChoice {
    Id(PortionId),
    Mode(super::vocab::PortionMode),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommissionRequest {
    pub listing_id: ListingId,
    pub portion: PortionChoice,
    pub quantity: Quantity,
    pub per: QuantityPer,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub band: Option<Band>,
    pub visits_per_week: Option<Quantity>,
    pub outcome_id: Option<i64>,
    pub alternatives: Vec<ListingId>,
    pub note: String,
}

impl CommissionRequest {
    pub fn days(&self) -> i64 {
        (self.end_date - self.start_date).num_days() + 1
    }
}

/// Reads a portion as a request names it: its id (a number or a string of
/// digits), or the name of a way of holding money.
pub fn portion_choice(value: &Value) -> Result<PortionChoice, String> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map(|id| PortionChoice::Id(PortionId(id)))
            .ok_or_else(|| "must be a portion id or a mode name".to_owned()),
        Value::String(text) => match text.trim().parse::<i64>() {
            Ok(id) => Ok(PortionChoice::Id(PortionId(id))),
            Err(_) => super::vocab::PortionMode::from_input(text)
                .map(PortionChoice::Mode)
                .map_err(|codes| {
                    format!("must be a portion id, or a way of holding money: {codes}")
                }),
        },
        _ => Err("must be a portion id or a mode name".to_owned()),
    }
}

/// The most of a unit that fits in a week, or on one day.
pub fn most_in(unit: Unit, per: QuantityPer) -> Option<Decimal> {
    let week = per == QuantityPer::Week;
    Some(Decimal::from(match unit {
        Unit::Hour => {
            if week {
                168
            } else {
                24
            }
        }
        Unit::Day | Unit::Night => {
            if week {
                7
            } else {
                1
            }
        }
        Unit::Session => {
            if week {
                35
            } else {
                5
            }
        }
        Unit::Week => {
            if week {
                1
            } else {
                return None;
            }
        }
        Unit::Item => 1_000,
    }))
}

pub fn check_request(input: CommissionInput) -> Result<CommissionRequest, FieldErrors> {
    let mut errors = FieldErrors::new();
    let listing_id = errors.required("listing_id", input.listing_id);
    let portion = errors
        .required("portion", input.portion.as_ref())
        .and_then(|p| errors.check("portion", portion_choice(p)));
    let quantity = errors
        .required("quantity", input.quantity.as_ref())
        .and_then(|q| errors.check("quantity", Quantity::from_json(q)));
    let band = match input.band.as_deref() {
        None => None,
        Some(b) => errors.check("band", Band::from_input(b)),
    };
    let per = match input.per.as_deref() {
        None if band == Some(Band::BankHoliday) => Some(QuantityPer::BankHoliday),
        None => Some(QuantityPer::Week),
        Some(p) => match errors.check("per", QuantityPer::from_input(p)) {
            Some(per @ (QuantityPer::Week | QuantityPer::BankHoliday)) => Some(per),
            Some(_) => {
                errors.add(
                    "per",
                    "must be week, or bank_holiday for bank-holiday support",
                );
                None
            }
            None => None,
        },
    };
    match (band, per) {
        (Some(Band::BankHoliday), Some(QuantityPer::Week)) => errors.add(
            "per",
            "must be bank_holiday for the bank_holiday band: the quantity is for each bank holiday",
        ),
        (Some(b), Some(QuantityPer::BankHoliday)) if b != Band::BankHoliday => {
            errors.add("band", "must be bank_holiday when per is bank_holiday")
        }
        _ => {}
    }
    let band = if per == Some(QuantityPer::BankHoliday) {
        Some(Band::BankHoliday)
    } else {
        band
    };
    let start = parse_date(&mut errors, "start_date", input.start_date.as_deref());
    let end = parse_date(&mut errors, "end_date", input.end_date.as_deref());
    if let (Some(start), Some(end)) = (start, end) {
        check_period(&mut errors, "end_date", start, end, MAX_COMMISSION_DAYS);
    }
    let visits_per_week = check_visits_per_week(&mut errors, input.visits_per_week.as_ref());
    let alternatives = input.alternatives_considered.unwrap_or_default();
    if alternatives.len() > MAX_ALTERNATIVES {
        errors.add(
            "alternatives_considered",
            format!("may list at most {MAX_ALTERNATIVES}"),
        );
    }
    let note = input.note.unwrap_or_default().trim().to_owned();
    if note.chars().count() > NOTE_MAX_CHARS {
        errors.add(
            "note",
            format!("must be at most {NOTE_MAX_CHARS} characters"),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CommissionRequest {
        listing_id: listing_id.expect("checked"),
        portion: portion.expect("checked"),
        quantity: quantity.expect("checked"),
        per: per.expect("checked"),
        start_date: start.expect("checked"),
        end_date: end.expect("checked"),
        band,
        visits_per_week,
        outcome_id: input.outcome_id,
        alternatives,
        note,
    })
}

/// What a commission for this listing costs: the rate for the band (or the
/// listing's price), the quantity over the dates, and the listing's fees.
pub fn price(
    listing: &ListingContent,
    request: &CommissionRequest,
    annual_budget: Money,
    holidays: &BankHolidays,
) -> Result<Cost, FieldErrors> {
    let mut errors = FieldErrors::new();
    let unit_price = request
        .band
        .and_then(|band| listing.rates.iter().find(|r| r.band == band))
        .map(|r| r.amount)
        .or(listing.price);
    let Some(unit_price) = unit_price else {
        return Err(FieldErrors::single(
            "listing_id",
            "has no price yet, so it cannot be commissioned",
        ));
    };
    match most_in(listing.unit, request.per) {
        None => errors.add(
            "per",
            "does not fit a weekly price: commission it by the week",
        ),
        Some(most) if request.quantity.to_decimal() > most => errors.add(
            "quantity",
            format!(
                "must be at most {most} {} {}: that is all there is",
                listing.unit.plural(),
                request.per.label()
            ),
        ),
        Some(_) => {}
    }
    let occasions = match request.per {
        QuantityPer::BankHoliday => {
            match holidays.between(ENGLAND_AND_WALES, request.start_date, request.end_date) {
                None => {
                    errors.add(
                        "end_date",
                        format!(
                            "is past the last bank holiday Bespoke knows of ({}); shorten the dates",
                            holidays.covers_until()
                        ),
                    );
                    None
                }
                Some(days) if days.is_empty() => {
                    errors.add("end_date", "leaves no bank holiday between the dates");
                    None
                }
                Some(days) => Some(days.len() as i64),
            }
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    pricing::cost(&CostRequest {
        unit_price,
        quantity_per_week: request.quantity.to_decimal(),
        days: request.days(),
        occasions,
        visits_per_week: request.visits_per_week.map(Quantity::to_decimal),
        annual_budget: Some(annual_budget),
        fees: &listing.fees,
    })
    .map_err(|e| match e {
        CostError::VisitsNeeded => FieldErrors::single(
            "visits_per_week",
            "is required: this listing charges a fee for each visit",
        ),
        other => FieldErrors::single("quantity", other.to_string()),
    })
}

/// The status each action of `POST /commissions/{id}/{action}` moves a commission to.
pub fn status_after(action: &str) -> Option<CommissionStatus> {
    action
        .parse::<CommissionAction>()
        .ok()
        .map(CommissionAction::status_after)
}

/// What may be done to a commission.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, strum::EnumString, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CommissionAction {
    /// The seller takes it on.
    Accept,
    /// The seller turns it down.
    Decline,
    /// The buyer or the seller calls it off.
    Cancel,
    /// The seller has delivered it all.
    Complete,
}

impl CommissionAction {
    pub fn status_after(self) -> CommissionStatus {
        match self {
            CommissionAction::Accept => CommissionStatus::Accepted,
            CommissionAction::Decline => CommissionStatus::Declined,
            CommissionAction::Cancel => CommissionStatus::Cancelled,
            CommissionAction::Complete => CommissionStatus::Completed,
        }
    }
}

/// Why a commission may not move to `to` from `from`, if it may not.
pub fn transition_refused(from: CommissionStatus, to: CommissionStatus) -> Option<String> {
    use CommissionStatus::*;
    let allowed = matches!(
        (from, to),
        (Requested, Accepted | Declined | Cancelled) | (Accepted, Completed | Cancelled)
    );
    (!allowed).then(|| {
        format!(
            "This commission is {}; it cannot be {} now.",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        )
    })
}

/// Commitments still held for a commission in this state.
pub fn holds_commitment(status: CommissionStatus) -> bool {
    matches!(
        status,
        CommissionStatus::Requested | CommissionStatus::Accepted
    )
}

/// Visits a week, when a fee is charged per visit: at most
/// `MAX_VISITS_PER_WEEK`. Shared by commissions and offers.
pub fn check_visits_per_week(errors: &mut FieldErrors, input: Option<&Value>) -> Option<Quantity> {
    match input {
        None | Some(Value::Null) => None,
        Some(v) => errors
            .check("visits_per_week", Quantity::from_json(v))
            .filter(|v| {
                let fits = v.to_decimal() <= Decimal::from(MAX_VISITS_PER_WEEK);
                if !fits {
                    errors.add(
                        "visits_per_week",
                        format!("must be at most {MAX_VISITS_PER_WEEK}"),
                    );
                }
                fits
            }),
    }
}

/// The most support an invoice for `start..=end` may claim of a commission
/// for `quantity` `per` week (or month, or year, or bank holiday): the
/// quantity for each week the period touches, a part week counting whole (a
/// month is taken as 28 days and a year as 365, generously), or for each bank
/// holiday in it. `None` when the calendar does not reach `end`.
pub fn invoice_allowance(
    quantity: Quantity,
    per: QuantityPer,
    (start, end): (NaiveDate, NaiveDate),
    holidays: &BankHolidays,
) -> Option<Decimal> {
    let days = (end - start).num_days() + 1;
    let periods = match per {
        QuantityPer::Week => (days + 6) / 7,
        QuantityPer::Month => (days + 27) / 28,
        QuantityPer::Year => (days + 364) / 365,
        QuantityPer::BankHoliday => holidays.between(ENGLAND_AND_WALES, start, end)?.len() as i64,
    };
    Some(quantity.to_decimal() * Decimal::from(periods.max(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::listings::Rate;
    use crate::domain::pricing::{Fee, FeeCharge};
    use crate::domain::vocab::{Category, FeeKind, FeePer, ListingStatus};

    fn listing() -> ListingContent {
        ListingContent {
            title: "Evening PA".into(),
            description: String::new(),
            category: Category::PersonalAssistant,
            price: Some(Money::parse("14.50").unwrap()),
            unit: Unit::Hour,
            rates: vec![Rate {
                band: Band::BankHoliday,
                amount: Money::parse("21.75").unwrap(),
            }],
            fees: vec![Fee {
                kind: FeeKind::Setup,
                label: "Introduction".into(),
                charge: FeeCharge::Amount(Money::parse("40.00").unwrap()),
                per: FeePer::OneOff,
            }],
            postcode: "M14 5AB".into(),
            district: "M14".into(),
            areas: vec!["M14".into()],
            availability: vec![],
            languages: vec![],
            tags: vec![],
            employment: None,
            accepting_clients: true,
            status: ListingStatus::Published,
        }
    }

    fn request(json: serde_json::Value) -> Result<CommissionRequest, FieldErrors> {
        check_request(serde_json::from_value(json).unwrap())
    }

    #[test]
    fn a_weekly_commission_costs_rate_times_hours_over_its_days_plus_fees() {
        let r = request(
            serde_json::json!({"listing_id": 1, "portion": "direct_payment",
            "quantity": "6", "start_date": "2026-06-01", "end_date": "2026-06-28"}),
        )
        .unwrap();
        let cost = price(
            &listing(),
            &r,
            Money::parse("12000.00").unwrap(),
            BankHolidays::get(),
        )
        .unwrap();
        // 14.50 × 6 × 4 weeks + 40.00
        assert_eq!(cost.total, Money::parse("388.00").unwrap());
        assert_eq!(cost.weekly, Money::parse("87.00").unwrap());
    }

    #[test]
    fn bank_holiday_support_is_priced_for_each_bank_holiday_in_the_dates() {
        let r = request(
            serde_json::json!({"listing_id": 1, "portion": 3, "band": "bank_holiday",
            "quantity": "4", "start_date": "2026-12-01", "end_date": "2027-01-31"}),
        )
        .unwrap();
        assert_eq!(r.per, QuantityPer::BankHoliday);
        let cost = price(
            &listing(),
            &r,
            Money::parse("12000.00").unwrap(),
            BankHolidays::get(),
        )
        .unwrap();
        // Three bank holidays × 4 hours × 21.75 + 40.00
        assert_eq!(cost.total, Money::parse("301.00").unwrap());
    }

    #[test]
    fn nonsense_is_refused_with_reasons() {
        let r = request(
            serde_json::json!({"listing_id": 1, "portion": "direct_payment",
            "quantity": "200", "start_date": "2026-06-01", "end_date": "2026-06-28"}),
        )
        .unwrap();
        let errors = price(&listing(), &r, Money::ZERO, BankHolidays::get()).unwrap_err();
        assert!(errors.first("quantity").unwrap().contains("168"));

        let errors = request(serde_json::json!({"listing_id": 1, "portion": "cash",
            "quantity": "0", "start_date": "2026-06-28", "end_date": "2026-06-01"}))
        .unwrap_err();
        for field in ["portion", "quantity", "end_date"] {
            assert!(errors.first(field).is_some(), "{field}: {errors:?}");
        }
        let r = request(
            serde_json::json!({"listing_id": 1, "portion": 1, "per": "bank_holiday",
            "quantity": "2", "start_date": "2026-06-02", "end_date": "2026-06-20"}),
        )
        .unwrap();
        let errors = price(&listing(), &r, Money::ZERO, BankHolidays::get()).unwrap_err();
        assert!(errors
            .first("end_date")
            .unwrap()
            .contains("no bank holiday"));
    }

    #[test]
    fn commissions_move_only_along_their_lifecycle() {
        use CommissionStatus::*;
        assert!(transition_refused(Requested, Accepted).is_none());
        assert!(transition_refused(Accepted, Completed).is_none());
        assert!(transition_refused(Declined, Accepted).is_some());
        assert!(transition_refused(Requested, Completed).is_some());
    }

    #[test]
    fn an_invoice_may_claim_the_commissioned_quantity_for_each_week_it_touches() {
        let holidays = BankHolidays::get();
        let six = Quantity::parse("6").unwrap();
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
        let allowed = |per, from, to| invoice_allowance(six, per, (day(from), day(to)), holidays);
        assert_eq!(allowed(QuantityPer::Week, 1, 1), Some(Decimal::from(6)));
        assert_eq!(allowed(QuantityPer::Week, 1, 7), Some(Decimal::from(6)));
        assert_eq!(allowed(QuantityPer::Week, 1, 8), Some(Decimal::from(12)));
        assert_eq!(allowed(QuantityPer::Month, 1, 28), Some(Decimal::from(6)));
        // No bank holiday in England and Wales from 1 to 20 June 2026.
        assert_eq!(
            allowed(QuantityPer::BankHoliday, 1, 20),
            Some(Decimal::ZERO)
        );
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
        let new_year = NaiveDate::from_ymd_opt(2027, 1, 2).unwrap();
        let over_christmas = invoice_allowance(
            six,
            QuantityPer::BankHoliday,
            (christmas, new_year),
            holidays,
        );
        assert_eq!(
            over_christmas,
            Some(Decimal::from(18)),
            "Christmas Day, the Boxing Day holiday on the 28th, New Year's Day"
        );
    }
}

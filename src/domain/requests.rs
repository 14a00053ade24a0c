//! Support requests and tailored offers: what a request must say, what an
//! offer must say, and what an offer would cost the person who asked.

use crate::domain::ids::{ListingId, PlanId};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::commissions::{check_visits_per_week, most_in, MAX_COMMISSION_DAYS};
use super::listings::{
    check_fees, check_money, check_rates, check_text, FeeInput, PriceInput, Rate, RateInput,
};
use super::money::Money;
use super::places::{check_areas, Places};
use super::plans::{check_period, parse_date};
use super::pricing::{self, Cost, CostError, CostRequest, Fee};
use super::quantity::Quantity;
use super::vocab::{language_name, Band, Category, QuantityPer, Unit, Vocabulary};
use crate::domain::fields::FieldErrors;

pub const MAX_REQUEST_AREAS: usize = 10;
pub const DETAILS_MAX_CHARS: usize = 2_000;
pub const MESSAGE_MAX_CHARS: usize = 2_000;
pub const SCHEDULE_MAX_CHARS: usize = 500;
/// A request takes offers for at least this long, and until its start date if later.
pub const OPEN_AT_LEAST_DAYS: u64 = 14;
/// Requests with no offer after this many days are evidence of a gap in the market.
pub const UNANSWERED_AFTER_DAYS: i64 = 7;

/// A request as the holder's side sends it. Everything is optional here so
/// one answer can name every problem.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RequestInput {
    pub plan_id: Option<PlanId>,
    pub category: Option<String>,
    pub unit: Option<String>,
    pub areas: Option<Vec<String>>,
    pub availability: Option<Vec<String>>,
    pub quantity: Option<Value>,
    pub per: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub outcome_id: Option<i64>,
    pub languages: Option<Vec<String>>,
    pub max_price: Option<String>,
    pub details: Option<String>,
}

/// A checked request, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportRequest {
    pub plan_id: PlanId,
    pub category: Category,
    /// What the quantity counts: hours unless the holder says otherwise.
    pub unit: Unit,
    pub areas: Vec<String>,
    pub availability: Vec<Band>,
    pub quantity: Quantity,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub outcome_id: Option<i64>,
    pub languages: Vec<String>,
    /// The most the holder wants to pay for each unit.
    pub max_price: Option<Money>,
    pub details: String,
}

pub fn check_request(input: RequestInput, places: &Places) -> Result<SupportRequest, FieldErrors> {
    let mut errors = FieldErrors::new();
    let plan_id = errors.required("plan_id", input.plan_id);
    let category = errors
        .required("category", input.category.as_deref())
        .and_then(|c| errors.check("category", Category::from_input(c)));
    let unit = match input.unit.as_deref() {
        None => Some(Unit::Hour),
        Some(u) => errors.check("unit", Unit::from_input(u)),
    };
    match input.per.as_deref().map(str::trim) {
        None | Some("week") => {}
        Some(_) => errors.add("per", "must be week: a request asks for so much a week"),
    }
    let quantity = errors
        .required("quantity", input.quantity.as_ref())
        .and_then(|q| errors.check("quantity", Quantity::from_json(q)));
    if let (Some(unit), Some(quantity)) = (unit, quantity) {
        match most_in(unit, QuantityPer::Week) {
            Some(most) if quantity.to_decimal() > most => errors.add(
                "quantity",
                format!("must be at most {most} {} a week", unit.plural()),
            ),
            _ => {}
        }
    }

    let area_inputs = input.areas.unwrap_or_default();
    if area_inputs.is_empty() {
        errors.add("areas", "name at least one postcode district, like M14");
    }
    // Only districts are kept: a full postcode would say where the person lives.
    let areas = check_areas(places, &area_inputs, MAX_REQUEST_AREAS, &mut errors);

    let mut availability = Vec::new();
    for (i, code) in input.availability.unwrap_or_default().iter().enumerate() {
        if let Some(band) = errors.check(&format!("availability[{i}]"), Band::from_input(code)) {
            if !availability.contains(&band) {
                availability.push(band);
            }
        }
    }
    availability.sort();

    let start = parse_date(&mut errors, "start_date", input.start_date.as_deref());
    let end = parse_date(&mut errors, "end_date", input.end_date.as_deref());
    if let (Some(start), Some(end)) = (start, end) {
        check_period(&mut errors, "end_date", start, end, MAX_COMMISSION_DAYS);
    }

    let mut languages = Vec::new();
    for (i, code) in input.languages.unwrap_or_default().iter().enumerate() {
        let code = code.trim().to_lowercase();
        if language_name(&code).is_none() {
            errors.add(
                &format!("languages[{i}]"),
                "is not a language code Bespoke knows, like en, ur or bfi",
            );
        } else if !languages.contains(&code) {
            languages.push(code);
        }
    }

    let max_price = match input
        .max_price
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(text) => check_money(&mut errors, "max_price", text),
        None => None,
    };
    let details = check_text(
        &mut errors,
        "details",
        input.details.as_deref().unwrap_or_default(),
        0..=DETAILS_MAX_CHARS,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SupportRequest {
        plan_id: plan_id.expect("checked"),
        category: category.expect("checked"),
        unit: unit.expect("checked"),
        areas,
        availability,
        quantity: quantity.expect("checked"),
        start_date: start.expect("checked"),
        end_date: end.expect("checked"),
        outcome_id: input.outcome_id,
        languages,
        max_price,
        details: details.expect("checked"),
    })
}

/// The last day a request posted on `posted` takes offers: at least two
/// weeks, or until support should start if that is later, never past its end.
pub fn expires_on(posted: NaiveDate, start: NaiveDate, end: NaiveDate) -> NaiveDate {
    let two_weeks = posted
        .checked_add_days(Days::new(OPEN_AT_LEAST_DAYS))
        .unwrap_or(posted);
    two_weeks.max(start).min(end.max(posted))
}

/// An offer as a seller sends it; PATCH lays it over the offer as it stands.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OfferInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing_id: Option<ListingId>,
    pub price: Option<PriceInput>,
    pub rates: Option<Vec<RateInput>>,
    pub fees: Option<Vec<FeeInput>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visits_per_week: Option<Value>,
    pub start_date: Option<String>,
    pub schedule: Option<String>,
    pub message: Option<String>,
    pub valid_until: Option<String>,
}

impl OfferInput {
    /// This input over an existing one: what is given replaces, what is left out stays.
    pub fn over(self, current: OfferInput) -> OfferInput {
        OfferInput {
            listing_id: self.listing_id.or(current.listing_id),
            price: match (self.price, current.price) {
                (Some(new), Some(old)) => Some(PriceInput {
                    amount: new.amount.or(old.amount),
                    unit: new.unit.or(old.unit),
                }),
                (new, old) => new.or(old),
            },
            rates: self.rates.or(current.rates),
            fees: self.fees.or(current.fees),
            visits_per_week: self.visits_per_week.or(current.visits_per_week),
            start_date: self.start_date.or(current.start_date),
            schedule: self.schedule.or(current.schedule),
            message: self.message.or(current.message),
            valid_until: self.valid_until.or(current.valid_until),
        }
    }
}

/// What a request says that an offer is checked and priced against.
#[derive(Debug, Clone, Copy)]
pub struct Asked {
    pub unit: Unit,
    pub quantity: Quantity,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

/// A checked offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferTerms {
    pub unit: Unit,
    pub price: Money,
    pub rates: Vec<Rate>,
    pub fees: Vec<Fee>,
    pub visits_per_week: Option<Quantity>,
    pub start_date: NaiveDate,
    pub schedule: String,
    pub message: String,
    pub valid_until: Option<NaiveDate>,
}

pub fn check_offer(
    input: OfferInput,
    asked: &Asked,
    today: NaiveDate,
) -> Result<OfferTerms, FieldErrors> {
    let mut errors = FieldErrors::new();
    let price = input.price.unwrap_or_default();
    let unit = match price.unit.as_deref() {
        None => Some(asked.unit),
        Some(u) => match errors.check("price.unit", Unit::from_input(u)) {
            Some(unit) if unit == asked.unit || unit == Unit::Week => Some(unit),
            Some(_) => {
                errors.add(
                    "price.unit",
                    format!(
                        "must be {} as the request asks, or week for a weekly price",
                        asked.unit.code()
                    ),
                );
                None
            }
            None => None,
        },
    };
    let amount = errors
        .required("price.amount", price.amount.as_deref())
        .and_then(|a| check_money(&mut errors, "price.amount", a));
    let rates = check_rates(&mut errors, input.rates.unwrap_or_default());
    let fees = check_fees(&mut errors, input.fees.unwrap_or_default());
    let visits_per_week = check_visits_per_week(&mut errors, input.visits_per_week.as_ref());
    let start_date = match input.start_date.as_deref().filter(|d| !d.trim().is_empty()) {
        None => Some(asked.start_date),
        Some(text) => parse_date(&mut errors, "start_date", Some(text)),
    };
    if let Some(start) = start_date {
        if start < asked.start_date || start > asked.end_date {
            errors.add(
                "start_date",
                format!(
                    "must be within the request's dates, {} to {}",
                    asked.start_date, asked.end_date
                ),
            );
        }
    }
    let valid_until = match input
        .valid_until
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        None => None,
        Some(text) => parse_date(&mut errors, "valid_until", Some(text)),
    };
    if valid_until.is_some_and(|v| v < today) {
        errors.add("valid_until", "is in the past");
    }
    let schedule = check_text(
        &mut errors,
        "schedule",
        input.schedule.as_deref().unwrap_or_default(),
        0..=SCHEDULE_MAX_CHARS,
    );
    let message = errors
        .required("message", input.message.as_deref())
        .and_then(|m| check_text(&mut errors, "message", m, 1..=MESSAGE_MAX_CHARS));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OfferTerms {
        unit: unit.expect("checked"),
        price: amount.expect("checked"),
        rates,
        fees,
        visits_per_week,
        start_date: start_date.expect("checked"),
        schedule: schedule.expect("checked"),
        message: message.expect("checked"),
        valid_until,
    })
}

impl OfferTerms {
    /// How many units a week the offer prices: what was asked, or one week.
    pub fn quantity_per_week(&self, asked: &Asked) -> Quantity {
        if self.unit == asked.unit {
            asked.quantity
        } else {
            Quantity::from_hundredths(100)
        }
    }

    /// The offer in the shape the API takes it, for storing and for PATCH.
    pub fn to_input(&self) -> OfferInput {
        OfferInput {
            listing_id: None,
            price: Some(PriceInput {
                amount: Some(self.price.to_string()),
                unit: Some(self.unit.code().into()),
            }),
            rates: Some(super::listings::rate_inputs(&self.rates)),
            fees: Some(super::listings::fee_inputs(&self.fees)),
            visits_per_week: self.visits_per_week.map(|v| Value::String(v.to_string())),
            start_date: Some(self.start_date.to_string()),
            schedule: Some(self.schedule.clone()),
            message: Some(self.message.clone()),
            valid_until: self.valid_until.map(|d| d.to_string()),
        }
    }
}

/// What the offer costs over the request's dates, with the cost engine
/// commissions use. `annual_budget` prices fees charged as a share of it.
pub fn price_offer(
    terms: &OfferTerms,
    asked: &Asked,
    annual_budget: Money,
) -> Result<Cost, FieldErrors> {
    pricing::cost(&CostRequest {
        unit_price: terms.price,
        quantity_per_week: terms.quantity_per_week(asked).to_decimal(),
        days: (asked.end_date - terms.start_date).num_days() + 1,
        occasions: None,
        visits_per_week: terms.visits_per_week.map(Quantity::to_decimal),
        annual_budget: Some(annual_budget),
        fees: &terms.fees,
    })
    .map_err(|e| match e {
        CostError::VisitsNeeded => FieldErrors::single(
            "visits_per_week",
            "is required: the offer charges a fee for each visit",
        ),
        CostError::NoDays => {
            FieldErrors::single("start_date", "must be on or before the request ends")
        }
        other => FieldErrors::single("price.amount", other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn asked() -> Asked {
        Asked {
            unit: Unit::Hour,
            quantity: Quantity::parse("10").unwrap(),
            start_date: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            end_date: NaiveDate::from_ymd_opt(2027, 3, 28).unwrap(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 2, 1).unwrap()
    }

    #[test]
    fn a_request_keeps_districts_only_and_names_every_problem() {
        let input: RequestInput = serde_json::from_value(json!({
            "plan_id": 1, "category": "personal_assistant", "areas": ["M14 5AB", "m14", "M15"],
            "availability": ["weekday_evening"], "quantity": "10", "start_date": "2027-03-01",
            "end_date": "2027-08-31", "languages": ["UR"], "max_price": "16.00"
        }))
        .unwrap();
        let request = check_request(input, Places::get()).unwrap();
        assert_eq!(request.areas, ["M14", "M15"]);
        assert_eq!(request.languages, ["ur"]);
        assert_eq!(request.unit, Unit::Hour);

        let bad: RequestInput = serde_json::from_value(json!({
            "category": "cake", "areas": [], "quantity": "500", "per": "month",
            "start_date": "2027-03-01", "end_date": "2027-02-01", "max_price": "-3"
        }))
        .unwrap();
        let errors = check_request(bad, Places::get()).unwrap_err();
        for field in [
            "plan_id",
            "category",
            "areas",
            "quantity",
            "per",
            "end_date",
            "max_price",
        ] {
            assert!(errors.first(field).is_some(), "{field}: {errors:?}");
        }
    }

    #[test]
    fn requests_stay_open_two_weeks_or_until_support_starts() {
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        assert_eq!(expires_on(d(1, 1), d(1, 5), d(6, 1)), d(1, 15));
        assert_eq!(expires_on(d(1, 1), d(3, 1), d(6, 1)), d(3, 1));
        assert_eq!(expires_on(d(1, 1), d(1, 2), d(1, 9)), d(1, 9));
    }

    #[test]
    fn an_hourly_offer_costs_the_asked_hours_and_a_weekly_price_one_week() {
        let input: OfferInput = serde_json::from_value(json!({
            "price": {"amount": "15.00", "unit": "hour"},
            "fees": [{"kind": "setup", "label": "Introduction", "amount": "40.00", "per": "one_off"}],
            "message": "I live nearby and speak Urdu."
        }))
        .unwrap();
        let terms = check_offer(input, &asked(), today()).unwrap();
        let cost = price_offer(&terms, &asked(), Money::parse("12000.00").unwrap()).unwrap();
        // 15 × 10 × 4 weeks + 40
        assert_eq!(cost.weekly, Money::parse("150.00").unwrap());
        assert_eq!(cost.total, Money::parse("640.00").unwrap());

        let weekly: OfferInput = serde_json::from_value(json!({
            "price": {"amount": "140.00", "unit": "week"}, "message": "A weekly price.",
            "start_date": "2027-03-15"
        }))
        .unwrap();
        let terms = check_offer(weekly, &asked(), today()).unwrap();
        let cost = price_offer(&terms, &asked(), Money::ZERO).unwrap();
        assert_eq!(cost.total, Money::parse("280.00").unwrap());
    }

    #[test]
    fn an_offer_must_fit_the_request() {
        let input: OfferInput = serde_json::from_value(json!({
            "price": {"amount": "15.00", "unit": "night"}, "start_date": "2027-05-01",
            "valid_until": "2027-01-01"
        }))
        .unwrap();
        let errors = check_offer(input, &asked(), today()).unwrap_err();
        for field in ["price.unit", "start_date", "valid_until", "message"] {
            assert!(errors.first(field).is_some(), "{field}: {errors:?}");
        }
        let per_visit: OfferInput = serde_json::from_value(json!({
            "price": {"amount": "15.00"}, "message": "Hello",
            "fees": [{"kind": "travel", "amount": "2.00", "per": "visit"}]
        }))
        .unwrap();
        let terms = check_offer(per_visit, &asked(), today()).unwrap();
        let errors = price_offer(&terms, &asked(), Money::ZERO).unwrap_err();
        assert!(errors.first("visits_per_week").is_some());
    }
}

//! What a listing is and the rules a seller's offer must meet.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::money::{Money, Percent};
use super::places::{check_areas, Places};
use super::pricing::{Fee, FeeCharge};
use super::vocab::{
    language_name, Band, Category, Employment, FeeKind, FeePer, ListingStatus, SellerKind, Unit,
    Vocabulary,
};
use crate::domain::fields::FieldErrors;

/// The most any single price, rate or fee may be: far above a week of
/// nursing care, low enough to catch a misplaced decimal point.
pub const MAX_PRICE: Money = Money::from_pence(5_000_000);
pub const TITLE_CHARS: std::ops::RangeInclusive<usize> = 3..=120;
pub const DESCRIPTION_MAX_CHARS: usize = 5_000;
pub const MAX_AREAS: usize = 60;
pub const MAX_TAGS: usize = 20;
pub const TAG_MAX_CHARS: usize = 40;
pub const MAX_FEES: usize = 10;
pub const FEE_LABEL_MAX_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub band: Band,
    pub amount: Money,
}

/// A listing's checked content, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingContent {
    pub title: String,
    pub description: String,
    pub category: Category,
    pub price: Option<Money>,
    pub unit: Unit,
    pub rates: Vec<Rate>,
    pub fees: Vec<Fee>,
    pub postcode: String,
    pub district: String,
    pub areas: Vec<String>,
    pub availability: Vec<Band>,
    pub languages: Vec<String>,
    pub tags: Vec<String>,
    pub employment: Option<Employment>,
    pub accepting_clients: bool,
    pub status: ListingStatus,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PriceInput {
    pub amount: Option<String>,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RateInput {
    pub band: Option<String>,
    pub amount: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct FeeInput {
    pub kind: Option<String>,
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<String>,
    pub per: Option<String>,
}

/// A listing as a seller sends it. Every field is optional here so that one
/// answer can name every problem; `check` decides what is required.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ListingInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub price: Option<PriceInput>,
    pub rates: Option<Vec<RateInput>>,
    pub fees: Option<Vec<FeeInput>>,
    pub postcode: Option<String>,
    pub areas: Option<Vec<String>>,
    pub availability: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub employment: Option<String>,
    pub accepting_clients: Option<bool>,
    pub status: Option<String>,
}

impl ListingInput {
    /// This input laid over an existing listing: what is given replaces, what
    /// is left out stays. Used by PATCH.
    pub fn over(self, existing: &ListingContent) -> ListingInput {
        let current = ListingInput::from(existing);
        ListingInput {
            title: self.title.or(current.title),
            description: self.description.or(current.description),
            category: self.category.or(current.category),
            price: match (self.price, current.price) {
                (Some(new), Some(old)) => Some(PriceInput {
                    amount: new.amount.or(old.amount),
                    unit: new.unit.or(old.unit),
                }),
                (new, old) => new.or(old),
            },
            rates: self.rates.or(current.rates),
            fees: self.fees.or(current.fees),
            postcode: self.postcode.or(current.postcode),
            areas: self.areas.or(current.areas),
            availability: self.availability.or(current.availability),
            languages: self.languages.or(current.languages),
            tags: self.tags.or(current.tags),
            employment: self.employment.or(current.employment),
            accepting_clients: self.accepting_clients.or(current.accepting_clients),
            status: self.status.or(current.status),
        }
    }
}

impl From<&ListingContent> for ListingInput {
    fn from(c: &ListingContent) -> Self {
        ListingInput {
            title: Some(c.title.clone()),
            description: Some(c.description.clone()),
            category: Some(c.category.code().into()),
            price: Some(PriceInput {
                amount: c.price.map(|p| p.to_string()),
                unit: Some(c.unit.code().into()),
            }),
            rates: Some(rate_inputs(&c.rates)),
            fees: Some(fee_inputs(&c.fees)),
            postcode: Some(c.postcode.clone()),
            areas: Some(c.areas.clone()),
            availability: Some(c.availability.iter().map(|b| b.code().to_owned()).collect()),
            languages: Some(c.languages.clone()),
            tags: Some(c.tags.clone()),
            employment: c.employment.map(|e| e.code().to_owned()),
            accepting_clients: Some(c.accepting_clients),
            status: Some(c.status.code().into()),
        }
    }
}

/// Rates in the shape they are sent and shown in.
pub fn rate_inputs(rates: &[Rate]) -> Vec<RateInput> {
    rates
        .iter()
        .map(|r| RateInput {
            band: Some(r.band.code().into()),
            amount: Some(r.amount.to_string()),
        })
        .collect()
}

/// Fees in the shape they are sent and shown in.
pub fn fee_inputs(fees: &[Fee]) -> Vec<FeeInput> {
    fees.iter()
        .map(|f| FeeInput {
            kind: Some(f.kind.code().into()),
            label: Some(f.label.clone()),
            amount: match &f.charge {
                FeeCharge::Amount(a) => Some(a.to_string()),
                FeeCharge::Percent(_) => None,
            },
            percent: match &f.charge {
                FeeCharge::Percent(p) => Some(p.to_string()),
                FeeCharge::Amount(_) => None,
            },
            per: Some(f.per.code().into()),
        })
        .collect()
}

pub fn check_money(errors: &mut FieldErrors, field: &str, text: &str) -> Option<Money> {
    let amount = errors.check(field, Money::parse(text.trim()))?;
    if amount.pence() <= 0 {
        errors.add(field, "must be more than £0.00");
        return None;
    }
    if amount > MAX_PRICE {
        errors.add(
            field,
            format!("must be at most {}", MAX_PRICE.display_gbp()),
        );
        return None;
    }
    Some(amount)
}

pub fn check_text(
    errors: &mut FieldErrors,
    field: &str,
    text: &str,
    chars: std::ops::RangeInclusive<usize>,
) -> Option<String> {
    let tidy = text.trim().to_owned();
    let count = tidy.chars().count();
    if count < *chars.start() {
        errors.add(
            field,
            if *chars.start() <= 1 {
                "is required".to_owned()
            } else {
                format!("must be at least {} characters", chars.start())
            },
        );
        return None;
    }
    if count > *chars.end() {
        errors.add(field, format!("must be at most {} characters", chars.end()));
        return None;
    }
    if tidy
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.add(field, "must not contain control characters");
        return None;
    }
    Some(tidy)
}

fn check_codes<V: Vocabulary>(errors: &mut FieldErrors, field: &str, codes: &[String]) -> Vec<V> {
    let mut seen = BTreeSet::new();
    codes
        .iter()
        .enumerate()
        .filter_map(|(i, code)| errors.check(&format!("{field}[{i}]"), V::from_input(code)))
        .filter(|v| seen.insert(v.code()))
        .collect()
}

/// Checks rates by band: each band once, every amount a price.
pub fn check_rates(errors: &mut FieldErrors, inputs: Vec<RateInput>) -> Vec<Rate> {
    let mut rates = Vec::new();
    let mut bands_seen = BTreeSet::new();
    for (i, rate) in inputs.into_iter().enumerate() {
        let band = errors
            .required(&format!("rates[{i}].band"), rate.band.as_deref())
            .and_then(|b| errors.check(&format!("rates[{i}].band"), Band::from_input(b)));
        let amount = errors
            .required(&format!("rates[{i}].amount"), rate.amount.as_deref())
            .and_then(|a| check_money(errors, &format!("rates[{i}].amount"), a));
        if let (Some(band), Some(amount)) = (band, amount) {
            if bands_seen.insert(band) {
                rates.push(Rate { band, amount });
            } else {
                errors.add(&format!("rates[{i}].band"), "is given twice");
            }
        }
    }

    rates.sort_by_key(|r| r.band);
    rates
}

/// Checks fees: each an amount or a percent of what it is charged on.
pub fn check_fees(errors: &mut FieldErrors, inputs: Vec<FeeInput>) -> Vec<Fee> {
    if inputs.len() > MAX_FEES {
        errors.add("fees", format!("must be at most {MAX_FEES}"));
    }
    let mut fees = Vec::new();
    for (i, fee) in inputs.into_iter().take(MAX_FEES).enumerate() {
        let field = |name: &str| format!("fees[{i}].{name}");
        let kind = errors
            .required(&field("kind"), fee.kind.as_deref())
            .and_then(|k| errors.check(&field("kind"), FeeKind::from_input(k)));
        let per = errors
            .required(&field("per"), fee.per.as_deref())
            .and_then(|p| errors.check(&field("per"), FeePer::from_input(p)));
        let label = match fee
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            Some(label) => check_text(errors, &field("label"), label, 1..=FEE_LABEL_MAX_CHARS),
            None => kind.map(|k| k.label().to_owned()),
        };
        let amount = fee
            .amount
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty());
        let percent = fee
            .percent
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let charge = match (amount, percent) {
            (Some(a), None) => check_money(errors, &field("amount"), a).map(FeeCharge::Amount),
            (None, Some(p)) => errors
                .check(&field("percent"), Percent::parse(p))
                .map(FeeCharge::Percent),
            (Some(_), Some(_)) => {
                errors.add(&field("amount"), "give an amount or a percent, not both");
                None
            }
            (None, None) => {
                errors.add(&field("amount"), "give an amount or a percent");
                None
            }
        };
        if let (Some(FeeCharge::Amount(_)), Some(FeePer::CommissionValue | FeePer::Budget)) =
            (&charge, per)
        {
            errors.add(
                &field("per"),
                "a share of the cost or of the budget must be a percent",
            );
        }
        if let (Some(kind), Some(label), Some(charge), Some(per)) = (kind, label, charge, per) {
            fees.push(Fee {
                kind,
                label,
                charge,
                per,
            });
        }
    }
    fees
}

/// Checks a listing's content for a seller of `seller`. Returns every problem at once.
pub fn check(
    input: ListingInput,
    seller: SellerKind,
    places: &Places,
) -> Result<ListingContent, FieldErrors> {
    let mut errors = FieldErrors::new();

    let title = errors
        .required("title", input.title.as_deref())
        .and_then(|t| check_text(&mut errors, "title", t, TITLE_CHARS));
    let description = check_text(
        &mut errors,
        "description",
        input.description.as_deref().unwrap_or_default(),
        0..=DESCRIPTION_MAX_CHARS,
    );
    let category = errors
        .required("category", input.category.as_deref())
        .and_then(|c| errors.check("category", Category::from_input(c)));
    let status = match input.status.as_deref() {
        None => Some(ListingStatus::Published),
        Some(s) => errors.check("status", ListingStatus::from_input(s)),
    };

    let price_input = input.price.unwrap_or_default();
    let unit = errors
        .required("price.unit", price_input.unit.as_deref())
        .and_then(|u| errors.check("price.unit", Unit::from_input(u)));
    let price = match price_input
        .amount
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        // Brokerage may be charged wholly by its fees (a fixed sum, or a share
        // of the budget): its price may then be zero. Checked below with the fees.
        Some(amount)
            if category == Some(Category::Brokerage)
                && Money::parse(amount).is_ok_and(|m| m.pence() == 0) =>
        {
            Some(Money::ZERO)
        }
        Some(amount) => check_money(&mut errors, "price.amount", amount),
        None => {
            // Only a draft may wait for its price.
            if status != Some(ListingStatus::Draft) {
                errors.add(
                    "price.amount",
                    "is required, in pounds with two decimals, like 14.50",
                );
            }
            None
        }
    };

    let rates = check_rates(&mut errors, input.rates.unwrap_or_default());
    let fees = check_fees(&mut errors, input.fees.unwrap_or_default());
    if price == Some(Money::ZERO) && fees.is_empty() {
        errors.add(
            "price.amount",
            "can be 0.00 only when the brokerage is charged by its fees: add the fee",
        );
    }

    let base = errors
        .required("postcode", input.postcode.as_deref())
        .and_then(|p| errors.check("postcode", places.resolve(p)));
    let postcode = base.as_ref().map(|p| {
        p.postcode
            .clone()
            .unwrap_or_else(|| p.district.code.clone())
    });
    let district = base.as_ref().map(|p| p.district.code.clone());

    let mut areas = check_areas(
        places,
        &input.areas.unwrap_or_default(),
        MAX_AREAS,
        &mut errors,
    );
    // A listing always serves the district it is based in.
    if let Some(district) = &district {
        if !areas.contains(district) {
            areas.insert(0, district.clone());
        }
    }

    let availability: Vec<Band> = check_codes(
        &mut errors,
        "availability",
        &input.availability.unwrap_or_default(),
    );

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

    let tag_inputs = input.tags.unwrap_or_default();
    if tag_inputs.len() > MAX_TAGS {
        errors.add("tags", format!("must be at most {MAX_TAGS}"));
    }
    let mut tags = Vec::new();
    for (i, tag) in tag_inputs.iter().take(MAX_TAGS).enumerate() {
        if let Some(tag) = check_text(
            &mut errors,
            &format!("tags[{i}]"),
            &tag.to_lowercase(),
            1..=TAG_MAX_CHARS,
        ) {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }

    let employment = match (seller, input.employment.as_deref()) {
        (SellerKind::PersonalAssistant, None) => Some(Employment::SelfEmployed),
        (SellerKind::PersonalAssistant, Some(e)) => {
            errors.check("employment", Employment::from_input(e))
        }
        (_, None) => None,
        (_, Some(_)) => {
            errors.add("employment", "applies only to personal assistants");
            None
        }
    };

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ListingContent {
        title: title.expect("checked"),
        description: description.expect("checked"),
        category: category.expect("checked"),
        price,
        unit: unit.expect("checked"),
        rates,
        fees,
        postcode: postcode.expect("checked"),
        district: district.expect("checked"),
        areas,
        availability,
        languages,
        tags,
        employment,
        accepting_clients: input.accepting_clients.unwrap_or(true),
        status: status.expect("checked"),
    })
}

/// Which status changes a seller may make. A withdrawn listing stays withdrawn.
pub fn status_change_allowed(from: ListingStatus, to: ListingStatus) -> Result<(), String> {
    use ListingStatus::*;
    match (from, to) {
        (a, b) if a == b => Ok(()),
        (Withdrawn, _) => {
            Err("a withdrawn listing cannot be changed; create a new one instead".into())
        }
        (_, Draft) => Err(
            "a listing that has been published cannot go back to draft; pause it instead".into(),
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ListingInput {
        serde_json::from_value(serde_json::json!({
            "title": "Evening personal assistant",
            "description": "Help with tea, medication reminders and getting ready for bed.",
            "category": "personal_assistant",
            "price": {"amount": "14.50", "unit": "hour"},
            "rates": [{"band": "weekend", "amount": "16.00"}],
            "fees": [{"kind": "setup", "label": "Introduction fee", "amount": "40.00", "per": "one_off"}],
            "postcode": "M14 5AB", "areas": ["M15", "m16", "M15"],
            "availability": ["weekday_evening", "weekend"], "languages": ["en", "UR"], "tags": ["Driver"]
        }))
        .unwrap()
    }

    #[test]
    fn a_complete_offer_is_accepted_and_tidied() {
        let content = check(input(), SellerKind::PersonalAssistant, Places::get()).unwrap();
        assert_eq!(content.price, Some(Money::parse("14.50").unwrap()));
        assert_eq!(
            content.areas,
            ["M14", "M15", "M16"],
            "base district first, duplicates dropped"
        );
        assert_eq!(content.languages, ["en", "ur"]);
        assert_eq!(content.tags, ["driver"]);
        assert_eq!(content.employment, Some(Employment::SelfEmployed));
        assert_eq!(content.status, ListingStatus::Published);
        assert!(content.accepting_clients);
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let bad: ListingInput = serde_json::from_value(serde_json::json!({
            "title": "x", "category": "wizardry",
            "price": {"amount": "14.5", "unit": "fortnight"},
            "rates": [{"band": "weekend", "amount": "0.00"}, {"band": "lunchtime", "amount": "1.00"}],
            "fees": [{"kind": "setup", "amount": "10.00", "percent": "5", "per": "one_off"},
                     {"kind": "brokerage", "amount": "10.00", "per": "budget"},
                     {"kind": "other", "percent": "120", "per": "week"}],
            "postcode": "nowhere", "areas": ["ZZ9"], "availability": ["sometimes"],
            "languages": ["klingon"], "employment": "employed_by_holder"
        }))
        .unwrap();
        let errors = check(bad, SellerKind::Provider, Places::get()).unwrap_err();
        for field in [
            "title",
            "category",
            "price.amount",
            "price.unit",
            "rates[0].amount",
            "rates[1].band",
            "fees[0].amount",
            "fees[1].per",
            "fees[2].percent",
            "postcode",
            "areas[0]",
            "availability[0]",
            "languages[0]",
            "employment",
        ] {
            assert!(
                errors.get(field).is_some(),
                "{field} not reported: {errors:?}"
            );
        }
    }

    #[test]
    fn prices_must_be_positive_and_sane() {
        for (amount, ok) in [
            ("0.00", false),
            ("0.01", true),
            ("50000.00", true),
            ("50000.01", false),
            ("-1.00", false),
        ] {
            let mut i = input();
            i.price = Some(PriceInput {
                amount: Some(amount.into()),
                unit: Some("hour".into()),
            });
            assert_eq!(
                check(i, SellerKind::PersonalAssistant, Places::get()).is_ok(),
                ok,
                "{amount}"
            );
        }
    }

    #[test]
    fn only_drafts_may_lack_a_price() {
        let mut i = input();
        i.price = Some(PriceInput {
            amount: None,
            unit: Some("week".into()),
        });
        assert!(check(i.clone(), SellerKind::Provider, Places::get()).is_err());
        i.status = Some("draft".into());
        i.employment = None;
        let content = check(i, SellerKind::Provider, Places::get()).unwrap();
        assert_eq!(content.price, None);
    }

    #[test]
    fn a_patch_keeps_what_it_leaves_out() {
        let content = check(input(), SellerKind::PersonalAssistant, Places::get()).unwrap();
        let patch = ListingInput {
            price: Some(PriceInput {
                amount: Some("15.00".into()),
                unit: None,
            }),
            accepting_clients: Some(false),
            ..Default::default()
        };
        let changed = check(
            patch.over(&content),
            SellerKind::PersonalAssistant,
            Places::get(),
        )
        .unwrap();
        assert_eq!(changed.price, Some(Money::parse("15.00").unwrap()));
        assert_eq!(changed.unit, Unit::Hour);
        assert!(!changed.accepting_clients);
        assert_eq!(changed.rates, content.rates);
        assert_eq!(changed.title, content.title);
    }

    #[test]
    fn withdrawn_is_final_and_published_never_returns_to_draft() {
        use ListingStatus::*;
        assert!(status_change_allowed(Draft, Published).is_ok());
        assert!(status_change_allowed(Published, Paused).is_ok());
        assert!(status_change_allowed(Paused, Published).is_ok());
        assert!(status_change_allowed(Published, Withdrawn).is_ok());
        assert!(status_change_allowed(Withdrawn, Published).is_err());
        assert!(status_change_allowed(Published, Draft).is_err());
    }
}

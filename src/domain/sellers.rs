//! What providers, personal assistants and brokers say about themselves.

use chrono::NaiveDate;
use serde::Deserialize;

use super::accounts::Email;
use super::places::Places;
use super::vocab::{language_name, Employment, SellerKind, Vocabulary};
use crate::domain::fields::FieldErrors;

pub const DESCRIPTION_MAX_CHARS: usize = 5_000;
pub const MAX_LIST_ITEMS: usize = 30;
pub const LIST_ITEM_MAX_CHARS: usize = 80;

/// A broker works alone or for an organisation.
pub const BROKER_TYPES: [&str; 2] = ["independent", "organisation"];

/// A seller profile as sent; every field optional, `check` decides.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProfileInput {
    pub description: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub cqc_provider_id: Option<String>,
    pub holds_isf: Option<bool>,
    pub skills: Option<Vec<String>>,
    pub qualifications: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub dbs_checked_on: Option<String>,
    pub employment: Option<String>,
    pub broker_type: Option<String>,
    pub accreditation: Option<String>,
    pub fee_model: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub description: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub district: Option<String>,
    pub phone: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub cqc_provider_id: Option<String>,
    pub holds_isf: bool,
    pub skills: Vec<String>,
    pub qualifications: Vec<String>,
    pub languages: Vec<String>,
    pub dbs_checked_on: Option<NaiveDate>,
    pub employment: Option<Employment>,
    pub broker_type: Option<String>,
    pub accreditation: Option<String>,
    pub fee_model: Option<String>,
}

fn optional(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

fn bounded(
    errors: &mut FieldErrors,
    field: &str,
    text: Option<&str>,
    max: usize,
) -> Option<String> {
    let text = optional(text)?;
    if text.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
        return None;
    }
    Some(text.to_owned())
}

fn list(errors: &mut FieldErrors, field: &str, items: Option<&[String]>) -> Vec<String> {
    let items = items.unwrap_or_default();
    if items.len() > MAX_LIST_ITEMS {
        errors.add(field, format!("must have at most {MAX_LIST_ITEMS} entries"));
    }
    let mut kept: Vec<String> = Vec::new();
    for (i, item) in items.iter().take(MAX_LIST_ITEMS).enumerate() {
        if let Some(item) = bounded(
            errors,
            &format!("{field}[{i}]"),
            Some(item),
            LIST_ITEM_MAX_CHARS,
        ) {
            if !kept.contains(&item) {
                kept.push(item);
            }
        }
    }
    kept
}

/// CQC ids look like "1-101669323".
fn is_cqc_id(text: &str) -> bool {
    text.strip_prefix("1-").is_some_and(|digits| {
        !digits.is_empty() && digits.len() <= 12 && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Checks a profile for a seller of `kind`. Fields that belong to another
/// kind of seller are refused, so nothing is silently dropped.
pub fn check(
    input: ProfileInput,
    kind: SellerKind,
    places: &Places,
    today: NaiveDate,
) -> Result<Profile, FieldErrors> {
    let mut errors = FieldErrors::new();
    let provider = kind == SellerKind::Provider;
    let assistant = kind == SellerKind::PersonalAssistant;
    let broker = kind == SellerKind::Broker;
    let refuse = |errors: &mut FieldErrors, field: &str, given: bool, allowed: bool| {
        if given && !allowed {
            errors.add(
                field,
                format!("does not apply to a {}", kind.label().to_lowercase()),
            );
        }
    };
    refuse(
        &mut errors,
        "cqc_provider_id",
        optional(input.cqc_provider_id.as_deref()).is_some(),
        provider,
    );
    refuse(
        &mut errors,
        "holds_isf",
        input.holds_isf == Some(true),
        provider,
    );
    refuse(
        &mut errors,
        "skills",
        input.skills.as_ref().is_some_and(|s| !s.is_empty()),
        assistant,
    );
    refuse(
        &mut errors,
        "dbs_checked_on",
        optional(input.dbs_checked_on.as_deref()).is_some(),
        assistant,
    );
    refuse(
        &mut errors,
        "employment",
        optional(input.employment.as_deref()).is_some(),
        assistant,
    );
    refuse(
        &mut errors,
        "broker_type",
        optional(input.broker_type.as_deref()).is_some(),
        broker,
    );
    refuse(
        &mut errors,
        "fee_model",
        optional(input.fee_model.as_deref()).is_some(),
        broker,
    );
    // A personal assistant's home address is never published.
    refuse(
        &mut errors,
        "address",
        optional(input.address.as_deref()).is_some(),
        !assistant,
    );

    let description = bounded(
        &mut errors,
        "description",
        input.description.as_deref(),
        DESCRIPTION_MAX_CHARS,
    )
    .unwrap_or_default();
    let address = bounded(&mut errors, "address", input.address.as_deref(), 300);
    let place = optional(input.postcode.as_deref())
        .and_then(|p| errors.check("postcode", places.resolve(p)));
    let phone = bounded(&mut errors, "phone", input.phone.as_deref(), 30);
    if let Some(phone) = &phone {
        if !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +()-".contains(c))
            || phone.chars().filter(char::is_ascii_digit).count() < 6
        {
            errors.add("phone", "must be a phone number, like 0161 234 5678");
        }
    }
    let contact_email = optional(input.contact_email.as_deref())
        .and_then(|e| errors.check("contact_email", Email::parse(e)))
        .map(Email::into_string);
    let website = bounded(&mut errors, "website", input.website.as_deref(), 300);
    if let Some(site) = &website {
        let valid = url::Url::parse(site)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !valid {
            errors.add("website", "must be a web address starting with https://");
        }
    }
    let cqc_provider_id = optional(input.cqc_provider_id.as_deref()).map(str::to_owned);
    if cqc_provider_id.as_deref().is_some_and(|id| !is_cqc_id(id)) {
        errors.add(
            "cqc_provider_id",
            "must be a CQC provider id, like 1-101669323",
        );
    }
    let skills = list(&mut errors, "skills", input.skills.as_deref());
    let qualifications = list(
        &mut errors,
        "qualifications",
        input.qualifications.as_deref(),
    );
    let mut languages = Vec::new();
    for (i, code) in input.languages.unwrap_or_default().iter().enumerate() {
        let code = code.trim().to_lowercase();
        match language_name(&code) {
            None => errors.add(
                &format!("languages[{i}]"),
                "is not a language code Bespoke knows, like en, ur or bfi",
            ),
            Some(_) if !languages.contains(&code) => languages.push(code),
            Some(_) => {}
        }
    }
    let dbs_checked_on = optional(input.dbs_checked_on.as_deref()).and_then(|d| {
        match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(date) if date > today => {
                errors.add("dbs_checked_on", "cannot be in the future");
                None
            }
            Ok(date) => Some(date),
            Err(_) => {
                errors.add("dbs_checked_on", "must be a date like 2025-09-30");
                None
            }
        }
    });
    let employment = match optional(input.employment.as_deref()) {
        Some(e) => errors.check("employment", Employment::from_input(e)),
        None if assistant => Some(Employment::SelfEmployed),
        None => None,
    };
    let broker_type = optional(input.broker_type.as_deref()).map(str::to_lowercase);
    if broker_type
        .as_deref()
        .is_some_and(|t| !BROKER_TYPES.contains(&t))
    {
        errors.add("broker_type", "must be independent or organisation");
    }
    let accreditation = bounded(
        &mut errors,
        "accreditation",
        input.accreditation.as_deref(),
        300,
    );
    let fee_model = bounded(&mut errors, "fee_model", input.fee_model.as_deref(), 1_000);

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Profile {
        description,
        address,
        postcode: place.as_ref().map(|p| {
            p.postcode
                .clone()
                .unwrap_or_else(|| p.district.code.clone())
        }),
        district: place.as_ref().map(|p| p.district.code.clone()),
        phone,
        contact_email,
        website,
        cqc_provider_id,
        holds_isf: input.holds_isf.unwrap_or(false),
        skills,
        qualifications,
        languages,
        dbs_checked_on,
        employment,
        broker_type,
        accreditation,
        fee_model,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_personal_assistant_describes_themselves() {
        let input: ProfileInput = serde_json::from_value(serde_json::json!({
            "description": "Ten years supporting people at home.",
            "postcode": "M14 7HR", "skills": ["Hoisting", "Cooking", "Hoisting"],
            "qualifications": ["Care Certificate"], "languages": ["en", "ur"],
            "dbs_checked_on": "2025-09-30", "employment": "employed_by_holder"
        }))
        .unwrap();
        let profile = check(input, SellerKind::PersonalAssistant, Places::get(), today()).unwrap();
        assert_eq!(profile.skills, ["Hoisting", "Cooking"]);
        assert_eq!(profile.district.as_deref(), Some("M14"));
        assert_eq!(profile.employment, Some(Employment::EmployedByHolder));
        assert_eq!(profile.dbs_checked_on, NaiveDate::from_ymd_opt(2025, 9, 30));
    }

    #[test]
    fn fields_for_other_kinds_of_seller_and_bad_values_are_named() {
        let input: ProfileInput = serde_json::from_value(serde_json::json!({
            "skills": ["x"], "broker_type": "independent", "cqc_provider_id": "abc",
            "website": "javascript:alert(1)", "phone": "call me", "contact_email": "nope",
            "dbs_checked_on": "2030-01-01"
        }))
        .unwrap();
        let errors = check(input, SellerKind::Provider, Places::get(), today()).unwrap_err();
        for field in [
            "skills",
            "broker_type",
            "cqc_provider_id",
            "website",
            "phone",
            "contact_email",
            "dbs_checked_on",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }

    #[test]
    fn a_provider_names_its_cqc_registration() {
        let input = ProfileInput {
            cqc_provider_id: Some("1-101669323".into()),
            holds_isf: Some(true),
            website: Some("https://example.org/care".into()),
            phone: Some("0161 234 5678".into()),
            ..Default::default()
        };
        let profile = check(input, SellerKind::Provider, Places::get(), today()).unwrap();
        assert!(profile.holds_isf);
        assert_eq!(profile.cqc_provider_id.as_deref(), Some("1-101669323"));
    }
}

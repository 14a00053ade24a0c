//! The council's view of its market: its own reference rates, and the
//! evidence support requests give of gaps and of fees above those rates.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::listings::check_money;
use crate::domain::market::{self, EvidenceRow, OfferFacts, RequestFacts};
use crate::domain::money::Money;
use crate::domain::vocab::{Category, OfferStatus, Unit, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::accounts::Account;
use crate::store::market as market_store;
use crate::store::offers as offer_store;
use crate::store::requests as store;
use crate::store::{write_transaction, DbConnection};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReferenceRate {
    pub category: String,
    pub unit: String,
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferenceRates {
    pub council: String,
    pub rates: Vec<ReferenceRate>,
}

pub fn reference_rates(
    conn: &mut DbConnection,
    account: &Account,
) -> Result<ReferenceRates, AppError> {
    let council = account.commissioners_council()?;
    let rates = market_store::reference_rates(conn, &council)?
        .into_iter()
        .map(|(category, unit, pence)| ReferenceRate {
            category,
            unit,
            amount: Money::from_pence(pence),
        })
        .collect();
    Ok(ReferenceRates { council, rates })
}

#[derive(Debug, Default, Deserialize)]
struct RateInput {
    category: Option<String>,
    unit: Option<String>,
    amount: Option<String>,
}

/// Replaces the council's reference rates: `{"rates": [{"category", "unit", "amount"}]}`.
pub fn set_reference_rates(
    conn: &mut DbConnection,
    account: &Account,
    body: Value,
    now: DateTime<Utc>,
) -> Result<ReferenceRates, AppError> {
    let council = account.commissioners_council()?;
    let list = match body {
        Value::Object(mut map) => map.remove("rates").unwrap_or(Value::Null),
        other => other,
    };
    let inputs: Vec<RateInput> = serde_json::from_value(list).map_err(|_| {
        AppError::Malformed("Send {\"rates\": [{\"category\", \"unit\", \"amount\"}, …]}.".into())
    })?;
    let mut errors = FieldErrors::new();
    let mut rates: Vec<(String, String, i64)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("rates[{i}].{name}");
        let category = errors
            .required(&field("category"), input.category.as_deref())
            .and_then(|c| errors.check(&field("category"), Category::parse_code(c)));
        let unit = errors
            .required(&field("unit"), input.unit.as_deref())
            .and_then(|u| errors.check(&field("unit"), Unit::parse_code(u)));
        let amount = errors
            .required(&field("amount"), input.amount.as_deref())
            .and_then(|a| check_money(&mut errors, &field("amount"), a));
        if let (Some(category), Some(unit), Some(amount)) = (category, unit, amount) {
            let key = (category.code().to_owned(), unit.code().to_owned());
            if rates.iter().any(|(c, u, _)| (c, u) == (&key.0, &key.1)) {
                errors.add(&field("unit"), "is given twice for this category");
            } else {
                rates.push((key.0, key.1, amount.pence()));
            }
        }
    }
    errors.into_result()?;
    write_transaction(conn, |conn| {
        market_store::replace_reference_rates(conn, &council, &rates, account.id, now.naive_utc())
    })?;
    reference_rates(conn, account)
}

/// A report period: `from` to `to`, both days included.
#[derive(Debug, Clone, Copy, Serialize)]
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
    ) -> Result<Period, AppError> {
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
        errors.into_result()?;
        Ok(Period {
            from: from.expect("checked"),
            to: to.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestEvidence {
    pub council: String,
    pub period: Period,
    /// The biggest gaps and fee pressures first, each in a sentence.
    pub findings: Vec<String>,
    pub items: Vec<EvidenceRow>,
}

/// Evidence from the requests the council's residents posted in the period.
pub fn request_evidence(
    conn: &mut DbConnection,
    account: &Account,
    period: Period,
    now: DateTime<Utc>,
) -> Result<RequestEvidence, AppError> {
    let council = account.commissioners_council()?;
    let start = period.from.and_hms_opt(0, 0, 0).expect("midnight exists");
    let end = (period.to + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists");
    let rows = store::of_council_between(conn, &council, start, end)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut areas = store::areas_of(conn, &ids)?;
    let requests: Vec<RequestFacts> = rows
        .iter()
        .map(|r| RequestFacts {
            id: r.id,
            category: r.category.clone(),
            unit: r.unit.clone(),
            districts: areas.remove(&r.id).unwrap_or_default(),
            created_at: r.created_at,
            first_offer_at: r.first_offer_at,
        })
        .collect();
    let offers: Vec<OfferFacts> = offer_store::of_requests(conn, &ids)?
        .into_iter()
        .filter(|o| o.status != OfferStatus::Withdrawn.code())
        .map(|o| OfferFacts {
            request_id: o.request_id,
            unit: o.unit,
            price: Money::from_pence(o.price_pence),
        })
        .collect();
    let references: HashMap<(String, String), Money> =
        market_store::reference_rates(conn, &council)?
            .into_iter()
            .map(|(c, u, p)| ((c, u), Money::from_pence(p)))
            .collect();
    let items = market::request_evidence(&requests, &offers, &references, now.naive_utc());
    Ok(RequestEvidence {
        findings: market::sentences(&items, period.from, period.to),
        council,
        period,
        items,
    })
}

/// The evidence rows as CSV with a header row.
pub fn evidence_csv(evidence: &RequestEvidence) -> Result<String, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::Internal(e.to_string());
    writer
        .write_record([
            "category",
            "category_label",
            "district",
            "requests",
            "unanswered",
            "offers",
            "reference_rate",
            "reference_unit",
            "offers_above_reference",
            "median_offer",
        ])
        .map_err(fail)?;
    for row in &evidence.items {
        let money = |m: Option<Money>| m.map(|m| m.to_string()).unwrap_or_default();
        writer
            .write_record([
                row.category.clone(),
                row.category_label.to_owned(),
                row.district.clone(),
                row.requests.to_string(),
                row.unanswered.to_string(),
                row.offers.to_string(),
                money(row.reference_rate),
                row.reference_unit.clone().unwrap_or_default(),
                row.offers_above_reference.to_string(),
                money(row.median_offer),
            ])
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
}

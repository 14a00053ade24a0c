//! The council's view of its market: its own reference rates, the evidence
//! support requests give, and one module per report. Every report reads
//! only the commissioner's own council's plans and people; supply figures
//! (listings) are market-wide, as they are public.

pub mod brokers;
pub mod fees;
pub mod gaps;
pub mod outcomes;
pub mod risks;

pub use crate::domain::market::Period;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::listings::check_money;
use crate::domain::market::{self, EvidenceRow, OfferFacts, RequestFacts};
use crate::domain::money::Money;
use crate::domain::places::Places;
use crate::domain::text;
use crate::domain::vocab::{Category, OfferStatus, Unit, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::access::Account;
use crate::store::market as market_store;
use crate::store::offers as offer_store;
use crate::store::requests as store;
use crate::store::{write_transaction, DbConnection};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReferenceRate {
    pub category: String,
    pub unit: String,
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

/// One reference rate as sent: a category, a unit and an amount.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ReferenceRateInput)]
pub struct RateInput {
    category: Option<String>,
    unit: Option<String>,
    #[schema(value_type = Option<Money>)]
    amount: Option<String>,
}

/// The body of `PUT /council/reference-rates`: every rate, replacing those there.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReferenceRatesInput {
    pub rates: Vec<RateInput>,
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
            .and_then(|c| errors.check(&field("category"), Category::from_input(c)));
        let unit = errors
            .required(&field("unit"), input.unit.as_deref())
            .and_then(|u| errors.check(&field("unit"), Unit::from_input(u)));
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    let rows = store::of_council_between(conn, &council, period.start(), period.end())?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut areas = store::areas_of(conn, &ids)?;
    let requests: Vec<RequestFacts> = rows
        .iter()
        .map(|r| RequestFacts {
            id: r.id,
            category: r.category.code().to_owned(),
            unit: r.unit.code().to_owned(),
            districts: areas.remove(&r.id).unwrap_or_default(),
            created_at: r.created_at,
            first_offer_at: r.first_offer_at,
        })
        .collect();
    let offers: Vec<OfferFacts> = offer_store::of_requests(conn, &ids)?
        .into_iter()
        .filter(|o| o.status != OfferStatus::Withdrawn)
        .map(|o| OfferFacts {
            request_id: o.request_id,
            unit: o.unit.code().to_owned(),
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

/// A report as CSV: a header row, then one record per row. Every CSV Bespoke
/// writes goes through here, so every cell is neutralised against formulas
/// ([`text::csv_cell`]).
pub fn to_csv(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<String, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::Internal(e.to_string());
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| text::csv_cell(cell).into_owned()))
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
}

/// Money for a CSV cell: `18.50`, or empty.
pub fn money_cell(money: Option<Money>) -> String {
    money.map(|m| m.to_string()).unwrap_or_default()
}

/// The district codes of the commissioner's council.
pub fn council_districts(places: &Places, council: &str) -> Vec<String> {
    places
        .districts_of(council)
        .into_iter()
        .map(|d| d.code.clone())
        .collect()
}

/// The evidence rows as CSV with a header row.
pub fn evidence_csv(evidence: &RequestEvidence) -> Result<String, AppError> {
    to_csv(
        &[
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
        ],
        evidence.items.iter().map(|row| {
            vec![
                row.category.clone(),
                row.category_label.to_owned(),
                row.district.clone(),
                row.requests.to_string(),
                row.unanswered.to_string(),
                row.offers.to_string(),
                money_cell(row.reference_rate),
                row.reference_unit.clone().unwrap_or_default(),
                row.offers_above_reference.to_string(),
                money_cell(row.median_offer),
            ]
        }),
    )
}

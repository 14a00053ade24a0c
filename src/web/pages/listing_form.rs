//! The listing form: what a browser posts, turned into the same
//! `ListingInput` the API takes, and error names turned back into input ids.

use serde::Deserialize;
use strum::IntoEnumIterator;

use crate::domain::listings::{FeeInput, ListingContent, ListingInput, PriceInput, RateInput};
use crate::domain::money::Money;
use crate::domain::pricing::FeeCharge;
use crate::domain::vocab::{Band, FeeKind, FeePer, ListingStatus, Vocabulary, LANGUAGES};
use crate::error::FieldErrors;

/// How many fee rows the form offers.
pub const FEE_ROWS: usize = 3;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListingForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub price_amount: String,
    #[serde(default)]
    pub price_unit: String,
    /// One per band, in the order of `Band::iter()`.
    #[serde(default)]
    pub rate_amount: Vec<String>,
    #[serde(default)]
    pub fee_kind: Vec<String>,
    #[serde(default)]
    pub fee_label: Vec<String>,
    #[serde(default)]
    pub fee_amount: Vec<String>,
    #[serde(default)]
    pub fee_percent: Vec<String>,
    #[serde(default)]
    pub fee_per: Vec<String>,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub areas: String,
    #[serde(default)]
    pub availability: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub employment: String,
    pub accepting_clients: Option<String>,
    #[serde(default)]
    pub status: String,
}

fn cell(list: &[String], i: usize) -> String {
    list.get(i).map(|s| s.trim().to_owned()).unwrap_or_default()
}

/// People type "£14.5"; the rules want "14.50". What cannot be read is passed on as typed.
fn money_text(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(
        Money::parse_lenient(text)
            .map(|m| m.to_string())
            .unwrap_or_else(|_| text.to_owned()),
    )
}

fn words(text: &str, separators: &[char]) -> Vec<String> {
    text.split(|c: char| separators.contains(&c))
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The input, and how to name its errors after the form's inputs.
pub struct Converted {
    pub input: ListingInput,
    rate_bands: Vec<&'static str>,
    fee_rows: Vec<usize>,
}

impl ListingForm {
    pub fn to_input(&self) -> Converted {
        let mut rates = Vec::new();
        let mut rate_bands = Vec::new();
        for (i, band) in Band::iter().enumerate() {
            if let Some(amount) = money_text(&cell(&self.rate_amount, i)) {
                rates.push(RateInput {
                    band: Some(band.code().into()),
                    amount: Some(amount),
                });
                rate_bands.push(band.code());
            }
        }
        let mut fees = Vec::new();
        let mut fee_rows = Vec::new();
        for row in 0..FEE_ROWS {
            let (kind, label) = (cell(&self.fee_kind, row), cell(&self.fee_label, row));
            let (amount, percent) = (cell(&self.fee_amount, row), cell(&self.fee_percent, row));
            if kind.is_empty() && label.is_empty() && amount.is_empty() && percent.is_empty() {
                continue;
            }
            let some = |s: String| Some(s).filter(|s| !s.is_empty());
            fees.push(FeeInput {
                kind: some(kind),
                label: some(label),
                amount: money_text(&amount),
                percent: some(percent.trim_end_matches('%').trim().to_owned()),
                per: some(cell(&self.fee_per, row)),
            });
            fee_rows.push(row);
        }
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Converted {
            input: ListingInput {
                title: Some(self.title.clone()),
                description: Some(self.description.clone()),
                category: some(&self.category),
                price: Some(PriceInput {
                    amount: money_text(&self.price_amount),
                    unit: some(&self.price_unit),
                }),
                rates: Some(rates),
                fees: Some(fees),
                postcode: some(&self.postcode),
                areas: Some(words(&self.areas, &[',', ' ', ';', '\n'])),
                availability: Some(self.availability.clone()),
                languages: Some(self.languages.clone()),
                tags: Some(words(&self.tags, &[','])),
                employment: some(&self.employment),
                accepting_clients: Some(self.accepting_clients.is_some()),
                status: some(&self.status),
            },
            rate_bands,
            fee_rows,
        }
    }

    pub fn from_content(content: &ListingContent) -> Self {
        let mut form = ListingForm {
            title: content.title.clone(),
            description: content.description.clone(),
            category: content.category.code().into(),
            price_amount: content.price.map(|p| p.to_string()).unwrap_or_default(),
            price_unit: content.unit.code().into(),
            rate_amount: Band::iter()
                .map(|band| {
                    content
                        .rates
                        .iter()
                        .find(|r| r.band == band)
                        .map(|r| r.amount.to_string())
                        .unwrap_or_default()
                })
                .collect(),
            postcode: content.postcode.clone(),
            areas: content.areas.join(" "),
            availability: content
                .availability
                .iter()
                .map(|b| b.code().to_owned())
                .collect(),
            languages: content.languages.clone(),
            tags: content.tags.join(", "),
            employment: content
                .employment
                .map(|e| e.code().to_owned())
                .unwrap_or_default(),
            accepting_clients: content.accepting_clients.then(|| "on".to_owned()),
            status: content.status.code().into(),
            ..Default::default()
        };
        for fee in &content.fees {
            form.fee_kind.push(fee.kind.code().into());
            form.fee_label.push(fee.label.clone());
            let (amount, percent) = match &fee.charge {
                FeeCharge::Amount(a) => (a.to_string(), String::new()),
                FeeCharge::Percent(p) => (String::new(), p.to_string()),
            };
            form.fee_amount.push(amount);
            form.fee_percent.push(percent);
            form.fee_per.push(fee.per.code().into());
        }
        form
    }

    /// An empty form for a new listing: published, taking clients.
    pub fn new_listing() -> Self {
        ListingForm {
            accepting_clients: Some("on".into()),
            status: ListingStatus::Published.code().into(),
            price_unit: "hour".into(),
            ..Default::default()
        }
    }
}

impl Converted {
    /// Renames `rates[0].amount` to `rate_weekend`, `fees[1].per` to `fee_per_2`, and so on.
    pub fn form_errors(&self, errors: &FieldErrors) -> FieldErrors {
        let mut named = FieldErrors::new();
        for (field, messages) in errors.iter() {
            let id = self.input_id(field);
            for message in messages {
                named.add(&id, message.clone());
            }
        }
        named
    }

    fn input_id(&self, field: &str) -> String {
        let index =
            |f: &str| -> Option<usize> { f.split_once('[')?.1.split_once(']')?.0.parse().ok() };
        if field == "price.amount" || field == "price.unit" {
            return field.replace('.', "_");
        }
        if field.starts_with("rates[") {
            if let Some(band) = index(field).and_then(|i| self.rate_bands.get(i)) {
                return format!("rate_{band}");
            }
        }
        if field.starts_with("fees[") {
            let part = field.rsplit('.').next().unwrap_or("kind");
            if let Some(row) = index(field).and_then(|i| self.fee_rows.get(i)) {
                return format!("fee_{part}_{row}");
            }
        }
        field.split('[').next().unwrap_or(field).to_owned()
    }
}

/// A checkbox or option for the form.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

pub fn choices<V: Vocabulary>(selected: &[String]) -> Vec<Choice> {
    V::iter()
        .map(|v| Choice {
            value: v.code(),
            label: v.label(),
            checked: selected.iter().any(|s| s == v.code()),
        })
        .collect()
}

pub fn language_choices(selected: &[String]) -> Vec<Choice> {
    LANGUAGES
        .iter()
        .map(|(code, name)| Choice {
            value: code,
            label: name,
            checked: selected.iter().any(|s| s == code),
        })
        .collect()
}

pub struct RateRow {
    pub band: &'static str,
    pub label: &'static str,
    pub value: String,
}

pub fn rate_rows(form: &ListingForm) -> Vec<RateRow> {
    Band::iter()
        .enumerate()
        .map(|(i, band)| RateRow {
            band: band.code(),
            label: band.label(),
            value: cell(&form.rate_amount, i),
        })
        .collect()
}

pub struct FeeRow {
    pub row: usize,
    pub kinds: Vec<Choice>,
    pub pers: Vec<Choice>,
    pub label: String,
    pub amount: String,
    pub percent: String,
}

pub fn fee_rows(form: &ListingForm) -> Vec<FeeRow> {
    (0..FEE_ROWS)
        .map(|row| FeeRow {
            row,
            kinds: choices::<FeeKind>(&[cell(&form.fee_kind, row)]),
            pers: choices::<FeePer>(&[cell(&form.fee_per, row)]),
            label: cell(&form.fee_label, row),
            amount: cell(&form.fee_amount, row),
            percent: cell(&form.fee_percent, row),
        })
        .collect()
}

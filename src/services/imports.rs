//! Importing sellers and listings from files.
//!
//! `cqc` reads the Care Quality Commission's "care directory with filters"
//! CSV (four preamble lines, then a header). Each location becomes a draft
//! listing of its provider organisation, found again by its CQC location id,
//! so importing the same file twice changes nothing. `listings` reads a plain
//! CSV of listings for sellers who already have accounts (columns in
//! docs/imports.md). In both, bad rows are skipped with a reason and the good
//! rows go in as one transaction.

use crate::domain::ids::AccountId;
use std::collections::HashSet;
use std::io::Read;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::listings::seller_kind;
use super::sellers::row_of;
use crate::domain::accounts::Role;
use crate::domain::listings::{self, ListingContent, ListingInput, PriceInput};
use crate::domain::places::Places;
use crate::domain::sellers::Profile;
use crate::domain::text;
use crate::domain::vocab::{Category, ListingStatus, SellerKind, Unit};
use crate::error::AppError;
use crate::store::accounts::{self as account_store, NewAccount};
use crate::store::{
    listings as listing_store, sellers as seller_store, write_transaction, DbConnection,
};

#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    /// Each skipped row: its line in the file and why.
    pub skipped: Vec<(usize, String)>,
}

impl ImportReport {
    /// The closing line: `created: N, updated: N, skipped: N`.
    pub fn summary(&self) -> String {
        format!(
            "created: {}, updated: {}, skipped: {}",
            self.created,
            self.updated,
            self.skipped.len()
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    NotReadable(String),
    #[error(transparent)]
    Failed(#[from] AppError),
}

/// One location of the CQC directory, by the official column names.
#[derive(Debug, Deserialize)]
struct CqcRow {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Address", default)]
    address: String,
    #[serde(rename = "Postcode", default)]
    postcode: String,
    #[serde(rename = "Phone number", default)]
    phone: String,
    #[serde(rename = "Service's website (if available)", default)]
    website: String,
    #[serde(rename = "Service types", default)]
    service_types: String,
    #[serde(rename = "Date of latest check", default)]
    latest_check: String,
    #[serde(rename = "Specialisms/services", default)]
    specialisms: String,
    #[serde(rename = "Provider name", default)]
    provider_name: String,
    #[serde(rename = "CQC Location (for office use only)", default)]
    location_id: String,
    #[serde(rename = "CQC Provider ID (for office use only)", default)]
    provider_id: String,
}

/// CQC service types that Bespoke lists, most specific first, with the unit they are priced in.
const SERVICE_TYPES: &[(&str, Category, Unit)] = &[
    ("nursing home", Category::NursingCare, Unit::Week),
    ("residential home", Category::ResidentialCare, Unit::Week),
    ("homecare", Category::PersonalCare, Unit::Hour),
    ("domiciliary care", Category::PersonalCare, Unit::Hour),
    ("supported living", Category::SupportedLiving, Unit::Hour),
    ("extra care housing", Category::SupportedLiving, Unit::Hour),
    ("shared lives", Category::ShortBreaks, Unit::Night),
];

pub fn category_for(service_types: &str) -> Option<(Category, Unit)> {
    let types = service_types.to_lowercase();
    SERVICE_TYPES
        .iter()
        .find(|(pattern, _, _)| types.contains(pattern))
        .map(|(_, category, unit)| (*category, *unit))
}

fn is_cqc_id(text: &str) -> bool {
    text.strip_prefix("1-").is_some_and(|digits| {
        !digits.is_empty() && digits.len() <= 12 && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Finds the header line after the preamble; the file is not a CQC directory without it.
fn cqc_body(text: &str) -> Result<(usize, &str), ImportError> {
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate().take(20) {
        if line.starts_with("Name,")
            && line.contains("CQC Location")
            && line.contains("CQC Provider ID")
        {
            return Ok((index, &text[offset..]));
        }
        offset += line.len();
    }
    Err(ImportError::NotReadable(
        "this is not a CQC care directory file: no header with Name, CQC Location and CQC Provider ID columns in its first lines"
            .into(),
    ))
}

struct CqcLocation {
    line: usize,
    location_id: String,
    provider_id: String,
    provider_name: String,
    content: ListingContent,
    phone: Option<String>,
    website: Option<String>,
}

fn check_row(row: CqcRow, line: usize, places: &Places) -> Result<CqcLocation, String> {
    let location_id = row.location_id.trim().to_owned();
    if !is_cqc_id(&location_id) {
        return Err(format!("the CQC location id {location_id:?} is not valid"));
    }
    let provider_id = row.provider_id.trim().to_owned();
    if !is_cqc_id(&provider_id) {
        return Err(format!("the CQC provider id {provider_id:?} is not valid"));
    }
    let name: String = row.name.trim().chars().take(120).collect();
    if name.chars().count() < 3 {
        return Err("the location has no name".into());
    }
    let (category, unit) = category_for(&row.service_types).ok_or_else(|| {
        format!(
            "{:?} is not a kind of social care Bespoke lists",
            row.service_types.trim()
        )
    })?;
    let place = places
        .resolve(&row.postcode)
        .map_err(|e| format!("postcode {:?}: {e}", row.postcode.trim()))?;
    let provider_name = Some(row.provider_name.trim())
        .filter(|n| !n.is_empty())
        .unwrap_or(&name);
    let mut description = format!(
        "{} registered with the Care Quality Commission",
        row.service_types.trim()
    );
    if !row.specialisms.trim().is_empty() {
        description.push_str(&format!(
            ". Specialisms: {}",
            row.specialisms.trim().replace('|', ", ")
        ));
    }
    if !row.latest_check.trim().is_empty() {
        description.push_str(&format!(". Latest CQC check: {}", row.latest_check.trim()));
    }
    if !row.address.trim().is_empty() {
        description.push_str(&format!(". Address: {}", row.address.trim()));
    }
    description.push('.');
    let postcode = place
        .postcode
        .clone()
        .unwrap_or_else(|| place.district.code.clone());
    let district = place.district.code.clone();
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty() && s != "NA");
    Ok(CqcLocation {
        line,
        location_id,
        provider_id,
        provider_name: provider_name.chars().take(100).collect(),
        phone: some(&row.phone),
        website: some(&row.website).filter(|w| w.starts_with("http")),
        content: ListingContent {
            title: name,
            description,
            category,
            price: None,
            unit,
            rates: Vec::new(),
            fees: Vec::new(),
            postcode,
            district: district.clone(),
            areas: vec![district],
            availability: Vec::new(),
            languages: Vec::new(),
            tags: Vec::new(),
            employment: None,
            accepting_clients: true,
            status: ListingStatus::Draft,
        },
    })
}

/// The provider organisation with this CQC provider id, made if it is new.
fn provider_account(
    conn: &mut DbConnection,
    location: &CqcLocation,
    now: DateTime<Utc>,
) -> Result<AccountId, AppError> {
    if let Some(profile) = seller_store::find_by_cqc_provider(conn, &location.provider_id)? {
        return Ok(profile.account_id);
    }
    let account = account_store::insert(
        conn,
        &NewAccount {
            email: None,
            name: &location.provider_name,
            role: Role::Provider,
            password_hash: None,
            council_code: None,
            postcode: None,
            district: None,
            created_at: now.naive_utc(),
        },
    )?
    .ok_or_else(|| AppError::Internal("an account without an email cannot clash".into()))?;
    let profile = Profile {
        description: format!(
            "{} is registered with the Care Quality Commission.",
            location.provider_name
        ),
        cqc_provider_id: Some(location.provider_id.clone()),
        phone: location.phone.clone(),
        website: location.website.clone(),
        ..Default::default()
    };
    seller_store::save(
        conn,
        &row_of(account.id, SellerKind::Provider, &profile, now),
    )?;
    Ok(account.id)
}

/// One row as `T`, after every cell has passed the text rule (no NUL or
/// other control characters, no bidi overrides); the reason names the column.
fn read_row<T: serde::de::DeserializeOwned>(
    headers: &csv::StringRecord,
    record: Result<csv::StringRecord, csv::Error>,
) -> Result<T, String> {
    let record = record.map_err(|e| format!("the row cannot be read: {e}"))?;
    for (column, cell) in headers.iter().zip(record.iter()) {
        text::check(cell, text::is_multiline(column)).map_err(|m| format!("{column} {m}"))?;
    }
    record
        .deserialize(Some(headers))
        .map_err(|e| format!("the row cannot be read: {e}"))
}

pub fn import_cqc(
    conn: &mut DbConnection,
    places: &Places,
    mut file: impl Read,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| ImportError::NotReadable(format!("the file cannot be read as text: {e}")))?;
    let (header_index, body) = cqc_body(&text)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut report = ImportReport::default();
    let mut locations = Vec::new();
    let mut seen = HashSet::new();
    let headers = reader
        .headers()
        .map_err(|e| ImportError::NotReadable(format!("the file has no header row: {e}")))?
        .clone();
    for (i, record) in reader.records().enumerate() {
        // Lines count from 1; the header is on line header_index + 1.
        let line = header_index + 2 + i;
        match read_row::<CqcRow>(&headers, record).and_then(|row| check_row(row, line, places)) {
            Ok(location) if !seen.insert(location.location_id.clone()) => {
                report.skipped.push((
                    line,
                    format!(
                        "location {} appears earlier in the file",
                        location.location_id
                    ),
                ));
            }
            Ok(location) => locations.push(location),
            Err(reason) => report.skipped.push((line, reason)),
        }
    }

    write_transaction(conn, |conn| {
        for location in &locations {
            let owner = provider_account(conn, location, now)?;
            match listing_store::find_by_cqc_location(conn, &location.location_id)? {
                None => {
                    listing_store::insert(
                        conn,
                        owner,
                        &location.content,
                        Some(&location.location_id),
                        now.naive_utc(),
                    )?;
                    report.created += 1;
                }
                Some(existing) => {
                    // Only what the directory says is refreshed; the seller's own prices and words stay.
                    let mut content = existing.content.clone();
                    content.title = location.content.title.clone();
                    content.category = location.content.category;
                    content.postcode = location.content.postcode.clone();
                    content.district = location.content.district.clone();
                    if !content.areas.contains(&content.district) {
                        content.areas.insert(0, content.district.clone());
                    }
                    if content == existing.content {
                        report
                            .skipped
                            .push((location.line, "already up to date".into()));
                    } else {
                        listing_store::update(conn, existing.id, &content, now.naive_utc())?;
                        report.updated += 1;
                    }
                }
            }
        }
        Ok::<_, AppError>(())
    })?;
    report.skipped.sort_by_key(|(line, _)| *line);
    Ok(report)
}

/// A row of the plain listings file (docs/imports.md).
#[derive(Debug, Deserialize)]
struct ListingRow {
    seller_email: String,
    title: String,
    #[serde(default)]
    description: String,
    category: String,
    #[serde(default)]
    price: String,
    unit: String,
    postcode: String,
    #[serde(default)]
    areas: String,
    #[serde(default)]
    availability: String,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    employment: String,
}

fn split(text: &str) -> Vec<String> {
    text.split(['|', ';', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn import_listings(
    conn: &mut DbConnection,
    places: &Places,
    mut file: impl Read,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| ImportError::NotReadable(format!("the file cannot be read as text: {e}")))?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ImportError::NotReadable(format!("the file has no header row: {e}")))?;
    if !["seller_email", "title", "category", "unit", "postcode"]
        .iter()
        .all(|h| headers.iter().any(|c| c == *h))
    {
        return Err(ImportError::NotReadable(
            "the header must name at least seller_email, title, category, unit and postcode (see docs/imports.md)".into(),
        ));
    }
    let headers = headers.clone();
    let rows: Vec<(usize, Result<ListingRow, String>)> = reader
        .records()
        .enumerate()
        .map(|(i, r)| (i + 2, read_row::<ListingRow>(&headers, r)))
        .collect();
    let mut report = ImportReport::default();
    write_transaction(conn, |conn| {
        for (line, row) in rows {
            let row = match row {
                Ok(row) => row,
                Err(reason) => {
                    report.skipped.push((line, reason));
                    continue;
                }
            };
            let email = row.seller_email.trim().to_lowercase();
            let Some(seller) = account_store::find_by_email(conn, &email)? else {
                report
                    .skipped
                    .push((line, format!("no account has the email {email}")));
                continue;
            };
            let Some(kind) = seller_kind(seller.role) else {
                report.skipped.push((
                    line,
                    format!("{email} is not a provider, personal assistant or broker"),
                ));
                continue;
            };
            let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
            let input = ListingInput {
                title: some(&row.title),
                description: some(&row.description),
                category: some(&row.category),
                price: Some(PriceInput {
                    amount: some(&row.price),
                    unit: some(&row.unit),
                }),
                postcode: some(&row.postcode),
                areas: Some(split(&row.areas)),
                availability: Some(split(&row.availability)),
                languages: Some(split(&row.languages)),
                tags: Some(
                    row.tags
                        .split('|')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned)
                        .collect(),
                ),
                status: some(&row.status),
                employment: some(&row.employment),
                ..Default::default()
            };
            match listings::check(input, kind, places) {
                Ok(content) if content.status == ListingStatus::Withdrawn => {
                    report
                        .skipped
                        .push((line, "a new listing cannot start withdrawn".into()));
                }
                Ok(content) => {
                    listing_store::insert(conn, seller.id, &content, None, now.naive_utc())?;
                    report.created += 1;
                }
                Err(errors) => {
                    let reasons: Vec<String> =
                        errors.sentences().into_iter().map(|(_, s)| s).collect();
                    report.skipped.push((line, reasons.join("; ")));
                }
            }
        }
        Ok::<_, AppError>(())
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cqc_service_types_map_to_categories() {
        assert_eq!(
            category_for("Nursing homes"),
            Some((Category::NursingCare, Unit::Week))
        );
        assert_eq!(
            category_for("Residential homes"),
            Some((Category::ResidentialCare, Unit::Week))
        );
        assert_eq!(
            category_for("Residential homes|Nursing homes"),
            Some((Category::NursingCare, Unit::Week))
        );
        assert_eq!(
            category_for("Homecare agencies"),
            Some((Category::PersonalCare, Unit::Hour))
        );
        assert_eq!(
            category_for("Supported living"),
            Some((Category::SupportedLiving, Unit::Hour))
        );
        assert_eq!(category_for("Dentist"), None);
    }

    #[test]
    fn the_header_is_found_after_the_preamble() {
        let text = "Care directory\nFiltered\n\n\nName,Also known as,CQC Location (for office use only),CQC Provider ID (for office use only)\nA,B,1-1,1-2\n";
        let (index, body) = cqc_body(text).unwrap();
        assert_eq!(index, 4);
        assert!(body.starts_with("Name,"));
        assert!(cqc_body("name,cqc_id,type\n").is_err());
    }
}

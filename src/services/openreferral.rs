//! The local directory as open data: published listings in the shape of the
//! Open Referral UK profile of HSDS 3, with ids as UUIDs derived from ours.

use crate::domain::ids::ListingId;
use std::sync::LazyLock;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::domain::money::Money;
use crate::domain::vocab::{ListingStatus, Vocabulary};
use crate::error::AppError;
use crate::services::listings::{self, ListingView};
use crate::store::DbConnection;

/// Every id in the feed is a name-based UUID under this namespace, so the same
/// listing has the same id on every reading and every copy of the feed.
static NAMESPACE: LazyLock<Uuid> =
    LazyLock::new(|| Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:bespoke:openreferral"));

pub fn uuid_for(kind: &str, key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{kind}:{key}").as_bytes())
}

/// The first bytes of every service id; the listing id fills the last seven.
const SERVICE_PREFIX: &[u8; 6] = b"bspoke";

/// A service's id: a version 8 UUID that carries the listing id, so the feed
/// can find the listing again without a lookup table.
pub fn service_id(listing_id: ListingId) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(SERVICE_PREFIX);
    bytes[9..].copy_from_slice(&listing_id.get().to_be_bytes()[1..]);
    Uuid::new_v8(bytes)
}

/// The listing a service id names, if it is one of ours.
pub fn listing_of(id: &str) -> Option<ListingId> {
    let uuid = Uuid::parse_str(id).ok()?;
    let bytes = uuid.as_bytes();
    if &bytes[..6] != SERVICE_PREFIX || uuid.get_version_num() != 8 {
        return None;
    }
    let mut id = [0u8; 8];
    id[1..].copy_from_slice(&bytes[9..]);
    let listing_id = ListingId(i64::from_be_bytes(id));
    (service_id(listing_id) == uuid).then_some(listing_id)
}

/// The profile wants amounts as JSON numbers; pounds and pence as a double
/// print exactly as written (18.5 for £18.50).
fn as_number(money: Money) -> f64 {
    money.pence() as f64 / 100.0
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn fees_text(listing: &ListingView) -> String {
    let mut parts = Vec::new();
    match listing.price.amount {
        Some(amount) => parts.push(format!(
            "{} per {}",
            amount.display_gbp(),
            listing.price.unit.code()
        )),
        None => parts.push("Price on request".into()),
    }
    parts.extend(listing.rates.iter().map(|r| {
        format!(
            "{}: {} per {}",
            r.label,
            r.amount.display_gbp(),
            listing.price.unit.code()
        )
    }));
    parts.extend(
        listing
            .fees
            .iter()
            .map(|f| format!("{}: {}", f.label, f.description)),
    );
    parts.join("; ")
}

/// The one-to-one fields, as in a list of services.
pub fn service_summary(listing: &ListingView, public_url: &url::Url) -> Value {
    let id = service_id(listing.id).to_string();
    json!({
        "id": id,
        "name": listing.title,
        "description": listing.description,
        "url": public_url.join(&format!("listings/{}", listing.id)).map(|u| u.to_string()).unwrap_or_default(),
        "status": if listing.status == ListingStatus::Published { "active" } else { "inactive" },
        "fees": fees_text(listing),
        "last_modified": timestamp(listing.updated_at),
        "organization": {
            "id": uuid_for("organization", &listing.provider.id.to_string()).to_string(),
            "name": listing.provider.name,
            "description": listing.provider.kind.label(),
            "website": public_url.join(&format!("sellers/{}", listing.provider.id)).map(|u| u.to_string()).unwrap_or_default(),
        },
    })
}

/// A service in full: its areas, languages, costs, availability and category.
pub fn service_full(listing: &ListingView, public_url: &url::Url) -> Value {
    let mut service = service_summary(listing, public_url);
    let id = service_id(listing.id).to_string();
    let key =
        |what: &str, part: &str| uuid_for(what, &format!("{}:{part}", listing.id)).to_string();
    let areas: Vec<Value> = listing
        .areas
        .iter()
        .map(|district| {
            json!({
                "id": key("service_area", district),
                "service_id": id,
                "name": district,
                "extent": district,
                "extent_type": "text",
                "description": format!("Postcode district {district}"),
            })
        })
        .collect();
    let languages: Vec<Value> = listing
        .languages
        .iter()
        .map(|code| {
            json!({
                "id": key("language", code),
                "service_id": id,
                "code": code,
                "name": crate::domain::vocab::language_name(code).unwrap_or(code),
            })
        })
        .collect();
    let mut costs = Vec::new();
    if let Some(amount) = listing.price.amount {
        costs.push(json!({
            "id": key("cost_option", "price"),
            "service_id": id,
            "option": format!("per {}", listing.price.unit.code()),
            "amount": as_number(amount),
            "currency": "GBP",
            "amount_description": format!("{} per {}", amount.display_gbp(), listing.price.unit.code()),
        }));
    }
    for rate in &listing.rates {
        costs.push(json!({
            "id": key("cost_option", rate.band.code()),
            "service_id": id,
            "option": rate.label,
            "amount": as_number(rate.amount),
            "currency": "GBP",
            "amount_description": format!("{}: {} per {}", rate.label, rate.amount.display_gbp(), listing.price.unit.code()),
        }));
    }
    let schedules: Vec<Value> = listing
        .availability
        .iter()
        .map(|band| {
            json!({
                "id": key("schedule", band.code()),
                "service_id": id,
                "description": band.label(),
            })
        })
        .collect();
    let term_id = uuid_for("taxonomy_term", listing.category.code()).to_string();
    let attributes = vec![json!({
        "id": key("attribute", listing.category.code()),
        "link_id": id,
        "link_type": "service",
        "taxonomy_term_id": term_id,
        "taxonomy_term": {
            "id": term_id,
            "name": listing.category_label,
            "description": format!("Bespoke service category: {}", listing.category_label),
            "term": listing.category.code(),
            "taxonomy": "bespoke-service-categories",
        },
    })];
    let full = service.as_object_mut().expect("a service is an object");
    full.insert("service_areas".into(), Value::Array(areas));
    full.insert("languages".into(), Value::Array(languages));
    full.insert("cost_options".into(), Value::Array(costs));
    full.insert("schedules".into(), Value::Array(schedules));
    full.insert("attributes".into(), Value::Array(attributes));
    service
}

/// A page of the feed, as the profile's paginated responses are shaped.
pub fn services_page(
    conn: &mut DbConnection,
    public_url: &url::Url,
    page: i64,
    size: i64,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    let found = listings::published(conn, (page - 1) * size, size, now)?;
    let total_pages = (found.total + size - 1) / size;
    Ok(json!({
        "total_items": found.total,
        "total_pages": total_pages,
        "page_number": page,
        "size": found.items.len(),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": found.items.is_empty(),
        "contents": found.items.iter().map(|l| service_summary(l, public_url)).collect::<Vec<_>>(),
    }))
}

/// One published listing by its feed id; anything else is not found.
pub fn service(
    conn: &mut DbConnection,
    public_url: &url::Url,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    let listing_id = listing_of(id).ok_or(AppError::NotFound)?;
    let listing = listings::get(conn, None, listing_id, now)?;
    if listing.status != ListingStatus::Published {
        return Err(AppError::NotFound);
    }
    Ok(service_full(&listing, public_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ids_carry_the_listing_id() {
        let id = service_id(ListingId(12_345));
        assert_eq!(id.get_version_num(), 8);
        assert_eq!(listing_of(&id.to_string()), Some(ListingId(12_345)));
        assert_eq!(service_id(ListingId(12_345)), id, "stable");
        assert_ne!(service_id(ListingId(12_346)), id);
        assert_eq!(listing_of(&Uuid::new_v4().to_string()), None);
        assert_eq!(listing_of("not-a-uuid"), None);
    }
}

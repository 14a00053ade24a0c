//! Publishing, changing and withdrawing offers, and showing them with their true cost.

use crate::domain::ids::{AccountId, ListingId};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::accounts::Role;
use crate::domain::listings::{self, ListingContent, ListingInput};
use crate::domain::money::{Money, Percent};
use crate::domain::pa_cost::{pa_cost, PaCost, PaCostRequest, RateBook};
use crate::domain::places::Places;
use crate::domain::pricing::{self, CostRequest, FeeCharge};
use crate::domain::vocab::{
    language_name, Band, Category, Employment, FeeKind, FeePer, ListingStatus, SellerKind, Unit,
    Vocabulary,
};
use crate::error::AppError;
use crate::services::access::Account;
use crate::store::listings::{self as store, StoredListing};
use crate::store::{accounts as account_store, write_transaction, DbConnection};

pub const SELLER_ROLES: [Role; 3] = [Role::Provider, Role::PersonalAssistant, Role::Broker];

pub fn seller_kind(role: Role) -> Option<SellerKind> {
    match role {
        Role::Provider => Some(SellerKind::Provider),
        Role::PersonalAssistant => Some(SellerKind::PersonalAssistant),
        Role::Broker => Some(SellerKind::Broker),
        _ => None,
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SellerRef {
    pub id: AccountId,
    pub name: String,
    pub kind: SellerKind,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriceView {
    pub amount: Option<Money>,
    pub unit: Unit,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RateView {
    pub band: Band,
    pub label: &'static str,
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeeView {
    pub kind: FeeKind,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<Percent>,
    pub per: FeePer,
    /// "£40.00 once", for people.
    pub description: String,
}

/// "6 hours a week for 52 weeks: £4,564.00 including all fees".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkedExample {
    pub description: String,
    pub quantity_per_week: Decimal,
    pub weeks: i64,
    pub weekly: Money,
    pub total: Money,
    /// Fees that depend on the buyer's budget and so are not in the figures.
    pub not_included: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListingView {
    pub id: ListingId,
    pub provider: SellerRef,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub category_label: &'static str,
    pub price: PriceView,
    pub rates: Vec<RateView>,
    pub fees: Vec<FeeView>,
    pub postcode: String,
    pub district: String,
    pub areas: Vec<String>,
    pub availability: Vec<Band>,
    pub languages: Vec<String>,
    pub tags: Vec<String>,
    pub employment: Option<Employment>,
    pub accepting_clients: bool,
    pub status: ListingStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub example: Option<WorkedExample>,
    /// For a personal assistant employed by the budget holder: what employing them really costs.
    pub true_cost: Option<PaCost>,
}

impl ListingView {
    pub fn language_names(&self) -> Vec<&'static str> {
        self.languages
            .iter()
            .filter_map(|c| language_name(c))
            .collect()
    }

    pub fn availability_labels(&self) -> Vec<&'static str> {
        self.availability.iter().map(|b| b.label()).collect()
    }

    pub fn is_live(&self) -> bool {
        self.status == ListingStatus::Published
    }
}

/// How much the worked example buys each week, and how many visits that is.
fn example_quantity(unit: Unit) -> (Decimal, Decimal, i64) {
    match unit {
        Unit::Hour => (Decimal::from(6), Decimal::from(3), 52),
        Unit::Session | Unit::Day | Unit::Night => (Decimal::from(2), Decimal::from(2), 52),
        Unit::Week => (Decimal::ONE, Decimal::ONE, 52),
        Unit::Item => (Decimal::ONE, Decimal::ONE, 1),
    }
}

pub fn worked_example(content: &ListingContent) -> Option<WorkedExample> {
    let price = content.price?;
    let (quantity, visits, weeks) = example_quantity(content.unit);
    let (budget_fees, fees): (Vec<_>, Vec<_>) = content
        .fees
        .iter()
        .cloned()
        .partition(|f| matches!((&f.charge, f.per), (FeeCharge::Percent(_), FeePer::Budget)));
    let cost = pricing::cost(&CostRequest {
        unit_price: price,
        quantity_per_week: quantity,
        days: weeks * 7,
        occasions: None,
        visits_per_week: Some(visits),
        annual_budget: None,
        fees: &fees,
    })
    .ok()?;
    let description = match content.unit {
        Unit::Item => "One, with any fees".to_owned(),
        Unit::Week => format!("{weeks} weeks"),
        unit => format!("{quantity} {} a week for {weeks} weeks", unit.plural()),
    };
    Some(WorkedExample {
        description,
        quantity_per_week: quantity,
        weeks,
        weekly: cost.weekly,
        total: cost.total,
        not_included: budget_fees
            .iter()
            .map(|f| format!("{}: {}", f.label, f.describe()))
            .collect(),
    })
}

fn true_cost(content: &ListingContent, today: NaiveDate) -> Option<PaCost> {
    if content.employment != Some(Employment::EmployedByHolder) || content.unit != Unit::Hour {
        return None;
    }
    let (hours, _, _) = example_quantity(Unit::Hour);
    pa_cost(
        RateBook::get().for_date(today),
        PaCostRequest {
            hourly_pay: content.price?,
            hours_per_week: hours,
            employment_allowance: true,
        },
    )
    .ok()
}

/// A listing as people see it. `for_owner` is true only for the seller
/// themselves: a personal assistant's postcode is their home, so anyone else
/// sees only its district.
fn view(
    conn: &mut DbConnection,
    listing: StoredListing,
    for_owner: bool,
    today: NaiveDate,
) -> Result<ListingView, AppError> {
    let owner = account_store::find(conn, listing.owner_id)?.ok_or(AppError::NotFound)?;
    let kind = seller_kind(owner.role).unwrap_or(SellerKind::Provider);
    let mut content = listing.content;
    if kind == SellerKind::PersonalAssistant && !for_owner {
        content.postcode = content.district.clone();
    }
    let true_cost = true_cost(&content, today);
    let mut example = worked_example(&content);
    // Someone who employs their assistant pays the employer's costs too.
    if let (Some(example), Some(cost)) = (example.as_mut(), true_cost.as_ref()) {
        example.description = format!(
            "{} as their employer, with employer costs",
            example.description
        );
        example.weekly = cost.weekly_total;
        example.total = cost.annual_total;
    }
    Ok(ListingView {
        id: listing.id,
        provider: SellerRef {
            id: owner.id,
            name: owner.name,
            kind,
        },
        example,
        true_cost,
        category_label: content.category.label(),
        price: PriceView {
            amount: content.price,
            unit: content.unit,
        },
        rates: content
            .rates
            .iter()
            .map(|r| RateView {
                band: r.band,
                label: r.band.label(),
                amount: r.amount,
            })
            .collect(),
        fees: content
            .fees
            .iter()
            .map(|f| FeeView {
                kind: f.kind,
                label: f.label.clone(),
                amount: match &f.charge {
                    FeeCharge::Amount(a) => Some(*a),
                    FeeCharge::Percent(_) => None,
                },
                percent: match &f.charge {
                    FeeCharge::Percent(p) => Some(*p),
                    FeeCharge::Amount(_) => None,
                },
                per: f.per,
                description: f.describe(),
            })
            .collect(),
        title: content.title,
        description: content.description,
        category: content.category,
        postcode: content.postcode,
        district: content.district,
        areas: content.areas,
        availability: content.availability,
        languages: content.languages,
        tags: content.tags,
        employment: content.employment,
        accepting_clients: content.accepting_clients,
        status: content.status,
        created_at: listing.created_at.and_utc(),
        updated_at: listing.updated_at.and_utc(),
    })
}

pub fn require_seller_kind(actor: &Account) -> Result<SellerKind, AppError> {
    actor.require(&SELLER_ROLES)?;
    Ok(seller_kind(actor.role).expect("a seller role"))
}

/// A listing the actor owns; anyone else's is "not found".
fn owned(
    conn: &mut DbConnection,
    actor: &Account,
    id: ListingId,
) -> Result<StoredListing, AppError> {
    store::find(conn, id)?
        .filter(|l| l.owner_id == actor.id)
        .ok_or(AppError::NotFound)
}

pub fn create(
    conn: &mut DbConnection,
    places: &Places,
    actor: &Account,
    input: ListingInput,
    now: DateTime<Utc>,
) -> Result<ListingView, AppError> {
    let kind = require_seller_kind(actor)?;
    let content = listings::check(input, kind, places).map_err(AppError::Validation)?;
    if content.status == ListingStatus::Withdrawn {
        return Err(AppError::field(
            "status",
            "a new listing cannot start withdrawn",
        ));
    }
    let id = write_transaction(conn, |conn| {
        store::insert(conn, actor.id, &content, None, now.naive_utc()).map_err(AppError::from)
    })?;
    get(conn, Some(actor), id, now)
}

/// Any listing but a draft is public, withdrawn ones included; drafts only to their owner.
pub fn get(
    conn: &mut DbConnection,
    viewer: Option<&Account>,
    id: ListingId,
    now: DateTime<Utc>,
) -> Result<ListingView, AppError> {
    let listing = store::find(conn, id)?.ok_or(AppError::NotFound)?;
    let is_owner = viewer.is_some_and(|v| v.id == listing.owner_id);
    if listing.content.status == ListingStatus::Draft && !is_owner {
        return Err(AppError::NotFound);
    }
    view(conn, listing, is_owner, now.date_naive())
}

/// One of the seller's own listings as stored, to fill the edit form; any
/// other listing is not found.
pub fn own(
    conn: &mut DbConnection,
    owner: &Account,
    id: ListingId,
) -> Result<StoredListing, AppError> {
    store::find(conn, id)?
        .filter(|l| l.owner_id == owner.id)
        .ok_or(AppError::NotFound)
}

pub fn update(
    conn: &mut DbConnection,
    places: &Places,
    actor: &Account,
    id: ListingId,
    patch: ListingInput,
    now: DateTime<Utc>,
) -> Result<ListingView, AppError> {
    let kind = require_seller_kind(actor)?;
    write_transaction(conn, |conn| {
        let existing = owned(conn, actor, id)?;
        if existing.content.status == ListingStatus::Withdrawn {
            return Err(AppError::conflict(
                "listing-withdrawn",
                "This listing has been withdrawn and cannot be changed. Create a new listing instead.",
            ));
        }
        let content = listings::check(patch.over(&existing.content), kind, places)
            .map_err(AppError::Validation)?;
        listings::status_change_allowed(existing.content.status, content.status)
            .map_err(|reason| AppError::conflict("status-change-not-allowed", reason))?;
        store::update(conn, id, &content, now.naive_utc())?;
        Ok(())
    })?;
    get(conn, Some(actor), id, now)
}

/// Withdraws a listing: it leaves the marketplace for good but stays readable.
pub fn withdraw(
    conn: &mut DbConnection,
    actor: &Account,
    id: ListingId,
    now: DateTime<Utc>,
) -> Result<ListingView, AppError> {
    require_seller_kind(actor)?;
    write_transaction(conn, |conn| {
        let existing = owned(conn, actor, id)?;
        if existing.content.status != ListingStatus::Withdrawn {
            store::set_status(conn, id, ListingStatus::Withdrawn, now.naive_utc())?;
        }
        Ok::<_, AppError>(())
    })?;
    get(conn, Some(actor), id, now)
}

pub struct ListingPage {
    pub items: Vec<ListingView>,
    pub total: i64,
}

/// The actor's own listings, every status.
pub fn mine(
    conn: &mut DbConnection,
    actor: &Account,
    offset: i64,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<ListingPage, AppError> {
    require_seller_kind(actor)?;
    let all = [
        ListingStatus::Draft,
        ListingStatus::Published,
        ListingStatus::Paused,
        ListingStatus::Withdrawn,
    ];
    let (listings, total) = store::of_owner(conn, actor.id, &all, offset, limit)?;
    let items = listings
        .into_iter()
        .map(|l| view(conn, l, true, now.date_naive()))
        .collect::<Result<_, _>>()?;
    Ok(ListingPage { items, total })
}

/// A seller's live (published) listings, for their public profile.
pub fn live_of(
    conn: &mut DbConnection,
    seller_id: AccountId,
    offset: i64,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<ListingPage, AppError> {
    let (listings, total) =
        store::of_owner(conn, seller_id, &[ListingStatus::Published], offset, limit)?;
    let items = listings
        .into_iter()
        .map(|l| view(conn, l, false, now.date_naive()))
        .collect::<Result<_, _>>()?;
    Ok(ListingPage { items, total })
}

/// Every published listing, a page at a time in id order, for open data.
pub fn published(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<ListingPage, AppError> {
    let (listings, total) = store::published_page(conn, offset, limit)?;
    let items = listings
        .into_iter()
        .map(|l| view(conn, l, false, now.date_naive()))
        .collect::<Result<_, _>>()?;
    Ok(ListingPage { items, total })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriceChange {
    pub changed_at: DateTime<Utc>,
    pub price: PriceView,
    pub rates: Vec<store::RateSnapshot>,
    pub fees: Vec<store::FeeSnapshot>,
}

/// Every price a listing has had, oldest first. Visible to whoever may see the listing.
pub fn price_history(
    conn: &mut DbConnection,
    viewer: Option<&Account>,
    id: ListingId,
    now: DateTime<Utc>,
) -> Result<Vec<PriceChange>, AppError> {
    get(conn, viewer, id, now)?;
    store::price_history(conn, id)?
        .into_iter()
        .map(|row| {
            Ok(PriceChange {
                changed_at: row.changed_at.and_utc(),
                price: PriceView {
                    amount: row.price_pence.map(Money::from_pence),
                    unit: row.unit,
                },
                rates: row.rates.0,
                fees: row.fees.0,
            })
        })
        .collect()
}

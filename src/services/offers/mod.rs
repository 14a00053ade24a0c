//! Tailored offers: a seller answers a request with terms made for that
//! person, priced with the cost engine commissions use; the holder's side
//! compares them and accepts one, which becomes an accepted commission under
//! the same no-overspend guarantee, and the other offers are declined
//! (`accept`).

mod accept;

use crate::domain::ids::{CommissionId, ListingId, PlanId, PortionId};
pub use accept::{accept, Accepted};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::domain::listings::{FeeInput, RateInput};
use crate::domain::money::Money;
use crate::domain::quantity::Quantity;
use crate::domain::requests::{check_offer, price_offer, Asked, OfferInput, OfferTerms};
use crate::domain::vocab::{ActingAs, OfferStatus, PortionMode, RequestStatus, Unit, Vocabulary};
use crate::error::AppError;
use crate::services::access::{audience, fits_seller, Audience};
use crate::services::access::{Account, AccountRef};
use crate::services::commissions::{annual_budget, CostView};
use crate::services::idempotency::{create_once, Created, Idempotency};
use crate::services::mail;
use crate::store::accounts as account_store;
use crate::store::codes::Json;
use crate::store::ledger;
use crate::store::locks::{self, Subject};
use crate::store::offers::{self as offer_store, OfferRow};
use crate::store::plans as plan_store;
use crate::store::requests::{self as store, RequestRow};
use crate::store::{listings as listing_store, write_transaction, DbConnection, StoreError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Price {
    pub amount: Money,
    pub unit: Unit,
}

/// What the offer would leave in one portion of the plan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PortionFit {
    pub portion_id: PortionId,
    pub mode: PortionMode,
    pub mode_label: &'static str,
    pub available: Money,
    pub left_after: Money,
    pub fits: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferView {
    pub id: i64,
    pub request_id: i64,
    pub status: OfferStatus,
    pub status_label: &'static str,
    pub seller: AccountRef,
    pub listing_id: ListingId,
    pub listing_title: String,
    pub price: Price,
    pub rates: Vec<RateInput>,
    pub fees: Vec<FeeInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visits_per_week: Option<Quantity>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub schedule: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// An open offer past its `valid_until` can no longer be accepted.
    pub expired: bool,
    pub cost: CostView,
    /// True when the price is above the most the request said it would pay.
    pub above_max_price: bool,
    /// For the holder's side: what accepting would leave in each portion.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub portions: Vec<PortionFit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commission_id: Option<CommissionId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("offer {what}"))
}

pub(super) fn asked_of(row: &RequestRow) -> Result<Asked, StoreError> {
    Ok(Asked {
        unit: row.unit,
        quantity: Quantity::from_hundredths(row.quantity_centi),
        start_date: row.start_date,
        end_date: row.end_date,
    })
}

/// The offer's terms as they were checked when it was made.
pub(super) fn terms_of(
    row: &OfferRow,
    asked: &Asked,
    today: NaiveDate,
) -> Result<OfferTerms, AppError> {
    let input = stored_input(row)?;
    // Stored terms passed these checks once; the date checks must not fail later.
    let mut terms = check_offer(input, asked, today.min(row.created_at.date()))
        .map_err(|_| corrupt("terms"))?;
    terms.valid_until = row.valid_until;
    Ok(terms)
}

fn stored_input(row: &OfferRow) -> Result<OfferInput, StoreError> {
    Ok(OfferInput {
        listing_id: Some(row.listing_id),
        price: Some(crate::domain::listings::PriceInput {
            amount: Some(Money::from_pence(row.price_pence).to_string()),
            unit: Some(row.unit.code().to_owned()),
        }),
        rates: Some(row.rates.0.clone()),
        fees: Some(row.fees.0.clone()),
        visits_per_week: row
            .visits_per_week_centi
            .map(|v| Value::String(Quantity::from_hundredths(v).to_string())),
        start_date: Some(row.start_date.to_string()),
        schedule: Some(row.schedule.clone()),
        message: Some(row.message.clone()),
        valid_until: row.valid_until.map(|d| d.to_string()),
    })
}

/// A portion of the plan and the money it has available now.
pub struct Available {
    pub portion_id: PortionId,
    pub mode: PortionMode,
    pub available: Money,
}

/// What each portion of a plan has available, read once for all its offers.
fn available(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<Available>, AppError> {
    let balances = ledger::balances_of_plan(conn, plan_id)?;
    plan_store::portions(conn, plan_id)?
        .into_iter()
        .map(|p| {
            Ok(Available {
                portion_id: p.id,
                mode: p.mode,
                available: balances.get(&p.id).copied().unwrap_or_default().available(),
            })
        })
        .collect()
}

pub fn view(
    conn: &mut DbConnection,
    row: &OfferRow,
    request: &RequestRow,
    // The plan's portions and what each has available, for the holder's side.
    portions: Option<&[Available]>,
    today: NaiveDate,
) -> Result<OfferView, AppError> {
    let status = row.status;
    let cost = &row.cost.0;
    let seller = account_store::find(conn, row.seller_id)?.ok_or(AppError::NotFound)?;
    let listing_title = listing_store::find(conn, row.listing_id)?
        .map(|l| l.content.title)
        .unwrap_or_default();
    let portions = match portions {
        Some(portions) if status == OfferStatus::Open => portions
            .iter()
            .map(|p| {
                let left = p.available.pence() - cost.total.pence();
                PortionFit {
                    portion_id: p.portion_id,
                    mode: p.mode,
                    mode_label: p.mode.label(),
                    available: p.available,
                    left_after: Money::from_pence(left.max(0)),
                    fits: left >= 0,
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(OfferView {
        id: row.id,
        request_id: row.request_id,
        status,
        status_label: status.label(),
        seller: AccountRef {
            id: seller.id,
            name: seller.name,
        },
        listing_id: row.listing_id,
        listing_title,
        price: Price {
            amount: Money::from_pence(row.price_pence),
            unit: row.unit,
        },
        rates: row.rates.0.clone(),
        fees: row.fees.0.clone(),
        visits_per_week: row.visits_per_week_centi.map(Quantity::from_hundredths),
        start_date: row.start_date,
        end_date: request.end_date,
        schedule: row.schedule.clone(),
        message: row.message.clone(),
        valid_until: row.valid_until,
        expired: status == OfferStatus::Open && row.valid_until.is_some_and(|v| v < today),
        cost: CostView::of(cost),
        above_max_price: request.unit == row.unit
            && request.max_price_pence.is_some_and(|m| row.price_pence > m),
        portions,
        commission_id: row.commission_id,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// Checks and prices an offer against its request; returns the row to store.
#[allow(clippy::too_many_arguments)]
fn priced_row(
    conn: &mut DbConnection,
    account: &Account,
    request: &RequestRow,
    input: OfferInput,
    listing_id: ListingId,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<OfferRow, AppError> {
    let asked = asked_of(request)?;
    let terms = check_offer(input, &asked, today).map_err(AppError::Validation)?;
    let plan = plan_store::find(conn, request.plan_id)?.ok_or(AppError::NotFound)?;
    let portions = plan_store::portions(conn, plan.id)?;
    let cost = price_offer(&terms, &asked, annual_budget(&plan, &portions)?)
        .map_err(AppError::Validation)?;
    let stored = terms.to_input();
    Ok(OfferRow {
        id: 0,
        request_id: request.id,
        seller_id: account.id,
        listing_id,
        status: OfferStatus::Open,
        unit: terms.unit,
        price_pence: terms.price.pence(),
        rates: Json(stored.rates.unwrap_or_default()),
        fees: Json(stored.fees.unwrap_or_default()),
        visits_per_week_centi: terms.visits_per_week.map(Quantity::hundredths),
        start_date: terms.start_date,
        schedule: terms.schedule,
        message: terms.message,
        valid_until: terms.valid_until,
        weekly_pence: cost.weekly.pence(),
        total_pence: cost.total.pence(),
        cost: Json(cost),
        commission_id: None,
        created_at: now,
        updated_at: now,
    })
}

/// Which of the seller's live listings the offer is made under.
fn offer_listing(
    conn: &mut DbConnection,
    account: &Account,
    request: &RequestRow,
    chosen: Option<ListingId>,
) -> Result<ListingId, AppError> {
    let areas = store::areas_of(conn, &[request.id])?
        .remove(&request.id)
        .unwrap_or_default();
    match chosen {
        Some(id) => {
            let fits = listing_store::find(conn, id)?.is_some_and(|l| {
                l.owner_id == account.id
                    && l.content.status == crate::domain::vocab::ListingStatus::Published
                    && l.content.category == request.category
                    && l.content.areas.iter().any(|a| areas.contains(a))
            });
            if fits {
                Ok(id)
            } else {
                Err(AppError::field(
                    "listing_id",
                    "must be one of your live listings in this category serving the request's area",
                ))
            }
        }
        None => store::matching_listing(conn, account.id, request.category, &areas)?
            .ok_or(AppError::NotFound),
    }
}

pub(super) fn request_open(row: &RequestRow, today: NaiveDate) -> Result<(), AppError> {
    if row.status_on(today) == RequestStatus::Open {
        Ok(())
    } else {
        Err(AppError::conflict(
            "request-closed",
            "This request is no longer taking offers.",
        ))
    }
}

/// A seller answers a request that fits one of their live listings.
pub fn make(
    conn: &mut DbConnection,
    account: &Account,
    request_id: i64,
    input: OfferInput,
    idempotency: Option<Idempotency>,
    now: DateTime<Utc>,
) -> Result<Created<OfferView>, AppError> {
    let today = now.date_naive();
    let now = now.naive_utc();
    create_once(conn, account.id, idempotency.as_ref(), now, |conn| {
        // Under the plan's lock: an offer is never left open on a request
        // that an acceptance or a withdrawal has just closed.
        locks::lock_plan_of(conn, Subject::Request(request_id))?.ok_or(AppError::NotFound)?;
        let request = store::find_request(conn, request_id)?.ok_or(AppError::NotFound)?;
        if !account.role.is_seller() || !fits_seller(conn, account.id, &request)? {
            // The plan's side may see the request but cannot answer it; others may not see it.
            return match audience(conn, account, &request) {
                Ok(_) => Err(AppError::Forbidden(
                    "Only a seller whose live listing fits the request can make an offer.".into(),
                )),
                Err(e) => Err(e),
            };
        }
        request_open(&request, today)?;
        let plan = plan_store::find(conn, request.plan_id)?.ok_or(AppError::NotFound)?;
        crate::services::conflicts::check_offer(conn, account, &plan)?;
        if offer_store::of_request(conn, request_id)?
            .iter()
            .any(|o| o.seller_id == account.id && o.status == OfferStatus::Open)
        {
            return Err(AppError::conflict(
                "offer-exists",
                "You already have an open offer on this request: revise it instead.",
            ));
        }
        let listing_id = offer_listing(conn, account, &request, input.listing_id)?;
        let row = priced_row(conn, account, &request, input, listing_id, today, now)?;
        let id = offer_store::insert(conn, &row)?;
        store::note_first_offer(conn, request_id, now)?;
        let row = offer_store::find(conn, id)?.ok_or(AppError::NotFound)?;
        let offer = view(conn, &row, &request, None, today)?;
        for to in mail::holder_side(conn, request.plan_id)? {
            let draft = mail::Draft {
                kind: "offer_received",
                subject: format!("New offer from {}", offer.seller.name),
                summary: "A seller has answered your request for support with an offer made for you. Compare the offers and accept the one you want.".into(),
                facts: offer_facts(&offer),
                action_label: "Compare your offers",
                action_path: format!("/requests/{request_id}"),
            };
            mail::tell(conn, &to, &draft, now)?;
        }
        Ok(offer)
    })
}

pub(super) fn offer_facts(offer: &OfferView) -> Vec<(String, String)> {
    vec![
        ("From".into(), offer.seller.name.clone()),
        (
            "Price".into(),
            format!(
                "{} {}",
                offer.price.amount.display_gbp(),
                offer.price.unit.each()
            ),
        ),
        ("Each week".into(), offer.cost.weekly.display_gbp()),
        ("In total".into(), offer.cost.total.display_gbp()),
    ]
}

/// The offer and its request, if the caller may see the offer: its seller,
/// or the request's plan side.
fn visible_offer(
    conn: &mut DbConnection,
    account: &Account,
    id: i64,
) -> Result<(OfferRow, RequestRow, Option<ActingAs>), AppError> {
    let offer = offer_store::find(conn, id)?.ok_or(AppError::NotFound)?;
    let request = store::find_request(conn, offer.request_id)?.ok_or(AppError::NotFound)?;
    if offer.seller_id == account.id {
        return Ok((offer, request, Some(ActingAs::Seller)));
    }
    match audience(conn, account, &request) {
        Ok(Audience::PlanSide(acting)) => Ok((offer, request, Some(acting))),
        _ => Err(AppError::NotFound),
    }
}

pub fn get(
    conn: &mut DbConnection,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<OfferView, AppError> {
    let (offer, request, acting) = visible_offer(conn, account, id)?;
    let portions = match acting {
        Some(ActingAs::Seller) | None => None,
        Some(_) => Some(available(conn, request.plan_id)?),
    };
    view(conn, &offer, &request, portions.as_deref(), today)
}

/// The offers on a request: all of them for the plan's side, with what each
/// would leave in each portion; a seller sees only their own.
pub fn of_request(
    conn: &mut DbConnection,
    account: &Account,
    request_id: i64,
    today: NaiveDate,
) -> Result<Vec<OfferView>, AppError> {
    let request = store::find_request(conn, request_id)?.ok_or(AppError::NotFound)?;
    let audience = audience(conn, account, &request)?;
    let rows = offer_store::of_request(conn, request_id)?;
    let portions = match audience {
        Audience::PlanSide(_) => Some(available(conn, request.plan_id)?),
        Audience::Seller => None,
    };
    rows.iter()
        .filter(|o| match audience {
            Audience::PlanSide(_) => o.status != OfferStatus::Withdrawn,
            Audience::Seller => o.seller_id == account.id,
        })
        .map(|o| view(conn, o, &request, portions.as_deref(), today))
        .collect()
}

/// A seller's own offers, newest first.
pub fn of_seller(
    conn: &mut DbConnection,
    account: &Account,
    today: NaiveDate,
) -> Result<Vec<OfferView>, AppError> {
    let rows = offer_store::of_seller(conn, account.id)?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let request = store::find_request(conn, row.request_id)?.ok_or(AppError::NotFound)?;
        views.push(view(conn, &row, &request, None, today)?);
    }
    Ok(views)
}

fn own_open_offer(
    conn: &mut DbConnection,
    account: &Account,
    id: i64,
) -> Result<(OfferRow, RequestRow), AppError> {
    let (offer, request, acting) = visible_offer(conn, account, id)?;
    if acting != Some(ActingAs::Seller) {
        return Err(AppError::Forbidden(
            "Only the seller who made an offer can change it.".into(),
        ));
    }
    if offer.status != OfferStatus::Open {
        return Err(AppError::conflict(
            "offer-state",
            format!(
                "This offer is {}; only an open offer can be changed.",
                offer.status.label().to_lowercase()
            ),
        ));
    }
    Ok((offer, request))
}

/// The seller revises an open offer: what is given replaces, the rest stays,
/// and the cost is worked out again.
pub fn revise(
    conn: &mut DbConnection,
    account: &Account,
    id: i64,
    input: OfferInput,
    now: DateTime<Utc>,
) -> Result<OfferView, AppError> {
    let today = now.date_naive();
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        // Under the plan's lock, so an acceptance reads either these terms or the old ones.
        locks::lock_plan_of(conn, Subject::Offer(id))?.ok_or(AppError::NotFound)?;
        let (offer, request) = own_open_offer(conn, account, id)?;
        request_open(&request, today)?;
        let plan = plan_store::find(conn, request.plan_id)?.ok_or(AppError::NotFound)?;
        crate::services::conflicts::check_offer(conn, account, &plan)?;
        let listing_id = match input.listing_id {
            Some(chosen) => offer_listing(conn, account, &request, Some(chosen))?,
            None => offer.listing_id,
        };
        let merged = input.over(stored_input(&offer)?);
        let mut row = priced_row(conn, account, &request, merged, listing_id, today, now)?;
        row.id = id;
        row.created_at = offer.created_at;
        if !offer_store::revise(conn, &row)? {
            return Err(AppError::conflict(
                "offer-state",
                "This offer is no longer open.",
            ));
        }
        let row = offer_store::find(conn, id)?.ok_or(AppError::NotFound)?;
        view(conn, &row, &request, None, today)
    })
}

/// The seller withdraws an open offer.
pub fn withdraw(
    conn: &mut DbConnection,
    account: &Account,
    id: i64,
    now: DateTime<Utc>,
) -> Result<OfferView, AppError> {
    let today = now.date_naive();
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        locks::lock_plan_of(conn, Subject::Offer(id))?.ok_or(AppError::NotFound)?;
        let (_, request) = own_open_offer(conn, account, id)?;
        if !offer_store::close(conn, id, OfferStatus::Withdrawn, None, now)? {
            return Err(AppError::conflict(
                "offer-state",
                "This offer is no longer open.",
            ));
        }
        let row = offer_store::find(conn, id)?.ok_or(AppError::NotFound)?;
        view(conn, &row, &request, None, today)
    })
}

/// Declines every open offer on a request except `keep`, telling each seller.
pub fn decline_open_offers(
    conn: &mut DbConnection,
    request: &RequestRow,
    keep: Option<i64>,
    summary: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for offer in offer_store::of_request(conn, request.id)? {
        if Some(offer.id) == keep || offer.status != OfferStatus::Open {
            continue;
        }
        if offer_store::close(conn, offer.id, OfferStatus::Declined, None, now)? {
            if let Some(to) = mail::recipient(conn, offer.seller_id)? {
                let draft = mail::Draft {
                    kind: "offer_declined",
                    subject: "Your offer was not taken up".into(),
                    summary: summary.to_owned(),
                    facts: vec![
                        ("Request".into(), format!("Request {}", request.id)),
                        (
                            "Your price".into(),
                            Money::from_pence(offer.price_pence).display_gbp(),
                        ),
                    ],
                    action_label: "See requests that fit you",
                    action_path: "/requests".into(),
                };
                mail::tell(conn, &to, &draft, now)?;
            }
        }
    }
    Ok(())
}

//! `/listings`, `/sellers` and `/tools/pa-cost`.

use crate::domain::ids::{AccountId, ListingId};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::responses::{Forbidden, Invalid};
use super::{Items, ListPage, PageQuery};
use crate::domain::listings::ListingInput;
use crate::domain::money::Money;
use crate::domain::pa_cost::PaCost;
use crate::domain::pa_cost::{pa_cost, PaCostRequest, RateBook};
use crate::domain::sellers::ProfileInput;
use crate::error::{AppError, FieldErrors};
use crate::services::listings::{ListingView, PriceChange};
use crate::services::sellers::SellerView;
use crate::services::{listings, sellers};
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;
use crate::web::state::AppState;

#[utoipa::path(
    post,
    path = "/api/v1/listings",
    operation_id = "listings_create",
    tag = "listings",
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new listing", body = ListingView),
        Forbidden,
        Invalid
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<ListingInput>,
) -> Result<HttpResponse, ApiError> {
    let places = state.places;
    let listing = state
        .db
        .run(move |conn| {
            listings::create(conn, places, &caller.account, body.into_inner(), Utc::now())
        })
        .await?;
    Ok(HttpResponse::Created().json(listing))
}

#[utoipa::path(
    get,
    path = "/api/v1/listings/{id}",
    operation_id = "listings_show",
    tag = "listings",
    params(("id" = i64, Path, description = "The listing")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The listing", body = ListingView)
    )
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: Option<ApiAccount>,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let listing = state
        .db
        .run(move |conn| listings::get(conn, caller.as_ref().map(|c| &c.account), id, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(listing))
}

#[utoipa::path(
    patch,
    path = "/api/v1/listings/{id}",
    operation_id = "listings_update",
    tag = "listings",
    params(("id" = i64, Path, description = "The listing")),
    security(("bearer" = [])),
    responses(
        Forbidden,
        (status = 200, description = "The listing, changed", body = ListingView),
        (status = 409, description = "The listing is withdrawn, or the status may not change that way"),
        Invalid
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<ListingId>,
    body: web::Json<ListingInput>,
) -> Result<HttpResponse, ApiError> {
    let (places, id) = (state.places, id.into_inner());
    let listing = state
        .db
        .run(move |conn| {
            listings::update(
                conn,
                places,
                &caller.account,
                id,
                body.into_inner(),
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(listing))
}

#[utoipa::path(
    delete,
    path = "/api/v1/listings/{id}",
    operation_id = "listings_withdraw",
    tag = "listings",
    params(("id" = i64, Path, description = "The listing")),
    security(("bearer" = [])),
    responses(
        Forbidden,
        (status = 200, description = "The listing, withdrawn for good", body = ListingView),
        (status = 409, description = "Already withdrawn")
    )
)]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: ApiAccount,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let listing = state
        .db
        .run(move |conn| listings::withdraw(conn, &caller.account, id, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(listing))
}

#[utoipa::path(
    get,
    path = "/api/v1/listings/{id}/price-history",
    operation_id = "listings_price_history",
    tag = "listings",
    params(("id" = i64, Path, description = "The listing")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Every price the listing has had, oldest first", body = Items<PriceChange>)
    )
)]
pub async fn price_history(
    state: web::Data<AppState>,
    caller: Option<ApiAccount>,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let history = state
        .db
        .run(move |conn| {
            listings::price_history(conn, caller.as_ref().map(|c| &c.account), id, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Items { items: history }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    owner: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// `?owner=me` lists the caller's own listings, every status; `?owner=ID` a seller's live ones.
#[utoipa::path(
    get,
    path = "/api/v1/listings",
    operation_id = "listings_list",
    tag = "listings",
    security((), ("bearer" = [])),
    responses(
        (status = 403, description = "`owner=me` from an account that does not sell"),
        (status = 200, description = "Your own listings (`owner=me`) or a seller's live ones", body = ListPage<ListingView>),
        (status = 401, description = "`owner=me` without signing in"),
        Invalid
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Option<ApiAccount>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let paging = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .paging()?;
    let owner = query.owner.clone().unwrap_or_default();
    let page = match owner.as_str() {
        "me" => {
            let caller = caller.ok_or_else(|| {
                AppError::Unauthenticated("Sign in to list your own listings.".into())
            })?;
            state
                .db
                .run(move |conn| {
                    listings::mine(
                        conn,
                        &caller.account,
                        paging.offset(),
                        paging.per_page,
                        Utc::now(),
                    )
                })
                .await?
        }
        other => {
            let seller: AccountId = other.parse().map_err(|_| {
                AppError::field("owner", "is required: me, or a seller's account id (to find listings, use /api/v1/search)")
            })?;
            state
                .db
                .run(move |conn| {
                    listings::live_of(conn, seller, paging.offset(), paging.per_page, Utc::now())
                })
                .await?
        }
    };
    Ok(HttpResponse::Ok().json(ListPage {
        items: page.items,
        total: page.total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/sellers/{id}",
    operation_id = "listings_seller",
    tag = "listings",
    params(("id" = i64, Path, description = "The seller")),
    responses(
        (status = 200, description = "A seller's public profile and live listings", body = SellerView)
    )
)]
pub async fn seller(
    state: web::Data<AppState>,
    id: web::Path<AccountId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let profile = state
        .db
        .run(move |conn| sellers::public_profile(conn, id, 100, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(profile))
}

#[utoipa::path(
    get,
    path = "/api/v1/sellers/me",
    operation_id = "listings_my_profile",
    tag = "listings",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your public profile", body = SellerView),
        Forbidden
    )
)]
pub async fn my_profile(
    state: web::Data<AppState>,
    caller: ApiAccount,
) -> Result<HttpResponse, ApiError> {
    let profile = state
        .db
        .run(move |conn| sellers::public_profile_of_seller(conn, &caller.account, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(profile))
}

#[utoipa::path(
    put,
    path = "/api/v1/sellers/me",
    operation_id = "listings_save_my_profile",
    tag = "listings",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your public profile, replaced", body = SellerView),
        Forbidden,
        Invalid
    )
)]
pub async fn save_my_profile(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<ProfileInput>,
) -> Result<HttpResponse, ApiError> {
    let places = state.places;
    let profile = state
        .db
        .run(move |conn| {
            sellers::save_profile(conn, places, &caller.account, body.into_inner(), Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(profile))
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct PaCostQuery {
    pub hourly_pay: Option<String>,
    pub hours_per_week: Option<String>,
    pub tax_year: Option<String>,
    pub employment_allowance: Option<String>,
}

/// Checks the calculator's inputs; shared with the calculator page.
pub fn pa_cost_request(query: &PaCostQuery) -> Result<(PaCostRequest, String), AppError> {
    let mut errors = FieldErrors::new();
    let hourly_pay = errors
        .required(
            "hourly_pay",
            query.hourly_pay.as_deref().filter(|s| !s.trim().is_empty()),
        )
        .and_then(|p| errors.check("hourly_pay", Money::parse_lenient(p)))
        .filter(|p| p.pence() > 0 && p.pence() <= 100_000);
    if hourly_pay.is_none() && errors.get("hourly_pay").is_none() {
        errors.add(
            "hourly_pay",
            "must be more than £0.00 and at most £1,000.00 an hour",
        );
    }
    let hours = errors
        .required(
            "hours_per_week",
            query
                .hours_per_week
                .as_deref()
                .filter(|s| !s.trim().is_empty()),
        )
        .and_then(|h| {
            let parsed = Decimal::from_str(h.trim())
                .ok()
                .filter(|h| *h > Decimal::ZERO && *h <= Decimal::from(100) && h.scale() <= 2);
            if parsed.is_none() {
                errors.add(
                    "hours_per_week",
                    "must be a number of hours from 0.25 to 100, like 20 or 7.5",
                );
            }
            parsed
        });
    let book = RateBook::get();
    let tax_year = match query
        .tax_year
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(year) if book.year(year).is_some() => Some(year.to_owned()),
        Some(_) => {
            let known: Vec<&str> = book.names().collect();
            errors.add("tax_year", format!("must be one of {}", known.join(", ")));
            None
        }
        None => Some(book.for_date(Utc::now().date_naive()).tax_year.clone()),
    };
    let employment_allowance = match query.employment_allowance.as_deref() {
        None | Some("true" | "1" | "yes" | "on") => true,
        Some("false" | "0" | "no" | "off") => false,
        Some(_) => {
            errors.add("employment_allowance", "must be true or false");
            true
        }
    };
    errors.into_result()?;
    Ok((
        PaCostRequest {
            hourly_pay: hourly_pay.expect("checked"),
            hours_per_week: hours.expect("checked"),
            employment_allowance,
        },
        tax_year.expect("checked"),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/tools/pa-cost",
    operation_id = "listings_pa_cost_tool",
    tag = "listings",
    responses(
        (status = 200, description = "The true cost of employing a personal assistant", body = PaCost),
        Invalid
    )
)]
pub async fn pa_cost_tool(query: web::Query<PaCostQuery>) -> Result<HttpResponse, ApiError> {
    let (request, tax_year) = pa_cost_request(&query)?;
    let rates = RateBook::get().year(&tax_year).expect("checked");
    let cost = pa_cost(rates, request).map_err(|e| AppError::field("hourly_pay", e.to_string()))?;
    Ok(HttpResponse::Ok().json(cost))
}

#[utoipa::path(
    get,
    path = "/api/v1/vocabularies",
    operation_id = "listings_vocabularies",
    tag = "listings",
    responses(
        (status = 200, description = "Every fixed vocabulary, with codes and labels", body = Vocabularies)
    )
)]
pub async fn vocabularies() -> HttpResponse {
    use crate::domain::vocab::*;
    fn entries<V: Vocabulary>() -> Vec<VocabularyEntry> {
        V::iter()
            .map(|v| VocabularyEntry {
                code: v.code(),
                label: v.label(),
            })
            .collect()
    }
    let languages = LANGUAGES
        .iter()
        .map(|(code, label)| VocabularyEntry { code, label })
        .collect();
    HttpResponse::Ok().json(Vocabularies {
        categories: entries::<Category>(),
        units: entries::<Unit>(),
        bands: entries::<Band>(),
        fee_kinds: entries::<FeeKind>(),
        fee_per: entries::<FeePer>(),
        employment: entries::<Employment>(),
        statuses: entries::<ListingStatus>(),
        languages,
    })
}

/// A code the API reads and writes, and what people read for it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VocabularyEntry {
    code: &'static str,
    label: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Vocabularies {
    categories: Vec<VocabularyEntry>,
    units: Vec<VocabularyEntry>,
    /// Times of week, for `availability`.
    bands: Vec<VocabularyEntry>,
    fee_kinds: Vec<VocabularyEntry>,
    fee_per: Vec<VocabularyEntry>,
    employment: Vec<VocabularyEntry>,
    statuses: Vec<VocabularyEntry>,
    languages: Vec<VocabularyEntry>,
}

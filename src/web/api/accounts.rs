//! `POST /accounts`, `POST /sessions`, `DELETE /sessions/current`, `GET`/`PATCH /me`.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Deserializer};

use super::responses::Invalid;
use crate::services::accounts::{self, Account, ProfileChange, Registration, SignedIn};
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RegisterBody {
    email: Option<String>,
    password: Option<String>,
    name: Option<String>,
    role: Option<String>,
    council: Option<String>,
    postcode: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts",
    operation_id = "accounts_register",
    tag = "accounts",
    responses(
        (status = 201, description = "The new account", body = Account),
        (status = 409, description = "An account with this email exists (`email-taken`)"),
        Invalid
    )
)]
pub async fn register(
    state: web::Data<AppState>,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let input = Registration {
        email: body.email,
        password: body.password,
        name: body.name,
        role: body.role,
        council: body.council,
        postcode: body.postcode,
    };
    let places = state.places;
    let account = state
        .db
        .run(move |conn| accounts::register(conn, places, input, Utc::now()))
        .await?;
    Ok(HttpResponse::Created().json(account))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignInBody {
    email: Option<String>,
    password: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/sessions",
    operation_id = "accounts_sign_in",
    tag = "accounts",
    responses(
        (status = 200, description = "Signed in: send `token` as a Bearer token", body = SignedIn),
        (status = 401, description = "Wrong email or password"),
        Invalid,
        (status = 429, description = "Too many failed attempts from this address (for this email, or for many); `retry_after` says when to try again")
    )
)]
pub async fn sign_in(
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    body: web::Json<SignInBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let keys = state.keys.clone();
    let client = crate::web::headers::client_of(&request);
    let signed_in = state
        .db
        .run(move |conn| {
            accounts::sign_in(
                conn,
                &keys,
                body.email.as_deref(),
                body.password.as_deref(),
                &client,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(signed_in))
}

#[utoipa::path(
    delete,
    path = "/api/v1/sessions/current",
    operation_id = "accounts_sign_out",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out: the token no longer works")
    )
)]
pub async fn sign_out(
    state: web::Data<AppState>,
    caller: ApiAccount,
) -> Result<HttpResponse, ApiError> {
    state
        .db
        .run(move |conn| accounts::sign_out(conn, &caller.session_id, Utc::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "accounts_me",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your account", body = Account)
    )
)]
pub async fn me(caller: ApiAccount) -> HttpResponse {
    HttpResponse::Ok().json(caller.account)
}

/// Distinguishes a field set to `null` (`Some(None)`) from one left out (`None`).
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateMeBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    postcode: Option<Option<String>>,
}

#[utoipa::path(
    patch,
    path = "/api/v1/me",
    operation_id = "accounts_update_me",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your account, changed", body = Account),
        Invalid
    )
)]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: ApiAccount,
    body: web::Json<UpdateMeBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let change = ProfileChange {
        name: body.name,
        postcode: body.postcode,
    };
    let places = state.places;
    let account = state
        .db
        .run(move |conn| accounts::update_profile(conn, places, &caller.account, change))
        .await?;
    Ok(HttpResponse::Ok().json(account))
}

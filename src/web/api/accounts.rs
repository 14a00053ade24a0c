//! `POST /accounts`, `POST /sessions`, `DELETE /sessions/current`, `GET`/`PATCH /me`.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Deserializer};

use crate::services::accounts::{self, ProfileChange, Registration};
use crate::startup::AppState;
use crate::web::auth::ApiAccount;
use crate::web::problem::ApiError;

#[derive(Debug, Deserialize)]
pub struct RegisterBody {
    email: Option<String>,
    password: Option<String>,
    name: Option<String>,
    role: Option<String>,
    council: Option<String>,
    postcode: Option<String>,
}

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

#[derive(Debug, Deserialize)]
pub struct SignInBody {
    email: Option<String>,
    password: Option<String>,
}

pub async fn sign_in(
    state: web::Data<AppState>,
    body: web::Json<SignInBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let keys = state.keys.clone();
    let signed_in = state
        .db
        .run(move |conn| {
            accounts::sign_in(
                conn,
                &keys,
                body.email.as_deref(),
                body.password.as_deref(),
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(signed_in))
}

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

pub async fn me(caller: ApiAccount) -> HttpResponse {
    HttpResponse::Ok().json(caller.account)
}

/// Distinguishes a field set to `null` (`Some(None)`) from one left out (`None`).
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize)]
pub struct UpdateMeBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    postcode: Option<Option<String>>,
}

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

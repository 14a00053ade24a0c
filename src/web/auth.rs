//! Who is asking. The API reads a Bearer token; pages read the same token
//! from an HttpOnly cookie. Either way the session must still be open.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::Utc;
use futures_util::future::LocalBoxFuture;

use super::csrf::CsrfToken;
use super::pages::PageError;
use super::problem::ApiError;
use crate::error::AppError;
use crate::services::accounts::{self, Account};
use crate::web::state::AppState;

pub const SESSION_COOKIE: &str = "bespoke_session";

fn state(req: &HttpRequest) -> web::Data<AppState> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .expect("the application state is registered")
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

async fn authenticate(
    state: web::Data<AppState>,
    token: String,
) -> Result<(Account, String), AppError> {
    let keys = state.keys.clone();
    state
        .db
        .run(move |conn| accounts::authenticate(conn, &keys, &token, Utc::now()))
        .await
}

/// A signed-in caller of the API. Missing or dead tokens answer 401.
pub struct ApiAccount {
    pub account: Account,
    pub session_id: String,
}

impl FromRequest for ApiAccount {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state(req);
        let token = bearer_token(req);
        Box::pin(async move {
            let token = token.ok_or_else(|| {
                AppError::Unauthenticated(
                    "Sign in first, and send the token from POST /api/v1/sessions as Authorization: Bearer <token>."
                        .into(),
                )
            })?;
            let (account, session_id) = authenticate(state, token).await?;
            Ok(ApiAccount {
                account,
                session_id,
            })
        })
    }
}

/// Whoever is viewing a page: signed in or not, with the form token for the page's forms.
pub struct Visitor {
    pub account: Option<Account>,
    pub session_id: Option<String>,
    pub csrf: String,
    /// The path and query, to come back to after signing in.
    pub here: String,
}

impl Visitor {
    /// The signed-in account, or a redirect to the sign-in page that comes back here.
    pub fn signed_in(&self) -> Result<&Account, PageError> {
        self.account
            .as_ref()
            .ok_or_else(|| PageError::SignInRequired {
                next: self.here.clone(),
            })
    }
}

impl FromRequest for Visitor {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state(req);
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let csrf = req
            .extensions()
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let here = req
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        Box::pin(async move {
            let session = match token {
                // A stale or forged cookie just means "not signed in".
                Some(token) => match authenticate(state, token).await {
                    Ok(found) => Some(found),
                    Err(AppError::Unauthenticated(_)) => None,
                    Err(other) => return Err(PageError::App(other)),
                },
                None => None,
            };
            let (account, session_id) = session.unzip();
            Ok(Visitor {
                account,
                session_id,
                csrf,
                here,
            })
        })
    }
}

pub fn session_cookie(token: &str, lifetime: chrono::Duration, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::seconds(lifetime.num_seconds()))
        .finish()
}

pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = session_cookie("", chrono::Duration::zero(), secure);
    cookie.make_removal();
    cookie
}

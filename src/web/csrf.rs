//! Protection against cross-site form posts, by the double-submit pattern:
//! every browser gets a random token in a `SameSite=Strict` cookie, each form
//! carries the same token in a hidden field, and a post is accepted only when
//! the two match. Another site can neither read the cookie nor set it.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use base64::Engine;
use futures_util::future::LocalBoxFuture;
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::pages::PageError;
use crate::error::AppError;

pub const CSRF_COOKIE: &str = "bespoke_csrf";
pub const CSRF_FIELD: &str = "csrf_token";

/// This browser's form token, put in the request by [`attach_token`].
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Makes the request's form token available to handlers. Returns a cookie to
/// set on the response when the browser had no token yet.
pub fn attach_token(req: &ServiceRequest, secure: bool) -> Option<Cookie<'static>> {
    if req.path().starts_with("/api/") {
        return None;
    }
    let existing = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| well_formed(t));
    let token = existing.clone().unwrap_or_else(new_token);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    existing.is_none().then(|| {
        Cookie::build(CSRF_COOKIE, token)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(secure)
            .finish()
    })
}

/// A form post whose token matched; use it in place of `web::Form` for every
/// form that changes anything.
pub struct ProtectedForm<T>(pub T);

#[derive(Deserialize)]
struct TokenField {
    csrf_token: Option<String>,
}

impl<T: DeserializeOwned + 'static> FromRequest for ProtectedForm<T> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let expected = req.extensions().get::<CsrfToken>().map(|t| t.0.clone());
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|_| {
                PageError::App(AppError::Malformed("The form could not be read.".into()))
            })?;
            let given = serde_urlencoded::from_bytes::<TokenField>(&body)
                .ok()
                .and_then(|f| f.csrf_token);
            let matches = match (expected, given) {
                (Some(expected), Some(given)) => {
                    bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
                }
                _ => false,
            };
            if !matches {
                return Err(PageError::FormExpired);
            }
            serde_html_form::from_bytes::<T>(&body)
                .map(ProtectedForm)
                .map_err(|e| {
                    PageError::App(AppError::Malformed(format!(
                        "The form could not be read: {e}"
                    )))
                })
        })
    }
}

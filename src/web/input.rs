//! Hostile text is refused at the door. Every query parameter and every field
//! of a JSON or form body, at any depth, is checked by the domain's text rule
//! (no NUL or other control characters, no bidi overrides, a length limit)
//! before any handler sees it: a clear 422 naming the field, on every route,
//! instead of a database error deep inside.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpResponse, ResponseError};
use futures_util::StreamExt;
use serde_json::Value;

use super::pages::PageError;
use super::problem::{ApiError, Problem};
use crate::domain::text;
use crate::error::{AppError, FieldErrors};

/// The first field that breaks the text rule: its name and what is wrong.
type Refusal = (String, String);

fn check_field(path: &str, name: &str, value: &str) -> Result<(), Refusal> {
    text::check(value, text::is_multiline(name)).map_err(|message| (path.to_owned(), message))
}

/// Walks a JSON value; `path` names the field as the API documents it
/// (`areas[2]`, `portions[0].mode`).
fn check_json(path: &str, name: &str, value: &Value) -> Result<(), Refusal> {
    match value {
        Value::String(s) => check_field(path, name, s),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_json(&format!("{path}[{i}]"), name, item)),
        Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
            let field = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            check_field(&field, key, key)?;
            check_json(&field, key, item)
        }),
        _ => Ok(()),
    }
}

fn check_pairs(pairs: &[(String, String)]) -> Result<(), Refusal> {
    pairs.iter().try_for_each(|(key, value)| {
        // Where to go after signing in has its own rule (pages::safe_next):
        // a path on this site, and 400 for control characters.
        if key == "next" {
            return check_field(key, key, key);
        }
        check_field(key, key, key)?;
        check_field(key, key, value)
    })
}

#[derive(PartialEq)]
enum BodyKind {
    Json,
    Form,
}

/// JSON the way actix reads it (`*/json`, `*/*+json`); any other body is read
/// as a form, since the pages' form extractor takes a body whatever its type.
fn body_kind(req: &ServiceRequest) -> BodyKind {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let subtype = essence.split_once('/').map_or("", |(_, sub)| sub);
    if subtype == "json" || subtype.ends_with("+json") {
        BodyKind::Json
    } else {
        BodyKind::Form
    }
}

/// A compressed body could not be checked: it is refused (415) instead.
fn is_encoded(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"))
}

fn check_body(kind: &BodyKind, body: &[u8]) -> Result<(), Refusal> {
    match kind {
        // A body that does not parse is left to the handler's own error.
        BodyKind::Json => match serde_json::from_slice::<Value>(body) {
            Ok(value) => check_json("", "", &value),
            Err(_) => Ok(()),
        },
        BodyKind::Form => match serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) {
            Ok(pairs) => check_pairs(&pairs),
            Err(_) => Ok(()),
        },
    }
}

fn refuse(req: &ServiceRequest, (field, message): Refusal) -> HttpResponse {
    let error = AppError::Validation(FieldErrors::single(&field, message));
    if is_api(req) {
        ApiError(error).error_response()
    } else {
        PageError::App(error).error_response()
    }
}

fn is_api(req: &ServiceRequest) -> bool {
    req.path().starts_with("/api/") || req.path().starts_with("/openreferral")
}

fn refuse_status(req: &ServiceRequest, status: StatusCode) -> HttpResponse {
    if is_api(req) {
        Problem::for_status(status).response()
    } else {
        HttpResponse::build(status).finish()
    }
}

/// The middleware: checks the query string, then reads a JSON or form body,
/// checks it, and hands the same bytes on to the handler.
pub async fn refuse_hostile_text(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string()) {
        if let Err(refusal) = check_pairs(&pairs) {
            let response = refuse(&req, refusal);
            return Ok(req.into_response(response).map_into_right_body());
        }
    }
    let has_body = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .is_none_or(|length| length.as_bytes() != b"0");
    if has_body && !matches!(*req.method(), Method::GET | Method::HEAD) {
        if is_encoded(&req) {
            let response = refuse_status(&req, StatusCode::UNSUPPORTED_MEDIA_TYPE);
            return Ok(req.into_response(response).map_into_right_body());
        }
        let kind = body_kind(&req);
        let mut payload = req.take_payload();
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                // Answered here, not raised: the security headers are added on the way out.
                Err(error) => {
                    let response = Error::from(error).error_response();
                    return Ok(req.into_response(response).map_into_right_body());
                }
            };
            if body.len() + chunk.len() > super::MAX_BODY_BYTES {
                let response = refuse_status(&req, StatusCode::PAYLOAD_TOO_LARGE);
                return Ok(req.into_response(response).map_into_right_body());
            }
            body.extend_from_slice(&chunk);
        }
        let body = body.freeze();
        if let Err(refusal) = check_body(&kind, &body) {
            let response = refuse(&req, refusal);
            return Ok(req.into_response(response).map_into_right_body());
        }
        req.set_payload(Payload::from(body));
    }
    Ok(next.call(req).await?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_names_the_field_at_any_depth() {
        let body = serde_json::json!({
            "title": "Fine",
            "areas": ["M14", "M1\u{0}5"],
        });
        assert_eq!(check_json("", "", &body).unwrap_err().0, "areas[1]");
        let body = serde_json::json!({"portions": [{"note": "two\nlines", "mode": "a\nb"}]});
        assert_eq!(check_json("", "", &body).unwrap_err().0, "portions[0].mode");
        let body = serde_json::json!({"description": "two\nlines\tand a tab"});
        assert!(check_json("", "", &body).is_ok());
        let pairs = vec![("name".to_owned(), "Evil\u{202E}".to_owned())];
        assert_eq!(check_pairs(&pairs).unwrap_err().0, "name");
    }
}

//! RFC 9457 problem details for everything under `/api/`: handler errors,
//! extractor errors (bad JSON, bad query strings, oversized bodies) and
//! responses the router makes itself (unknown paths, wrong methods).

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{AppError, FieldErrors};

pub const PROBLEM_JSON: &str = "application/problem+json";
const PROBLEM_BASE: &str = "https://bespoke.example/problems/";

/// The largest JSON body the API reads.
pub const JSON_LIMIT_BYTES: usize = 64 * 1024;

/// An RFC 9457 problem. Some problems add members of their own:
/// `budget-exceeded` gives `available` and `requested` (money strings),
/// `too-many-attempts` gives `retry_after` (seconds).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Names the kind of problem, e.g. `https://bespoke.example/problems/budget-exceeded`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, in plain English.
    pub detail: String,
    /// For `validation-failed`: messages for each invalid field, keyed by the field's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
    /// Problem-specific members, such as `available` and `requested`.
    #[serde(flatten)]
    #[schema(ignore)]
    pub extra: Map<String, Value>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("{PROBLEM_BASE}{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
            extra: Map::new(),
        }
    }

    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status)
            .content_type(PROBLEM_JSON)
            .body(serde_json::to_string(self).expect("problems serialise"))
    }

    /// A plain problem for a status the router or a middleware produced.
    pub fn for_status(status: StatusCode) -> Self {
        let (slug, title, detail) = match status.as_u16() {
            400 => (
                "malformed-request",
                "Malformed request",
                "The request could not be read.",
            ),
            401 => (
                "unauthenticated",
                "Not signed in",
                "Sign in and send the token as a Bearer token.",
            ),
            403 => ("forbidden", "Not allowed", "Your account may not do this."),
            404 => (
                "not-found",
                "Not found",
                "There is nothing here, or it is not yours to see.",
            ),
            405 => (
                "method-not-allowed",
                "Method not allowed",
                "This address does not accept that method.",
            ),
            413 => (
                "payload-too-large",
                "Request too large",
                "The request body is larger than Bespoke accepts.",
            ),
            415 => (
                "unsupported-media-type",
                "Unsupported media type",
                "Send JSON with Content-Type: application/json.",
            ),
            429 => (
                "too-many-attempts",
                "Too many attempts",
                "Wait a while and try again.",
            ),
            s if s >= 500 => (
                "internal-error",
                "Something went wrong on our side",
                "The error has been logged. Please try again later.",
            ),
            _ => (
                "request-failed",
                "Request failed",
                "The request could not be completed.",
            ),
        };
        Self::new(status, slug, title, detail)
    }
}

/// An error answered as problem+json. API handlers return `Result<_, ApiError>`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Malformed(_) => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } | AppError::BudgetExceeded { .. } => StatusCode::CONFLICT,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(&self.0)
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let problem = match &self.0 {
            AppError::Validation(errors) => Problem {
                errors: Some(errors.clone()),
                ..Problem::new(
                    status,
                    "validation-failed",
                    "Some of the information is not valid",
                    "Check the fields named in errors.",
                )
            },
            AppError::Malformed(detail) => {
                Problem::new(status, "malformed-request", "Malformed request", detail)
            }
            AppError::Unauthenticated(detail) => {
                Problem::new(status, "unauthenticated", "Not signed in", detail)
            }
            AppError::Forbidden(detail) => Problem::new(status, "forbidden", "Not allowed", detail),
            AppError::NotFound => Problem::for_status(status),
            AppError::Conflict { problem, detail } => {
                Problem::new(status, problem, "Conflict", detail)
            }
            AppError::BudgetExceeded {
                available,
                requested,
            } => {
                let mut problem = Problem::new(
                    status,
                    "budget-exceeded",
                    "Not enough left in the budget",
                    format!(
                        "This would commit {} but {} is available in that part of the budget.",
                        requested.display_gbp(),
                        available.display_gbp()
                    ),
                );
                problem
                    .extra
                    .insert("available".into(), available.to_string().into());
                problem
                    .extra
                    .insert("requested".into(), requested.to_string().into());
                problem
            }
            AppError::TooManyAttempts { retry_after_secs } => {
                let mut problem = Problem::new(
                    status,
                    "too-many-attempts",
                    "Too many attempts",
                    format!(
                        "Too many failed attempts. Try again in {} seconds.",
                        retry_after_secs
                    ),
                );
                problem
                    .extra
                    .insert("retry_after".into(), (*retry_after_secs).into());
                let mut response = problem.response();
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_str(&retry_after_secs.to_string())
                        .expect("digits are a valid header"),
                );
                return response;
            }
            AppError::Unavailable(detail) => Problem::new(
                status,
                "service-unavailable",
                "Temporarily unavailable",
                detail,
            ),
            AppError::Internal(detail) => {
                tracing::error!(error = %detail, "request failed");
                Problem::for_status(status)
            }
        };
        let mut response = problem.response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn json_error(error: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let app_error = match &error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            return PlainStatus(StatusCode::PAYLOAD_TOO_LARGE).into();
        }
        JsonPayloadError::ContentType => {
            return PlainStatus(StatusCode::UNSUPPORTED_MEDIA_TYPE).into()
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            AppError::Malformed(format!("A value has the wrong JSON type: {e}"))
        }
        JsonPayloadError::Deserialize(e) => {
            AppError::Malformed(format!("The body is not valid JSON: {e}"))
        }
        other => AppError::Malformed(format!("The body could not be read: {other}")),
    };
    ApiError(app_error).into()
}

fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError(AppError::Malformed(format!(
        "The query string is not valid: {error}"
    )))
    .into()
}

/// A status with the standard problem body for it.
#[derive(Debug)]
struct PlainStatus(StatusCode);

impl std::fmt::Display for PlainStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl ResponseError for PlainStatus {
    fn status_code(&self) -> StatusCode {
        self.0
    }

    fn error_response(&self) -> HttpResponse {
        Problem::for_status(self.0).response()
    }
}

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT_BYTES)
        .error_handler(json_error)
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(query_error)
}

/// Rewrites any error response under `/api/` that is not already problem+json
/// (a path that does not parse, an unknown route, a wrong method).
pub fn api_error_handlers<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_problem = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
        if is_problem {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let (req, _) = res.into_parts();
        let response = Problem::for_status(status).response();
        Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, response).map_into_right_body(),
        ))
    })
}

/// The API's answer for paths it does not know.
pub async fn api_not_found() -> HttpResponse {
    Problem::for_status(StatusCode::NOT_FOUND).response()
}

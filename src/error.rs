//! The error a use case can end in. The web layer turns it into problem+json
//! for the API and a helpful page for the browser (`web::problem`,
//! `web::pages::error`); nothing below the web layer knows about HTTP.

pub use crate::domain::fields::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Well-formed but invalid input: 422 with each field's messages.
    #[error("some of the information given is not valid")]
    Validation(FieldErrors),
    /// Input that could not be read at all: 400.
    #[error("{0}")]
    Malformed(String),
    /// Not signed in, or the sign-in failed: 401.
    #[error("{0}")]
    Unauthenticated(String),
    /// Your role may not do this to something you can see: 403.
    #[error("{0}")]
    Forbidden(String),
    /// Not found, or not yours to see: 404.
    #[error("the thing you asked for was not found")]
    NotFound,
    /// The request conflicts with the current state: 409.
    #[error("{detail}")]
    Conflict {
        problem: &'static str,
        detail: String,
    },
    /// A commitment larger than what is left of a budget portion: 409 with both figures.
    #[error("this would cost {requested} but only {available} is available in the budget portion")]
    BudgetExceeded {
        available: crate::domain::money::Money,
        requested: crate::domain::money::Money,
    },
    /// Too many attempts: 429, try again after the given number of seconds.
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    /// A service Bespoke needs is down for now: 503.
    #[error("{0}")]
    Unavailable(String),
    /// Something on our side failed: 500. The detail is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn conflict(problem: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            problem,
            detail: detail.into(),
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(FieldErrors::single(field, message))
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Validation(errors)
    }
}

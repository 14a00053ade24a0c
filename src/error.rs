//! The error a use case can end in. The web layer turns it into problem+json
//! for the API and a helpful page for the browser (`web::problem`,
//! `web::pages::error`); nothing below the web layer knows about HTTP.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::store::StoreError;

/// Messages for each invalid field, keyed by the field's name in the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    /// Keeps the value when it parsed, and records the message when it did not.
    pub fn check<T, E: ToString>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// Records that a required field is missing.
    pub fn required<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.add(field, "is required");
        }
        value
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&[String]> {
        self.0.get(field).map(Vec::as_slice)
    }

    /// The first message for a field, for showing beside a form input.
    pub fn first(&self, field: &str) -> Option<&str> {
        self.get(field).and_then(|m| m.first()).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<String>)> {
        self.0.iter()
    }

    /// Each message as a sentence naming its field ("Email is required"),
    /// with the field for linking to its input.
    pub fn sentences(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .flat_map(|(field, messages)| {
                let label = field.replace('_', " ");
                let mut chars = label.chars();
                let label = chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default();
                messages
                    .iter()
                    .map(move |m| (field.clone(), format!("{label} {m}")))
            })
            .collect()
    }

    /// `Ok(())` when nothing was recorded, otherwise a validation error.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self))
        }
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }
}

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

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Query(diesel::result::Error::NotFound) => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        StoreError::from(error).into()
    }
}

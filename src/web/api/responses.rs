//! Answers that many operations share, each written once for the OpenAPI
//! document: an operation lists them by name in its `responses(...)`. Every
//! 4xx and 5xx is a problem+json body, and the answers every operation of a
//! kind can give (400, 401, 404, 413, 415, 503) are added in one place
//! (`openapi::add_shared_answers`).

use utoipa::IntoResponses;

/// The caller is signed in, but their role may not do this.
#[derive(IntoResponses)]
#[response(status = 403, description = "Your role may not do this")]
pub struct Forbidden;

/// Well-formed input that breaks a rule.
#[derive(IntoResponses)]
#[response(
    status = 422,
    description = "Some fields are not valid; `errors` names each one"
)]
pub struct Invalid;

/// An `Idempotency-Key` reused for a different body, or a state that no
/// longer allows what was asked.
#[derive(IntoResponses)]
#[response(
    status = 409,
    description = "The key was used before with a different body, or the state does not allow it"
)]
pub struct KeyReusedOrState;

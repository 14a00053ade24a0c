//! Registering, signing in and out, and the account page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::{redirect, render, safe_next, Chrome, PageError};
use crate::domain::accounts::{Role, PASSWORD_MIN_CHARS};
use crate::error::{AppError, FieldErrors};
use crate::services::accounts::{self, ProfileChange, Registration, SignedIn};
use crate::web::auth::{expired_session_cookie, session_cookie, Visitor};
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

pub struct Choice {
    pub value: String,
    pub label: String,
}

fn role_choices() -> Vec<Choice> {
    Role::SELF_REGISTERED
        .iter()
        .map(|r| Choice {
            value: r.as_str().into(),
            label: r.label().into(),
        })
        .collect()
}

fn council_choices(state: &AppState) -> Vec<Choice> {
    let mut councils: Vec<Choice> = state
        .places
        .councils()
        .map(|c| Choice {
            value: c.code.clone(),
            label: c.name.clone(),
        })
        .collect();
    councils.sort_by(|a, b| a.label.cmp(&b.label));
    councils
}

#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    council: String,
    #[serde(default)]
    postcode: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    chrome: Chrome,
    form: RegisterForm,
    errors: FieldErrors,
    roles: Vec<Choice>,
    councils: Vec<Choice>,
    min_password: usize,
}

fn register_page(
    state: &AppState,
    visitor: &Visitor,
    form: RegisterForm,
    errors: FieldErrors,
) -> RegisterPage {
    RegisterPage {
        chrome: Chrome::for_visitor(visitor),
        form,
        errors,
        roles: role_choices(),
        councils: council_choices(state),
        min_password: PASSWORD_MIN_CHARS,
    }
}

pub async fn register_form(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    render(
        &register_page(
            &state,
            &visitor,
            RegisterForm::default(),
            FieldErrors::new(),
        ),
        StatusCode::OK,
    )
}

fn non_empty(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

pub async fn register(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: ProtectedForm<RegisterForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let input = Registration {
        email: non_empty(&form.email),
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
        name: non_empty(&form.name),
        role: non_empty(&form.role),
        council: non_empty(&form.council),
        postcode: non_empty(&form.postcode),
    };
    let (places, keys) = (state.places, state.keys.clone());
    let outcome = state
        .db
        .run(move |conn| accounts::register_and_sign_in(conn, places, &keys, input, Utc::now()))
        .await;
    let errors = match outcome {
        Ok(signed_in) => return signed_in_response(&state, &signed_in, "/home"),
        Err(AppError::Validation(errors)) => errors,
        Err(AppError::Conflict { detail, .. }) => FieldErrors::single("email", detail),
        Err(other) => return Err(other.into()),
    };
    let form = RegisterForm {
        password: String::new(),
        ..form
    };
    render(
        &register_page(&state, &visitor, form, errors),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// Sends a newly signed-in browser on to `next` with its session cookie.
pub(super) fn signed_in_response(
    state: &AppState,
    signed_in: &SignedIn,
    next: &str,
) -> Result<HttpResponse, PageError> {
    let mut response = redirect(next);
    response
        .add_cookie(&session_cookie(
            &signed_in.token,
            state.keys.lifetime(),
            state.config.secure_cookies,
        ))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    email: String,
    next: String,
    problem: Option<String>,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn sign_in_form(
    visitor: Visitor,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let page = SignInPage {
        chrome: Chrome::for_visitor(&visitor),
        email: String::new(),
        next: safe_next(query.next.as_deref())?,
        problem: None,
        errors: FieldErrors::new(),
    };
    render(&page, StatusCode::OK)
}

pub async fn sign_in(
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    visitor: Visitor,
    form: ProtectedForm<SignInForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let next = safe_next(form.next.as_deref())?;
    let keys = state.keys.clone();
    let (email, password) = (form.email.clone(), form.password);
    let client = crate::web::headers::client_of(&request);
    let outcome = state
        .db
        .run(move |conn| {
            accounts::sign_in(
                conn,
                &keys,
                Some(&email),
                Some(&password),
                &client,
                Utc::now(),
            )
        })
        .await;
    let (status, problem, errors) = match outcome {
        Ok(signed_in) => return signed_in_response(&state, &signed_in, &next),
        Err(AppError::Validation(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, None, errors),
        Err(AppError::Unauthenticated(message)) => (StatusCode::UNAUTHORIZED, Some(message), FieldErrors::new()),
        Err(AppError::TooManyAttempts { retry_after_secs }) => (
            StatusCode::TOO_MANY_REQUESTS,
            Some(format!(
                "There have been too many failed attempts to sign in from here. Wait {} and try again.",
                wait_in_words(retry_after_secs)
            )),
            FieldErrors::new(),
        ),
        Err(other) => return Err(other.into()),
    };
    let page = SignInPage {
        chrome: Chrome::for_visitor(&visitor),
        email: form.email,
        next,
        problem,
        errors,
    };
    render(&page, status)
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn sign_out(
    state: web::Data<AppState>,
    visitor: Visitor,
    _form: ProtectedForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    if let Some(session_id) = visitor.session_id {
        state
            .db
            .run(move |conn| accounts::sign_out(conn, &session_id, Utc::now()))
            .await?;
    }
    let mut response = redirect("/?signed_out=1");
    response
        .add_cookie(&expired_session_cookie(state.config.secure_cookies))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    postcode: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    email: String,
    role_label: &'static str,
    council_name: Option<String>,
    district: Option<String>,
    form: AccountForm,
    errors: FieldErrors,
    saved: bool,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn account_page(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?;
    let form = AccountForm {
        name: account.name.clone(),
        postcode: account.postcode.clone().unwrap_or_default(),
    };
    render(
        &account_view(
            &state,
            &visitor,
            form,
            FieldErrors::new(),
            query.saved.is_some(),
        ),
        StatusCode::OK,
    )
}

fn account_view(
    state: &AppState,
    visitor: &Visitor,
    form: AccountForm,
    errors: FieldErrors,
    saved: bool,
) -> AccountPage {
    let account = visitor
        .account
        .as_ref()
        .expect("only for signed-in visitors");
    AccountPage {
        chrome: Chrome::for_visitor(visitor),
        email: account.email.clone().unwrap_or_default(),
        role_label: account.role.label(),
        council_name: account
            .council
            .as_deref()
            .and_then(|c| state.places.council(c))
            .map(|c| c.name.clone()),
        district: account.district.clone(),
        form,
        errors,
        saved,
    }
}

pub async fn update_account(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: ProtectedForm<AccountForm>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let form = form.0;
    let change = ProfileChange {
        name: Some(form.name.clone()),
        postcode: Some(non_empty(&form.postcode)),
    };
    let places = state.places;
    let outcome = state
        .db
        .run(move |conn| accounts::update_profile(conn, places, &account, change))
        .await;
    match outcome {
        Ok(_) => Ok(redirect("/account?saved=1")),
        Err(AppError::Validation(errors)) => render(
            &account_view(&state, &visitor, form, errors, false),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => Err(other.into()),
    }
}

/// "20 seconds", "3 minutes": how long to wait, in words.
fn wait_in_words(secs: u64) -> String {
    match secs {
        0..=1 => "a second".into(),
        2..=59 => format!("{secs} seconds"),
        60..=119 => "a minute".into(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

//! Server-rendered pages. Every journey works without JavaScript; every form
//! that changes something is CSRF-protected ([`ProtectedForm`](super::csrf::ProtectedForm)).

pub mod accounts;
pub mod assessments;
pub mod brokers;
pub mod charts;
pub mod commissions;
pub mod compare;
pub mod home;
pub mod listing_form;
pub mod listings;
pub mod mail;
pub mod market;
pub mod offers;
pub mod places;
pub mod plans;
pub mod reports;
pub mod requests;
pub mod search;

use crate::domain::ids::ListingId;
use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;

use super::auth::Visitor;
use super::problem::status_of;
use crate::domain::accounts::Role;
use crate::error::{AppError, FieldErrors};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Each path is one resource, so a wrong method answers 405, not 404.
    cfg.service(web::resource("/").route(web::get().to(home::start)))
        .service(web::resource("/home").route(web::get().to(home::dashboard)))
        .service(web::resource("/demo/sign-in").route(web::post().to(home::demo_sign_in)))
        .service(
            web::resource("/register")
                .route(web::get().to(accounts::register_form))
                .route(web::post().to(accounts::register)),
        )
        .service(
            web::resource("/sign-in")
                .route(web::get().to(accounts::sign_in_form))
                .route(web::post().to(accounts::sign_in)),
        )
        .service(web::resource("/sign-out").route(web::post().to(accounts::sign_out)))
        .service(
            web::resource("/account")
                .route(web::get().to(accounts::account_page))
                .route(web::post().to(accounts::update_account)),
        )
        .service(web::resource("/places").route(web::get().to(places::lookup_page)))
        .service(web::resource("/listings/{id}").route(web::get().to(listings::show)))
        .service(
            web::resource("/listings/{id}/commission")
                .route(web::get().to(commissions::order_form))
                .route(web::post().to(commissions::order)),
        )
        .service(web::resource("/commissions").route(web::get().to(commissions::list)))
        .service(web::resource("/commissions/{id}").route(web::get().to(commissions::show)))
        .service(
            web::resource("/commissions/{id}/deliveries")
                .route(web::post().to(commissions::invoice)),
        )
        .service(
            web::resource("/commissions/{id}/{action}")
                .route(web::get().to(commissions::confirm))
                .route(web::post().to(commissions::act)),
        )
        .service(web::resource("/requests").route(web::get().to(requests::list)))
        .service(web::resource("/requests/alerts").route(web::post().to(requests::save_alerts)))
        .service(
            web::resource("/requests/new")
                .route(web::get().to(requests::new_form))
                .route(web::post().to(requests::create)),
        )
        .service(web::resource("/requests/{id}").route(web::get().to(requests::show)))
        .service(
            web::resource("/requests/{id}/withdraw")
                .route(web::get().to(requests::withdraw_confirm))
                .route(web::post().to(requests::withdraw)),
        )
        .service(web::resource("/requests/{id}/offers").route(web::post().to(offers::make)))
        .service(web::resource("/offers/{id}").route(web::post().to(offers::revise)))
        .service(web::resource("/offers/{id}/edit").route(web::get().to(offers::edit_form)))
        .service(
            web::resource("/offers/{id}/withdraw")
                .route(web::get().to(offers::withdraw_confirm))
                .route(web::post().to(offers::withdraw)),
        )
        .service(
            web::resource("/offers/{id}/accept")
                .route(web::get().to(offers::accept_confirm))
                .route(web::post().to(offers::accept)),
        )
        .service(web::resource("/admin/mail").route(web::get().to(mail::mailbox)))
        .service(web::resource("/admin/mail/{id}").route(web::get().to(mail::message)))
        .service(web::resource("/sellers/{id}").route(web::get().to(listings::seller)))
        .service(
            web::resource("/my/listings")
                .route(web::get().to(listings::mine))
                .route(web::post().to(listings::create)),
        )
        .service(web::resource("/my/listings/new").route(web::get().to(listings::new_form)))
        .service(web::resource("/my/listings/{id}").route(web::post().to(listings::update)))
        .service(web::resource("/my/listings/{id}/edit").route(web::get().to(listings::edit_form)))
        .service(
            web::resource("/my/listings/{id}/status")
                .route(web::post().to(listings::change_status)),
        )
        .service(
            web::resource("/my/listings/{id}/withdraw")
                .route(web::get().to(listings::withdraw_confirm))
                .route(web::post().to(listings::withdraw)),
        )
        .service(
            web::resource("/my/profile")
                .route(web::get().to(listings::profile_form))
                .route(web::post().to(listings::save_profile)),
        )
        .service(web::resource("/tools/pa-cost").route(web::get().to(listings::pa_cost_page)))
        .service(web::resource("/search").route(web::get().to(search::search_page)))
        .service(web::resource("/compare").route(web::get().to(compare::compare)))
        .service(web::resource("/plans").route(web::get().to(plans::list)))
        .service(web::resource("/council/allocation").route(web::get().to(assessments::allocation)))
        .service(web::resource("/council/requests").route(web::get().to(market::request_evidence)))
        .service(web::resource("/council/reports").route(web::get().to(market::reports_index)))
        .service(web::resource("/council/gaps").route(web::get().to(reports::gaps)))
        .service(web::resource("/council/fees").route(web::get().to(reports::fees)))
        .service(web::resource("/council/brokers").route(web::get().to(reports::brokers)))
        .service(web::resource("/council/outcomes").route(web::get().to(reports::outcomes)))
        .service(web::resource("/council/risks").route(web::get().to(reports::risks)))
        .service(
            web::resource("/council/risks/{id}/review").route(web::post().to(reports::review_risk)),
        )
        .service(
            web::resource("/council/reference-rates")
                .route(web::get().to(market::reference_rates))
                .route(web::post().to(market::save_reference_rates)),
        )
        .service(
            web::resource("/plans/new")
                .route(web::get().to(plans::new_form))
                .route(web::post().to(plans::create)),
        )
        .service(web::resource("/plans/{id}").route(web::get().to(plans::show)))
        .service(
            web::resource("/plans/{id}/edit")
                .route(web::get().to(plans::edit_form))
                .route(web::post().to(plans::save)),
        )
        .service(web::resource("/plans/{id}/brokers").route(web::post().to(brokers::grant)))
        .service(
            web::resource("/plans/{id}/brokers/{broker_id}/remove")
                .route(web::get().to(brokers::remove_confirm))
                .route(web::post().to(brokers::remove)),
        )
        .service(web::resource("/broker/clients").route(web::get().to(brokers::clients)))
        .service(
            web::resource("/broker/affiliations")
                .route(web::get().to(brokers::affiliations))
                .route(web::post().to(brokers::declare)),
        )
        .service(
            web::resource("/plans/{id}/outcomes")
                .route(web::get().to(assessments::outcomes))
                .route(web::post().to(assessments::rate_outcomes)),
        )
        .service(web::resource("/plans/{id}/{action}").route(web::post().to(plans::act)))
        .service(
            web::resource("/self-assessment")
                .route(web::get().to(assessments::assessment))
                .route(web::post().to(assessments::save_assessment)),
        )
        .service(web::resource("/static/bespoke.css").route(web::get().to(stylesheet)));
}

/// A form's fields by name, for forms with numbered rows (`outcome_title_0`, …).
pub type Fields = std::collections::BTreeMap<String, String>;

/// A field's trimmed value; blank counts as absent.
pub fn field(fields: &Fields, name: &str) -> Option<String> {
    fields
        .get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// What every page's layout needs: who is signed in and the form token.
pub struct Chrome {
    pub account_name: Option<String>,
    pub role: Option<Role>,
    pub csrf: String,
}

impl Chrome {
    pub fn for_visitor(visitor: &Visitor) -> Self {
        Self {
            account_name: visitor.account.as_ref().map(|a| a.name.clone()),
            role: visitor.account.as_ref().map(|a| a.role),
            csrf: visitor.csrf.clone(),
        }
    }

    fn anonymous() -> Self {
        Self {
            account_name: None,
            role: None,
            csrf: String::new(),
        }
    }
}

/// Renders a page with a status other than 200 (a form returned with errors, an error page).
pub fn render(template: &impl Template, status: StatusCode) -> Result<HttpResponse, PageError> {
    let html = template
        .render()
        .map_err(|e| PageError::App(AppError::Internal(format!("template: {e}"))))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

pub fn redirect(to: &str) -> HttpResponse {
    // Defence in depth: every target is built from ids, but a target that is
    // not a path on this site goes home instead.
    let to = if is_local_path(to) { to } else { "/" };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// A path on this site: one leading slash (not `//` or `/\`, which browsers
/// read as another site), no backslash, no whitespace or control characters.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

/// The listings named in a text box, one a line, by number or by address
/// (`12`, `https://…/listings/12`), for the alternatives a broker considered.
pub fn listing_ids(text: Option<&str>) -> Result<Vec<ListingId>, FieldErrors> {
    text.unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let last = line.trim_end_matches('/').rsplit('/').next().unwrap_or(line);
            last.parse::<ListingId>().map_err(|_| {
                FieldErrors::single(
                    "alternatives_considered",
                    format!(
                        "“{line}” is not a listing: give each listing's number or its address on Bespoke, one a line"
                    ),
                )
            })
        })
        .collect()
}

/// Where to go after signing in: only a path on this site, never another
/// site; anything else goes to the home page. Control characters are refused.
pub fn safe_next(next: Option<&str>) -> Result<String, AppError> {
    match next {
        Some(path) if path.chars().any(char::is_control) => Err(AppError::Malformed(
            "The address to come back to after signing in has control characters in it.".into(),
        )),
        Some(path) if is_local_path(path) => Ok(path.to_owned()),
        _ => Ok("/home".to_owned()),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    title: String,
    message: String,
}

/// An error on a page, answered with a helpful HTML page.
#[derive(Debug)]
pub enum PageError {
    App(AppError),
    SignInRequired { next: String },
    FormExpired,
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        Self::App(error)
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::App(e) => e.fmt(f),
            Self::SignInRequired { .. } => f.write_str("sign-in required"),
            Self::FormExpired => f.write_str("form expired"),
        }
    }
}

fn error_page(status: StatusCode, title: &str, message: &str) -> HttpResponse {
    let page = ErrorPage {
        chrome: Chrome::anonymous(),
        status: status.as_u16(),
        title: title.to_owned(),
        message: message.to_owned(),
    };
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(_) => HttpResponse::build(status).body(message.to_owned()),
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::App(e) => status_of(e),
            Self::SignInRequired { .. } => StatusCode::SEE_OTHER,
            Self::FormExpired => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Self::SignInRequired { next } => {
                let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                redirect(&format!("/sign-in?{query}"))
            }
            Self::FormExpired => error_page(
                status,
                "This form has expired",
                "For your security, forms stop working after a while or when cookies are blocked. Go back, reload the page and try again.",
            ),
            Self::App(AppError::Internal(detail)) => {
                tracing::error!(error = %detail, "page failed");
                error_page(status, "Sorry, something went wrong on our side", "The problem has been logged. Please try again in a few minutes.")
            }
            Self::App(AppError::NotFound) => not_found_page(),
            Self::App(AppError::TooManyAttempts { retry_after_secs }) => error_page(
                status,
                "Too many attempts",
                &format!("Please wait {} minutes and try again.", retry_after_secs.div_ceil(60)),
            ),
            Self::App(AppError::Validation(errors)) => {
                let sentences: Vec<String> = errors.sentences().into_iter().map(|(_, s)| s).collect();
                error_page(status, "Some of the information is not valid", &sentences.join(". "))
            }
            Self::App(other) => error_page(status, "We could not do that", &other.to_string()),
        }
    }
}

fn not_found_page() -> HttpResponse {
    error_page(
        StatusCode::NOT_FOUND,
        "Page not found",
        "If you typed the web address, check it is correct. If you followed a link, it may be out of date, or the page may not be yours to see.",
    )
}

pub async fn not_found() -> HttpResponse {
    not_found_page()
}

/// Gives a helpful page to any error response outside the API that has no
/// page of its own (a wrong method, a query string that does not parse).
pub fn html_error_handlers<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let content_type = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let has_own_body = content_type.starts_with("text/html") || content_type.contains("json");
        if has_own_body || res.request().path().starts_with("/api/") {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let (title, message) = match status.as_u16() {
            405 => (
                "That did not work",
                "This page cannot be used that way. Go back and try again.",
            ),
            s if s >= 500 => (
                "Sorry, something went wrong on our side",
                "Please try again in a few minutes.",
            ),
            _ => (
                "We could not read that request",
                "Check the web address, go back, and try again.",
            ),
        };
        let (req, _) = res.into_parts();
        Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, error_page(status, title, message)).map_into_right_body(),
        ))
    })
}

const STYLESHEET: &str = include_str!("../../../static/bespoke.css");

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}

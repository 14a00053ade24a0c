//! The start page, each role's home page, and signing in as a demo account.

use actix_web::{web, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use chrono::Utc;
use serde::Deserialize;

use super::{Chrome, PageError};
use crate::domain::accounts::Role;
use crate::error::AppError;
use crate::services::{accounts, demo};
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

pub struct DemoChoice {
    pub role: &'static str,
    pub label: &'static str,
    pub name: &'static str,
    pub what: &'static str,
}

fn demo_choices() -> Vec<DemoChoice> {
    let what = |role: Role| match role {
        Role::BudgetHolder => {
            "has a personal budget from Manchester City Council and is looking for support"
        }
        Role::Provider => "a care agency that publishes offers and answers requests",
        Role::PersonalAssistant => {
            "a self-employed personal assistant offering support by the hour"
        }
        Role::Broker => "a support broker who helps people plan and buy, for a disclosed fee",
        Role::Commissioner => "a council officer who approves plans and watches the local market",
        // Never offered: an administrator always signs in with a password.
        Role::Admin => "",
    };
    [
        Role::BudgetHolder,
        Role::Provider,
        Role::PersonalAssistant,
        Role::Broker,
        Role::Commissioner,
    ]
    .into_iter()
    .filter_map(|role| {
        demo::first_demo_account(role).map(|account| DemoChoice {
            role: role.as_str(),
            label: role.label(),
            name: account.name,
            what: what(role),
        })
    })
    .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "start.html")]
pub struct StartPage {
    chrome: Chrome,
    demo_choices: Vec<DemoChoice>,
}

pub async fn start(
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    visitor: Visitor,
) -> StartPage {
    StartPage {
        chrome: Chrome::for_visitor(&visitor),
        demo_choices: if state.demo_enabled() && crate::web::headers::is_local(&request) {
            demo_choices()
        } else {
            Vec::new()
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    chrome: Chrome,
    name: String,
    role_key: &'static str,
    role_label: &'static str,
    council_name: Option<String>,
    postcode: Option<String>,
}

pub async fn dashboard(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HomePage, PageError> {
    let account = visitor.signed_in()?;
    Ok(HomePage {
        chrome: Chrome::for_visitor(&visitor),
        name: account.name.clone(),
        role_key: account.role.as_str(),
        role_label: account.role.label(),
        council_name: account
            .council
            .as_deref()
            .and_then(|code| state.places.council(code))
            .map(|c| c.name.clone()),
        postcode: account.postcode.clone(),
    })
}

#[derive(Deserialize)]
pub struct DemoForm {
    role: String,
}

pub async fn demo_sign_in(
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    form: ProtectedForm<DemoForm>,
) -> Result<HttpResponse, PageError> {
    // Only on this machine, as configured, and as this very request shows.
    if !state.demo_enabled() || !crate::web::headers::is_local(&request) {
        return Err(AppError::NotFound.into());
    }
    let role: Role = form.0.role.parse().map_err(|_| AppError::NotFound)?;
    let keys = state.keys.clone();
    let signed_in = state
        .db
        .run(move |conn| accounts::sign_in_demo(conn, &keys, role, Utc::now()))
        .await?;
    super::accounts::signed_in_response(&state, &signed_in, "/home")
}

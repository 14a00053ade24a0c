//! Broker pages: the holder gives and takes back access; the broker's
//! portfolio and declared interests.

use crate::domain::ids::{AccountId, PlanId};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::{redirect, render, Chrome, Fields, PageError};
use crate::domain::vocab::{AffiliationNature, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::brokers::{self, AffiliationView, ClientView};
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct GrantForm {
    broker_id: Option<AccountId>,
}

pub async fn grant(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PlanId>,
    form: ProtectedForm<GrantForm>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let broker_id = form.0.broker_id;
    state
        .db
        .run(move |conn| brokers::grant_consent(conn, &account, id, broker_id, Utc::now()))
        .await?;
    Ok(redirect(&format!("/plans/{id}?done=broker_added#brokers")))
}

#[derive(Template)]
#[template(path = "brokers/remove.html")]
struct RemovePage {
    chrome: Chrome,
    plan_id: PlanId,
    broker_id: AccountId,
    broker_name: String,
}

/// `GET /plans/{id}/brokers/{broker_id}/remove`: asks before taking access back.
pub async fn remove_confirm(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(PlanId, AccountId)>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let (plan_id, broker_id) = path.into_inner();
    let on_plan = state
        .db
        .run(move |conn| {
            let plan = crate::services::plans::get(conn, &account, plan_id)?;
            brokers::on_plan(conn, &plan)
        })
        .await?;
    let broker_name = on_plan
        .brokers
        .into_iter()
        .find(|b| b.id == broker_id)
        .map(|b| b.name)
        .ok_or(AppError::NotFound)?;
    render(
        &RemovePage {
            chrome: Chrome::for_visitor(&visitor),
            plan_id,
            broker_id,
            broker_name,
        },
        StatusCode::OK,
    )
}

pub async fn remove(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(PlanId, AccountId)>,
    _form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let (plan_id, broker_id) = path.into_inner();
    state
        .db
        .run(move |conn| brokers::revoke_consent(conn, &account, plan_id, broker_id, Utc::now()))
        .await?;
    Ok(redirect(&format!(
        "/plans/{plan_id}?done=broker_removed#brokers"
    )))
}

#[derive(Template)]
#[template(path = "brokers/clients.html")]
struct ClientsPage {
    chrome: Chrome,
    clients: Vec<ClientView>,
}

pub async fn clients(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let clients = state
        .db
        .run(move |conn| brokers::portfolio(conn, &account, Utc::now().date_naive()))
        .await?;
    render(
        &ClientsPage {
            chrome: Chrome::for_visitor(&visitor),
            clients,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "brokers/affiliations.html")]
struct AffiliationsPage {
    chrome: Chrome,
    affiliations: Vec<AffiliationView>,
    natures: Vec<AffiliationNature>,
    errors: FieldErrors,
    saved: bool,
}

async fn affiliations_page(
    state: &AppState,
    visitor: &Visitor,
    errors: FieldErrors,
    saved: bool,
) -> Result<AffiliationsPage, PageError> {
    let account = visitor.signed_in()?.clone();
    let affiliations = state
        .db
        .run(move |conn| brokers::affiliations(conn, &account))
        .await?;
    Ok(AffiliationsPage {
        chrome: Chrome::for_visitor(visitor),
        affiliations,
        natures: AffiliationNature::all(),
        errors,
        saved,
    })
}

#[derive(Deserialize)]
pub struct SavedQuery {
    done: Option<String>,
}

pub async fn affiliations(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, PageError> {
    let page =
        affiliations_page(&state, &visitor, FieldErrors::new(), query.done.is_some()).await?;
    render(&page, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct DeclareForm {
    provider_id: Option<String>,
    nature: Option<String>,
}

pub async fn declare(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: ProtectedForm<DeclareForm>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let form = form.0;
    let provider = form
        .provider_id
        .as_deref()
        .map(str::trim)
        .unwrap_or_default();
    // A seller's profile address, or just its number.
    let provider_id = provider
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .and_then(|id| id.parse::<AccountId>().ok());
    if provider_id.is_none() {
        let errors = FieldErrors::single(
            "provider_id",
            "needs the number at the end of the seller's profile address, like 42 in /sellers/42",
        );
        let page = affiliations_page(&state, &visitor, errors, false).await?;
        return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let nature = form.nature;
    let outcome = state
        .db
        .run(move |conn| {
            match brokers::declare(conn, &account, provider_id, nature.as_deref(), Utc::now()) {
                Ok(_) => Ok(None),
                Err(AppError::Validation(errors)) => Ok(Some(errors)),
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        None => Ok(redirect("/broker/affiliations?done=saved")),
        Some(errors) => {
            let page = affiliations_page(&state, &visitor, errors, false).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

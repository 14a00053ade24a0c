//! Plan pages: the list of plans (a commissioner's approval queue), a plan
//! with its budget picture, writing a plan, and creating one.

use crate::domain::ids::{AccountId, PlanId, PortionId};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::{field, redirect, render, Chrome, Fields, PageError};
use crate::domain::accounts::Role;
use crate::domain::money::Money;
use crate::domain::plans::{
    NewPlanInput, OutcomeInput, PlanContentInput, PlannedSupportInput, PortionInput,
};
use crate::domain::vocab::{
    Category, FundingStream, OutcomeDomain, PlanStatus, PortionMode, QuantityPer, Vocabulary,
};
use crate::error::{AppError, FieldErrors};
use crate::services::accounts;
use crate::services::plans::{self, PlanView, PortionView};
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
}

pub(super) fn notice_for(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "created" => "The plan was created as a draft. The budget holder can now write it.",
        "saved" => "Your changes to the plan were saved.",
        "submitted" => "The plan was sent to the council for approval. We have told them by email.",
        "approved" => "The plan is approved. The budget holder can now buy support against it, and we have told them by email.",
        "revised" => "The plan is back in draft so it can be changed. Commissions already made stay in place.",
        "ended" => "The plan has ended.",
        "moved" => "The money was moved between the planned lines.",
        "rated" => "Thank you. Your ratings were saved.",
        "assessed" => "Your self-assessment was saved.",
        "broker_added" => "The broker can now act on this plan. We have told them by email.",
        "broker_removed" => "The broker no longer has access to this plan.",
        _ => return None,
    })
}

/// One portion as a bar: how much is spent, committed and still free.
pub struct PortionBar {
    pub portion: PortionView,
    pub spent_percent: i64,
    pub committed_percent: i64,
}

impl PortionBar {
    fn of(portion: PortionView) -> Self {
        let budget = portion.amount.pence().max(1);
        let share = |m: Money| (m.pence() * 100 / budget).clamp(0, 100);
        Self {
            spent_percent: share(portion.spent),
            committed_percent: share(portion.committed).min(100 - share(portion.spent)),
            portion,
        }
    }
}

#[derive(Template)]
#[template(path = "plans/list.html")]
struct PlanListPage {
    chrome: Chrome,
    is_commissioner: bool,
    waiting: Vec<(PlanView, String)>,
    others: Vec<(PlanView, String)>,
}

pub(super) fn holder_name(
    conn: &mut crate::services::DbConnection,
    id: AccountId,
) -> Result<String, AppError> {
    accounts::name_of(conn, id)
}

pub async fn list(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let is_commissioner = account.role == Role::Commissioner;
    let named = state
        .db
        .run(move |conn| {
            plans::list(conn, &account)?
                .into_iter()
                .map(|p| {
                    let name = holder_name(conn, p.holder_id)?;
                    Ok((p, name))
                })
                .collect::<Result<Vec<_>, AppError>>()
        })
        .await?;
    let (waiting, others) = named
        .into_iter()
        .partition(|(p, _)| is_commissioner && p.status == PlanStatus::Submitted);
    render(
        &PlanListPage {
            chrome: Chrome::for_visitor(&visitor),
            is_commissioner,
            waiting,
            others,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "plans/show.html")]
struct PlanPage {
    chrome: Chrome,
    plan: PlanView,
    holder_name: String,
    bars: Vec<PortionBar>,
    notice: Option<&'static str>,
    holder_side: bool,
    is_commissioner: bool,
    /// Who did what to the plan, newest first.
    history: Vec<plans::EventView>,
    brokers: crate::services::brokers::PlanBrokers,
}

impl PlanPage {
    fn outcome_title(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.plan.outcomes.iter().find(|o| o.id == id))
            .map(|o| o.title.clone())
            .unwrap_or_default()
    }
}

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PlanId>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let (plan, holder_name, history, brokers) = state
        .db
        .run(move |conn| {
            let plan = plans::get(conn, &account, id)?;
            let name = holder_name(conn, plan.holder_id)?;
            let history = plans::history(conn, &account, id)?;
            let brokers = crate::services::brokers::on_plan(conn, &plan)?;
            Ok::<_, AppError>((plan, name, history, brokers))
        })
        .await?;
    let holder_side = crate::services::access::is_holder_side(plan.acting_as);
    let is_commissioner = !holder_side;
    let bars = plan.portions.iter().cloned().map(PortionBar::of).collect();
    render(
        &PlanPage {
            chrome: Chrome::for_visitor(&visitor),
            holder_name,
            bars,
            notice: notice_for(query.done.as_deref()),
            holder_side,
            is_commissioner,
            plan,
            history,
            brokers,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct EmptyForm {}

/// `POST /plans/{id}/{action}`: submit, approve, revise or end.
pub async fn act(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(PlanId, String)>,
    _form: ProtectedForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let (id, action) = path.into_inner();
    let to = crate::domain::plans::status_after(&action).ok_or(AppError::NotFound)?;
    // The notice names what happened; a plan sent back to draft was revised.
    let done = match to {
        PlanStatus::Draft => "revised",
        other => other.code(),
    };
    state
        .db
        .run(move |conn| plans::transition(conn, &account, id, to, Utc::now()))
        .await?;
    Ok(redirect(&format!("/plans/{id}?done={done}")))
}

/// One row of the plan form.
pub struct OutcomeRow {
    pub id: String,
    pub title: String,
    pub domain: String,
}

pub struct PlannedRow {
    pub category: String,
    pub quantity: String,
    pub per: String,
    pub amount: String,
    pub outcome: String,
    pub portion: String,
}

#[derive(Template)]
#[template(path = "plans/edit.html")]
struct EditPage {
    chrome: Chrome,
    plan: PlanView,
    outcomes: Vec<OutcomeRow>,
    planned: Vec<PlannedRow>,
    errors: FieldErrors,
    domains: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    pers: Vec<(&'static str, &'static str)>,
}

const BLANK_ROWS: usize = 2;

fn choices<V: Vocabulary>() -> Vec<(&'static str, &'static str)> {
    V::iter().map(|v| (v.code(), v.label())).collect()
}

fn edit_page(
    visitor: &Visitor,
    plan: PlanView,
    mut outcomes: Vec<OutcomeRow>,
    mut planned: Vec<PlannedRow>,
    errors: FieldErrors,
) -> EditPage {
    for _ in 0..BLANK_ROWS {
        outcomes.push(OutcomeRow {
            id: String::new(),
            title: String::new(),
            domain: String::new(),
        });
        planned.push(PlannedRow {
            category: String::new(),
            quantity: String::new(),
            per: "week".into(),
            amount: String::new(),
            outcome: String::new(),
            portion: String::new(),
        });
    }
    EditPage {
        chrome: Chrome::for_visitor(visitor),
        plan,
        outcomes,
        planned,
        errors,
        domains: choices::<OutcomeDomain>(),
        categories: choices::<Category>(),
        pers: choices::<QuantityPer>(),
    }
}

pub async fn edit_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PlanId>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let plan = state
        .db
        .run(move |conn| plans::get(conn, &account, id))
        .await?;
    let outcomes = plan
        .outcomes
        .iter()
        .map(|o| OutcomeRow {
            id: o.id.to_string(),
            title: o.title.clone(),
            domain: o.domain.code().to_owned(),
        })
        .collect();
    let planned = plan
        .planned_support
        .iter()
        .map(|p| PlannedRow {
            category: p.category.code().to_owned(),
            quantity: p.quantity.map(|q| q.to_string()).unwrap_or_default(),
            per: p.per.code().to_owned(),
            amount: p.amount.map(|a| a.to_string()).unwrap_or_default(),
            outcome: p.outcome_id.map(|i| i.to_string()).unwrap_or_default(),
            portion: p.portion_id.map(|i| i.to_string()).unwrap_or_default(),
        })
        .collect();
    render(
        &edit_page(&visitor, plan, outcomes, planned, FieldErrors::new()),
        StatusCode::OK,
    )
}

/// Reads the numbered rows back; blank rows are ignored.
fn rows_of(fields: &Fields) -> (Vec<OutcomeRow>, Vec<PlannedRow>) {
    let get = |name: String| field(fields, &name).unwrap_or_default();
    let mut outcomes = Vec::new();
    let mut planned = Vec::new();
    for i in 0..(crate::domain::plans::MAX_OUTCOMES + BLANK_ROWS) {
        let row = OutcomeRow {
            id: get(format!("outcome_id_{i}")),
            title: get(format!("outcome_title_{i}")),
            domain: get(format!("outcome_domain_{i}")),
        };
        if !row.title.is_empty() || !row.domain.is_empty() {
            outcomes.push(row);
        }
    }
    for i in 0..(crate::domain::plans::MAX_PLANNED_LINES + BLANK_ROWS) {
        let row = PlannedRow {
            category: get(format!("planned_category_{i}")),
            quantity: get(format!("planned_quantity_{i}")),
            per: get(format!("planned_per_{i}")),
            amount: get(format!("planned_amount_{i}")),
            outcome: get(format!("planned_outcome_{i}")),
            portion: get(format!("planned_portion_{i}")),
        };
        if !row.category.is_empty() || !row.quantity.is_empty() || !row.amount.is_empty() {
            planned.push(row);
        }
    }
    (outcomes, planned)
}

fn opt(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

pub async fn save(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PlanId>,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let (outcome_rows, planned_rows) = rows_of(&form.0);
    let mut errors = FieldErrors::new();
    let input = PlanContentInput {
        outcomes: Some(
            outcome_rows
                .iter()
                .map(|r| OutcomeInput {
                    id: r.id.parse().ok(),
                    title: opt(&r.title),
                    domain: opt(&r.domain),
                })
                .collect(),
        ),
        planned_support: Some(
            planned_rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut number = |name: &str, text: &str| {
                        if text.is_empty() {
                            return None;
                        }
                        let parsed = text.parse::<i64>().ok();
                        if parsed.is_none() {
                            errors.add(
                                &format!("planned_support[{i}].{name}"),
                                "is not one of the choices",
                            );
                        }
                        parsed
                    };
                    PlannedSupportInput {
                        category: opt(&r.category),
                        quantity: opt(&r.quantity).map(serde_json::Value::String),
                        per: opt(&r.per),
                        amount: opt(&r.amount),
                        outcome_id: number("outcome_id", &r.outcome),
                        portion_id: number("portion_id", &r.portion).map(PortionId),
                    }
                })
                .collect(),
        ),
    };
    let outcome = state
        .db
        .run(move |conn| {
            if !errors.is_empty() {
                return Ok(Err((plans::get(conn, &account, id)?, errors)));
            }
            match plans::update_content(conn, &account, id, input, Utc::now()) {
                Ok(_) => Ok(Ok(())),
                Err(AppError::Validation(errors)) => {
                    Ok(Err((plans::get(conn, &account, id)?, errors)))
                }
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        Ok(()) => Ok(redirect(&format!("/plans/{id}?done=saved"))),
        Err((plan, errors)) => render(
            &edit_page(&visitor, plan, outcome_rows, planned_rows, errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

#[derive(Template)]
#[template(path = "plans/new.html")]
struct NewPlanPage {
    chrome: Chrome,
    fields: Fields,
    errors: FieldErrors,
    modes: Vec<(&'static str, &'static str)>,
    streams: Vec<(&'static str, &'static str)>,
}

impl NewPlanPage {
    fn value(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

const PORTION_ROWS: usize = 3;

fn new_plan_page(visitor: &Visitor, fields: Fields, errors: FieldErrors) -> NewPlanPage {
    NewPlanPage {
        chrome: Chrome::for_visitor(visitor),
        fields,
        errors,
        modes: choices::<PortionMode>(),
        streams: choices::<FundingStream>(),
    }
}

fn commissioner_only(visitor: &Visitor) -> Result<crate::services::accounts::Account, PageError> {
    let account = visitor.signed_in()?.clone();
    if account.role != Role::Commissioner {
        return Err(
            AppError::Forbidden("Only a council commissioner can create a plan.".into()).into(),
        );
    }
    Ok(account)
}

pub async fn new_form(visitor: Visitor) -> Result<HttpResponse, PageError> {
    commissioner_only(&visitor)?;
    let today = Utc::now().date_naive();
    let fields = Fields::from([
        ("period_start".to_owned(), today.to_string()),
        (
            "period_end".to_owned(),
            (today + chrono::Duration::days(364)).to_string(),
        ),
        ("mode_0".to_owned(), "direct_payment".to_owned()),
    ]);
    render(
        &new_plan_page(&visitor, fields, FieldErrors::new()),
        StatusCode::OK,
    )
}

pub async fn create(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = commissioner_only(&visitor)?;
    let fields = form.0;
    let for_db = fields.clone();
    let outcome = state
        .db
        .run(move |conn| {
            let fields = for_db;
            let email = field(&fields, "holder_email").unwrap_or_default();
            let holder = accounts::budget_holder_by_email(conn, &account, &email)?;
            let Some(holder) = holder else {
                return Ok(Err(FieldErrors::single(
                    "holder_email",
                    "is not the email address of a budget holder on Bespoke",
                )));
            };
            let mut portions = Vec::new();
            let mut total = 0_i64;
            for i in 0..PORTION_ROWS {
                let amount = field(&fields, &format!("amount_{i}"));
                let Some(amount) = amount else { continue };
                if let Ok(money) = Money::parse_lenient(&amount) {
                    total += money.pence();
                }
                portions.push(PortionInput {
                    mode: field(&fields, &format!("mode_{i}")),
                    amount: Some(
                        Money::parse_lenient(&amount)
                            .map(|m| m.to_string())
                            .unwrap_or(amount),
                    ),
                    provider_id: field(&fields, &format!("provider_{i}"))
                        .and_then(|p| p.parse().ok()),
                    funding_stream: field(&fields, &format!("stream_{i}")),
                });
            }
            let input = NewPlanInput {
                holder_id: Some(holder.id),
                period_start: field(&fields, "period_start"),
                period_end: field(&fields, "period_end"),
                budget: Some(Money::from_pence(total).to_string()),
                portions: Some(portions),
            };
            match plans::create(conn, &account, input, Utc::now()) {
                Ok(plan) => Ok(Ok(plan.id)),
                Err(AppError::Validation(errors)) => Ok(Err(errors)),
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        Ok(id) => Ok(redirect(&format!("/plans/{id}?done=created"))),
        Err(errors) => render(
            &new_plan_page(&visitor, fields, errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

//! Support request pages: the holder's side asks for support and compares
//! the offers; sellers see the requests that fit them and choose how they
//! hear of new ones.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{field, redirect, render, Chrome, Fields, PageError};
use crate::domain::accounts::Role;
use crate::domain::requests::RequestInput;
use crate::domain::vocab::{
    AlertFrequency, Band, Category, FeeKind, FeePer, PlanStatus, Unit, Vocabulary,
};
use crate::error::{AppError, FieldErrors};
use crate::services::idempotency::Created;
use crate::services::offers::{self, OfferView};
use crate::services::plans::{self, PlanView};
use crate::services::requests::{self, RequestView};
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "requests/list.html")]
struct ListPage {
    chrome: Chrome,
    /// The holder's side: requests they posted, and whether they can post one.
    own: Vec<RequestView>,
    can_ask: bool,
    /// Sellers: requests that fit their listings, their offers, and their alerts.
    is_seller: bool,
    is_broker: bool,
    fitting: Vec<RequestView>,
    my_offers: Vec<OfferView>,
    alerts: AlertFrequency,
    alert_choices: Vec<AlertFrequency>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
}

fn notice_for(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "alerts" => "Your choice of emails is saved.",
        "posted" => "Your request is posted. Sellers whose listings fit it can now send you offers; we will email you when one arrives.",
        "withdrawn" => "Your request is withdrawn. Sellers who had made offers have been told.",
        "offered" => "Your offer is sent. We will email you if it is accepted.",
        "revised" => "Your offer is changed.",
        "offer_withdrawn" => "Your offer is withdrawn.",
        _ => return None,
    })
}

/// Plans the caller can ask for support on: theirs or their clients', not ended.
fn plans_to_ask_on(
    conn: &mut crate::services::DbConnection,
    account: &crate::services::accounts::Account,
) -> Result<Vec<PlanView>, AppError> {
    Ok(plans::list(conn, account)?
        .into_iter()
        .filter(|p| {
            p.status != PlanStatus::Ended && crate::services::access::is_holder_side(p.acting_as)
        })
        .collect())
}

pub async fn list(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let is_seller = account.role.is_seller();
    let is_broker = account.role == Role::Broker;
    let (items, my_offers, alerts, can_ask) = state
        .db
        .run(move |conn| {
            let today = Utc::now().date_naive();
            let (items, _) = requests::list(conn, &account, today, 0, 500)?;
            let (my_offers, alerts) = if account.role.is_seller() {
                (
                    offers::of_seller(conn, &account, today)?,
                    requests::alert_frequency(conn, &account)?,
                )
            } else {
                (Vec::new(), AlertFrequency::Daily)
            };
            let can_ask = !plans_to_ask_on(conn, &account)?.is_empty();
            Ok::<_, AppError>((items, my_offers, alerts, can_ask))
        })
        .await?;
    let (own, fitting) = items.into_iter().partition(|r| r.plan_id.is_some());
    render(
        &ListPage {
            chrome: Chrome::for_visitor(&visitor),
            own,
            can_ask,
            is_seller,
            is_broker,
            fitting,
            my_offers,
            alerts,
            alert_choices: AlertFrequency::all(),
            notice: notice_for(query.done.as_deref()),
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct AlertsForm {
    frequency: Option<String>,
}

pub async fn save_alerts(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: ProtectedForm<AlertsForm>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let frequency = form.0.frequency.unwrap_or_default();
    state
        .db
        .run(move |conn| requests::set_alert_frequency(conn, &account, &frequency, Utc::now()))
        .await?;
    Ok(redirect("/requests?done=alerts"))
}

#[derive(Template)]
#[template(path = "requests/new.html")]
struct NewPage {
    chrome: Chrome,
    plans: Vec<PlanView>,
    fields: Fields,
    errors: FieldErrors,
    categories: Vec<Category>,
    units: Vec<Unit>,
    bands: Vec<Band>,
}

impl NewPage {
    fn value(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    fn checked(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }
}

async fn new_page(
    state: &AppState,
    visitor: &Visitor,
    fields: Fields,
    errors: FieldErrors,
) -> Result<NewPage, PageError> {
    let account = visitor.signed_in()?.clone();
    let plans = state
        .db
        .run(move |conn| plans_to_ask_on(conn, &account))
        .await?;
    Ok(NewPage {
        chrome: Chrome::for_visitor(visitor),
        plans,
        fields,
        errors,
        categories: Category::all(),
        units: Unit::all(),
        bands: Band::all(),
    })
}

#[derive(Deserialize)]
pub struct NewQuery {
    plan: Option<i64>,
}

pub async fn new_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, PageError> {
    let today = Utc::now().date_naive();
    let mut fields = Fields::from([
        ("unit".to_owned(), "hour".to_owned()),
        (
            "start_date".to_owned(),
            (today + Duration::days(14)).to_string(),
        ),
        (
            "end_date".to_owned(),
            (today + Duration::days(14 + 12 * 7 - 1)).to_string(),
        ),
    ]);
    if let Some(plan) = query.plan {
        fields.insert("plan_id".into(), plan.to_string());
    }
    if let Some(district) = visitor.account.as_ref().and_then(|a| a.district.clone()) {
        fields.insert("areas".into(), district);
    }
    let page = new_page(&state, &visitor, fields, FieldErrors::new()).await?;
    render(&page, StatusCode::OK)
}

/// Splits "M14, M15 m16" into its parts.
fn list_of(text: Option<String>) -> Option<Vec<String>> {
    text.map(|t| {
        t.split([',', ' ', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

fn request_of(fields: &Fields) -> RequestInput {
    RequestInput {
        plan_id: field(fields, "plan_id").and_then(|p| p.parse().ok()),
        category: field(fields, "category"),
        unit: field(fields, "unit"),
        areas: list_of(field(fields, "areas")),
        availability: Some(
            Band::all()
                .into_iter()
                .filter(|b| fields.contains_key(&format!("availability_{}", b.code())))
                .map(|b| b.code().to_owned())
                .collect(),
        ),
        quantity: field(fields, "quantity").map(Value::String),
        per: Some("week".into()),
        start_date: field(fields, "start_date"),
        end_date: field(fields, "end_date"),
        outcome_id: field(fields, "outcome_id").and_then(|o| o.parse().ok()),
        languages: list_of(field(fields, "languages")),
        max_price: field(fields, "max_price"),
        details: field(fields, "details"),
    }
}

pub async fn create(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let fields = form.0;
    let mut input = request_of(&fields);
    if input.plan_id.is_none() {
        let page = new_page(
            &state,
            &visitor,
            fields,
            FieldErrors::single("plan_id", "needs choosing: which plan the support is for"),
        )
        .await?;
        return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if input.areas.as_ref().is_some_and(|a| a.is_empty()) {
        input.areas = None;
    }
    let outcome = state
        .db
        .run(
            move |conn| match requests::create(conn, &account, input, None, Utc::now()) {
                Ok(Created::New(view)) => Ok(Ok(view.id)),
                Ok(Created::Replayed(_)) => Err(AppError::Internal("no key was given".into())),
                Err(AppError::Validation(errors)) => Ok(Err(errors)),
                Err(other) => Err(other),
            },
        )
        .await?;
    match outcome {
        Ok(id) => Ok(redirect(&format!("/requests/{id}?done=posted"))),
        Err(errors) => {
            let page = new_page(&state, &visitor, fields, errors).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

#[derive(Template)]
#[template(path = "requests/show.html")]
pub struct RequestPage {
    pub chrome: Chrome,
    pub request: RequestView,
    /// The holder's side sees every offer; a seller only their own.
    pub offers: Vec<OfferView>,
    pub plan_side: bool,
    /// The holder, their representative or broker: they can accept and withdraw.
    pub holder_side: bool,
    pub can_offer: bool,
    pub notice: Option<&'static str>,
    pub fields: Fields,
    pub errors: FieldErrors,
    pub units: Vec<Unit>,
    pub fee_kinds: Vec<FeeKind>,
    pub fee_pers: Vec<FeePer>,
    pub idempotency_key: String,
}

impl RequestPage {
    fn value(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

pub async fn request_page(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    notice: Option<&'static str>,
    fields: Fields,
    errors: FieldErrors,
) -> Result<RequestPage, PageError> {
    let account = visitor.signed_in()?.clone();
    let viewer = account.clone();
    let (request, offers) = state
        .db
        .run(move |conn| {
            let today = Utc::now().date_naive();
            let request = requests::get(conn, &viewer, id, today)?;
            let offers = offers::of_request(conn, &viewer, id, today)?;
            Ok::<_, AppError>((request, offers))
        })
        .await?;
    let plan_side = request.plan_id.is_some();
    let holder_side = request
        .acting_as
        .is_some_and(crate::services::access::is_holder_side);
    let can_offer = !plan_side
        && account.role.is_seller()
        && request.my_offer_id.is_none()
        && request.status.code() == "open";
    let mut fields = fields;
    if fields.is_empty() {
        fields.insert("unit".into(), request.unit.code().into());
        fields.insert("start_date".into(), request.start_date.to_string());
    }
    Ok(RequestPage {
        chrome: Chrome::for_visitor(visitor),
        units: vec![request.unit, Unit::Week],
        request,
        offers,
        plan_side,
        holder_side,
        can_offer,
        notice,
        fields,
        errors,
        fee_kinds: FeeKind::all(),
        fee_pers: FeePer::all(),
        idempotency_key: uuid::Uuid::new_v4().to_string(),
    })
}

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let page = request_page(
        &state,
        &visitor,
        id.into_inner(),
        notice_for(query.done.as_deref()),
        Fields::new(),
        FieldErrors::new(),
    )
    .await?;
    render(&page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "requests/withdraw.html")]
struct WithdrawPage {
    chrome: Chrome,
    request: RequestView,
}

/// `GET /requests/{id}/withdraw`: asks before withdrawing.
pub async fn withdraw_confirm(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let request = state
        .db
        .run(move |conn| requests::get(conn, &account, id, Utc::now().date_naive()))
        .await?;
    if request.plan_id.is_none() || visitor.signed_in()?.role == Role::Commissioner {
        return Err(
            AppError::Forbidden("Only the holder's side can withdraw a request.".into()).into(),
        );
    }
    render(
        &WithdrawPage {
            chrome: Chrome::for_visitor(&visitor),
            request,
        },
        StatusCode::OK,
    )
}

pub async fn withdraw(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<i64>,
    _form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    state
        .db
        .run(move |conn| requests::withdraw(conn, &account, id, Utc::now()))
        .await?;
    Ok(redirect(&format!("/requests/{id}?done=withdrawn")))
}

//! Commission pages: buying from a listing (form → cost preview → confirm),
//! each role's list of commissions (a seller's inbox of requests), and a
//! commission with its answers and invoices.

use crate::domain::ids::{CommissionId, ListingId, PlanId, PortionId};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;

use super::{field, redirect, render, Chrome, Fields, PageError};
use crate::domain::accounts::Role;
use crate::domain::commissions::CommissionInput;
use crate::domain::vocab::{CommissionStatus, FeePer, PlanStatus, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::access::Account;
use crate::services::commissions::{self, Created, DeliveryInput, Idempotency, Preview};
use crate::services::commissions::{CommissionView, InvoiceView};
use crate::services::listings::{self, ListingView};
use crate::services::plans::{self, PlanView};
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

/// The fields of the commission form, carried from the form to the preview
/// and on to the confirmation.
const ORDER_FIELDS: [&str; 10] = [
    "portion",
    "quantity",
    "per",
    "band",
    "visits_per_week",
    "start_date",
    "end_date",
    "outcome_id",
    "note",
    "alternatives",
];

#[derive(Template)]
#[template(path = "commissions/form.html")]
struct OrderPage {
    chrome: Chrome,
    listing: ListingView,
    plans: Vec<PlanView>,
    fields: Fields,
    errors: FieldErrors,
    per_visit_fee: bool,
    /// Brokers record the alternatives they considered.
    is_broker: bool,
}

impl OrderPage {
    fn value(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "commissions/preview.html")]
struct PreviewPage {
    chrome: Chrome,
    listing: ListingView,
    preview: Preview,
    fields: Vec<(&'static str, String)>,
    idempotency_key: String,
}

/// Approved plans the caller may buy from.
fn plans_to_buy_from(
    conn: &mut crate::services::DbConnection,
    account: &Account,
) -> Result<Vec<PlanView>, AppError> {
    Ok(plans::list(conn, account)?
        .into_iter()
        .filter(|p| {
            p.status == PlanStatus::Approved && crate::services::access::is_holder_side(p.acting_as)
        })
        .collect())
}

async fn order_page(
    state: &AppState,
    visitor: &Visitor,
    id: ListingId,
    fields: Fields,
    errors: FieldErrors,
) -> Result<OrderPage, PageError> {
    let account = visitor.signed_in()?.clone();
    let (listing, plans) = state
        .db
        .run(move |conn| {
            let listing = listings::get(conn, Some(&account), id, Utc::now())?;
            Ok::<_, AppError>((listing, plans_to_buy_from(conn, &account)?))
        })
        .await?;
    let per_visit_fee = listing.fees.iter().any(|f| f.per == FeePer::Visit);
    Ok(OrderPage {
        chrome: Chrome::for_visitor(visitor),
        listing,
        plans,
        fields,
        errors,
        per_visit_fee,
        is_broker: visitor
            .account
            .as_ref()
            .is_some_and(|a| a.role == Role::Broker),
    })
}

pub async fn order_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, PageError> {
    let today = Utc::now().date_naive();
    let fields = Fields::from([
        ("per".to_owned(), "week".to_owned()),
        (
            "start_date".to_owned(),
            (today + chrono::Duration::days(7)).to_string(),
        ),
        (
            "end_date".to_owned(),
            (today + chrono::Duration::days(7 + 12 * 7 - 1)).to_string(),
        ),
    ]);
    let page = order_page(
        &state,
        &visitor,
        id.into_inner(),
        fields,
        FieldErrors::new(),
    )
    .await?;
    render(&page, StatusCode::OK)
}

/// The form's fields as the API's commission request, and the plan it is for.
fn order_of(fields: &Fields) -> Result<(PlanId, CommissionInput), FieldErrors> {
    let (plan_id, portion_id) = field(fields, "portion")
        .and_then(|p| {
            let (plan, portion) = p.split_once(':')?;
            Some((
                plan.parse::<PlanId>().ok()?,
                portion.parse::<PortionId>().ok()?,
            ))
        })
        .ok_or_else(|| FieldErrors::single("portion", "needs choosing: which budget pays"))?;
    let number = |name: &str| field(fields, name).map(Value::String);
    Ok((
        plan_id,
        CommissionInput {
            listing_id: None,
            portion: Some(Value::from(portion_id.get())),
            quantity: number("quantity"),
            per: field(fields, "per"),
            start_date: field(fields, "start_date"),
            end_date: field(fields, "end_date"),
            band: field(fields, "band"),
            visits_per_week: number("visits_per_week"),
            outcome_id: field(fields, "outcome_id").and_then(|o| o.parse().ok()),
            alternatives_considered: Some(super::listing_ids(
                field(fields, "alternatives").as_deref(),
            )?),
            note: field(fields, "note"),
        },
    ))
}

/// `POST /listings/{id}/commission`: `step=preview` shows the cost;
/// `step=confirm` commits it and sends the request.
pub async fn order(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ListingId>,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let listing_id = id.into_inner();
    let fields = form.0;
    let (plan_id, mut input) = match order_of(&fields) {
        Ok(order) => order,
        Err(errors) => {
            let page = order_page(&state, &visitor, listing_id, fields, errors).await?;
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    input.listing_id = Some(listing_id);
    let confirming = field(&fields, "step").as_deref() == Some("confirm");
    let key = field(&fields, "idempotency_key");
    let for_db = account.clone();
    let outcome = state
        .db
        .run(move |conn| {
            let account = for_db;
            if confirming {
                let idempotency = key.map(|key| Idempotency {
                    fingerprint: format!("page commission {listing_id} {plan_id} {input:?}"),
                    key,
                });
                let created =
                    commissions::create(conn, &account, plan_id, input, idempotency, Utc::now());
                return match created {
                    Ok(Created::New(view)) => Ok(Ok(Step::Done(view.id))),
                    Ok(Created::Replayed(body)) => {
                        let id = serde_json::from_str::<Value>(&body)
                            .ok()
                            .and_then(|v| v["id"].as_i64().map(CommissionId))
                            .ok_or_else(|| {
                                AppError::Internal("a replayed answer without an id".into())
                            })?;
                        Ok(Ok(Step::Done(id)))
                    }
                    Err(AppError::Validation(errors)) => Ok(Err(errors)),
                    Err(other) => Err(other),
                };
            }
            match commissions::preview(conn, &account, plan_id, input, Utc::now()) {
                Ok(preview) => {
                    let listing = listings::get(conn, Some(&account), listing_id, Utc::now())?;
                    Ok(Ok(Step::Preview(Box::new(preview), Box::new(listing))))
                }
                Err(AppError::Validation(errors)) => Ok(Err(errors)),
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        Ok(Step::Done(id)) => Ok(redirect(&format!("/commissions/{id}?done=requested"))),
        Ok(Step::Preview(preview, listing)) => render(
            &PreviewPage {
                chrome: Chrome::for_visitor(&visitor),
                listing: *listing,
                preview: *preview,
                fields: ORDER_FIELDS
                    .iter()
                    .map(|name| (*name, field(&fields, name).unwrap_or_default()))
                    .collect(),
                idempotency_key: uuid::Uuid::new_v4().to_string(),
            },
            StatusCode::OK,
        ),
        Err(errors) => {
            let page = order_page(&state, &visitor, listing_id, fields, errors).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

enum Step {
    Preview(Box<Preview>, Box<ListingView>),
    Done(CommissionId),
}

#[derive(Template)]
#[template(path = "commissions/list.html")]
struct ListPage {
    chrome: Chrome,
    is_seller: bool,
    waiting: Vec<CommissionView>,
    others: Vec<CommissionView>,
}

fn is_seller(account: &Account) -> bool {
    matches!(account.role, Role::Provider | Role::PersonalAssistant)
}

pub async fn list(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let seller = is_seller(&account);
    let (items, _) = state
        .db
        .run(move |conn| commissions::list(conn, &account, 0, 500))
        .await?;
    let (waiting, others) = items
        .into_iter()
        .partition(|c| seller && c.status == CommissionStatus::Requested);
    render(
        &ListPage {
            chrome: Chrome::for_visitor(&visitor),
            is_seller: seller,
            waiting,
            others,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
}

fn notice_for(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "requested" => "Your request was sent. The money is set aside in your budget until the seller answers; we will email you their answer.",
        "accepted" => "You accepted the request. We have told the budget holder.",
        "declined" => "You declined the request. The money set aside is back in their budget, and we have told them.",
        "cancelled" => "The commission was cancelled. What was not spent is back in the budget.",
        "completed" => "The commission is complete. What was not spent is back in the budget.",
        "invoiced" => "The invoice was recorded and paid from the budget.",
        "offer_accepted" => "You accepted the offer. It is now an agreed commission, paid from the budget you chose; we have told the seller, and the other sellers that their offers were not taken up.",
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "commissions/show.html")]
struct CommissionPage {
    chrome: Chrome,
    commission: CommissionView,
    invoices: Vec<InvoiceView>,
    is_seller: bool,
    holder_side: bool,
    notice: Option<&'static str>,
    errors: FieldErrors,
    today: String,
}

async fn commission_page(
    state: &AppState,
    visitor: &Visitor,
    id: CommissionId,
    notice: Option<&'static str>,
    errors: FieldErrors,
) -> Result<CommissionPage, PageError> {
    let account = visitor.signed_in()?.clone();
    let viewer = account.clone();
    let (commission, invoices) = state
        .db
        .run(move |conn| {
            let commission = commissions::get(conn, &viewer, id)?;
            Ok::<_, AppError>((commission, commissions::invoices(conn, &viewer, id)?))
        })
        .await?;
    let is_seller = commission.seller_id == account.id;
    Ok(CommissionPage {
        chrome: Chrome::for_visitor(visitor),
        invoices,
        holder_side: !is_seller && account.role != Role::Commissioner,
        is_seller,
        commission,
        notice,
        errors,
        today: Utc::now().date_naive().to_string(),
    })
}

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<CommissionId>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let page = commission_page(
        &state,
        &visitor,
        id.into_inner(),
        notice_for(query.done.as_deref()),
        FieldErrors::new(),
    )
    .await?;
    render(&page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "commissions/confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    commission: CommissionView,
    action: String,
}

/// `GET /commissions/{id}/{action}`: asks before declining, cancelling or completing.
pub async fn confirm(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(CommissionId, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, action) = path.into_inner();
    if !matches!(action.as_str(), "decline" | "cancel" | "complete") {
        return Err(AppError::NotFound.into());
    }
    let page = commission_page(&state, &visitor, id, None, FieldErrors::new()).await?;
    render(
        &ConfirmPage {
            chrome: page.chrome,
            commission: page.commission,
            action,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct ReasonForm {
    reason: Option<String>,
}

pub async fn act(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(CommissionId, String)>,
    form: ProtectedForm<ReasonForm>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let (id, action) = path.into_inner();
    let to = crate::domain::commissions::status_after(&action).ok_or(AppError::NotFound)?;
    let reason = form.0.reason;
    state
        .db
        .run(move |conn| commissions::transition(conn, &account, id, to, reason, Utc::now()))
        .await?;
    Ok(redirect(&format!("/commissions/{id}?done={}", to.code())))
}

#[derive(Deserialize)]
pub struct InvoiceForm {
    period_start: Option<String>,
    period_end: Option<String>,
    quantity: Option<String>,
    amount: Option<String>,
}

pub async fn invoice(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<CommissionId>,
    form: ProtectedForm<InvoiceForm>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let form = form.0;
    let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let input = DeliveryInput {
        period_start: blank(form.period_start),
        period_end: blank(form.period_end),
        quantity: blank(form.quantity).map(Value::String),
        amount: blank(form.amount),
    };
    let outcome = state
        .db
        .run(move |conn| {
            match commissions::record_delivery(conn, &account, id, input, Utc::now()) {
                Ok(_) => Ok(None),
                Err(AppError::Validation(errors)) => Ok(Some(errors)),
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        None => Ok(redirect(&format!("/commissions/{id}?done=invoiced"))),
        Some(errors) => {
            let page = commission_page(&state, &visitor, id, None, errors).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

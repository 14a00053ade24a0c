//! Offer pages: a seller makes, changes or withdraws an offer on a request;
//! the holder's side accepts one after seeing what it leaves in each portion.

use crate::domain::ids::CommissionId;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde_json::Value;

use super::requests::request_page;
use super::{field, redirect, render, Chrome, Fields, PageError};
use crate::domain::listings::{FeeInput, PriceInput};
use crate::domain::requests::OfferInput;
use crate::domain::vocab::{FeeKind, FeePer, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::idempotency::{Created, Idempotency};
use crate::services::offers::{self, OfferView};
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

/// How many fee rows the offer form has.
const FEE_ROWS: usize = 2;

/// The offer form's fields as the API's offer. A fee amount ending in `%`
/// is a percentage; blank schedule and "valid until" clear them.
fn offer_of(fields: &Fields) -> OfferInput {
    let fees: Vec<FeeInput> = (0..FEE_ROWS)
        .filter_map(|i| {
            let amount = field(fields, &format!("fee_amount_{i}"));
            let kind = field(fields, &format!("fee_kind_{i}"));
            (amount.is_some() || kind.is_some()).then(|| {
                let amount = amount.unwrap_or_default();
                let (amount, percent) = match amount.strip_suffix('%') {
                    Some(p) => (None, Some(p.trim().to_owned())),
                    None => (Some(amount), None),
                };
                FeeInput {
                    kind: kind.or_else(|| Some("other".into())),
                    label: field(fields, &format!("fee_label_{i}")),
                    amount,
                    percent,
                    per: field(fields, &format!("fee_per_{i}")),
                }
            })
        })
        .collect();
    OfferInput {
        listing_id: None,
        price: Some(PriceInput {
            amount: field(fields, "price"),
            unit: field(fields, "unit"),
        }),
        rates: None,
        fees: Some(fees),
        visits_per_week: field(fields, "visits_per_week").map(Value::String),
        start_date: field(fields, "start_date"),
        schedule: Some(field(fields, "schedule").unwrap_or_default()),
        message: field(fields, "message"),
        valid_until: Some(field(fields, "valid_until").unwrap_or_default()),
    }
}

/// The offer as form fields, for changing it.
fn fields_of(offer: &OfferView) -> Fields {
    let mut fields = Fields::from([
        ("price".to_owned(), offer.price.amount.to_string()),
        ("unit".to_owned(), offer.price.unit.code().to_owned()),
        ("start_date".to_owned(), offer.start_date.to_string()),
        ("schedule".to_owned(), offer.schedule.clone()),
        ("message".to_owned(), offer.message.clone()),
    ]);
    if let Some(v) = offer.valid_until {
        fields.insert("valid_until".into(), v.to_string());
    }
    if let Some(v) = offer.visits_per_week {
        fields.insert("visits_per_week".into(), v.to_string());
    }
    for (i, fee) in offer.fees.iter().take(FEE_ROWS).enumerate() {
        let mut put = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                fields.insert(format!("{name}_{i}"), value);
            }
        };
        put("fee_kind", fee.kind.clone());
        put("fee_label", fee.label.clone());
        put(
            "fee_amount",
            fee.amount
                .clone()
                .or(fee.percent.as_ref().map(|p| format!("{p}%"))),
        );
        put("fee_per", fee.per.clone());
    }
    fields
}

/// `POST /requests/{id}/offers`: a seller makes an offer from the request page.
pub async fn make(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<i64>,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let request_id = id.into_inner();
    let fields = form.0;
    let input = offer_of(&fields);
    let key = field(&fields, "idempotency_key");
    let outcome = state
        .db
        .run(move |conn| {
            let idempotency = key.map(|key| Idempotency {
                fingerprint: format!("page offer {request_id} {input:?}"),
                key,
            });
            match offers::make(conn, &account, request_id, input, idempotency, Utc::now()) {
                Ok(Created::New(_) | Created::Replayed(_)) => Ok(None),
                Err(AppError::Validation(errors)) => Ok(Some(errors)),
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        None => Ok(redirect(&format!("/requests/{request_id}?done=offered"))),
        Some(errors) => {
            let page = request_page(&state, &visitor, request_id, None, fields, errors).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

#[derive(Template)]
#[template(path = "offers/edit.html")]
struct EditPage {
    chrome: Chrome,
    offer: OfferView,
    fields: Fields,
    errors: FieldErrors,
    units: Vec<crate::domain::vocab::Unit>,
    fee_kinds: Vec<FeeKind>,
    fee_pers: Vec<FeePer>,
}

impl EditPage {
    fn value(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

async fn edit_page(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    fields: Option<Fields>,
    errors: FieldErrors,
) -> Result<EditPage, PageError> {
    let account = visitor.signed_in()?.clone();
    let (offer, request_unit) = state
        .db
        .run(move |conn| {
            let today = Utc::now().date_naive();
            let offer = offers::get(conn, &account, id, today)?;
            if offer.seller.id != account.id {
                return Err(AppError::Forbidden(
                    "Only the seller who made an offer can change it.".into(),
                ));
            }
            let request = crate::services::requests::get(conn, &account, offer.request_id, today)?;
            Ok((offer, request.unit))
        })
        .await?;
    Ok(EditPage {
        chrome: Chrome::for_visitor(visitor),
        fields: fields.unwrap_or_else(|| fields_of(&offer)),
        offer,
        errors,
        units: vec![request_unit, crate::domain::vocab::Unit::Week],
        fee_kinds: FeeKind::all(),
        fee_pers: FeePer::all(),
    })
}

pub async fn edit_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let page = edit_page(&state, &visitor, id.into_inner(), None, FieldErrors::new()).await?;
    render(&page, StatusCode::OK)
}

/// `POST /offers/{id}`: the seller changes their offer.
pub async fn revise(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<i64>,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let fields = form.0;
    // Every field is on the form, so blank fees mean none (offer_of always gives the list).
    let input = offer_of(&fields);
    let outcome = state
        .db
        .run(
            move |conn| match offers::revise(conn, &account, id, input, Utc::now()) {
                Ok(offer) => Ok(Ok(offer.request_id)),
                Err(AppError::Validation(errors)) => Ok(Err(errors)),
                Err(other) => Err(other),
            },
        )
        .await?;
    match outcome {
        Ok(request_id) => Ok(redirect(&format!("/requests/{request_id}?done=revised"))),
        Err(errors) => {
            let page = edit_page(&state, &visitor, id, Some(fields), errors).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

#[derive(Template)]
#[template(path = "offers/withdraw.html")]
struct WithdrawPage {
    chrome: Chrome,
    offer: OfferView,
}

pub async fn withdraw_confirm(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let page = edit_page(&state, &visitor, id.into_inner(), None, FieldErrors::new()).await?;
    render(
        &WithdrawPage {
            chrome: page.chrome,
            offer: page.offer,
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
    let offer = state
        .db
        .run(move |conn| offers::withdraw(conn, &account, id, Utc::now()))
        .await?;
    Ok(redirect(&format!(
        "/requests/{}?done=offer_withdrawn",
        offer.request_id
    )))
}

#[derive(Template)]
#[template(path = "offers/accept.html")]
struct AcceptPage {
    chrome: Chrome,
    offer: OfferView,
    errors: FieldErrors,
    idempotency_key: String,
    /// Brokers record the alternatives they considered.
    is_broker: bool,
}

async fn accept_page(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    errors: FieldErrors,
) -> Result<AcceptPage, PageError> {
    let account = visitor.signed_in()?.clone();
    let is_broker = account.role == crate::domain::accounts::Role::Broker;
    let offer = state
        .db
        .run(move |conn| {
            let offer = offers::get(conn, &account, id, Utc::now().date_naive())?;
            if offer.seller.id == account.id {
                return Err(AppError::Forbidden(
                    "Only the person who asked, or someone acting for them, can accept an offer."
                        .into(),
                ));
            }
            Ok(offer)
        })
        .await?;
    Ok(AcceptPage {
        chrome: Chrome::for_visitor(visitor),
        offer,
        errors,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        is_broker,
    })
}

/// `GET /offers/{id}/accept`: the cost, and what it leaves in each portion, before accepting.
pub async fn accept_confirm(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let page = accept_page(&state, &visitor, id.into_inner(), FieldErrors::new()).await?;
    render(&page, StatusCode::OK)
}

pub async fn accept(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<i64>,
    form: ProtectedForm<Fields>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let fields = form.0;
    let portion = field(&fields, "portion").map(Value::String);
    let key = field(&fields, "idempotency_key");
    let alternatives = match super::listing_ids(field(&fields, "alternatives").as_deref()) {
        Ok(ids) => ids,
        Err(errors) => {
            let page = accept_page(&state, &visitor, id, errors).await?;
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let outcome = state
        .db
        .run(move |conn| {
            let idempotency = key.map(|key| Idempotency {
                fingerprint: format!("page accept {id} {portion:?} {alternatives:?}"),
                key,
            });
            match offers::accept(
                conn,
                &account,
                id,
                portion,
                &alternatives,
                idempotency,
                Utc::now(),
            ) {
                Ok(Created::New(accepted)) => Ok(Ok(accepted.commission.id)),
                Ok(Created::Replayed(body)) => serde_json::from_str::<Value>(&body)
                    .ok()
                    .and_then(|v| v["commission"]["id"].as_i64().map(CommissionId))
                    .map(Ok)
                    .ok_or_else(|| AppError::Internal("a replayed answer without an id".into())),
                Err(AppError::Validation(errors)) => Ok(Err(errors)),
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        Ok(commission_id) => Ok(redirect(&format!(
            "/commissions/{commission_id}?done=offer_accepted"
        ))),
        Err(errors) => {
            let page = accept_page(&state, &visitor, id, errors).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

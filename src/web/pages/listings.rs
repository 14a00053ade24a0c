//! Listing pages: the public listing and seller pages, a seller's own
//! listings and profile, and the personal assistant cost calculator.

use crate::domain::ids::{AccountId, ListingId};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::listing_form::{
    choices, fee_rows, language_choices, rate_rows, Choice, FeeRow, ListingForm, RateRow,
};
use super::{redirect, render, Chrome, PageError};
use crate::domain::pa_cost::{pa_cost, PaCost, RateBook};
use crate::domain::sellers::{Profile, ProfileInput};
use crate::domain::vocab::{
    Band, Category, Employment, ListingStatus, SellerKind, Unit, Vocabulary,
};
use crate::error::{AppError, FieldErrors};
use crate::services::listings::{self, ListingView};
use crate::services::sellers::{self, SellerView};
use crate::web::api::listings::{pa_cost_request, PaCostQuery};
use crate::web::auth::Visitor;
use crate::web::csrf::ProtectedForm;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "listings/show.html")]
struct ListingPage {
    chrome: Chrome,
    listing: ListingView,
    is_owner: bool,
    notice: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ListingId>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let (id, viewer) = (id.into_inner(), visitor.account.clone());
    let listing = state
        .db
        .run(move |conn| listings::get(conn, viewer.as_ref(), id, Utc::now()))
        .await?;
    let is_owner = visitor
        .account
        .as_ref()
        .is_some_and(|a| a.id == listing.provider.id);
    render(
        &ListingPage {
            chrome: Chrome::for_visitor(&visitor),
            listing,
            is_owner,
            notice: notice_for(query.done.as_deref()),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "listings/seller.html")]
struct SellerPage {
    chrome: Chrome,
    seller: SellerView,
}

pub async fn seller(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<AccountId>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let seller = state
        .db
        .run(move |conn| sellers::public_profile(conn, id, 100, Utc::now()))
        .await?;
    render(
        &SellerPage {
            chrome: Chrome::for_visitor(&visitor),
            seller,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "listings/mine.html")]
struct MyListingsPage {
    chrome: Chrome,
    seller_id: AccountId,
    listings: Vec<ListingView>,
    total: i64,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
}

fn notice_for(done: Option<&str>) -> Option<String> {
    let text = match done? {
        "created" => "Your listing has been saved.",
        "updated" => "Your changes have been saved.",
        "published" => "Your listing is published: people can find it now.",
        "paused" => {
            "Your listing is paused: it is hidden from searches until you publish it again."
        }
        "withdrawn" => "Your listing has been withdrawn.",
        "profile" => "Your profile has been saved.",
        _ => return None,
    };
    Some(text.to_owned())
}

pub async fn mine(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let seller_id = account.id;
    let page = state
        .db
        .run(move |conn| listings::mine(conn, &account, 0, 100, Utc::now()))
        .await?;
    render(
        &MyListingsPage {
            chrome: Chrome::for_visitor(&visitor),
            seller_id,
            listings: page.items,
            total: page.total,
            notice: notice_for(query.done.as_deref()),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "listings/form.html")]
struct ListingFormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    is_new: bool,
    is_assistant: bool,
    form: ListingForm,
    errors: FieldErrors,
    categories: Vec<Choice>,
    units: Vec<Choice>,
    statuses: Vec<Choice>,
    employments: Vec<Choice>,
    availability: Vec<Choice>,
    languages: Vec<Choice>,
    rates: Vec<RateRow>,
    fees: Vec<FeeRow>,
}

fn form_page(
    visitor: &Visitor,
    kind: SellerKind,
    existing: Option<(ListingId, &str)>,
    form: ListingForm,
    errors: FieldErrors,
) -> ListingFormPage {
    let statuses: Vec<Choice> = match existing {
        None => choices::<ListingStatus>(std::slice::from_ref(&form.status))
            .into_iter()
            .filter(|c| c.value == "published" || c.value == "draft")
            .collect(),
        Some(_) => choices::<ListingStatus>(std::slice::from_ref(&form.status))
            .into_iter()
            .filter(|c| c.value != "withdrawn" && (c.value != "draft" || form.status == "draft"))
            .collect(),
    };
    ListingFormPage {
        chrome: Chrome::for_visitor(visitor),
        heading: match existing {
            None => "Create a listing".into(),
            Some((_, title)) => format!("Change “{title}”"),
        },
        action: match existing {
            None => "/my/listings".into(),
            Some((id, _)) => format!("/my/listings/{id}"),
        },
        is_new: existing.is_none(),
        is_assistant: kind == SellerKind::PersonalAssistant,
        categories: choices::<Category>(std::slice::from_ref(&form.category)),
        units: choices::<Unit>(std::slice::from_ref(&form.price_unit)),
        statuses,
        employments: choices::<Employment>(std::slice::from_ref(&form.employment)),
        availability: choices::<Band>(&form.availability),
        languages: language_choices(&form.languages),
        rates: rate_rows(&form),
        fees: fee_rows(&form),
        form,
        errors,
    }
}

fn seller_kind_of(visitor: &Visitor) -> Result<SellerKind, PageError> {
    let account = visitor.signed_in()?;
    Ok(listings::require_seller_kind(account)?)
}

pub async fn new_form(visitor: Visitor) -> Result<HttpResponse, PageError> {
    let kind = seller_kind_of(&visitor)?;
    let mut form = ListingForm::new_listing();
    if kind == SellerKind::PersonalAssistant {
        form.category = Category::PersonalAssistant.code().into();
        form.employment = Employment::SelfEmployed.code().into();
    }
    render(
        &form_page(&visitor, kind, None, form, FieldErrors::new()),
        StatusCode::OK,
    )
}

pub async fn create(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: ProtectedForm<ListingForm>,
) -> Result<HttpResponse, PageError> {
    let kind = seller_kind_of(&visitor)?;
    let account = visitor.signed_in()?.clone();
    let form = form.0;
    let converted = form.to_input();
    let (places, input) = (state.places, converted.input.clone());
    let outcome = state
        .db
        .run(move |conn| listings::create(conn, places, &account, input, Utc::now()))
        .await;
    match outcome {
        Ok(listing) => Ok(redirect(&format!("/listings/{}?done=created", listing.id))),
        Err(AppError::Validation(errors)) => render(
            &form_page(&visitor, kind, None, form, converted.form_errors(&errors)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => Err(other.into()),
    }
}

pub async fn edit_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, PageError> {
    let kind = seller_kind_of(&visitor)?;
    let (id, account) = (id.into_inner(), visitor.signed_in()?.clone());
    let stored = state
        .db
        .run(move |conn| listings::own(conn, &account, id))
        .await?;
    if stored.content.status == ListingStatus::Withdrawn {
        return Ok(redirect(&format!("/listings/{id}")));
    }
    let form = ListingForm::from_content(&stored.content);
    render(
        &form_page(
            &visitor,
            kind,
            Some((id, &stored.content.title)),
            form,
            FieldErrors::new(),
        ),
        StatusCode::OK,
    )
}

pub async fn update(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ListingId>,
    form: ProtectedForm<ListingForm>,
) -> Result<HttpResponse, PageError> {
    let kind = seller_kind_of(&visitor)?;
    let (id, account) = (id.into_inner(), visitor.signed_in()?.clone());
    let form = form.0;
    let converted = form.to_input();
    let (places, input) = (state.places, converted.input.clone());
    let outcome = state
        .db
        .run(move |conn| listings::update(conn, places, &account, id, input, Utc::now()))
        .await;
    match outcome {
        Ok(_) => Ok(redirect(&format!("/listings/{id}?done=updated"))),
        Err(AppError::Validation(errors)) => {
            let title = form.title.clone();
            render(
                &form_page(
                    &visitor,
                    kind,
                    Some((id, &title)),
                    form,
                    converted.form_errors(&errors),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

/// Publish or pause from the list of one's listings.
pub async fn change_status(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ListingId>,
    form: ProtectedForm<StatusForm>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let status =
        ListingStatus::from_input(&form.0.status).map_err(|m| AppError::field("status", m))?;
    if status == ListingStatus::Withdrawn {
        return Ok(redirect(&format!("/my/listings/{id}/withdraw")));
    }
    let places = state.places;
    let patch = crate::domain::listings::ListingInput {
        status: Some(status.code().into()),
        ..Default::default()
    };
    state
        .db
        .run(move |conn| listings::update(conn, places, &account, id, patch, Utc::now()))
        .await?;
    Ok(redirect(&format!("/my/listings?done={}", status.code())))
}

#[derive(Template)]
#[template(path = "listings/withdraw.html")]
struct WithdrawPage {
    chrome: Chrome,
    listing: ListingView,
}

/// Withdrawing cannot be undone, so it is asked for on a page of its own first.
pub async fn withdraw_confirm(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    let listing = state
        .db
        .run(move |conn| {
            let listing = listings::get(conn, Some(&account), id, Utc::now())?;
            if listing.provider.id != account.id {
                return Err(AppError::NotFound);
            }
            Ok(listing)
        })
        .await?;
    render(
        &WithdrawPage {
            chrome: Chrome::for_visitor(&visitor),
            listing,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn withdraw(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ListingId>,
    _form: ProtectedForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let account = visitor.signed_in()?.clone();
    let id = id.into_inner();
    state
        .db
        .run(move |conn| listings::withdraw(conn, &account, id, Utc::now()))
        .await?;
    Ok(redirect("/my/listings?done=withdrawn"))
}

#[derive(Debug, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    cqc_provider_id: String,
    holds_isf: Option<String>,
    #[serde(default)]
    skills: String,
    #[serde(default)]
    qualifications: String,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    dbs_checked_on: String,
    #[serde(default)]
    employment: String,
    #[serde(default)]
    broker_type: String,
    #[serde(default)]
    accreditation: String,
    #[serde(default)]
    fee_model: String,
}

impl ProfileForm {
    fn from_profile(p: &Profile) -> Self {
        ProfileForm {
            description: p.description.clone(),
            address: p.address.clone().unwrap_or_default(),
            postcode: p.postcode.clone().unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            contact_email: p.contact_email.clone().unwrap_or_default(),
            website: p.website.clone().unwrap_or_default(),
            cqc_provider_id: p.cqc_provider_id.clone().unwrap_or_default(),
            holds_isf: p.holds_isf.then(|| "on".into()),
            skills: p.skills.join(", "),
            qualifications: p.qualifications.join(", "),
            languages: p.languages.clone(),
            dbs_checked_on: p.dbs_checked_on.map(|d| d.to_string()).unwrap_or_default(),
            employment: p
                .employment
                .map(|e| e.code().to_owned())
                .unwrap_or_default(),
            broker_type: p.broker_type.clone().unwrap_or_default(),
            accreditation: p.accreditation.clone().unwrap_or_default(),
            fee_model: p.fee_model.clone().unwrap_or_default(),
        }
    }

    fn to_input(&self) -> ProfileInput {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let list = |s: &str| {
            s.split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        };
        ProfileInput {
            description: some(&self.description),
            address: some(&self.address),
            postcode: some(&self.postcode),
            phone: some(&self.phone),
            contact_email: some(&self.contact_email),
            website: some(&self.website),
            cqc_provider_id: some(&self.cqc_provider_id),
            holds_isf: Some(self.holds_isf.is_some()),
            skills: Some(list(&self.skills)),
            qualifications: Some(list(&self.qualifications)),
            languages: Some(self.languages.clone()),
            dbs_checked_on: some(&self.dbs_checked_on),
            employment: some(&self.employment),
            broker_type: some(&self.broker_type),
            accreditation: some(&self.accreditation),
            fee_model: some(&self.fee_model),
        }
    }
}

#[derive(Template)]
#[template(path = "listings/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    kind: &'static str,
    seller_id: AccountId,
    form: ProfileForm,
    errors: FieldErrors,
    languages: Vec<Choice>,
    employments: Vec<Choice>,
}

fn profile_page(
    visitor: &Visitor,
    kind: SellerKind,
    form: ProfileForm,
    errors: FieldErrors,
) -> ProfilePage {
    ProfilePage {
        chrome: Chrome::for_visitor(visitor),
        kind: kind.code(),
        seller_id: visitor
            .account
            .as_ref()
            .map(|a| a.id)
            .unwrap_or(AccountId(0)),
        languages: language_choices(&form.languages),
        employments: choices::<Employment>(std::slice::from_ref(&form.employment)),
        form,
        errors,
    }
}

pub async fn profile_form(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let kind = seller_kind_of(&visitor)?;
    let account = visitor.signed_in()?.clone();
    let profile = state
        .db
        .run(move |conn| sellers::own_profile(conn, &account))
        .await?;
    render(
        &profile_page(
            &visitor,
            kind,
            ProfileForm::from_profile(&profile),
            FieldErrors::new(),
        ),
        StatusCode::OK,
    )
}

/// Errors name list items (`skills[2]`); the form has one input per list.
fn profile_errors(errors: &FieldErrors) -> FieldErrors {
    let mut named = FieldErrors::new();
    for (field, messages) in errors.iter() {
        let id = field.split('[').next().unwrap_or(field);
        for message in messages {
            named.add(id, message.clone());
        }
    }
    named
}

pub async fn save_profile(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: ProtectedForm<ProfileForm>,
) -> Result<HttpResponse, PageError> {
    let kind = seller_kind_of(&visitor)?;
    let account = visitor.signed_in()?.clone();
    let form = form.0;
    let (places, input) = (state.places, form.to_input());
    let outcome = state
        .db
        .run(move |conn| sellers::save_profile(conn, places, &account, input, Utc::now()))
        .await;
    match outcome {
        Ok(_) => Ok(redirect("/my/listings?done=profile")),
        Err(AppError::Validation(errors)) => render(
            &profile_page(&visitor, kind, form, profile_errors(&errors)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "listings/pa_cost.html")]
struct PaCostPage {
    chrome: Chrome,
    hourly_pay: String,
    hours_per_week: String,
    tax_year: String,
    tax_years: Vec<String>,
    employment_allowance: bool,
    errors: FieldErrors,
    cost: Option<PaCost>,
}

pub async fn pa_cost_page(
    visitor: Visitor,
    query: web::Query<PaCostQuery>,
) -> Result<HttpResponse, PageError> {
    let book = RateBook::get();
    let mut query = query.into_inner();
    let asked = query.hourly_pay.is_some() || query.hours_per_week.is_some();
    // An unticked checkbox sends nothing: on the page, that means "not claimed".
    if asked && query.employment_allowance.is_none() {
        query.employment_allowance = Some("false".into());
    }
    let claimed = !matches!(query.employment_allowance.as_deref(), Some("false"));
    let (cost, errors) = if asked {
        match pa_cost_request(&query) {
            Ok((request, year)) => {
                let rates = book.year(&year).expect("checked");
                match pa_cost(rates, request) {
                    Ok(cost) => (Some(cost), FieldErrors::new()),
                    Err(e) => (None, FieldErrors::single("hourly_pay", e.to_string())),
                }
            }
            Err(AppError::Validation(errors)) => (None, errors),
            Err(other) => return Err(other.into()),
        }
    } else {
        (None, FieldErrors::new())
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let current = book.for_date(Utc::now().date_naive()).tax_year.clone();
    render(
        &PaCostPage {
            chrome: Chrome::for_visitor(&visitor),
            hourly_pay: query.hourly_pay.clone().unwrap_or_default(),
            hours_per_week: query.hours_per_week.clone().unwrap_or_default(),
            tax_year: query
                .tax_year
                .clone()
                .filter(|t| !t.is_empty())
                .unwrap_or(current),
            tax_years: book.names().map(str::to_owned).collect(),
            employment_allowance: claimed,
            errors,
            cost,
        },
        status,
    )
}

//! Support requests: the holder's side says what it needs; sellers whose live
//! listings serve the category and district see only what the request shares
//! and are told of it, at once or in a daily digest.

use crate::domain::ids::{AccountId, PlanId};
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

use crate::domain::accounts::Role;
use crate::domain::money::Money;
use crate::domain::places::Places;
use crate::domain::quantity::Quantity;
use crate::domain::requests::{check_request, expires_on, RequestInput, SupportRequest};
use crate::domain::vocab::{
    ActingAs, AlertFrequency, Band, Category, OfferStatus, OutcomeDomain, PlanStatus, QuantityPer,
    RequestStatus, Unit, Vocabulary,
};
use crate::error::AppError;
use crate::services::access::Account;
use crate::services::access::{audience, holder_side_of, Audience};
use crate::services::access::{is_holder_side, locked_plan, standing};
use crate::services::idempotency::{create_once, Created, Idempotency};
use crate::services::mail;
use crate::store::codes::Json;
use crate::store::locks::{self, Subject};
use crate::store::offers::{self as offer_store};
use crate::store::plans::{self as plan_store, PlanRow};
use crate::store::requests::{self as store, RequestRow};
use crate::store::{write_transaction, DbConnection};

/// A request as someone may see it. Sellers get only what the request shares:
/// the fields marked "holder side" stay empty for them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub status: RequestStatus,
    pub status_label: &'static str,
    pub category: Category,
    pub category_label: &'static str,
    pub unit: Unit,
    pub quantity: Quantity,
    pub per: &'static str,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub areas: Vec<String>,
    pub availability: Vec<Band>,
    pub languages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_price: Option<Money>,
    pub details: String,
    /// The area of life the support is for, never the outcome's own words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_domain: Option<OutcomeDomain>,
    /// Offers open or accepted.
    pub offers: i64,
    /// The last day the request takes offers.
    pub expires_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// Holder side: which plan, which outcome, who posted it and as what.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<PlanId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<AccountId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acting_as: Option<ActingAs>,
    /// Seller: their own open or accepted offer on it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_offer_id: Option<i64>,
}

pub fn view(
    conn: &mut DbConnection,
    row: RequestRow,
    audience: Audience,
    viewer_id: AccountId,
    today: NaiveDate,
) -> Result<RequestView, AppError> {
    let mut views = views(conn, vec![(row, audience)], viewer_id, today)?;
    Ok(views.remove(0))
}

/// Views of several requests, reading their areas, offer counts and the
/// viewer's own offers once for all of them.
pub fn views(
    conn: &mut DbConnection,
    rows: Vec<(RequestRow, Audience)>,
    viewer_id: AccountId,
    today: NaiveDate,
) -> Result<Vec<RequestView>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|(r, _)| r.id).collect();
    let mut areas = store::areas_of(conn, &ids)?;
    let counts = offer_store::live_offer_counts(conn, &ids)?;
    let own_offers: HashMap<i64, i64> = if rows.iter().any(|(_, a)| *a == Audience::Seller) {
        offer_store::of_seller(conn, viewer_id)?
            .into_iter()
            .filter(|o| matches!(o.status, OfferStatus::Open | OfferStatus::Accepted))
            .map(|o| (o.request_id, o.id))
            .collect()
    } else {
        HashMap::new()
    };
    rows.into_iter()
        .map(|(row, audience)| {
            let areas = areas.remove(&row.id).unwrap_or_default();
            let offers = counts.get(&row.id).copied().unwrap_or(0);
            let my_offer_id = match audience {
                Audience::Seller => own_offers.get(&row.id).copied(),
                Audience::PlanSide(_) => None,
            };
            assemble(row, audience, areas, offers, my_offer_id, today)
        })
        .collect()
}

fn assemble(
    row: RequestRow,
    audience: Audience,
    areas: Vec<String>,
    offers: i64,
    my_offer_id: Option<i64>,
    today: NaiveDate,
) -> Result<RequestView, AppError> {
    let status = row.status_on(today);
    let category = row.category;
    let plan_side = match audience {
        Audience::PlanSide(acting) => Some(acting),
        Audience::Seller => None,
    };
    let acting_as = match plan_side {
        Some(_) => Some(row.acting_as),
        None => None,
    };
    Ok(RequestView {
        id: row.id,
        status,
        status_label: status.label(),
        category,
        category_label: category.label(),
        unit: row.unit,
        quantity: Quantity::from_hundredths(row.quantity_centi),
        per: "week",
        start_date: row.start_date,
        end_date: row.end_date,
        areas,
        availability: row.availability.0.clone(),
        languages: row.languages.0.clone(),
        max_price: row.max_price_pence.map(Money::from_pence),
        details: row.details.clone(),
        outcome_domain: row.outcome_domain,
        offers,
        expires_on: row.expires_on,
        created_at: row.created_at.and_utc(),
        plan_id: plan_side.map(|_| row.plan_id),
        outcome_id: plan_side.and(row.outcome_id),
        requested_by: plan_side.map(|_| row.requested_by),
        acting_as,
        my_offer_id,
    })
}

pub fn get(
    conn: &mut DbConnection,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<RequestView, AppError> {
    let row = store::find_request(conn, id)?.ok_or(AppError::NotFound)?;
    let audience = audience(conn, account, &row)?;
    view(conn, row, audience, account.id, today)
}

fn facts_of(request: &SupportRequest) -> Vec<(String, String)> {
    vec![
        ("Support".into(), request.category.label().into()),
        (
            "How much".into(),
            format!("{} {} a week", request.quantity, request.unit.plural()),
        ),
        ("Where".into(), request.areas.join(", ")),
        (
            "Dates".into(),
            format!("{} to {}", request.start_date, request.end_date),
        ),
    ]
}

/// The holder's side posts a request against a plan that is not ended.
pub fn create(
    conn: &mut DbConnection,
    account: &Account,
    input: RequestInput,
    idempotency: Option<Idempotency>,
    now: DateTime<Utc>,
) -> Result<Created<RequestView>, AppError> {
    let request = check_request(input, Places::get()).map_err(AppError::Validation)?;
    let today = now.date_naive();
    let now = now.naive_utc();
    create_once(conn, account.id, idempotency.as_ref(), now, |conn| {
        let (_lock, plan, acting) = locked_plan(conn, account, request.plan_id)?;
        if !is_holder_side(acting) {
            return Err(AppError::Forbidden(
                "Only the budget holder, their representative or their broker can ask for support."
                    .into(),
            ));
        }
        check_against_plan(conn, &plan, &request, today)?;
        let outcome_domain = match request.outcome_id {
            Some(id) => plan_store::outcomes(conn, plan.id)?
                .into_iter()
                .find(|o| o.id == id)
                .map(|o| o.domain),
            None => None,
        };
        let row = RequestRow {
            id: 0,
            plan_id: plan.id,
            council_code: plan.council_code.clone(),
            requested_by: account.id,
            acting_as: acting,
            status: RequestStatus::Open,
            category: request.category,
            unit: request.unit,
            quantity_centi: request.quantity.hundredths(),
            per: QuantityPer::Week,
            start_date: request.start_date,
            end_date: request.end_date,
            outcome_id: request.outcome_id,
            outcome_domain,
            availability: Json(request.availability.clone()),
            languages: Json(request.languages.clone()),
            max_price_pence: request.max_price.map(Money::pence),
            details: request.details.clone(),
            expires_on: expires_on(today, request.start_date, request.end_date),
            first_offer_at: None,
            created_at: now,
            updated_at: now,
        };
        let id = store::insert_request(conn, &row, &request.areas)?;
        plan_store::record_event(
            conn,
            plan.id,
            account.id,
            acting,
            "support requested",
            &format!("request {id}: {}", request.category.label()),
            now,
        )?;
        tell_sellers_at_once(conn, id, &request, now)?;
        let row = store::find_request(conn, id)?.ok_or(AppError::NotFound)?;
        view(conn, row, Audience::PlanSide(acting), account.id, today)
    })
}

fn check_against_plan(
    conn: &mut DbConnection,
    plan: &PlanRow,
    request: &SupportRequest,
    today: NaiveDate,
) -> Result<(), AppError> {
    if plan.status == PlanStatus::Ended {
        return Err(AppError::conflict(
            "plan-ended",
            "This plan has ended, so it cannot ask for support.",
        ));
    }
    let mut errors = crate::error::FieldErrors::new();
    if request.start_date < plan.period_start || request.start_date > plan.period_end {
        errors.add(
            "start_date",
            format!(
                "must be within the plan's period, {} to {}",
                plan.period_start, plan.period_end
            ),
        );
    }
    if request.end_date > plan.period_end {
        errors.add(
            "end_date",
            format!("must be on or before the plan ends, {}", plan.period_end),
        );
    }
    if request.end_date < today {
        errors.add("end_date", "is in the past");
    }
    if let Some(outcome_id) = request.outcome_id {
        if !plan_store::outcomes(conn, plan.id)?
            .iter()
            .any(|o| o.id == outcome_id)
        {
            errors.add("outcome_id", "is not an outcome of this plan");
        }
    }
    Ok(errors.into_result()?)
}

/// Tells sellers who asked to hear at once of a request that fits them.
fn tell_sellers_at_once(
    conn: &mut DbConnection,
    id: i64,
    request: &SupportRequest,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let sellers = store::sellers_serving(conn, request.category, &request.areas)?;
    let settings = store::alert_settings(conn, &sellers)?;
    for seller in sellers {
        let immediate = settings
            .get(&seller)
            .is_some_and(|(f, _)| *f == AlertFrequency::Immediate);
        if !immediate {
            continue;
        }
        if let Some(to) = mail::recipient(conn, seller)? {
            let draft = mail::Draft {
                kind: "request_posted",
                subject: format!("New request for {}", request.category.label().to_lowercase()),
                summary: "Someone with a personal budget has asked for support that fits your listings. You can answer with an offer made for them.".into(),
                facts: facts_of(request),
                action_label: "See the request and make an offer",
                action_path: format!("/requests/{id}"),
            };
            mail::tell(conn, &to, &draft, now)?;
        }
    }
    Ok(())
}

/// The requests the caller may see, newest first: a seller's are the open
/// requests that fit their live listings (and, for a broker, their clients'
/// too); the holder's side sees its own; a commissioner their council's.
pub fn list(
    conn: &mut DbConnection,
    account: &Account,
    today: NaiveDate,
    offset: i64,
    limit: i64,
) -> Result<(Vec<RequestView>, i64), AppError> {
    let mut entries: HashMap<i64, Audience> = HashMap::new();
    let plan_ids = match account.role {
        Role::Commissioner => match &account.council {
            Some(code) => plan_store::ids_of_council(conn, code)?,
            None => Vec::new(),
        },
        Role::Provider | Role::PersonalAssistant => Vec::new(),
        _ => plan_store::ids_for_holder_side(conn, account.id)?,
    };
    let mut standings: HashMap<PlanId, Option<ActingAs>> = HashMap::new();
    for row in store::of_plans(conn, &plan_ids)? {
        let acting = match standings.get(&row.plan_id) {
            Some(known) => *known,
            None => {
                let plan = plan_store::find(conn, row.plan_id)?.ok_or(AppError::NotFound)?;
                let acting = standing(conn, account, &plan)?;
                standings.insert(row.plan_id, acting);
                acting
            }
        };
        if let Some(acting) = acting {
            entries.insert(row.id, Audience::PlanSide(acting));
        }
    }
    if account.role.is_seller() {
        let served = store::served_by(conn, account.id)?;
        for id in store::open_matching(conn, &served, today, None)? {
            entries.entry(id).or_insert(Audience::Seller);
        }
    }
    let mut ids: Vec<i64> = entries.keys().copied().collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    let total = ids.len() as i64;
    let page: Vec<i64> = ids
        .into_iter()
        .skip(offset.max(0) as usize)
        .take(limit.max(0) as usize)
        .collect();
    let rows = store::find_requests(conn, &page)?
        .into_iter()
        .map(|row| {
            let audience = entries[&row.id];
            (row, audience)
        })
        .collect();
    let views = views(conn, rows, account.id, today)?;
    Ok((views, total))
}

/// The holder's side withdraws an open request; open offers on it are declined
/// and their sellers told.
pub fn withdraw(
    conn: &mut DbConnection,
    account: &Account,
    id: i64,
    now: DateTime<Utc>,
) -> Result<RequestView, AppError> {
    let today = now.date_naive();
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        locks::lock_plan_of(conn, Subject::Request(id))?.ok_or(AppError::NotFound)?;
        let row = store::find_request(conn, id)?.ok_or(AppError::NotFound)?;
        let acting = holder_side_of(conn, account, &row)?;
        if row.status_on(today) != RequestStatus::Open
            || !store::move_request(conn, id, RequestStatus::Open, RequestStatus::Withdrawn, now)?
        {
            return Err(AppError::conflict(
                "request-closed",
                "This request is no longer open, so it cannot be withdrawn.",
            ));
        }
        let summary = "The person who asked for this support has withdrawn their request. Thank you for your offer.";
        crate::services::offers::decline_open_offers(conn, &row, None, summary, now)?;
        plan_store::record_event(
            conn,
            row.plan_id,
            account.id,
            acting,
            "support request withdrawn",
            &format!("request {id}"),
            now,
        )?;
        let row = store::find_request(conn, id)?.ok_or(AppError::NotFound)?;
        view(conn, row, Audience::PlanSide(acting), account.id, today)
    })
}

/// How often a seller hears of new requests; daily unless they chose otherwise.
pub fn alert_frequency(
    conn: &mut DbConnection,
    account: &Account,
) -> Result<AlertFrequency, AppError> {
    Ok(store::alert_setting(conn, account.id)?.map_or(AlertFrequency::Daily, |(f, _)| f))
}

pub fn set_alert_frequency(
    conn: &mut DbConnection,
    account: &Account,
    frequency: &str,
    now: DateTime<Utc>,
) -> Result<AlertFrequency, AppError> {
    if !account.role.is_seller() {
        return Err(AppError::Forbidden(
            "Only providers, personal assistants and brokers hear of new requests.".into(),
        ));
    }
    let frequency = AlertFrequency::from_input(frequency)
        .map_err(|message| AppError::field("frequency", message))?;
    store::save_alert_frequency(conn, account.id, frequency, now.naive_utc())?;
    Ok(frequency)
}

/// Sends each seller who chose a daily digest (the default) the open
/// requests that fit them and were posted since their last one, at most once
/// a day; marks requests past their last day as expired. Returns how many
/// digests were written.
pub fn send_digests(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, AppError> {
    let today = now.date_naive();
    let now = now.naive_utc();
    write_transaction(conn, |conn| store::expire_due(conn, today, now).map(|_| ()))?;
    let day_ago = now - Duration::hours(24);
    let sellers = store::live_sellers(conn)?;
    let settings = store::alert_settings(conn, &sellers)?;
    let mut sent = 0;
    for seller in sellers {
        let (frequency, until) = settings
            .get(&seller)
            .cloned()
            .unwrap_or((AlertFrequency::Daily, None));
        if frequency != AlertFrequency::Daily || until.is_some_and(|u| u > day_ago) {
            continue;
        }
        // Claimed first: of several instances sending digests, one sends each.
        sent += write_transaction(conn, |conn| {
            if !store::claim_digest(conn, seller, frequency, until, now)? {
                return Ok(0);
            }
            let told = tell_seller_of_new_requests(conn, seller, until, today, now)?;
            Ok::<_, AppError>(usize::from(told))
        })?;
    }
    Ok(sent)
}

/// One seller's digest: the open requests that fit them posted since
/// `since` (all of them for a first digest). True when a message was written.
fn tell_seller_of_new_requests(
    conn: &mut DbConnection,
    seller: AccountId,
    since: Option<NaiveDateTime>,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let served = store::served_by(conn, seller)?;
    let ids = store::open_matching(conn, &served, today, since)?;
    if ids.is_empty() {
        return Ok(false);
    }
    let Some(to) = mail::recipient(conn, seller)? else {
        return Ok(false);
    };
    let rows = store::find_requests(conn, &ids)?;
    let areas = store::areas_of(conn, &ids)?;
    let facts = rows
        .iter()
        .map(|r| {
            let category = r.category.label();
            let unit = r.unit.plural();
            let line = format!(
                "{} {unit} a week in {}, from {} (request {})",
                Quantity::from_hundredths(r.quantity_centi),
                areas.get(&r.id).map(|a| a.join(", ")).unwrap_or_default(),
                r.start_date,
                r.id
            );
            (category.to_owned(), line)
        })
        .collect();
    let draft = mail::Draft {
        kind: "request_digest",
        subject: match rows.len() {
            1 => "1 new request fits your listings".to_owned(),
            n => format!("{n} new requests fit your listings"),
        },
        summary: "People with personal budgets have asked for support that fits your listings. You can answer each with an offer made for them.".into(),
        facts,
        action_label: "See the requests",
        action_path: "/requests".into(),
    };
    mail::tell(conn, &to, &draft, now)?;
    Ok(true)
}

/// Sends digests now and then, for as long as the server runs.
pub async fn run_digest_worker(db: crate::store::Db, every: std::time::Duration) {
    // The first round waits a full interval, so start-up is not slowed by it.
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticker.tick().await;
        match db.run(|conn| send_digests(conn, Utc::now())).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(digests = n, "request digests written"),
            Err(e) => tracing::warn!(error = %e, "request digests failed; will try again"),
        }
    }
}

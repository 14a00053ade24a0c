//! Commissioning support against a plan: the cost worked out from the
//! listing at that moment, the budget check and the commitment in one write
//! transaction, and the commission's life from request to completion
//! (`lifecycle`).

mod lifecycle;

use crate::domain::ids::{AccountId, CommissionId, ListingId, PlanId, PortionId};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
pub use lifecycle::{invoices, record_delivery, transition, DeliveryInput, InvoiceView};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::accounts::Role;
use crate::domain::calendar::BankHolidays;
use crate::domain::commissions::{
    self as rules, check_request, CommissionInput, CommissionRequest, PortionChoice,
};
use crate::domain::ledger::EntryKind;
use crate::domain::money::Money;
use crate::domain::pricing::Cost;
use crate::domain::quantity::Quantity;
use crate::domain::vocab::{
    ActingAs, AffiliationNature, Band, Category, CommissionStatus, ListingStatus, PlanStatus,
    QuantityPer, Unit, Vocabulary,
};
use crate::error::{AppError, FieldErrors};
use crate::services::access::commission_standing as standing;
use crate::services::access::Account;
use crate::services::access::{is_holder_side, visible_plan};
use crate::services::idempotency::create_once;
pub use crate::services::idempotency::{Created, Idempotency};
use crate::services::ledger::post_failed;
use crate::services::{conflicts, mail};
use crate::store::codes::Json;
use crate::store::commissions::{self as store, CommissionRow, Scope};
use crate::store::ledger::{self, EntryRef};
use crate::store::locks::{self, PlanLock};
use crate::store::plans as plan_store;
use crate::store::{listings as listing_store, DbConnection};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CostView {
    pub unit_price: Money,
    /// All fees over the commission.
    pub fees: Money,
    pub weekly: Money,
    pub total: Money,
    pub fee_lines: Vec<Value>,
}

impl CostView {
    /// The cost as the API shows it, for a commission or an offer.
    pub fn of(cost: &Cost) -> CostView {
        CostView {
            unit_price: cost.unit_price,
            fees: cost.fees_total,
            weekly: cost.weekly,
            total: cost.total,
            fee_lines: cost
                .fees
                .iter()
                .map(|f| serde_json::to_value(f).expect("fee lines serialise"))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommissionView {
    pub id: CommissionId,
    pub plan_id: PlanId,
    pub portion_id: PortionId,
    pub listing_id: ListingId,
    pub listing_title: String,
    pub seller_id: AccountId,
    pub status: CommissionStatus,
    pub status_label: &'static str,
    pub category: Category,
    pub unit: Unit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
    pub quantity: Quantity,
    pub per: QuantityPer,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visits_per_week: Option<Quantity>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_id: Option<i64>,
    pub cost: CostView,
    /// What the commission still holds of the budget, and what has been paid.
    pub committed: Money,
    pub spent: Money,
    pub requested_by: AccountId,
    pub acting_as: ActingAs,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brokered_by: Option<AccountId>,
    pub alternatives_considered: Vec<String>,
    /// The tailored offer this commission was accepted from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<i64>,
    /// A broker's declared interest in the seller when they commissioned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker_affiliation: Option<AffiliationNature>,
    pub note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn view(conn: &mut DbConnection, row: &CommissionRow) -> Result<CommissionView, AppError> {
    Ok(views(conn, std::slice::from_ref(row))?.remove(0))
}

/// Views of many commissions: their money is read from the ledger in one
/// query (for every 500), never one query per commission.
pub fn views(
    conn: &mut DbConnection,
    rows: &[CommissionRow],
) -> Result<Vec<CommissionView>, AppError> {
    let ids: Vec<CommissionId> = rows.iter().map(|r| r.id).collect();
    let figures = ledger::commission_figures(conn, &ids)?;
    rows.iter()
        .map(|row| {
            let (committed, spent) = figures.get(&row.id).copied().unwrap_or_default();
            view_with(row, committed, spent)
        })
        .collect()
}

/// A commission's view when what it holds and has spent are already known.
fn view_with(
    row: &CommissionRow,
    committed: Money,
    spent: Money,
) -> Result<CommissionView, AppError> {
    let status = row.status;
    let acting_as = row.acting_as;
    let cost = &row.cost;
    Ok(CommissionView {
        id: row.id,
        plan_id: row.plan_id,
        portion_id: row.portion_id,
        listing_id: row.listing_id,
        listing_title: row.listing_title.clone(),
        seller_id: row.seller_id,
        status,
        status_label: status.label(),
        category: row.category,
        unit: row.unit,
        band: row.band,
        quantity: Quantity::from_hundredths(row.quantity_centi),
        per: row.per,
        visits_per_week: row.visits_per_week_centi.map(Quantity::from_hundredths),
        start_date: row.start_date,
        end_date: row.end_date,
        outcome_id: row.outcome_id,
        cost: CostView::of(cost),
        committed,
        spent,
        requested_by: row.requested_by,
        acting_as,
        brokered_by: (acting_as == ActingAs::Broker).then_some(row.requested_by),
        alternatives_considered: row.alternatives.0.clone(),
        offer_id: row.offer_id,
        broker_affiliation: row.broker_affiliation,
        note: row.note.clone(),
        reason: row.reason.clone(),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

pub fn views_of_plan(
    conn: &mut DbConnection,
    plan_id: PlanId,
) -> Result<Vec<CommissionView>, AppError> {
    let rows = store::of_plan(conn, plan_id)?;
    views(conn, &rows)
}

pub(crate) fn resolve_portion(
    portions: &[plan_store::PortionRow],
    choice: &PortionChoice,
) -> Result<plan_store::PortionRow, AppError> {
    match choice {
        PortionChoice::Id(id) => portions
            .iter()
            .find(|p| p.id == *id)
            .cloned()
            .ok_or_else(|| AppError::field("portion", "is not a portion of this plan")),
        PortionChoice::Mode(mode) => {
            let matching: Vec<_> = portions.iter().filter(|p| p.mode == *mode).collect();
            match matching.as_slice() {
                [one] => Ok((*one).clone()),
                [] => Err(AppError::field(
                    "portion",
                    format!(
                        "names no portion of this plan: it has no {}",
                        mode.label().to_lowercase()
                    ),
                )),
                _ => Err(AppError::field(
                    "portion",
                    format!(
                        "is ambiguous: this plan has several {} portions; give the portion's id",
                        mode.label().to_lowercase()
                    ),
                )),
            }
        }
    }
}

/// The holder's side asks a seller for support, committing its cost against a portion.
pub fn create(
    conn: &mut DbConnection,
    account: &Account,
    plan_id: PlanId,
    input: CommissionInput,
    idempotency: Option<Idempotency>,
    now: DateTime<Utc>,
) -> Result<Created<CommissionView>, AppError> {
    let request = check_request(input).map_err(AppError::Validation)?;
    let today = now.date_naive();
    let now = now.naive_utc();
    create_once(conn, account.id, idempotency.as_ref(), now, |conn| {
        commission_in_transaction(conn, account, plan_id, &request, today, now)
    })
}

/// Everything a commission would be, worked out but not yet written.
pub struct Quote {
    pub plan: plan_store::PlanRow,
    pub acting: ActingAs,
    pub portion: plan_store::PortionRow,
    pub listing: listing_store::StoredListing,
    pub cost: Cost,
    /// The broker's declared interest in the seller, when a broker is buying.
    pub affiliation: Option<AffiliationNature>,
    /// The other listings considered, as the holder reads them.
    pub alternatives: Vec<String>,
}

/// The plan a commission would be paid from, checked: the caller acts for
/// the holder, the plan is approved, and the dates and outcome fit it.
pub(crate) fn plan_for_commission(
    conn: &mut DbConnection,
    account: &Account,
    plan_id: PlanId,
    (start_date, end_date): (NaiveDate, NaiveDate),
    outcome_id: Option<i64>,
    today: NaiveDate,
) -> Result<(plan_store::PlanRow, ActingAs, Vec<plan_store::PortionRow>), AppError> {
    let (plan, acting) = visible_plan(conn, account, plan_id)?;
    if !is_holder_side(acting) {
        return Err(AppError::Forbidden(
            "Only the budget holder, their representative or their broker can commission support."
                .into(),
        ));
    }
    if plan.status != PlanStatus::Approved {
        return Err(AppError::conflict(
            "plan-not-approved",
            "Support can be commissioned only against an approved plan.",
        ));
    }
    let mut errors = FieldErrors::new();
    if start_date < plan.period_start || start_date > plan.period_end {
        errors.add(
            "start_date",
            format!(
                "must be within the plan's period, {} to {}",
                plan.period_start, plan.period_end
            ),
        );
    }
    if end_date > plan.period_end {
        errors.add(
            "end_date",
            format!("must be on or before the plan ends, {}", plan.period_end),
        );
    }
    if end_date < today {
        errors.add("end_date", "is in the past");
    }
    if let Some(outcome_id) = outcome_id {
        if !plan_store::outcomes(conn, plan_id)?
            .iter()
            .any(|o| o.id == outcome_id)
        {
            errors.add("outcome_id", "is not an outcome of this plan");
        }
    }
    errors.into_result()?;
    let portions = plan_store::portions(conn, plan_id)?;
    Ok((plan, acting, portions))
}

/// The plan's budget for a whole year, for fees charged as a share of it.
pub(crate) fn annual_budget(
    plan: &plan_store::PlanRow,
    portions: &[plan_store::PortionRow],
) -> Result<Money, AppError> {
    let plan_budget: i64 = portions.iter().map(|p| p.budget_pence).sum();
    let plan_days = (plan.period_end - plan.period_start).num_days() + 1;
    Money::from_decimal(
        Decimal::from(plan_budget) / Decimal::ONE_HUNDRED * Decimal::from(365)
            / Decimal::from(plan_days),
    )
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// Checks a request against the plan and the listing and prices it. To
/// commit it, take the plan's lock first.
///
/// The listing is read by the caller beforehand: it is the seller's, not the
/// plan's, so reading it before the plan's lock keeps the lock short.
fn quote_in(
    conn: &mut DbConnection,
    account: &Account,
    plan_id: PlanId,
    request: &CommissionRequest,
    today: NaiveDate,
    listing: Option<listing_store::StoredListing>,
) -> Result<Quote, AppError> {
    let (plan, acting, portions) = plan_for_commission(
        conn,
        account,
        plan_id,
        (request.start_date, request.end_date),
        request.outcome_id,
        today,
    )?;
    let portion = resolve_portion(&portions, &request.portion)?;

    let listing =
        listing.ok_or_else(|| AppError::field("listing_id", "is not a listing on Bespoke"))?;
    if listing.content.status != ListingStatus::Published {
        return Err(AppError::conflict(
            "listing-unavailable",
            "This listing is not published, so it cannot be commissioned.",
        ));
    }
    if !listing.content.accepting_clients {
        return Err(AppError::conflict(
            "listing-unavailable",
            "This seller is not taking new clients at the moment.",
        ));
    }
    if listing.owner_id == plan.holder_id {
        return Err(AppError::field("listing_id", "is the holder's own listing"));
    }
    let cost = rules::price(
        &listing.content,
        request,
        annual_budget(&plan, &portions)?,
        BankHolidays::get(),
    )
    .map_err(AppError::Validation)?;
    let checked = conflicts::check_purchase(
        conn,
        &conflicts::Purchase {
            buyer: account,
            acting,
            plan: &plan,
            seller_id: listing.owner_id,
            category: listing.content.category,
            alternatives: &request.alternatives,
        },
    )?;

    Ok(Quote {
        plan,
        acting,
        portion,
        listing,
        cost,
        affiliation: checked.affiliation,
        alternatives: checked.alternatives,
    })
}

/// What a commission would cost and leave in the portion, before committing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Preview {
    pub listing_id: ListingId,
    pub listing_title: String,
    pub portion_id: PortionId,
    pub portion_label: &'static str,
    pub cost: Cost,
    /// The portion's available money now, and what would be left.
    pub available: Money,
    pub left_after: Money,
    /// True when the portion cannot pay for it.
    pub exceeds_budget: bool,
    /// The broker's declared interest in the seller, shown before buying.
    pub affiliation: Option<AffiliationNature>,
}

/// Prices a commission without committing anything, for a preview page.
pub fn preview(
    conn: &mut DbConnection,
    account: &Account,
    plan_id: PlanId,
    input: CommissionInput,
    now: DateTime<Utc>,
) -> Result<Preview, AppError> {
    let request = check_request(input).map_err(AppError::Validation)?;
    let listing = listing_store::find(conn, request.listing_id)?;
    let quote = quote_in(conn, account, plan_id, &request, now.date_naive(), listing)?;
    let balances = ledger::balances_of_plan(conn, plan_id)?;
    let available = balances
        .get(&quote.portion.id)
        .copied()
        .unwrap_or_default()
        .available();
    let left = available.pence() - quote.cost.total.pence();
    let mode = quote.portion.mode;
    Ok(Preview {
        listing_id: quote.listing.id,
        listing_title: quote.listing.content.title.clone(),
        portion_id: quote.portion.id,
        portion_label: mode.label(),
        cost: quote.cost,
        available,
        left_after: Money::from_pence(left.max(0)),
        exceeds_budget: left < 0,
        affiliation: quote.affiliation,
    })
}

fn commission_in_transaction(
    conn: &mut DbConnection,
    account: &Account,
    plan_id: PlanId,
    request: &CommissionRequest,
    today: NaiveDate,
    now: chrono::NaiveDateTime,
) -> Result<CommissionView, AppError> {
    let listing = listing_store::find(conn, request.listing_id)?;
    let lock = locks::lock_plan(conn, plan_id)?.ok_or(AppError::NotFound)?;
    let Quote {
        plan,
        acting,
        portion,
        listing,
        cost,
        affiliation,
        alternatives,
    } = quote_in(conn, account, plan_id, request, today, listing)?;
    let row = CommissionRow {
        id: CommissionId(0),
        plan_id,
        portion_id: portion.id,
        listing_id: listing.id,
        seller_id: listing.owner_id,
        requested_by: account.id,
        acting_as: acting,
        status: CommissionStatus::Requested,
        listing_title: listing.content.title.clone(),
        category: listing.content.category,
        unit: listing.content.unit,
        band: request.band,
        quantity_centi: request.quantity.hundredths(),
        per: request.per,
        visits_per_week_centi: request.visits_per_week.map(Quantity::hundredths),
        start_date: request.start_date,
        end_date: request.end_date,
        outcome_id: request.outcome_id,
        unit_price_pence: cost.unit_price.pence(),
        weekly_pence: cost.weekly.pence(),
        fees_pence: cost.fees_total.pence(),
        total_pence: cost.total.pence(),
        cost: Json(cost),
        alternatives: Json(alternatives),
        note: request.note.clone(),
        reason: None,
        created_at: now,
        updated_at: now,
        offer_id: None,
        broker_affiliation: affiliation,
    };
    let view = commit(conn, &lock, account, acting, &row, now)?;
    if acting == ActingAs::Broker {
        tell_holder_of_brokered(conn, plan.holder_id, &view, now)?;
    }
    if let Some(seller) = mail::recipient(conn, view.seller_id)? {
        let draft = mail::Draft {
            kind: "commission_requested",
            subject: format!("New request: {}", view.listing_title),
            summary: "Someone with a personal budget would like to buy your support. Please accept or decline the request.".into(),
            facts: facts_of(&view),
            action_label: "Accept or decline the request",
            action_path: format!("/commissions/{}", view.id),
        };
        mail::tell(conn, &seller, &draft, now)?;
    }
    Ok(view)
}

/// Writes a commission and commits its cost against its portion, under the
/// plan's lock: the budget check and the commitment are one step.
pub(crate) fn commit(
    conn: &mut DbConnection,
    lock: &PlanLock,
    account: &Account,
    acting: ActingAs,
    row: &CommissionRow,
    now: chrono::NaiveDateTime,
) -> Result<CommissionView, AppError> {
    // To the microsecond, as both databases keep it, so the answer built
    // below says exactly what a later read will.
    let row = &CommissionRow {
        created_at: row.created_at.trunc_subsecs(6),
        updated_at: row.updated_at.trunc_subsecs(6),
        ..row.clone()
    };
    let id = store::insert(conn, lock, row)?;
    let entry = EntryRef {
        plan_id: row.plan_id,
        portion_id: row.portion_id,
        commission_id: Some(id),
        actor_id: Some(account.id),
    };
    ledger::post(
        conn,
        lock,
        entry,
        EntryKind::Commit,
        Money::from_pence(row.total_pence),
        &format!("commission {}", row.status.code()),
        now,
    )
    .map_err(post_failed)?;
    plan_store::record_event(
        conn,
        row.plan_id,
        account.id,
        acting,
        &format!("commission {}", row.status.code()),
        &format!(
            "commission {id}: {}",
            Money::from_pence(row.total_pence).display_gbp()
        ),
        now,
    )?;
    // Just written: it holds its whole cost and has spent nothing.
    let row = CommissionRow { id, ..row.clone() };
    view_with(&row, Money::from_pence(row.total_pence), Money::ZERO)
}

/// The holder hears of every commission a broker makes for them, with any
/// interest the broker declared in the seller.
pub(crate) fn tell_holder_of_brokered(
    conn: &mut DbConnection,
    holder_id: AccountId,
    view: &CommissionView,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let Some(to) = mail::recipient(conn, holder_id)? else {
        return Ok(());
    };
    let mut facts = facts_of(view);
    if let Some(nature) = view.broker_affiliation {
        facts.push((
            "Your broker's interest in this seller".into(),
            format!(
                "{}. Alternatives they considered: {}",
                nature.label(),
                view.alternatives_considered.join("; ")
            ),
        ));
    }
    let draft = mail::Draft {
        kind: "commission_brokered",
        subject: format!("Your broker asked for support for you: {}", view.listing_title),
        summary: "Your support broker has asked a seller for support, paid from your budget. If this is not what you want, you can cancel it.".into(),
        facts,
        action_label: "See it, or cancel it",
        action_path: format!("/commissions/{}", view.id),
    };
    mail::tell(conn, &to, &draft, now)
}

/// What a message about a commission lists.
pub(super) fn facts_of(view: &CommissionView) -> Vec<(String, String)> {
    vec![
        ("Support".to_owned(), view.listing_title.clone()),
        (
            "How much".to_owned(),
            format!(
                "{} {} {}",
                view.quantity,
                view.unit.plural(),
                view.per.label()
            ),
        ),
        (
            "Dates".to_owned(),
            format!("{} to {}", view.start_date, view.end_date),
        ),
        ("Total cost".to_owned(), view.cost.total.display_gbp()),
    ]
}

pub fn get(
    conn: &mut DbConnection,
    account: &Account,
    id: CommissionId,
) -> Result<CommissionView, AppError> {
    let row = store::find(conn, id)?.ok_or(AppError::NotFound)?;
    standing(conn, account, &row)?;
    view(conn, &row)
}

/// The commissions the caller may see, newest first.
pub fn list(
    conn: &mut DbConnection,
    account: &Account,
    offset: i64,
    limit: i64,
) -> Result<(Vec<CommissionView>, i64), AppError> {
    let plan_ids;
    let scope = match account.role {
        Role::Provider | Role::PersonalAssistant => Scope::Seller(account.id),
        Role::Commissioner => match &account.council {
            Some(code) => Scope::Council(code),
            None => return Ok((Vec::new(), 0)),
        },
        _ => {
            plan_ids = plan_store::ids_for_holder_side(conn, account.id)?;
            Scope::Plans(&plan_ids)
        }
    };
    let (rows, total) = store::list(conn, scope, offset, limit)?;
    Ok((views(conn, &rows)?, total))
}

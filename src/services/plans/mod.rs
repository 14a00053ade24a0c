//! Support plans: created by a commissioner with the budget, written by the
//! holder's side, submitted, approved, revised and ended. Who may see and do
//! what is decided here; every change records who acted and as what.

mod representatives;

use crate::domain::ids::{AccountId, PlanId, PortionId};
use chrono::{DateTime, NaiveDate, Utc};
pub use representatives::{add_representative, remove_representative};
use serde::Serialize;

use crate::domain::accounts::Role;
use crate::domain::ledger::{Balance, EntryKind};
use crate::domain::money::Money;
use crate::domain::plans::{
    self, check_new_plan, content_editable, NewPlanInput, PlanContentInput, PlanFacts,
};
use crate::domain::quantity::Quantity;
use crate::domain::vocab::{
    ActingAs, Category, FundingStream, OutcomeDomain, PlanStatus, PortionMode, QuantityPer,
    Vocabulary,
};
use crate::error::{AppError, FieldErrors};
use crate::services::access::Account;
use crate::services::access::{commissioner_only, holder_side_only, locked_plan, visible_plan};
use crate::services::commissions::{self, CommissionView};
use crate::services::ledger::post_failed;
use crate::services::mail;
use crate::store::accounts as account_store;
use crate::store::ledger::{self, EntryRef};
use crate::store::locks::{self};
use crate::store::plans::{self as store, PlanRow};
use crate::store::{write_transaction, DbConnection};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PortionView {
    pub id: PortionId,
    pub mode: PortionMode,
    pub mode_label: &'static str,
    pub funding_stream: FundingStream,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<AccountId>,
    pub amount: Money,
    pub committed: Money,
    pub spent: Money,
    pub available: Money,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutcomeView {
    pub id: i64,
    pub title: String,
    pub domain: OutcomeDomain,
    pub domain_label: &'static str,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlannedView {
    pub id: i64,
    pub category: Category,
    pub category_label: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    pub per: QuantityPer,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portion_id: Option<PortionId>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub id: PlanId,
    pub holder_id: AccountId,
    pub council: String,
    pub status: PlanStatus,
    pub status_label: &'static str,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// How many times the plan has been approved.
    pub revision: i32,
    pub budget: Money,
    pub committed: Money,
    pub spent: Money,
    pub available: Money,
    /// What the holder's self-assessment indicated, for setting the real budget.
    pub indicative_budget: Option<Money>,
    pub portions: Vec<PortionView>,
    pub outcomes: Vec<OutcomeView>,
    pub planned_support: Vec<PlannedView>,
    pub representatives: Vec<AccountId>,
    pub commissions: Vec<CommissionView>,
    /// How the caller stands to the plan.
    pub acting_as: ActingAs,
    pub updated_at: DateTime<Utc>,
}

/// Everything about a plan the caller may see. Figures come from the ledger.
pub fn view(
    conn: &mut DbConnection,
    plan: &PlanRow,
    acting: ActingAs,
) -> Result<PlanView, AppError> {
    let balances = ledger::balances_of_plan(conn, plan.id)?;
    let mut total = Balance::default();
    let mut portions = Vec::new();
    for row in store::portions(conn, plan.id)? {
        let balance = balances.get(&row.id).copied().unwrap_or_default();
        total = total.plus(balance);
        let mode = row.mode;
        portions.push(PortionView {
            id: row.id,
            mode,
            mode_label: mode.label(),
            funding_stream: row.funding_stream,
            provider_id: row.provider_id,
            amount: balance.budget,
            committed: balance.committed,
            spent: balance.spent,
            available: balance.available(),
        });
    }
    let outcomes = store::outcomes(conn, plan.id)?
        .into_iter()
        .map(|o| OutcomeView {
            id: o.id,
            title: o.title,
            domain: o.domain,
            domain_label: o.domain.label(),
        })
        .collect();
    let planned_support = store::planned(conn, plan.id)?
        .into_iter()
        .map(|p| PlannedView {
            id: p.id,
            category: p.category,
            category_label: p.category.label(),
            quantity: p.quantity_centi.map(Quantity::from_hundredths),
            per: p.per,
            amount: p.amount_pence.map(Money::from_pence),
            outcome_id: p.outcome_id,
            portion_id: p.portion_id,
        })
        .collect();
    let status = plan.status;
    Ok(PlanView {
        id: plan.id,
        holder_id: plan.holder_id,
        council: plan.council_code.clone(),
        status,
        status_label: status.label(),
        period_start: plan.period_start,
        period_end: plan.period_end,
        revision: plan.revision,
        budget: total.budget,
        committed: total.committed,
        spent: total.spent,
        available: total.available(),
        indicative_budget: crate::services::assessments::indicative_budget(conn, plan.holder_id)?,
        portions,
        outcomes,
        planned_support,
        representatives: store::representatives(conn, plan.id)?,
        commissions: commissions::views_of_plan(conn, plan.id)?,
        acting_as: acting,
        updated_at: plan.updated_at.and_utc(),
    })
}

pub fn get(conn: &mut DbConnection, account: &Account, id: PlanId) -> Result<PlanView, AppError> {
    let (plan, acting) = visible_plan(conn, account, id)?;
    view(conn, &plan, acting)
}

/// A commissioner creates a draft plan with its budget for a holder of their council.
pub fn create(
    conn: &mut DbConnection,
    account: &Account,
    input: NewPlanInput,
    now: DateTime<Utc>,
) -> Result<PlanView, AppError> {
    if account.role != Role::Commissioner {
        return Err(AppError::Forbidden(
            "Only a council commissioner can set up a plan and its budget.".into(),
        ));
    }
    let council = account
        .council
        .clone()
        .ok_or_else(|| AppError::Forbidden("This commissioner has no council.".into()))?;
    let plan = check_new_plan(input).map_err(AppError::Validation)?;
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        let mut errors = FieldErrors::new();
        match account_store::find(conn, plan.holder_id)? {
            Some(holder)
                if holder.role == Role::BudgetHolder
                    && holder.council_code.as_deref() == Some(council.as_str()) => {}
            _ => errors.add(
                "holder_id",
                "must be a budget holder who lives in your council's area",
            ),
        }
        for (i, portion) in plan.portions.iter().enumerate() {
            if let Some(provider_id) = portion.provider_id {
                let is_provider = account_store::find(conn, provider_id)?
                    .is_some_and(|p| p.role == Role::Provider);
                if !is_provider {
                    errors.add(
                        &format!("portions[{i}].provider_id"),
                        "must be a provider's account",
                    );
                }
            }
        }
        errors.into_result()?;
        let (id, portion_ids) = store::insert(conn, &plan, &council, account.id, now)?;
        let lock = locks::lock_plan(conn, id)?.ok_or(AppError::NotFound)?;
        for (portion, portion_id) in plan.portions.iter().zip(&portion_ids) {
            let entry = EntryRef {
                plan_id: id,
                portion_id: *portion_id,
                commission_id: None,
                actor_id: Some(account.id),
            };
            ledger::post(
                conn,
                &lock,
                entry,
                EntryKind::Adjust,
                portion.amount,
                "budget set",
                now,
            )
            .map_err(post_failed)?;
        }
        store::record_event(
            conn,
            id,
            account.id,
            ActingAs::Commissioner,
            "created",
            &format!("budget {}", plan.budget.display_gbp()),
            now,
        )?;
        let row = store::find(conn, id)?.ok_or(AppError::NotFound)?;
        view(conn, &row, ActingAs::Commissioner)
    })
}

/// The holder's side writes outcomes and planned support while the plan is a draft.
pub fn update_content(
    conn: &mut DbConnection,
    account: &Account,
    id: PlanId,
    input: PlanContentInput,
    now: DateTime<Utc>,
) -> Result<PlanView, AppError> {
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        let (lock, plan, acting) = locked_plan(conn, account, id)?;
        holder_side_only(acting)?;
        if !content_editable(plan.status) {
            return Err(AppError::conflict(
                "plan-not-editable",
                "This plan is not a draft. Revise it first to change what it says.",
            ));
        }
        let existing_outcomes: Vec<i64> = store::outcomes(conn, id)?.iter().map(|o| o.id).collect();
        let portions: Vec<(PortionId, Money)> = store::portions(conn, id)?
            .iter()
            .map(|p| (p.id, Money::from_pence(p.budget_pence)))
            .collect();
        let facts = PlanFacts {
            outcome_ids: &existing_outcomes,
            portions: &portions,
        };
        let mut errors = FieldErrors::new();
        let outcomes = input
            .outcomes
            .map(|o| plans::check_outcomes(&mut errors, o, &facts));
        let outcome_ids_after: Vec<i64> = match &outcomes {
            Some(list) => list.iter().filter_map(|o| o.id).collect(),
            None => existing_outcomes.clone(),
        };
        let planned = input.planned_support.map(|lines| {
            plans::check_planned_support(&mut errors, lines, &outcome_ids_after, &facts)
        });
        errors.into_result()?;
        let mut changed = Vec::new();
        if let Some(outcomes) = &outcomes {
            store::replace_outcomes(conn, &lock, outcomes)?;
            changed.push("outcomes");
        }
        if let Some(planned) = &planned {
            store::replace_planned(conn, &lock, planned)?;
            changed.push("planned support");
        }
        store::touch(conn, id, now)?;
        store::record_event(
            conn,
            id,
            account.id,
            acting,
            "edited",
            &changed.join(", "),
            now,
        )?;
        let row = store::find(conn, id)?.ok_or(AppError::NotFound)?;
        view(conn, &row, acting)
    })
}

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MoveInput {
    pub from_line: Option<i64>,
    pub to_line: Option<i64>,
    pub amount: Option<String>,
}

/// The holder's side moves money between planned support lines of one
/// portion of an approved plan, without going back to the council. The
/// portion's budget is unchanged, so the ledger is not touched.
pub fn move_money(
    conn: &mut DbConnection,
    account: &Account,
    id: PlanId,
    input: MoveInput,
    now: DateTime<Utc>,
) -> Result<PlanView, AppError> {
    let now = now.naive_utc();
    let mut errors = FieldErrors::new();
    let from_id = errors.required("from_line", input.from_line);
    let to_id = errors.required("to_line", input.to_line);
    let amount = errors
        .required("amount", input.amount.as_deref())
        .and_then(|a| errors.check("amount", Money::parse(a.trim())));
    write_transaction(conn, |conn| {
        let (lock, plan, acting) = locked_plan(conn, account, id)?;
        holder_side_only(acting)?;
        if plan.status != PlanStatus::Approved {
            return Err(AppError::conflict(
                "plan-not-approved",
                "Money can be moved between planned lines once the plan is approved; until then, edit the plan.",
            ));
        }
        let lines = store::planned(conn, id)?;
        let find = |errors: &mut FieldErrors, field: &str, wanted: Option<i64>| {
            let wanted = wanted?;
            let line = lines.iter().find(|l| l.id == wanted);
            if line.is_none() {
                errors.add(field, "is not a planned support line of this plan");
            }
            line.map(|l| plans::LineMoney {
                id: l.id,
                portion_id: l.portion_id,
                amount: l.amount_pence.map(Money::from_pence),
            })
        };
        let from = find(&mut errors, "from_line", from_id);
        let to = find(&mut errors, "to_line", to_id);
        // A missing line or amount has always recorded its error.
        let (Some(from), Some(to), Some(amount)) = (from, to, amount) else {
            return Err(AppError::Validation(errors));
        };
        errors.into_result()?;
        let (new_from, new_to) =
            plans::move_between_lines(from, to, amount).map_err(AppError::Validation)?;
        store::set_planned_amount(conn, &lock, from.id, new_from.pence())?;
        store::set_planned_amount(conn, &lock, to.id, new_to.pence())?;
        store::touch(conn, id, now)?;
        store::record_event(
            conn,
            id,
            account.id,
            acting,
            "moved_money",
            &format!(
                "{} from line {} to line {}",
                amount.display_gbp(),
                from.id,
                to.id
            ),
            now,
        )?;
        let row = store::find(conn, id)?.ok_or(AppError::NotFound)?;
        view(conn, &row, acting)
    })
}

/// Moves a plan along its life: submit, approve, revise, end.
pub fn transition(
    conn: &mut DbConnection,
    account: &Account,
    id: PlanId,
    to: PlanStatus,
    now: DateTime<Utc>,
) -> Result<PlanView, AppError> {
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        let (lock, plan, acting) = locked_plan(conn, account, id)?;
        let (action, allowed) = match to {
            PlanStatus::Submitted => ("submitted", holder_side_only(acting)),
            PlanStatus::Approved => ("approved", commissioner_only(acting)),
            PlanStatus::Draft => ("revision started", holder_side_only(acting)),
            PlanStatus::Ended => ("ended", commissioner_only(acting)),
        };
        allowed?;
        let from = plan.status;
        if let Some(reason) = plans::transition_refused(from, to) {
            return Err(AppError::conflict("plan-state", reason));
        }
        if to == PlanStatus::Submitted && store::outcomes(conn, id)?.is_empty() {
            return Err(AppError::field(
                "outcomes",
                "must hold at least one outcome before the plan is submitted: say what is important to you",
            ));
        }
        if !store::move_status(conn, &lock, from, to, now)? {
            return Err(AppError::conflict(
                "plan-state",
                "This plan has just been changed by someone else. Look at it again before going on.",
            ));
        }
        store::record_event(conn, id, account.id, acting, action, "", now)?;
        let row = store::find(conn, id)?.ok_or(AppError::NotFound)?;
        let view = view(conn, &row, acting)?;
        tell_of_transition(conn, &view, now)?;
        Ok(view)
    })
}

/// Plan submitted: the council is told; plan approved: the holder is told.
fn tell_of_transition(
    conn: &mut DbConnection,
    plan: &PlanView,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let facts = vec![
        ("Budget".to_owned(), plan.budget.display_gbp()),
        (
            "Period".to_owned(),
            format!("{} to {}", plan.period_start, plan.period_end),
        ),
    ];
    match plan.status {
        PlanStatus::Submitted => {
            let draft = mail::Draft {
                kind: "plan_submitted",
                subject: format!("Support plan {} is waiting for approval", plan.id),
                summary: "A support plan has been submitted and is waiting for a commissioner to approve it.".into(),
                facts,
                action_label: "Review the plan",
                action_path: format!("/plans/{}", plan.id),
            };
            for officer in mail::commissioners(conn, &plan.council)? {
                mail::tell(conn, &officer, &draft, now)?;
            }
        }
        PlanStatus::Approved => {
            if let Some(holder) = mail::recipient(conn, plan.holder_id)? {
                let draft = mail::Draft {
                    kind: "plan_approved",
                    subject: "Your support plan is approved".into(),
                    summary: "The council has approved your support plan. You can now arrange support from it.".into(),
                    facts,
                    action_label: "See your plan and budget",
                    action_path: format!("/plans/{}", plan.id),
                };
                mail::tell(conn, &holder, &draft, now)?;
            }
        }
        PlanStatus::Draft | PlanStatus::Ended => {}
    }
    Ok(())
}

/// The plans the caller may see, newest first.
pub fn list(conn: &mut DbConnection, account: &Account) -> Result<Vec<PlanView>, AppError> {
    let ids = match (account.role, &account.council) {
        (Role::Commissioner, Some(council)) => store::ids_of_council(conn, council)?,
        _ => store::ids_for_holder_side(conn, account.id)?,
    };
    let mut views = Vec::new();
    for id in ids.into_iter().rev() {
        let (plan, acting) = visible_plan(conn, account, id)?;
        views.push(view(conn, &plan, acting)?);
    }
    Ok(views)
}

/// One thing done to a plan: who, in which capacity, what, when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub actor_id: AccountId,
    pub actor_name: String,
    pub acting_as: ActingAs,
    pub acting_as_label: &'static str,
    pub action: String,
    pub detail: String,
}

/// The plan's history, newest first: visible to everyone who may see the plan.
pub fn history(
    conn: &mut DbConnection,
    account: &Account,
    id: PlanId,
) -> Result<Vec<EventView>, AppError> {
    visible_plan(conn, account, id)?;
    let mut names = std::collections::HashMap::new();
    let mut views = Vec::new();
    for event in store::events(conn, id)?.into_iter().rev() {
        let acting_as = event.acting_as;
        let actor_name = match names.get(&event.actor_id) {
            Some(name) => String::clone(name),
            None => {
                let name = account_store::find(conn, event.actor_id)?
                    .map(|a| a.name)
                    .unwrap_or_default();
                names.insert(event.actor_id, name.clone());
                name
            }
        };
        views.push(EventView {
            at: event.at.and_utc(),
            actor_id: event.actor_id,
            actor_name,
            acting_as,
            acting_as_label: acting_as.label(),
            action: event.action,
            detail: event.detail,
        });
    }
    Ok(views)
}

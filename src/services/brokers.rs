//! Brokers: consent to act on a plan, given and taken back by the holder's
//! side; declared interests in providers; and the rule that a broker buying
//! from a provider they are tied to records the alternatives they considered.

use crate::domain::ids::{AccountId, PlanId};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::accounts::Role;
use crate::domain::vocab::{ActingAs, AffiliationNature, Vocabulary};
use crate::error::AppError;
use crate::services::access::locked_plan;
use crate::services::access::{Account, AccountRef};
use crate::services::mail;
use crate::services::plans::{self, PlanView};
use crate::store::brokers as store;
use crate::store::plans as plan_store;
use crate::store::{accounts as account_store, write_transaction, DbConnection};

fn holder_or_representative(acting: ActingAs) -> Result<(), AppError> {
    match acting {
        ActingAs::Holder | ActingAs::Representative => Ok(()),
        _ => Err(AppError::Forbidden(
            "Only the budget holder or their representative can give or take back a broker's access."
                .into(),
        )),
    }
}

/// The holder's side gives a broker access to act on the plan.
pub fn grant_consent(
    conn: &mut DbConnection,
    account: &Account,
    plan_id: PlanId,
    broker_id: Option<AccountId>,
    now: DateTime<Utc>,
) -> Result<PlanView, AppError> {
    let broker_id = broker_id.ok_or_else(|| AppError::field("broker_id", "is required"))?;
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        // A broker's purchase and the consent it relies on are ordered by the plan's lock.
        let (_lock, _, acting) = locked_plan(conn, account, plan_id)?;
        holder_or_representative(acting)?;
        let broker = account_store::find(conn, broker_id)?
            .filter(|a| a.role == Role::Broker)
            .ok_or_else(|| AppError::field("broker_id", "is not a broker on Bespoke"))?;
        if store::grant(conn, plan_id, broker_id, now)? {
            plan_store::record_event(
                conn,
                plan_id,
                account.id,
                acting,
                "broker given access",
                &format!("broker {} ({})", broker.id, broker.name),
                now,
            )?;
            if let Some(to) = mail::recipient(conn, broker_id)? {
                let draft = mail::Draft {
                    kind: "broker_consent",
                    subject: "A client has given you access to their plan".into(),
                    summary: "A person with a personal budget has asked you to help with their support plan. You can now act on it for them; everything you do is shown to them and their council.".into(),
                    facts: vec![("Plan".into(), format!("Plan {plan_id}"))],
                    action_label: "See the plan",
                    action_path: format!("/plans/{plan_id}"),
                };
                mail::tell(conn, &to, &draft, now)?;
            }
        }
        plans::get(conn, account, plan_id)
    })
}

/// The holder's side takes a broker's access back; it stops at once.
pub fn revoke_consent(
    conn: &mut DbConnection,
    account: &Account,
    plan_id: PlanId,
    broker_id: AccountId,
    now: DateTime<Utc>,
) -> Result<PlanView, AppError> {
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        // A broker's purchase and the consent it relies on are ordered by the plan's lock.
        let (_lock, _, acting) = locked_plan(conn, account, plan_id)?;
        holder_or_representative(acting)?;
        if !store::revoke(conn, plan_id, broker_id)? {
            return Err(AppError::NotFound);
        }
        plan_store::record_event(
            conn,
            plan_id,
            account.id,
            acting,
            "broker access taken back",
            &format!("broker {broker_id}"),
            now,
        )?;
        plans::get(conn, account, plan_id)
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AffiliationView {
    pub provider_id: AccountId,
    pub provider_name: String,
    pub nature: AffiliationNature,
    pub nature_label: &'static str,
    pub declared_at: DateTime<Utc>,
}

fn broker_only(account: &Account) -> Result<(), AppError> {
    if account.role == Role::Broker {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only brokers declare interests in providers.".into(),
        ))
    }
}

pub fn affiliations(
    conn: &mut DbConnection,
    account: &Account,
) -> Result<Vec<AffiliationView>, AppError> {
    broker_only(account)?;
    let mut views = Vec::new();
    for (provider_id, nature, declared_at) in store::affiliations(conn, account.id)? {
        views.push(AffiliationView {
            provider_id,
            provider_name: account_store::find(conn, provider_id)?
                .map(|a| a.name)
                .unwrap_or_default(),
            nature,
            nature_label: nature.label(),
            declared_at: declared_at.and_utc(),
        });
    }
    Ok(views)
}

/// A broker declares an interest in a provider (or a personal assistant).
pub fn declare(
    conn: &mut DbConnection,
    account: &Account,
    provider_id: Option<AccountId>,
    nature: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<AffiliationView>, AppError> {
    broker_only(account)?;
    let mut errors = crate::error::FieldErrors::new();
    let provider_id = errors.required("provider_id", provider_id);
    let nature = errors
        .required("nature", nature)
        .and_then(|n| errors.check("nature", AffiliationNature::from_input(n)));
    errors.into_result()?;
    let provider_id = provider_id.expect("checked");
    let provider = account_store::find(conn, provider_id)?;
    let is_seller = provider
        .as_ref()
        .is_some_and(|p| p.role == Role::Provider || p.role == Role::PersonalAssistant);
    if !is_seller || provider_id == account.id {
        return Err(AppError::field(
            "provider_id",
            "is not a provider or personal assistant on Bespoke",
        ));
    }
    store::declare(
        conn,
        account.id,
        provider_id,
        nature.expect("checked"),
        now.naive_utc(),
    )?;
    affiliations(conn, account)
}

/// When the broker was given access to a plan, for the portfolio.
fn client_plan_ids(conn: &mut DbConnection, account: &Account) -> Result<Vec<PlanId>, AppError> {
    broker_only(account)?;
    Ok(store::client_plans(conn, account.id)?)
}

/// One client in a broker's portfolio.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientView {
    pub holder: AccountRef,
    pub plan: PlanView,
    /// What needs the broker's attention, in plain words.
    pub attention: Vec<String>,
    /// What the broker's own commissions on this plan come to (declined and cancelled left out).
    pub fees_earned: crate::domain::money::Money,
}

/// A portion is nearly spent when less than this share of it is left.
const NEARLY_SPENT_PERCENT: i64 = 10;

/// The broker's clients: each plan they have consent on, its position, and
/// what needs attention.
pub fn portfolio(
    conn: &mut DbConnection,
    account: &Account,
    today: chrono::NaiveDate,
) -> Result<Vec<ClientView>, AppError> {
    use crate::domain::vocab::{CommissionStatus, PlanStatus, RequestStatus};
    let mut clients = Vec::new();
    for plan_id in client_plan_ids(conn, account)? {
        let plan = plans::get(conn, account, plan_id)?;
        let holder = account_store::find(conn, plan.holder_id)?.ok_or(AppError::NotFound)?;
        let mut attention = Vec::new();
        match plan.status {
            PlanStatus::Draft => attention.push("The plan is not yet sent for approval.".into()),
            PlanStatus::Submitted => {
                attention.push("The plan is waiting for the council's approval.".into())
            }
            _ => {}
        }
        for portion in &plan.portions {
            let left = portion.available.pence();
            if portion.amount.pence() > 0
                && left * 100 < portion.amount.pence() * NEARLY_SPENT_PERCENT
            {
                attention.push(format!(
                    "The {} is nearly spent: {} left.",
                    portion.mode_label.to_lowercase(),
                    portion.available.display_gbp()
                ));
            }
        }
        let waiting = plan
            .commissions
            .iter()
            .filter(|c| c.status == CommissionStatus::Requested)
            .count();
        if waiting > 0 {
            attention.push(format!(
                "{waiting} request{} to sellers not yet answered.",
                if waiting == 1 { "" } else { "s" }
            ));
        }
        for request in crate::store::requests::of_plans(conn, &[plan_id])? {
            let open = request.status_on(today) == RequestStatus::Open;
            let offers = crate::store::offers::live_offer_counts(conn, &[request.id])?;
            if open && !offers.contains_key(&request.id) {
                attention.push(format!("Request {} has no offers yet.", request.id));
            }
        }
        let fees: i64 = plan
            .commissions
            .iter()
            .filter(|c| {
                c.seller_id == account.id
                    && !matches!(
                        c.status,
                        CommissionStatus::Declined | CommissionStatus::Cancelled
                    )
            })
            .map(|c| c.cost.total.pence())
            .sum();
        clients.push(ClientView {
            holder: AccountRef {
                id: holder.id,
                name: holder.name,
            },
            plan,
            attention,
            fees_earned: crate::domain::money::Money::from_pence(fees),
        });
    }
    Ok(clients)
}

/// A broker with access to a plan, and what they have declared.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BrokerOnPlan {
    pub id: AccountId,
    pub name: String,
    pub interests: String,
}

/// The brokers of a plan as the plan page shows them.
pub struct PlanBrokers {
    pub brokers: Vec<BrokerOnPlan>,
    /// Brokers the holder or a representative could give access to.
    pub choices: Vec<(AccountId, String)>,
    /// Whether the caller may give and take back access.
    pub can_manage: bool,
}

/// The brokers with access to a plan the caller has already read.
pub fn on_plan(conn: &mut DbConnection, plan: &PlanView) -> Result<PlanBrokers, AppError> {
    let mut brokers = Vec::new();
    for id in plan_store::brokers(conn, plan.id)? {
        if let Some(row) = account_store::find(conn, id)? {
            brokers.push(BrokerOnPlan {
                id,
                name: row.name,
                interests: declared_interests(conn, id)?,
            });
        }
    }
    let can_manage = holder_or_representative(plan.acting_as).is_ok();
    let choices = if can_manage {
        store::all_brokers(conn)?
            .into_iter()
            .filter(|(id, _)| !brokers.iter().any(|b| b.id == *id))
            .collect()
    } else {
        Vec::new()
    };
    Ok(PlanBrokers {
        brokers,
        choices,
        can_manage,
    })
}

/// What a broker has declared, in words a client can read before any purchase.
fn declared_interests(conn: &mut DbConnection, broker_id: AccountId) -> Result<String, AppError> {
    let mut parts = Vec::new();
    for (provider_id, nature, _) in store::affiliations(conn, broker_id)? {
        let name = account_store::find(conn, provider_id)?
            .map(|a| a.name)
            .unwrap_or_default();
        parts.push(format!("{}: {name}", nature.label()));
    }
    Ok(if parts.is_empty() {
        "No interests in providers declared.".to_owned()
    } else {
        format!("Declared interests – {}.", parts.join("; "))
    })
}

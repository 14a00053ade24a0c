//! Representatives: family or friends the holder (or the council) names to
//! act on a plan, and takes off it again.

use crate::domain::ids::{AccountId, PlanId};
use chrono::{DateTime, Utc};

use super::{view, PlanView};
use crate::domain::accounts::Role;
use crate::domain::vocab::ActingAs;
use crate::error::AppError;
use crate::services::access::locked_plan;
use crate::services::access::Account;
use crate::store::accounts as account_store;
use crate::store::plans as store;
use crate::store::{write_transaction, DbConnection};

/// The holder or a commissioner nominates a representative.
pub fn add_representative(
    conn: &mut DbConnection,
    account: &Account,
    id: PlanId,
    representative_id: Option<AccountId>,
    now: DateTime<Utc>,
) -> Result<PlanView, AppError> {
    let representative_id =
        representative_id.ok_or_else(|| AppError::field("account_id", "is required"))?;
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        let (_lock, plan, acting) = locked_plan(conn, account, id)?;
        if !matches!(acting, ActingAs::Holder | ActingAs::Commissioner) {
            return Err(AppError::Forbidden(
                "Only the budget holder or their council can nominate a representative.".into(),
            ));
        }
        let suitable = account_store::find(conn, representative_id)?.is_some_and(|a| {
            a.id != plan.holder_id
                && a.email.is_some()
                && a.role != Role::Commissioner
                && a.role != Role::Admin
        });
        if !suitable {
            return Err(AppError::field(
                "account_id",
                "must be the account of a family member or friend, not the holder's own",
            ));
        }
        if store::add_representative(conn, id, representative_id, account.id, now)? {
            store::record_event(
                conn,
                id,
                account.id,
                acting,
                "representative nominated",
                &representative_id.to_string(),
                now,
            )?;
        }
        view(conn, &plan, acting)
    })
}

pub fn remove_representative(
    conn: &mut DbConnection,
    account: &Account,
    id: PlanId,
    representative_id: AccountId,
    now: DateTime<Utc>,
) -> Result<PlanView, AppError> {
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        let (_lock, plan, acting) = locked_plan(conn, account, id)?;
        if !matches!(acting, ActingAs::Holder | ActingAs::Commissioner) {
            return Err(AppError::Forbidden(
                "Only the budget holder or their council can remove a representative.".into(),
            ));
        }
        if !store::remove_representative(conn, id, representative_id)? {
            return Err(AppError::NotFound);
        }
        store::record_event(
            conn,
            id,
            account.id,
            acting,
            "representative removed",
            &representative_id.to_string(),
            now,
        )?;
        view(conn, &plan, acting)
    })
}

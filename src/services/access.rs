//! Who may do what: the acting account, and how it stands to a plan, a
//! commission or a support request. Every service asks here, and the pages
//! and the API reach these rules only through the services, so there is one
//! answer to "may this person see or change this?".
//!
//! Not seeing something answers 404, as if it did not exist; seeing it but
//! not being allowed to change it answers 403.

use crate::domain::ids::{AccountId, PlanId};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::accounts::Role;
use crate::domain::vocab::{ActingAs, Vocabulary};
use crate::error::AppError;
use crate::store::accounts::AccountRow;
use crate::store::commissions::CommissionRow;
use crate::store::locks::{self, PlanLock};
use crate::store::offers as offer_store;
use crate::store::plans::{self as plan_store, PlanRow};
use crate::store::requests::{self as request_store, RequestRow};
use crate::store::{DbConnection, StoreError};

/// Someone named in an answer: their account id and name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountRef {
    pub id: AccountId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub id: AccountId,
    /// None only for an imported organisation nobody has claimed yet.
    pub email: Option<String>,
    pub name: String,
    pub role: Role,
    /// The council's GSS code.
    pub council: Option<String>,
    pub postcode: Option<String>,
    pub district: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Account {
    /// The council a commissioner works for; anyone else may not do council work.
    pub fn commissioners_council(&self) -> Result<String, AppError> {
        match (self.role, &self.council) {
            (Role::Commissioner, Some(council)) => Ok(council.clone()),
            _ => Err(AppError::Forbidden(
                "Only a commissioner of a council can see or change this.".into(),
            )),
        }
    }
    /// The role guard: `Forbidden` unless this account has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            let allowed: Vec<&str> = roles.iter().map(|r| r.label()).collect();
            Err(AppError::Forbidden(format!(
                "Only these accounts can do this: {}.",
                allowed.join(", ")
            )))
        }
    }
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Self {
        Self {
            id: row.id,
            email: row.email,
            name: row.name,
            role: row.role,
            council: row.council_code,
            postcode: row.postcode,
            district: row.district,
            created_at: row.created_at.and_utc(),
        }
    }
}

// Plans.

/// How the caller stands to a plan. `None` means the plan is not theirs to see.
pub fn standing(
    conn: &mut DbConnection,
    account: &Account,
    plan: &PlanRow,
) -> Result<Option<ActingAs>, StoreError> {
    if account.id == plan.holder_id {
        return Ok(Some(ActingAs::Holder));
    }
    match account.role {
        Role::Commissioner if account.council.as_deref() == Some(plan.council_code.as_str()) => {
            Ok(Some(ActingAs::Commissioner))
        }
        Role::Broker if plan_store::brokers(conn, plan.id)?.contains(&account.id) => {
            Ok(Some(ActingAs::Broker))
        }
        _ if plan_store::representatives(conn, plan.id)?.contains(&account.id) => {
            Ok(Some(ActingAs::Representative))
        }
        _ => Ok(None),
    }
}

/// The plan, if the caller may see it, with how they stand to it.
pub fn visible_plan(
    conn: &mut DbConnection,
    account: &Account,
    id: PlanId,
) -> Result<(PlanRow, ActingAs), AppError> {
    let plan = plan_store::find(conn, id)?.ok_or(AppError::NotFound)?;
    let acting = standing(conn, account, &plan)?.ok_or(AppError::NotFound)?;
    Ok((plan, acting))
}

/// Takes the plan's money lock, then reads the plan as the caller may see
/// it: the first step of every change to a plan (the rule is in `plan_store::locks`).
pub(crate) fn locked_plan(
    conn: &mut DbConnection,
    account: &Account,
    id: PlanId,
) -> Result<(PlanLock, PlanRow, ActingAs), AppError> {
    let lock = locks::lock_plan(conn, id)?.ok_or(AppError::NotFound)?;
    let (plan, acting) = visible_plan(conn, account, id)?;
    Ok((lock, plan, acting))
}

pub fn is_holder_side(acting: ActingAs) -> bool {
    matches!(
        acting,
        ActingAs::Holder | ActingAs::Representative | ActingAs::Broker
    )
}

pub fn holder_side_only(acting: ActingAs) -> Result<(), AppError> {
    if is_holder_side(acting) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only the budget holder, their representative or their broker can do this.".into(),
        ))
    }
}

pub fn commissioner_only(acting: ActingAs) -> Result<(), AppError> {
    if acting == ActingAs::Commissioner {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only a commissioner of the holder's council can do this.".into(),
        ))
    }
}

// Commissions.

/// How the caller stands to a commission: the plan's side, the seller, or the council.
pub fn commission_standing(
    conn: &mut DbConnection,
    account: &Account,
    row: &CommissionRow,
) -> Result<ActingAs, AppError> {
    if account.id == row.seller_id {
        return Ok(ActingAs::Seller);
    }
    let (_, acting) = visible_plan(conn, account, row.plan_id)?;
    Ok(acting)
}

// Support requests.

/// Who is looking at a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The holder, their representative or broker, or their council.
    PlanSide(ActingAs),
    Seller,
}

/// How the caller stands to a request: the plan's side, or a seller it is
/// shown to (it fits their live listings, or they have offered on it).
pub fn audience(
    conn: &mut DbConnection,
    account: &Account,
    row: &RequestRow,
) -> Result<Audience, AppError> {
    let plan = plan_store::find(conn, row.plan_id)?.ok_or(AppError::NotFound)?;
    if let Some(acting) = standing(conn, account, &plan)? {
        return Ok(Audience::PlanSide(acting));
    }
    if !account.role.is_seller() {
        return Err(AppError::NotFound);
    }
    let offered = offer_store::of_request(conn, row.id)?
        .iter()
        .any(|o| o.seller_id == account.id);
    if offered || fits_seller(conn, account.id, row)? {
        Ok(Audience::Seller)
    } else {
        Err(AppError::NotFound)
    }
}

/// Whether the request's category and one of its districts are served by a
/// live listing of this seller.
pub fn fits_seller(
    conn: &mut DbConnection,
    seller_id: AccountId,
    row: &RequestRow,
) -> Result<bool, AppError> {
    let served = request_store::served_by(conn, seller_id)?;
    let areas = request_store::areas_of(conn, &[row.id])?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(areas
        .iter()
        .any(|d| served.contains(&(row.category.code().to_owned(), d.clone()))))
}

/// How the caller acts for the person who asked: the holder, their
/// representative or their broker. Sellers and the council may not act on it.
pub fn holder_side_of(
    conn: &mut DbConnection,
    account: &Account,
    row: &RequestRow,
) -> Result<ActingAs, AppError> {
    match audience(conn, account, row)? {
        Audience::PlanSide(acting) if is_holder_side(acting) => Ok(acting),
        _ => Err(AppError::Forbidden(
            "Only the person who asked, or someone acting for them, can do this.".into(),
        )),
    }
}

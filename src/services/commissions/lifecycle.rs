//! A commission's life after it is asked for: accepted or declined by the
//! seller, cancelled or completed, and invoiced as support is delivered. Each
//! step takes the plan's lock first and changes the status compare-and-set
//! (the rule is in `store::locks`).

use crate::domain::ids::{AccountId, CommissionId};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use super::{facts_of, view, CommissionView};
use crate::domain::calendar::BankHolidays;
use crate::domain::commissions as rules;
use crate::domain::ledger::EntryKind;
use crate::domain::money::Money;
use crate::domain::plans::parse_date;
use crate::domain::quantity::Quantity;
use crate::domain::vocab::{ActingAs, CommissionStatus, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::access::commission_standing as standing;
use crate::services::access::is_holder_side;
use crate::services::access::Account;
use crate::services::ledger::post_failed;
use crate::services::mail;
use crate::store::commissions::{self as store, CommissionRow, NewDelivery};
use crate::store::ledger::{self, EntryRef};
use crate::store::locks::{self, Subject};
use crate::store::plans as plan_store;
use crate::store::{write_transaction, DbConnection};

/// Writes one message to each of these people, inside the event's transaction.
fn tell_each(
    conn: &mut DbConnection,
    people: Vec<mail::Recipient>,
    draft: &mail::Draft,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    for to in people {
        mail::tell(conn, &to, draft, now)?;
    }
    Ok(())
}

fn with_reason(view: &CommissionView) -> String {
    view.reason
        .as_deref()
        .map(|r| format!(", with this reason: {r}"))
        .unwrap_or_default()
}

/// Who hears of a change of status.
enum Told {
    HolderSide,
    Seller,
}

/// After a change of status, the other side is told: the holder's side of an
/// answer, the seller of a cancellation, and whoever did not mark the support
/// completed of its completion.
fn tell_of_change(
    conn: &mut DbConnection,
    view: &CommissionView,
    acting: ActingAs,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let title = &view.listing_title;
    let (kind, told, subject, summary) = match view.status {
        CommissionStatus::Accepted => (
            "commission_answered",
            Told::HolderSide,
            format!("Accepted: {title}"),
            "Your request was accepted. The support can go ahead as agreed.".to_owned(),
        ),
        CommissionStatus::Declined => (
            "commission_answered",
            Told::HolderSide,
            format!("Declined: {title}"),
            format!(
                "Your request was declined{}. The money set aside for it is back in your budget.",
                with_reason(view)
            ),
        ),
        CommissionStatus::Cancelled => (
            "commission_cancelled",
            Told::Seller,
            format!("Cancelled: {title}"),
            format!(
                "The budget holder's side cancelled this support{}. Please do not deliver any more of it. What you have already invoiced stays paid.",
                with_reason(view)
            ),
        ),
        CommissionStatus::Completed if acting == ActingAs::Seller => (
            "commission_completed",
            Told::HolderSide,
            format!("Completed: {title}"),
            "The seller marked this support as completed. Whatever was set aside for it and not invoiced is back in your budget.".to_owned(),
        ),
        CommissionStatus::Completed => (
            "commission_completed",
            Told::Seller,
            format!("Completed: {title}"),
            "The budget holder's side marked this support as completed. Nothing more can be invoiced for it.".to_owned(),
        ),
        CommissionStatus::Requested => return Ok(()),
    };
    let (action_label, action_path, people) = match told {
        Told::HolderSide => (
            "See your plan",
            format!("/plans/{}", view.plan_id),
            mail::holder_side(conn, view.plan_id)?,
        ),
        Told::Seller => (
            "See the commission",
            format!("/commissions/{}", view.id),
            mail::recipient(conn, view.seller_id)?.into_iter().collect(),
        ),
    };
    let draft = mail::Draft {
        kind,
        subject,
        summary,
        facts: facts_of(view),
        action_label,
        action_path,
    };
    tell_each(conn, people, &draft, now)
}

/// An invoice was recorded: the holder's side is told what was charged, for
/// what and when, so that a wrong one is noticed.
fn tell_of_invoice(
    conn: &mut DbConnection,
    view: &CommissionView,
    (start, end, quantity, amount): (NaiveDate, NaiveDate, Quantity, Money),
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let mut facts = facts_of(view);
    facts.push(("Invoiced".to_owned(), amount.display_gbp()));
    facts.push((
        "For".to_owned(),
        format!("{} {} from {start} to {end}", quantity, view.unit.plural()),
    ));
    let draft = mail::Draft {
        kind: "invoice_recorded",
        subject: format!("Invoice: {}, {}", view.listing_title, amount.display_gbp()),
        summary: format!(
            "The seller invoiced {} for support delivered from {start} to {end}. It has been paid from the money set aside for this support. If it does not match what was delivered, tell the seller or your council.",
            amount.display_gbp()
        ),
        facts,
        action_label: "See the commission",
        action_path: format!("/commissions/{}", view.id),
    };
    let people = mail::holder_side(conn, view.plan_id)?;
    tell_each(conn, people, &draft, now)
}

/// A ledger entry about this commission, made by this account.
fn entry_for(row: &CommissionRow, account: &Account) -> EntryRef {
    EntryRef {
        plan_id: row.plan_id,
        portion_id: row.portion_id,
        commission_id: Some(row.id),
        actor_id: Some(account.id),
    }
}

/// Accept, decline, cancel or complete a commission. Declining, cancelling
/// and completing release whatever it still holds of the budget.
pub fn transition(
    conn: &mut DbConnection,
    account: &Account,
    id: CommissionId,
    to: CommissionStatus,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<CommissionView, AppError> {
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 1_000) {
        return Err(AppError::field("reason", "must be at most 1000 characters"));
    }
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        let lock = locks::lock_plan_of(conn, Subject::Commission(id))?.ok_or(AppError::NotFound)?;
        let row = store::find(conn, id)?.ok_or(AppError::NotFound)?;
        let acting = standing(conn, account, &row)?;
        let allowed = match to {
            CommissionStatus::Accepted | CommissionStatus::Declined => acting == ActingAs::Seller,
            CommissionStatus::Cancelled => is_holder_side(acting),
            CommissionStatus::Completed => acting == ActingAs::Seller || is_holder_side(acting),
            CommissionStatus::Requested => false,
        };
        if !allowed {
            return Err(AppError::Forbidden(match to {
                CommissionStatus::Accepted | CommissionStatus::Declined => {
                    "Only the seller asked can accept or decline a commission.".into()
                }
                _ => "Only the budget holder's side or the seller can do this.".into(),
            }));
        }
        let from = row.status;
        if let Some(refusal) = rules::transition_refused(from, to) {
            return Err(AppError::conflict("commission-state", refusal));
        }
        if !store::move_status(conn, &lock, id, (from, to), reason.as_deref(), now)? {
            return Err(AppError::conflict(
                "commission-state",
                "This commission has just been changed by someone else. Look at it again before going on.",
            ));
        }
        if !rules::holds_commitment(to) {
            let held = ledger::commission_commitment(conn, id)?;
            if held.pence() > 0 {
                let entry = entry_for(&row, account);
                ledger::post(
                    conn,
                    &lock,
                    entry,
                    EntryKind::Release,
                    held,
                    &format!("commission {}", to.code()),
                    now,
                )
                .map_err(post_failed)?;
            }
        }
        plan_store::record_event(
            conn,
            row.plan_id,
            account.id,
            acting,
            &format!("commission {}", to.code()),
            &format!("commission {id}"),
            now,
        )?;
        let row = store::find(conn, id)?.ok_or(AppError::NotFound)?;
        let view = view(conn, &row)?;
        tell_of_change(conn, &view, acting, now)?;
        Ok(view)
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DeliveryInput {
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub quantity: Option<Value>,
    pub amount: Option<String>,
}

/// An invoice the seller recorded: what was delivered, when, and what it cost.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct InvoiceView {
    pub id: i64,
    pub commission_id: CommissionId,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub quantity: Quantity,
    pub amount: Money,
    /// Who recorded it: the seller.
    pub recorded_by: AccountId,
    pub recorded_at: DateTime<Utc>,
}

/// Every invoice of a commission, oldest first, for anyone who may see the
/// commission: the holder's side, the seller and the plan's council.
pub fn invoices(
    conn: &mut DbConnection,
    account: &Account,
    id: CommissionId,
) -> Result<Vec<InvoiceView>, AppError> {
    let row = store::find(conn, id)?.ok_or(AppError::NotFound)?;
    standing(conn, account, &row)?;
    Ok(store::deliveries_of(conn, id)?
        .into_iter()
        .map(|d| InvoiceView {
            id: d.id,
            commission_id: d.commission_id,
            period_start: d.period_start,
            period_end: d.period_end,
            quantity: Quantity::from_hundredths(d.quantity_centi),
            amount: Money::from_pence(d.amount_pence),
            recorded_by: d.recorded_by,
            recorded_at: d.recorded_at.and_utc(),
        })
        .collect())
}

/// An invoice claims no more support than was commissioned: for its own
/// period, and together with every invoice before it, for the whole
/// commission. Each refusal says by how much.
fn check_invoiced_quantity(
    conn: &mut DbConnection,
    row: &CommissionRow,
    period: (NaiveDate, NaiveDate),
    quantity: Quantity,
) -> Result<(), AppError> {
    let commissioned = Quantity::from_hundredths(row.quantity_centi);
    let allowance = |period| {
        rules::invoice_allowance(commissioned, row.per, period, BankHolidays::get()).ok_or_else(
            || {
                AppError::field(
                    "period_end",
                    "is past the last bank holiday Bespoke knows of; invoice an earlier period",
                )
            },
        )
    };
    let units = row.unit.plural();
    let wanted = quantity.to_decimal();
    let for_period = allowance(period)?;
    if wanted > for_period {
        return Err(AppError::field(
            "quantity",
            format!(
                "can be at most {} {units} for {} to {} ({commissioned} {units} {} were commissioned); this is {} more",
                for_period.normalize(),
                period.0,
                period.1,
                row.per.label(),
                (wanted - for_period).normalize()
            ),
        ));
    }
    let whole = allowance((row.start_date, row.end_date))?;
    let invoiced: i64 = store::deliveries_of(conn, row.id)?
        .iter()
        .map(|d| d.quantity_centi)
        .sum();
    let left = whole - Quantity::from_hundredths(invoiced).to_decimal();
    if wanted > left {
        return Err(AppError::field(
            "quantity",
            format!(
                "can be at most {} {units}: that is what is left to invoice of the {} commissioned; this is {} more",
                left.max(Decimal::ZERO).normalize(),
                whole.normalize(),
                (wanted - left).normalize()
            ),
        ));
    }
    Ok(())
}

/// The seller records support delivered and what it costs: money moves from
/// committed to spent, never beyond what was commissioned.
pub fn record_delivery(
    conn: &mut DbConnection,
    account: &Account,
    id: CommissionId,
    input: DeliveryInput,
    now: DateTime<Utc>,
) -> Result<CommissionView, AppError> {
    let mut errors = FieldErrors::new();
    let start = parse_date(&mut errors, "period_start", input.period_start.as_deref());
    let end = parse_date(&mut errors, "period_end", input.period_end.as_deref());
    let quantity = errors
        .required("quantity", input.quantity.as_ref())
        .and_then(|q| errors.check("quantity", Quantity::from_json(q)));
    let amount = errors
        .required("amount", input.amount.as_deref())
        .and_then(|a| errors.check("amount", Money::parse(a.trim())));
    if amount.is_some_and(|a| a.pence() <= 0) {
        errors.add("amount", "must be more than zero");
    }
    // Today in the UK: an hour ahead of UTC covers British Summer Time (in
    // winter it lets tomorrow's date through an hour early, never a day).
    let today = (now + chrono::Duration::hours(1)).date_naive();
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            errors.add("period_end", "must be on or after period_start");
        }
    }
    if end.is_some_and(|end| end > today) {
        errors.add(
            "period_end",
            format!("must not be after today ({today}): invoice support once it has been given"),
        );
    }
    errors.into_result()?;
    let (start, end, quantity, amount) = (
        start.expect("checked"),
        end.expect("checked"),
        quantity.expect("checked"),
        amount.expect("checked"),
    );
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        let lock = locks::lock_plan_of(conn, Subject::Commission(id))?.ok_or(AppError::NotFound)?;
        let row = store::find(conn, id)?.ok_or(AppError::NotFound)?;
        if standing(conn, account, &row)? != ActingAs::Seller {
            return Err(AppError::Forbidden(
                "Only the seller can record what was delivered.".into(),
            ));
        }
        if row.status != CommissionStatus::Accepted {
            return Err(AppError::conflict(
                "commission-state",
                "Deliveries can be recorded only on an accepted commission.",
            ));
        }
        if start < row.start_date || end > row.end_date {
            return Err(AppError::field(
                "period_end",
                format!(
                    "must fall within the commission, {} to {}",
                    row.start_date, row.end_date
                ),
            ));
        }
        let held = ledger::commission_commitment(conn, id)?;
        if amount > held {
            return Err(AppError::conflict(
                "invoice-exceeds-commission",
                format!(
                    "This invoice is for {} but only {} of the commission is left to pay.",
                    amount.display_gbp(),
                    held.display_gbp()
                ),
            ));
        }
        check_invoiced_quantity(conn, &row, (start, end), quantity)?;
        store::insert_delivery(
            conn,
            &lock,
            &NewDelivery {
                commission_id: id,
                period_start: start,
                period_end: end,
                quantity_centi: quantity.hundredths(),
                amount_pence: amount.pence(),
                recorded_by: account.id,
            },
            now,
        )?;
        let entry = entry_for(&row, account);
        ledger::post(
            conn,
            &lock,
            entry,
            EntryKind::Spend,
            amount,
            "delivery invoiced",
            now,
        )
        .map_err(post_failed)?;
        let view = view(conn, &row)?;
        tell_of_invoice(conn, &view, (start, end, quantity, amount), now)?;
        Ok(view)
    })
}

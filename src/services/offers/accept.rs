//! Accepting a tailored offer: under the plan's lock (see `store::locks`), it
//! becomes a commission the seller has already accepted, committed against
//! the chosen portion; the request is filled and the other offers declined.

use crate::domain::ids::{CommissionId, ListingId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{asked_of, decline_open_offers, offer_facts, request_open, terms_of, view, OfferView};
use crate::domain::commissions::{portion_choice, PortionChoice};
use crate::domain::quantity::Quantity;
use crate::domain::requests::price_offer;
use crate::domain::vocab::{
    ActingAs, CommissionStatus, OfferStatus, QuantityPer, RequestStatus, Vocabulary,
};
use crate::error::AppError;
use crate::services::access::holder_side_of;
use crate::services::access::Account;
use crate::services::commissions::{
    self, annual_budget, plan_for_commission, resolve_portion, CommissionView,
};
use crate::services::conflicts;
use crate::services::idempotency::{create_once, Created, Idempotency};
use crate::services::mail;
use crate::store::codes::Json;
use crate::store::commissions::CommissionRow;
use crate::store::listings as listing_store;
use crate::store::locks::{self, Subject};
use crate::store::offers as offer_store;
use crate::store::plans as plan_store;
use crate::store::requests as store;
use crate::store::DbConnection;

/// What accepting an offer answers: the commission it became, and the offer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    pub commission: CommissionView,
    pub offer: OfferView,
}

/// The holder's side accepts an offer: it becomes a commission the seller has
/// already accepted, committed against the chosen portion; the request is
/// filled and its other offers declined.
pub fn accept(
    conn: &mut DbConnection,
    account: &Account,
    id: i64,
    portion: Option<Value>,
    alternatives: &[ListingId],
    idempotency: Option<Idempotency>,
    now: DateTime<Utc>,
) -> Result<Created<Accepted>, AppError> {
    let today = now.date_naive();
    let now = now.naive_utc();
    let choice = parse_portion(portion)?;
    create_once(conn, account.id, idempotency.as_ref(), now, |conn| {
        let lock = locks::lock_plan_of(conn, Subject::Offer(id))?.ok_or(AppError::NotFound)?;
        let offer = offer_store::find(conn, id)?.ok_or(AppError::NotFound)?;
        let request = store::find_request(conn, offer.request_id)?.ok_or(AppError::NotFound)?;
        let acting = holder_side_of(conn, account, &request)?;
        if offer.status != OfferStatus::Open {
            return Err(AppError::conflict(
                "offer-state",
                format!(
                    "This offer is {}; only an open offer can be accepted.",
                    offer.status.label().to_lowercase()
                ),
            ));
        }
        if offer.valid_until.is_some_and(|v| v < today) {
            return Err(AppError::conflict(
                "offer-expired",
                "This offer was valid only until a day that has passed. Ask the seller to renew it.",
            ));
        }
        request_open(&request, today)?;
        let (_, _, portions) = plan_for_commission(
            conn,
            account,
            request.plan_id,
            (offer.start_date, request.end_date),
            request.outcome_id,
            today,
        )?;
        let portion = resolve_portion(&portions, &choice)?;
        let plan = plan_store::find(conn, request.plan_id)?.ok_or(AppError::NotFound)?;
        let checked = conflicts::check_purchase(
            conn,
            &conflicts::Purchase {
                buyer: account,
                acting,
                plan: &plan,
                seller_id: offer.seller_id,
                category: request.category,
                alternatives,
            },
        )?;
        // Claim the request first: of two offers accepted at once, one wins.
        if !store::move_request(
            conn,
            request.id,
            RequestStatus::Open,
            RequestStatus::Filled,
            now,
        )? {
            return Err(AppError::conflict(
                "request-closed",
                "This request has just been filled or withdrawn.",
            ));
        }
        let asked = asked_of(&request)?;
        let terms = terms_of(&offer, &asked, today)?;
        let cost = price_offer(&terms, &asked, annual_budget(&plan, &portions)?)
            .map_err(AppError::Validation)?;
        let listing_title = listing_store::find(conn, offer.listing_id)?
            .map(|l| l.content.title)
            .unwrap_or_else(|| "Tailored offer".into());
        let row = CommissionRow {
            id: CommissionId(0),
            plan_id: request.plan_id,
            portion_id: portion.id,
            listing_id: offer.listing_id,
            seller_id: offer.seller_id,
            requested_by: account.id,
            acting_as: acting,
            status: CommissionStatus::Accepted,
            listing_title,
            category: request.category,
            unit: terms.unit,
            band: None,
            quantity_centi: terms.quantity_per_week(&asked).hundredths(),
            per: QuantityPer::Week,
            visits_per_week_centi: terms.visits_per_week.map(Quantity::hundredths),
            start_date: terms.start_date,
            end_date: request.end_date,
            outcome_id: request.outcome_id,
            unit_price_pence: cost.unit_price.pence(),
            weekly_pence: cost.weekly.pence(),
            fees_pence: cost.fees_total.pence(),
            total_pence: cost.total.pence(),
            cost: Json(cost),
            alternatives: Json(checked.alternatives),
            note: format!("From offer {id}"),
            reason: None,
            created_at: now,
            updated_at: now,
            offer_id: Some(id),
            broker_affiliation: checked.affiliation,
        };
        let commission = commissions::commit(conn, &lock, account, acting, &row, now)?;
        if acting == ActingAs::Broker {
            commissions::tell_holder_of_brokered(conn, plan.holder_id, &commission, now)?;
        }
        if !offer_store::close(conn, id, OfferStatus::Accepted, Some(commission.id), now)? {
            return Err(AppError::conflict(
                "offer-state",
                "This offer has just been withdrawn or changed.",
            ));
        }
        decline_open_offers(
            conn,
            &request,
            Some(id),
            "Thank you for your offer. The person who asked has chosen another offer this time. We hope to send you more requests soon.",
            now,
        )?;
        let offer_row = offer_store::find(conn, id)?.ok_or(AppError::NotFound)?;
        let offer = view(conn, &offer_row, &request, None, today)?;
        if let Some(to) = mail::recipient(conn, offer.seller.id)? {
            let draft = mail::Draft {
                kind: "offer_accepted",
                subject: "Your offer was accepted".into(),
                summary: "Your offer was accepted. It is now an agreed commission: the support can go ahead as you offered it.".into(),
                facts: offer_facts(&offer),
                action_label: "See the commission",
                action_path: format!("/commissions/{}", commission.id),
            };
            mail::tell(conn, &to, &draft, now)?;
        }
        Ok(Accepted { commission, offer })
    })
}

fn parse_portion(portion: Option<Value>) -> Result<PortionChoice, AppError> {
    match portion {
        None | Some(Value::Null) => Err(AppError::field(
            "portion",
            "is required: say which part of the budget pays for it",
        )),
        Some(value) => {
            portion_choice(&value).map_err(|message| AppError::field("portion", message))
        }
    }
}

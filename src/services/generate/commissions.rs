//! Generated purchases: the listings a holder buys from, each commission
//! priced from its listing with a status fit for its age, and the ledger
//! entries and deliveries that go with it, written a chunk of plans at a time.

use crate::domain::ids::{AccountId, CommissionId, ListingId, PlanId, PortionId};
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use super::moment_in_history;
use crate::domain::ledger::EntryKind;
use crate::domain::money::Money;
use crate::domain::pricing::Cost;
use crate::domain::vocab::{ActingAs, CommissionStatus, QuantityPer, Unit};
use crate::error::AppError;
use crate::store::bulk::{self, NewLedgerEntry, NewOutcomeRating, PricedListing};
use crate::store::codes::Json;
use crate::store::commissions::{CommissionRow, NewDelivery};
use crate::store::DbConnection;

/// Weeks a generated commission runs for.
pub const WEEKS: i64 = 4;

/// The listings the generator buys from, found by where they serve.
pub(super) struct Market {
    pub(super) listings: Vec<PricedListing>,
    /// District → indexes into `listings` of those serving it.
    pub(super) serving: HashMap<String, Vec<usize>>,
}

impl Market {
    pub(super) fn load(conn: &mut DbConnection) -> Result<Self, AppError> {
        let listings = bulk::priced_listings(conn)?;
        let index: HashMap<ListingId, usize> = listings
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id, i))
            .collect();
        let mut serving: HashMap<String, Vec<usize>> = HashMap::new();
        for (listing, district) in bulk::all_listing_areas(conn)? {
            if let Some(&i) = index.get(&listing) {
                serving.entry(district).or_default().push(i);
            }
        }
        Ok(Self { listings, serving })
    }
}

/// Rows gathered over a chunk of plans, written together.
#[derive(Default)]
pub(super) struct Chunk {
    pub(super) commissions: Vec<CommissionRow>,
    /// For each commission: its ledger story and who delivered it.
    pub(super) money: Vec<(AccountId, CommissionStatus)>,
    pub(super) adjustments: Vec<NewLedgerEntry>,
    pub(super) balances: Vec<(PortionId, i64, i64, i64)>,
    pub(super) ratings: Vec<NewOutcomeRating>,
    pub(super) brokers: Vec<(PlanId, AccountId, NaiveDateTime)>,
}

impl Chunk {
    pub(super) fn write(self, conn: &mut DbConnection) -> Result<(), AppError> {
        let ids = bulk::insert_commissions(conn, &self.commissions)?;
        let mut entries = self.adjustments;
        let mut deliveries = Vec::new();
        for ((row, id), (actor, status)) in self.commissions.iter().zip(ids).zip(self.money) {
            let entry = |kind: EntryKind, at: NaiveDateTime, note: &'static str| NewLedgerEntry {
                plan_id: row.plan_id,
                portion_id: row.portion_id,
                commission_id: Some(id),
                kind: kind.code(),
                amount_pence: row.total_pence,
                at,
                actor_id: Some(actor),
                note,
            };
            entries.push(entry(EntryKind::Commit, row.created_at, "commissioned"));
            match status {
                CommissionStatus::Declined | CommissionStatus::Cancelled => {
                    entries.push(entry(EntryKind::Release, row.updated_at, "released"));
                }
                CommissionStatus::Completed => {
                    entries.push(entry(EntryKind::Spend, row.updated_at, "delivered"));
                    let delivery = NewDelivery {
                        commission_id: id,
                        period_start: row.start_date,
                        period_end: row.end_date,
                        quantity_centi: row.quantity_centi * WEEKS,
                        amount_pence: row.total_pence,
                        recorded_by: row.seller_id,
                    };
                    deliveries.push((delivery, row.updated_at));
                }
                _ => {}
            }
        }
        bulk::insert_ledger_entries(conn, &entries)?;
        bulk::insert_deliveries(conn, &deliveries)?;
        bulk::set_portion_balances(conn, &self.balances)?;
        bulk::insert_ratings(conn, &self.ratings)?;
        bulk::insert_plan_brokers(conn, &self.brokers)?;
        Ok(())
    }
}

/// A listing serving the holder's district; a steering broker picks one of
/// their own providers' most of the time.
pub(super) fn pick_listing<'m>(
    rng: &mut StdRng,
    market: &'m Market,
    nearby: &[usize],
    broker: Option<&(AccountId, bool, Vec<AccountId>)>,
) -> &'m PricedListing {
    if let Some((_, true, affiliated)) = broker {
        if rng.random_bool(0.7) {
            let theirs: Vec<usize> = nearby
                .iter()
                .copied()
                .filter(|&i| affiliated.contains(&market.listings[i].owner_id))
                .collect();
            if let Some(&i) = theirs.choose(rng) {
                return &market.listings[i];
            }
        }
    }
    let i = nearby
        .choose(rng)
        .copied()
        .unwrap_or_else(|| rng.random_range(0..market.listings.len()));
    &market.listings[i]
}

/// One commission of four weeks, priced from the listing, with a status fit for its age.
#[allow(clippy::too_many_arguments)]
pub(super) fn commission(
    rng: &mut StdRng,
    listing: &PricedListing,
    plan_id: PlanId,
    portion_id: PortionId,
    holder_id: AccountId,
    broker: Option<AccountId>,
    outcome_id: Option<i64>,
    now: DateTime<Utc>,
) -> (CommissionRow, CommissionStatus) {
    let created_at = moment_in_history(rng, now);
    let age_days = (now.naive_utc() - created_at).num_days();
    let status = if age_days > 35 {
        match rng.random_range(0..100) {
            0..55 => CommissionStatus::Completed,
            55..85 => CommissionStatus::Accepted,
            85..93 => CommissionStatus::Declined,
            _ => CommissionStatus::Cancelled,
        }
    } else {
        match rng.random_range(0..100) {
            0..35 => CommissionStatus::Requested,
            35..85 => CommissionStatus::Accepted,
            85..95 => CommissionStatus::Declined,
            _ => CommissionStatus::Cancelled,
        }
    };
    let unit = listing.unit;
    let per_week_centi = match unit {
        Unit::Hour => rng.random_range(2..=15) * 100,
        Unit::Week => 100,
        Unit::Item => 25,
        _ => rng.random_range(1..=3) * 100,
    };
    let weekly = listing.price_pence * per_week_centi / 100;
    let total = weekly * WEEKS;
    let start_date = created_at.date() + Duration::days(rng.random_range(3..14));
    let end_date = start_date + Duration::days(WEEKS * 7 - 1);
    let updated_at = match status {
        CommissionStatus::Completed => (end_date + Duration::days(3))
            .and_hms_opt(12, 0, 0)
            .expect("noon exists")
            .min(now.naive_utc()),
        CommissionStatus::Requested => created_at,
        _ => created_at + Duration::hours(rng.random_range(2..96)),
    };
    let cost = Cost {
        unit_price: Money::from_pence(listing.price_pence),
        base_weekly: Money::from_pence(weekly),
        base_total: Money::from_pence(total),
        fees: Vec::new(),
        fees_total: Money::from_pence(0),
        weekly: Money::from_pence(weekly),
        total: Money::from_pence(total),
    };
    let row = CommissionRow {
        id: CommissionId(0),
        plan_id,
        portion_id,
        listing_id: listing.id,
        seller_id: listing.owner_id,
        requested_by: broker.unwrap_or(holder_id),
        acting_as: if broker.is_some() {
            ActingAs::Broker
        } else {
            ActingAs::Holder
        },
        status,
        listing_title: listing.title.clone(),
        category: listing.category,
        unit: listing.unit,
        band: None,
        quantity_centi: per_week_centi,
        per: QuantityPer::Week,
        visits_per_week_centi: None,
        start_date,
        end_date,
        outcome_id,
        unit_price_pence: listing.price_pence,
        weekly_pence: weekly,
        fees_pence: 0,
        total_pence: total,
        cost: Json(cost),
        alternatives: Json(Vec::new()),
        note: String::new(),
        reason: (status == CommissionStatus::Declined)
            .then(|| "We cannot cover those hours at the moment.".to_owned()),
        created_at,
        updated_at: updated_at.max(created_at),
        offer_id: None,
        broker_affiliation: None,
    };
    (row, status)
}

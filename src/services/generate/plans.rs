//! Generated people and money: budget holders with approved plans, brokers
//! with declared interests, the commissions they make (see `commissions`)
//! and outcome ratings. Every portion's balance is what its
//! ledger gives, and no portion is overspent, so `bespoke ledger verify`
//! passes on a generated market.

use crate::domain::ids::{AccountId, PlanId};
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use strum::IntoEnumIterator;

use super::commissions::{commission, pick_listing, Chunk, Market};
use super::{market_districts, stage_seed, HISTORY_DAYS, MARKET_COUNCILS};
use crate::domain::accounts::Role;
use crate::domain::ledger::EntryKind;
use crate::domain::money::Money;
use crate::domain::places::Places;
use crate::domain::plans::{NewPlan, NewPortion, Outcome, PlannedSupport};
use crate::domain::vocab::{
    ActingAs, AffiliationNature, Category, CommissionStatus, FundingStream, OutcomeDomain,
    PlanStatus, PortionMode, QuantityPer, Vocabulary,
};
use crate::error::AppError;
use crate::store::accounts::{self as account_store, NewAccount};
use crate::store::bulk::{NewLedgerEntry, NewOutcomeRating, PricedListing};
use crate::store::{
    brokers as broker_store, locks, plans as plan_store, write_transaction, DbConnection,
};

/// Plans written in one transaction.
const PLANS_PER_CHUNK: usize = 50;
const OUTCOME_TITLES: &[&str] = &[
    "Get out to the shops on my own",
    "See my friends every week",
    "Stay living in my own home",
    "Go swimming again",
    "Find a volunteering job",
    "Give my husband a break",
    "Cook my own meals",
    "Go to the mosque on Fridays",
];

/// What to make.
#[derive(Debug, Clone, Copy)]
pub struct PeopleAndMoney {
    pub holders: usize,
    pub brokers: usize,
    pub commissions: usize,
}

/// A generated broker and the providers they declared an interest in.
struct Broker {
    id: AccountId,
    council: &'static str,
    affiliated: Vec<AccountId>,
    /// A broker who steers clients to the providers they are tied to.
    steers: bool,
}

/// Adds holders, brokers, approved plans, commissions and ratings to the
/// market already generated (its listings). `progress` hears how many
/// commissions are made so far.
pub fn people_and_money(
    conn: &mut DbConnection,
    places: &Places,
    size: PeopleAndMoney,
    seed: u64,
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize),
) -> Result<usize, AppError> {
    let mut rng = StdRng::seed_from_u64(stage_seed(seed, 2));
    let market = Market::load(conn)?;
    if market.listings.is_empty() {
        return Err(AppError::Internal(
            "there are no published, priced listings to buy from: generate listings first".into(),
        ));
    }
    let districts = market_districts(places);
    let (commissioners, brokers) = write_transaction(conn, |conn| {
        let commissioners = make_commissioners(conn, now.naive_utc())?;
        let brokers = make_brokers(conn, &mut rng, &market, &districts, size.brokers, now)?;
        Ok::<_, AppError>((commissioners, brokers))
    })?;

    let mut made = 0;
    let mut holder = 0;
    while holder < size.holders {
        let in_chunk = PLANS_PER_CHUNK.min(size.holders - holder);
        write_transaction(conn, |conn| {
            let mut work = Chunk::default();
            for i in holder..holder + in_chunk {
                // Spread the commissions evenly in expectation, exactly in total.
                let due = (size.commissions * (i + 1) / size.holders.max(1)).saturating_sub(made);
                let count = if i + 1 == size.holders {
                    due
                } else {
                    rng.random_range(due / 2..=due + due / 2)
                        .min(size.commissions - made)
                };
                let (district, council) = districts.choose(&mut rng).expect("districts").clone();
                let plan = PlanSeed {
                    number: seed * 10_000_000 + i as u64,
                    district,
                    council,
                    commissioner: commissioners[council],
                    broker: brokers
                        .iter()
                        .filter(|b| b.council == council)
                        .collect::<Vec<_>>()
                        .choose(&mut rng)
                        .filter(|_| rng.random_bool(0.3))
                        .map(|b| (b.id, b.steers, b.affiliated.clone())),
                };
                made += make_plan(conn, &mut rng, &market, &plan, count, now, &mut work)?;
            }
            work.write(conn)
        })?;
        holder += in_chunk;
        progress(made);
    }
    Ok(made)
}

/// One generated commissioner per council, so plans have someone who made them.
fn make_commissioners(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<HashMap<&'static str, AccountId>, AppError> {
    let mut ids = HashMap::new();
    for council in MARKET_COUNCILS {
        let row = account_store::insert(
            conn,
            &NewAccount {
                email: None,
                name: &format!("Generated commissioner for {council}"),
                role: Role::Commissioner,
                password_hash: None,
                council_code: Some(*council),
                postcode: None,
                district: None,
                created_at: now,
            },
        )?
        .ok_or_else(|| AppError::Internal("an account without email cannot clash".into()))?;
        ids.insert(*council, row.id);
    }
    Ok(ids)
}

/// Brokers across the councils. Most declare an interest in one to three
/// providers serving their area; a third of those steer clients to them.
fn make_brokers(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    market: &Market,
    districts: &[(String, &'static str)],
    count: usize,
    now: DateTime<Utc>,
) -> Result<Vec<Broker>, AppError> {
    let natures: Vec<AffiliationNature> = AffiliationNature::iter().collect();
    let mut brokers = Vec::with_capacity(count);
    for n in 0..count {
        let (district, council) = districts.choose(rng).expect("districts").clone();
        let row = account_store::insert(
            conn,
            &NewAccount {
                email: None,
                name: &format!("Generated broker {n}"),
                role: Role::Broker,
                password_hash: None,
                council_code: None,
                postcode: Some(&district),
                district: Some(&district),
                created_at: now.naive_utc(),
            },
        )?
        .ok_or_else(|| AppError::Internal("an account without email cannot clash".into()))?;
        let mut affiliated = Vec::new();
        if rng.random_bool(0.6) {
            let nearby = market
                .serving
                .get(&district)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            for _ in 0..rng.random_range(1..=3) {
                if let Some(&i) = nearby.choose(rng) {
                    let provider = market.listings[i].owner_id;
                    if !affiliated.contains(&provider) {
                        let nature = natures.choose(rng).expect("natures");
                        broker_store::declare(conn, row.id, provider, *nature, now.naive_utc())?;
                        affiliated.push(provider);
                    }
                }
            }
        }
        let steers = !affiliated.is_empty() && rng.random_bool(0.33);
        brokers.push(Broker {
            id: row.id,
            council,
            affiliated,
            steers,
        });
    }
    Ok(brokers)
}

/// Who a generated plan is for.
struct PlanSeed {
    number: u64,
    district: String,
    council: &'static str,
    commissioner: AccountId,
    /// The broker acting on the plan: id, whether they steer, their providers.
    broker: Option<(AccountId, bool, Vec<AccountId>)>,
}

/// A holder with an approved plan and `count` commissions on it. Answers `count`.
fn make_plan(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    market: &Market,
    seed: &PlanSeed,
    count: usize,
    now: DateTime<Utc>,
    work: &mut Chunk,
) -> Result<usize, AppError> {
    let created = (now - Duration::days(HISTORY_DAYS + rng.random_range(1..60))).naive_utc();
    let holder = account_store::insert(
        conn,
        &NewAccount {
            email: None,
            name: &format!("Generated holder {}", seed.number),
            role: Role::BudgetHolder,
            password_hash: None,
            council_code: Some(seed.council),
            postcode: Some(&seed.district),
            district: Some(&seed.district),
            created_at: created,
        },
    )?
    .ok_or_else(|| AppError::Internal("an account without email cannot clash".into()))?;

    let nearby: &[usize] = market
        .serving
        .get(&seed.district)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let portions: Vec<NewPortion> = (0..rng.random_range(1..=2))
        .map(|_| {
            let mode = match rng.random_range(0..100) {
                0..60 => PortionMode::DirectPayment,
                60..75 => PortionMode::IndividualServiceFund,
                _ => PortionMode::CouncilManaged,
            };
            NewPortion {
                mode,
                amount: Money::from_pence(0),
                provider_id: (mode == PortionMode::IndividualServiceFund)
                    .then(|| nearby.choose(rng).map(|&i| market.listings[i].owner_id))
                    .flatten(),
                funding_stream: FundingStream::AdultSocialCare,
            }
        })
        .collect();
    let plan = NewPlan {
        holder_id: holder.id,
        period_start: created.date(),
        period_end: (now + Duration::days(365)).date_naive(),
        budget: Money::from_pence(0),
        portions,
    };
    let (plan_id, portion_ids) =
        plan_store::insert(conn, &plan, seed.council, seed.commissioner, created)?;
    let lock = locks::lock_plan(conn, plan_id)?.ok_or(AppError::NotFound)?;
    let domains: Vec<OutcomeDomain> = OutcomeDomain::iter().collect();
    let outcomes: Vec<Outcome> = (0..rng.random_range(1..=3))
        .map(|_| Outcome {
            id: None,
            title: (*OUTCOME_TITLES.choose(rng).expect("titles")).to_owned(),
            domain: *domains.choose(rng).expect("domains"),
        })
        .collect();
    let outcome_ids = plan_store::replace_outcomes(conn, &lock, &outcomes)?;

    // The commissions first: the budget is set to hold them all.
    let mut totals = vec![(0_i64, 0_i64, 0_i64); portion_ids.len()];
    let mut planned: HashMap<Category, i64> = HashMap::new();
    // People buy again and again from the few sellers they know.
    let regulars: Vec<&PricedListing> = (0..rng.random_range(2..=6))
        .map(|_| pick_listing(rng, market, nearby, None))
        .collect();
    for _ in 0..count {
        let acting_broker = seed.broker.as_ref().filter(|_| rng.random_bool(0.5));
        let listing = match acting_broker {
            None if rng.random_bool(0.85) => *regulars.choose(rng).expect("regulars"),
            _ => pick_listing(rng, market, nearby, acting_broker),
        };
        let portion_id = *portion_ids.choose(rng).expect("a portion");
        let outcome_id = outcome_ids.choose(rng).copied();
        let (row, status) = commission(
            rng,
            listing,
            plan_id,
            portion_id,
            holder.id,
            acting_broker.map(|b| b.0),
            outcome_id,
            now,
        );
        let at = portion_ids
            .iter()
            .position(|&p| p == row.portion_id)
            .expect("the plan's portion");
        totals[at].0 += row.total_pence;
        match status {
            CommissionStatus::Requested | CommissionStatus::Accepted => {
                totals[at].1 += row.total_pence
            }
            CommissionStatus::Completed => totals[at].2 += row.total_pence,
            _ => {}
        }
        *planned.entry(row.category).or_default() += row.total_pence;
        work.money.push((row.requested_by, status));
        work.commissions.push(row);
    }
    for (portion, (ever, committed, spent)) in portion_ids.iter().zip(&totals) {
        // Room for everything ever committed, and some left over.
        let budget = (ever * rng.random_range(105..160) / 100).max(100_000) / 100 * 100;
        work.adjustments.push(NewLedgerEntry {
            plan_id,
            portion_id: *portion,
            commission_id: None,
            kind: EntryKind::Adjust.code(),
            amount_pence: budget,
            at: created,
            actor_id: Some(seed.commissioner),
            note: "budget agreed",
        });
        work.balances.push((*portion, budget, *committed, *spent));
    }

    // What the plan meant to buy: the biggest categories, and some not bought at all.
    let mut bought: Vec<(Category, i64)> = planned.into_iter().collect();
    bought.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.code().cmp(b.0.code())));
    let mut lines: Vec<(Category, i64)> = bought.into_iter().take(3).collect();
    if rng.random_bool(0.3) {
        let unbought = *Category::iter()
            .collect::<Vec<_>>()
            .choose(rng)
            .expect("categories");
        lines.push((unbought, rng.random_range(50_000..500_000)));
    }
    let planned_lines: Vec<PlannedSupport> = lines
        .iter()
        .map(|(category, pence)| PlannedSupport {
            category: *category,
            quantity: None,
            per: QuantityPer::Year,
            amount: Some(Money::from_pence(pence / 100 * 100)),
            outcome_id: outcome_ids.first().copied(),
            portion_id: portion_ids.first().copied(),
        })
        .collect();
    plan_store::replace_planned(conn, &lock, &planned_lines)?;
    plan_store::move_status(
        conn,
        &lock,
        PlanStatus::Draft,
        PlanStatus::Approved,
        created,
    )?;
    if let Some((broker, _, _)) = &seed.broker {
        work.brokers.push((plan_id, *broker, created));
    }
    rate_outcomes(rng, plan_id, holder.id, created, now, &mut work.ratings);
    Ok(count)
}

/// Ratings of every domain at the start, and at a yearly review where one
/// has happened: most lives improve a little.
fn rate_outcomes(
    rng: &mut StdRng,
    plan_id: PlanId,
    holder_id: AccountId,
    created: NaiveDateTime,
    now: DateTime<Utc>,
    ratings: &mut Vec<NewOutcomeRating>,
) {
    let mut domains: Vec<OutcomeDomain> = OutcomeDomain::iter().collect();
    domains.shuffle(rng);
    let review_at = created + Duration::days(365);
    let reviewed = review_at < now.naive_utc() && rng.random_bool(0.7);
    for domain in domains {
        let start = rng.random_range(1..=4);
        ratings.push(NewOutcomeRating {
            plan_id,
            stage: "start",
            domain: domain.code(),
            rating: start,
            rated_by: holder_id,
            acting_as: ActingAs::Holder.code(),
            rated_at: created,
        });
        if reviewed {
            ratings.push(NewOutcomeRating {
                plan_id,
                stage: "review",
                domain: domain.code(),
                rating: (start + rng.random_range(-1..=2)).clamp(1, 5),
                rated_by: holder_id,
                acting_as: ActingAs::Holder.code(),
                rated_at: review_at,
            });
        }
    }
}

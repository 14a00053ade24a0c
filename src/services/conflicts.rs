//! Conflicts of interest, in one place, for every route that sells to a
//! holder: a direct commission, an offer on a request, accepting an offer.
//!
//! - Someone acting for a holder (a broker or a representative) never sells
//!   to that holder, nor buys for them from themselves, unless the council has
//!   recorded its agreement for that holder and that seller.
//! - A broker tied to a seller (owning it, working for it, or any declared
//!   interest) names the alternatives they considered before buying from it:
//!   other live listings of that kind serving the holder's area, checked here,
//!   each once, and shown to the holder.

use crate::domain::accounts::Role;
use crate::domain::ids::{AccountId, ListingId};
use crate::domain::places::Places;
use crate::domain::vocab::{ActingAs, AffiliationNature, Category, ListingStatus, Vocabulary};
use crate::error::{AppError, FieldErrors};
use crate::services::access::Account;
use crate::store::accounts as account_store;
use crate::store::brokers as broker_store;
use crate::store::listings as listing_store;
use crate::store::market::risks as agreements;
use crate::store::plans::{self as plan_store, PlanRow};
use crate::store::DbConnection;

/// A purchase for a holder, as the conflict rules need to see it.
pub struct Purchase<'a> {
    pub buyer: &'a Account,
    pub acting: ActingAs,
    pub plan: &'a PlanRow,
    pub seller_id: AccountId,
    pub category: Category,
    pub alternatives: &'a [ListingId],
}

/// A seller who acts for the plan's holder (a broker with consent or a
/// representative) sells to them only with the council's recorded agreement.
/// `what` completes "they cannot … themselves".
fn require_agreement(
    conn: &mut DbConnection,
    seller_id: AccountId,
    plan: &PlanRow,
    what: &str,
) -> Result<(), AppError> {
    let acts_for_holder = plan_store::brokers(conn, plan.id)?.contains(&seller_id)
        || plan_store::representatives(conn, plan.id)?.contains(&seller_id);
    if acts_for_holder && !agreements::agreed(conn, plan.holder_id, seller_id)? {
        return Err(AppError::Forbidden(format!(
            "This seller acts for the person buying, so they cannot {what} themselves unless the \
             council has recorded its agreement. Ask the council's commissioner."
        )));
    }
    Ok(())
}

/// What a checked purchase records on its commission and tells the holder.
pub struct Checked {
    /// The broker's interest in the seller, if any.
    pub affiliation: Option<AffiliationNature>,
    /// The alternatives considered, as the holder reads them.
    pub alternatives: Vec<String>,
}

/// Checks a purchase against the rules above.
pub fn check_purchase(conn: &mut DbConnection, purchase: &Purchase) -> Result<Checked, AppError> {
    // Whoever buys: a broker's own fee, say, needs the council's agreement.
    let what = if purchase.seller_id == purchase.buyer.id {
        "buy from"
    } else {
        "be sold to by someone who acts for them, such as"
    };
    require_agreement(conn, purchase.seller_id, purchase.plan, what)?;
    let affiliation = match purchase.acting {
        ActingAs::Broker => affiliation_with(conn, purchase.buyer.id, purchase.seller_id)?,
        _ => None,
    };
    if affiliation.is_none() && purchase.alternatives.is_empty() {
        return Ok(Checked {
            affiliation,
            alternatives: Vec::new(),
        });
    }
    // Not alternatives: the seller, the buyer, and any seller a broker is tied to.
    let mut excluded = vec![purchase.seller_id, purchase.buyer.id];
    if purchase.acting == ActingAs::Broker {
        excluded.extend(tied_sellers(conn, purchase.buyer.id)?);
    }
    let area = holder_area(conn, purchase.plan)?;
    let needed = match affiliation {
        Some(_) => alternatives_needed(conn, purchase.category, &area, &excluded)?,
        // Given without being needed, they are still checked: the holder sees them.
        None => 0,
    };
    let alternatives = check_alternatives(conn, purchase, &area, &excluded, needed, affiliation)?;
    Ok(Checked {
        affiliation,
        alternatives,
    })
}

/// Each alternative is another live listing of the same kind serving the
/// holder's `area`, from none of the `excluded` sellers, named once; and they
/// come from at least `needed` sellers.
fn check_alternatives(
    conn: &mut DbConnection,
    purchase: &Purchase,
    area: &[String],
    excluded: &[AccountId],
    needed: i64,
    nature: Option<AffiliationNature>,
) -> Result<Vec<String>, AppError> {
    let mut errors = FieldErrors::new();
    let mut described = Vec::new();
    let mut sellers = std::collections::HashSet::new();
    let found = listing_store::find_many(conn, purchase.alternatives)?;
    for (i, id) in purchase.alternatives.iter().enumerate() {
        let field = format!("alternatives_considered[{i}]");
        if purchase.alternatives[..i].contains(id) {
            errors.add(&field, format!("names listing {id} a second time"));
            continue;
        }
        let Some(listing) = found.iter().find(|l| l.id == *id) else {
            errors.add(&field, format!("listing {id} is not a listing on Bespoke"));
            continue;
        };
        let problem = if listing.content.status != ListingStatus::Published {
            Some("is not live")
        } else if listing.content.category != purchase.category {
            Some("is not the same kind of support")
        } else if [purchase.seller_id, purchase.buyer.id].contains(&listing.owner_id) {
            Some("is from the same seller, or your own")
        } else if excluded.contains(&listing.owner_id) {
            Some("is from another seller you have declared an interest in")
        } else if !listing.content.areas.iter().any(|d| area.contains(d)) {
            Some("does not serve the area where the person lives")
        } else {
            None
        };
        match problem {
            Some(problem) => errors.add(&field, format!("listing {id} {problem}")),
            None => {
                sellers.insert(listing.owner_id);
                described.push(format!("{} (listing {id})", listing.content.title));
            }
        }
    }
    errors.into_result()?;
    // The market's alternatives are other sellers: three listings of one seller count once.
    if (sellers.len() as i64) < needed {
        return Err(AppError::field(
            "alternatives_considered",
            format!(
                "must list listings of at least {needed} other sellers you considered: you have \
                 declared an interest in this seller ({})",
                nature.map_or("", |n| n.label()).to_lowercase()
            ),
        ));
    }
    Ok(described)
}

/// A seller who acts for the holder of `plan` may not offer to them without
/// the council's recorded agreement.
pub fn check_offer(
    conn: &mut DbConnection,
    seller: &Account,
    plan: &PlanRow,
) -> Result<(), AppError> {
    require_agreement(conn, seller.id, plan, "sell to the person they act for as")
}

/// What a commissioner sends to record the council's agreement.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AgreementInput {
    pub holder_id: Option<AccountId>,
    pub seller_id: Option<AccountId>,
    /// Why the council agrees: shown on the holder's record.
    pub note: Option<String>,
}

/// The council's recorded agreement to one holder buying from one seller.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Agreement {
    pub holder_id: AccountId,
    pub seller_id: AccountId,
    pub note: String,
}

/// A commissioner records the council's agreement that this holder may buy
/// from this seller although the seller acts for them (a broker's own fee,
/// a representative who is also their assistant), or is family. Recording
/// it again changes nothing.
pub fn record_agreement(
    conn: &mut DbConnection,
    account: &Account,
    input: AgreementInput,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Agreement, AppError> {
    let council = account.commissioners_council()?;
    let mut errors = FieldErrors::new();
    let holder_id = errors.required("holder_id", input.holder_id);
    let seller_id = errors.required("seller_id", input.seller_id);
    let note = errors.required(
        "note",
        input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
    );
    if note.as_ref().is_some_and(|n| n.chars().count() > 2_000) {
        errors.add("note", "must be at most 2,000 characters");
    }
    if let Some(id) = holder_id {
        let holder = account_store::find(conn, id)?;
        if !holder.is_some_and(|h| {
            h.role == Role::BudgetHolder && h.council_code.as_deref() == Some(council.as_str())
        }) {
            errors.add("holder_id", "is not a budget holder of your council");
        }
    }
    if let Some(id) = seller_id {
        let seller = account_store::find(conn, id)?;
        if !seller.is_some_and(|s| s.role.is_seller()) {
            errors.add("seller_id", "is not a seller on Bespoke");
        }
    }
    errors.into_result()?;
    let (holder_id, seller_id, note) = (
        holder_id.expect("checked"),
        seller_id.expect("checked"),
        note.expect("checked"),
    );
    agreements::record_agreement(
        conn,
        &council,
        holder_id,
        seller_id,
        account.id,
        &note,
        now.naive_utc(),
    )?;
    Ok(Agreement {
        holder_id,
        seller_id,
        note,
    })
}

/// The districts of the holder's area: their home district when known,
/// otherwise every district of the plan's council. Never a request's areas,
/// which a broker may have chosen.
fn holder_area(conn: &mut DbConnection, plan: &PlanRow) -> Result<Vec<String>, AppError> {
    let home = account_store::find(conn, plan.holder_id)?.and_then(|a| a.district);
    Ok(match home {
        Some(district) => vec![district],
        None => Places::get()
            .districts_of(&plan.council_code)
            .into_iter()
            .map(|d| d.code.clone())
            .collect(),
    })
}

/// The alternatives a broker must name when buying from a provider they are
/// tied to, where the market offers that many.
pub const ALTERNATIVES_NEEDED: i64 = 3;

/// A broker's interest in a seller: their own listings count as owned.
pub fn affiliation_with(
    conn: &mut DbConnection,
    broker_id: AccountId,
    seller_id: AccountId,
) -> Result<Option<AffiliationNature>, AppError> {
    if broker_id == seller_id {
        return Ok(Some(AffiliationNature::Owner));
    }
    Ok(broker_store::affiliation(conn, broker_id, seller_id)?)
}

/// The sellers a broker is tied to by a declared interest (their own
/// listings count too, as the broker's own id).
pub fn tied_sellers(
    conn: &mut DbConnection,
    broker_id: AccountId,
) -> Result<Vec<AccountId>, AppError> {
    let mut tied: Vec<AccountId> = broker_store::affiliations(conn, broker_id)?
        .into_iter()
        .map(|(provider, ..)| provider)
        .collect();
    tied.push(broker_id);
    Ok(tied)
}

/// How many alternatives a broker tied to a seller must name for this
/// category and these districts: three, or as many other sellers as the
/// market offers, not counting the `excluded` (the seller, the broker and
/// any seller they are tied to, who cannot be alternatives).
pub fn alternatives_needed(
    conn: &mut DbConnection,
    category: Category,
    districts: &[String],
    excluded: &[AccountId],
) -> Result<i64, AppError> {
    let others = broker_store::other_sellers_serving(conn, category, districts, excluded)?;
    Ok(others.min(ALTERNATIVES_NEEDED))
}

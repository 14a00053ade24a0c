//! Seller profiles: a seller keeps theirs up to date; anyone may read it.

use crate::domain::ids::AccountId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::listings::{require_seller_kind, seller_kind, ListingView};
use crate::domain::places::Places;
use crate::domain::sellers::{self, Profile, ProfileInput};
use crate::domain::vocab::{language_name, Employment, SellerKind, Vocabulary};
use crate::error::AppError;
use crate::services::access::Account;
use crate::store::codes::Json;
use crate::store::sellers::{self as store, SellerProfileRow};
use crate::store::{accounts as account_store, DbConnection};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SellerView {
    pub id: AccountId,
    pub name: String,
    pub kind: SellerKind,
    pub kind_label: &'static str,
    pub description: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub district: Option<String>,
    pub phone: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub cqc_provider_id: Option<String>,
    pub holds_isf: bool,
    pub skills: Vec<String>,
    pub qualifications: Vec<String>,
    pub languages: Vec<String>,
    /// As the personal assistant declared it; Bespoke does not check it.
    pub dbs_checked_on: Option<NaiveDate>,
    pub employment: Option<Employment>,
    pub broker_type: Option<String>,
    pub accreditation: Option<String>,
    pub fee_model: Option<String>,
    /// Whether anyone can sign in to this organisation yet (imported ones wait to be claimed).
    pub claimed: bool,
    pub listings: Vec<ListingView>,
    pub live_listings: i64,
}

impl SellerView {
    pub fn language_names(&self) -> Vec<&'static str> {
        self.languages
            .iter()
            .filter_map(|c| language_name(c))
            .collect()
    }
}

fn profile_of(row: Option<SellerProfileRow>) -> Profile {
    let Some(row) = row else {
        return Profile::default();
    };
    Profile {
        description: row.description,
        address: row.address,
        postcode: row.postcode,
        district: row.district,
        phone: row.phone,
        contact_email: row.contact_email,
        website: row.website,
        cqc_provider_id: row.cqc_provider_id,
        holds_isf: row.holds_isf,
        skills: row.skills.0,
        qualifications: row.qualifications.0,
        languages: row.languages.0,
        dbs_checked_on: row.dbs_checked_on,
        employment: row.employment,
        broker_type: row.broker_type,
        accreditation: row.accreditation,
        fee_model: row.fee_model,
    }
}

/// A seller's public profile with their live listings (the first `limit`).
pub fn public_profile(
    conn: &mut DbConnection,
    seller_id: AccountId,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<SellerView, AppError> {
    profile_view(conn, seller_id, false, limit, now)
}

/// A seller's profile; `for_owner` only for the seller themselves, who alone
/// sees a personal assistant's home address and postcode.
fn profile_view(
    conn: &mut DbConnection,
    seller_id: AccountId,
    for_owner: bool,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<SellerView, AppError> {
    let account = account_store::find(conn, seller_id)?.ok_or(AppError::NotFound)?;
    let kind = seller_kind(account.role).ok_or(AppError::NotFound)?;
    let mut profile = profile_of(store::find(conn, seller_id)?);
    // A personal assistant works from home: their address stays private.
    if kind == SellerKind::PersonalAssistant && !for_owner {
        profile.address = None;
        profile.postcode = None;
    }
    let listings = super::listings::live_of(conn, seller_id, 0, limit, now)?;
    Ok(SellerView {
        id: account.id,
        name: account.name,
        kind,
        kind_label: kind.label(),
        description: profile.description,
        address: profile.address,
        postcode: profile.postcode,
        district: profile.district,
        phone: profile.phone,
        contact_email: profile.contact_email,
        website: profile.website,
        cqc_provider_id: profile.cqc_provider_id,
        holds_isf: profile.holds_isf,
        skills: profile.skills,
        qualifications: profile.qualifications,
        languages: profile.languages,
        dbs_checked_on: profile.dbs_checked_on,
        employment: profile.employment,
        broker_type: profile.broker_type,
        accreditation: profile.accreditation,
        fee_model: profile.fee_model,
        claimed: account.email.is_some(),
        listings: listings.items,
        live_listings: listings.total,
    })
}

/// The actor's own public profile.
pub fn public_profile_of_seller(
    conn: &mut DbConnection,
    actor: &Account,
    now: DateTime<Utc>,
) -> Result<SellerView, AppError> {
    require_seller_kind(actor)?;
    profile_view(conn, actor.id, true, 100, now)
}

/// The actor's own profile as it stands, for the edit form.
pub fn own_profile(conn: &mut DbConnection, actor: &Account) -> Result<Profile, AppError> {
    require_seller_kind(actor)?;
    Ok(profile_of(store::find(conn, actor.id)?))
}

pub fn save_profile(
    conn: &mut DbConnection,
    places: &Places,
    actor: &Account,
    input: ProfileInput,
    now: DateTime<Utc>,
) -> Result<SellerView, AppError> {
    let kind = require_seller_kind(actor)?;
    let profile =
        sellers::check(input, kind, places, now.date_naive()).map_err(AppError::Validation)?;
    if let Some(cqc) = &profile.cqc_provider_id {
        if store::find_by_cqc_provider(conn, cqc)?.is_some_and(|other| other.account_id != actor.id)
        {
            return Err(AppError::field(
                "cqc_provider_id",
                "is already the registration of another organisation on Bespoke",
            ));
        }
    }
    store::save(conn, &row_of(actor.id, kind, &profile, now))?;
    profile_view(conn, actor.id, true, 100, now)
}

pub fn row_of(
    account_id: AccountId,
    kind: SellerKind,
    profile: &Profile,
    now: DateTime<Utc>,
) -> SellerProfileRow {
    SellerProfileRow {
        account_id,
        kind,
        description: profile.description.clone(),
        address: profile.address.clone(),
        postcode: profile.postcode.clone(),
        district: profile.district.clone(),
        phone: profile.phone.clone(),
        contact_email: profile.contact_email.clone(),
        website: profile.website.clone(),
        cqc_provider_id: profile.cqc_provider_id.clone(),
        holds_isf: profile.holds_isf,
        skills: Json(profile.skills.clone()),
        qualifications: Json(profile.qualifications.clone()),
        languages: Json(profile.languages.clone()),
        dbs_checked_on: profile.dbs_checked_on,
        employment: profile.employment,
        broker_type: profile.broker_type.clone(),
        accreditation: profile.accreditation.clone(),
        fee_model: profile.fee_model.clone(),
        updated_at: now.naive_utc(),
    }
}

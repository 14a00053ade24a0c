//! Use cases: each opens what it needs in the store, applies the domain's
//! rules and returns a result or an [`AppError`](crate::error::AppError).
//! The API handlers and the pages call the same functions.

pub mod access;
pub mod accounts;
pub mod assessments;
pub mod brokers;
pub mod commissions;
pub mod conflicts;
pub mod demo;
pub mod demo_accounts;
pub mod demo_listings;
pub mod demo_plans;
pub mod generate;
pub mod idempotency;
pub mod imports;
pub mod instances;
pub mod ledger;
pub mod listings;
pub mod mail;
pub mod market;
pub mod offers;
pub mod openreferral;
pub mod places;
pub mod plans;
pub mod requests;
pub mod search;
pub mod sellers;

// The handles the web layer holds for the services: a pool of connections
// and the search engine. Handlers pass them on; only services use them.
pub use crate::search::SearchBackend;
pub use crate::store::{Db, DbConnection};

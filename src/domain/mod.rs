//! The domain: pure rules with no I/O, unit-tested without a database.

pub mod accounts;
pub mod allocation;
pub mod calendar;
pub mod commissions;
pub mod fields;
pub mod ids;
pub mod ledger;
pub mod listings;
pub mod market;
pub mod money;
pub mod pa_cost;
pub mod places;
pub mod plans;
pub mod pricing;
pub mod quantity;
pub mod requests;
pub mod search;
pub mod sellers;
pub mod statistics;
pub mod text;
pub mod tokens;
pub mod vocab;

//! The domain: pure rules with no I/O, unit-tested without a database.

pub mod accounts;
pub mod listings;
pub mod money;
pub mod pa_cost;
pub mod places;
pub mod pricing;
pub mod search;
pub mod sellers;
pub mod tokens;
pub mod vocab;

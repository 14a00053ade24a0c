//! Bespoke: an open marketplace for self-directed social care.
//!
//! Layers, from the outside in: [`web`] (routes, handlers, templates) calls
//! [`services`] (one function per use case), which apply the rules in
//! [`domain`] (pure, no I/O) and read and write through [`store`] (diesel).

pub mod config;
pub mod domain;
pub mod error;
pub mod search;
pub mod services;
pub mod startup;
pub mod store;
pub mod web;

pub use startup::AppState;

//! The integration tests, one binary: each module drives the real application
//! over HTTP (or its commands) on a fresh database of its own. One binary
//! links once, so the suite builds in a fraction of the time that one binary
//! per file took.

mod common;

mod accounts_api;
mod api_errors;
mod assessments_api;
mod brokers_api;
mod brokers_pages;
mod commissions_api;
mod imports;
mod invoices_api;
mod layers;
mod listings_api;
mod listings_pages;
mod mail;
mod market_api;
mod money_rule;
mod openapi;
mod openreferral_feed;
mod pages;
mod places_api;
mod plans_api;
mod plans_pages;
mod races;
mod requests_api;
mod requests_limits;
mod requests_pages;
mod search_conformance;
mod search_pages;
mod security;
mod startup;

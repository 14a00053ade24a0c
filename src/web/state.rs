//! What every handler is given: the database, the configuration, the
//! signing keys, the places, the search engine and this server's identity.
//! Start-up (`startup::prepare`) builds it; handlers take it as `web::Data`.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::config::Config;
use crate::domain::places::Places;
use crate::domain::tokens::TokenKeys;
use crate::services::instances::Instance;
use crate::services::search::SearchEventSender;
use crate::services::{Db, SearchBackend};

/// Everything a request handler may need, shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub keys: Arc<TokenKeys>,
    pub places: &'static Places,
    pub search: Arc<dyn SearchBackend>,
    pub search_events: SearchEventSender,
    /// Set once start-up is complete, initial indexing included; `/healthz` answers 503 until then.
    pub ready: Arc<AtomicBool>,
    /// This server's hold on its data directory, and its id among instances.
    pub instance: Arc<Instance>,
}

impl AppState {
    /// Whether the start page offers the demo sign-ins.
    pub fn demo_enabled(&self) -> bool {
        self.config.demo
    }
}

//! What every handler can reach: the database pool, the configuration, attachment storage and
//! the public address. At the bottom of the dependency order: it imports no slice, and every
//! slice may import it.

use std::sync::Arc;

use crate::config::Config;
use crate::db::PgPool;
use crate::db::catalogue::ServiceCatalogue;
use crate::storage::Storage;

pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub storage: Storage,
    /// The address users reach us on (with the real port when bound to port 0).
    pub public_url: String,
    /// The services' titles and owners, for the inbox's filters.
    pub catalogue: ServiceCatalogue,
}

impl AppState {
    pub fn new(pool: PgPool, config: Arc<Config>, public_url: String, storage: Storage) -> Self {
        AppState {
            storage,
            pool,
            config,
            public_url,
            catalogue: ServiceCatalogue::default(),
        }
    }
}

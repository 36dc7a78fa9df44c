//! An in-process copy of the service registry's titles and owners, for pages that show many.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use super::schema::{parties, services};

/// How long a read catalogue is used before it is read again.
const MAX_AGE: Duration = Duration::from_secs(60);

/// One service as the filters show it.
pub struct CatalogueEntry {
    /// nb, nn, en.
    pub titles: [String; 3],
    pub owner_id: i64,
    pub owner_name: String,
}

/// The registry as read at one moment.
pub struct Catalogue {
    read_at: Instant,
    pub services: HashMap<String, CatalogueEntry>,
}

/// The services with their titles and owners, kept in the application state: they are few and
/// change seldom, and building the inbox's filter choices in SQL on every page view cost more
/// than the rest of the page's context. Read again when a page needs a service it does not know
/// (a new one), or after a minute (a renamed title or owner shows within that).
#[derive(Default)]
pub struct ServiceCatalogue {
    current: RwLock<Option<Arc<Catalogue>>>,
}

impl ServiceCatalogue {
    /// The catalogue, read again if it lacks one of `needed` or is a minute old.
    pub fn get(&self, conn: &mut PgConnection, needed: &[String]) -> QueryResult<Arc<Catalogue>> {
        let cached = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(c) = cached
            && c.read_at.elapsed() < MAX_AGE
            && needed.iter().all(|id| c.services.contains_key(id))
        {
            return Ok(c);
        }
        let rows: Vec<(String, String, String, String, i64, String)> = services::table
            .inner_join(parties::table.on(parties::id.eq(services::owner_id)))
            .select((
                services::id,
                services::title_nb,
                services::title_nn,
                services::title_en,
                services::owner_id,
                parties::name,
            ))
            .load(conn)?;
        let fresh = Arc::new(Catalogue {
            read_at: Instant::now(),
            services: rows
                .into_iter()
                .map(|(id, nb, nn, en, owner_id, owner_name)| {
                    (
                        id,
                        CatalogueEntry {
                            titles: [nb, nn, en],
                            owner_id,
                            owner_name,
                        },
                    )
                })
                .collect(),
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(fresh.clone());
        Ok(fresh)
    }
}

//! Raw SQL that is prepared once per connection. Diesel never caches the statements of
//! `sql_query`, because their text might be built from user input; ours is fixed (or chosen from
//! a small, fixed set of fragments) with every value bound, so caching by SQL text is safe, and
//! it saves the parse and plan of the hot queries (1 to 2 ms for those that inline the
//! authorization functions) on every request.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;
use diesel::sql_types::Untyped;
use diesel::{PgConnection, QueryResult};

/// A query whose prepared statement is cached by its SQL text (see the module docs). Only wrap
/// queries whose SQL text does not depend on input values.
#[derive(Debug, Clone)]
pub struct Prepared<Q>(pub Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Prepared<Q> {
    type SqlType = Untyped;
}

impl<Q> RunQueryDsl<PgConnection> for Prepared<Q> {}

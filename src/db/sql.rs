//! SQL built from parts in use (filters a user chose): `?` in each fragment stands for the next
//! parameter and becomes `$n`, so text and values never get out of step.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Array, BigInt, SmallInt, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

/// A bind parameter for SQL built from the filters in use.
pub enum Bind {
    Int(i64),
    Small(i16),
    Text(String),
    Time(DateTime<Utc>),
    Id(Uuid),
    Texts(Vec<String>),
}

/// SQL text with `$n` placeholders and their values, in order.
#[derive(Default)]
pub struct Sql {
    /// The statement so far, with `$n` placeholders.
    pub text: String,
    /// The values of the placeholders, in order.
    pub binds: Vec<Bind>,
}

impl Sql {
    /// Appends `fragment`, in which `?` stands for the next parameter.
    pub fn push(&mut self, fragment: &str, values: Vec<Bind>) -> &mut Self {
        let mut values = values.into_iter();
        for ch in fragment.chars() {
            if ch == '?' {
                if let Some(v) = values.next() {
                    self.binds.push(v);
                    self.text.push_str(&format!("${}", self.binds.len()));
                }
            } else {
                self.text.push(ch);
            }
        }
        self
    }

    /// The statement with its parameters bound, ready to load.
    pub fn query(self) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        let mut q = diesel::sql_query(self.text).into_boxed();
        for b in self.binds {
            q = match b {
                Bind::Int(v) => q.bind::<BigInt, _>(v),
                Bind::Small(v) => q.bind::<SmallInt, _>(v),
                Bind::Text(v) => q.bind::<Text, _>(v),
                Bind::Time(v) => q.bind::<Timestamptz, _>(v),
                Bind::Id(v) => q.bind::<SqlUuid, _>(v),
                Bind::Texts(v) => q.bind::<Array<Text>, _>(v),
            };
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::{Bind, Sql};

    #[test]
    fn placeholders_are_numbered_in_order_of_their_values() {
        let mut sql = Sql::default();
        sql.push("SELECT 1 WHERE a = ? ", vec![Bind::Int(1)])
            .push(
                "AND b = ? AND c = ? ",
                vec![Bind::Text("x".into()), Bind::Small(2)],
            )
            .push("LIMIT ?", vec![Bind::Int(3)]);
        assert_eq!(
            sql.text,
            "SELECT 1 WHERE a = $1 AND b = $2 AND c = $3 LIMIT $4"
        );
        assert_eq!(sql.binds.len(), 4);
    }
}

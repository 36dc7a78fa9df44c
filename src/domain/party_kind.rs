use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

/// What a party is: a person (national identity number) or an organisation (organisation
/// number). Stored as `person` | `organization` in `parties.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub enum PartyKind {
    Person,
    Organization,
}

impl PartyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Person => "person",
            PartyKind::Organization => "organization",
        }
    }
}

impl ToSql<Text, Pg> for PartyKind {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <str as ToSql<Text, Pg>>::to_sql(self.as_str(), out)
    }
}

impl FromSql<Text, Pg> for PartyKind {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        match bytes.as_bytes() {
            b"person" => Ok(PartyKind::Person),
            b"organization" => Ok(PartyKind::Organization),
            other => Err(format!("unknown party kind {:?}", String::from_utf8_lossy(other)).into()),
        }
    }
}

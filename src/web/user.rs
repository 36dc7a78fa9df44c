//! Who is logged in: the person, their name and login level, as the login put them in the
//! session. Every page reads it; only `auth` writes it.

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::domain::{LoginLevel, PartyKind, grouped_org_number, masked_national_id};
use crate::web::AppError;
use crate::web::context::encode_component;

/// Session keys of a logged-in user.
pub const PERSON_KEY: &str = "person_id";
pub const NAME_KEY: &str = "name";
pub const LEVEL_KEY: &str = "level";
pub const ACTING_KEY: &str = "acting";

/// The party the user last chose to act for, as the header shows it: name, the number people
/// know it by (an organisation's in groups of three, a person's date of birth and stars), and
/// whether it is a person. Kept in the session so every page can show it without a query.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Acting {
    pub id: i64,
    pub name: String,
    pub number: String,
    pub person: bool,
}

impl Acting {
    pub fn new(
        id: i64,
        kind: PartyKind,
        name: &str,
        national_id: Option<&str>,
        org_number: Option<&str>,
    ) -> Self {
        let person = kind == PartyKind::Person;
        let number = if person {
            national_id.map(masked_national_id).unwrap_or_default()
        } else {
            org_number.map(grouped_org_number).unwrap_or_default()
        };
        Acting {
            id,
            name: name.to_owned(),
            number,
            person,
        }
    }

    pub fn from_session(session: &Session) -> Option<Self> {
        session.get::<Acting>(ACTING_KEY).ok().flatten()
    }

    /// Records the choice; a session that already holds it is not written again.
    pub fn remember(&self, session: &Session) {
        if Self::from_session(session).as_ref() != Some(self)
            && let Err(e) = session.insert(ACTING_KEY, self)
        {
            tracing::warn!(error = %e, "could not keep the acting party in the session");
        }
    }
}

/// The logged-in person, from the session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub person_id: i64,
    pub name: String,
    pub level: LoginLevel,
}

impl CurrentUser {
    pub fn from_session(session: &Session) -> Option<Self> {
        let person_id = session.get::<i64>(PERSON_KEY).ok().flatten()?;
        let name = session
            .get::<String>(NAME_KEY)
            .ok()
            .flatten()
            .unwrap_or_default();
        let level = session
            .get::<i16>(LEVEL_KEY)
            .ok()
            .flatten()
            .and_then(LoginLevel::from_number)
            .unwrap_or(LoginLevel::Substantial);
        Some(CurrentUser {
            person_id,
            name,
            level,
        })
    }

    /// A page that needs `level` answers with the step-up page when the login is weaker.
    pub fn require_level(&self, level: LoginLevel, return_to: &str) -> Result<(), AppError> {
        if self.level >= level {
            Ok(())
        } else {
            Err(AppError::StepUp(step_up_link(return_to)))
        }
    }
}

/// Where a "log in with a higher level" link goes: login at level high, then back here.
pub fn step_up_link(return_to: &str) -> String {
    format!(
        "/login?level=high&return_to={}",
        encode_component(return_to)
    )
}

/// Pages that need a login send anonymous visitors to /login and back.
impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            CurrentUser::from_session(&req.get_session()).ok_or_else(|| {
                let here = match req.query_string() {
                    "" => req.path().to_owned(),
                    q => format!("{}?{q}", req.path()),
                };
                AppError::LoginRequired(format!("/login?return_to={}", encode_component(&here)))
            }),
        )
    }
}

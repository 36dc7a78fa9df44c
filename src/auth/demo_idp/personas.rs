//! The demo personas: fixed synthetic identities the front page offers to log in as.

use diesel::prelude::*;

use crate::db::schema::parties;
use crate::domain::{Language, NationalId};
use crate::web::i18n;

pub struct Persona {
    pub key: &'static str,
    pub name: &'static str,
    /// Date of birth as DDMMYY with 80 added to the month (a synthetic test identity).
    pub born: &'static str,
}

pub const CITIZEN: Persona = Persona {
    key: "citizen",
    name: "Kari Nordmann",
    born: "058185",
};
pub const ACCOUNTANT: Persona = Persona {
    key: "accountant",
    name: "Ola Hansen",
    born: "128274",
};
pub const MUNICIPAL_ADMIN: Persona = Persona {
    key: "municipal-admin",
    name: "Ingrid Berg",
    born: "238368",
};
pub const MUNICIPAL_CLERK: Persona = Persona {
    key: "municipal-clerk",
    name: "Per Olsen",
    born: "199190",
};
pub const SENDER: Persona = Persona {
    key: "sender",
    name: "Nils Skattum",
    born: "078779",
};
pub const D_NUMBER: Persona = Persona {
    key: "d-number",
    name: "Aisha Rahman",
    born: "418995",
};
pub const RESERVED: Persona = Persona {
    key: "reserved",
    name: "Jon Reiersen",
    born: "308462",
};
pub const AUDITOR: Persona = Persona {
    key: "auditor",
    name: "Liv Lunde",
    born: "148671",
};

/// The benchmark's heavy user: a person with 100,000 messages (seeded by `demo --size bench`).
pub const BENCH: Persona = Persona {
    key: "bench",
    name: "Bente Benk",
    born: "018190",
};

pub const ALL: [&Persona; 8] = [
    &CITIZEN,
    &ACCOUNTANT,
    &MUNICIPAL_ADMIN,
    &MUNICIPAL_CLERK,
    &SENDER,
    &D_NUMBER,
    &RESERVED,
    &AUDITOR,
];

impl Persona {
    /// The persona's national identity number: the first individual number from 100 with
    /// valid check digits.
    pub fn national_id(&self) -> NationalId {
        (100..1000)
            .find_map(|n| NationalId::from_parts(self.born, n))
            .unwrap_or_else(|| panic!("no valid identity for persona {}", self.key))
    }
}

/// A persona as the front page shows it.
pub struct PersonaView {
    pub name: String,
    pub national_id: String,
    pub description: String,
}

/// The personas present in the database, in the front page's order.
pub fn load(conn: &mut PgConnection, lang: Language) -> QueryResult<Vec<PersonaView>> {
    let ids: Vec<String> = ALL
        .iter()
        .map(|p| p.national_id().as_str().to_owned())
        .collect();
    let found: Vec<(String, String)> = parties::table
        .filter(parties::national_id.eq_any(&ids))
        .select((parties::national_id.assume_not_null(), parties::name))
        .load(conn)?;
    Ok(ALL
        .iter()
        .zip(ids)
        .filter_map(|(persona, id)| {
            let (_, name) = found.iter().find(|(nid, _)| *nid == id)?;
            Some(PersonaView {
                name: name.clone(),
                national_id: id,
                description: i18n::text(lang, &format!("persona-{}", persona.key)),
            })
        })
        .collect())
}

//! The demo world: service owners and their services, organisations with sub-units, persons with
//! business-register roles, contact points and delegations.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use fastrand::Rng;

use super::names::{FIRST_NAMES, LAST_NAMES, ORG_PREFIXES, ORG_TRADES, PLACES};
use crate::access::reference::*;
use crate::auth::demo_idp::personas::{self, Persona};
use crate::db::schema::*;
use crate::domain::{NationalId, OrgNumber, PartyKind};

/// Who a service writes to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Persons,
    Organizations,
    Both,
}

pub struct ServiceDef {
    pub id: &'static str,
    pub owner: &'static str,
    pub titles: [&'static str; 3],
    pub audience: Audience,
    pub packages: &'static [&'static str],
    pub min_level: i16,
    pub confidential: bool,
    pub attachment_package: Option<&'static str>,
    /// Whether its messages usually need confirmation by a due date.
    pub confirm: bool,
}

/// (short name, name, organisation form)
pub const OWNERS: &[(&str, &str, &str)] = &[
    ("skatteetaten", "Skatteetaten", "ORGL"),
    ("nav", "Arbeids- og velferdsetaten", "ORGL"),
    ("politiet", "Øst politidistrikt", "ORGL"),
    ("vegvesen", "Statens vegvesen", "ORGL"),
    ("fjellvik", "Fjellvik kommune", "KOMM"),
];

const MAIL: &[&str] = &[ORDINARY_MAIL];
const TAX: &[&str] = &[ORDINARY_MAIL, ACCOUNTANT, AUDITOR];
const CONFIDENTIAL: &[&str] = &[CONFIDENTIAL_MAIL];

macro_rules! service {
    ($id:literal, $owner:literal, [$nb:literal, $nn:literal, $en:literal], $aud:ident, $pk:expr) => {
        service!(
            $id,
            $owner,
            [$nb, $nn, $en],
            $aud,
            $pk,
            3,
            false,
            None,
            false
        )
    };
    ($id:literal, $owner:literal, [$nb:literal, $nn:literal, $en:literal], $aud:ident, $pk:expr,
     $level:literal, $conf:literal, $att:expr, $confirm:literal) => {
        ServiceDef {
            id: $id,
            owner: $owner,
            titles: [$nb, $nn, $en],
            audience: Audience::$aud,
            packages: $pk,
            min_level: $level,
            confidential: $conf,
            attachment_package: $att,
            confirm: $confirm,
        }
    };
}

pub const SERVICES: &[ServiceDef] = &[
    service!(
        "skatt-skattemelding",
        "skatteetaten",
        ["Skattemelding", "Skattemelding", "Tax return"],
        Both,
        TAX
    ),
    service!(
        "skatt-skatteoppgjor",
        "skatteetaten",
        ["Skatteoppgjør", "Skatteoppgjer", "Tax settlement"],
        Both,
        TAX
    ),
    service!(
        "skatt-mva-kontroll",
        "skatteetaten",
        [
            "Kontroll av merverdiavgift",
            "Kontroll av meirverdiavgift",
            "VAT audit"
        ],
        Organizations,
        TAX,
        3,
        false,
        None,
        true
    ),
    service!(
        "skatt-a-melding",
        "skatteetaten",
        [
            "Tilbakemelding på a-meldingen",
            "Tilbakemelding på a-meldinga",
            "A-message feedback"
        ],
        Organizations,
        TAX
    ),
    service!(
        "skatt-restskatt",
        "skatteetaten",
        [
            "Varsel om restskatt",
            "Varsel om restskatt",
            "Notice of tax due"
        ],
        Persons,
        MAIL,
        3,
        false,
        None,
        true
    ),
    service!(
        "nav-vedtak",
        "nav",
        ["Vedtak fra NAV", "Vedtak frå NAV", "Decision from NAV"],
        Persons,
        MAIL,
        3,
        false,
        None,
        false
    ),
    service!(
        "nav-sykepenger-refusjon",
        "nav",
        [
            "Refusjon av sykepenger",
            "Refusjon av sjukepengar",
            "Sick pay refund"
        ],
        Organizations,
        MAIL
    ),
    service!(
        "nav-arbeidsgiver",
        "nav",
        [
            "Melding til arbeidsgiver",
            "Melding til arbeidsgivar",
            "Message to employer"
        ],
        Organizations,
        MAIL
    ),
    service!(
        "nav-tilbakekreving",
        "nav",
        ["Tilbakekreving", "Tilbakekrevjing", "Recovery of benefits"],
        Persons,
        MAIL,
        3,
        false,
        None,
        true
    ),
    service!(
        "nav-helseopplysninger",
        "nav",
        [
            "Helseopplysninger",
            "Helseopplysningar",
            "Health information"
        ],
        Persons,
        MAIL,
        4,
        false,
        None,
        false
    ),
    service!(
        "politi-straffesak",
        "politiet",
        [
            "Dokumenter i straffesak",
            "Dokument i straffesak",
            "Criminal case documents"
        ],
        Organizations,
        CONFIDENTIAL,
        4,
        true,
        Some(POLICE_CASE_ATTACHMENTS),
        true
    ),
    service!(
        "politi-bekymringsmelding",
        "politiet",
        [
            "Bekymringsmelding til barnevernet",
            "Uromelding til barnevernet",
            "Child welfare concern report"
        ],
        Organizations,
        CONFIDENTIAL,
        3,
        true,
        None,
        true
    ),
    service!(
        "politi-gebyr",
        "politiet",
        ["Forelegg og gebyr", "Førelegg og gebyr", "Fines and fees"],
        Both,
        MAIL,
        3,
        false,
        None,
        true
    ),
    service!(
        "politi-pass",
        "politiet",
        ["Pass og ID-kort", "Pass og ID-kort", "Passport and ID card"],
        Persons,
        MAIL
    ),
    service!(
        "politi-vapen",
        "politiet",
        ["Våpenlisens", "Våpenlisens", "Firearms licence"],
        Persons,
        MAIL
    ),
    service!(
        "vegvesen-eu-kontroll",
        "vegvesen",
        [
            "Frist for EU-kontroll",
            "Frist for EU-kontroll",
            "Roadworthiness test due"
        ],
        Both,
        MAIL
    ),
    service!(
        "vegvesen-forerkort",
        "vegvesen",
        ["Førerkort", "Førarkort", "Driving licence"],
        Persons,
        MAIL
    ),
    service!(
        "vegvesen-tillatelser",
        "vegvesen",
        [
            "Tillatelser for transport",
            "Løyve for transport",
            "Transport permits"
        ],
        Organizations,
        MAIL
    ),
    service!(
        "vegvesen-innkalling",
        "vegvesen",
        [
            "Innkalling til trafikkstasjon",
            "Innkalling til trafikkstasjon",
            "Summons to a traffic station"
        ],
        Persons,
        MAIL,
        3,
        false,
        None,
        true
    ),
    service!(
        "fjellvik-eiendomsskatt",
        "fjellvik",
        ["Eiendomsskatt", "Eigedomsskatt", "Property tax"],
        Both,
        MAIL
    ),
    service!(
        "fjellvik-byggesak",
        "fjellvik",
        [
            "Vedtak i byggesak",
            "Vedtak i byggjesak",
            "Building permit decision"
        ],
        Both,
        MAIL,
        3,
        false,
        None,
        true
    ),
    service!(
        "fjellvik-barnehage",
        "fjellvik",
        ["Barnehageplass", "Barnehageplass", "Kindergarten place"],
        Persons,
        MAIL
    ),
    service!(
        "fjellvik-faktura",
        "fjellvik",
        [
            "Faktura fra kommunen",
            "Faktura frå kommunen",
            "Invoice from the municipality"
        ],
        Both,
        MAIL
    ),
];

/// The fixed organisations the personas belong to.
pub const NORDMANN_AS: (&str, u32) = ("Nordmann Rørlegger AS", 31_100_010);
pub const FJELLVIK_CHILD_WELFARE: &str = "Fjellvik kommune barnevernstjeneste";
pub const DELETED_ORG: &str = "Gamle Fjordbruk AS";

const ORG_COUNT: usize = 330;
const PERSON_COUNT: usize = 1_200;
const ACCOUNTANT_CLIENTS: usize = 300;

#[derive(Insertable)]
#[diesel(table_name = parties)]
struct NewParty {
    kind: PartyKind,
    national_id: Option<String>,
    org_number: Option<String>,
    name: String,
    org_form: Option<&'static str>,
    parent_id: Option<i64>,
    is_deleted: bool,
    deleted_at: Option<chrono::DateTime<Utc>>,
}

fn insert_parties(conn: &mut PgConnection, rows: &[NewParty]) -> QueryResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(2_000) {
        ids.extend(
            diesel::insert_into(parties::table)
                .values(chunk)
                .returning(parties::id)
                .get_results::<i64>(conn)?,
        );
    }
    Ok(ids)
}

struct OrgNumbers {
    next: u32,
}

impl OrgNumbers {
    fn next(&mut self) -> String {
        loop {
            self.next += 1;
            if let Some(org) = OrgNumber::from_base(self.next) {
                return org.as_str().to_owned();
            }
        }
    }
}

fn org(number: String, name: String, form: &'static str, parent: Option<i64>) -> NewParty {
    NewParty {
        kind: PartyKind::Organization,
        national_id: None,
        org_number: Some(number),
        name,
        org_form: Some(form),
        parent_id: parent,
        is_deleted: false,
        deleted_at: None,
    }
}

fn person(national_id: &NationalId, name: String) -> NewParty {
    NewParty {
        kind: PartyKind::Person,
        national_id: Some(national_id.as_str().to_owned()),
        org_number: None,
        name,
        org_form: None,
        parent_id: None,
        is_deleted: false,
        deleted_at: None,
    }
}

/// Inserts the whole world. Runs inside the seed transaction.
pub fn insert(conn: &mut PgConnection, rng: &mut Rng) -> QueryResult<()> {
    insert_reference(conn)?;
    let mut numbers = OrgNumbers { next: 31_000_000 };

    // Service owners (also organisations; the municipality receives mail too).
    let owner_rows: Vec<NewParty> = OWNERS
        .iter()
        .map(|(_, name, form)| org(numbers.next(), (*name).to_owned(), form, None))
        .collect();
    let owner_ids = insert_parties(conn, &owner_rows)?;
    let owner_values: Vec<_> = OWNERS
        .iter()
        .zip(&owner_ids)
        .map(|((short, ..), id)| {
            (
                service_owners::party_id.eq(*id),
                service_owners::short_name.eq(*short),
                // Where the weekly report of unread mail goes (the dev outbox in the demo).
                service_owners::contact_email.eq(format!("postmottak@{short}.example")),
            )
        })
        .collect();
    diesel::insert_into(service_owners::table)
        .values(&owner_values)
        .execute(conn)?;
    let owner_id = |short: &str| {
        OWNERS
            .iter()
            .position(|(s, ..)| *s == short)
            .map(|i| owner_ids[i])
    };
    let fjellvik = owner_id("fjellvik").unwrap_or_default();
    let municipal_units = [
        FJELLVIK_CHILD_WELFARE,
        "Fjellvik kommune helse og omsorg",
        "Fjellvik kommune oppvekst",
    ];
    let unit_rows: Vec<NewParty> = municipal_units
        .iter()
        .map(|name| org(numbers.next(), (*name).to_owned(), "ORGL", Some(fjellvik)))
        .collect();
    let municipal_unit_ids = insert_parties(conn, &unit_rows)?;

    insert_services(conn, &owner_ids)?;
    // Digdir, which runs eFormidling, with its shared digital post services.
    insert_parties(
        conn,
        &[org(
            crate::access::reference::EFORMIDLING_OWNER.to_owned(),
            "Digitaliseringsdirektoratet".to_owned(),
            "ORGL",
            None,
        )],
    )?;
    crate::access::reference::eformidling_services(conn)?;

    // Organisations: the citizen persona's company first, then generated ones.
    let mut org_rows = vec![org(
        OrgNumber::from_base(NORDMANN_AS.1)
            .map_or_else(|| numbers.next(), |o| o.as_str().to_owned()),
        NORDMANN_AS.0.to_owned(),
        "AS",
        None,
    )];
    let mut used_names = HashSet::new();
    while org_rows.len() < ORG_COUNT {
        let name = format!(
            "{} {}",
            rng.choice(ORG_PREFIXES).unwrap_or(&"Nord"),
            rng.choice(ORG_TRADES).unwrap_or(&"Bygg")
        );
        let form = *rng
            .choice(&["AS", "AS", "AS", "ENK", "ENK", "DA", "ANS", "ASA"])
            .unwrap_or(&"AS");
        let full = match form {
            "ENK" => format!("{name} {}", rng.choice(LAST_NAMES).unwrap_or(&"Hansen")),
            "DA" | "ANS" | "ASA" => format!("{name} {form}"),
            _ => format!("{name} AS"),
        };
        if used_names.insert(full.clone()) {
            org_rows.push(org(numbers.next(), full, form, None));
        }
    }
    let mut deleted = org(numbers.next(), DELETED_ORG.to_owned(), "AS", None);
    deleted.is_deleted = true;
    deleted.deleted_at = Some(Utc::now() - Duration::days(200));
    org_rows.push(deleted);
    let org_forms: Vec<&'static str> = org_rows
        .iter()
        .map(|o| o.org_form.unwrap_or("AS"))
        .collect();
    let org_ids = insert_parties(conn, &org_rows)?;

    // Sub-units (BEDR) for about a quarter of the companies, and always for the persona's company.
    let mut sub_rows = Vec::new();
    for (i, (&id, row)) in org_ids.iter().zip(&org_rows).enumerate() {
        if row.is_deleted || !(i == 0 || rng.u8(0..4) == 0) {
            continue;
        }
        for _ in 0..rng.usize(1..=3) {
            let place = rng.choice(PLACES).unwrap_or(&"Bergen");
            sub_rows.push(org(
                numbers.next(),
                format!("{} avd. {place}", row.name),
                "BEDR",
                Some(id),
            ));
        }
    }
    sub_rows.dedup_by(|a, b| a.name == b.name);
    insert_parties(conn, &sub_rows)?;

    // Persons: the personas, then generated people with synthetic identities.
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut person_rows: Vec<NewParty> = personas::ALL
        .iter()
        .map(|p| {
            let id = p.national_id();
            seen_ids.insert(id.as_str().to_owned());
            person(&id, p.name.to_owned())
        })
        .collect();
    while person_rows.len() < personas::ALL.len() + PERSON_COUNT {
        let born = format!(
            "{:02}{:02}{:02}",
            rng.u8(1..=28),
            rng.u8(1..=12) + 80,
            rng.u8(0..=99)
        );
        let Some(id) = NationalId::from_parts(&born, rng.u16(0..1000)) else {
            continue;
        };
        if seen_ids.insert(id.as_str().to_owned()) {
            let name = format!(
                "{} {}",
                rng.choice(FIRST_NAMES).unwrap_or(&"Anne"),
                rng.choice(LAST_NAMES).unwrap_or(&"Hansen")
            );
            person_rows.push(person(&id, name));
        }
    }
    let person_ids = insert_parties(conn, &person_rows)?;
    let persona_id = |p: &Persona| {
        personas::ALL
            .iter()
            .position(|q| q.key == p.key)
            .map(|i| person_ids[i])
            .unwrap_or_default()
    };
    let ordinary: &[i64] = &person_ids[personas::ALL.len()..];

    // Business-register roles.
    let mut roles: Vec<(i64, i64, &str)> = Vec::new();
    roles.push((persona_id(&personas::CITIZEN), org_ids[0], "DAGL"));
    roles.push((persona_id(&personas::CITIZEN), org_ids[0], "LEDE"));
    roles.push((persona_id(&personas::MUNICIPAL_ADMIN), fjellvik, "DAGL"));
    for (&id, form) in org_ids.iter().zip(&org_forms).skip(1) {
        let pick = |rng: &mut Rng| ordinary[rng.usize(..ordinary.len())];
        match *form {
            "ENK" => roles.push((pick(rng), id, "INNH")),
            "DA" | "ANS" => {
                roles.push((pick(rng), id, "DTSO"));
                roles.push((pick(rng), id, if *form == "DA" { "DTPR" } else { "DTSO" }));
            }
            _ => {
                roles.push((pick(rng), id, "DAGL"));
                roles.push((pick(rng), id, "LEDE"));
                for _ in 0..rng.usize(0..3) {
                    roles.push((pick(rng), id, "MEDL"));
                }
                if rng.bool() {
                    roles.push((pick(rng), id, "NEST"));
                }
            }
        }
    }
    // The accountant acts for 300 clients, the auditor for a dozen.
    let accountant = persona_id(&personas::ACCOUNTANT);
    for &id in org_ids.iter().skip(1).take(ACCOUNTANT_CLIENTS) {
        roles.push((accountant, id, "REGN"));
    }
    for &id in org_ids.iter().skip(40).step_by(25) {
        roles.push((persona_id(&personas::AUDITOR), id, "REVI"));
    }
    roles.sort_unstable();
    roles.dedup();
    let role_values: Vec<_> = roles
        .iter()
        .map(|(p, o, r)| {
            (
                er_roles::person_id.eq(*p),
                er_roles::org_id.eq(*o),
                er_roles::role_code.eq(*r),
            )
        })
        .collect();
    for chunk in role_values.chunks(5_000) {
        diesel::insert_into(er_roles::table)
            .values(chunk)
            .execute(conn)?;
    }

    insert_contact_points(conn, rng, &person_ids, persona_id(&personas::RESERVED))?;
    let mut addresses = vec![
        (
            fjellvik,
            "email",
            "postmottak@fjellvik.kommune.example".to_owned(),
        ),
        (
            municipal_unit_ids[0],
            "email",
            "barnevern@fjellvik.kommune.example".to_owned(),
        ),
        (org_ids[0], "email", "post@nordmann-ror.example".to_owned()),
        (org_ids[0], "sms", "+4791000001".to_owned()),
    ];
    for (i, &id) in org_ids.iter().enumerate().skip(1) {
        if i % 3 != 0 {
            addresses.push((id, "email", format!("post{i}@virksomhet.example")));
        }
    }
    let address_values: Vec<_> = addresses
        .iter()
        .map(|(o, c, a)| {
            (
                org_notification_addresses::org_id.eq(*o),
                org_notification_addresses::channel.eq(*c),
                org_notification_addresses::address.eq(a),
            )
        })
        .collect();
    diesel::insert_into(org_notification_addresses::table)
        .values(&address_values)
        .execute(conn)?;

    // Delegations: the municipal clerk reads ordinary mail (not the confidential kind: nobody
    // does, which is the situation the product must surface); service-owner staff may send.
    let admin = persona_id(&personas::MUNICIPAL_ADMIN);
    let citizen = persona_id(&personas::CITIZEN);
    let mut delegations = vec![
        (
            fjellvik,
            persona_id(&personas::MUNICIPAL_CLERK),
            ORDINARY_MAIL,
            Some(admin),
        ),
        (org_ids[0], ordinary[0], ORDINARY_MAIL, Some(citizen)),
        (fjellvik, admin, SERVICE_OWNER_SEND, None),
    ];
    for short in ["skatteetaten", "nav"] {
        if let Some(owner) = owner_id(short) {
            delegations.push((
                owner,
                persona_id(&personas::SENDER),
                SERVICE_OWNER_SEND,
                None,
            ));
        }
    }
    for (i, short) in ["politiet", "vegvesen"].into_iter().enumerate() {
        if let Some(owner) = owner_id(short) {
            delegations.push((owner, ordinary[1 + i], SERVICE_OWNER_SEND, None));
        }
    }
    let delegation_values: Vec<_> = delegations
        .into_iter()
        .enumerate()
        .map(|(i, (party, to, package, by))| {
            (
                delegations::id.eq(uuid::Uuid::now_v7()),
                delegations::party_id.eq(party),
                delegations::to_person_id.eq(to),
                delegations::package_id.eq(package),
                delegations::granted_by.eq(by),
                delegations::granted_at
                    .eq(Utc::now() - Duration::days(90 - i64::try_from(i).unwrap_or(0))),
            )
        })
        .collect();
    diesel::insert_into(delegations::table)
        .values(&delegation_values)
        .execute(conn)?;
    Ok(())
}

fn insert_reference(conn: &mut PgConnection) -> QueryResult<()> {
    crate::access::reference::insert(conn)
}

fn insert_services(conn: &mut PgConnection, owner_ids: &[i64]) -> QueryResult<()> {
    for def in SERVICES {
        let owner = OWNERS
            .iter()
            .position(|(s, ..)| *s == def.owner)
            .map(|i| owner_ids[i])
            .unwrap_or_default();
        diesel::insert_into(services::table)
            .values((
                services::id.eq(def.id),
                services::owner_id.eq(owner),
                services::title_nb.eq(def.titles[0]),
                services::title_nn.eq(def.titles[1]),
                services::title_en.eq(def.titles[2]),
                services::required_packages.eq(def
                    .packages
                    .iter()
                    .map(|p| Some((*p).to_owned()))
                    .collect::<Vec<_>>()),
                services::min_login_level.eq(def.min_level),
                services::is_confidential.eq(def.confidential),
                services::attachment_package_id.eq(def.attachment_package),
            ))
            .execute(conn)?;
    }
    // Default notification texts for the police's confidential services: they say it is
    // confidential and which access must be delegated, and nothing personal.
    for service in ["politi-straffesak", "politi-bekymringsmelding"] {
        let rows: Vec<_> = [
            ("nb", "Taushetsbelagt melding fra $sendersName$",
             "$correspondenceRecipientName$ har fått en taushetsbelagt melding i tjenesten $resourceName$. \
              For å lese den må hovedadministrator delegere tilgangspakken «Post til virksomheten med \
              taushetsbelagt innhold».",
             "Taushetsbelagt melding fra $sendersName$ til $correspondenceRecipientName$. Krever tilgangen «Post til virksomheten med taushetsbelagt innhold»."),
            ("nn", "Teiepliktig melding frå $sendersName$",
             "$correspondenceRecipientName$ har fått ei teiepliktig melding i tenesta $resourceName$. \
              For å lese ho må hovudadministrator delegere tilgangspakken «Post til verksemda med \
              teiepliktig innhald».",
             "Teiepliktig melding frå $sendersName$ til $correspondenceRecipientName$. Krev tilgangen «Post til verksemda med teiepliktig innhald»."),
            ("en", "Confidential message from $sendersName$",
             "$correspondenceRecipientName$ has received a confidential message in the service $resourceName$. \
              To read it, a main administrator must delegate the access package \"Confidential mail to the business\".",
             "Confidential message from $sendersName$ to $correspondenceRecipientName$. Needs the access \"Confidential mail to the business\"."),
        ]
        .into_iter()
        .map(|(lang, subject, body, sms)| {
            (
                service_notification_texts::service_id.eq(service),
                service_notification_texts::kind.eq("initial"),
                service_notification_texts::language.eq(lang),
                service_notification_texts::email_subject.eq(subject),
                service_notification_texts::email_body.eq(body),
                service_notification_texts::sms_text.eq(sms),
            )
        })
        .collect();
        diesel::insert_into(service_notification_texts::table)
            .values(&rows)
            .execute(conn)?;
    }
    Ok(())
}

fn insert_contact_points(
    conn: &mut PgConnection,
    rng: &mut Rng,
    person_ids: &[i64],
    reserved: i64,
) -> QueryResult<()> {
    let now = Utc::now();
    let rows: Vec<_> = person_ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 17 != 5) // some persons have no contact data at all
        .map(|(i, &id)| {
            let is_reserved = id == reserved || i % 29 == 3;
            // Some contact data has not been confirmed for more than 18 months.
            let confirmed = if i % 13 == 7 {
                now - Duration::days(600)
            } else {
                now - Duration::days(rng.i64(1..400))
            };
            let email = (i % 7 != 2).then(|| format!("person{i}@epost.example"));
            let mobile = (i % 5 != 1).then(|| format!("+479{:07}", 1_000_000 + i));
            (
                contact_points::person_id.eq(id),
                contact_points::email.eq(email),
                contact_points::mobile.eq(mobile),
                contact_points::is_reserved.eq(is_reserved),
                contact_points::confirmed_at.eq(confirmed),
            )
        })
        .collect();
    for chunk in rows.chunks(2_000) {
        diesel::insert_into(contact_points::table)
            .values(chunk)
            .execute(conn)?;
    }
    Ok(())
}

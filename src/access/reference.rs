//! Reference data every installation needs: business-register role types, access packages and
//! which role gives which package. Inserted by the demo seed; production imports the same rows.

use diesel::prelude::*;

use crate::db::schema::{access_packages, er_role_types, role_packages};

/// (code, nb, nn, en)
pub const ROLE_TYPES: &[(&str, &str, &str, &str)] = &[
    (
        "DAGL",
        "Daglig leder",
        "Dagleg leiar",
        "Chief executive officer",
    ),
    ("LEDE", "Styrets leder", "Styreleiar", "Chair of the board"),
    ("INNH", "Innehaver", "Innehavar", "Proprietor"),
    (
        "DTSO",
        "Deltaker med fullt ansvar",
        "Deltakar med fullt ansvar",
        "Partner with full liability",
    ),
    (
        "DTPR",
        "Deltaker med delt ansvar",
        "Deltakar med delt ansvar",
        "Partner with shared liability",
    ),
    ("KOMP", "Komplementar", "Komplementar", "General partner"),
    (
        "BEST",
        "Bestyrende reder",
        "Bestyrande reiar",
        "Managing shipowner",
    ),
    ("BOBE", "Bostyrer", "Bustyrar", "Estate administrator"),
    (
        "REPR",
        "Norsk representant",
        "Norsk representant",
        "Norwegian representative",
    ),
    ("NEST", "Nestleder", "Nestleiar", "Deputy chair"),
    ("MEDL", "Styremedlem", "Styremedlem", "Board member"),
    ("VARA", "Varamedlem", "Varamedlem", "Deputy board member"),
    ("REGN", "Regnskapsfører", "Rekneskapsførar", "Accountant"),
    ("REVI", "Revisor", "Revisor", "Auditor"),
];

pub const ORDINARY_MAIL: &str = "ordinary-mail";
pub const CONFIDENTIAL_MAIL: &str = "confidential-mail";
pub const MAIN_ADMINISTRATOR: &str = "main-administrator";
pub const ACCESS_MANAGER: &str = "access-manager";
pub const ACCOUNTANT: &str = "accountant";
pub const AUDITOR: &str = "auditor";
pub const SERVICE_OWNER_SEND: &str = "service-owner-send";
pub const POLICE_CASE_ATTACHMENTS: &str = "police-case-attachments";

struct Package {
    id: &'static str,
    confidential: bool,
    delegable: bool,
    names: [&'static str; 3],
    descriptions: [&'static str; 3],
}

const PACKAGES: &[Package] = &[
    Package {
        id: ORDINARY_MAIL,
        confidential: false,
        delegable: true,
        names: [
            "Ordinær post til virksomheten",
            "Ordinær post til verksemda",
            "Ordinary mail to the business",
        ],
        descriptions: [
            "Lese post til virksomheten som ikke har taushetsbelagt innhold.",
            "Lese post til verksemda som ikkje har teiepliktig innhald.",
            "Read mail to the business that has no confidential content.",
        ],
    },
    Package {
        id: CONFIDENTIAL_MAIL,
        confidential: true,
        delegable: true,
        names: [
            "Post til virksomheten med taushetsbelagt innhold",
            "Post til verksemda med teiepliktig innhald",
            "Confidential mail to the business",
        ],
        descriptions: [
            "Lese post med taushetsbelagt innhold. Gis bare ved delegering fra hovedadministrator.",
            "Lese post med teiepliktig innhald. Blir berre gitt ved delegering frå hovudadministrator.",
            "Read mail with confidential content. Only granted by a main administrator.",
        ],
    },
    Package {
        id: MAIN_ADMINISTRATOR,
        confidential: false,
        delegable: true,
        names: [
            "Hovedadministrator",
            "Hovudadministrator",
            "Main administrator",
        ],
        descriptions: [
            "Administrere alle tilganger for virksomheten.",
            "Administrere alle tilgangar for verksemda.",
            "Manage all access for the business.",
        ],
    },
    Package {
        id: ACCESS_MANAGER,
        confidential: false,
        delegable: true,
        names: ["Tilgangsstyrer", "Tilgangsstyrar", "Access manager"],
        descriptions: [
            "Gi videre tilganger man selv har.",
            "Gi vidare tilgangar ein sjølv har.",
            "Pass on access one holds oneself.",
        ],
    },
    Package {
        id: ACCOUNTANT,
        confidential: false,
        delegable: false,
        names: ["Regnskapsfører", "Rekneskapsførar", "Accountant"],
        descriptions: [
            "Post om skatt, avgift og regnskap for klienter.",
            "Post om skatt, avgift og rekneskap for klientar.",
            "Mail about tax, duties and accounts for clients.",
        ],
    },
    Package {
        id: AUDITOR,
        confidential: false,
        delegable: false,
        names: ["Revisor", "Revisor", "Auditor"],
        descriptions: [
            "Post om revisjon for klienter.",
            "Post om revisjon for klientar.",
            "Mail about auditing for clients.",
        ],
    },
    Package {
        id: SERVICE_OWNER_SEND,
        confidential: false,
        delegable: true,
        names: [
            "Sende meldinger for tjenesteeier",
            "Sende meldingar for tenesteeigar",
            "Send messages for the service owner",
        ],
        descriptions: [
            "Registrere meldingstjenester og sende meldinger på vegne av tjenesteeieren.",
            "Registrere meldingstenester og sende meldingar på vegner av tenesteeigaren.",
            "Register message services and send messages on the service owner's behalf.",
        ],
    },
    Package {
        id: POLICE_CASE_ATTACHMENTS,
        confidential: true,
        delegable: true,
        names: [
            "Vedlegg i straffesaker",
            "Vedlegg i straffesaker",
            "Criminal case attachments",
        ],
        descriptions: [
            "Åpne vedlegg med straffesaksdokumenter fra politiet.",
            "Opne vedlegg med straffesaksdokument frå politiet.",
            "Open attachments with criminal case documents from the police.",
        ],
    },
];

/// The key roles: they hold ordinary mail, main administrator and access manager, and may delegate.
const KEY_ROLES: &[&str] = &["DAGL", "LEDE", "INNH", "DTSO", "DTPR", "BOBE"];
/// Roles that hold ordinary mail without delegation.
const MAIL_ROLES: &[&str] = &[
    "DAGL", "LEDE", "INNH", "DTSO", "DTPR", "KOMP", "BEST", "BOBE",
];

pub fn insert(conn: &mut PgConnection) -> QueryResult<()> {
    let roles: Vec<_> = ROLE_TYPES
        .iter()
        .map(|(code, nb, nn, en)| {
            (
                er_role_types::code.eq(*code),
                er_role_types::name_nb.eq(*nb),
                er_role_types::name_nn.eq(*nn),
                er_role_types::name_en.eq(*en),
            )
        })
        .collect();
    diesel::insert_into(er_role_types::table)
        .values(&roles)
        .on_conflict_do_nothing()
        .execute(conn)?;

    let packages: Vec<_> = PACKAGES
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                access_packages::id.eq(p.id),
                access_packages::urn.eq(format!("urn:melding:accesspackage:{}", p.id)),
                access_packages::name_nb.eq(p.names[0]),
                access_packages::name_nn.eq(p.names[1]),
                access_packages::name_en.eq(p.names[2]),
                access_packages::description_nb.eq(p.descriptions[0]),
                access_packages::description_nn.eq(p.descriptions[1]),
                access_packages::description_en.eq(p.descriptions[2]),
                access_packages::is_confidential.eq(p.confidential),
                access_packages::is_delegable.eq(p.delegable),
                access_packages::sort_order.eq(i32::try_from(i).unwrap_or(0)),
            )
        })
        .collect();
    diesel::insert_into(access_packages::table)
        .values(&packages)
        .on_conflict_do_nothing()
        .execute(conn)?;

    let mut grants = Vec::new();
    for role in MAIL_ROLES {
        grants.push((*role, ORDINARY_MAIL, KEY_ROLES.contains(role)));
    }
    for role in KEY_ROLES {
        grants.push((*role, MAIN_ADMINISTRATOR, true));
        grants.push((*role, ACCESS_MANAGER, true));
    }
    grants.push(("REGN", ACCOUNTANT, false));
    grants.push(("REVI", AUDITOR, false));
    let rows: Vec<_> = grants
        .into_iter()
        .map(|(role, package, may_delegate)| {
            (
                role_packages::role_code.eq(role),
                role_packages::package_id.eq(package),
                role_packages::may_delegate.eq(may_delegate),
            )
        })
        .collect();
    diesel::insert_into(role_packages::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
}

/// Digdir, which runs eFormidling: the owner of its shared digital post services.
pub const EFORMIDLING_OWNER: &str = "991825827";

/// eFormidling's processes for digital post (DPV) as shared services: (id, nb, nn, en,
/// confidential). eFormidling's service registry names these ids as the resources.
pub const EFORMIDLING_SERVICES: &[(&str, &str, &str, &str, bool)] = &[
    (
        "eformidling-dpv-informasjon",
        "Informasjon til innbygger",
        "Informasjon til innbyggjar",
        "Information to citizens",
        false,
    ),
    (
        "eformidling-dpv-vedtak",
        "Vedtak til innbygger",
        "Vedtak til innbyggjar",
        "Decisions to citizens",
        false,
    ),
    (
        "eformidling-dpv-saksbehandling",
        "Saksbehandling",
        "Sakshandsaming",
        "Case handling",
        false,
    ),
    (
        "eformidling-dpv-taushetsbelagt",
        "Taushetsbelagt saksbehandling",
        "Teiepliktig sakshandsaming",
        "Confidential case handling",
        true,
    ),
];

/// Makes eFormidling's digital post services ready, owned by Digdir, once Digdir is a party
/// (the business register brings it; the demo seeds it). Existing services are left as they
/// are (an administrator may have changed them). Returns how many were added.
pub fn eformidling_services(conn: &mut PgConnection) -> QueryResult<usize> {
    use crate::db::schema::{parties, service_owners, services};
    let Some(owner) = parties::table
        .filter(parties::org_number.eq(EFORMIDLING_OWNER))
        .filter(parties::kind.eq("organization"))
        .select(parties::id)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(0);
    };
    diesel::insert_into(service_owners::table)
        .values((
            service_owners::party_id.eq(owner),
            service_owners::short_name.eq("digdir"),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    let rows: Vec<_> = EFORMIDLING_SERVICES
        .iter()
        .map(|(id, nb, nn, en, confidential)| {
            (
                services::id.eq(*id),
                services::owner_id.eq(owner),
                services::title_nb.eq(*nb),
                services::title_nn.eq(*nn),
                services::title_en.eq(*en),
                services::required_packages.eq(vec![Some(if *confidential {
                    CONFIDENTIAL_MAIL
                } else {
                    ORDINARY_MAIL
                })]),
                services::is_confidential.eq(*confidential),
                services::min_login_level.eq(if *confidential { 4i16 } else { 3 }),
                services::is_shared.eq(true),
            )
        })
        .collect();
    diesel::insert_into(services::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(conn)
}
